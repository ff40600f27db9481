# Copyright (c) 2026 chatops.rocketchat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A run killed (SIGKILL) at random moments, drawn from a fixed seed: what is gone from the server has its whole
backup on disk, no file under a backup's name is half-written, and a run afterwards converges to the plan."""

from __future__ import annotations

import json
import os
import random
import signal
import time

import pytest

from adhoc import module_result, start_module

KILLS = 30
SEED = 20261205
HOOKS = 40
LATENCY_MS = 10
DECLARED = [{'type': 'webhook-incoming', 'name': 'kill-%02d' % index, 'username': 'rocket.cat',
             'channel': ['#general'], 'alias': 'alias-%02d' % index} for index in range(24)]


def fresh(double) -> dict:
    double.control.call('POST', 'reset', {})
    double.control.rate_limit(enabled=False)
    double.control.call('POST', 'latency', {'ms': LATENCY_MS})
    token = double.control.add_user('admin', password='admin-password-123', roles=['admin', 'user'])
    return {'ROCKETCHAT_URL': double.url, 'ROCKETCHAT_USER_ID': token['user']['_id'],
            'ROCKETCHAT_AUTH_TOKEN': token['authToken']}


def killed_at_write(double, process, writes: int) -> None:
    """SIGKILL once the double has received `writes` writes from this run (or the run ended): a moment in the
    middle of the work whatever the machine's load, which a clock-drawn moment is not."""
    while process.poll() is None:
        if sum(1 for entry in double.control.requests() if entry['method'] in ('POST', 'PUT')) >= writes:
            os.kill(process.pid, signal.SIGKILL)
            break
        time.sleep(0.01)
    process.wait()
    time.sleep(3 * LATENCY_MS / 1000.0)  # a request already on the wire still lands: read the server after it


@pytest.fixture
def rng():
    return random.Random(SEED)


def test_a_prune_killed_at_random_moments_leaves_whole_backups_and_converges(double, tmp_path, rng):
    def seed(double_):
        return double_.control.seed([{'name': 'stale-%02d' % index} for index in range(HOOKS)] + [{'name': 'keep'}])

    args = {'remove': [{'name_regex': '^stale-'}], 'max_removals': HOOKS, 'parallel': 4}
    partial = 0
    for kill in range(KILLS):
        connection = fresh(double)
        seeded = dict(zip(seed(double), ['stale-%02d' % index for index in range(HOOKS)]))
        double.control.clear_requests()
        backups = tmp_path / ('backups-%02d' % kill)
        run_args = dict(args, backup_dir=str(backups))
        # after 1 to HOOKS - 1 removals have reached the server, drawn from the seed: the run is killed mid-prune
        # however fast this machine is at the moment
        killed_at_write(double, start_module('rocketchat_integration_prune', run_args, connection),
                        rng.randint(1, HOOKS - 1))
        remaining = {doc['_id'] for doc in double.control.integrations()}
        gone = [doc_id for doc_id in seeded if doc_id not in remaining]
        files = sorted(os.listdir(backups)) if backups.exists() else []
        finals = [name for name in files if not name.startswith('.')]
        for doc_id in gone:  # gone from the server: its backup is on disk, whole
            assert 'webhook-incoming-%s.json' % doc_id in finals, 'kill %d: %s removed without backup' % (kill, doc_id)
        for name in finals:  # no file under a backup's name is half-written
            content = json.loads((backups / name).read_text())
            assert content['name'] == seeded[name[len('webhook-incoming-'):-len('.json')]]
        partial += 0 < len(gone) < HOOKS
        # a run afterwards converges to the plan, and leaves no temporary file behind
        again = module_result(start_module('rocketchat_integration_prune', run_args, connection))
        assert not again.get('failed'), again.get('msg')
        assert [doc['name'] for doc in double.control.integrations()] == ['keep'], 'kill %d' % kill
        assert sorted(os.listdir(backups)) == sorted('webhook-incoming-%s.json' % doc_id for doc_id in seeded)
        assert {entry['id'] for entry in again['removed']} == set(seeded) - set(gone)
    assert partial >= KILLS // 4, 'the kills landed in the middle of the removals (%d of %d)' % (partial, KILLS)


def test_an_apply_killed_at_random_moments_converges_with_no_duplicate(double, rng):
    args = {'integrations': DECLARED, 'parallel': 4}
    partial = 0
    for kill in range(KILLS):
        connection = fresh(double)
        double.control.clear_requests()
        killed_at_write(double, start_module('rocketchat_integrations', args, connection),
                        rng.randint(1, len(DECLARED) - 1))
        partial += 0 < len(double.control.integrations()) < len(DECLARED)
        again = module_result(start_module('rocketchat_integrations', args, connection))
        assert not again.get('failed'), again.get('msg')
        stored = sorted((doc['name'], doc.get('alias')) for doc in double.control.integrations())
        assert stored == sorted((item['name'], item['alias']) for item in DECLARED), 'kill %d: %s' % (kill, stored)
        assert {entry['id'] for entry in again['plan']} == {doc['_id'] for doc in double.control.integrations()}
    assert partial >= KILLS // 4, 'the kills landed in the middle of the creates (%d of %d)' % (partial, KILLS)
