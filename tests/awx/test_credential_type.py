# Copyright (c) 2026 chatops.rocketchat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""docs/examples/awx_credential_type.yml: its injectors, rendered as the controller renders them (Jinja in a sandbox
over the credential's inputs), give the modules their whole connection, with nothing else set."""

from __future__ import annotations

import os

import yaml
from jinja2.sandbox import ImmutableSandboxedEnvironment

from reliability.adhoc import run_ad_hoc

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CREDENTIAL_TYPE = os.path.join(ROOT, 'docs', 'examples', 'awx_credential_type.yml')


def rendered_environment(inputs: dict) -> dict:
    with open(CREDENTIAL_TYPE, encoding='utf-8') as handle:
        credential_type = yaml.safe_load(handle)
    fields = {field['id']: field for field in credential_type['inputs']['fields']}
    assert set(credential_type['inputs']['required']) == set(fields) == set(inputs)
    assert fields['auth_token'].get('secret') is True and not fields['user_id'].get('secret')
    sandbox = ImmutableSandboxedEnvironment()
    return {name: sandbox.from_string(template).render(**inputs)
            for name, template in credential_type['injectors']['env'].items()}


def test_the_injected_environment_is_the_whole_connection(double):
    token = double.control.add_user('controller', roles=['admin'])
    double.control.seed([{'name': 'seen-through-the-credential'}])
    environment = rendered_environment({'server_url': double.url, 'user_id': token['user']['_id'],
                                        'auth_token': token['authToken']})
    assert sorted(environment) == ['ROCKETCHAT_AUTH_TOKEN', 'ROCKETCHAT_URL', 'ROCKETCHAT_USER_ID']
    run = run_ad_hoc('rocketchat_integration_info', {}, environment)
    assert not run.failed, run.msg
    assert [doc['name'] for doc in run.result['integrations']] == ['seen-through-the-credential']
    assert token['authToken'] not in run.stdout + run.stderr
