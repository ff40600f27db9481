# Copyright (c) 2026 chatops.rocketchat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""One integration's definition: its checks, what present does to what the server has, and the export."""

from __future__ import annotations

import pytest

from ansible_collections.chatops.rocketchat.plugins.module_utils._definition import (
    definition_argument_spec,
    definition_of,
    definition_problem,
    plan_present,
)
from ansible_collections.chatops.rocketchat.plugins.module_utils._errors import PlanRefused
from ansible_collections.chatops.rocketchat.tests.unit.plugins.fakes import integration

INCOMING = 'webhook-incoming'
OUTGOING = 'webhook-outgoing'


def definition(**given):
    return dict({option: spec.get('default') for option, spec in definition_argument_spec().items()}, **given)


@pytest.mark.parametrize('given, words', [
    ({'type': INCOMING}, 'Select the integration'),
    ({'type': INCOMING, 'name': 'x', 'event': 'sendMessage'}, 'event apply only to webhook-outgoing'),
    ({'type': OUTGOING, 'name': 'x', 'channel': ['ops']}, "fix 'ops'"),
    ({'type': OUTGOING, 'name': 'x', 'urls': ['']}, 'urls contains an empty item'),
    ({'type': INCOMING, 'name': ' '}, 'name is empty'),
])
def test_definition_problems_name_the_option(given, words):
    assert words in definition_problem(definition(**given))


def test_a_good_definition_has_no_problem():
    assert definition_problem(definition(type=OUTGOING, name='x', channel=['all_private_groups', '@bot'])) is None


def test_plan_create_with_what_the_server_will_store():
    plan = plan_present(definition(type=OUTGOING, name='x', username='rocket.cat', channel=[' #b', '#a'],
                                   event='roomCreated', urls=['https://x'], token='t0ken-value'), None)
    assert plan.action == 'create' and plan.after['channel'] == []
    assert plan.changed_fields == sorted(plan.after)


def test_plan_update_changes_only_what_is_named():
    current = integration('in1', 'alerts', enabled=False, alias='old')
    plan = plan_present(definition(type=INCOMING, name='alerts', alias='new'), current)
    assert plan.action == 'update' and plan.changed_fields == ['alias'] and plan.after['enabled'] is False


def test_plan_unchanged_and_refusals():
    current = integration('in1', 'alerts')
    assert plan_present(definition(type=INCOMING, name='alerts', channel=['#general']), current).action == 'unchanged'
    with pytest.raises(PlanRefused, match='needs a token.*backup_secrets: true.*fill in its token key'):
        plan_present(definition(type=OUTGOING, name='x', username='u', channel=['#a'], event='sendMessage',
                                urls=['https://x']), None)
    with pytest.raises(PlanRefused, match='Integration nope does not exist'):
        plan_present(definition(type=INCOMING, integration_id='nope'), None)


def test_update_token_on_create_keeps_the_stored_token():
    current = integration('out1', 'deploy', OUTGOING, token='stored-token')
    plan = plan_present(definition(type=OUTGOING, name='deploy', token='other', update_token='on_create'), current)
    assert plan.action == 'unchanged'


def test_a_plan_is_a_record_not_a_dict():
    plan = plan_present(definition(type=INCOMING, name='alerts', channel=['#a'], username='u'), None)
    with pytest.raises(AttributeError):
        plan.chnged_fields  # pylint: disable=pointless-statement
    with pytest.raises(Exception):
        plan.action = 'update'


def test_definition_of_is_what_declares_the_integration_exactly():
    doc = integration('out1', 'deploy', OUTGOING, token='secret-token', scriptCompiled='x', _createdAt='2026',
                      urls=['https://b', 'https://a'])
    exported = definition_of(doc)
    assert exported == {'type': OUTGOING, 'name': 'deploy', 'enabled': True, 'username': 'rocket.cat',
                        'channel': ['#general'], 'script_enabled': False, 'event': 'sendMessage',
                        'urls': ['https://a', 'https://b'], 'run_on_edits': False}
    assert definition_of(doc, with_token=True)['token'] == 'secret-token'
    assert plan_present(definition(**exported), doc).action == 'unchanged'
