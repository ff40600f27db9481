# Copyright (c) 2026 chatops.rocketchat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""No secret in any output: the whole integration suite at -vvv, a logged role run with backups, every file.

The integration targets run against one double in the 8.x dialect as if it were a real server, logging in with a
password (so the login path and its token are covered too), with requests checked by Rocket.Chat's own schemas.
This is the integration suite's 8.x pass (`make secrets`). The double records every secret it ever handed out or
was given (passwords, auth tokens, integration tokens, hook URLs); none may appear in what the runs printed, logged
or wrote.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

from rocketchat_double.launcher import RunningDouble

COLLECTION_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
REQUEST_SCHEMAS = os.environ.get('ROCKETCHAT_DOUBLE_REQUEST_SCHEMAS')
CONFIG = os.path.join(COLLECTION_ROOT, 'tests', 'integration', 'integration_config.yml')

ROLE_PLAY = '''
- hosts: localhost
  gather_facts: false
  vars:
    prune_webhooks_exclusive: true
    prune_webhooks_scope_name_regex: "^(keep|stale-)"
    prune_webhooks_keep: [{name: keep}]
    prune_webhooks_backup_dir: "%s"
  roles:
    - chatops.rocketchat.prune_webhooks
'''


def text_files(*roots):
    for root in roots:
        for directory, _dirs, files in os.walk(root):
            for name in files:
                path = os.path.join(directory, name)
                with open(path, 'rb') as handle:
                    yield path, handle.read().decode('utf-8', 'replace')


def failures(output: str) -> str:
    """The lines that say why a run failed, not the whole -vvv output."""
    return '\n'.join(line[:300] for line in output.splitlines()
                     if line.startswith(('fatal:', 'FATAL:', 'ERROR:', '[ERROR]', 'PLAY RECAP')) or 'failed=' in line)


def double_errors(double) -> str:
    """What the double's log says went wrong inside it: a handler that raised closes the connection unanswered,
    which the run only reports as "Remote end closed connection without response"."""
    with open(os.path.join(double.workdir, 'double.log'), encoding='utf-8', errors='replace') as handle:
        log = handle.read()
    return '\n-- the double --\n' + log[-3000:] if 'Traceback' in log else ''


def test_no_secret_reaches_output_logs_or_files(tmp_path):
    outputs = {}
    assert REQUEST_SCHEMAS, 'ROCKETCHAT_DOUBLE_REQUEST_SCHEMAS is not set: run `make secrets`, which fetches them'
    with RunningDouble(str(tmp_path / 'double'), idle_timeout=900, dialect='v-c',
                       request_schemas=REQUEST_SCHEMAS) as double:
        # Not about rate limits (tests/reliability covers them): every task here logs in, and logins are limited.
        double.control.rate_limit(enabled=False)
        password = 'secrets-test-password-%s' % os.urandom(8).hex()
        admin = double.control.add_user('secrets-admin', password=password, roles=['admin', 'user'])
        descriptor = os.open(CONFIG, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, 'w') as handle:
            # a real server to the targets, but one whose faults they may inject (rocketchat_controllable)
            json.dump({'rocketchat_real_url': double.url, 'rocketchat_real_username': 'secrets-admin',
                       'rocketchat_real_password': password, 'rocketchat_real_is_double': True}, handle)
        try:
            suite = subprocess.run(['ansible-test', 'integration', '-vvv', '--color', 'no', '--python',
                                    '%d.%d' % sys.version_info[:2]], cwd=COLLECTION_ROOT, capture_output=True,
                                   text=True, check=False)
        finally:
            os.remove(CONFIG)
        outputs['ansible-test integration -vvv'] = suite.stdout + suite.stderr
        assert suite.returncode == 0, failures(outputs['ansible-test integration -vvv']) + double_errors(double)
        for target in ('rocketchat_integration', 'rocketchat_integration_prune', 'rocketchat_integrations'):
            assert 'Running %s integration test role' % target in suite.stdout
        for target in ('prune_webhooks_role', 'webhooks_role'):
            assert 'Running %s integration test script' % target in suite.stdout
        assert double.control.call('GET', 'schema_rejections')['rejections'] == []

        outgoing_token = 'outgoing-%s' % os.urandom(8).hex()
        double.control.seed([{'name': 'keep'}, {'name': 'stale-in'},
                             {'name': 'stale-out', 'type': 'webhook-outgoing', 'token': outgoing_token}])
        playbook = tmp_path / 'role.yml'
        playbook.write_text(ROLE_PLAY % (tmp_path / 'backups'))
        env = dict(os.environ, ROCKETCHAT_URL=double.url, ROCKETCHAT_USER_ID=admin['user']['_id'],
                   ROCKETCHAT_AUTH_TOKEN=admin['authToken'], ANSIBLE_LOG_PATH=str(tmp_path / 'ansible.log'),
                   ANSIBLE_LOCALHOST_WARNING='false', ANSIBLE_INVENTORY_UNPARSED_WARNING='false')
        role = subprocess.run(['ansible-playbook', '-vvv', '--diff', str(playbook)], env=env, capture_output=True,
                              text=True, check=False)
        outputs['role -vvv'] = role.stdout + role.stderr
        assert role.returncode == 0, failures(outputs['role -vvv'])
        assert len(os.listdir(tmp_path / 'backups')) == 2
        secrets = set(double.control.state()['issued_secrets']) | {password}

    outputs.update(text_files(tmp_path / 'backups', os.path.join(COLLECTION_ROOT, 'tests', 'output')))
    with open(tmp_path / 'ansible.log', encoding='utf-8') as handle:
        outputs['ANSIBLE_LOG_PATH'] = handle.read()
    assert len(secrets) > 100, 'the runs handed out tokens for hundreds of integrations'
    leaks = sorted({(where, secret[:6] + '...') for where, text in outputs.items() for secret in secrets
                    if secret in text})
    assert leaks == []
