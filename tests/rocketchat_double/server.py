# Copyright (c) 2026 chatops.rocketchat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""HTTP front of the Rocket.Chat API double: routing, check order, rate limiting, faults, control API.

Check order (V-B): auth (401) -> rate limit (429) -> validation (400) -> route permission (403) -> logic.
The control API lives under /_double/, a prefix no real server has.
"""

from __future__ import annotations

import datetime
import http.server
import json
import math
import os
import random
import socket
import ssl
import threading
import time
import urllib.parse

from . import schemas
from .request_schemas import RequestSchemas
from .store import INTEGRATION_PERMISSIONS, Failure, LogicError, Store

CONTROL_PREFIX = '/_double/'
UNAUTHORIZED_V_B = {'success': False, 'error': 'You must be logged in to do this.', 'status': 'error',
                    'message': 'You must be logged in to do this.'}
UNAUTHORIZED_V_A = {'status': 'error', 'message': 'You must be logged in to do this.'}
ROUTE_DENIED_V_B = {'success': False,
                    'error': 'User does not have the permissions required for this action [error-unauthorized]'}
ROUTE_DENIED_V_A = {'success': False, 'error': 'unauthorized'}
# 8.x (shouldBreakInVersion('8.0.0')): 401 without status/message, route denial says error-forbidden.
UNAUTHORIZED_V_C = {'success': False, 'error': 'You must be logged in to do this.'}
ROUTE_DENIED_V_C = {'success': False,
                    'error': 'User does not have the permissions required for this action [error-forbidden]'}
DIALECTS = ('v-a', 'v-b', 'v-c')  # 6.4+ (6.x), 7.x, 8.x
HISTORY_PERMISSIONS = ('manage-outgoing-integrations', 'manage-own-outgoing-integrations')


class RateLimiter:
    """Fixed windows per endpoint+method+client address, like Rocket.Chat's DDPRateLimiter rules."""

    def __init__(self, enabled: bool = True, limit: int = 10, interval_ms: int = 60000):
        self.lock = threading.Lock()
        self.configure(enabled, limit, interval_ms)

    def configure(self, enabled: bool, limit: int, interval_ms: int) -> None:
        with self.lock:
            self.enabled = enabled
            self.limit = limit
            self.interval_ms = interval_ms
            self.windows: dict[tuple, list] = {}

    def hit(self, key: tuple, now: float) -> tuple[bool, int, int]:
        """Count one call at `now` (the server's clock). Returns (allowed, remaining, reset epoch ms)."""
        now_ms = int(now * 1000)
        with self.lock:
            window = self.windows.get(key)
            if window is None or now_ms >= window[0]:
                window = [now_ms + self.interval_ms, 0]
                self.windows[key] = window
            window[1] += 1
            allowed = window[1] <= self.limit
            return allowed, max(self.limit - window[1], 0), window[0]


class Gate:
    """Holds the first `count` requests to `path` until all of them have arrived (or `timeout` passes), then opens
    for good: N runs started together then all read the integrations before any of them writes, the worst case of
    two pipelines applying at once."""

    def __init__(self):
        self.condition = threading.Condition()
        self.path: str | None = None
        self.count = 0
        self.arrived = 0
        self.timeout = 0.0
        self.timed_out = False  # a request went through before all `count` had arrived: the overlap did not happen

    def arm(self, path: str | None, count: int = 0, timeout: float = 10.0) -> None:
        with self.condition:
            self.path, self.count, self.arrived, self.timeout = path, count, 0, timeout
            self.timed_out = False
            self.condition.notify_all()

    def report(self) -> dict:
        with self.condition:
            return {'arrived': self.arrived, 'count': self.count, 'open': self.path is None,
                    'timed_out': self.timed_out}

    def wait(self, path: str) -> None:
        with self.condition:
            if self.path is None or self.path != path:
                return
            self.arrived += 1
            if self.arrived >= self.count:
                self.path = None  # open for good
                self.condition.notify_all()
                return
            if not self.condition.wait_for(lambda: self.path is None, timeout=self.timeout):
                self.timed_out = True


class Faults:
    """Injected faults for the next N requests matching a method and path (after skipping `skip` of them).

    A rule may delay (delay_ms), drop the connection unanswered (drop), do the work and then drop the answer
    (drop_after), answer a status with a JSON body (status, body) or a raw text (raw, content_type, status).
    """

    def __init__(self):
        self.lock = threading.Lock()
        self.rules: list[dict] = []

    def add(self, rule: dict) -> None:
        rule = dict(rule)
        rule.setdefault('count', 1)
        rule.setdefault('skip', 0)
        with self.lock:
            self.rules.append(rule)

    def clear(self) -> None:
        with self.lock:
            self.rules = []

    def take(self, method: str, path: str) -> dict | None:
        with self.lock:
            for rule in self.rules:
                if rule.get('method') and rule['method'].upper() != method:
                    continue
                if rule.get('path') and rule['path'] not in path:
                    continue
                if rule['skip'] > 0:
                    rule['skip'] -= 1
                    return None
                rule['count'] -= 1
                if rule['count'] <= 0:
                    self.rules.remove(rule)
                return rule
        return None


class DoubleState:
    """Everything a handler needs, shared by all connections of one server."""

    def __init__(self, store: Store, idle_timeout: float, dialect: str = 'v-b',
                 request_schemas: RequestSchemas | None = None):
        self.store = store
        # Rocket.Chat's own validators; without them the double's approximation in schemas.py checks requests.
        self.request_schemas = request_schemas
        self.limiter = RateLimiter()
        self.faults = Faults()
        self.dialect = dialect
        self.idle_timeout = idle_timeout
        self.last_activity = time.monotonic()
        self.log_lock = threading.Lock()
        self.request_log: list[dict] = []
        self.version = '7.4'
        self.clock_offset = 0.0  # seconds the server's clock is ahead of this machine's (negative: behind)
        self.stable_paging = False  # True: integrations.list keeps insertion order without a sort (the old double)
        self.second_factor: dict[str, dict] = {}  # username -> {'method': 'email'|'totp', 'code': '123456'}
        self.restrict_users_info = False  # True: users.info of another user needs view-full-other-user-info
        # Seconds each API answer takes, half on the way in and half on the way back, to stand for a real network
        # (20-100 ms between a CI runner and Rocket.Chat); control calls answer at once.
        self.latency = 0.0
        self.gate = Gate()

    def now(self) -> float:
        """The server's clock: X-RateLimit-Reset, the Date header and the 429 text come from it."""
        return time.time() + self.clock_offset

    def now_datetime(self) -> datetime.datetime:
        return datetime.datetime.fromtimestamp(self.now(), tz=datetime.timezone.utc)

    def log(self, entry: dict) -> None:
        with self.log_lock:
            self.request_log.append(entry)


class ApiResponse(Exception):
    """Raised anywhere in a route to answer at once."""

    def __init__(self, status: int, body: dict | bytes, headers: dict | None = None,
                 content_type: str = 'application/json'):
        super().__init__(status)
        self.status = status
        self.body = body
        self.headers = headers or {}
        self.content_type = content_type


def failure(text: str) -> ApiResponse:
    return ApiResponse(400, {'success': False, 'error': text})


def invalid_params(message: str) -> ApiResponse:
    return ApiResponse(400, {'success': False, 'error': '%s [invalid-params]' % message, 'errorType': 'invalid-params'})


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    server_version = 'RocketChatDouble/1.0'
    disable_nagle_algorithm = True
    state: DoubleState  # set on the subclass made per server

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        """Quiet: the request log of the control API is the record."""

    # ---- plumbing ------------------------------------------------------------------------------
    def date_time_string(self, timestamp=None):
        return super().date_time_string(self.state.now() if timestamp is None else timestamp)

    def _send(self, status: int, body, headers: dict | None = None, content_type: str = 'application/json') -> None:
        payload = body if isinstance(body, bytes) else json.dumps(body).encode('utf-8')
        self.send_response(status)
        self.send_header('Content-Type', content_type)
        self.send_header('Content-Length', str(len(payload)))
        for name, value in (headers or {}).items():
            self.send_header(name, str(value))
        self.end_headers()
        self.wfile.write(payload)

    def _read_raw_body(self) -> bytes:
        """The request body as sent; empty when there is none (GET), so the connection stays in step."""
        length = int(self.headers.get('Content-Length') or 0)
        return self.rfile.read(length) if length else b''

    def _read_body(self):
        raw = self._read_raw_body()
        if not raw:
            return {}
        try:
            return json.loads(raw)
        except ValueError as exc:
            raise ApiResponse(400, {'success': False, 'error': 'Invalid JSON body'}) from exc

    def _handle(self, method: str) -> None:
        state = self.state
        state.last_activity = time.monotonic()
        parsed = urllib.parse.urlsplit(self.path)
        path = parsed.path
        query = dict(urllib.parse.parse_qsl(parsed.query, keep_blank_values=True))
        if path.startswith(CONTROL_PREFIX):
            self._control(method, path[len(CONTROL_PREFIX):], query)
            return
        if state.latency:
            time.sleep(state.latency / 2)  # the request on its way
        state.gate.wait(path)
        entry = {'method': method, 'path': path, 'query': parsed.query, 'time': time.time()}
        fault = state.faults.take(method, path)
        if fault is not None and self._apply_fault(fault, entry):
            return
        content_type = 'application/json'
        try:
            body = self._read_body()
            status, payload, headers = self._route(method, path, query, body)
        except ApiResponse as answer:
            status, payload, headers, content_type = answer.status, answer.body, answer.headers, answer.content_type
        entry['status'] = status
        if fault is not None and fault.get('drop_after'):
            # The server did the work, and the answer is lost on the way back.
            entry['status'] = 'done-then-dropped'
            state.log(entry)
            self._drop()
            return
        state.log(entry)
        if state.latency:
            time.sleep(state.latency / 2)  # the answer on its way back
        self._send(status, payload, headers, content_type)

    def _drop(self) -> None:
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _apply_fault(self, fault: dict, entry: dict) -> bool:
        """Returns True when the fault replaced the answer."""
        if fault.get('delay_ms'):
            time.sleep(fault['delay_ms'] / 1000.0)
        if fault.get('drop'):
            entry['status'] = 'dropped'
            self.state.log(entry)
            self._drop()
            return True
        if fault.get('status') or fault.get('raw'):
            entry['status'] = fault.get('status', 200)
            self.state.log(entry)
            self._read_raw_body()
            raw = fault.get('raw')
            if raw is not None:
                self._send(fault.get('status', 200), raw.encode('utf-8'),
                           content_type=fault.get('content_type', 'text/html'))
            else:
                self._send(fault['status'], fault.get('body', {'success': False, 'error': 'injected fault'}))
            return True
        return False

    def do_GET(self):  # pylint: disable=invalid-name
        self._handle('GET')

    def do_POST(self):  # pylint: disable=invalid-name
        self._handle('POST')

    def do_PUT(self):  # pylint: disable=invalid-name
        self._handle('PUT')

    def do_DELETE(self):  # pylint: disable=invalid-name
        self._handle('DELETE')

    # ---- the API --------------------------------------------------------------------------------
    def _by_dialect(self, v_a, v_b, v_c):
        return {'v-a': v_a, 'v-b': v_b, 'v-c': v_c}[self.state.dialect]

    def _authenticate(self):
        user = self.state.store.user_by_token(self.headers.get('X-User-Id'), self.headers.get('X-Auth-Token'))
        if user is None:
            raise ApiResponse(401, self._by_dialect(UNAUTHORIZED_V_A, UNAUTHORIZED_V_B, UNAUTHORIZED_V_C))
        return user

    def _rate_limit(self, user: dict | None, method: str, path: str) -> dict:
        """user None: login, which has no user yet, so nothing bypasses its limit."""
        limiter = self.state.limiter
        if not limiter.enabled or (user is not None
                                   and self.state.store.has_permission(user, 'api-bypass-rate-limit')):
            return {}
        now = self.state.now()
        allowed, remaining, reset_ms = limiter.hit((path, method, self.client_address[0]), now)
        headers = {'X-RateLimit-Limit': limiter.limit, 'X-RateLimit-Remaining': remaining,
                   'X-RateLimit-Reset': reset_ms}
        if not allowed:
            wait = max(math.ceil((reset_ms - now * 1000) / 1000.0), 0)
            raise ApiResponse(429, {'success': False, 'error': (
                'Error, too many requests. Please slow down. You must wait %d seconds before trying this '
                'endpoint again. [error-too-many-requests]' % wait)}, headers)
        return headers

    def _route(self, method: str, path: str, query: dict, body) -> tuple[int, dict, dict]:
        if path == '/api/info' and method == 'GET':
            return 200, {'version': self.state.version, 'minimumClientVersions': {'desktop': '3.9.6', 'mobile': '4.39.0'},
                         'supportedVersions': 'eyJhbGciOiJub25lIn0.e30.', 'success': True}, {}
        if path == '/api/v1/login' and method == 'POST':
            headers = self._rate_limit(None, method, path)
            status, payload = self._login(body)
            return status, payload, headers
        endpoint = path[len('/api/v1/'):] if path.startswith('/api/v1/') else None
        routes = {
            ('logout', 'POST'): self._logout, ('me', 'GET'): self._me,
            ('integrations.create', 'POST'): self._create, ('integrations.list', 'GET'): self._list,
            ('integrations.get', 'GET'): self._get, ('integrations.update', 'PUT'): self._update,
            ('integrations.remove', 'POST'): self._remove, ('integrations.history', 'GET'): self._history,
            ('permissions.listAll', 'GET'): self._permissions,
            ('users.info', 'GET'): self._users_info, ('rooms.info', 'GET'): self._rooms_info,
            ('integrations.clearHistory', 'POST'): self._clear_history,
            ('chat.postMessage', 'POST'): self._post_message,
        }
        route = routes.get((endpoint, method))
        if route is None:
            # Real 7.x/8.x servers hand unknown paths to the web app: not JSON.
            raise ApiResponse(404, b'<!DOCTYPE html><html><head><title>Rocket.Chat</title></head><body>Not Found'
                                   b'</body></html>', content_type='text/html; charset=utf-8')
        user = self._authenticate()
        headers = self._rate_limit(user, method, path)
        try:
            status, payload = route(user, query, body)
        except ApiResponse as answer:
            answer.headers.update(headers)
            raise
        except LogicError as error:
            return 400, error.body(), headers
        except Failure as error:
            return 400, {'success': False, 'error': error.text}, headers
        return status, payload, headers

    def _login(self, body) -> tuple[int, dict]:
        login = body.get('user') or body.get('username') or body.get('email')
        user = self.state.store.user_by_login(login) if isinstance(login, str) else None
        if user is None or not user.get('password') or user['password'] != body.get('password'):
            message = 'Incorrect password' if user is not None else 'User not found'
            return 401, self._by_dialect({'status': 'error', 'error': 403, 'message': message, 'success': False},
                                         {'status': 'error', 'error': 403, 'message': message, 'success': False},
                                         {'success': False, 'error': 'unauthorized'})
        second = self.state.second_factor.get(user['username'])
        if second and body.get('code') != second['code']:
            if body.get('code') is None:
                return 401, self._by_dialect(
                    *([{'success': False, 'status': 'error', 'error': 'totp-required', 'message': 'TOTP Required',
                        'details': {'method': second['method'], 'codeGenerated': second['method'] == 'email',
                                    'availableMethods': [second['method']]}}] * 2
                      + [{'success': False, 'error': 'unauthorized'}]))
            return 401, self._by_dialect(
                *([{'success': False, 'status': 'error', 'error': 'totp-invalid', 'message': 'TOTP Invalid [totp-invalid]',
                    'details': {'method': second['method']}}] * 2 + [{'success': False, 'error': 'unauthorized'}]))
        token = self.state.store.issue_token(user['_id'])
        me = {key: user[key] for key in ('_id', 'username', 'name', 'roles', 'active')}
        answer = {'status': 'success', 'data': {'userId': user['_id'], 'authToken': token, 'me': me}}
        if self.state.dialect != 'v-a':
            answer['success'] = True
        return 200, answer

    def _logout(self, user, query, body):
        del user, query, body
        self.state.store.revoke_token(self.headers.get('X-Auth-Token'))
        return 200, {'status': 'success', 'data': {'message': "You've been logged out!"}}

    def _me(self, user, query, body):
        del query, body
        me = {key: user[key] for key in ('_id', 'username', 'name', 'roles', 'active')}
        me['success'] = True
        return 200, me

    def _permissions(self, user, query, body):
        del user, query, body
        with self.state.store.lock:
            update = [{'_id': name, 'roles': list(roles), '_updatedAt': '2026-01-01T00:00:00.000Z'}
                      for name, roles in self.state.store.permissions.items()]
        return 200, {'update': update, 'remove': [], 'success': True}

    def _route_permission(self, user, permissions) -> None:
        if not self.state.store.has_any(user, permissions):
            raise ApiResponse(403, self._by_dialect(ROUTE_DENIED_V_A, ROUTE_DENIED_V_B, ROUTE_DENIED_V_C))

    def _validate(self, data, schema, query: bool = False) -> None:
        if self.state.request_schemas is not None:
            endpoint = urllib.parse.urlsplit(self.path).path.rsplit('/', 1)[-1]
            verdict = self.state.request_schemas.check(self.state.dialect, endpoint, data)
            message = None if verdict['ok'] else '\n '.join(verdict['messages'])
            if isinstance(verdict.get('data'), dict) and isinstance(data, dict):
                data.update(verdict['data'])  # what the server goes on with: its Ajv may have coerced types
        else:
            message = schemas.validate(data, schema)
        if message:
            if self.state.dialect == 'v-c' and query:
                # 8.x typed routes compile query schemas with ajvQuery: no suffix, another errorType
                raise ApiResponse(400, {'success': False, 'errorType': 'error-invalid-params',
                                        'error': message.replace('\n ', '\n')})
            raise invalid_params(message)

    def _create(self, user, query, body):
        del query
        self._validate(body, schemas.CREATE)
        return 200, {'integration': self.state.store.create(user, body), 'success': True}

    def _list(self, user, query, body):
        del body
        if self.state.dialect == 'v-a':
            self._route_permission(user, INTEGRATION_PERMISSIONS)
            name, type_ = None, None
        else:
            self._validate(query, schemas.LIST, query=True)
            self._route_permission(user, INTEGRATION_PERMISSIONS)
            name, type_ = query.get('name') or None, query.get('type') or None
        offset, count = _pagination(query)
        sort = _parse_sort(query['sort']) if 'sort' in query else {'ts': -1}
        docs = self.state.store.list_integrations(user, name, type_)
        if query.get('query'):
            # 7.0-8.8.1 accept a JSON `query` (parseJsonQuery): its plain equality keys narrow the list here.
            try:
                wanted = json.loads(query['query'])
            except ValueError:
                raise ApiResponse(400, {'success': False, 'error': 'Invalid query parameter provided: "%s" '
                                        '[error-invalid-query]' % query['query'],
                                        'errorType': 'error-invalid-query'}) from None
            if isinstance(wanted, dict):
                docs = [doc for doc in docs if all(doc.get(key) == value for key, value in wanted.items()
                                                   if not isinstance(value, dict))]
        docs = _sorted(docs, sort, self.state.stable_paging)
        page = docs[offset:] if count == 0 else docs[offset:offset + count]
        return 200, {'integrations': page, 'offset': offset, 'items': len(page), 'count': len(page),
                     'total': len(docs), 'success': True}

    def _get(self, user, query, body):
        del body
        self._validate(query, schemas.GET, query=True)
        store = self.state.store
        doc = store.find(query['integrationId'])
        if doc is not None and query.get('createdBy') and (doc.get('_createdBy') or {}).get('_id') != query['createdBy']:
            doc = None
        if doc is None:
            raise failure('The integration does not exists.')
        if not store.can_manage(user, doc):
            raise failure('not-authorized')
        return 200, {'integration': doc, 'success': True}

    def _update(self, user, query, body):
        del query
        self._validate(body, schemas.UPDATE)
        doc = self._find_target(body)
        return 200, {'integration': self.state.store.update(user, doc, body, self.state.dialect), 'success': True}

    def _remove(self, user, query, body):
        del query
        self._validate(body, schemas.REMOVE)
        self._route_permission(user, INTEGRATION_PERMISSIONS)
        doc = self._find_target(body)
        return 200, {'integration': self.state.store.remove(user, doc, body['type']), 'success': True}

    def _find_target(self, body) -> dict:
        """The integration an update or remove body names: by _id only (type and owner are not part of the lookup),
        or for outgoing the first whose urls contain target_url."""
        store = self.state.store
        if body['type'] == 'webhook-outgoing':
            doc = store.find(target_url=body['target_url']) if body.get('target_url') else store.find(body.get('integrationId'))
        elif body['type'] == 'webhook-incoming':
            doc = store.find(body['integrationId'])
        else:
            raise failure('Invalid integration type.')
        if doc is None:
            raise failure('No integration found.')
        return doc

    def _history(self, user, query, body):
        del body
        self._validate(query, schemas.HISTORY, query=True)
        self._route_permission(user, HISTORY_PERMISSIONS)
        if not query['id'].strip():
            raise failure('Invalid integration id.')
        offset, count = _pagination(query)
        sort = _parse_sort(query['sort']) if 'sort' in query else {'_updatedAt': -1}
        rows = _sorted(self.state.store.history_rows(user, query['id'], self.state.now_datetime()), sort, True)
        page = rows[offset:] if count == 0 else rows[offset:offset + count]
        return 200, {'history': page, 'offset': offset, 'items': len(page), 'count': len(page), 'total': len(rows),
                     'success': True}

    def _users_info(self, user, query, body):
        """users.ts: getFullUserDataByIdOrUsernameOrImportId, whose Users.findOneByIdOrUsername matches the value of
        userId or of username against _id or username; the active flag is among the fields every caller sees
        (getFullUserData.ts defaultFields). `restrict_users_info` stands for a deployment that refuses other users'
        records to tokens without view-full-other-user-info (not in Rocket.Chat's own code; see README.md)."""
        del body
        self._validate(query, schemas.USERS_INFO, query=True)
        store = self.state.store
        wanted = query.get('userId') or query.get('username')
        if not wanted:
            raise failure('Invalid search query.')
        with store.lock:
            found = next((candidate for candidate in store.users.values()
                          if wanted in (candidate['_id'], candidate['username'])), None)
        if (self.state.restrict_users_info and (found is None or found['_id'] != user['_id'])
                and not store.has_permission(user, 'view-full-other-user-info')):
            raise ApiResponse(403, self._by_dialect(ROUTE_DENIED_V_A, ROUTE_DENIED_V_B, ROUTE_DENIED_V_C))
        if found is None:
            raise failure('User not found.')
        shown = {key: found[key] for key in ('_id', 'username', 'name', 'type', 'active') if key in found}
        return 200, {'user': dict(shown, status='offline', utcOffset=0), 'success': True}

    def _rooms_info(self, user, query, body):
        """rooms.ts rooms.info: no query validator; findRoomByIdOrName (roomId by _id, else roomName by exact name; a
        Meteor.Error when nothing matches, checked before access; an archived room is refused with
        error-room-archived in 6.4-7.x, returned by 8.x), then canAccessRoom ('not-allowed' for a private room or a
        direct message the caller is not in: no admin bypass)."""
        del body
        store = self.state.store
        if not query.get('roomId', '').strip() and not query.get('roomName', '').strip():
            raise LogicError('error-roomid-param-not-provided', 'The parameter "roomId" or "roomName" is required')
        with store.lock:
            found = (store.rooms.get(query['roomId']) if query.get('roomId') else
                     next((room for room in store.rooms.values() if room['name'] == query['roomName']), None))
        if found is None:
            raise LogicError('error-room-not-found',
                             'The required "roomId" or "roomName" param provided does not match any channel')
        if found.get('archived') and self.state.dialect != 'v-c':
            raise LogicError('error-room-archived', 'The channel, %s, is archived' % found['name'])
        if found.get('t') in ('p', 'd') and user['username'] not in found.get('members', []):
            raise ApiResponse(400, {'success': False, 'error': 'not-allowed', 'errorType': 'Not Allowed'})
        room = {key: value for key, value in found.items() if key != 'members'}
        return 200, {'room': dict(room, usersCount=len(found.get('members', []))), 'success': True}

    def _post_message(self, user, query, body):
        """chat.ts chat.postMessage: processWebhookMessage posts to each channel (the answer names the first):
        '#x' a room by _id or name (a public one is joined), '@x' the direct message with the user whose _id or
        username is x (created when missing: createDirectMessage, permission create-d), anything else a room by id or
        name, then a direct message by user id; none is 'invalid-channel'. Then canSendMessage: a room the sender may
        not access is 'error-not-allowed', a read-only one refuses whoever lacks post-readonly."""
        del query
        self._validate(body, schemas.POST_MESSAGE)
        store = self.state.store
        text = body.get('text') or ''
        if len(text) > 5000:  # Message_MaxAllowedSize
            raise failure('error-message-size-exceeded')
        targets = body.get('channel') or body.get('roomId')
        targets = list(dict.fromkeys(targets if isinstance(targets, list) else [targets]))
        posted = []
        for target in targets:
            room = self._message_room(user, str(target))
            if room.get('t') in ('p', 'd') and user['username'] not in room.get('members', []):
                raise failure('error-not-allowed')
            if room.get('ro') and not store.has_permission(user, 'post-readonly'):
                raise failure("You can't send messages because the room is readonly.")
            posted.append((target, store.post_message(user, room, text)))
        return 200, {'ts': int(self.state.now() * 1000), 'channel': posted[0][0], 'message': posted[0][1],
                     'success': True}

    def _message_room(self, user: dict, target: str) -> dict:
        """getRoomByNameOrIdWithOptionToJoin, as processWebhookMessage calls it."""
        store = self.state.store
        kind, value = target[:1], target[1:]
        if kind not in ('#', '@'):
            value = target
        room = store.room_by_name(value) if kind != '@' else None
        if room is None and kind != '#':
            other = store.user_by_name(value) if kind == '@' else store.users.get(value)
            if other is not None:
                room = store.direct_room(user, other)
                if room is None:
                    if not store.has_permission(user, 'create-d'):
                        raise LogicError('error-not-allowed', 'Not allowed', 'createDirectMessage')
                    room = store.add_room(None, members=sorted({user['username'], other['username']}), direct=True)
        if room is None:
            raise LogicError('invalid-channel', '')
        if room.get('t') == 'c' and user['username'] not in room.get('members', []):
            with store.lock:
                room['members'] = room.get('members', []) + [user['username']]  # addUserToRoom
        return room

    def _clear_history(self, user, query, body):
        """8.7+ integrations.clearHistory (clearIntegrationHistory.ts): manage-outgoing-integrations clears any
        outgoing integration's history, manage-own-outgoing-integrations only of those the caller created."""
        del query
        if self.state.dialect != 'v-c':
            raise ApiResponse(404, b'<!DOCTYPE html><html><body>Not Found</body></html>',
                              content_type='text/html; charset=utf-8')
        if not isinstance(body, dict) or not isinstance(body.get('integrationId'), str):
            raise invalid_params("must have required property 'integrationId'")
        store = self.state.store
        method = 'clearIntegrationHistory'
        doc = store.find(body['integrationId'])
        if store.has_permission(user, 'manage-outgoing-integrations'):
            pass
        elif store.has_permission(user, 'manage-own-outgoing-integrations'):
            if doc is not None and (doc.get('_createdBy') or {}).get('_id') != user['_id']:
                doc = None
        else:
            raise LogicError('not_authorized', 'Unauthorized', method)
        if doc is None:
            raise LogicError('error-invalid-integration', 'Invalid integration', method)
        store.clear_history(doc['_id'])
        return 200, {'success': True}

    # ---- control API ----------------------------------------------------------------------------
    def _control(self, method: str, action: str, query: dict) -> None:
        state = self.state
        store = state.store
        try:
            body = self._read_body()
        except ApiResponse as answer:
            self._send(answer.status, answer.body)
            return
        answer: dict = {'ok': True}
        if action == 'reset' and method == 'POST':
            store.reset()
            store.persist()
            state.limiter.configure(True, 10, 60000)
            state.faults.clear()
            state.dialect = body.get('dialect', 'v-b')
            state.clock_offset = 0.0
            state.stable_paging = False
            if state.request_schemas is not None:
                state.request_schemas.rejections.clear()
            state.second_factor = {}
            state.restrict_users_info = False
            state.latency = 0.0
            state.gate.arm(None)
            with state.log_lock:
                state.request_log = []
        elif action == 'users' and method == 'POST':
            user = store.add_user(body['username'], body.get('password'), body.get('roles'), body.get('permissions'))
            answer = {'user': {'_id': user['_id'], 'username': user['username']},
                      'authToken': store.issue_token(user['_id'])}
        elif action == 'permissions' and method == 'POST':
            with store.lock:
                store.permissions.update(body)
                store.persist()
        elif action == 'rooms' and method == 'POST':
            answer = {'room': store.add_room(body.get('name'), bool(body.get('private')), body.get('members'),
                                             body.get('room_id'), bool(body.get('direct')))}
        elif action == 'rooms_ro' and method == 'POST':
            with store.lock:
                store.rooms[body['room_id']]['ro'] = bool(body.get('ro', True))
                store.persist()
        elif action == 'room_state' and method == 'POST':
            store.archive_room(body['name'], bool(body.get('archived', True)))
        elif action == 'rooms' and method == 'DELETE':
            store.delete_room(body['name'])
        elif action == 'user_state' and method == 'POST':
            if body.get('delete'):
                store.delete_user(body['username'])
            else:
                store.set_user_active(body['username'], bool(body.get('active', False)))
        elif action == 'deliveries' and method == 'POST':
            answer = {'rows': len(store.record_deliveries(body['integration_id'], body['deliveries'],
                                                          state.now_datetime()))}
        elif action == 'age' and method == 'POST':
            store.age(float(body['days']))
        elif action == 'clear_history' and method == 'POST':
            store.clear_history(body['integration_id'])
        elif action == 'users_info' and method == 'POST':
            state.restrict_users_info = bool(body.get('restricted'))
        elif action == 'integrations' and method == 'POST':
            creator = store.user_by_name(body.get('created_by', 'rocket.cat'))
            if creator is None:
                self._send(400, {'ok': False, 'error': 'created_by names no user: %s' % body.get('created_by')})
                return
            answer = {'ids': store.bulk_insert(body.get('integrations', []), creator)}
        elif action == 'messages' and method == 'GET':
            with store.lock:
                answer = {'messages': list(store.messages)}
        elif action == 'state' and method == 'GET':
            answer = store.snapshot()
        elif action == 'ratelimit' and method == 'POST':
            state.limiter.configure(bool(body.get('enabled', True)), int(body.get('limit', 10)),
                                    int(body.get('interval_ms', 60000)))
        elif action == 'faults' and method == 'POST':
            state.faults.add(body)
        elif action == 'faults' and method == 'DELETE':
            state.faults.clear()
        elif action == 'dialect' and method == 'POST':
            state.dialect = body['dialect']
        elif action == 'gate' and method == 'POST':
            state.gate.arm(body['path'], int(body['count']), float(body.get('timeout_ms', 10000)) / 1000.0)
        elif action == 'gate' and method == 'GET':
            answer = state.gate.report()
        elif action == 'latency' and method == 'POST':
            state.latency = max(float(body.get('ms', 0)), 0.0) / 1000.0
        elif action == 'clock' and method == 'POST':
            state.clock_offset = float(body.get('offset_seconds', 0))
        elif action == 'paging' and method == 'POST':
            state.stable_paging = bool(body.get('stable', False))
        elif action == 'two_factor' and method == 'POST':
            state.second_factor[body['username']] = {'method': body.get('method', 'email'), 'code': body['code']}
        elif action == 'schema_rejections' and method == 'GET':
            answer = {'enabled': state.request_schemas is not None,
                      'rejections': list(state.request_schemas.rejections) if state.request_schemas else []}
        elif action == 'requests' and method == 'GET':
            with state.log_lock:
                answer = {'requests': list(state.request_log)}
        elif action == 'requests' and method == 'DELETE':
            with state.log_lock:
                state.request_log = []
        elif action == 'shutdown' and method == 'POST':
            self._send(200, answer)
            threading.Thread(target=self.server.shutdown, daemon=True).start()
            return
        else:
            self._send(404, {'ok': False, 'error': 'unknown control action %s %s' % (method, action)})
            return
        self._send(200, answer)


def _pagination(query: dict) -> tuple[int, int]:
    def number(key, default):
        try:
            return max(int(query.get(key, default)), 0)
        except ValueError:
            return default
    offset = number('offset', 0)
    count = number('count', 50)
    return offset, min(count, 100) if count else 0


def _sorted(docs: list[dict], sort: dict, stable: bool) -> list[dict]:
    """MongoDB's order under skip/limit: by the sort keys, and ties in no stable order (the default sort {ts: -1}
    names a field integrations lack, so every document ties). Each request sees ties in a new order."""
    if not stable:
        docs = list(docs)
        random.shuffle(docs)
    for key, direction in reversed(list(sort.items())):
        if any(key in doc for doc in docs):
            docs = sorted(docs, key=lambda doc, key=key: str(doc.get(key, '')), reverse=direction == -1)
    return docs


def _parse_sort(text: str) -> dict:
    try:
        sort = json.loads(text)
        if isinstance(sort, dict) and all(value in (1, -1) for value in sort.values()):
            return sort
    except ValueError:
        pass
    raise ApiResponse(400, {'success': False, 'error': 'Invalid sort parameter provided: "%s" [error-invalid-sort]' % text,
                            'errorType': 'error-invalid-sort', 'details': {'helperMethod': 'parseJsonQuery'}})


class DoubleServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def make_server(port: int = 0, state_file: str | None = None, idle_timeout: float = 600.0,
                tls_cert: str | None = None, tls_key: str | None = None, dialect: str = 'v-b',
                request_schemas: str | None = None, latency_ms: float = 0.0) -> DoubleServer:
    checker = RequestSchemas(request_schemas) if request_schemas else None
    state = DoubleState(Store(state_file), idle_timeout, dialect, checker)
    state.latency = max(latency_ms, 0.0) / 1000.0
    handler = type('BoundHandler', (Handler,), {'state': state})
    server = DoubleServer(('127.0.0.1', port), handler)
    if tls_cert:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(tls_cert, tls_key)
        server.socket = context.wrap_socket(server.socket, server_side=True)
    server.state = state  # type: ignore[attr-defined]
    return server


def make_redirect_front(target_url: str, status: int = 301, port: int = 0) -> DoubleServer:
    """A plain-HTTP listener that answers every request with a redirect to the same path on target_url, as an nginx
    in front of Rocket.Chat that sends http:// to https:// does (301, or 308 which keeps the method)."""

    class RedirectHandler(http.server.BaseHTTPRequestHandler):
        protocol_version = 'HTTP/1.1'
        server_version = 'nginx'

        def log_message(self, format, *args):  # pylint: disable=redefined-builtin
            """Quiet."""

        def _redirect(self):
            length = int(self.headers.get('Content-Length') or 0)
            if length:
                self.rfile.read(length)
            page = ('<html><head><title>%d</title></head><body><center><h1>%d</h1></center><hr><center>nginx'
                    '</center></body></html>' % (status, status)).encode()
            self.send_response(status)
            self.send_header('Location', target_url.rstrip('/') + self.path)
            self.send_header('Content-Type', 'text/html')
            self.send_header('Content-Length', str(len(page)))
            self.end_headers()
            self.wfile.write(page)

        do_GET = do_POST = do_PUT = do_DELETE = _redirect  # noqa: N815

    return DoubleServer(('127.0.0.1', port), RedirectHandler)


def parent_alive(pid: int | None) -> bool:
    if not pid:
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def watch_idle(server: DoubleServer, parent_pid: int | None = None) -> None:
    """Stop the server once nobody has called it for idle_timeout seconds, or once its parent process is gone."""
    state = server.state  # type: ignore[attr-defined]
    while True:
        time.sleep(min(0.5, state.idle_timeout))
        if time.monotonic() - state.last_activity > state.idle_timeout or not parent_alive(parent_pid):
            server.shutdown()
            return
