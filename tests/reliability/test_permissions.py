# Copyright (c) 2026 chatops.rocketchat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A user with only the manage-own-* permissions: its own integrations, and nobody else's."""

from __future__ import annotations

import pytest

from adhoc import connection_for, run_ad_hoc, writes

INCOMING = 'webhook-incoming'


@pytest.fixture
def own_only(double):
    user = double.control.add_user('own-only', roles=['user'], permissions=[
        'manage-own-incoming-integrations', 'manage-own-outgoing-integrations'])
    mine = double.control.seed([{'name': 'mine'}, {'name': 'mine-too', 'type': 'webhook-outgoing'}],
                               created_by='own-only')
    theirs = double.control.seed([{'name': 'theirs'}], created_by='rocket.cat')
    double.control.clear_requests()
    return {'connection': connection_for(double, user), 'mine': mine, 'theirs': theirs[0]}


def names(double):
    return sorted(doc['name'] for doc in double.control.integrations())


def test_removes_its_own(double, own_only):
    run = run_ad_hoc('rocketchat_integration', {'type': INCOMING, 'name': 'mine', 'state': 'absent'},
                     own_only['connection'])
    assert not run.failed and run.changed
    assert names(double) == ['mine-too', 'theirs']


def test_removing_someone_elses_by_id_is_a_clear_error(double, own_only):
    run = run_ad_hoc('rocketchat_integration', {'type': INCOMING, 'integration_id': own_only['theirs'],
                                                'state': 'absent'}, own_only['connection'])
    assert run.failed
    assert 'exists, but this user may not manage it' in run.msg and 'manage-own' in run.msg
    assert writes(double) == []
    assert names(double) == ['mine', 'mine-too', 'theirs']


def test_someone_elses_by_name_is_not_claimed_absent_silently(double, own_only):
    run = run_ad_hoc('rocketchat_integration', {'type': INCOMING, 'name': 'theirs', 'state': 'absent'},
                     own_only['connection'])
    assert not run.failed and not run.changed
    assert 'sees only part of them (view: own)' in run.stderr
    assert names(double) == ['mine', 'mine-too', 'theirs']


def test_prune_warns_and_never_reports_others_as_absent(double, own_only):
    run = run_ad_hoc('rocketchat_integration_prune', {'remove': [{'name': 'theirs'}, {'name': 'mine'}]},
                     own_only['connection'])
    assert not run.failed
    assert [item['name'] for item in run.result['removed']] == ['mine']
    assert run.result['already_absent'] == []
    assert run.result['not_visible'] == [{'name': 'theirs'}]
    assert run.result['view'] == {'webhook-incoming': 'own', 'webhook-outgoing': 'own'}
    assert 'may see only part of the' in run.stderr
    assert names(double) == ['mine-too', 'theirs']


def test_exclusive_prune_leaves_others_untouched(double, own_only):
    run = run_ad_hoc('rocketchat_integration_prune', {'exclusive': True}, own_only['connection'])
    assert not run.failed
    assert sorted(item['name'] for item in run.result['removed']) == ['mine', 'mine-too']
    assert names(double) == ['theirs']
