# Copyright (c) 2026 chatops.rocketchat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""rocketchat_integration_prune: planning, safety rails, partial failure, backups; HTTP layer scripted."""

from __future__ import annotations

import json
import os
import stat

import pytest
from ansible.module_utils import basic

from ansible_collections.chatops.rocketchat.plugins.modules import rocketchat_integration_prune as prune
from ansible_collections.chatops.rocketchat.tests.unit.plugins.fakes import (
    CONNECTION,
    FakeResponse,
    integration_doc,
    list_handler,
    remove_handler,
)


@pytest.fixture
def server(fake_api):
    docs = [integration_doc('in1', 'keep-me'), integration_doc('in2', 'stale-1'), integration_doc('in3', 'stale-2'),
            integration_doc('out1', 'keep-me', 'webhook-outgoing'), integration_doc('out2', 'tmp-x', 'webhook-outgoing')]
    fake_api.docs = docs
    fake_api.on('GET', 'integrations.list', list_handler(docs))
    fake_api.on('POST', 'integrations.remove', remove_handler(docs))
    return fake_api


def ids(items):
    return sorted(item['id'] for item in items)


def remaining(server):
    return sorted(doc['_id'] for doc in server.docs)


def test_defaults_remove_nothing(server, run_module):
    result, failed = run_module(prune, dict(CONNECTION))
    assert not failed and result['changed'] is False and result['removed'] == []
    assert remaining(server) == ['in1', 'in2', 'in3', 'out1', 'out2']


def test_exclusive_keeps_only_declared(server, run_module):
    result, failed = run_module(prune, dict(CONNECTION, exclusive=True, keep=[{'name': 'keep-me'}]))
    assert not failed and result['changed']
    assert ids(result['removed']) == ['in2', 'in3', 'out2'] and result['kept'] == 2
    assert remaining(server) == ['in1', 'out1']
    assert result['api_calls']['POST integrations.remove'] == 3
    assert result['api_calls']['GET integrations.list'] == 1
    assert 'GET integrations.get' not in result['api_calls'], 'no per-item read'


def test_explicit_removals_and_already_absent(server, run_module):
    result, failed = run_module(prune, dict(CONNECTION, remove=[{'name_regex': '^stale-'}, {'id': 'nope'}]))
    assert not failed and ids(result['removed']) == ['in2', 'in3']
    assert result['already_absent'] == [{'id': 'nope'}]
    assert result['abstract'] == 'removed 2: stale-1, stale-2; kept 3; already absent 1'


def test_scope_limits_what_is_touched(server, run_module):
    result, failed = run_module(prune, dict(CONNECTION, exclusive=True, types=['webhook-outgoing']))
    assert not failed and ids(result['removed']) == ['out1', 'out2']
    assert remaining(server) == ['in1', 'in2', 'in3']
    named, failed = run_module(prune, dict(CONNECTION, exclusive=True, scope_name_regex='^stale-'))
    assert ids(named['removed']) == ['in2', 'in3'] and remaining(server) == ['in1']


def test_max_removals_refuses_and_removes_nothing(server, run_module):
    result, failed = run_module(prune, dict(CONNECTION, exclusive=True, max_removals=2))
    assert failed and 'removes 5 integrations, more than max_removals=2; nothing was removed' in result['msg']
    assert 'webhook-incoming stale-1 (in2)' in result['msg']
    assert remaining(server) == ['in1', 'in2', 'in3', 'out1', 'out2']
    assert server.endpoint_calls('POST', 'integrations.remove') == []


def test_check_mode_previews_exactly(server, run_module):
    result, failed = run_module(prune, dict(CONNECTION, exclusive=True, keep=[{'name': 'keep-me'}]),
                                check_mode=True, diff=True)
    assert not failed and result['changed'] and ids(result['removed']) == ['in2', 'in3', 'out2']
    assert server.endpoint_calls('POST', 'integrations.remove') == []
    assert 'webhook-incoming stale-1 (in2)' in result['diff'][0]['before']
    assert 'stale-1' not in result['diff'][0]['after']
    assert [diff['after_header'] for diff in result['diff'][1:]] == [
        'removed (selected by exclusive: no keep selector matches)'] * 3
    assert [item['selected_by'] for item in result['removed']] == ['exclusive: no keep selector matches'] * 3
    assert result['abstract'].startswith('would remove 3: ')


def test_keep_and_remove_conflict_fails_before_removing(server, run_module):
    result, failed = run_module(prune, dict(CONNECTION, keep=[{'name': 'keep-me'}], remove=[{'name_regex': 'keep'}]))
    assert failed and 'keep and remove disagree' in result['msg']
    assert server.endpoint_calls('POST', 'integrations.remove') == []


def test_partial_failure_reports_and_rerun_converges(server, run_module):
    normal_remove = server.handlers[('POST', 'integrations.remove')]
    answers = iter([normal_remove, lambda call: FakeResponse(400, {'success': False, 'error': 'boom'})])

    def first_succeeds_second_fails(call):
        return next(answers, normal_remove)(call)
    server.on('POST', 'integrations.remove', first_succeeds_second_fails)
    result, failed = run_module(prune, dict(CONNECTION, remove=[{'name_regex': '^(stale|tmp)-'}],
                                            keep=[], exclusive=False, parallel=1))
    assert failed and 'Removed 1 of 3 planned integrations' in result['msg'] and 'Running again converges' in result['msg']
    assert ids(result['removed']) == ['in2'] and ids(result['not_removed']) == ['in3', 'out2']
    server.on('POST', 'integrations.remove', normal_remove)
    again, failed = run_module(prune, dict(CONNECTION, remove=[{'name_regex': '^(stale|tmp)-'}]))
    assert not failed and ids(again['removed']) == ['in3', 'out2']
    assert remaining(server) == ['in1', 'out1']


def test_parallel_partial_failure_reports_in_plan_order_and_rerun_converges(server, run_module):
    normal_remove = server.handlers[('POST', 'integrations.remove')]

    def in3_fails(call):
        if call['json']['integrationId'] == 'in3':
            return FakeResponse(400, {'success': False, 'error': 'boom'})
        return normal_remove(call)
    server.on('POST', 'integrations.remove', in3_fails)
    result, failed = run_module(prune, dict(CONNECTION, remove=[{'name_regex': '^(stale|tmp)-'}], parallel=8))
    assert failed and 'then failed on webhook-incoming stale-2 (in3)' in result['msg']
    # all three were in flight at once: the two that succeeded are reported removed, in plan order
    assert ids(result['removed']) == ['in2', 'out2'] and ids(result['not_removed']) == ['in3']
    assert 'Removed 2 of 3 planned integrations' in result['msg']
    server.on('POST', 'integrations.remove', normal_remove)
    again, failed = run_module(prune, dict(CONNECTION, remove=[{'name_regex': '^(stale|tmp)-'}]))
    assert not failed and remaining(server) == ['in1', 'out1']


def test_parallel_out_of_range_is_refused_before_any_request(server, run_module):
    result, failed = run_module(prune, dict(CONNECTION, remove=[{'name': 'stale-1'}], parallel=0))
    assert failed and 'parallel must be between 1 (one call at a time) and 64, got 0' in result['msg']
    assert server.calls == []


def test_backups_are_written_redacted_with_mode_0600(server, run_module, tmp_path):
    backup_dir = tmp_path / 'backups'
    result, failed = run_module(prune, dict(CONNECTION, remove=[{'id': 'in2'}], backup_dir=str(backup_dir)))
    assert not failed
    path = backup_dir / 'webhook-incoming-in2.json'
    assert result['backups'] == [str(path)]
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(backup_dir).st_mode) == 0o700
    saved = json.loads(path.read_text())
    assert saved == {'type': 'webhook-incoming', 'name': 'stale-1', 'enabled': True, 'username': 'rocket.cat',
                     'channel': ['#general'], 'script_enabled': False, 'override_destination_channel_enabled': False}
    assert 'incoming-token-in2' not in path.read_text()


def test_backups_keep_the_outgoing_token_only_when_asked(server, run_module, tmp_path):
    server.docs[4]['token'] = 'outgoing-token-out2'
    run_module(prune, dict(CONNECTION, remove=[{'id': 'out2'}], backup_dir=str(tmp_path / 'plain')))
    assert 'token' not in json.loads((tmp_path / 'plain' / 'webhook-outgoing-out2.json').read_text())
    server.docs.append(integration_doc('out3', 'tmp-y', 'webhook-outgoing', token='outgoing-token-out3'))
    run_module(prune, dict(CONNECTION, remove=[{'id': 'out3'}], backup_dir=str(tmp_path), backup_secrets=True))
    assert json.loads((tmp_path / 'webhook-outgoing-out3.json').read_text())['token'] == 'outgoing-token-out3'


@pytest.mark.parametrize('args, words', [
    ({'keep': [{'type': 'webhook-incoming'}]}, 'keep[0] selects nothing'),
    ({'remove': [{'name_regex': '('}]}, 'remove[0].name_regex'),
    ({'scope_name_regex': '[a-'}, 'scope_name_regex'),
    ({'max_removals': -1}, 'max_removals must be 1 or more'),
    ({'max_removals': 0}, 'max_removals must be 1 or more'),
    ({'types': []}, 'types is empty'),
    ({'remove': [{'name': ''}]}, 'remove[0].name is empty'),
])
def test_bad_input_fails_before_any_request(fake_api, run_module, args, words):
    result, failed = run_module(prune, dict(CONNECTION, **args))
    assert failed and words in result['msg']
    assert fake_api.calls == []


def test_own_only_view_warns_and_never_claims_absence(server, run_module):
    server.on('GET', 'me', lambda call: FakeResponse(body={'_id': 'uid-1', 'roles': ['user'], 'success': True}))
    server.on('GET', 'permissions.listAll', lambda call: FakeResponse(body={'update': [
        {'_id': 'manage-own-incoming-integrations', 'roles': ['user']},
        {'_id': 'manage-own-outgoing-integrations', 'roles': ['user']}], 'remove': []}))
    result, failed = run_module(prune, dict(CONNECTION, remove=[{'name': 'someone-elses'}]))
    assert not failed and result['already_absent'] == []
    assert result['not_visible'] == [{'name': 'someone-elses'}]
    assert result['view'] == {'webhook-incoming': 'own', 'webhook-outgoing': 'own'}


def warnings_of(monkeypatch):
    warnings = []
    monkeypatch.setattr(basic.AnsibleModule, 'warn', lambda self, warning: warnings.append(warning))
    return warnings


def test_an_unused_keep_selector_is_a_warning(server, run_module, monkeypatch):
    warnings = warnings_of(monkeypatch)
    result, failed = run_module(prune, dict(CONNECTION, exclusive=True, keep=[{'name': 'keep-me'}, {'name': 'typo'}]),
                                check_mode=True)
    assert not failed
    assert warnings == ['These keep selectors match no integration in scope, so nothing is kept by them (a typo?): '
                        '{"name": "typo"}.']


def test_keep_without_exclusive_is_a_warning(server, run_module, monkeypatch):
    warnings = warnings_of(monkeypatch)
    result, failed = run_module(prune, dict(CONNECTION, keep=[{'name': 'keep-me'}]))
    assert not failed and result['removed'] == []
    assert len(warnings) == 1 and 'keep is set but exclusive is not' in warnings[0]


def test_api_calls_are_reported_when_max_removals_refuses(server, run_module):
    result, failed = run_module(prune, dict(CONNECTION, exclusive=True, max_removals=1))
    assert failed and result['api_calls']['GET integrations.list'] == 1


def test_backups_keep_unicode_as_written(server, run_module, tmp_path):
    server.docs[1]['name'] = 'Überwachung 🚀'
    result, failed = run_module(prune, dict(CONNECTION, remove=[{'id': 'in2'}], backup_dir=str(tmp_path)))
    assert not failed
    with open(result['backups'][0], encoding='utf-8') as handle:
        assert '"name": "Überwachung 🚀"' in handle.read()
