# Copyright (c) 2026 chatops.rocketchat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""rocketchat_integration_info with the HTTP layer scripted."""

from __future__ import annotations

import pytest

from ansible_collections.chatops.rocketchat.plugins.modules import rocketchat_integration_info
from ansible_collections.chatops.rocketchat.tests.unit.plugins.fakes import (
    CONNECTION,
    FakeResponse,
    integration_doc,
    list_handler,
)

OUTGOING = 'webhook-outgoing'


@pytest.fixture
def server(fake_api):
    docs = [integration_doc('in1', 'alerts'), integration_doc('in2', 'Alerts-old'),
            integration_doc('out1', 'alerts', OUTGOING)]
    fake_api.on('GET', 'integrations.list', list_handler(docs))
    return fake_api


def test_info_filters_exactly_and_redacts(server, run_module):
    result, failed = run_module(rocketchat_integration_info, dict(CONNECTION, name='alerts'))
    assert not failed and result['changed'] is False
    assert sorted(doc['_id'] for doc in result['integrations']) == ['in1', 'out1']
    assert all(doc.get('token') in (None, '********') for doc in result['integrations'])
    assert result['view'] == {'webhook-incoming': 'all', 'webhook-outgoing': 'all'}
    typed, failed = run_module(rocketchat_integration_info, dict(CONNECTION, type=OUTGOING))
    assert [doc['_id'] for doc in typed['integrations']] == ['out1']


def test_info_by_id(server, run_module):
    server.on('GET', 'integrations.get', lambda call: FakeResponse(body={
        'integration': integration_doc('in1', 'alerts'), 'success': True}))
    result, failed = run_module(rocketchat_integration_info, dict(CONNECTION, integration_id='in1'))
    assert not failed and [doc['_id'] for doc in result['integrations']] == ['in1']


def test_info_sends_no_write(server, run_module):
    result, failed = run_module(rocketchat_integration_info, dict(CONNECTION), check_mode=True)
    assert not failed and len(result['integrations']) == 3
    assert [call for call in server.calls if call['method'] != 'GET'] == []


def test_info_by_unknown_id_is_empty_not_a_failure(server, run_module):
    server.on('GET', 'integrations.get', lambda call: FakeResponse(400, {
        'success': False, 'error': 'The integration does not exists.'}))
    result, failed = run_module(rocketchat_integration_info, dict(CONNECTION, integration_id='nope'))
    assert not failed and result['integrations'] == []


def test_info_bad_connection_fails_before_any_request(fake_api, run_module):
    result, failed = run_module(rocketchat_integration_info, dict(CONNECTION, server_url='chat.example.com'))
    assert failed and 'server_url' in result['msg'] and fake_api.calls == []


@pytest.mark.parametrize('filters, ids', [
    ({'channel': '#ops'}, ['in2']),
    ({'created_by': 'alice'}, ['out1']),
    ({'enabled': False}, ['in2']),
    ({'target_url': 'https://hooks.example.com/out1'}, ['out1']),
    ({'type': 'webhook-incoming', 'enabled': True}, ['in1']),
])
def test_info_filters_on_the_client(server, run_module, filters, ids):
    server.docs = None
    docs = [integration_doc('in1', 'alerts'), integration_doc('in2', 'Alerts-old', channel=['#ops'], enabled=False),
            integration_doc('out1', 'alerts', OUTGOING, _createdBy={'_id': 'u2', 'username': 'alice'})]
    server.on('GET', 'integrations.list', list_handler(docs))
    result, failed = run_module(rocketchat_integration_info, dict(CONNECTION, **filters))
    assert not failed and [doc['_id'] for doc in result['integrations']] == ids


def test_info_compact_gives_a_count_a_header_and_one_line_each(server, run_module):
    result, failed = run_module(rocketchat_integration_info, dict(CONNECTION, type=OUTGOING, compact=True))
    assert not failed and 'integrations' not in result
    assert result['lines'][0].startswith('1 integrations, 0 disabled.')
    assert result['lines'][1].split() == ['ENABLED', 'CREATED', 'BY', 'TYPE', 'ID', 'NAME']
    assert result['lines'][2].split() == ['yes', '?', 'admin', 'outgoing', 'out1', 'alerts']


def test_idle_days_beyond_the_history_rocket_chat_keeps_is_refused(server, run_module):
    result, failed = run_module(rocketchat_integration_info, dict(CONNECTION, facts=True, idle_days=30))
    assert failed and result['msg'].startswith('idle_days must be from 1 to 29 (Rocket.Chat keeps 30 days')
