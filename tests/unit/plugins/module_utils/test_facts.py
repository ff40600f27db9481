# Copyright (c) 2026 chatops.rocketchat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Facts an integration's document does not hold, and the prune's selection by them: each lookup once, unknown never
selects."""

from __future__ import annotations

import datetime

import pytest

from ansible_collections.chatops.rocketchat.plugins.module_utils import _prune as prune
from ansible_collections.chatops.rocketchat.plugins.module_utils._errors import InvalidInput, RocketChatError
from ansible_collections.chatops.rocketchat.plugins.module_utils._facts import (
    FactReader,
    Unknown,
    delivery_failed,
    facts_of,
    health,
    parse_moment,
)
from ansible_collections.chatops.rocketchat.tests.unit.plugins.fakes import integration_doc

ALL = {'webhook-incoming': 'all', 'webhook-outgoing': 'all'}
NOW = datetime.datetime(2026, 6, 1, tzinfo=datetime.timezone.utc)
OK = {'step': 'after-http-call', 'httpError': None, 'httpResult': '"ok"', '_createdAt': '2026-05-01T00:00:00Z'}
HTTP_500 = {'step': 'after-process-http-status-500', 'error': True, '_createdAt': '2026-05-02T00:00:00Z'}
TIMEOUT = {'step': 'after-http-call', 'httpError': {'name': 'AbortError'}, 'httpResult': None,
           '_createdAt': '2026-05-03T00:00:00Z'}


class LookupApi:
    """users.info, rooms.info and integrations.history answers, and the calls made."""

    def __init__(self, users=None, rooms=(), histories=None, refuse_users=False, refuse_history=False):
        self.users = users or {}
        self.rooms = set(rooms)
        self.histories = histories or {}
        self.refuse_users = refuse_users
        self.refuse_history = refuse_history
        self.calls = []

        class Client:
            user_id = 'caller'
        self.client = Client()

    def user_info(self, user_id=None, username=None):
        self.calls.append(('users.info', user_id or username))
        if self.refuse_users:
            raise RocketChatError('denied', status=403, error_text='User does not have the permissions required')
        if (user_id or username) not in self.users:
            raise RocketChatError('not found', status=400, error_text='User not found.')
        return {'active': self.users[user_id or username]}

    def room_info(self, room_name=None, room_id=None):
        self.calls.append(('rooms.info', room_name or room_id))
        if (room_name or room_id) not in self.rooms:
            raise RocketChatError('no room', status=400, error_type='error-room-not-found')
        return {'name': room_name}

    def history(self, integration_id, count):
        self.calls.append(('integrations.history', integration_id))
        if self.refuse_history:
            raise RocketChatError('denied', status=403, error_text='unauthorized')
        rows = list(reversed(self.histories.get(integration_id, [])))  # newest first, as the server sorts
        return {'history': rows[:count], 'total': len(rows)}


def out(_id, **extra):
    fields = dict({'userId': 'bot', '_createdAt': '2026-01-01T00:00:00Z'}, **extra)
    return integration_doc(_id, _id, 'webhook-outgoing', **fields)


def plan(docs, api, **options):
    params = dict({'keep': [], 'remove': [], 'exclusive': False, 'types': ['webhook-incoming', 'webhook-outgoing'],
                   'scope_name_regex': None, 'max_removals': 10}, **options)
    keep, remove, scope = prune.parse_input(params)
    return prune.plan_prune(docs, ALL, params, keep, remove, scope, prune.fact_reader(api, ALL, keep + remove))


@pytest.mark.parametrize('text, expected', [
    ('2025-01-31', datetime.datetime(2025, 1, 31, tzinfo=datetime.timezone.utc)),
    ('2025-01-31T12:00:00+02:00', datetime.datetime(2025, 1, 31, 10, tzinfo=datetime.timezone.utc)),
    ('90d', NOW - datetime.timedelta(days=90)),
])
def test_moments_are_dates_or_ages(text, expected):
    assert parse_moment(text, NOW, 'remove[0].created_before') == expected


def test_a_bad_moment_names_the_key():
    with pytest.raises(InvalidInput, match=r"remove\[0\].created_before 'last year' is neither"):
        parse_moment('last year', NOW, 'remove[0].created_before')


@pytest.mark.parametrize('row, failed', [(OK, False), (HTTP_500, True), (TIMEOUT, True),
                                         ({'step': 'pre-http-call'}, None),
                                         ({'step': 'failed-and-not-configured-to-retry', 'error': True}, True)])
def test_delivery_outcomes_as_the_trigger_handler_records_them(row, failed):
    assert delivery_failed(row) is failed


def test_disabled_and_deactivated_creator_and_each_lookup_once():
    docs = [out('a', enabled=False), out('b', enabled=False), out('c')]
    for doc in docs:
        doc['_createdBy'] = {'_id': 'gone-user', 'username': 'alice'}
    api = LookupApi(users={'bot': True})
    result = plan(docs, api, remove=[{'enabled': False, 'creator_active': False}])
    assert [doc['_id'] for doc in result.remove] == ['a', 'b']
    assert result.selected_by['a'] == 'remove[0]: disabled, creator gone'
    assert api.calls == [('users.info', 'gone-user')], 'one lookup, and none for the enabled hook'


def test_failing_needs_n_failed_deliveries_and_at_least_n():
    docs = [out('all-failed'), out('one-ok'), out('too-few'), out('pending')]
    api = LookupApi(histories={'all-failed': [OK, HTTP_500, TIMEOUT, HTTP_500], 'one-ok': [HTTP_500, OK, TIMEOUT],
                               'too-few': [HTTP_500], 'pending': [HTTP_500, HTTP_500, {'step': 'pre-http-call'}]})
    result = plan(docs, api, remove=[{'failing': 2}])
    assert [doc['_id'] for doc in result.remove] == ['all-failed']
    assert result.selected_by['all-failed'] == 'remove[0]: last 2 deliveries failed'
    assert [call[0] for call in api.calls] == ['integrations.history'] * 4


def test_idle_since_counts_a_hook_with_no_delivery_only_when_it_is_older():
    docs = [out('old-silent'), out('new-silent', _createdAt='2026-05-30T00:00:00Z'), out('recent'), out('stale')]
    api = LookupApi(histories={'recent': [dict(OK, _createdAt='2026-05-31T00:00:00Z')], 'stale': [OK]})
    result = plan(docs, api, remove=[{'idle_since': '2026-05-15'}])
    assert [doc['_id'] for doc in result.remove] == ['old-silent', 'stale']


def test_a_token_that_cannot_read_users_removes_nothing_and_says_why():
    docs = [out('a', enabled=False), out('b')]
    api = LookupApi(refuse_users=True)
    result = plan(docs, api, remove=[{'post_as_active': False}])
    assert result.remove == [] and [item['id'] for item in result.undetermined] == ['a', 'b']
    assert 'users.info for id bot answered HTTP 403' in result.undetermined[0]['reason']
    assert 'view-full-other-user-info' in prune.undetermined_warning(result)
    assert api.calls == [('users.info', 'bot')], 'the refusal is cached too'


def test_an_undetermined_keep_selector_keeps_the_hook_in_exclusive_mode():
    docs = [out('a'), out('b')]
    result = plan(docs, LookupApi(refuse_history=True), exclusive=True, keep=[{'failing': 3, 'name': 'a'}])
    assert [doc['_id'] for doc in result.remove] == ['b'] and [item['id'] for item in result.undetermined] == ['a']


def test_channels_gone_rooms_and_users_and_never_an_all_rooms_hook():
    docs = [integration_doc('in1', 'to-gone-room', channel=['#general', '#deleted']),
            integration_doc('in2', 'to-gone-user', channel=['@left']),
            integration_doc('in3', 'fine', channel=['#general']), out('scoped', channel=[])]
    api = LookupApi(users={'rocket.cat': True}, rooms={'general'})
    result = plan(docs, api, remove=[{'channel_exists': False}])
    assert [doc['_id'] for doc in result.remove] == ['in1', 'in2']
    assert result.selected_by['in1'] == 'remove[0]: channel #deleted gone'
    assert sorted(set(api.calls)) == sorted(api.calls), 'each room and user once'


def test_an_own_only_token_gets_no_history_verdict_for_others_hooks():
    api = LookupApi()
    reader = FactReader(api, {'webhook-incoming': 'own', 'webhook-outgoing': 'own'}, 'caller', 1)
    assert isinstance(reader.history(out('theirs')), Unknown) and api.calls == []


def test_an_incoming_entry_with_a_delivery_key_is_refused():
    with pytest.raises(InvalidInput, match=r'remove\[0\].failing applies to outgoing integrations only'):
        prune.parse_input({'keep': [], 'remove': [{'type': 'webhook-incoming', 'failing': 3}], 'exclusive': False,
                           'types': ['webhook-incoming', 'webhook-outgoing'], 'scope_name_regex': None,
                           'max_removals': 10})


def test_no_fact_selector_means_no_reader_and_no_lookups():
    assert prune.fact_reader(LookupApi(), ALL, [prune.Selector({'name': 'x'}, 'remove[0]')]) is None


def test_the_info_facts_and_health():
    api = LookupApi(users={'bot': True, 'uid-1': False}, rooms={'general'},
                    histories={'a': [OK, HTTP_500, HTTP_500]})
    facts = facts_of(out('a'), FactReader(api, ALL, 'caller', 10))
    assert facts['creator_active'] is False and facts['post_as_active'] is True and facts['missing_channels'] == []
    assert facts['failing_streak'] == 2 and facts['last_delivery']['outcome'] == 'failed'
    assert health(facts) == 'creator-inactive,failing-2'


@pytest.mark.parametrize('parallel', [1, 4])
def test_deferred_lookups_on_workers_make_the_same_calls_and_plan_as_a_sequential_reader(parallel):
    """plan_prune's passes reach a lookup only where a sequential evaluation would: the same calls (as a set: once
    each), the same plan, whatever parallel is."""
    docs = []
    for index in range(30):
        doc = out('h%02d' % index, enabled=index % 3 != 0, channel=['#room-%d' % (index % 4), '@user-%d' % (index % 5)])
        doc['_createdBy'] = {'_id': 'creator-%d' % (index % 6), 'username': 'creator-%d' % (index % 6)}
        docs.append(doc)
    users = {'bot': True, 'creator-0': False, 'creator-1': True, 'creator-2': False, 'user-0': True, 'user-1': True}
    histories = {'h%02d' % index: [HTTP_500] * (index % 4) for index in range(30)}
    selectors = dict(remove=[{'enabled': False, 'creator_active': False}, {'channel_exists': False, 'failing': 2}],
                     keep=[{'name_regex': '^h0', 'post_as_active': True}], exclusive=False, max_removals=100)
    sequential_api = LookupApi(users=users, rooms=['room-0', 'room-1'], histories=histories)
    params = dict({'keep': [], 'remove': [], 'exclusive': False, 'types': ['webhook-incoming', 'webhook-outgoing'],
                   'scope_name_regex': None, 'max_removals': 10}, **selectors)
    keep, remove, scope = prune.parse_input(params)
    reader = FactReader(sequential_api, ALL, 'caller', 2)  # undeferred: each lookup when the evaluation reaches it
    expected = prune.plan_prune(docs, ALL, params, keep, remove, scope, reader)
    deferred_api = LookupApi(users=users, rooms=['room-0', 'room-1'], histories=histories)
    got = plan(docs, deferred_api, parallel=parallel, **selectors)
    assert [doc['_id'] for doc in got.remove] == [doc['_id'] for doc in expected.remove] != []
    assert got.selected_by == expected.selected_by and got.undetermined == expected.undetermined
    assert sorted(deferred_api.calls) == sorted(sequential_api.calls)
    assert len(set(deferred_api.calls)) == len(deferred_api.calls), 'each lookup once'
