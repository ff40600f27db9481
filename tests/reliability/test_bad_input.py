# Copyright (c) 2026 chatops.rocketchat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Bad input: a clear failure that names the option, and no request that changes anything."""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from adhoc import run_ad_hoc, writes

INCOMING = 'webhook-incoming'
OUTGOING = 'webhook-outgoing'

CASES = [
    # (module, args, connection override, words the message must contain)
    ('rocketchat_integration', {'type': INCOMING, 'name': 'x'}, {'ROCKETCHAT_USER_ID': '', 'ROCKETCHAT_AUTH_TOKEN': ''},
     'No credentials were given; give exactly one credential pair: user_id + auth_token (ROCKETCHAT_USER_ID'),
    # both pairs as arguments (a pair in the environment only fills in, see test_real_server.py)
    ('rocketchat_integration', {'type': INCOMING, 'name': 'x', 'login_user': 'a', 'login_password': 'b',
                                'user_id': 'u', 'auth_token': 'token-as-argument'}, None,
     'Both credential pairs are set'),
    ('rocketchat_integration', {'type': INCOMING, 'name': 'x', 'server_url': ''}, {'ROCKETCHAT_URL': ''},
     'server_url is empty'),
    ('rocketchat_integration', {'type': INCOMING, 'name': 'x', 'server_url': 'chat.example.com'}, None,
     "server_url 'chat.example.com' is not an http(s) URL"),
    ('rocketchat_integration', {'type': 'webhook-sideways', 'name': 'x'}, None, 'value of type must be one of'),
    ('rocketchat_integration', {'type': INCOMING, 'name': 'brand-new'}, None, 'creating it needs username, channel'),
    ('rocketchat_integration', {'type': OUTGOING, 'name': 'brand-new', 'username': 'rocket.cat', 'channel': ['#general']},
     None, 'creating it needs event, urls'),
    ('rocketchat_integration', {'type': INCOMING, 'target_url': 'https://x.invalid/'}, None,
     'target_url apply only to webhook-outgoing'),
    ('rocketchat_integration', {'type': INCOMING}, None, 'Select the integration with integration_id, name'),
    ('rocketchat_integration', {'type': INCOMING, 'name': 'x', 'channel': 'general'}, None,
     'channel items start with #'),
    ('rocketchat_integration_prune', {'keep': [{'type': INCOMING}], 'exclusive': True}, None, 'keep[0] selects nothing'),
    ('rocketchat_integration_prune', {'remove': [{'name_regex': '(unclosed'}]}, None,
     "remove[0].name_regex '(unclosed' is not a valid regular expression"),
    ('rocketchat_integration_prune', {'max_removals': -3}, None, 'max_removals must be 1 or more'),
    ('rocketchat_integration_prune', {'max_removals': 'many'}, None, 'max_removals'),
    ('rocketchat_integration_prune', {'keep': 5}, None, "'keep' must be a list"),
    ('rocketchat_integration_prune', {'types': 'webhook-incoming,webhook-sideways'}, None, 'types'),
    ('rocketchat_integration_prune', {'scope_name_regex': '[z-a]'}, None, 'scope_name_regex'),
]


@pytest.mark.parametrize('module, args, override, words', CASES, ids=[str(index) for index in range(len(CASES))])
def test_bad_input_fails_clearly_and_changes_nothing(double, admin, module, args, override, words):
    double.control.seed([{'name': 'x'}, {'name': 'existing'}])
    double.control.clear_requests()
    connection = dict(admin, **(override or {}))
    run = run_ad_hoc(module, args, connection)
    assert run.failed
    assert words in run.msg
    assert writes(double) == []
    assert len(double.control.integrations()) == 2
    assert 'Traceback' not in run.stdout + run.stderr


@pytest.mark.parametrize('name', ['ünïcødé-Webhook-✓', 'n' * 1000, 'spaces and "quotes" & <tags>'])
def test_unusual_names_round_trip_exactly(double, admin, name):
    created = run_ad_hoc('rocketchat_integration', {'type': INCOMING, 'name': name, 'username': 'rocket.cat',
                                                    'channel': ['#general']}, admin)
    assert not created.failed and created.changed, created.msg
    assert [doc['name'] for doc in double.control.integrations()] == [name]
    again = run_ad_hoc('rocketchat_integration', {'type': INCOMING, 'name': name, 'username': 'rocket.cat',
                                                  'channel': ['#general']}, admin)
    assert not again.failed and not again.changed
    removed = run_ad_hoc('rocketchat_integration', {'type': INCOMING, 'name': name, 'state': 'absent'}, admin)
    assert not removed.failed and removed.changed
    assert double.control.integrations() == []


@pytest.mark.parametrize('integration_id', ['../../api/info', 'abc?integrationId=other', 'abc#fragment',
                                            '%2e%2e/x', 'a/b/c'])
def test_ids_with_path_characters_never_change_the_url(double, admin, integration_id):
    double.control.seed([{'name': 'bystander'}])
    double.control.clear_requests()
    run = run_ad_hoc('rocketchat_integration', {'type': INCOMING, 'integration_id': integration_id, 'state': 'absent'},
                     admin)
    assert not run.failed and not run.changed
    gets = [entry for entry in double.control.requests() if entry['method'] == 'GET'
            and entry['path'].startswith('/api/v1/integrations')]
    assert [entry['path'] for entry in gets] == ['/api/v1/integrations.get']
    from urllib.parse import parse_qs  # pylint: disable=import-outside-toplevel
    assert parse_qs(gets[0]['query']) == {'integrationId': [integration_id]}
    assert writes(double) == []
    assert [doc['name'] for doc in double.control.integrations()] == ['bystander']


@pytest.mark.parametrize('variables, words', [
    ({'prune_webhooks_keep': 'everything'}, 'prune_webhooks_keep'),
    ({'prune_webhooks_max_removals': 'many'}, 'prune_webhooks_max_removals'),
    ({'prune_webhooks_types': ['webhook-sideways']}, 'prune_webhooks_types'),
    ({'prune_webhooks_exclusive': 'perhaps'}, 'prune_webhooks_exclusive'),
])
def test_role_variables_are_validated_before_any_request(double, admin, tmp_path, variables, words):
    double.control.seed([{'name': 'x'}])
    double.control.clear_requests()
    playbook = tmp_path / 'play.yml'
    playbook.write_text('- hosts: localhost\n  gather_facts: false\n  roles:\n    - chatops.rocketchat.prune_webhooks\n')
    extra = tmp_path / 'vars.json'
    extra.write_text(json.dumps(variables))
    env = dict(os.environ, ANSIBLE_LOCALHOST_WARNING='false', ANSIBLE_INVENTORY_UNPARSED_WARNING='false', **admin)
    completed = subprocess.run(['ansible-playbook', str(playbook), '-e', '@%s' % extra], env=env, capture_output=True,
                               text=True, check=False)
    assert completed.returncode != 0
    assert words in completed.stdout
    assert 'Validating arguments against arg spec' in completed.stdout
    assert double.control.requests() == []
