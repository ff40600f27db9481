# Copyright (c) 2026 chatops.rocketchat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The pure functions of _integration.py: field mapping, comparison, request bodies, views."""

from __future__ import annotations

import pytest

from ansible_collections.chatops.rocketchat.plugins.module_utils._integration import (
    INCOMING,
    OUTGOING,
    as_server_stores,
    changed_field_names,
    desired_fields,
    Integration,
    exact_name_matches,
    listed,
    identity,
    managed_state,
    merged_state,
    partial_view_types,
    request_body,
)


def test_managed_state_keeps_managed_fields_and_sorts_unordered_lists():
    doc = {'_id': 'x', 'type': OUTGOING, 'name': 'n', 'urls': ['b', 'a'], 'channel': ['#z', '#a'], 'token': 't',
           '_createdAt': '2026-01-01', 'scriptCompiled': 'code', 'alias': None}
    assert managed_state(doc) == {'name': 'n', 'urls': ['a', 'b'], 'channel': ['#a', '#z'], 'token': 't'}


def test_managed_state_of_incoming_has_no_outgoing_fields():
    doc = {'type': INCOMING, 'name': 'n', 'event': 'sendMessage', 'overrideDestinationChannelEnabled': True}
    assert managed_state(doc) == {'name': 'n', 'overrideDestinationChannelEnabled': True}


def test_desired_fields_only_from_options_given():
    params = {'name': 'n', 'channel': ['#b', '#a'], 'alias': None, 'event': 'sendMessage', 'trigger_words': None}
    assert desired_fields(OUTGOING, params) == {'name': 'n', 'channel': ['#a', '#b'], 'event': 'sendMessage'}
    assert desired_fields(INCOMING, params) == {'name': 'n', 'channel': ['#a', '#b']}


def test_merged_state_and_changed_field_names():
    before = {'name': 'n', 'alias': 'old', 'enabled': True}
    after = merged_state(before, {'alias': 'new', 'emoji': ':x:'})
    assert after == {'name': 'n', 'alias': 'new', 'enabled': True, 'emoji': ':x:'}
    assert before == {'name': 'n', 'alias': 'old', 'enabled': True}, 'the input is not changed'
    assert changed_field_names(before, after) == ['alias', 'emoji']
    assert changed_field_names(after, after) == []


def test_request_body_for_create_joins_channels_and_fills_required_booleans():
    body = request_body(INCOMING, {'name': 'n', 'channel': ['#a', '@b'], 'username': 'rocket.cat'})
    assert body == {'type': INCOMING, 'name': 'n', 'channel': '#a,@b', 'username': 'rocket.cat', 'enabled': True,
                    'scriptEnabled': False, 'overrideDestinationChannelEnabled': False}


def test_request_body_for_an_update_adds_no_defaults():
    body = request_body(INCOMING, {'name': 'n', 'channel': ['#a'], 'username': 'bob', 'enabled': False}, 'id1')
    assert body == {'type': INCOMING, 'integrationId': 'id1', 'name': 'n', 'channel': '#a', 'username': 'bob',
                    'enabled': False}


@pytest.mark.parametrize('after, before, stored', [
    ({'event': 'roomCreated', 'channel': ['#a']}, {}, {'event': 'roomCreated', 'channel': []}),
    ({'event': 'fileUploaded', 'triggerWords': ['!x']}, {}, {'event': 'fileUploaded'}),
    ({'event': 'fileUploaded', 'triggerWords': ['!x']}, {'triggerWords': ['!old']},
     {'event': 'fileUploaded', 'triggerWords': ['!old']}),
    ({'event': 'sendMessage', 'triggerWords': ['!x']}, {}, {'event': 'sendMessage', 'triggerWords': ['!x']}),
    ({'retryFailedCalls': True, 'retryCount': 0}, {}, {'retryFailedCalls': True, 'retryCount': 4,
                                                       'retryDelay': 'powers-of-ten'}),
    ({'retryFailedCalls': False, 'retryCount': 0}, {}, {'retryFailedCalls': False, 'retryCount': 0}),
])
def test_as_server_stores_outgoing(after, before, stored):
    assert as_server_stores(OUTGOING, after, before) == stored


def test_as_server_stores_leaves_incoming_alone():
    state = {'channel': ['#a'], 'triggerWords': ['x']}
    assert as_server_stores(INCOMING, state, {}) == state


def test_exact_name_matches_is_case_sensitive_and_typed():
    docs = [Integration.from_api(doc) for doc in (
        {'_id': '1', 'name': 'alerts', 'type': INCOMING}, {'_id': '2', 'name': 'Alerts', 'type': INCOMING},
        {'_id': '3', 'name': 'alerts', 'type': OUTGOING}, {'_id': '4', 'name': 'alerts-old', 'type': INCOMING})]
    assert exact_name_matches(docs, 'alerts', INCOMING) == [docs[0]]
    assert exact_name_matches(docs, 'alerts', None) == [docs[0], docs[2]]


def test_identity():
    doc = Integration.from_api({'_id': 'x', 'name': 'n', 'type': INCOMING, 'token': 't'})
    assert identity(doc) == {'id': 'x', 'name': 'n', 'type': INCOMING}


def test_an_integration_record_is_typed_read_only_and_keeps_its_token_out_of_its_repr():
    raw = {'_id': 'x', 'name': 'n', 'type': OUTGOING, 'token': 'secret-token-1', 'enabled': False,
           '_createdBy': {'_id': 'u1', 'username': 'ann'}, '_updatedBy': {'username': 'bot'}, 'userId': 'u2',
           'username': 'rocket.cat', 'channel': ['#b', '#a'], 'urls': ['https://x'], '_createdAt': '2026-01-01',
           '_updatedAt': '2026-02-01'}
    doc = Integration.from_api(raw)
    assert (doc.id, doc.type, doc.name, doc.enabled, doc.created_by, doc.created_by_id, doc.updated_by,
            doc.user_id, doc.username, doc.channel, doc.urls, doc.created_at, doc.updated_at, doc.token) == (
        'x', OUTGOING, 'n', False, 'ann', 'u1', 'bot', 'u2', 'rocket.cat', ('#b', '#a'), ('https://x',),
        '2026-01-01', '2026-02-01', 'secret-token-1')
    assert doc.managed['channel'] == ['#a', '#b'] and 'secret-token-1' not in repr(doc)
    raw['name'] = 'changed later'
    assert doc.name == 'n' and doc.as_dict()['name'] == 'n', 'the record is a copy of what was read'
    with pytest.raises(TypeError):
        doc.stored['name'] = 'x'  # type: ignore[index]
    with pytest.raises(AttributeError):
        doc.name = 'x'  # type: ignore[misc]
    missing = Integration.from_api({'_id': 'y', 'type': INCOMING, 'enabled': 'yes', '_createdBy': None,
                                    '_createdAt': {'$date': 1764979200000}})
    assert (missing.name, missing.enabled, missing.created_by, missing.channel) == (None, None, None, ())
    assert missing.created_at == '2025-12-06T00:00:00Z', 'an older server\'s {"$date": ms} as ISO'


@pytest.mark.parametrize('view, types, partial', [
    ({INCOMING: 'all', OUTGOING: 'all'}, [INCOMING, OUTGOING], []),
    ({INCOMING: 'all', OUTGOING: 'own'}, [INCOMING, OUTGOING], [OUTGOING]),
    ({INCOMING: 'all', OUTGOING: 'own'}, [INCOMING], []),
    ({INCOMING: 'none', OUTGOING: 'unknown'}, [OUTGOING, INCOMING], [INCOMING, OUTGOING]),
    ({}, [INCOMING], [INCOMING]),
])
def test_partial_view_types(view, types, partial):
    assert partial_view_types(view, types) == partial


def test_listed_gives_up_to_the_limit_then_how_many_more():
    assert listed(['a', 'b'], 3) == 'a, b'
    assert listed(['a', 'b', 'c', 'd'], 2) == 'a, b and 2 more'
    assert listed(['a', 'b', 'c'], 2, ' (see planned)') == 'a, b and 1 more (see planned)'
    assert listed([], 2) == ''
