# Copyright (c) 2026 chatops.rocketchat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Create integrations on a real server through integrations.create, over one keep-alive connection.

    python seed.py CONNECTION_JSON SEED_JSON

CONNECTION_JSON holds the ROCKETCHAT_* variables of the run (a token pair, or a login pair); SEED_JSON a list of
{"name", "type"}. One process for hundreds of creates, where a task loop would start one per item.
"""

from __future__ import annotations

import http.client
import json
import sys
import urllib.parse


def call(connection, path: str, body: dict, headers: dict) -> dict:
    connection.request('POST', path, body=json.dumps(body), headers=dict(headers, **{
        'Content-Type': 'application/json'}))
    response = connection.getresponse()
    answer = json.loads(response.read() or b'{}')
    if response.status != 200:
        raise SystemExit('%s answered HTTP %d: %s' % (path, response.status, answer.get('error')))
    return answer


def main() -> int:
    with open(sys.argv[1], encoding='utf-8') as handle:
        settings = json.load(handle)
    with open(sys.argv[2], encoding='utf-8') as handle:
        seed = json.load(handle)
    url = urllib.parse.urlsplit(settings['ROCKETCHAT_URL'])
    kind = http.client.HTTPSConnection if url.scheme == 'https' else http.client.HTTPConnection
    connection = kind(url.netloc, timeout=30)
    base = url.path.rstrip('/') + '/api/v1/'
    if settings.get('ROCKETCHAT_AUTH_TOKEN'):
        headers = {'X-User-Id': settings['ROCKETCHAT_USER_ID'], 'X-Auth-Token': settings['ROCKETCHAT_AUTH_TOKEN']}
    else:
        data = call(connection, base + 'login', {'user': settings['ROCKETCHAT_USERNAME'],
                                                 'password': settings['ROCKETCHAT_PASSWORD']}, {})['data']
        headers = {'X-User-Id': data['userId'], 'X-Auth-Token': data['authToken']}
    for item in seed:
        body = {'type': item['type'], 'name': item['name'], 'enabled': True, 'username': 'rocket.cat',
                'channel': '#general', 'scriptEnabled': False}
        if item['type'] == 'webhook-outgoing':
            body.update(event='sendMessage', urls=['https://hooks.example.invalid/' + item['name']])
        else:
            body['overrideDestinationChannelEnabled'] = False
        call(connection, base + 'integrations.create', body, headers)
    if not settings.get('ROCKETCHAT_AUTH_TOKEN'):
        call(connection, base + 'logout', {}, headers)
    print('created %d integrations' % len(seed))
    return 0


if __name__ == '__main__':
    sys.exit(main())
