# Copyright (c) 2026 chatops.rocketchat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Random workspaces, made through the API as a real server stores them (both types, every event, scripts, unicode
names): exporting them and applying the export with rocketchat_integrations changes nothing and writes nothing."""

from __future__ import annotations

import json
import urllib.request

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ansible_collections.chatops.rocketchat.plugins.modules import rocketchat_integration_info, rocketchat_integrations
from ansible_collections.chatops.rocketchat.tests.unit.plugins.module_runner import run_module_main

EVENTS = ('sendMessage', 'fileUploaded', 'roomArchived', 'roomCreated', 'roomJoined', 'roomLeft', 'userCreated')
NAMES = st.text(alphabet=st.sampled_from('abcXYZ-_ Üß🚀é0'), min_size=1, max_size=12).filter(lambda name: name.strip())
OPTIONAL_TEXT = st.one_of(st.none(), st.text(alphabet='abc xyz:ü', min_size=0, max_size=8))


@st.composite
def integrations(draw):
    body = {'name': draw(NAMES), 'enabled': draw(st.booleans()), 'username': 'rocket.cat',
            'scriptEnabled': draw(st.booleans())}
    for key in ('alias', 'emoji', 'script'):
        value = draw(OPTIONAL_TEXT)
        if value is not None:
            body[key] = value
    if draw(st.booleans()):
        return dict(body, type='webhook-incoming', channel=draw(st.sampled_from(['#general', '@rocket.cat',
                                                                                 '#general,@rocket.cat'])),
                    overrideDestinationChannelEnabled=draw(st.booleans()))
    event = draw(st.sampled_from(EVENTS))
    body.update(type='webhook-outgoing', event=event, token='tok-%s' % draw(st.integers(0, 9999)),
                channel=draw(st.sampled_from(['#general', 'all_public_channels', '#general,@rocket.cat'])),
                urls=draw(st.lists(st.sampled_from(['https://a.example/x', 'https://b.example/y']), min_size=1,
                                   max_size=2, unique=True)))
    if event == 'userCreated':
        body['targetRoom'] = '#general'
    if event == 'sendMessage' and draw(st.booleans()):
        body['triggerWords'] = draw(st.lists(st.sampled_from(['!go', '!stop', 'deploy']), min_size=1, unique=True))
    if draw(st.booleans()):
        body.update(retryFailedCalls=True, retryCount=draw(st.integers(-1, 5)),
                    retryDelay=draw(st.sampled_from(['powers-of-ten', 'powers-of-two', 'increments-of-two'])))
    return body


def create(double, token: dict, body: dict) -> None:
    request = urllib.request.Request(double.url + '/api/v1/integrations.create', data=json.dumps(body).encode(),
                                     method='POST', headers={'Content-Type': 'application/json',
                                                             'X-User-Id': token['user']['_id'],
                                                             'X-Auth-Token': token['authToken']})
    with urllib.request.urlopen(request, timeout=10) as answer:  # nosec - the local double
        assert json.loads(answer.read())['success']


@settings(max_examples=40, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(workspace=st.lists(integrations(), max_size=8))
def test_applying_an_export_changes_nothing(double, workspace):
    double.control.call('POST', 'reset', {})
    token = double.control.add_user('exporter', roles=['admin'])
    for body in workspace:
        create(double, token, body)
    connection = {'server_url': double.url, 'user_id': token['user']['_id'], 'auth_token': token['authToken']}
    exported, failed = run_module_main(rocketchat_integration_info, dict(connection, export=True))
    assert not failed, exported['msg']
    before = double.control.integrations()
    double.control.clear_requests()
    names = [(body['type'], body['name']) for body in workspace]
    unique = [item for item in exported['definitions'] if names.count((item['type'], item['name'])) == 1]
    result, failed = run_module_main(rocketchat_integrations, dict(connection, integrations=unique))
    assert not failed, result['msg']
    assert not result['changed'] and {item['action'] for item in result['plan']} <= {'unchanged'}
    assert [entry for entry in double.control.requests() if entry['method'] in ('POST', 'PUT')] == []
    assert double.control.integrations() == before
