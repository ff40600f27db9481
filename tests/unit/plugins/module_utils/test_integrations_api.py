# Copyright (c) 2026 chatops.rocketchat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The integrations endpoints over a scripted HTTP layer: paging, not-found answers, permission texts, the view."""

from __future__ import annotations

import pytest
import requests

from ansible_collections.chatops.rocketchat.plugins.module_utils._client import RocketChatClient
from ansible_collections.chatops.rocketchat.plugins.module_utils._definition import PresentPlan
from ansible_collections.chatops.rocketchat.plugins.module_utils._errors import RocketChatError
from ansible_collections.chatops.rocketchat.plugins.module_utils._integration import Integration
from ansible_collections.chatops.rocketchat.plugins.module_utils._integrations_api import IntegrationsApi, winners
from ansible_collections.chatops.rocketchat.tests.unit.plugins.fakes import (
    SERVER,
    FakeResponse,
    integration,
    integration_doc,
    list_handler,
)


@pytest.fixture
def api(fake_api):
    del fake_api
    client = RocketChatClient(SERVER + '/chat/', user_id='uid-1', auth_token='secret-auth-token-123',
                              sleep=lambda seconds: None)
    client.authenticate()
    return IntegrationsApi(client)


def test_lists_every_page_and_sends_auth_headers(fake_api, api):
    docs = [integration_doc('id%03d' % index, 'hook-%03d' % index) for index in range(250)]
    fake_api.on('GET', 'integrations.list', list_handler(docs))
    found = api.list_integrations()
    assert [doc.id for doc in found] == [doc['_id'] for doc in docs]
    pages = fake_api.endpoint_calls('GET', 'integrations.list')
    assert [call['params']['offset'] for call in pages] == [0, 100, 200]
    assert all(call['params']['count'] == 100 for call in pages)
    assert pages[0]['url'] == SERVER + '/chat/api/v1/integrations.list', 'a path prefix is kept'
    assert pages[0]['headers']['X-Auth-Token'] == 'secret-auth-token-123'


def test_stops_on_an_empty_page_even_if_total_lies(fake_api, api):
    fake_api.script('GET', 'integrations.list',
                    FakeResponse(body={'integrations': [integration_doc('a', 'a')], 'total': 5, 'success': True}),
                    FakeResponse(body={'integrations': [], 'total': 5, 'success': True}))
    assert len(api.list_integrations()) == 1


def test_403_names_the_permissions(fake_api, api):
    fake_api.script('GET', 'integrations.list', FakeResponse(403, {
        'success': False, 'error': 'User does not have the permissions required for this action [error-unauthorized]'}))
    with pytest.raises(RocketChatError) as caught:
        api.list_integrations()
    assert caught.value.status == 403 and 'manage-own-incoming-integrations' in caught.value.message


def test_invalid_params(fake_api, api):
    fake_api.script('POST', 'integrations.remove', FakeResponse(400, {
        'success': False, 'errorType': 'invalid-params',
        'error': "must have required property 'type' [invalid-params]"}))
    with pytest.raises(RocketChatError) as caught:
        api.remove('webhook-incoming', 'x')
    assert caught.value.error_type == 'invalid-params' and 'rejected the request' in caught.value.message


def test_remove_of_someone_elses_integration_is_explained(fake_api, api):
    fake_api.script('POST', 'integrations.remove', FakeResponse(400, {
        'success': False, 'error': 'Invalid integration [error-invalid-integration]',
        'errorType': 'error-invalid-integration', 'details': {'method': 'deleteIncomingIntegration'}}))
    with pytest.raises(RocketChatError) as caught:
        api.remove('webhook-incoming', 'theirs')
    assert 'belongs to someone else' in caught.value.message


def test_get_distinguishes_missing_from_forbidden(fake_api, api):
    fake_api.script('GET', 'integrations.get',
                    FakeResponse(400, {'success': False, 'error': 'The integration does not exists.'}),
                    FakeResponse(400, {'success': False, 'error': 'not-authorized'}))
    assert api.get('missing') is None
    with pytest.raises(RocketChatError) as caught:
        api.get('theirs')
    assert 'manage-own' in caught.value.message


def test_connection_errors_are_retried_for_remove(fake_api, api):
    fake_api.script('POST', 'integrations.remove', requests.exceptions.ConnectionError('reset by peer'),
                    FakeResponse(400, {'success': False, 'error': 'No integration found.'}))
    assert api.remove('webhook-incoming', 'a') is True, 'the unanswered attempt removed it'
    assert len(fake_api.endpoint_calls('POST', 'integrations.remove')) == 2


def test_not_found_without_a_retry_means_it_was_already_gone(fake_api, api):
    fake_api.script('POST', 'integrations.remove', FakeResponse(400, {'success': False, 'error': 'No integration found.'}))
    assert api.remove('webhook-incoming', 'a') is False


def test_create_is_never_retried(fake_api, api):
    fake_api.script('POST', 'integrations.create', FakeResponse(503, {'success': False, 'error': 'busy'}))
    with pytest.raises(RocketChatError) as caught:
        api.create_from('webhook-incoming', PresentPlan('create', {}, {'name': 'x'}, ['name']))
    assert caught.value.status == 503
    assert len(fake_api.endpoint_calls('POST', 'integrations.create')) == 1


def test_integration_view_from_permissions(fake_api, api):
    fake_api.on('GET', 'me', lambda call: FakeResponse(body={'_id': 'uid-1', 'roles': ['user'], 'success': True}))
    fake_api.on('GET', 'permissions.listAll', lambda call: FakeResponse(body={'update': [
        {'_id': 'manage-own-incoming-integrations', 'roles': ['user']},
        {'_id': 'manage-own-outgoing-integrations', 'roles': ['user']},
        {'_id': 'manage-outgoing-integrations', 'roles': ['user']},
        {'_id': 'manage-incoming-integrations', 'roles': ['admin']}], 'remove': []}))
    assert api.view() == {'webhook-incoming': 'own', 'webhook-outgoing': 'own'}


def test_integration_view_unknown_without_permissions_endpoint(fake_api, api):
    fake_api.on('GET', 'me', lambda call: FakeResponse(body={'_id': 'uid-1', 'roles': ['user'], 'success': True}))
    fake_api.on('GET', 'permissions.listAll', lambda call: FakeResponse(404, {'success': False, 'error': 'Not found'}))
    assert api.view() == {'webhook-incoming': 'unknown', 'webhook-outgoing': 'unknown'}


def test_integration_view_unknown_when_me_is_missing(fake_api, api):
    fake_api.on('GET', 'me', lambda call: FakeResponse(404, text='<html>not here</html>', headers={'Content-Type': 'text/html'}))
    assert api.view() == {'webhook-incoming': 'unknown', 'webhook-outgoing': 'unknown'}


def test_integration_view_admin_without_permissions_endpoint(fake_api, api):
    fake_api.on('GET', 'permissions.listAll', lambda call: FakeResponse(404, {'success': False, 'error': 'Not found'}))
    assert api.view() == {'webhook-incoming': 'all', 'webhook-outgoing': 'all'}


def test_not_authorized_logic_error_names_the_permissions(fake_api, api):
    fake_api.script('POST', 'integrations.remove', FakeResponse(400, {
        'success': False, 'error': 'Unauthorized [not_authorized]', 'errorType': 'not_authorized',
        'details': {'method': 'deleteOutgoingIntegration'}}))
    with pytest.raises(RocketChatError) as caught:
        api.remove('webhook-outgoing', 'x')
    assert 'manage-outgoing-integrations' in caught.value.message and caught.value.error_type == 'not_authorized'


def test_update_from_reports_a_server_that_kept_the_post_as_user(fake_api, api):
    """Servers before 7.0 answer success and keep the old post-as user of an incoming integration."""
    plan = PresentPlan('update', {'username': 'rocket.cat'}, {'username': 'bob', 'name': 'in1'}, ['username'])
    fake_api.script('PUT', 'integrations.update', FakeResponse(body={'integration': {'username': 'bob'},
                                                                     'success': True}))
    assert api.update_from('webhook-incoming', plan, 'in1').username == 'bob'
    fake_api.script('PUT', 'integrations.update', FakeResponse(body={'integration': {'username': 'rocket.cat'},
                                                                     'success': True}))
    with pytest.raises(RocketChatError, match="kept 'rocket.cat'"):
        api.update_from('webhook-incoming', plan, 'in1')
    assert fake_api.endpoint_calls('PUT', 'integrations.update')[0]['json']['integrationId'] == 'in1'


def test_update_from_explains_a_missing_outgoing_token(fake_api, api):
    plan = PresentPlan('update', {}, {'name': 'out1'}, ['name'])
    fake_api.script('PUT', 'integrations.update', FakeResponse(400, {
        'success': False, 'error': 'Invalid token [error-invalid-token]', 'errorType': 'error-invalid-token'}))
    with pytest.raises(RocketChatError, match='needs a token to update outgoing integration out1'):
        api.update_from('webhook-outgoing', plan, 'out1')


def test_lookup_by_id_reads_one_else_lists(fake_api, api):
    fake_api.script('GET', 'integrations.get', FakeResponse(body={'integration': integration_doc('a1', 'x'),
                                                                  'success': True}))
    assert [doc.id for doc in api.lookup(integration_id='a1')] == ['a1']
    fake_api.on('GET', 'integrations.list', list_handler([integration_doc('b1', 'y')]))
    assert [doc.id for doc in api.lookup('webhook-incoming', name='y')] == ['b1']


def test_the_oldest_of_a_name_wins_by_created_at_then_id():
    mine = integration('bbb', 'deploy', _createdAt='2026-12-05T10:00:00.500Z')
    older = integration('zzz', 'deploy', _createdAt='2026-12-05T10:00:00.100Z')
    tie = integration('aaa', 'deploy', _createdAt='2026-12-05T10:00:00.500Z')
    other_type = integration('000', 'deploy', 'webhook-outgoing', _createdAt='2020-01-01T00:00:00.000Z')
    assert winners([mine], [mine, older, other_type])['bbb'].id == 'zzz'
    assert winners([mine], [mine, tie])['bbb'].id == 'aaa', 'same millisecond: the smaller _id'
    assert winners([mine], [other_type])['bbb'].id == 'bbb', 'not listed yet, it still counts'


def test_settle_created_removes_only_the_duplicate_this_run_created(fake_api, api):
    mine = integration_doc('mine1', 'deploy', _createdAt='2026-12-05T10:00:00.900Z')
    theirs = integration_doc('theirs', 'deploy', _createdAt='2026-12-05T10:00:00.100Z')
    later = integration_doc('later', 'deploy', _createdAt='2026-12-05T10:00:01.000Z')
    fake_api.on('GET', 'integrations.list', list_handler([theirs, mine, later]))
    fake_api.on('POST', 'integrations.remove', lambda call: FakeResponse(body={'success': True, 'integration': mine}))
    chosen, resolved = api.settle_created([Integration.from_api(mine)])
    assert chosen['mine1'].id == 'theirs'
    assert resolved == [{'name': 'deploy', 'type': 'webhook-incoming', 'kept': 'theirs', 'removed': 'mine1'}]
    removes = fake_api.endpoint_calls('POST', 'integrations.remove')
    assert [call['json']['integrationId'] for call in removes] == ['mine1'], 'the later one is its own run\'s to remove'
    listed = fake_api.endpoint_calls('GET', 'integrations.list')[0]['params']
    assert listed['name'] == 'deploy' and listed['type'] == 'webhook-incoming'


def test_settle_created_keeps_the_oldest_and_removes_nothing(fake_api, api):
    mine = integration_doc('mine1', 'deploy', _createdAt='2026-12-05T10:00:00.100Z')
    newer = integration_doc('x', 'deploy', _createdAt='2026-12-05T10:00:09.000Z')
    fake_api.on('GET', 'integrations.list', list_handler([mine, newer]))
    chosen, resolved = api.settle_created([Integration.from_api(mine)])
    assert chosen['mine1'].id == 'mine1' and resolved == []
    assert fake_api.endpoint_calls('POST', 'integrations.remove') == []
