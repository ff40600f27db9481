# Copyright (c) 2026 chatops.rocketchat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The declared-set engine: the pure planner, the counts and reports, and the apply's account of what it did."""

from __future__ import annotations

import json

import pytest

from ansible_collections.chatops.rocketchat.plugins.module_utils import _declared as declared
from ansible_collections.chatops.rocketchat.plugins.module_utils._definition import definition_argument_spec
from ansible_collections.chatops.rocketchat.plugins.module_utils._errors import InvalidInput
from ansible_collections.chatops.rocketchat.tests.unit.plugins.fakes import integration

ALL = {'webhook-incoming': 'all', 'webhook-outgoing': 'all'}
INCOMING = 'webhook-incoming'


def item(**given):
    return dict({option: spec.get('default') for option, spec in definition_argument_spec().items()}, **given)


def params(integrations, **options):
    return dict({'integrations': integrations, 'prune': False, 'types': [INCOMING, 'webhook-outgoing'],
                 'scope_name_regex': None, 'max_removals': 10, 'report_title': None, 'server_url': 'https://chat',
                 'report_markdown': None, 'report_json': None}, **options)


DOCS = [integration('in1', 'alerts', alias='old'), integration('in2', 'same'), integration('in3', 'stray')]
DECLARED = [item(type=INCOMING, name='alerts', alias='new'), item(type=INCOMING, name='same'),
            item(type=INCOMING, name='fresh', username='rocket.cat', channel=['#general'])]


def test_each_definition_gets_its_plan_and_prune_what_is_left_out():
    plan = declared.plan_declared(DOCS, ALL, params(DECLARED, prune=True), None)
    assert [(entry.action, entry.name) for entry in plan.entries()] == [
        ('update', 'alerts'), ('unchanged', 'same'), ('create', 'fresh'), ('remove', 'stray')]
    assert plan.refusals == [] and [doc.id for doc in plan.doomed] == ['in3']
    assert declared.plan_counts(plan.entries()) == {'create': 1, 'update': 1, 'remove': 1, 'unchanged': 1}


def test_refusals_name_the_item_and_stop_the_prune_plan():
    plan = declared.plan_declared(DOCS, ALL, params([item(type=INCOMING, integration_id='nope')], prune=True), None)
    assert plan.refusals == ['integrations[0]: Integration nope does not exist. Integration ids are chosen by the '
                             'server: to create an integration, leave integration_id out and select it by name.']
    assert plan.doomed == []


def test_max_removals_is_a_refusal_of_the_whole_plan():
    plan = declared.plan_declared(DOCS, ALL, params([], prune=True, max_removals=1), None)
    assert len(plan.refusals) == 1 and 'more than max_removals=1' in plan.refusals[0]


def test_the_same_declaration_twice_is_refused_before_any_request():
    with pytest.raises(InvalidInput, match=r'integrations\[0\] and integrations\[1\] declare the same'):
        declared.check_input(params([item(type=INCOMING, name='x'), item(type=INCOMING, name='x')]))


def test_reports_are_the_plan_as_markdown_and_json(tmp_path):
    plan = declared.plan_declared(DOCS, ALL, params(DECLARED, prune=True), None)
    options = params(DECLARED, report_markdown=str(tmp_path / 'plan.md'), report_json=str(tmp_path / 'plan.json'),
                     report_title='workspace-a')
    declared.write_reports(options, plan.entries(), True)
    markdown = (tmp_path / 'plan.md').read_text()
    assert markdown.startswith('## workspace-a\n') and '| update | webhook-incoming | alerts | in1 | alias |' in markdown
    report = json.loads((tmp_path / 'plan.json').read_text())
    assert report['counts'] == {'create': 1, 'update': 1, 'remove': 1, 'unchanged': 1}
    assert report['plan'] == [entry.as_dict() for entry in plan.entries()] and report['check_mode'] is True
