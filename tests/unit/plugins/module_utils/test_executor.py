# Copyright (c) 2026 chatops.rocketchat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The one executor: every module's plan runs through it. Writes, duplicates settled, backups, removals, and one
account of what was and was not done, in plan order."""

from __future__ import annotations

import json

import pytest

from ansible_collections.chatops.rocketchat.plugins.module_utils import _declared as declared
from ansible_collections.chatops.rocketchat.plugins.module_utils._errors import LocalFileError, RocketChatError
from ansible_collections.chatops.rocketchat.plugins.module_utils._executor import execute
from ansible_collections.chatops.rocketchat.plugins.module_utils._integration import Integration
from ansible_collections.chatops.rocketchat.plugins.module_utils._plan import (
    DISABLE,
    REMOVE,
    Plan,
    removal_actions,
)
from ansible_collections.chatops.rocketchat.tests.unit.plugins.fakes import integration
from ansible_collections.chatops.rocketchat.tests.unit.plugins.module_utils.test_declared import (
    ALL,
    DECLARED,
    DOCS,
    INCOMING,
    item,
    params,
)


class ScriptedApi:
    """Stands in for IntegrationsApi: answers per name or id, or raises; records what was sent."""

    def __init__(self, fail_on=None, removals=None, updates=None):
        self.fail_on = fail_on
        self.removals = removals or {}
        self.updates = updates or {}
        self.sent = []
        self.winners = {}  # created id -> the older integration of a concurrent run

    def create_from(self, integration_type, plan):
        if plan.after.get('name') == self.fail_on:
            raise RocketChatError('Rocket.Chat failed (HTTP 500): boom', status=500)
        self.sent.append(('create', plan.after['name']))
        return Integration.from_api({'_id': 'new-%s' % plan.after['name'], 'name': plan.after['name'],
                                     'type': integration_type})

    def update_from(self, integration_type, plan, integration_id):
        answer = self.updates.get(integration_id)
        if isinstance(answer, Exception):
            raise answer
        self.sent.append(('update', integration_id, dict(plan.after)))
        return Integration.from_api({'_id': integration_id, 'name': plan.after['name'], 'type': integration_type})

    def settle_created(self, created):
        self.sent.append(('settle', [doc.id for doc in created]))
        return {doc.id: self.winners.get(doc.id, doc) for doc in created}, [
            {'name': doc.name, 'type': doc.type, 'kept': self.winners[doc.id].id, 'removed': doc.id}
            for doc in created if doc.id in self.winners]

    def remove(self, integration_type, integration_id):
        answer = self.removals.get(integration_id, True)  # True: removed; False: already gone
        if isinstance(answer, Exception):
            raise answer
        self.sent.append(('remove', integration_id))
        return answer


def declared_plan(definitions, **options):
    return declared.plan_declared(DOCS, ALL, params(definitions, **options), None).to_plan()


def test_a_failed_write_stops_the_run_and_says_what_was_not_done():
    plan = declared_plan(DECLARED + [item(type=INCOMING, name='later', username='u', channel=['#a'])], prune=True)
    execution = execute(ScriptedApi(fail_on='fresh'), plan)
    assert [entry['id'] for entry in execution.updated] == ['in1'] and execution.created == []
    assert [(action.kind, action.name) for action in execution.not_done] == [
        ('create', 'fresh'), ('create', 'later'), ('remove', 'stray')]
    assert execution.stopped_in == 'writes' and execution.removed == []
    assert isinstance(execution.error, RocketChatError) and execution.error.status == 500
    assert execution.error.message.startswith('Applied 1 of 4 planned writes, then failed to create webhook-incoming '
                                              'fresh')


def test_a_create_stands_and_is_stored_under_its_position():
    execution = execute(ScriptedApi(), declared_plan(DECLARED))
    assert execution.error is None and [entry['id'] for entry in execution.created] == ['new-fresh']
    assert execution.stored[1].id == 'new-fresh', 'the update is action 0, the create action 1'


def test_created_integrations_are_read_back_and_a_concurrent_runs_older_one_wins():
    api = ScriptedApi()
    api.winners = {'new-fresh': Integration.from_api({'_id': 'other-run', 'name': 'fresh', 'type': INCOMING})}
    execution = execute(api, declared_plan(DECLARED))
    assert ('settle', ['new-fresh']) in api.sent
    assert execution.created == [], 'the one created here was the duplicate: it is not reported as standing'
    assert execution.resolved_duplicates == [{'name': 'fresh', 'type': INCOMING, 'kept': 'other-run',
                                              'removed': 'new-fresh'}]
    assert execution.stored[1].id == 'other-run'


@pytest.mark.parametrize('parallel', [1, 4])
def test_parallel_writes_report_in_plan_order(parallel):
    many = [item(type=INCOMING, name='hook-%02d' % index, username='u', channel=['#a']) for index in range(12)]
    execution = execute(ScriptedApi(), declared_plan(many), parallel)
    assert [entry['name'] for entry in execution.created] == ['hook-%02d' % index for index in range(12)]


def removals(*docs, kind=REMOVE):
    return Plan(removal_actions(docs, {doc.id: 'remove[0]: name %s' % doc.name for doc in docs}, kind))


def test_removals_say_what_was_and_was_not_done():
    docs = [integration('a', 'a'), integration('b', 'b'), integration('c', 'c'), integration('d', 'd')]
    api = ScriptedApi(removals={'b': False, 'c': RocketChatError('boom', status=500)})
    execution = execute(api, removals(*docs))
    assert [item['id'] for item in execution.removed] == ['a']
    assert execution.removed[0]['selected_by'] == 'remove[0]: name a'
    assert [item['id'] for item in execution.already_absent] == ['b']
    assert [action.target_id for action in execution.not_done] == ['c', 'd'] and execution.stopped_in == 'removals'
    assert isinstance(execution.error, RocketChatError) and execution.error.status == 500
    assert execution.error.message.startswith('Removed 1 of 4 planned integrations, then failed on webhook-incoming c '
                                              '(c)')


def test_a_backup_that_cannot_be_written_is_a_local_file_error_and_nothing_is_removed(tmp_path):
    blocker = tmp_path / 'not-a-directory'
    blocker.write_text('x')
    api = ScriptedApi()
    execution = execute(api, removals(integration('a', 'a')), backup_dir=str(blocker))
    assert isinstance(execution.error, LocalFileError) and api.sent == []
    assert [action.target_id for action in execution.not_done] == ['a']


def test_each_backup_is_on_disk_before_its_remove_and_restores_the_definition(tmp_path):
    api = ScriptedApi()
    seen = []
    original = api.remove

    def remove(integration_type, integration_id):
        seen.append(sorted(path.name for path in tmp_path.iterdir()))
        return original(integration_type, integration_id)
    api.remove = remove
    execution = execute(api, removals(integration('a', 'alerts', alias='x')), backup_dir=str(tmp_path))
    assert seen == [['webhook-incoming-a.json']] and execution.backups == [str(tmp_path / 'webhook-incoming-a.json')]
    backup = json.loads((tmp_path / 'webhook-incoming-a.json').read_text())
    assert backup['name'] == 'alerts' and backup['alias'] == 'x' and 'token' not in backup


def test_a_single_action_failure_is_told_as_the_server_said_it():
    execution = execute(ScriptedApi(removals={'a': RocketChatError('boom', status=500)}),
                        removals(integration('a', 'a')), told=False)
    assert execution.error.message == 'boom'


def test_a_disable_sends_everything_as_stored_with_enabled_false():
    outgoing = integration('o', 'bot', 'webhook-outgoing', token='stored-token', alias='x')
    api = ScriptedApi()
    execution = execute(api, removals(outgoing, kind=DISABLE))
    assert execution.disabled == [{'id': 'o', 'name': 'bot', 'type': 'webhook-outgoing',
                                   'selected_by': 'remove[0]: name bot'}]
    _kind, _id, sent = api.sent[0]
    assert sent['enabled'] is False and sent['token'] == 'stored-token' and sent['alias'] == 'x'
    assert sent['channel'] == ['#general'] and sent['urls'] == ['https://hooks.example.com/o']


def test_a_disable_the_server_refuses_is_reported_with_its_reason_and_nothing_stops():
    gone_room = RocketChatError('refused', status=400, error_type='error-invalid-room',
                                error_text='Invalid room [error-invalid-room]')
    docs = [integration('a', 'a'), integration('b', 'b')]
    execution = execute(ScriptedApi(updates={'a': gone_room}), removals(*docs, kind=DISABLE))
    assert execution.error is None and [item['id'] for item in execution.disabled] == ['b']
    assert execution.not_disabled == [{'id': 'a', 'name': 'a', 'type': 'webhook-incoming',
                                       'selected_by': 'remove[0]: name a', 'reason': 'Invalid room [error-invalid-room]'}]
    assert execution.removed == []
