# Copyright (c) 2026 chatops.rocketchat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The conformance cases of tests/rocketchat_double/README.md (per endpoint, from Rocket.Chat's own end-to-end
tests), over real HTTP against the double, in each of its dialects: 6.4+ (v-a), 7.x (v-b) and 8.x (v-c). Where a
dialect answers differently (README "Dialects"), the expected answer is that dialect's."""

from __future__ import annotations

import time

import pytest

NONE = {'manage-incoming-integrations': [], 'manage-own-incoming-integrations': [],
        'manage-outgoing-integrations': [], 'manage-own-outgoing-integrations': []}
ROUTE_DENIED = {'success': False,
                'error': 'User does not have the permissions required for this action [error-unauthorized]'}
NOT_FOUND = {'success': False, 'error': 'No integration found.'}
DIALECTS = ('v-a', 'v-b', 'v-c')
ROUTE_DENIED_IN = {'v-a': {'success': False, 'error': 'unauthorized'}, 'v-b': ROUTE_DENIED,
                   'v-c': {'success': False,
                           'error': 'User does not have the permissions required for this action [error-forbidden]'}}
LOGGED_OUT = 'You must be logged in to do this.'
UNAUTHORIZED_IN = {'v-a': {'status': 'error', 'message': LOGGED_OUT},
                   'v-b': {'success': False, 'error': LOGGED_OUT, 'status': 'error', 'message': LOGGED_OUT},
                   'v-c': {'success': False, 'error': LOGGED_OUT}}


@pytest.fixture(autouse=True, params=DIALECTS)
def dialect(request, double):
    """Every case runs in every dialect; the double is reset before each."""
    double.control.call('POST', 'dialect', {'dialect': request.param})
    return request.param


def incoming(name='in-1', **extra):
    body = {'type': 'webhook-incoming', 'name': name, 'enabled': True, 'alias': 'alias', 'username': 'rocket.cat',
            'scriptEnabled': False, 'channel': '#general'}
    body.update(extra)
    return body


def outgoing(name='out-1', **extra):
    body = incoming(name, type='webhook-outgoing', event='sendMessage', urls=['http://example.invalid/hook'])
    body.update(extra)
    return body


def set_permissions(double, **permissions):
    double.control.call('POST', 'permissions', {key.replace('_', '-'): value for key, value in permissions.items()})


@pytest.fixture
def user_with_own(double, make_user):
    """A non-admin holding only the 'own' permissions, with one integration of each type."""
    set_permissions(double, **{'manage_incoming_integrations': [], 'manage_own_incoming_integrations': ['user'],
                               'manage_outgoing_integrations': [], 'manage_own_outgoing_integrations': ['user']})
    user = make_user('user')
    user.own_incoming = user.post('integrations.create', incoming('user-in')).json()['integration']
    user.own_outgoing = user.post('integrations.create', outgoing('user-out')).json()['integration']
    return user


@pytest.mark.parametrize('body', [incoming(), outgoing()], ids=['incoming', 'outgoing'])
def test_01_create_without_permission_is_not_authorized(double, admin, body):
    double.control.call('POST', 'permissions', NONE)
    answer = admin.post('integrations.create', body)
    assert answer.status_code == 400
    assert answer.json()['errorType'] == 'not_authorized'
    assert double.control.integrations() == []


@pytest.mark.parametrize('type_', ['webhook-incoming-invalid', 'webhook-outgoing-invalid'])
def test_02_unexact_type_passes_validation_then_fails(double, admin, type_):
    double.control.call('POST', 'permissions', NONE)
    body = incoming(type=type_) if 'incoming' in type_ else outgoing(type=type_)
    answer = admin.post('integrations.create', body)
    assert answer.status_code == 400
    assert answer.json() == {'success': False, 'error': 'Invalid integration type.'}


def test_03_create_incoming_defaults_override_destination_false(double, admin):
    set_permissions(double, manage_own_incoming_integrations=['admin'])
    answer = admin.post('integrations.create', incoming())
    assert answer.status_code == 200
    doc = answer.json()['integration']
    assert doc['overrideDestinationChannelEnabled'] is False
    assert doc['channel'] == ['#general'] and len(doc['token']) == 48 and len(doc['_id']) == 24


@pytest.mark.parametrize('permission', ['manage_outgoing_integrations', 'manage_own_outgoing_integrations'])
def test_04_create_outgoing_echoes_fields(double, admin, permission):
    double.control.call('POST', 'permissions', NONE)
    set_permissions(double, **{permission: ['admin']})
    answer = admin.post('integrations.create', outgoing())
    assert answer.status_code == 200
    doc = answer.json()['integration']
    assert {key: doc[key] for key in ('name', 'type', 'enabled', 'username', 'event')} == {
        'name': 'out-1', 'type': 'webhook-outgoing', 'enabled': True, 'username': 'rocket.cat', 'event': 'sendMessage'}
    assert 'token' not in doc, 'outgoing tokens are never generated'


def test_05_list_has_admins_integration_and_paging_keys(double, admin):
    created = admin.post('integrations.create', incoming()).json()['integration']
    answer = admin.get('integrations.list')
    assert answer.status_code == 200
    body = answer.json()
    assert [doc['_id'] for doc in body['integrations']] == [created['_id']]
    assert (body['offset'], body['items'], body['count'], body['total'], body['success']) == (0, 1, 1, 1, True)


def test_06_own_only_user_does_not_see_admins(double, admin, user_with_own):
    admin.post('integrations.create', incoming('admin-in'))
    admin.post('integrations.create', outgoing('admin-out'))
    names = {doc['name'] for doc in user_with_own.get('integrations.list').json()['integrations']}
    assert names == {'user-in', 'user-out'}


def test_07_list_without_permission_is_route_denied(double, admin, dialect):
    double.control.call('POST', 'permissions', NONE)
    answer = admin.get('integrations.list')
    assert (answer.status_code, answer.json()) == (403, ROUTE_DENIED_IN[dialect])


def test_08_history_needs_outgoing_permission(double, admin, dialect):
    double.control.call('POST', 'permissions', NONE)
    set_permissions(double, manage_own_incoming_integrations=['admin'])
    answer = admin.get('integrations.history', id='x')
    assert (answer.status_code, answer.json()) == (403, ROUTE_DENIED_IN[dialect])


def test_09_history_with_manage_outgoing(double, admin):
    created = admin.post('integrations.create', outgoing()).json()['integration']
    body = admin.get('integrations.history', id=created['_id']).json()
    assert body['history'] == [] and {'offset', 'items', 'total'} <= set(body)
    blank = admin.get('integrations.history', id=' ')
    assert (blank.status_code, blank.json()) == (400, {'success': False, 'error': 'Invalid integration id.'})


def test_10_get_without_query_is_invalid_params(double, admin, dialect):
    answer = admin.get('integrations.get')
    assert answer.status_code == 400
    if dialect == 'v-c':  # a typed route: its query is checked by ajvQuery, without the suffix
        assert answer.json() == {'success': False, 'errorType': 'error-invalid-params',
                                 'error': "must have required property 'integrationId'"}
    else:
        assert answer.json() == {'success': False, 'errorType': 'invalid-params',
                                 'error': "must have required property 'integrationId' [invalid-params]"}


def test_11_get_without_permission_is_not_authorized(double, admin, user_with_own):
    double.control.call('POST', 'permissions', NONE)
    for doc in (user_with_own.own_incoming, user_with_own.own_outgoing):
        answer = admin.get('integrations.get', integrationId=doc['_id'])
        assert (answer.status_code, answer.json()) == (400, {'success': False, 'error': 'not-authorized'})


def test_12_get_unknown_id(double, admin):
    answer = admin.get('integrations.get', integrationId='invalid')
    assert (answer.status_code, answer.json()) == (400, {'success': False, 'error': 'The integration does not exists.'})


def test_13_own_user_gets_own(double, user_with_own):
    answer = user_with_own.get('integrations.get', integrationId=user_with_own.own_incoming['_id'])
    assert answer.status_code == 200 and answer.json()['integration']['_id'] == user_with_own.own_incoming['_id']


@pytest.mark.parametrize('factory', [incoming, outgoing])
def test_14_admin_gets(double, admin, factory):
    created = admin.post('integrations.create', factory()).json()['integration']
    answer = admin.get('integrations.get', integrationId=created['_id'])
    assert answer.status_code == 200 and answer.json()['integration'] == created


def test_15_update_full_body(double, admin):
    created = admin.post('integrations.create', incoming()).json()['integration']
    body = incoming('renamed', alias='new-alias', integrationId=created['_id'])
    del body['username']
    answer = admin.put('integrations.update', body)
    assert answer.status_code == 200
    updated = answer.json()['integration']
    assert (updated['name'], updated['alias'], updated['token']) == ('renamed', 'new-alias', created['token'])
    assert admin.get('integrations.get', integrationId=created['_id']).json()['integration'] == updated
    assert updated['_updatedBy']['_id'] == admin.user_id


def test_16_remove_without_permission_is_route_denied(double, admin, dialect):
    created = admin.post('integrations.create', incoming()).json()['integration']
    double.control.call('POST', 'permissions', NONE)
    answer = admin.post('integrations.remove', {'integrationId': created['_id'], 'type': 'webhook-incoming'})
    assert (answer.status_code, answer.json()) == (403, ROUTE_DENIED_IN[dialect])
    assert len(double.control.integrations()) == 1


def test_17_remove_invalid_type_is_invalid_params(double, admin):
    set_permissions(double, manage_own_incoming_integrations=['admin'])
    answer = admin.post('integrations.remove', {'integrationId': 'x', 'type': 'invalid-type'})
    assert answer.status_code == 400
    assert answer.json()['errorType'] == 'invalid-params'
    assert 'must match exactly one schema in oneOf' in answer.json()['error']


@pytest.mark.parametrize('factory', [incoming, outgoing])
def test_18_admin_removes(double, admin, factory):
    created = admin.post('integrations.create', factory()).json()['integration']
    answer = admin.post('integrations.remove', {'integrationId': created['_id'], 'type': created['type']})
    assert answer.status_code == 200 and answer.json()['success'] is True
    assert answer.json()['integration']['_id'] == created['_id']
    assert double.control.integrations() == []


def test_19_own_user_removes_own(double, user_with_own):
    for doc in (user_with_own.own_incoming, user_with_own.own_outgoing):
        answer = user_with_own.post('integrations.remove', {'integrationId': doc['_id'], 'type': doc['type']})
        assert answer.status_code == 200
    assert double.control.integrations() == []


@pytest.mark.parametrize('type_', ['webhook-incoming', 'webhook-outgoing'])
def test_20_remove_unknown_id_is_no_integration_found(double, admin, type_):
    answer = admin.post('integrations.remove', {'integrationId': 'a' * 24, 'type': type_})
    assert (answer.status_code, answer.json()) == (400, NOT_FOUND)
    assert 'errorType' not in answer.json()


@pytest.mark.parametrize('headers', [{}, {'X-User-Id': 'nobody', 'X-Auth-Token': 'wrong'}])
def test_21_bad_auth_is_401(double, admin, headers, dialect):
    import requests  # pylint: disable=import-outside-toplevel
    answer = requests.get(double.url + '/api/v1/integrations.list', headers=headers, timeout=10)
    assert answer.status_code == 401
    assert answer.json() == UNAUTHORIZED_IN[dialect]


def test_22_eleventh_call_is_rate_limited(double, make_user):
    double.control.rate_limit(enabled=True, limit=10, interval_ms=60000)
    set_permissions(double, manage_own_incoming_integrations=['user'])
    user = make_user('limited')
    answers = [user.get('integrations.list') for dummy in range(11)]
    assert [answer.status_code for answer in answers] == [200] * 10 + [429]
    last = answers[-1]
    assert last.json() == {'success': False, 'error': (
        'Error, too many requests. Please slow down. You must wait 60 seconds before trying this endpoint '
        'again. [error-too-many-requests]')}
    assert last.headers['X-RateLimit-Limit'] == '10' and last.headers['X-RateLimit-Remaining'] == '0'
    assert 'Retry-After' not in last.headers and 'errorType' not in last.json()
    reset_ms = int(last.headers['X-RateLimit-Reset'])
    assert 59000 < reset_ms - time.time() * 1000 <= 60000
    # another endpoint has its own budget
    assert user.get('integrations.get', integrationId='x').status_code == 400


def test_admins_are_never_rate_limited(double, admin):
    double.control.rate_limit(enabled=True, limit=2, interval_ms=60000)
    assert [admin.get('integrations.list').status_code for dummy in range(5)] == [200] * 5


def test_remove_validation_messages_are_verbatim(double, admin):
    empty = admin.post('integrations.remove', {}).json()['error']
    assert empty == ("must have required property 'type'\n must have required property 'type'\n must have required "
                     "property 'type'\n must match exactly one schema in oneOf [invalid-params]")
    no_id = admin.post('integrations.remove', {'type': 'webhook-incoming'}).json()['error']
    assert no_id == ("must have required property 'integrationId'\n must have required property 'target_url'\n must "
                     "have required property 'integrationId'\n must match exactly one schema in oneOf [invalid-params]")
    both = admin.post('integrations.remove', {'type': 'webhook-outgoing', 'integrationId': 'x', 'target_url': 'y'})
    assert both.status_code == 400 and both.json()['errorType'] == 'invalid-params'


def test_validation_precedes_route_permission(double, admin):
    double.control.call('POST', 'permissions', NONE)
    assert admin.post('integrations.remove', {}).status_code == 400


def test_create_validation_messages(double, admin):
    no_type = incoming()
    del no_type['type']
    assert admin.post('integrations.create', no_type).json()['error'] == (
        "must have required property 'type'\n must have required property 'type'\n must match exactly one schema in "
        "oneOf [invalid-params]")
    no_username = incoming()
    del no_username['username']
    assert admin.post('integrations.create', no_username).json()['error'] == (
        "must have required property 'username'\n must have required property 'username'\n must match exactly one "
        "schema in oneOf [invalid-params]")
    with_token = admin.post('integrations.create', incoming(token='abc'))
    assert with_token.json()['errorType'] == 'invalid-params'


def test_create_logic_errors(double, admin):
    bad_start = admin.post('integrations.create', incoming(channel='general')).json()
    assert bad_start == {'success': False, 'error': 'Invalid channel. Start with @ or # [error-invalid-channel-start-with-chars]',
                         'errorType': 'error-invalid-channel-start-with-chars',
                         'details': {'method': 'addIncomingIntegration'}}
    assert admin.post('integrations.create', incoming(username='ghost')).json()['errorType'] == 'error-invalid-user'
    assert admin.post('integrations.create', outgoing(event='nope')).json()['errorType'] == 'error-invalid-event-type'
    assert admin.post('integrations.create', outgoing(urls=[])).json()['errorType'] == 'error-invalid-urls'


def test_list_filters_and_pagination(double, admin, dialect):
    if dialect == 'v-a':
        pytest.skip('6.x has no list schema: name and type are not filters there, fields is honoured (README "Dialects")')
    double.control.seed([{'name': 'alpha-%03d' % index, 'type': 'webhook-incoming'} for index in range(120)]
                        + [{'name': 'ALPHA-out', 'type': 'webhook-outgoing'}, {'name': 'beta', 'type': 'webhook-outgoing'}])
    default = admin.get('integrations.list').json()
    assert (default['count'], default['total']) == (50, 122)
    capped = admin.get('integrations.list', count=500).json()
    assert capped['items'] == 100
    everything = admin.get('integrations.list', count=0).json()
    assert everything['items'] == 122
    by_name = admin.get('integrations.list', name='alpha', count=0).json()
    assert by_name['total'] == 121, 'name is a case-insensitive substring match'
    by_type = admin.get('integrations.list', type='webhook-outgoing', name='Alpha').json()
    assert [doc['name'] for doc in by_type['integrations']] == ['ALPHA-out']
    page = admin.get('integrations.list', offset=100, count=100).json()
    assert (page['offset'], page['items'], page['total']) == (100, 22, 122)
    # query is in the 7.x/8.x list schema (README "Real-server behaviours", row 12); fields is not
    assert admin.get('integrations.list', fields='{}').json()['errorType'] == (
        'error-invalid-params' if dialect == 'v-c' else 'invalid-params')
    assert admin.get('integrations.list', sort='nope').json()['errorType'] == 'error-invalid-sort'
    assert admin.get('integrations.list', name='a.*').json()['total'] == 0, 'the name is regex-escaped'


def test_remove_by_target_url_and_wrong_type_lookup(double, admin):
    out = admin.post('integrations.create', outgoing(urls=['http://one.invalid/x'])).json()['integration']
    answer = admin.post('integrations.remove', {'type': 'webhook-outgoing', 'target_url': 'http://one.invalid/x'})
    assert answer.status_code == 200 and answer.json()['integration']['_id'] == out['_id']
    inc = admin.post('integrations.create', incoming()).json()['integration']
    # the server looks up by _id only: a wrong type still removes (why the collection guards it)
    assert admin.post('integrations.remove', {'type': 'webhook-outgoing', 'integrationId': inc['_id']}).status_code == 200


def test_own_only_user_cannot_remove_others(double, admin, user_with_own):
    others = admin.post('integrations.create', incoming('admins')).json()['integration']
    answer = user_with_own.post('integrations.remove', {'type': 'webhook-incoming', 'integrationId': others['_id']})
    assert answer.status_code == 400
    assert answer.json() == {'success': False, 'error': 'Invalid integration [error-invalid-integration]',
                             'errorType': 'error-invalid-integration', 'details': {'method': 'deleteIncomingIntegration'}}
    assert others['_id'] in {doc['_id'] for doc in double.control.integrations()}


def test_login_me_logout(double, dialect):
    import requests  # pylint: disable=import-outside-toplevel
    double.control.add_user('alice', password='alice-pw', roles=['user'])
    bad = requests.post(double.url + '/api/v1/login', json={'user': 'alice', 'password': 'nope'}, timeout=10)
    assert bad.status_code == 401
    if dialect == 'v-c':
        assert bad.json() == {'success': False, 'error': 'unauthorized'}
    else:
        assert bad.json()['message'] == 'Incorrect password'
    good = requests.post(double.url + '/api/v1/login', json={'user': 'alice', 'password': 'alice-pw'}, timeout=10)
    data = good.json()['data']
    headers = {'X-User-Id': data['userId'], 'X-Auth-Token': data['authToken']}
    assert requests.get(double.url + '/api/v1/me', headers=headers, timeout=10).json()['username'] == 'alice'
    assert requests.post(double.url + '/api/v1/logout', headers=headers, timeout=10).status_code == 200
    assert requests.get(double.url + '/api/v1/me', headers=headers, timeout=10).status_code == 401


def test_v_a_dialect(double, admin, dialect):
    if dialect != 'v-a':
        pytest.skip('the 6.x answers, once')
    import requests  # pylint: disable=import-outside-toplevel
    unauth = requests.get(double.url + '/api/v1/integrations.list', timeout=10)
    assert (unauth.status_code, unauth.json()) == (401, {'status': 'error', 'message': 'You must be logged in to do this.'})
    double.control.call('POST', 'permissions', NONE)
    denied = admin.get('integrations.list')
    assert (denied.status_code, denied.json()) == (403, {'success': False, 'error': 'unauthorized'})


def test_faults(double, admin):
    double.control.fault(path='integrations.list', status=503, count=2)
    assert [admin.get('integrations.list').status_code for dummy in range(3)] == [503, 503, 200]
    double.control.fault(path='integrations.list', raw='<html>Bad gateway</html>', status=502)
    answer = admin.get('integrations.list')
    assert answer.status_code == 502 and answer.headers['Content-Type'] == 'text/html'
    log = double.control.requests()
    assert [entry['status'] for entry in log[-4:]] == [503, 503, 200, 502]
