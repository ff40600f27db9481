# Copyright (c) 2026 chatops.rocketchat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""In-memory state of the Rocket.Chat API double: users, rooms, permissions, integrations.

The rules here follow ../shared/rocketchat-api.md (the 7.x/8.x line) and Rocket.Chat's own
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

INTEGRATION_PERMISSIONS = (
    'manage-incoming-integrations',
    'manage-own-incoming-integrations',
    'manage-outgoing-integrations',
    'manage-own-outgoing-integrations',
)
OUTGOING_EVENTS = (
    'sendMessage', 'messageEdited', 'messageDeleted', 'fileUploaded', 'roomArchived',
    'roomCreated', 'roomJoined', 'roomLeft', 'userCreated',
)
EVENTS_NEEDING_MANAGE_OUTGOING = ('roomArchived', 'roomCreated', 'userCreated')
TOKEN_ALPHABET = string.ascii_letters + string.digits


def now_iso() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec='milliseconds').replace('+00:00', 'Z')


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
            self.integrations: dict[str, dict] = {}  # insertion ordered
            # every secret the double ever handed out or was given, for tests that scan output for leaks
            self.issued_secrets: list[str] = []
            self.add_user('rocket.cat', roles=['bot'])
            self.add_room('general')

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

    def add_room(self, name: str) -> dict:
        with self.lock:
            room = {'_id': new_id(), 'name': name, 't': 'c'}
            self.rooms[room['_id']] = room
            self.persist()
            return room

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

    def _validate_channels(self, channel_value, method: str, outgoing: bool) -> list[str]:
        if not isinstance(channel_value, str):
            raise LogicError('error-invalid-channel', 'Invalid Channel' if outgoing else 'Invalid channel', method)
        channels = [part.strip() for part in channel_value.split(',') if part.strip()]
        if not channels and not outgoing:
            raise LogicError('error-invalid-channel', 'Invalid channel', method)
        for channel in channels:
            if channel[0] not in '#@':
                raise LogicError('error-invalid-channel-start-with-chars', 'Invalid channel. Start with @ or #', method)
        for channel in channels:
            found = self.room_by_name(channel[1:]) if channel[0] == '#' else self.user_by_name(channel[1:])
            if found is None:
                raise LogicError('error-invalid-room', 'Invalid room', method)
        return channels

    def _common_fields(self, body: dict, method: str, outgoing: bool) -> dict:
        if not body.get('username', '').strip():
            raise LogicError('error-invalid-username', 'Invalid username', method)
        channels = self._validate_channels(body.get('channel'), method, outgoing)
        post_as = self.user_by_name(body['username'])
        if post_as is None:
            raise LogicError('error-invalid-user', 'Invalid user', method)
        fields = {
            'name': body['name'],
            'enabled': body['enabled'],
            'username': post_as['username'],
            'userId': post_as['_id'],
            'channel': channels,
            'scriptEnabled': body['scriptEnabled'],
            'scriptEngine': 'isolated-vm',
        }
        for key in ('alias', 'avatar', 'emoji', 'script'):
            if key in body and body[key] is not None:
                fields[key] = body[key]
        return fields

    def _outgoing_fields(self, user: dict, body: dict, method: str) -> dict:
        event = body.get('event')
        if event not in OUTGOING_EVENTS:
            raise LogicError('error-invalid-event-type', 'Invalid event type', method)
        if event in EVENTS_NEEDING_MANAGE_OUTGOING and not self.has_permission(user, 'manage-outgoing-integrations'):
            raise LogicError('not_authorized', '', None)
        urls = [url.strip() for url in (body.get('urls') or []) if url and url.strip()]
        if not urls:
            raise LogicError('error-invalid-urls', 'Invalid URLs', method)
        fields = self._common_fields(body, method, outgoing=True)
        if event == 'userCreated' and not body.get('targetRoom'):
            raise LogicError('error-invalid-targetRoom', 'Invalid Target Room', method)
        if body.get('targetRoom'):
            target = body['targetRoom']
            found = self.room_by_name(target[1:]) if target[:1] == '#' else self.user_by_name(target[1:])
            if target[:1] not in ('#', '@') or found is None:
                raise LogicError('error-invalid-targetRoom', 'Invalid Target Room', method)
            fields['targetRoom'] = target
        fields.update({'event': event, 'urls': urls, 'runOnEdits': bool(body.get('runOnEdits', False))})
        if body.get('triggerWords'):
            fields['triggerWords'] = [word.strip() for word in body['triggerWords'] if word.strip()]
        for key in ('triggerWordAnywhere', 'retryFailedCalls', 'retryCount', 'retryDelay', 'impersonateUser'):
            if key in body and body[key] is not None:
                fields[key] = body[key]
        if body.get('token'):
            fields['token'] = body['token']
        return fields

    def create(self, user: dict, body: dict) -> dict:
        type_ = body['type']
        if type_ == 'webhook-incoming':
            method = 'addIncomingIntegration'
            if not self.has_any(user, ('manage-incoming-integrations', 'manage-own-incoming-integrations')):
                raise LogicError('not_authorized', 'Unauthorized', method)
            fields = self._common_fields(body, method, outgoing=False)
            fields['overrideDestinationChannelEnabled'] = bool(body.get('overrideDestinationChannelEnabled', False))
            fields['token'] = new_token(48)
        elif type_ == 'webhook-outgoing':
            method = 'addOutgoingIntegration'
            if not self.has_any(user, ('manage-outgoing-integrations', 'manage-own-outgoing-integrations')):
                raise LogicError('not_authorized', '', None)
            fields = self._outgoing_fields(user, body, method)
        else:
            raise Failure('Invalid integration type.')
        stamp = now_iso()
        doc = {'_id': new_id(), 'type': type_}
        doc.update(fields)
        doc.update({'_createdAt': stamp, '_createdBy': {'_id': user['_id'], 'username': user['username']},
                    '_updatedAt': stamp})
        with self.lock:
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

    def update(self, user: dict, doc: dict, body: dict) -> dict:
        outgoing = body['type'] == 'webhook-outgoing'
        kind = 'Outgoing' if outgoing else 'Incoming'
        method = 'update%sIntegration' % kind
        if not self.can_manage(user, dict(doc, type=body['type'])):
            raise LogicError('not_authorized', 'Unauthorized', method)
        if outgoing:
            if not body.get('token'):
                raise LogicError('error-invalid-token', 'Invalid token', method)
            fields = self._outgoing_fields(user, body, method)
        else:
            # updateIncomingIntegration keeps the post-as user and the token.
            fields = self._common_fields(dict(body, username=doc['username']), method, outgoing=False)
            if 'overrideDestinationChannelEnabled' in body:
                fields['overrideDestinationChannelEnabled'] = bool(body['overrideDestinationChannelEnabled'])
        with self.lock:
            current = self.integrations[doc['_id']]
            for key in ('alias', 'avatar', 'emoji', 'script', 'triggerWords', 'targetRoom', 'triggerWordAnywhere',
                        'retryFailedCalls', 'retryCount', 'retryDelay', 'impersonateUser'):
                if key not in fields:
                    current.pop(key, None)
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
            removed = self.integrations.pop(doc['_id'], None)
            self.persist()
        if removed is None or not allowed:
            raise Failure('No integration found.')
        return copy.deepcopy(removed)
