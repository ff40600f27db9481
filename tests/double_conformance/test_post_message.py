# Copyright (c) 2026 chatops.rocketchat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""chat.postMessage as Rocket.Chat answers it (apps/meteor/app/api/server/v1/chat.ts, processWebhookMessage.ts,
getRoomByNameOrIdWithOptionToJoin.ts, createDirectMessage.ts, canSendMessage.ts): what the prune's owner
notifications send (tests/rocketchat_double/README.md, "chat.postMessage")."""

from __future__ import annotations

import pytest

DIALECTS = ('v-a', 'v-b', 'v-c')


@pytest.fixture(autouse=True, params=DIALECTS)
def dialect(request, double):
    double.control.call('POST', 'dialect', {'dialect': request.param})
    return request.param


def messages(double):
    return double.control.call('GET', 'messages')['messages']


def test_a_direct_message_to_a_username_creates_the_room_once(double, admin, make_user):
    owner = make_user('owner')
    first = admin.post('chat.postMessage', {'channel': '@owner', 'text': 'your hook was disabled'})
    second = admin.post('chat.postMessage', {'channel': '@' + owner.user_id, 'text': 'by user id too'})
    assert first.status_code == second.status_code == 200
    assert first.json()['channel'] == '@owner' and first.json()['message']['msg'] == 'your hook was disabled'
    rooms = {message['rid'] for message in messages(double)}
    assert len(rooms) == 1, 'the second message goes to the same direct room'
    assert owner.get('rooms.info', roomId=rooms.pop()).json()['room']['t'] == 'd'


def test_an_unknown_user_or_room_is_invalid_channel(double, admin):
    for target in ('@nobody', '#no-such-room', 'no-such-id'):
        answer = admin.post('chat.postMessage', {'channel': target, 'text': 'x'})
        assert (answer.status_code, answer.json()) == (400, {'success': False, 'error': '[invalid-channel]',
                                                             'errorType': 'invalid-channel'}), target
    assert messages(double) == []


def test_a_public_room_is_joined_and_a_private_one_needs_membership(double, admin, make_user):
    double.control.call('POST', 'rooms', {'name': 'webhook-owners'})
    double.control.call('POST', 'rooms', {'name': 'secret', 'private': True, 'members': ['someone']})
    assert admin.post('chat.postMessage', {'channel': '#webhook-owners', 'text': 'hi'}).status_code == 200
    refused = admin.post('chat.postMessage', {'channel': '#secret', 'text': 'hi'})
    assert (refused.status_code, refused.json()) == (400, {'success': False, 'error': 'error-not-allowed'})


def test_a_read_only_room_refuses_who_may_not_post_there(double, make_user):
    poster = make_user('poster')
    double.control.call('POST', 'rooms', {'name': 'announcements'})
    with_ro = double.control.state()['rooms']
    room_id = next(room_id for room_id, room in with_ro.items() if room['name'] == 'announcements')
    double.control.call('POST', 'rooms_ro', {'room_id': room_id})
    refused = poster.post('chat.postMessage', {'roomId': room_id, 'text': 'hi'})
    assert refused.json() == {'success': False, 'error': "You can't send messages because the room is readonly."}


def test_a_message_over_the_size_limit_is_refused(double, admin):
    answer = admin.post('chat.postMessage', {'channel': '#general', 'text': 'x' * 5001})
    assert (answer.status_code, answer.json()) == (400, {'success': False, 'error': 'error-message-size-exceeded'})


def test_neither_channel_nor_room_id_is_invalid_params(double, admin):
    answer = admin.post('chat.postMessage', {'text': 'x'})
    assert answer.status_code == 400 and answer.json()['errorType'] == 'invalid-params'
