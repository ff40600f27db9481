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
    HEALTH_KINDS,
    FactReader,
    Unknown,
    facts_of,
    health,
    kind_of,
    parse_moment,
)
from ansible_collections.chatops.rocketchat.tests.unit.plugins.fakes import integration

ALL = {'webhook-incoming': 'all', 'webhook-outgoing': 'all'}
NOW = datetime.datetime(2026, 6, 1, tzinfo=datetime.timezone.utc)
# rows as Rocket.Chat writes them (test_deliveries.py has the table); each history gets its own ids and messages
OK = {'step': 'after-http-call', 'httpResult': '"ok"', '_createdAt': '2026-05-20T00:00:00Z'}
HTTP_500 = {'step': 'after-process-http-status-500', 'httpResult': '"boom"', 'error': True,
            '_createdAt': '2026-05-21T00:00:00Z'}
TIMEOUT = {'step': 'after-http-call', 'httpError': {'name': 'AbortError', 'type': 'aborted'}, 'httpResult': 'null',
           '_createdAt': '2026-05-22T00:00:00Z'}
EMPTY_204 = {'step': 'failed-and-not-configured-to-retry', 'httpResult': '""', 'error': True,
             '_createdAt': '2026-05-23T00:00:00Z'}


def rows_of(history):
    """Oldest first in the tests, one message each, as distinct rows."""
    return [dict(row, _id='row-%d' % index, data={'message_id': 'msg-%d' % index}) for index, row in enumerate(history)]


class LookupApi:
    """users.info, rooms.info and integrations.history answers, and the calls made."""

    def __init__(self, users=None, rooms=(), histories=None, refuse_users=False, refuse_history=False,
                 room_answers=None, names=None):
        self.users = users or {}
        self.names = names or {}  # user key -> username, where it differs from the key
        self.rooms = set(rooms)
        self.room_answers = room_answers or {}  # room name or id -> an error type rooms.info answers
        self.histories = {key: rows_of(rows) for key, rows in (histories or {}).items()}
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
        return {'active': self.users[user_id or username],
                'username': self.names.get(user_id or username, user_id or username)}

    def room_info(self, room_name=None, room_id=None):
        self.calls.append(('rooms.info', ('name', room_name) if room_name else ('id', room_id)))
        answer = self.room_answers.get(room_name or room_id)
        if answer == 'not-allowed':
            raise RocketChatError('no access', status=400, error_text='not-allowed', error_type='Not Allowed')
        if answer:
            raise RocketChatError('refused', status=400, error_type=answer)
        if (room_name or room_id) not in self.rooms:
            raise RocketChatError('no room', status=400, error_type='error-room-not-found')
        return {'name': room_name}

    def history(self, integration_id, count, offset=0):
        self.calls.append(('integrations.history', integration_id))
        if self.refuse_history:
            raise RocketChatError('denied', status=403, error_text='unauthorized')
        rows = list(reversed(self.histories.get(integration_id, [])))  # newest first, as the server sorts
        return {'history': rows[offset:offset + min(count, 100)], 'total': len(rows)}


def out(_id, name=None, **extra):
    fields = dict({'userId': 'bot', '_createdAt': '2026-01-01T00:00:00Z'}, **extra)
    return integration(_id, name or _id, 'webhook-outgoing', **fields)


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


def test_disabled_and_deactivated_creator_and_each_lookup_once():
    gone = {'_id': 'gone-user', 'username': 'alice'}
    docs = [out('a', enabled=False, _createdBy=gone), out('b', enabled=False, _createdBy=gone), out('c', _createdBy=gone)]
    api = LookupApi(users={'bot': True})
    result = plan(docs, api, remove=[{'enabled': False, 'creator_active': False}])
    assert [doc.id for doc in result.remove] == ['a', 'b']
    assert result.selected_by['a'] == 'remove[0]: disabled, creator gone'
    assert api.calls == [('users.info', 'gone-user')], 'one lookup, and none for the enabled hook'


def test_failing_needs_n_failed_deliveries_and_at_least_n():
    docs = [out('all-failed'), out('one-ok'), out('too-few'), out('pending')]
    api = LookupApi(histories={'all-failed': [OK, HTTP_500, TIMEOUT, HTTP_500], 'one-ok': [HTTP_500, OK, TIMEOUT],
                               'too-few': [HTTP_500], 'pending': [HTTP_500, HTTP_500, {'step': 'pre-http-call'}]})
    result = plan(docs, api, remove=[{'failing': 2}])
    assert [doc.id for doc in result.remove] == ['all-failed']
    assert result.selected_by['all-failed'] == 'remove[0]: last 2 deliveries failed'
    assert [call[0] for call in api.calls] == ['integrations.history'] * 4


def days_ago(days):
    return (datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=days)).isoformat()


def test_idle_since_counts_a_hook_with_no_delivery_only_when_it_is_older():
    docs = [out('old-silent'), out('new-silent', _createdAt=days_ago(2)), out('recent'), out('stale')]
    api = LookupApi(histories={'recent': [dict(OK, _createdAt=days_ago(1))], 'stale': [dict(OK, _createdAt=days_ago(20))]})
    result = plan(docs, api, remove=[{'idle_since': '14d'}])
    assert [doc.id for doc in result.remove] == ['old-silent', 'stale']
    assert result.selected_by['stale'].startswith('remove[0]: no delivery since ')


def test_a_token_that_cannot_read_users_removes_nothing_and_says_why():
    docs = [out('a', enabled=False), out('b')]
    api = LookupApi(refuse_users=True)
    result = plan(docs, api, remove=[{'post_as_active': False}])
    assert result.remove == [] and [item['id'] for item in result.undetermined] == ['a', 'b']
    # an outgoing hook posts as the user its username names (triggerHandler); its stored userId is read first, as the
    # creator's lookup is (one users.info per distinct user)
    assert 'users.info for id bot answered HTTP 403' in result.undetermined[0]['reason']
    assert prune.undetermined_warning(result) == (
        '2 integration(s) were kept, not removed, because a fact their selectors need could not be established (see '
        "undetermined). Grant the token's user the permission view-full-other-user-info (it reads post-as user "
        'rocket.cat) - users.info for id bot answered HTTP 403 (User does not have the permissions required), for a, '
        'b.')
    assert api.calls == [('users.info', 'bot')], 'the refusal is cached too'


def test_the_warning_groups_by_cause_names_users_by_username_and_puts_each_fix_first():
    docs = [out('a', _createdBy={'_id': 'u-9', 'username': 'alice'}), out('b', channel=['#secret']),
            out('c', channel=['#secret']), out('d')]
    api = LookupApi(refuse_users=True, rooms={'general'}, room_answers={'secret': 'not-allowed'},
                    histories={'d': [{'step': 'pre-http-call'}]})
    result = plan(docs, api, remove=[{'name': 'a', 'creator_active': False}, {'channel_exists': False},
                                     {'name': 'd', 'failing': 1}])
    warning = prune.undetermined_warning(result)
    assert warning.startswith('4 integration(s) were kept, not removed')
    assert ("Grant the token's user the permission view-full-other-user-info (it reads creator alice) - users.info for "
            'id u-9 answered HTTP 403') in warning, 'the creator by username, the fix first'
    assert "Add the token's user to #secret - rooms.info for secret answered not-allowed" in warning
    assert ', for b, c.' in warning, 'one cause, both hooks'
    assert 'Nothing settles 1 yet (a later delivery, or the end of this one, decides)' in warning


def test_an_undetermined_keep_selector_keeps_the_hook_in_exclusive_mode():
    docs = [out('a'), out('b')]
    result = plan(docs, LookupApi(refuse_history=True), exclusive=True, keep=[{'failing': 3, 'name': 'a'}])
    assert [doc.id for doc in result.remove] == ['b'] and [item['id'] for item in result.undetermined] == ['a']


def test_channels_gone_rooms_and_users_and_never_an_all_rooms_hook():
    docs = [integration('in1', 'to-gone-room', channel=['#general', '#deleted']),
            integration('in2', 'to-gone-user', channel=['@left']),
            integration('in3', 'fine', channel=['#general']), out('scoped', channel=[])]
    api = LookupApi(users={'rocket.cat': True}, rooms={'general'})
    result = plan(docs, api, remove=[{'channel_exists': False}])
    assert [doc.id for doc in result.remove] == ['in1', 'in2']
    assert result.selected_by['in1'] == 'remove[0]: channel #deleted gone'
    assert sorted(set(api.calls)) == sorted(api.calls), 'each room and user once'
    # a room not found by name is looked up by id, whatever the id's form
    assert ('rooms.info', ('id', 'deleted')) in api.calls


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
    api = LookupApi(users={'rocket.cat': True, 'uid-1': False}, rooms={'general'},
                    histories={'a': [OK, HTTP_500, HTTP_500]})
    facts = facts_of(out('a'), FactReader(api, ALL, 'caller', 10))
    assert facts['creator_active'] is False and facts['post_as_active'] is True and facts['missing_channels'] == []
    assert facts['failing_streak'] == 2 and facts['last_delivery']['outcome'] == 'failed'
    assert facts['undetermined'] == {} and facts['disabled_by_server'] is False
    assert health(out('a'), facts, NOW) == ['creator inactive', 'failing 2']


@pytest.mark.parametrize('parallel', [1, 4])
def test_deferred_lookups_on_workers_make_the_same_calls_and_plan_as_a_sequential_reader(parallel):
    """plan_prune's passes reach a lookup only where a sequential evaluation would: the same calls (as a set: once
    each), the same plan, whatever parallel is."""
    docs = []
    for index in range(30):
        docs.append(out('h%02d' % index, enabled=index % 3 != 0,
                        channel=['#room-%d' % (index % 4), '@user-%d' % (index % 5)],
                        _createdBy={'_id': 'creator-%d' % (index % 6), 'username': 'creator-%d' % (index % 6)}))
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
    assert [doc.id for doc in got.remove] == [doc.id for doc in expected.remove] != []
    assert got.selected_by == expected.selected_by and got.undetermined == expected.undetermined
    assert sorted(deferred_api.calls) == sorted(sequential_api.calls)
    assert len(set(deferred_api.calls)) == len(deferred_api.calls), 'each lookup once'


def test_info_facts_keep_their_types_when_a_lookup_fails():
    """Unknown is null with the reason beside it: `missing_channels | length > 0` never reads unknown as dead."""
    api = LookupApi(refuse_users=True, refuse_history=True, room_answers={'general': 'not-allowed'})
    facts = facts_of(out('a'), FactReader(api, ALL, 'caller', 10))
    assert facts['creator_active'] is None and facts['post_as_active'] is None
    assert facts['missing_channels'] is None and facts['failing_streak'] is None and facts['last_delivery'] is None
    assert set(facts['undetermined']) == {'creator_active', 'post_as_active', 'missing_channels', 'failing_streak',
                                          'last_delivery'}
    assert 'not-allowed' in facts['undetermined']['missing_channels']


def test_info_says_when_rocket_chat_disabled_a_hook_after_a_410():
    gone = {'step': 'after-process-http-status-410', 'httpResult': '"gone"', 'error': True,
            '_createdAt': '2026-05-25T00:00:00Z'}
    api = LookupApi(users={'rocket.cat': True, 'uid-1': True}, rooms={'general'}, histories={'a': [OK, gone]})
    facts = facts_of(out('a', enabled=False), FactReader(api, ALL, 'caller', 10))
    assert facts['disabled_by_server'] is True and health(out('a', enabled=False), facts, NOW) == [
        'disabled after 410', 'failing 1']


def at(days_before_now):
    return (NOW - datetime.timedelta(days=days_before_now)).isoformat()


@pytest.mark.parametrize('created, history, enabled, expected', [
    (at(400), [], True, ['idle since before 2026-05-03']),  # a year without a delivery is not ok
    (at(5), [], True, ['never delivered']),
    (at(400), [dict(OK, _createdAt=at(20))], True, ['idle since 2026-05-12']),
    (at(400), [dict(OK, _createdAt=at(3))], True, ['ok']),
    (at(400), [], False, ['disabled']),  # a disabled hook delivers nothing: that is not news
    (at(400), [dict(HTTP_500, _createdAt=at(1)), dict(HTTP_500, _createdAt=at(2))], True, ['failing 2']),
])
def test_health_says_what_is_wrong_in_words(created, history, enabled, expected):
    api = LookupApi(users={'rocket.cat': True, 'uid-1': True}, rooms={'general'}, histories={'a': history})
    hook = out('a', enabled=enabled, _createdAt=created)
    reader = FactReader(api, ALL, 'caller', 10, now=NOW)
    assert health(hook, facts_of(hook, reader), NOW) == expected


def test_health_never_reads_an_unknown_as_a_problem_or_as_ok():
    api = LookupApi(users={'rocket.cat': True, 'uid-1': True}, rooms={'general'}, refuse_history=True)
    hook = out('a', _createdAt=at(400))
    words = health(hook, facts_of(hook, FactReader(api, ALL, 'caller', 10, now=NOW)), NOW)
    assert len(words) == 1 and words[0].startswith('undetermined: integrations.history answered')


def test_every_health_word_has_a_kind_and_every_kind_is_written():
    """The info table orders and counts problems by HEALTH_KINDS: health() writes no word outside them, and each kind
    is a word it can write (the two stay in step)."""
    gone = {'step': 'after-process-http-status-410', 'httpResult': '"gone"', 'error': True, '_createdAt': at(2)}
    cases = [  # (users, rooms, history, refuse_history, document fields)
        ({'rocket.cat': False, 'uid-1': False}, (), [dict(HTTP_500, _createdAt=at(1))], False, {}),
        ({'rocket.cat': True, 'uid-1': True}, {'general'}, [], False, {'_createdAt': at(5)}),
        ({'rocket.cat': True, 'uid-1': True}, {'general'}, [], False, {'_createdAt': at(400)}),
        ({'rocket.cat': True, 'uid-1': True}, {'general'}, [dict(OK, _createdAt=at(20))], False, {}),
        ({'rocket.cat': True, 'uid-1': True}, {'general'}, [gone], False, {'enabled': False}),
        ({'rocket.cat': True, 'uid-1': True}, {'general'}, [], False, {'enabled': False}),
        ({'rocket.cat': True, 'uid-1': True}, {'general'}, [], True, {}),
    ]
    written = set()
    for users, rooms, history, refuse, fields in cases:
        api = LookupApi(users=users, rooms=rooms, histories={'a': history}, refuse_history=refuse)
        hook = out('a', **dict({'_createdAt': at(400)}, **fields))
        written.update(health(hook, facts_of(hook, FactReader(api, ALL, 'caller', 10, now=NOW)), NOW))
    assert {kind_of(word) for word in written} == set(HEALTH_KINDS), sorted(written)


@pytest.mark.parametrize('value', [True, False, 'yes', 0, 1001, -2, 2.5, 'three'])
def test_failing_is_a_whole_number_of_deliveries_and_never_a_boolean(value):
    with pytest.raises(InvalidInput, match=r'remove\[0\]\.failing must be'):
        plan([out('a')], LookupApi(), remove=[{'failing': value}])


def test_failing_accepts_a_number_given_as_text_as_templates_render_it():
    api = LookupApi(histories={'a': [HTTP_500, HTTP_500]})
    assert [doc.id for doc in plan([out('a')], api, remove=[{'failing': '2'}]).remove] == ['a']


def test_failing_above_one_page_reads_the_history_page_by_page():
    api = LookupApi(histories={'a': [HTTP_500] * 250, 'b': [HTTP_500] * 100 + [OK] + [HTTP_500] * 149})
    result = plan([out('a'), out('b')], api, remove=[{'failing': 150}])
    assert [doc.id for doc in result.remove] == ['a']
    assert api.calls.count(('integrations.history', 'a')) == 2, 'two pages of 100 hold 150 deliveries'


def test_an_empty_body_among_the_newest_deliveries_leaves_the_hook_undetermined():
    api = LookupApi(histories={'a': [HTTP_500, EMPTY_204, HTTP_500]})
    result = plan([out('a')], api, remove=[{'failing': 3}])
    assert result.remove == [] and [item['id'] for item in result.undetermined] == ['a']
    assert 'empty body' in result.undetermined[0]['reason']


def test_idle_since_older_than_the_history_is_undetermined_not_idle():
    api = LookupApi(histories={})
    result = plan([out('silent')], api, remove=[{'idle_since': '2025-06-01'}])
    assert result.remove == [] and [item['id'] for item in result.undetermined] == ['silent']
    assert 'keeps delivery history 30 days' in result.undetermined[0]['reason']


def test_a_name_that_matches_a_hook_whose_facts_do_not_hold_is_not_already_absent():
    api = LookupApi(users={'rocket.cat': True})
    selectors = [{'name': 'deploy-bot', 'post_as_active': False}, {'name': 'ghost', 'post_as_active': False}]
    result = plan([out('a', name='deploy-bot')], api, remove=selectors)
    assert result.remove == [] and result.already_absent == [{'name': 'ghost', 'post_as_active': False}]


def test_archived_rooms_exist_and_rooms_the_token_cannot_read_are_undetermined_with_the_fix():
    docs = [integration('in1', 'archived', channel=['#old-team']),
            integration('in2', 'private', channel=['#secret']),
            integration('in3', 'by-id', channel=['#GENERAL'])]
    api = LookupApi(rooms={'GENERAL'}, room_answers={'old-team': 'error-room-archived', 'secret': 'not-allowed'})
    result = plan(docs, api, remove=[{'channel_exists': False}])
    assert result.remove == [] and [item['id'] for item in result.undetermined] == ['in2']
    assert "Add the token's user to #secret - rooms.info for secret answered not-allowed" in prune.undetermined_warning(
        result)


def test_a_user_who_creates_and_posts_is_read_once():
    hooks = [out('a', username='deploy-bot', userId='u-1', _createdBy={'_id': 'u-1', 'username': 'deploy-bot'}),
             out('b', username='deploy-bot', userId='u-1', _createdBy={'_id': 'u-2', 'username': 'ann'})]
    api = LookupApi(users={'u-1': True, 'u-2': False}, names={'u-1': 'deploy-bot', 'u-2': 'ann'})
    result = plan(hooks, api, remove=[{'creator_active': False}, {'post_as_active': False}])
    assert [doc.id for doc in result.remove] == ['b']
    assert sorted(api.calls) == [('users.info', 'u-1'), ('users.info', 'u-2')], 'one users.info per distinct user'


def test_an_outgoing_post_as_user_is_found_by_name_ignoring_case_as_rocket_chat_posts():
    renamed = out('a', username='Deploy.Bot', userId='u-1')
    gone = out('b', username='old-bot', userId='u-2')
    api = LookupApi(users={'u-1': True, 'u-2': True}, names={'u-1': 'deploy.bot', 'u-2': 'someone-else'})
    result = plan([renamed, gone], api, remove=[{'post_as_active': False}])
    assert [doc.id for doc in result.remove] == ['b']
    assert result.selected_by['b'] == 'remove[0]: post-as user gone'


def test_an_incoming_post_as_user_is_found_by_its_user_id():
    doc = integration('in1', 'hook', userId='u-1', username='renamed-since')
    api = LookupApi(users={'u-1': False})
    result = plan([doc], api, remove=[{'post_as_active': False}])
    assert [item.id for item in result.remove] == ['in1'] and api.calls == [('users.info', 'u-1')]
