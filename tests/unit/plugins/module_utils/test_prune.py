# Copyright (c) 2026 chatops.rocketchat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The prune planner alone, with plain dicts: no HTTP, no module."""

from __future__ import annotations

import pytest

from ansible_collections.chatops.rocketchat.plugins.module_utils import _prune as prune
from ansible_collections.chatops.rocketchat.plugins.module_utils._errors import InvalidInput
from ansible_collections.chatops.rocketchat.tests.unit.plugins.fakes import integration

ALL = {'webhook-incoming': 'all', 'webhook-outgoing': 'all'}
OWN = {'webhook-incoming': 'own', 'webhook-outgoing': 'own'}
DOCS = (integration('in1', 'keep-me'), integration('in2', 'stale-1'),
        integration('out1', 'tmp-x', 'webhook-outgoing'))


def plan(docs=DOCS, view=None, **options):
    params = dict({'keep': [], 'remove': [], 'exclusive': False, 'types': ['webhook-incoming', 'webhook-outgoing'],
                   'scope_name_regex': None, 'max_removals': 10}, **options)
    keep, remove, scope = prune.parse_input(params)
    return prune.plan_prune(list(docs), ALL if view is None else view, params, keep, remove, scope)


def test_plan_exclusive_removes_what_no_keep_selector_matches():
    outcome = plan(exclusive=True, keep=[{'name': 'keep-me'}])
    assert [doc.id for doc in outcome.remove] == ['in2', 'out1']
    assert [doc.id for doc in outcome.keep] == ['in1']
    assert outcome.refusal is None and outcome.partial_types == []


def test_plan_unmatched_selector_is_absent_in_a_full_view_and_not_visible_in_a_partial_one():
    full = plan(remove=[{'name': 'ghost'}])
    assert full.already_absent == [{'name': 'ghost'}] and full.not_visible == []
    partial = plan(view=OWN, remove=[{'name': 'ghost'}])
    assert partial.already_absent == [] and partial.not_visible == [{'name': 'ghost'}]
    assert partial.partial_types == ['webhook-incoming', 'webhook-outgoing']


def test_plan_partial_view_counts_only_for_the_selector_type():
    view = {'webhook-incoming': 'all', 'webhook-outgoing': 'own'}
    outcome = plan(view=view, remove=[{'name': 'ghost-in', 'type': 'webhook-incoming'},
                                      {'name': 'ghost-out', 'type': 'webhook-outgoing'}])
    assert outcome.already_absent == [{'name': 'ghost-in', 'type': 'webhook-incoming'}]
    assert outcome.not_visible == [{'name': 'ghost-out', 'type': 'webhook-outgoing'}]
    assert outcome.partial_types == ['webhook-outgoing']


def test_plan_refuses_more_than_max_removals_and_names_them():
    outcome = plan(exclusive=True, max_removals=1)
    assert 'more than max_removals=1' in outcome.refusal
    assert 'webhook-incoming stale-1 (in2)' in outcome.refusal and len(outcome.remove) == 3


def test_plan_refuses_keep_and_remove_of_the_same_integration():
    outcome = plan(keep=[{'name_regex': '^stale'}], remove=[{'id': 'in2'}])
    assert outcome.refusal.startswith('keep and remove disagree') and 'remove[0]' in outcome.refusal


def test_plan_never_leaves_the_scope():
    outcome = plan(exclusive=True, scope_name_regex='^tmp-', types=['webhook-outgoing'])
    assert [doc.id for doc in outcome.in_scope] == ['out1'] == [doc.id for doc in outcome.remove]


def test_plan_reports_keep_selectors_that_match_nothing():
    outcome = plan(exclusive=True, keep=[{'name': 'keep-me'}, {'name': 'kepe-me'}])
    assert outcome.unused_keep == [{'name': 'kepe-me'}]


def test_the_second_breaker_counts_the_share_of_the_scope():
    refused = plan(exclusive=True, keep=[{'name': 'keep-me'}], max_removals_percent=50)
    assert refused.refusal.startswith('The plan removes 2 of the 3 integrations in scope (67%), more than '
                                      'max_removals_percent=50; nothing was removed.')
    assert plan(exclusive=True, keep=[{'name': 'keep-me'}], max_removals_percent=67).refusal is None
    assert plan(exclusive=True, keep=[{'name': 'keep-me'}], max_removals=1, max_removals_percent=90).refusal.startswith(
        'The plan removes 2 integrations, more than max_removals=1')


def test_the_second_breaker_is_a_percentage():
    for wrong in (0, 101, -5):
        with pytest.raises(InvalidInput, match='max_removals_percent must be from 1 to 100'):
            plan(max_removals_percent=wrong)


def test_updated_by_selects_who_changed_a_hook_last_and_never_a_hook_never_updated():
    docs = [integration('a', 'a', enabled=False, _updatedBy={'_id': 'u', 'username': 'automation'}),
            integration('b', 'b', enabled=False, _updatedBy={'_id': 'h', 'username': 'alice'}),
            integration('c', 'c', enabled=False)]
    result = plan(docs, remove=[{'enabled': False, 'updated_by': 'automation'}])
    assert [doc.id for doc in result.remove] == ['a']
    assert result.selected_by['a'] == 'remove[0]: disabled, last changed by automation'
