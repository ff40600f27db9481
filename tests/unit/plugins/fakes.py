# Copyright (c) 2026 chatops.rocketchat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A scripted HTTP layer for unit tests: it stands in for requests.Session.request."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import requests

from ansible_collections.chatops.rocketchat.plugins.module_utils._integration import Integration

SERVER = 'https://chat.example.com'
CONNECTION = {'server_url': SERVER, 'user_id': 'uid-1', 'auth_token': 'secret-auth-token-123'}
ADMIN_PERMISSIONS = {'update': [{'_id': name, 'roles': ['admin']} for name in (
    'manage-incoming-integrations', 'manage-own-incoming-integrations',
    'manage-outgoing-integrations', 'manage-own-outgoing-integrations')], 'remove': [], 'success': True}


class FakeResponse:
    def __init__(self, status=200, body=None, headers=None, text=None):
        self.status_code = status
        self.headers = requests.structures.CaseInsensitiveDict(headers or {})
        if text is None:
            self.headers.setdefault('Content-Type', 'application/json')
            text = json.dumps(body if body is not None else {'success': True})
        self.text = text

    def json(self):
        return json.loads(self.text)


class FakeApi:
    """Answers by (method, endpoint): a queue of scripted replies first, then a default handler."""

    def __init__(self):
        self.calls = []
        self.scripted = {}
        self.handlers = {
            ('GET', 'me'): lambda call: FakeResponse(body={'_id': 'uid-1', 'roles': ['admin'], 'success': True}),
            ('GET', 'permissions.listAll'): lambda call: FakeResponse(body=ADMIN_PERMISSIONS),
        }

    def script(self, method, endpoint, *responses):
        self.scripted.setdefault((method, endpoint), []).extend(responses)

    def on(self, method, endpoint, handler):
        self.handlers[(method, endpoint)] = handler

    def endpoint_calls(self, method=None, endpoint=None):
        return [call for call in self.calls
                if (method is None or call['method'] == method) and (endpoint is None or call['endpoint'] == endpoint)]

    def __call__(self, session, method, url, params=None, json=None, timeout=None, **kwargs):  # noqa: A002
        path = urlsplit(url).path
        endpoint = path.split('/api/v1/', 1)[1] if '/api/v1/' in path else path
        call = {'method': method, 'endpoint': endpoint, 'url': url, 'params': params, 'json': json,
                'headers': dict(session.headers), 'timeout': timeout, 'verify': kwargs.get('verify'),
                'redirects': kwargs.get('allow_redirects', True)}
        self.calls.append(call)
        queue = self.scripted.get((method, endpoint))
        if queue:
            answer = queue.pop(0)
            if isinstance(answer, Exception):
                raise answer
            return answer
        handler = self.handlers.get((method, endpoint))
        if handler is None:
            return FakeResponse(404, {'success': False, 'error': 'no fake for %s %s' % (method, endpoint)})
        return handler(call)


def integration_doc(_id, name, type_='webhook-incoming', **extra):
    doc = {'_id': _id, 'name': name, 'type': type_, 'enabled': True, 'username': 'rocket.cat',
           'channel': ['#general'], 'scriptEnabled': False, '_createdBy': {'_id': 'uid-1', 'username': 'admin'}}
    if type_ == 'webhook-incoming':
        doc.update(token='incoming-token-%s' % _id, overrideDestinationChannelEnabled=False)
    else:
        doc.update(event='sendMessage', urls=['https://hooks.example.com/%s' % _id], runOnEdits=False)
    doc.update(extra)
    return doc


def integration(_id, name, type_='webhook-incoming', **extra):
    """The record the collection makes of integration_doc's document (what the planners take)."""
    return Integration.from_api(integration_doc(_id, name, type_, **extra))


def list_handler(docs):
    """integrations.list over a fixed list of documents, honouring offset/count/type/name like the server."""
    def handle(call):
        params = call['params'] or {}
        matching = [doc for doc in docs if (not params.get('type') or doc['type'] == params['type'])
                    and (not params.get('name') or params['name'].lower() in doc['name'].lower())]
        offset, count = int(params.get('offset', 0)), min(int(params.get('count', 50)), 100)
        page = matching[offset:offset + count]
        return FakeResponse(body={'integrations': page, 'offset': offset, 'items': len(page), 'count': len(page),
                                  'total': len(matching), 'success': True})
    return handle


def remove_handler(docs):
    """integrations.remove over a list of documents: removes by id, or answers as the server does when it is gone."""
    def remove(call):
        for doc in list(docs):
            if doc['_id'] == call['json']['integrationId']:
                docs.remove(doc)
                return FakeResponse(body={'integration': doc, 'success': True})
        return FakeResponse(400, {'success': False, 'error': 'No integration found.'})
    return remove


class FakeClock:
    """Time that passes only when the code under test sleeps."""

    def __init__(self, now=1_000_000.0):
        self.now = now
        self.sleeps = []

    def time(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds
