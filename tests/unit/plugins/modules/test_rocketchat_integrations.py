# Copyright (c) 2026 chatops.rocketchat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""rocketchat_integrations (the declared set) over a scripted, stateful HTTP layer."""

from __future__ import annotations

import json

import pytest
from ansible.module_utils import basic
from markdown_it import MarkdownIt

from ansible_collections.chatops.rocketchat.plugins.modules import rocketchat_integration_info, rocketchat_integrations
from ansible_collections.chatops.rocketchat.tests.unit.plugins.fakes import (
    CONNECTION,
    FakeResponse,
    integration_doc,
    list_handler,
    remove_handler,
)

INCOMING = 'webhook-incoming'
OUTGOING = 'webhook-outgoing'


@pytest.fixture
def server(fake_api):
    docs = [integration_doc('in1', 'alerts', alias='old'), integration_doc('in2', 'stale'),
            integration_doc('out1', 'deploy', OUTGOING, token='deploy-token-value')]
    fake_api.docs = docs
    counter = iter(range(100))

    def create(call):
        channels = [part for part in call['json']['channel'].split(',') if part]
        body = dict(call['json'], _id='new%d' % next(counter), channel=channels)
        docs.append(body)
        return FakeResponse(body={'integration': body, 'success': True})

    def update(call):
        doc = next(doc for doc in docs if doc['_id'] == call['json']['integrationId'])
        doc.update({key: value for key, value in call['json'].items() if key != 'integrationId'})
        doc['channel'] = [part for part in call['json']['channel'].split(',') if part]
        return FakeResponse(body={'integration': doc, 'success': True})
    fake_api.on('GET', 'integrations.list', list_handler(docs))
    fake_api.on('POST', 'integrations.create', create)
    fake_api.on('PUT', 'integrations.update', update)
    fake_api.on('POST', 'integrations.remove', remove_handler(docs))
    return fake_api


def writes(fake_api):
    return [(call['method'], call['endpoint']) for call in fake_api.calls
            if call['method'] in ('POST', 'PUT') and call['endpoint'] != 'logout']


DECLARED = [
    {'type': INCOMING, 'name': 'alerts', 'alias': 'new'},
    {'type': INCOMING, 'name': 'fresh', 'username': 'rocket.cat', 'channel': ['#ops']},
    {'type': OUTGOING, 'name': 'deploy'},
]


def test_check_mode_plans_exactly_and_sends_no_write(server, run_module):
    result, failed = run_module(rocketchat_integrations, dict(CONNECTION, integrations=DECLARED, prune=True),
                                check_mode=True, diff=True)
    assert not failed and result['changed'] and writes(server) == []
    assert [(item['action'], item['name']) for item in result['plan']] == [
        ('update', 'alerts'), ('create', 'fresh'), ('unchanged', 'deploy'), ('remove', 'stale')]
    assert result['plan'][0]['changed_fields'] == ['alias']
    assert [diff['before_header'] for diff in result['diff']] == [
        'webhook-incoming alerts (in1)', 'webhook-incoming fresh (new)', 'webhook-incoming stale (in2)']
    assert result['abstract'] == 'would create 1: fresh; update 1: alerts; remove 1: stale; unchanged 1'


def test_apply_does_what_the_plan_said_then_nothing(server, run_module):
    preview, dummy = run_module(rocketchat_integrations, dict(CONNECTION, integrations=DECLARED, prune=True),
                                check_mode=True)
    applied, failed = run_module(rocketchat_integrations, dict(CONNECTION, integrations=DECLARED, prune=True))
    assert not failed and applied['changed']
    assert [(item['action'], item['name']) for item in applied['plan']] == [
        (item['action'], item['name']) for item in preview['plan']]
    assert writes(server) == [('PUT', 'integrations.update'), ('POST', 'integrations.create'),
                              ('POST', 'integrations.remove')]
    assert sorted(doc['name'] for doc in server.docs) == ['alerts', 'deploy', 'fresh']
    server.calls.clear()
    again, failed = run_module(rocketchat_integrations, dict(CONNECTION, integrations=DECLARED, prune=True))
    assert not failed and not again['changed'] and writes(server) == []
    assert [call['endpoint'] for call in server.calls if call['method'] == 'GET'].count('integrations.list') == 1


def test_without_prune_nothing_undeclared_is_removed(server, run_module):
    result, failed = run_module(rocketchat_integrations, dict(CONNECTION, integrations=DECLARED))
    assert not failed and result['removed'] == [] and 'stale' in [doc['name'] for doc in server.docs]


def test_every_refusal_comes_before_any_write(server, run_module):
    declared = DECLARED + [{'type': OUTGOING, 'name': 'tokenless', 'username': 'rocket.cat', 'channel': ['#ops'],
                            'event': 'sendMessage', 'urls': ['https://x.example.com']},
                           {'type': INCOMING, 'integration_id': 'out1', 'name': 'deploy'}]
    result, failed = run_module(rocketchat_integrations, dict(CONNECTION, integrations=declared))
    assert failed and writes(server) == []
    assert result['msg'].startswith('Nothing was changed:')
    assert 'integrations[3]: Creating outgoing integration' in result['msg']
    assert 'integrations[4]: Integration out1 is of type webhook-outgoing' in result['msg']


def test_of_several_with_a_name_the_oldest_is_managed_and_the_others_named(server, run_module, monkeypatch):
    """A run that lists while a concurrent run's duplicate still exists plans on the one that stays."""
    warnings = []
    monkeypatch.setattr(basic.AnsibleModule, 'warn', lambda self, warning: warnings.append(warning))
    server.docs[0]['_createdAt'] = '2026-01-01T00:00:00.000Z'
    server.docs.append(integration_doc('in0', 'alerts', alias='old', _createdAt='2026-02-01T00:00:00.000Z'))
    result, failed = run_module(rocketchat_integrations, dict(CONNECTION, integrations=DECLARED[:1]))
    assert not failed, result.get('msg')
    assert [(entry['action'], entry['id']) for entry in result['plan']] == [('update', 'in1')]
    assert any('2 webhook-incoming integrations are named' in warning and 'leaves in0 alone' in warning
               for warning in warnings)
    assert [doc['_id'] for doc in server.docs if doc['name'] == 'alerts'] == ['in1', 'in0'], 'nothing removed'


def test_max_removals_refuses_the_whole_plan(server, run_module):
    result, failed = run_module(rocketchat_integrations, dict(CONNECTION, integrations=[], prune=True, max_removals=1))
    assert failed and 'more than max_removals=1' in result['msg'] and writes(server) == []


@pytest.mark.parametrize('integrations, words', [
    ([{'type': INCOMING}], 'integrations[0] (None): Select the integration'),
    ([{'type': INCOMING, 'name': 'a'}, {'type': INCOMING, 'name': 'a'}],
     'integrations[0] and integrations[1] declare the same webhook-incoming'),
    ([{'type': INCOMING, 'name': 'a', 'urls': ['x']}], 'integrations[0] (a): urls apply only to webhook-outgoing'),
])
def test_bad_declarations_fail_before_any_request(fake_api, run_module, integrations, words):
    result, failed = run_module(rocketchat_integrations, dict(CONNECTION, integrations=integrations))
    assert failed and words in result['msg'] and fake_api.calls == []


def test_a_failure_halfway_says_what_was_and_was_not_done(server, run_module):
    server.script('POST', 'integrations.create', FakeResponse(500, {'success': False, 'error': 'boom'}))
    result, failed = run_module(rocketchat_integrations, dict(CONNECTION, integrations=DECLARED, prune=True))
    assert failed and 'Applied 1 of 3 planned writes, then failed to create webhook-incoming fresh' in result['msg']
    assert [item['name'] for item in result['updated']] == ['alerts']
    not_done = [(item['action'], item['name']) for item in result['not_done']]
    assert not_done == [('create', 'fresh'), ('remove', 'stale')]
    again, failed = run_module(rocketchat_integrations, dict(CONNECTION, integrations=DECLARED, prune=True))
    assert not failed and [item['name'] for item in again['created']] == ['fresh']
    assert sorted(doc['name'] for doc in server.docs) == ['alerts', 'deploy', 'fresh']


def test_secrets_are_in_no_plan_diff_or_report(server, run_module, tmp_path):
    declared = [{'type': OUTGOING, 'name': 'deploy', 'token': 'rotated-token-value'}]
    result, failed = run_module(rocketchat_integrations, dict(
        CONNECTION, integrations=declared, report_markdown=str(tmp_path / 'plan.md'),
        report_json=str(tmp_path / 'plan.json')), diff=True)
    assert not failed and result['updated'][0]['changed_fields'] == ['token']
    shown = json.dumps(result) + (tmp_path / 'plan.md').read_text() + (tmp_path / 'plan.json').read_text()
    assert 'rotated-token-value' not in shown and 'deploy-token-value' not in shown


def test_the_markdown_report_is_a_table_of_the_plan(server, run_module, tmp_path):
    report = tmp_path / 'reports' / 'plan.md'
    result, failed = run_module(rocketchat_integrations, dict(
        CONNECTION, integrations=DECLARED, prune=True, report_markdown=str(report), report_title='chat.example.com'),
        check_mode=True)
    assert not failed
    tokens = MarkdownIt().enable('table').parse(report.read_text())
    assert [token.content for token in tokens if token.type == 'inline'][0] == 'chat.example.com'
    rows, row = [], None
    for token in tokens:
        if token.type == 'tr_open':
            row = []
        elif token.type == 'inline' and row is not None:
            row.append(token.content)
        elif token.type == 'tr_close':
            rows.append(row)
            row = None
    assert rows[0] == ['action', 'type', 'name', 'id', 'what changes']
    expected = [item for item in result['plan'] if item['action'] != 'unchanged']
    assert [(cells[0], cells[2], cells[3]) for cells in rows[1:]] == [
        (item['action'], item['name'], item['id'] or '(new)') for item in expected]
    assert oct(report.stat().st_mode & 0o777) == '0o600'


def test_a_report_with_nothing_to_do_says_so_in_one_line(server, run_module, tmp_path):
    report = tmp_path / 'plan.md'
    declared = [{'type': OUTGOING, 'name': 'deploy'}]
    result, failed = run_module(rocketchat_integrations, dict(CONNECTION, integrations=declared,
                                                              report_markdown=str(report)), check_mode=True)
    assert not failed and not result['changed']
    assert report.read_text().splitlines()[2].startswith('Nothing to do: the server matches the declaration')


def test_an_export_applied_changes_nothing(server, run_module):
    exported, failed = run_module(rocketchat_integration_info, dict(CONNECTION, export=True))
    assert not failed and exported['needs_token'] == ['deploy']
    assert all('_id' not in item and 'token' not in item for item in exported['definitions'])
    result, failed = run_module(rocketchat_integrations, dict(CONNECTION, integrations=exported['definitions'],
                                                              prune=True))
    assert not failed and not result['changed'] and writes(server) == []


def test_creating_incoming_hooks_says_their_urls_are_new(server, run_module, monkeypatch):
    warnings = []
    monkeypatch.setattr(basic.AnsibleModule, 'warn', lambda self, warning: warnings.append(warning))
    result, failed = run_module(rocketchat_integrations, dict(CONNECTION, integrations=DECLARED))
    assert not failed and [item['name'] for item in result['created']] == ['fresh']
    assert len(warnings) == 1 and 'Created incoming integrations fresh: each has a new hook URL' in warnings[0]
