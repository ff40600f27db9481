# Copyright (c) 2026 chatops.rocketchat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Owner notifications: who is told, what the message says (and never carries), and that a failure is reported."""

from __future__ import annotations

import datetime

from ansible_collections.chatops.rocketchat.plugins.module_utils._errors import RocketChatError
from ansible_collections.chatops.rocketchat.plugins.module_utils._notify import notify
from ansible_collections.chatops.rocketchat.plugins.module_utils._plan import DISABLE, REMOVE, removal_actions
from ansible_collections.chatops.rocketchat.tests.unit.plugins.fakes import integration


class Api:
    def __init__(self, users, refuse_room=None):
        self.users = users  # user id -> (username, active) or an exception
        self.refuse_room = refuse_room
        self.posted = []
        api = self

        class Client:
            @staticmethod
            def request(method, endpoint, json_body=None, safe_to_retry=True):
                if json_body['channel'] == api.refuse_room:
                    raise RocketChatError('no', status=400, error_text='[invalid-channel]', error_type='invalid-channel')
                api.posted.append(json_body)
                return {'success': True}
        self.client = Client()

    def user_info(self, user_id=None, username=None):
        found = self.users.get(user_id)
        if found is None:
            raise RocketChatError('gone', status=400, error_text='User not found.')
        if isinstance(found, Exception):
            raise found
        return {'username': found[0], 'active': found[1]}


def hook(_id, creator, **extra):
    return integration(_id, 'hook-' + _id, 'webhook-outgoing', token='secret-token-' + _id,
                       _createdBy={'_id': creator, 'username': 'was-' + creator}, **extra)


def actions(kind, *docs):
    return removal_actions(docs, {doc.id: 'remove[0]: last 3 deliveries failed' for doc in docs}, kind)


def test_the_creator_is_told_in_a_direct_message_what_when_and_how_to_keep_it():
    api = Api({'u1': ('alice', True)})
    reports = notify(api, actions(DISABLE, hook('a', 'u1')), 'automation', datetime.date(2026, 12, 20), None, 1)
    assert reports == [{'id': 'a', 'name': 'hook-a', 'type': 'webhook-outgoing', 'sent': True, 'to': '@alice'}]
    text = api.posted[0]['text']
    assert 'hook-a (webhook-outgoing, id a) that you created was disabled by automation' in text
    assert 'last 3 deliveries failed' in text and 'removed after 2026-12-20 unless it is re-enabled' in text
    assert 'secret-token' not in text and '/hooks/' not in text and 'https://' not in text


def test_an_inactive_or_gone_creator_goes_to_the_fallback_room_or_is_reported_untold():
    api = Api({'u1': ('bob', False)})
    docs = hook('a', 'u1'), hook('b', 'u-gone')
    told = notify(api, actions(REMOVE, *docs), 'automation', None, '#webhook-owners', 1)
    assert [item['to'] for item in told] == ['#webhook-owners', '#webhook-owners']
    assert 'created by was-u1, was removed by automation' in api.posted[0]['text']
    untold = notify(Api({'u1': ('bob', False)}), actions(REMOVE, *docs), 'automation', None, None, 1)
    assert [item['sent'] for item in untold] == [False, False] and 'notify_fallback_room' in untold[0]['why']


def test_a_failed_notification_is_reported_and_the_others_still_go():
    api = Api({'u1': ('alice', True)}, refuse_room='#gone')
    reports = notify(api, actions(DISABLE, hook('a', 'u-gone'), hook('b', 'u1')), 'automation', None, '#gone', 2)
    assert [(item['name'], item['sent']) for item in reports] == [('hook-a', False), ('hook-b', True)]
    assert 'invalid-channel' in reports[0]['why']
