# Copyright (c) 2026 chatops.rocketchat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""In-memory state of the Rocket.Chat API double: users, rooms, permissions, integrations.

The rules here follow README.md beside this file (the 7.x/8.x line) and Rocket.Chat's own
server code: the 'own' permission rule, the integration document fields, the logic errors.
"""

from __future__ import annotations

import copy
import datetime
import json
import os
import re
import secrets
import string
import threading

from .deliveries import HISTORY_TTL, delivery_rows

INTEGRATION_PERMISSIONS = (
    'manage-incoming-integrations',
    'manage-own-incoming-integrations',
    'manage-outgoing-integrations',
    'manage-own-outgoing-integrations',
)
# The released outgoing events and what each uses (outgoingEvents.ts of Rocket.Chat, up to 8.8.1).
EVENT_USES = {
    'sendMessage': {'channel': True, 'triggerWords': True, 'targetRoom': False},
    'fileUploaded': {'channel': True, 'triggerWords': False, 'targetRoom': False},
    'roomArchived': {'channel': False, 'triggerWords': False, 'targetRoom': False},
    'roomCreated': {'channel': False, 'triggerWords': False, 'targetRoom': False},
    'roomJoined': {'channel': True, 'triggerWords': False, 'targetRoom': False},
    'roomLeft': {'channel': True, 'triggerWords': False, 'targetRoom': False},
    'userCreated': {'channel': False, 'triggerWords': False, 'targetRoom': True},
}
OUTGOING_EVENTS = tuple(EVENT_USES)
SCOPED_CHANNELS = ('all_public_channels', 'all_private_groups', 'all_direct_messages')
TOKEN_ALPHABET = string.ascii_letters + string.digits


def now_iso() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec='milliseconds').replace('+00:00', 'Z')


def parse_iso(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text.replace('Z', '+00:00'))


def new_id() -> str:
    return secrets.token_hex(12)


def new_token(length: int = 48) -> str:
    return ''.join(secrets.choice(TOKEN_ALPHABET) for dummy in range(length))


class LogicError(Exception):
    """A Meteor.Error raised by a server method: answered as 400 with errorType and details."""

    def __init__(self, error_type: str, reason: str, method: str | None = None):
        super().__init__(reason)
        self.error_type = error_type
        self.reason = reason
        self.method = method

    def body(self) -> dict:
        body = {
            'success': False,
            'error': ('%s [%s]' % (self.reason, self.error_type)) if self.reason else '[%s]' % self.error_type,
            'errorType': self.error_type,
        }
        if self.method:
            body['details'] = {'method': self.method}
        return body


class Failure(Exception):
    """API.v1.failure('text'): 400 with only success and error."""

    def __init__(self, text: str):
        super().__init__(text)
        self.text = text


class Store:
    """Everything the double remembers. All access goes through the lock."""

    def __init__(self, state_file: str | None = None):
        self.lock = threading.RLock()
        self.state_file = None  # not while the initial state is built: it must not overwrite a saved one
        self.reset()
        self.state_file = state_file
        if state_file and os.path.exists(state_file):
            self.load(state_file)

    # ---- setup -----------------------------------------------------------------------------
    def reset(self) -> None:
        with self.lock:
            self.users: dict[str, dict] = {}
            self.tokens: dict[str, str] = {}  # auth token -> user id
            self.rooms: dict[str, dict] = {}
            self.permissions: dict[str, list[str]] = {name: ['admin'] for name in INTEGRATION_PERMISSIONS}
            self.permissions['api-bypass-rate-limit'] = ['admin', 'bot', 'app']
            self.permissions['create-d'] = ['admin', 'user', 'bot', 'app']  # permissions.ts defaults
            self.permissions['post-readonly'] = ['admin', 'owner', 'moderator']
            self.messages: list[dict] = []  # what chat.postMessage posted
            self.integrations: dict[str, dict] = {}  # insertion ordered
            self.history: dict[str, list[dict]] = {}  # integration id -> IntegrationHistory rows
            # every secret the double ever handed out or was given, for tests that scan output for leaks
            self.issued_secrets: list[str] = []
            self.add_user('rocket.cat', roles=['bot'])
            self.add_room('general', room_id='GENERAL')  # the default room's _id is GENERAL on every server

    def add_user(self, username: str, password: str | None = None, roles: list[str] | None = None,
                 permissions: list[str] | None = None) -> dict:
        with self.lock:
            for user in self.users.values():
                if user['username'] == username:
                    raise ValueError('user %s exists' % username)
            user_id = new_id()
            roles = list(roles if roles is not None else ['user'])
            if permissions:
                # A role of the user's own carries the requested permissions, as an admin would set up.
                own_role = 'role-%s' % username
                roles.append(own_role)
                for permission in permissions:
                    self.permissions.setdefault(permission, [])
                    if own_role not in self.permissions[permission]:
                        self.permissions[permission].append(own_role)
            if password:
                self.issued_secrets.append(password)
            user = {'_id': user_id, 'username': username, 'password': password, 'roles': roles,
                    'active': True, 'type': 'user', 'name': username}
            self.users[user_id] = user
            self.persist()
            return user

    def add_room(self, name: str | None, private: bool = False, members: list[str] | None = None,
                 room_id: str | None = None, direct: bool = False) -> dict:
        """A public (c) or private (p) room, or a direct message (d, no name, its _id the members' ids joined)."""
        with self.lock:
            members = list(members or [])
            if direct:
                ids = sorted({self.user_by_name(member)['_id'] for member in members})
                room = {'_id': room_id or ''.join(ids), 'name': None, 't': 'd', 'members': members, 'uids': ids}
            else:
                room = {'_id': room_id or new_id(), 'name': name, 't': 'p' if private else 'c', 'members': members}
            self.rooms[room['_id']] = room
            self.persist()
            return room

    def direct_room(self, user: dict, other: dict) -> dict | None:
        """Rooms.findOneDirectRoomContainingAllUserIDs."""
        wanted = sorted({user['_id'], other['_id']})
        with self.lock:
            return next((room for room in self.rooms.values()
                         if room.get('t') == 'd' and sorted(set(room.get('uids', []))) == wanted), None)

    def post_message(self, user: dict, room: dict, text: str) -> dict:
        with self.lock:
            message = {'_id': new_id(), 'rid': room['_id'], 'msg': text, 'ts': now_iso(),
                       'u': {'_id': user['_id'], 'username': user['username']}}
            self.messages.append(message)
            self.persist()
            return copy.deepcopy(message)

    def archive_room(self, name: str, archived: bool = True) -> None:
        with self.lock:
            self.room_by_name(name)['archived'] = archived
            self.persist()

    def set_user_active(self, username: str, active: bool) -> None:
        with self.lock:
            self.user_by_name(username)['active'] = active
            self.persist()

    def delete_user(self, username: str) -> None:
        """deleteUser.ts: Integrations.disableByUserId disables what posts as the user (bumping _updatedAt);
        _createdBy of what the user created is left as it was."""
        with self.lock:
            user_id = self.user_by_name(username)['_id']
            del self.users[user_id]
            for doc in self.integrations.values():
                if doc.get('userId') == user_id:
                    doc['enabled'] = False
                    doc['_updatedAt'] = now_iso()
            self.persist()

    def delete_room(self, name: str) -> None:
        with self.lock:
            del self.rooms[self.room_by_name(name)['_id']]
            self.persist()

    def record_deliveries(self, integration_id: str, deliveries: list[dict], now: datetime.datetime) -> list[dict]:
        """The IntegrationHistory rows each delivery leaves (deliveries.py), oldest first in `deliveries`, each
        starting at its `at` or, without one, a second after the one before and the last a second before `now`
        (the server's clock); a retry whose time has not come yet is still to run. A 410 with a body disables the
        integration, as triggerHandler does."""
        with self.lock:
            doc = self.integrations[integration_id]
            rows = self.history.setdefault(integration_id, [])
            written = []
            for index, delivery in enumerate(deliveries):
                start = (parse_iso(delivery['at']) if delivery.get('at')
                         else now - datetime.timedelta(seconds=len(deliveries) - index))
                new_rows, gone = delivery_rows(doc, delivery, start, now)
                rows.extend(new_rows)
                written.extend(new_rows)
                if gone:
                    doc['enabled'] = False
                    doc['_updatedAt'] = new_rows[-1]['_updatedAt']  # Integrations.updateOne sets _updatedAt
            self.persist()
            return written

    def age(self, days: float) -> None:
        """Time passes for what is stored: every integration's and history row's dates move `days` into the past
        (what a test would otherwise wait for, such as a quarantine's grace period)."""
        shift = datetime.timedelta(days=days)
        with self.lock:
            for doc in list(self.integrations.values()) + [row for rows in self.history.values() for row in rows]:
                for key in ('_createdAt', '_updatedAt'):
                    if isinstance(doc.get(key), str):
                        doc[key] = (parse_iso(doc[key]) - shift).isoformat(timespec='milliseconds').replace(
                            '+00:00', 'Z')
            self.persist()

    def clear_history(self, integration_id: str) -> None:
        """clearIntegrationHistory: every row of the integration goes, and nothing records that it happened."""
        with self.lock:
            self.history.pop(integration_id, None)
            self.persist()

    def issue_token(self, user_id: str) -> str:
        with self.lock:
            token = new_token(43)
            self.tokens[token] = user_id
            self.issued_secrets.append(token)
            self.persist()
            return token

    def revoke_token(self, token: str) -> None:
        with self.lock:
            self.tokens.pop(token, None)
            self.persist()

    # ---- persistence -----------------------------------------------------------------------
    def snapshot(self) -> dict:
        with self.lock:
            return {
                'users': copy.deepcopy(self.users),
                'tokens': dict(self.tokens),
                'rooms': copy.deepcopy(self.rooms),
                'permissions': copy.deepcopy(self.permissions),
                'integrations': list(copy.deepcopy(self.integrations).values()),
                'history': copy.deepcopy(self.history),
                'messages': copy.deepcopy(self.messages),
                'issued_secrets': list(self.issued_secrets),
            }

    def load(self, path: str) -> None:
        with open(path, encoding='utf-8') as handle:
            data = json.load(handle)
        with self.lock:
            self.users = data['users']
            self.tokens = data['tokens']
            self.rooms = data['rooms']
            self.permissions = data['permissions']
            self.integrations = {doc['_id']: doc for doc in data['integrations']}
            self.history = data.get('history', {})
            self.messages = data.get('messages', [])
            self.issued_secrets = data.get('issued_secrets', [])

    def persist(self) -> None:
        if not self.state_file:
            return
        with self.lock:
            temp_path = self.state_file + '.tmp'
            with open(temp_path, 'w', encoding='utf-8') as handle:
                json.dump(self.snapshot(), handle)
            os.replace(temp_path, self.state_file)

    # ---- lookups ---------------------------------------------------------------------------
    def user_by_token(self, user_id: str | None, token: str | None) -> dict | None:
        with self.lock:
            if not user_id or not token or self.tokens.get(token) != user_id:
                return None
            return self.users.get(user_id)

    def user_by_login(self, login: str) -> dict | None:
        with self.lock:
            for user in self.users.values():
                if login in (user['username'], user.get('email')):
                    return user
        return None

    def user_by_name(self, username: str) -> dict | None:
        with self.lock:
            for user in self.users.values():
                if user['username'] == username or user['_id'] == username:
                    return user
        return None

    def room_by_name(self, name: str) -> dict | None:
        with self.lock:
            for room in self.rooms.values():
                if room['name'] == name or room['_id'] == name:
                    return room
        return None

    def history_rows(self, user: dict, integration_id: str, now: datetime.datetime) -> list[dict]:
        """mountIntegrationHistoryQueryBasedOnPermissions: every row with manage-outgoing-integrations, else only
        the rows of integrations the caller created. Rows whose _updatedAt is more than 30 days old on the server's
        clock are gone (the TTL index)."""
        with self.lock:
            kept = [row for row in self.history.get(integration_id, [])
                    if parse_iso(row['_updatedAt']) >= now - HISTORY_TTL]
            if integration_id in self.history:
                self.history[integration_id] = kept
            rows = copy.deepcopy(kept)
        if not self.has_permission(user, 'manage-outgoing-integrations'):
            rows = [row for row in rows if (row['integration'].get('_createdBy') or {}).get('_id') == user['_id']]
        return rows

    def has_permission(self, user: dict, permission: str) -> bool:
        with self.lock:
            allowed = self.permissions.get(permission, [])
            return any(role in allowed for role in user.get('roles', []))

    def has_any(self, user: dict, permissions) -> bool:
        return any(self.has_permission(user, name) for name in permissions)

    # ---- integrations ------------------------------------------------------------------------
    def visible_query(self, user: dict):
        """mountIntegrationQueryBasedOnPermissions: a predicate over integration documents."""
        all_outgoing = self.has_permission(user, 'manage-outgoing-integrations')
        all_incoming = self.has_permission(user, 'manage-incoming-integrations')
        own_outgoing = self.has_permission(user, 'manage-own-outgoing-integrations')
        own_incoming = self.has_permission(user, 'manage-own-incoming-integrations')
        uid = user['_id']

        def created_by_caller(doc):
            return (doc.get('_createdBy') or {}).get('_id') == uid

        if all_outgoing and all_incoming:
            return lambda doc: True
        if own_outgoing and own_incoming:
            return created_by_caller

        def union(doc):
            if doc['type'] == 'webhook-outgoing':
                return all_outgoing or (own_outgoing and created_by_caller(doc))
            if doc['type'] == 'webhook-incoming':
                return all_incoming or (own_incoming and created_by_caller(doc))
            return False
        return union

    def list_integrations(self, user: dict, name: str | None, type_: str | None) -> list[dict]:
        visible = self.visible_query(user)
        name_re = re.compile(re.escape(name), re.IGNORECASE) if name else None
        with self.lock:
            docs = [doc for doc in self.integrations.values() if visible(doc)]
        if name_re is not None:
            docs = [doc for doc in docs if name_re.search(doc.get('name', ''))]
        if type_:
            docs = [doc for doc in docs if doc['type'] == type_]
        return docs

    def can_manage(self, user: dict, doc: dict) -> bool:
        kind = 'incoming' if doc['type'] == 'webhook-incoming' else 'outgoing'
        if self.has_permission(user, 'manage-%s-integrations' % kind):
            return True
        if (doc.get('_createdBy') or {}).get('_id') == user['_id']:
            return self.has_permission(user, 'manage-own-%s-integrations' % kind)
        return False

    def _find_channel(self, channel: str):
        return self.room_by_name(channel[1:]) if channel[0] == '#' else self.user_by_name(channel[1:])

    def _validate_channels(self, channel_value, method: str) -> list[str]:
        """Incoming: a CSV of #room/@user, each of which must exist."""
        if not isinstance(channel_value, str):
            raise LogicError('error-invalid-channel', 'Invalid channel', method)
        channels = [part.strip() for part in channel_value.split(',') if part.strip()]
        if not channels:
            raise LogicError('error-invalid-channel', 'Invalid channel', method)
        for channel in channels:
            if channel[0] not in '#@':
                raise LogicError('error-invalid-channel-start-with-chars', 'Invalid channel. Start with @ or #', method)
        for channel in channels:
            if self._find_channel(channel) is None:
                raise LogicError('error-invalid-room', 'Invalid room', method)
        return channels

    def _post_as(self, username, method: str) -> dict:
        if not isinstance(username, str) or not username.strip():
            raise LogicError('error-invalid-username', 'Invalid username', method)
        post_as = self.user_by_name(username)
        if post_as is None:
            raise LogicError('error-invalid-user', 'Invalid user', method)
        return post_as

    def _incoming_fields(self, body: dict, method: str, post_as: dict) -> dict:
        fields = {
            'name': body['name'],
            'enabled': body['enabled'],
            'username': post_as['username'],
            'userId': post_as['_id'],
            'channel': self._validate_channels(body.get('channel'), method),
            'scriptEnabled': body['scriptEnabled'],
            'scriptEngine': 'isolated-vm',
        }
        for key in ('alias', 'avatar', 'emoji', 'script'):
            if key in body and body[key] is not None:
                fields[key] = body[key]
        return fields

    def _outgoing_fields(self, user: dict, body: dict, method: str) -> dict:
        """validateOutgoingIntegration: checks, then the document as the server stores it. Keys the body leaves
        out stay out, so that an update keeps their stored values (Meteor's ignoreUndefined)."""
        event = body.get('event')
        if not isinstance(event, str) or event not in EVENT_USES:
            raise LogicError('error-invalid-event-type', 'Invalid event type', method)
        uses = EVENT_USES[event]
        self._post_as(body.get('username'), method)
        if uses['targetRoom'] and not body.get('targetRoom'):
            raise LogicError('error-invalid-targetRoom', 'Invalid Target Room', method)
        urls = body.get('urls')
        if not isinstance(urls, list) or not all(isinstance(url, str) for url in urls):
            raise LogicError('error-invalid-urls', 'Invalid URLs', method)
        urls = [url for url in urls if url and url.strip()]  # blank entries dropped, the others kept as sent
        if not urls:
            raise LogicError('error-invalid-urls', 'Invalid URLs', method)
        channels: list[str] = []
        manage_all = self.has_permission(user, 'manage-outgoing-integrations')
        if uses['channel']:
            channel_value = body.get('channel')
            if not isinstance(channel_value, str):
                raise LogicError('error-invalid-channel', 'Invalid Channel', method)
            channels = [part.strip() for part in channel_value.split(',') if part.strip()]
            for channel in channels:
                if channel[0] not in '#@' and channel.lower() not in SCOPED_CHANNELS:
                    raise LogicError('error-invalid-channel-start-with-chars', 'Invalid channel. Start with @ or #',
                                     method)
        elif not manage_all:
            raise LogicError('error-invalid-permissions', 'Invalid permission for required Integration creation.',
                             method)
        post_as = self.user_by_name(body['username'])
        kept_as_sent = ('name', 'enabled', 'scriptEnabled', 'alias', 'avatar', 'emoji', 'script', 'targetRoom', 'token',
                        'triggerWordAnywhere', 'impersonateUser', 'retryFailedCalls', 'retryCount', 'retryDelay')
        fields = {key: body[key] for key in kept_as_sent if key in body and body[key] is not None}
        fields.update({'event': event, 'urls': urls, 'channel': channels, 'username': post_as['username'],
                       'userId': post_as['_id'], 'scriptEngine': 'isolated-vm'})
        if uses['triggerWords'] and body.get('triggerWords'):
            fields['triggerWords'] = [word for word in body['triggerWords'] if word and word.strip()]
        if 'runOnEdits' in body and body['runOnEdits'] is not None:
            fields['runOnEdits'] = body['runOnEdits'] is True
        for channel in channels:
            if channel in SCOPED_CHANNELS:
                if channel != 'all_public_channels' and not manage_all:
                    raise LogicError('error-invalid-channel', 'Invalid Channel', method)
            elif self._find_channel(channel) is None:
                raise LogicError('error-invalid-room', 'Invalid room', method)
        if fields.get('targetRoom'):
            target = fields['targetRoom']
            if target[:1] not in ('#', '@') or self._find_channel(target) is None:
                raise LogicError('error-invalid-targetRoom', 'Invalid Target Room', method)
        if fields.get('retryFailedCalls'):
            count = fields.get('retryCount')
            fields['retryCount'] = int(count) if isinstance(count, (int, float)) and int(count) > 0 else 4
            delay = fields.get('retryDelay')
            fields['retryDelay'] = delay.lower() if isinstance(delay, str) and delay.strip() else 'powers-of-ten'
        return fields

    def create(self, user: dict, body: dict) -> dict:
        type_ = body['type']
        if type_ == 'webhook-incoming':
            method = 'addIncomingIntegration'
            if not self.has_any(user, ('manage-incoming-integrations', 'manage-own-incoming-integrations')):
                raise LogicError('not_authorized', 'Unauthorized', method)
            fields = self._incoming_fields(body, method, self._post_as(body.get('username'), method))
            fields['overrideDestinationChannelEnabled'] = bool(body.get('overrideDestinationChannelEnabled', False))
            fields['token'] = new_token(48)
        elif type_ == 'webhook-outgoing':
            method = 'addOutgoingIntegration'
            if not self.has_any(user, ('manage-outgoing-integrations', 'manage-own-outgoing-integrations')):
                raise LogicError('not_authorized', '', None)
            fields = self._outgoing_fields(user, body, method)
            fields.setdefault('runOnEdits', False)
        else:
            raise Failure('Invalid integration type.')
        doc = {'_id': new_id(), 'type': type_}
        doc.update(fields)
        with self.lock:
            # stamped as it is stored, so that _createdAt order is the order creates became visible in
            stamp = now_iso()
            doc.update({'_createdAt': stamp, '_createdBy': {'_id': user['_id'], 'username': user['username']},
                        '_updatedAt': stamp})
            self.integrations[doc['_id']] = doc
            self._remember_integration_secrets(doc)
            self.persist()
        return copy.deepcopy(doc)

    def bulk_insert(self, docs: list[dict], created_by: dict) -> list[str]:
        """Control-API seeding: fill in the server-side fields and store without validation."""
        ids = []
        post_as = self.user_by_name('rocket.cat')
        with self.lock:
            for partial in docs:
                stamp = now_iso()
                doc = {
                    '_id': partial.get('_id') or new_id(),
                    'type': partial.get('type', 'webhook-incoming'),
                    'name': partial.get('name', 'seeded'),
                    'enabled': partial.get('enabled', True),
                    'username': post_as['username'],
                    'userId': post_as['_id'],
                    'channel': ['#general'],
                    'scriptEnabled': False,
                    'scriptEngine': 'isolated-vm',
                    '_createdAt': stamp,
                    '_createdBy': {'_id': created_by['_id'], 'username': created_by['username']},
                    '_updatedAt': stamp,
                }
                if doc['type'] == 'webhook-incoming':
                    doc.update({'token': new_token(48), 'overrideDestinationChannelEnabled': False})
                else:
                    doc.update({'event': 'sendMessage', 'urls': ['https://example.invalid/hook/%s' % doc['_id']],
                                'runOnEdits': False})
                for key, value in partial.items():
                    if key not in ('_id', 'created_by'):
                        doc[key] = value
                self.integrations[doc['_id']] = doc
                self._remember_integration_secrets(doc)
                ids.append(doc['_id'])
            self.persist()
        return ids

    def _remember_integration_secrets(self, doc: dict) -> None:
        if doc.get('token'):
            self.issued_secrets.append(doc['token'])
            # the incoming hook URL embeds the token
            self.issued_secrets.append('/hooks/%s/%s' % (doc['_id'], doc['token']))

    def find(self, integration_id: str | None = None, target_url: str | None = None) -> dict | None:
        with self.lock:
            if target_url is not None:
                for doc in self.integrations.values():
                    if target_url in (doc.get('urls') or []):
                        return doc
                return None
            return self.integrations.get(integration_id)

    def update(self, user: dict, doc: dict, body: dict, dialect: str = 'v-b') -> dict:
        """Keys the body leaves out keep their stored values ($set with ignoreUndefined)."""
        outgoing = body['type'] == 'webhook-outgoing'
        kind = 'Outgoing' if outgoing else 'Incoming'
        method = 'update%sIntegration' % kind
        if not self.can_manage(user, dict(doc, type=body['type'])):
            if self.has_permission(user, 'manage-own-%s-integrations' % kind.lower()):
                # the own-only query finds nothing: what the real server answers for someone else's integration
                if outgoing:
                    raise LogicError('invalid_integration', '[methods] updateOutgoingIntegration -> integration not '
                                     'found', method)
                raise LogicError('error-invalid-integration', 'Invalid integration', method)
            raise LogicError('not_authorized', 'Unauthorized', method)
        if outgoing:
            if not body.get('token'):
                raise LogicError('error-invalid-token', 'Invalid token', method)
            fields = self._outgoing_fields(user, body, method)
        else:
            post_as = {'username': doc['username'], '_id': doc.get('userId')}
            if dialect != 'v-a' and body.get('username') is not None:
                # 7.x and later store a new post-as user; 6.x keeps the old one without a word
                post_as = self._post_as(body['username'], method)
            fields = self._incoming_fields(body, method, post_as)
            if 'overrideDestinationChannelEnabled' in body:
                fields['overrideDestinationChannelEnabled'] = bool(body['overrideDestinationChannelEnabled'])
        with self.lock:
            current = self.integrations[doc['_id']]
            current.update(fields)
            self._remember_integration_secrets(current)
            current['_updatedAt'] = now_iso()
            current['_updatedBy'] = {'_id': user['_id'], 'username': user['username']}
            self.persist()
            return copy.deepcopy(current)

    def remove(self, user: dict, doc: dict, body_type: str) -> dict:
        kind = 'Outgoing' if body_type == 'webhook-outgoing' else 'Incoming'
        method = 'delete%sIntegration' % kind
        lower = kind.lower()
        if self.has_permission(user, 'manage-%s-integrations' % lower):
            allowed = True
        elif self.has_permission(user, 'manage-own-%s-integrations' % lower):
            allowed = (doc.get('_createdBy') or {}).get('_id') == user['_id']
            if not allowed:
                raise LogicError('error-invalid-integration', 'Invalid integration', method)
        else:
            raise LogicError('not_authorized', 'Unauthorized', method)
        with self.lock:
            # The route found the integration, then the method deletes by id: two removes of one id that both
            # found it both succeed (deleteIncomingIntegration.ts / deleteOutgoingIntegration.ts: removeById).
            self.integrations.pop(doc['_id'], None)
            self.history.pop(doc['_id'], None)  # deleteOutgoingIntegration removes its history too
            self.persist()
        return copy.deepcopy(doc)
