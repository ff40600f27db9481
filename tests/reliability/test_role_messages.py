# Copyright (c) 2026 chatops.rocketchat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Every failure either role raises names the role's variable (prune_webhooks_max_removals), never the module
option behind it (max_removals): a role user sets the variable. Real `ansible-playbook` runs against the double,
the server checked unchanged afterwards."""

from __future__ import annotations

import json
import re

import pytest

from adhoc import run_role

INCOMING = {'type': 'webhook-incoming', 'username': 'rocket.cat', 'channel': ['#general']}
MODULE_OPTIONS = ('max_removals', 'max_removals_percent', 'grace_days', 'scope_name_regex', 'server_url', 'user_id', 'auth_token', 'login_user',
                  'login_password', 'keep[', 'remove[', 'integrations[', 'types is', 'parallel must')
FAILED = re.compile(r'^fatal: \[localhost\]: FAILED! => (\{.*\})$', re.MULTILINE)


def role_failure(completed) -> str:
    """The message of the role's failure, which is told once: no module failure before it, in module words."""
    assert completed.returncode != 0, completed.stdout
    failures = FAILED.findall(completed.stdout)
    assert len(failures) == 1, 'one failure, told once: %s' % failures
    assert 'argument_spec' not in completed.stdout, 'never the whole argument spec'
    return json.loads(failures[0])['msg']


def bare_module_options(message: str, prefix: str) -> list[str]:
    """Module option names in the message that are not part of a role variable name."""
    return [option for option in MODULE_OPTIONS
            if re.search(r'(?<![A-Za-z_.])%s' % re.escape(option), re.sub(prefix + r'[a-z_]+', ' ', message))]


CASES = [
    ('prune_webhooks', 'max_removals', {'prune_webhooks_exclusive': True, 'prune_webhooks_max_removals': 1}, False,
     ['more than prune_webhooks_max_removals=1', 'Raise prune_webhooks_max_removals if this is intended']),
    ('prune_webhooks', 'max_removals_percent', {'prune_webhooks_exclusive': True,
                                                'prune_webhooks_max_removals_percent': 10}, False,
     ['more than prune_webhooks_max_removals_percent=10', 'Raise prune_webhooks_max_removals_percent if']),
    ('prune_webhooks', 'grace_days', {'prune_webhooks_remove': [{'name': 'a'}], 'prune_webhooks_action': 'quarantine',
                                      'prune_webhooks_grace_days': 0}, False,
     ['prune_webhooks_grace_days must be a positive number of days']),
    ('prune_webhooks', 'drift gate', {'prune_webhooks_remove': [{'name': 'a'}], 'prune_webhooks_fail_on_drift': True},
     True, ['Drift: 1 integration(s) exist that should not', 'declare them in prune_webhooks_keep']),
    ('prune_webhooks', 'keep selector', {'prune_webhooks_exclusive': True,
                                         'prune_webhooks_keep': [{'type': 'webhook-incoming'}]}, False,
     ['prune_webhooks_keep[0] selects nothing']),
    ('prune_webhooks', 'remove selector', {'prune_webhooks_remove': [{'name_regex': '('}]}, False,
     ["prune_webhooks_remove[0].name_regex '(' is not a valid regular expression"]),
    ('prune_webhooks', 'credentials', {'prune_webhooks_remove': [{'name': 'a'}]}, False,
     ['No credentials were given', 'prune_webhooks_user_id + prune_webhooks_auth_token (ROCKETCHAT_USER_ID',
      'prune_webhooks_login_user + prune_webhooks_login_password (ROCKETCHAT_USERNAME']),
    ('prune_webhooks', 'scope', {'prune_webhooks_remove': [{'name': 'a'}], 'prune_webhooks_scope_name_regex': '['},
     False, ["prune_webhooks_scope_name_regex '[' is not a valid regular expression"]),
    ('prune_webhooks', 'types', {'prune_webhooks_remove': [{'name': 'a'}], 'prune_webhooks_types': []}, False,
     ['prune_webhooks_types is empty']),
    ('prune_webhooks', 'parallel', {'prune_webhooks_remove': [{'name': 'a'}], 'prune_webhooks_parallel': 0}, False,
     ['prune_webhooks_parallel must be between 1 (one call at a time) and 64, got 0']),
    ('webhooks', 'parallel', {'webhooks_integrations': [], 'webhooks_parallel': 100}, False,
     ['webhooks_parallel must be between 1 (one call at a time) and 64, got 100']),
    ('webhooks', 'max_removals', {'webhooks_prune': True, 'webhooks_max_removals': 1}, False,
     ['more than webhooks_max_removals=1', 'Raise webhooks_max_removals if this is intended']),
    ('webhooks', 'drift gate', {'webhooks_integrations': [dict(INCOMING, name='new')], 'webhooks_fail_on_drift': True},
     True, ['Drift: 1 change(s)', 'create webhook-incoming new', 'change the declaration (webhooks_integrations)']),
    ('webhooks', 'definition', {'webhooks_integrations': [{'type': 'webhook-incoming', 'name': 'x', 'urls': ['u']}]},
     False, ['webhooks_integrations[0] (x): urls apply only to webhook-outgoing integrations']),
    ('webhooks', 'credentials', {'webhooks_integrations': []}, False,
     ['No credentials were given', 'webhooks_user_id + webhooks_auth_token (ROCKETCHAT_USER_ID']),
    ('webhooks', 'scope', {'webhooks_prune': True, 'webhooks_scope_name_regex': '['}, False,
     ["webhooks_scope_name_regex '[' is not a valid regular expression"]),
    ('prune_webhooks', 'unknown selector key', {'prune_webhooks_remove': [{'nme': 'a'}]}, False,
     ['prune_webhooks_remove.nme is not a key the role knows; the keys are: channel_exists, created_before']),
    ('prune_webhooks', 'unknown keep key', {'prune_webhooks_exclusive': True, 'prune_webhooks_keep': [{'naem': 'a'}]},
     False, ['prune_webhooks_keep.naem is not a key the role knows; the keys are: ']),
    ('webhooks', 'unknown definition key', {'webhooks_integrations': [dict(INCOMING, name='x', chanel=['#a'])]}, False,
     ['webhooks_integrations.chanel is not a key the role knows; the keys are: ', 'channel']),
]


@pytest.mark.parametrize('role, what, variables, check, expected', CASES,
                         ids=['%s-%s' % (case[0], case[1].replace(' ', '-')) for case in CASES])
def test_a_role_failure_names_the_role_variable(double, admin, tmp_path, role, what, variables, check, expected):
    double.control.seed([{'name': 'a'}, {'name': 'b'}, {'name': 'c'}])
    before = double.control.integrations()
    connection = {'ROCKETCHAT_URL': admin['ROCKETCHAT_URL']} if what == 'credentials' else admin
    message = role_failure(run_role(role, variables, connection, tmp_path, check=check))
    for text in expected:
        assert text in message, message
    assert bare_module_options(message, role + '_') == [], message
    assert double.control.integrations() == before, 'a failure changes nothing'
