# Copyright (c) 2026 chatops.rocketchat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""users.info, rooms.info and integrations.history with recorded deliveries, as the real server answers them, in
each dialect (tests/rocketchat_double/README.md, "Lookups behind the prune's facts")."""

from __future__ import annotations

import time

import pytest

from test_conformance import ROUTE_DENIED_IN, outgoing  # pylint: disable=import-error

DIALECTS = ('v-a', 'v-b', 'v-c')
ROOM_NOT_FOUND = {'success': False, 'errorType': 'error-room-not-found',
                  'error': 'The required "roomId" or "roomName" param provided does not match any channel '
                           '[error-room-not-found]'}


@pytest.fixture(autouse=True, params=DIALECTS)
def dialect(request, double):
    double.control.call('POST', 'dialect', {'dialect': request.param})
    return request.param


def test_users_info_by_id_and_by_username_shows_active(double, admin, make_user):
    other = make_user('bob')
    by_id = admin.get('users.info', userId=other.user_id)
    by_name = admin.get('users.info', username='bob')
    assert by_id.status_code == by_name.status_code == 200
    assert by_id.json()['user']['active'] is True and by_name.json()['user']['_id'] == other.user_id


def test_users_info_of_a_deactivated_user(double, admin, make_user):
    make_user('carol')
    double.control.call('POST', 'user_state', {'username': 'carol', 'active': False})
    assert admin.get('users.info', username='carol').json()['user']['active'] is False


def test_users_info_of_an_unknown_user(double, admin, make_user):
    make_user('dave')
    double.control.call('POST', 'user_state', {'username': 'dave', 'delete': True})
    answer = admin.get('users.info', username='dave')
    assert (answer.status_code, answer.json()) == (400, {'success': False, 'error': 'User not found.'})


def test_users_info_of_another_user_refused_where_restricted(double, make_user, dialect):
    caller = make_user('eve')
    make_user('frank')
    double.control.call('POST', 'users_info', {'restricted': True})
    refused = caller.get('users.info', username='frank')
    assert (refused.status_code, refused.json()) == (403, ROUTE_DENIED_IN[dialect])
    assert caller.get('users.info', username='eve').status_code == 200, 'oneself is always visible'


def test_users_info_matches_either_parameter_against_id_or_username(double, admin, make_user):
    """getFullUserDataByIdOrUsernameOrImportId: Users.findOneByIdOrUsername(value) for userId and username alike,
    so '@<user id>' targets resolve as the server resolves them."""
    other = make_user('ivy')
    by_id_as_username = admin.get('users.info', username=other.user_id)
    by_name_as_user_id = admin.get('users.info', userId='ivy')
    assert by_id_as_username.json()['user']['username'] == by_name_as_user_id.json()['user']['username'] == 'ivy'


def test_deleting_a_user_disables_what_posts_as_it_and_leaves_created_by(double, admin, make_user):
    poster = make_user('jack', roles=('user', 'bot'))
    hook = admin.post('integrations.create', dict(outgoing(), username='jack')).json()['integration']
    before = hook['_updatedAt']
    time.sleep(0.01)  # _updatedAt has millisecond resolution: the bump must show
    double.control.call('POST', 'user_state', {'username': 'jack', 'delete': True})
    after = admin.get('integrations.get', integrationId=hook['_id']).json()['integration']
    assert after['enabled'] is False and after['_updatedAt'] > before and after['userId'] == poster.user_id
    assert after['_createdBy']['username'] == 'admin'


def test_users_info_without_a_query_is_invalid_params(double, admin):
    answer = admin.get('users.info')
    assert answer.status_code == 400 and 'anyOf' in answer.json()['error']


def test_rooms_info_by_name_and_id(double, admin):
    room = double.control.call('POST', 'rooms', {'name': 'ops'})['room']
    by_name = admin.get('rooms.info', roomName='ops')
    by_id = admin.get('rooms.info', roomId=room['_id'])
    assert by_name.status_code == by_id.status_code == 200 and by_id.json()['room']['name'] == 'ops'


def test_rooms_info_of_a_deleted_room(double, admin):
    double.control.call('POST', 'rooms', {'name': 'gone'})
    double.control.call('DELETE', 'rooms', {'name': 'gone'})
    answer = admin.get('rooms.info', roomName='gone')
    assert (answer.status_code, answer.json()) == (400, ROOM_NOT_FOUND)


NOT_ALLOWED = {'success': False, 'error': 'not-allowed', 'errorType': 'Not Allowed'}


def test_rooms_info_of_a_private_room_the_caller_is_not_in(double, make_user, admin):
    caller = make_user('gina')
    double.control.call('POST', 'rooms', {'name': 'secret', 'private': True, 'members': ['someone']})
    answer = caller.get('rooms.info', roomName='secret')
    assert (answer.status_code, answer.json()) == (400, NOT_ALLOWED)
    answer = admin.get('rooms.info', roomName='secret')
    assert (answer.status_code, answer.json()) == (400, NOT_ALLOWED), 'canAccessRoom has no admin bypass'


def test_rooms_info_of_a_direct_message_by_its_id(double, admin, make_user):
    make_user('kim')
    make_user('lee')
    direct = double.control.call('POST', 'rooms', {'direct': True, 'members': ['kim', 'lee']})['room']
    answer = admin.get('rooms.info', roomId=direct['_id'])
    assert (answer.status_code, answer.json()) == (400, NOT_ALLOWED)
    assert admin.get('rooms.info', roomName=direct['_id']).json()['errorType'] == 'error-room-not-found'


def test_the_default_room_is_general_by_id(double, admin):
    assert admin.get('rooms.info', roomId='GENERAL').json()['room']['name'] == 'general'
    hook = admin.post('integrations.create', dict(outgoing(), channel='#GENERAL')).json()
    assert hook['integration']['channel'] == ['#GENERAL'], 'integrations accept #<room id>'


def test_rooms_info_of_an_archived_room(double, admin, dialect):
    double.control.call('POST', 'rooms', {'name': 'old-team'})
    double.control.call('POST', 'room_state', {'name': 'old-team', 'archived': True})
    answer = admin.get('rooms.info', roomName='old-team')
    if dialect == 'v-c':
        assert answer.status_code == 200 and answer.json()['room']['archived'] is True
    else:
        assert (answer.status_code, answer.json()) == (400, {
            'success': False, 'errorType': 'error-room-archived',
            'error': 'The channel, old-team, is archived [error-room-archived]'})


def test_rooms_info_has_no_query_validator(double, admin):
    """rooms.ts declares no validateParams for rooms.info: roomId wins when both are sent, nothing is refused."""
    answer = admin.get('rooms.info', roomId='GENERAL', roomName='nothing-by-that-name', extra='ignored')
    assert answer.status_code == 200 and answer.json()['room']['_id'] == 'GENERAL'
    answer = admin.get('rooms.info')
    assert answer.json()['errorType'] == 'error-roomid-param-not-provided'


def test_history_newest_first_paged_with_total(double, admin):
    created = admin.post('integrations.create', outgoing()).json()['integration']
    double.control.call('POST', 'deliveries', {'integration_id': created['_id'], 'deliveries': [
        {'outcome': {'status': 200, 'body': 'ok'}}, {'outcome': {'status': 404, 'body': 'no such hook'}},
        {'outcome': {'status': 500, 'body': 'boom'}}, {'outcome': {'network_error': 'ETIMEDOUT'}}]})
    body = admin.get('integrations.history', id=created['_id'], count=3).json()
    assert body['total'] == 4 and body['count'] == 3
    steps = [row['step'] for row in body['history']]
    assert steps == ['after-http-call', 'after-process-http-status-500', 'failed-and-not-configured-to-retry']
    assert body['history'][0]['httpError'] and body['history'][0]['httpResult'] == 'null', 'no answer'
    assert 'error' not in body['history'][0], 'the .catch writes no error flag'
    oldest = admin.get('integrations.history', id=created['_id'], offset=3).json()['history'][0]
    assert oldest['httpResult'] == '"ok"' and 'error' not in oldest and 'httpError' not in oldest


def test_history_of_someone_elses_integration_is_empty_for_an_own_only_caller(double, admin, make_user):
    created = admin.post('integrations.create', outgoing()).json()['integration']
    double.control.call('POST', 'deliveries', {'integration_id': created['_id'],
                                               'deliveries': [{'outcome': {'status': 404, 'body': 'gone'}}]})
    own_only = make_user('hal', permissions=['manage-own-outgoing-integrations'])
    body = own_only.get('integrations.history', id=created['_id']).json()
    assert body['history'] == [] and body['total'] == 0


def test_removing_an_outgoing_integration_removes_its_history(double, admin):
    created = admin.post('integrations.create', outgoing()).json()['integration']
    double.control.call('POST', 'deliveries', {'integration_id': created['_id'],
                                               'deliveries': [{'outcome': {'status': 404, 'body': 'gone'}}]})
    admin.post('integrations.remove', {'type': 'webhook-outgoing', 'integrationId': created['_id']})
    assert admin.get('integrations.history', id=created['_id']).json()['total'] == 0
