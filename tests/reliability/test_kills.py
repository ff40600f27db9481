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


def killed_after(double, process, seconds: float) -> None:
    time.sleep(seconds)
    if process.poll() is None:
        os.kill(process.pid, signal.SIGKILL)
    process.wait()
    time.sleep(3 * LATENCY_MS / 1000.0)  # a request already on the wire still lands: read the server after it


def write_window(double, module: str, args: dict, seed) -> tuple[float, float]:
    """When, counted from its start, one whole run here sends its first and its last write: the kills are drawn
    over that window (and a little around it), where a kill can leave work half done."""
    connection = fresh(double)
    seed(double)
    double.control.clear_requests()
    started = time.time()
    result = module_result(start_module(module, args, connection))
    assert not result.get('failed'), result.get('msg')
    moments = [entry['time'] - started for entry in double.control.requests() if entry['method'] in ('POST', 'PUT')]
    assert moments, 'the run wrote nothing'
    return max(min(moments) - 0.05, 0.0), max(moments) + 0.05


@pytest.fixture
def rng():
    return random.Random(SEED)


def test_a_prune_killed_at_random_moments_leaves_whole_backups_and_converges(double, tmp_path, rng):
    def seed(double_):
        return double_.control.seed([{'name': 'stale-%02d' % index} for index in range(HOOKS)] + [{'name': 'keep'}])

    args = {'remove': [{'name_regex': '^stale-'}], 'max_removals': HOOKS, 'parallel': 4}
    window = write_window(double, 'rocketchat_integration_prune', dict(args, backup_dir=str(tmp_path / 'x')), seed)
    partial = 0
    for kill in range(KILLS):
        connection = fresh(double)
        seeded = dict(zip(seed(double), ['stale-%02d' % index for index in range(HOOKS)]))
        backups = tmp_path / ('backups-%02d' % kill)
        run_args = dict(args, backup_dir=str(backups))
        killed_after(double, start_module('rocketchat_integration_prune', run_args, connection), rng.uniform(*window))
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
    window = write_window(double, 'rocketchat_integrations', args, lambda double_: None)
    partial = 0
    for kill in range(KILLS):
        connection = fresh(double)
        killed_after(double, start_module('rocketchat_integrations', args, connection), rng.uniform(*window))
        partial += 0 < len(double.control.integrations()) < len(DECLARED)
        again = module_result(start_module('rocketchat_integrations', args, connection))
        assert not again.get('failed'), again.get('msg')
        stored = sorted((doc['name'], doc.get('alias')) for doc in double.control.integrations())
        assert stored == sorted((item['name'], item['alias']) for item in DECLARED), 'kill %d: %s' % (kill, stored)
        assert {entry['id'] for entry in again['plan']} == {doc['_id'] for doc in double.control.integrations()}
    assert partial >= KILLS // 4, 'the kills landed in the middle of the creates (%d of %d)' % (partial, KILLS)
