# Copyright (c) 2026 chatops.rocketchat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""rocketchat_integration with the HTTP layer scripted."""

from __future__ import annotations

import json

import pytest
from ansible.module_utils import basic

from ansible_collections.chatops.rocketchat.plugins.modules import rocketchat_integration
from ansible_collections.chatops.rocketchat.tests.unit.plugins.fakes import (
    CONNECTION,
    FakeResponse,
    integration_doc,
    list_handler,
)

INCOMING = 'webhook-incoming'
OUTGOING = 'webhook-outgoing'


def writes(fake_api):
    return [call for call in fake_api.calls if call['method'] in ('POST', 'PUT') and call['endpoint'] != 'logout']


def removed_ok(call):
    return FakeResponse(body={'integration': {'_id': call['json']['integrationId']}, 'success': True})


@pytest.fixture
def server(fake_api):
    docs = [integration_doc('in1', 'alerts'), integration_doc('in2', 'Alerts-old'),
            integration_doc('out1', 'alerts', OUTGOING), integration_doc('in3', 'twin'),
            integration_doc('in4', 'twin')]
    fake_api.on('GET', 'integrations.list', list_handler(docs))
    fake_api.on('POST', 'integrations.remove', removed_ok)
    fake_api.docs = docs
    return fake_api


def test_absent_by_exact_name_removes_only_that_one(server, run_module):
    result, failed = run_module(rocketchat_integration, dict(CONNECTION, type=INCOMING, name='alerts', state='absent'))
    assert not failed and result['changed'] is True
    assert [call['json'] for call in writes(server)] == [{'type': INCOMING, 'integrationId': 'in1'}]
    assert result['integration']['token'] == '********'


def test_absent_when_missing_is_unchanged_and_sends_no_write(server, run_module):
    result, failed = run_module(rocketchat_integration, dict(CONNECTION, type=INCOMING, name='ALERTS', state='absent'))
    assert not failed and result['changed'] is False and result['integration'] == {}
    assert writes(server) == []


def test_absent_gone_between_read_and_remove_is_unchanged(server, run_module):
    server.script('POST', 'integrations.remove', FakeResponse(400, {'success': False, 'error': 'No integration found.'}))
    result, failed = run_module(rocketchat_integration, dict(CONNECTION, type=INCOMING, name='alerts', state='absent'))
    assert not failed and result['changed'] is False


def test_absent_check_mode_sends_no_write_and_shows_diff(server, run_module):
    result, failed = run_module(rocketchat_integration, dict(CONNECTION, type=INCOMING, name='alerts', state='absent'),
                                check_mode=True, diff=True)
    assert not failed and result['changed'] is True
    assert writes(server) == []
    assert json.loads(result['diff']['after']) == {} and json.loads(result['diff']['before'])['name'] == 'alerts'
    assert result['diff']['before_header'] == 'webhook-incoming alerts (in1)'


def test_duplicate_names_fail_listing_ids(server, run_module):
    result, failed = run_module(rocketchat_integration, dict(CONNECTION, type=INCOMING, name='twin', state='absent'))
    assert failed and 'Nothing was changed' in result['msg']
    assert ('in3 (channel #general, created by admin on ?); in4 (channel #general, created by admin on ?)'
            in result['msg']), 'each id with what tells it apart'
    assert writes(server) == []


def test_absent_with_the_wrong_type_warns_naming_the_other_one(server, run_module, monkeypatch):
    warnings = []
    monkeypatch.setattr(basic.AnsibleModule, 'warn', lambda self, warning: warnings.append(warning))
    server.docs[:] = [doc for doc in server.docs if doc['_id'] == 'out1']
    result, failed = run_module(rocketchat_integration, dict(CONNECTION, type=INCOMING, name='alerts', state='absent'))
    assert not failed and not result['changed'] and writes(server) == []
    assert warnings == ["No webhook-incoming integration is named 'alerts', but a webhook-outgoing one is (id out1). It "
                        "was left alone; to remove it, set type: webhook-outgoing (or integration_id: out1 with that "
                        "type)."]


def test_a_create_warns_about_nothing(server, run_module, monkeypatch):
    warnings = []
    monkeypatch.setattr(basic.AnsibleModule, 'warn', lambda self, warning: warnings.append(warning))
    server.on('GET', 'me', lambda call: FakeResponse(body={'_id': 'uid-1', 'roles': ['user'], 'success': True}))
    server.on('POST', 'integrations.create', lambda call: FakeResponse(body={
        'integration': dict(call['json'], _id='new1', channel=['#ops']), 'success': True}))
    result, failed = run_module(rocketchat_integration, dict(
        CONNECTION, type=INCOMING, name='fresh', username='rocket.cat', channel=['#ops']))
    assert not failed and result['changed'] and warnings == []


def test_return_secrets_gives_the_hook_url_only_when_asked(server, run_module):
    server.docs[0]['token'] = 'incoming-hook-token-xyz'
    server.on('GET', 'integrations.get',
              lambda call: FakeResponse(body={'integration': server.docs[0], 'success': True}))
    plain, failed = run_module(rocketchat_integration, dict(CONNECTION, type=INCOMING, name='alerts'))
    assert not failed and 'hook_url' not in plain and 'incoming-hook-token-xyz' not in json.dumps(plain)
    asked, failed = run_module(rocketchat_integration, dict(CONNECTION, type=INCOMING, name='alerts',
                                                            return_secrets=True), diff=True)
    assert not failed and asked['hook_url'] == 'https://chat.example.com/hooks/in1/incoming-hook-token-xyz'
    assert asked['token'] == 'incoming-hook-token-xyz'
    assert 'incoming-hook-token-xyz' not in json.dumps([asked['integration'], asked.get('diff')])
    checked, failed = run_module(rocketchat_integration, dict(CONNECTION, type=INCOMING, name='alerts',
                                                              return_secrets=True), check_mode=True, diff=True)
    assert not failed and 'incoming-hook-token-xyz' not in json.dumps(checked)


def test_wrong_type_by_id_is_refused(server, run_module):
    server.on('GET', 'integrations.get', lambda call: FakeResponse(body={
        'integration': integration_doc('out1', 'alerts', OUTGOING), 'success': True}))
    result, failed = run_module(rocketchat_integration, dict(CONNECTION, type=INCOMING, integration_id='out1',
                                                             state='absent'))
    assert failed and 'is of type webhook-outgoing, not webhook-incoming' in result['msg']
    assert writes(server) == []


def test_absent_by_unknown_id_is_unchanged(server, run_module):
    server.on('GET', 'integrations.get', lambda call: FakeResponse(400, {
        'success': False, 'error': 'The integration does not exists.'}))
    result, failed = run_module(rocketchat_integration, dict(CONNECTION, type=OUTGOING, integration_id='nope',
                                                             state='absent'))
    assert not failed and result['changed'] is False and writes(server) == []


def test_absent_by_target_url(server, run_module):
    result, failed = run_module(rocketchat_integration, dict(
        CONNECTION, type=OUTGOING, target_url='https://hooks.example.com/out1', state='absent'))
    assert not failed and result['changed']
    assert writes(server)[0]['json'] == {'type': OUTGOING, 'integrationId': 'out1'}


def test_present_creates_with_the_api_shape(server, run_module):
    server.on('POST', 'integrations.create', lambda call: FakeResponse(body={
        'integration': dict(call['json'], _id='new1', channel=call['json']['channel'].split(','), token='tok-new'),
        'success': True}))
    result, failed = run_module(rocketchat_integration, dict(
        CONNECTION, type=INCOMING, name='brand-new', username='rocket.cat', channel=['#ops', '#general']))
    assert not failed and result['changed']
    assert writes(server)[0]['json'] == {'type': INCOMING, 'name': 'brand-new', 'username': 'rocket.cat',
                                         'channel': '#general,#ops', 'enabled': True, 'scriptEnabled': False,
                                         'overrideDestinationChannelEnabled': False}
    assert result['integration']['token'] == '********'


def test_present_create_without_required_fields_fails_naming_them(server, run_module):
    result, failed = run_module(rocketchat_integration, dict(CONNECTION, type=OUTGOING, name='brand-new'))
    assert failed and 'username, channel, event, urls' in result['msg']
    assert writes(server) == []


def test_present_unchanged_when_only_order_differs(server, run_module):
    server.docs[0]['channel'] = ['#ops', '#general']
    result, failed = run_module(rocketchat_integration, dict(
        CONNECTION, type=INCOMING, name='alerts', username='rocket.cat', channel=['#general', '#ops']))
    assert not failed and result['changed'] is False and writes(server) == []


def test_present_update_sends_full_body_and_diff(server, run_module):
    server.on('PUT', 'integrations.update', lambda call: FakeResponse(body={
        'integration': dict(server.docs[0], alias=call['json']['alias']), 'success': True}))
    result, failed = run_module(rocketchat_integration, dict(
        CONNECTION, type=INCOMING, name='alerts', alias='Alerts bot'), diff=True)
    assert not failed and result['changed'] and result['changed_fields'] == ['alias']
    body = writes(server)[0]['json']
    assert body == {'type': INCOMING, 'integrationId': 'in1', 'name': 'alerts', 'enabled': True,
                    'username': 'rocket.cat', 'channel': '#general', 'scriptEnabled': False,
                    'overrideDestinationChannelEnabled': False, 'alias': 'Alerts bot'}
    before = {'name': 'alerts', 'enabled': True, 'username': 'rocket.cat', 'channel': ['#general'],
              'scriptEnabled': False, 'overrideDestinationChannelEnabled': False}
    assert json.loads(result['diff']['before']) == before
    assert json.loads(result['diff']['after']) == dict(before, alias='Alerts bot')


def test_present_check_mode_predicts_without_writing(server, run_module):
    result, failed = run_module(rocketchat_integration, dict(CONNECTION, type=INCOMING, name='alerts', enabled=False),
                                check_mode=True, diff=True)
    assert not failed and result['changed'] and result['integration']['enabled'] is False
    assert writes(server) == []


def test_outgoing_token_is_compared_and_never_shown(server, run_module):
    server.docs[2]['token'] = 'old-outgoing-token'
    server.on('PUT', 'integrations.update', lambda call: FakeResponse(body={
        'integration': dict(server.docs[2], token=call['json']['token']), 'success': True}))
    same, failed = run_module(rocketchat_integration, dict(CONNECTION, type=OUTGOING, name='alerts',
                                                           token='old-outgoing-token'))
    assert not failed and same['changed'] is False
    rotated, failed = run_module(rocketchat_integration, dict(CONNECTION, type=OUTGOING, name='alerts',
                                                              token='new-outgoing-token'), diff=True)
    assert not failed and rotated['changed'] and rotated['changed_fields'] == ['token']
    assert writes(server)[0]['json']['token'] == 'new-outgoing-token'
    shown = json.dumps(rotated)
    assert 'new-outgoing-token' not in shown and 'old-outgoing-token' not in shown
    assert json.loads(rotated['diff']['after'])['token'] == '******** (changed)'


def test_update_token_on_create_keeps_the_stored_one(server, run_module):
    server.docs[2]['token'] = 'old-outgoing-token'
    result, failed = run_module(rocketchat_integration, dict(CONNECTION, type=OUTGOING, name='alerts',
                                                             token='other', update_token='on_create'))
    assert not failed and result['changed'] is False


@pytest.mark.parametrize('server_stores_it', [True, False], ids=['7.x', '6.x'])
def test_incoming_username_change_is_an_update_checked_against_the_answer(server, run_module, server_stores_it):
    server.on('PUT', 'integrations.update', lambda call: FakeResponse(body={'integration': dict(
        server.docs[0], username=call['json']['username'] if server_stores_it else 'rocket.cat'), 'success': True}))
    result, failed = run_module(rocketchat_integration, dict(CONNECTION, type=INCOMING, name='alerts', username='bob'))
    assert writes(server)[0]['json']['username'] == 'bob'
    if server_stores_it:
        assert not failed and result['changed'] and result['changed_fields'] == ['username']
    else:
        assert failed and "kept 'rocket.cat'" in result['msg'] and 'Rocket.Chat 7.0 and later' in result['msg']
        assert 'recreate' not in result['msg']


def test_unset_options_are_left_as_the_server_has_them(server, run_module):
    server.docs[0].update(enabled=False, scriptEnabled=True, script='return {}', overrideDestinationChannelEnabled=True)
    server.on('PUT', 'integrations.update', lambda call: FakeResponse(body={
        'integration': dict(server.docs[0], alias=call['json']['alias']), 'success': True}))
    result, failed = run_module(rocketchat_integration, dict(CONNECTION, type=INCOMING, name='alerts', alias='new'))
    assert not failed and result['changed_fields'] == ['alias']
    body = writes(server)[0]['json']
    assert (body['enabled'], body['scriptEnabled'], body['script'], body['overrideDestinationChannelEnabled']) == (
        False, True, 'return {}', True)


def test_outgoing_create_without_token_is_refused_before_any_write(server, run_module):
    args = dict(CONNECTION, type=OUTGOING, name='new-out', username='rocket.cat', channel=['#ops'],
                event='sendMessage', urls=['https://x.example.com'])
    for check_mode in (True, False):
        result, failed = run_module(rocketchat_integration, args, check_mode=check_mode)
        assert failed and 'needs a token' in result['msg'] and 'openssl rand' in result['msg']
    assert writes(server) == []


def test_outgoing_comparison_follows_the_servers_normalisation(server, run_module):
    server.docs[2].update(event='roomCreated', channel=[], token='t0ken-value', retryFailedCalls=True, retryCount=4,
                          retryDelay='powers-of-ten')
    result, failed = run_module(rocketchat_integration, dict(
        CONNECTION, type=OUTGOING, name='alerts', event='roomCreated', channel=['#general'], retry_failed_calls=True,
        retry_count=0))
    assert not failed and result['changed'] is False, result
    assert writes(server) == []


def test_script_without_script_enabled_warns_on_create(server, run_module, monkeypatch):
    warnings = []
    monkeypatch.setattr(basic.AnsibleModule, 'warn', lambda self, warning: warnings.append(warning))
    server.on('POST', 'integrations.create', lambda call: FakeResponse(body={
        'integration': dict(call['json'], _id='new1', channel=['#ops']), 'success': True}))
    result, failed = run_module(rocketchat_integration, dict(
        CONNECTION, type=INCOMING, name='scripted', username='rocket.cat', channel=['#ops'], script='return {}'))
    assert not failed and writes(server)[0]['json']['scriptEnabled'] is False
    assert warnings == ["script is set but script_enabled is not: the new integration 'scripted' is created with its "
                        "script disabled. Set script_enabled: true to run it."]


@pytest.mark.parametrize('args, words', [
    ({'type': OUTGOING, 'name': 'x', 'event': 'messageEdited'}, 'value of event must be one of'),
    ({'type': OUTGOING, 'name': 'x', 'event': 'fileUploaded', 'trigger_words': ['!go']},
     'trigger_words apply only to event sendMessage'),
    ({'type': OUTGOING, 'name': 'x', 'retry_delay': 'Powers-Of-Two'}, 'value of retry_delay must be one of'),
    ({'type': INCOMING, 'name': 'x', 'channel': ['all_public_channels']}, 'channel items start with #'),
    ({'type': INCOMING, 'name': 'x', 'target_url': 'http://x'}, 'target_url apply only to webhook-outgoing'),
    ({'type': INCOMING, 'name': 'x', 'urls': ['http://x']}, 'urls apply only to webhook-outgoing'),
    ({'type': OUTGOING, 'name': 'x', 'override_destination_channel_enabled': True},
     'override_destination_channel_enabled apply only to webhook-incoming'),
    ({'type': INCOMING}, 'Select the integration with integration_id, name'),
    ({'type': INCOMING, 'name': '  '}, 'name is empty'),
    ({'type': INCOMING, 'name': 'x', 'channel': ['general']}, 'channel items start with #'),
    ({'type': INCOMING, 'name': 'x', 'channel': ['#ok', '']}, 'channel contains an empty item'),
])
def test_bad_input_fails_before_any_request(fake_api, run_module, args, words):
    result, failed = run_module(rocketchat_integration, dict(CONNECTION, **args))
    assert failed and words in result['msg']
    assert fake_api.calls == []


@pytest.mark.parametrize('connection, words', [
    ({'server_url': 'https://x'}, 'No credentials were given'),
    (dict(CONNECTION, login_user='a', login_password='b'), 'Both credential pairs are set'),
    ({'server_url': 'https://x', 'user_id': 'u'}, 'user_id and auth_token go together'),
    (dict(CONNECTION, server_url='chat.example.com'), 'not an http(s) URL'),
    (dict(CONNECTION, server_url=''), 'server_url is empty'),
])
def test_connection_problems_fail_before_any_request(fake_api, run_module, monkeypatch, connection, words):
    for name in ('ROCKETCHAT_URL', 'ROCKETCHAT_USER_ID', 'ROCKETCHAT_AUTH_TOKEN', 'ROCKETCHAT_USERNAME',
                 'ROCKETCHAT_PASSWORD'):
        monkeypatch.delenv(name, raising=False)
    result, failed = run_module(rocketchat_integration, dict(connection, type=INCOMING, name='x'))
    assert failed and words in result['msg']
    assert 'ROCKETCHAT_' in result['msg'] or 'server_url' in result['msg']
    assert fake_api.calls == []


def test_environment_supplies_the_connection(server, run_module, monkeypatch):
    monkeypatch.setenv('ROCKETCHAT_URL', 'https://env.example.com')
    monkeypatch.setenv('ROCKETCHAT_USER_ID', 'env-user')
    monkeypatch.setenv('ROCKETCHAT_AUTH_TOKEN', 'env-token-value')
    result, failed = run_module(rocketchat_integration, {'type': INCOMING, 'name': 'alerts', 'state': 'absent'})
    assert not failed and result['changed']
    assert server.calls[0]['url'].startswith('https://env.example.com/api/v1/')
    assert server.calls[0]['headers']['X-User-Id'] == 'env-user'


def test_api_errors_become_one_sentence_with_redacted_body(fake_api, run_module):
    fake_api.on('GET', 'integrations.list', lambda call: FakeResponse(401, {
        'success': False, 'error': 'You must be logged in to do this.', 'token': 'secret-auth-token-123'}))
    result, failed = run_module(rocketchat_integration, dict(CONNECTION, type=INCOMING, name='x'))
    assert failed and result['status'] == 401
    assert 'secret-auth-token-123' not in json.dumps(result)


def test_the_diff_keeps_unicode_as_written_and_names_the_hook(server, run_module):
    server.docs[0]['name'] = 'Überwachung 🚀'
    result, failed = run_module(rocketchat_integration, dict(CONNECTION, type=INCOMING, name='Überwachung 🚀',
                                                             alias='Alarm'), check_mode=True, diff=True)
    assert not failed and result['changed']
    assert '"name": "Überwachung 🚀"' in result['diff']['after']
    assert result['diff']['before_header'] == result['diff']['after_header'] == 'webhook-incoming Überwachung 🚀 (in1)'
