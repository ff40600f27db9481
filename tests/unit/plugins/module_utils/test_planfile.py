# Copyright (c) 2026 chatops.rocketchat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Apply exactly the reviewed plan: the file a check-mode run writes, what a later run refuses, and what it replays."""

from __future__ import annotations

import datetime
import json

import pytest

from ansible_collections.chatops.rocketchat.plugins.module_utils._errors import InvalidInput
from ansible_collections.chatops.rocketchat.plugins.module_utils._plan import (
    CREATE,
    DISABLE,
    REMOVE,
    Action,
    Plan,
    removal_actions,
)
from ansible_collections.chatops.rocketchat.plugins.module_utils._planfile import (
    check_plan_options,
    plan_document,
    read_plan,
    replay,
    write_plan,
)
from ansible_collections.chatops.rocketchat.plugins.module_utils._integration import Integration
from ansible_collections.chatops.rocketchat.tests.unit.plugins.fakes import integration

NOW = datetime.datetime(2026, 12, 6, 12, tzinfo=datetime.timezone.utc)
URL = 'https://chat.example.com'
MODULE = 'rocketchat_integration_prune'
DOCS = [integration('a', 'a', _updatedAt='2026-12-01T00:00:00.000Z'),
        integration('b', 'b', _updatedAt='2026-12-01T00:00:00.000Z'),
        integration('o', 'bot', 'webhook-outgoing', token='stored-secret', _updatedAt='2026-12-01T00:00:00.000Z')]


def written(tmp_path, plan, **changes):
    document = plan_document(MODULE, URL, plan, NOW)
    path = write_plan(str(tmp_path / 'plan.json'), document)
    if changes:
        raw = json.loads((tmp_path / 'plan.json').read_text())
        raw.update(changes)
        (tmp_path / 'plan.json').write_text(json.dumps(raw))
    return path


def test_the_file_holds_no_secret_and_reads_back(tmp_path):
    create = Action(CREATE, 'webhook-outgoing', 'new-bot', after={'name': 'new-bot', 'token': 'declared-secret'})
    plan = Plan((create,) + removal_actions(DOCS[2:], {'o': 'remove[0]: disabled'}, DISABLE))
    path = written(tmp_path, plan)
    text = (tmp_path / 'plan.json').read_text()
    assert 'secret' not in text and oct((tmp_path / 'plan.json').stat().st_mode & 0o777) == '0o600'
    document = read_plan(path, MODULE, URL + '/', 24, NOW + datetime.timedelta(hours=1))
    assert [row['kind'] for row in document['actions']] == [CREATE, DISABLE]


@pytest.mark.parametrize('changes, message', [
    ({'server_url': 'https://other.example.com'}, 'was changed after it was written'),
    ({'actions': []}, 'was changed after it was written'),
])
def test_an_edited_plan_is_refused(tmp_path, changes, message):
    path = written(tmp_path, Plan(removal_actions(DOCS[:1], {})), **changes)
    with pytest.raises(InvalidInput, match=message):
        read_plan(path, MODULE, URL, 24, NOW)


def test_a_plan_for_another_server_or_module_or_too_old_is_refused(tmp_path):
    path = written(tmp_path, Plan(removal_actions(DOCS[:1], {})))
    with pytest.raises(InvalidInput, match='was written for https://chat.example.com, not for https://other'):
        read_plan(path, MODULE, 'https://other.example.com', 24, NOW)
    with pytest.raises(InvalidInput, match='was written by rocketchat_integration_prune, not rocketchat_integrations'):
        read_plan(path, 'rocketchat_integrations', URL, 24, NOW)
    with pytest.raises(InvalidInput, match='more than plan_max_age_hours=24 ago'):
        read_plan(path, MODULE, URL, 24, NOW + datetime.timedelta(hours=25))


def test_a_file_that_does_not_parse_is_refused(tmp_path):
    (tmp_path / 'plan.json').write_text('{not json')
    with pytest.raises(InvalidInput, match='cannot be read as a plan'):
        read_plan(str(tmp_path / 'plan.json'), MODULE, URL, 24, NOW)
    (tmp_path / 'other.json').write_text('{"actions": []}')
    with pytest.raises(InvalidInput, match='is not a plan written by plan_file'):
        read_plan(str(tmp_path / 'other.json'), MODULE, URL, 24, NOW)


def test_plan_file_and_apply_plan_are_checked_before_any_request(tmp_path):
    base = {'plan_file': None, 'apply_plan': None, 'plan_max_age_hours': 24}
    with pytest.raises(InvalidInput, match='run with --check'):
        check_plan_options(dict(base, plan_file=str(tmp_path / 'p.json')), False, MODULE, URL, NOW)
    with pytest.raises(InvalidInput, match='exclude each other'):
        check_plan_options(dict(base, plan_file='a', apply_plan='b'), True, MODULE, URL, NOW)
    assert check_plan_options(base, False, MODULE, URL, NOW) is None


def test_replay_acts_only_on_targets_unchanged_since(tmp_path):
    plan = Plan(removal_actions(DOCS, {'a': 'remove[0]: name a', 'b': 'remove[0]: name b', 'o': 'remove[0]: x'}))
    document = read_plan(written(tmp_path, plan), MODULE, URL, 24, NOW)
    now_on_server = [DOCS[0], Integration.from_api(dict(DOCS[2].as_dict(), _updatedAt='2026-12-06T11:00:00.000Z')),
                     integration('new', 'new', _updatedAt='2026-12-06T11:00:00.000Z')]
    executable, left_alone = replay(document, now_on_server)
    assert [(action.kind, action.target_id, action.reason) for action in executable.actions] == [
        (REMOVE, 'a', 'remove[0]: name a')]
    assert [(item['id'], item['why'].split(' (')[0]) for item in left_alone] == [
        ('b', 'gone since the plan was written'), ('o', 'changed since the plan was written')]


def test_replay_reads_an_outgoing_token_again_never_from_the_file(tmp_path):
    plan = Plan(removal_actions(DOCS[2:], {'o': 'remove[0]: disabled'}, DISABLE) + (
        Action(CREATE, 'webhook-outgoing', 'fresh', after={'name': 'fresh', 'token': 'declared-secret'}),))
    document = read_plan(written(tmp_path, plan), MODULE, URL, 24, NOW)
    executable, left_alone = replay(document, DOCS, {('webhook-outgoing', 'fresh'): 'declared-secret'})
    assert left_alone == []
    disable, create = executable.actions
    assert disable.after['token'] == 'stored-secret' and disable.after['enabled'] is False
    assert create.after['token'] == 'declared-secret' and create.settle
