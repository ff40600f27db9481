# Copyright (c) 2026 chatops.rocketchat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Two pipelines at once: N module processes against one workspace, their windows made to overlap (latency on, and a
gate that holds every run's listing until all have read, so that all of them see "missing" and all create). The
server is read back afterwards: exactly one integration per definition, each run reporting what it resolved."""

from __future__ import annotations

import collections
import random
import time

import pytest

from adhoc import module_result, run_ad_hoc, start_module

ROUNDS = 20
LATENCY_MS = 20
DEFINITIONS = [
    {'type': 'webhook-incoming', 'name': 'race-alerts', 'username': 'rocket.cat', 'channel': ['#general']},
    {'type': 'webhook-incoming', 'name': 'race-deploys', 'username': 'rocket.cat', 'channel': ['#general'],
     'alias': 'deploys'},
    {'type': 'webhook-outgoing', 'name': 'race-bot', 'username': 'rocket.cat', 'channel': ['#general'],
     'event': 'sendMessage', 'urls': ['https://bot.example.com/hook'], 'token': 'race-outgoing-token-1'},
]


def by_definition(double) -> collections.Counter:
    return collections.Counter((doc['type'], doc['name']) for doc in double.control.integrations())


# Long enough for N module processes to start on a loaded 2-core machine: a gate that times out lets a run read after
# another has written, and the race this file is about did not happen (the gate says so, and the test fails there).
GATE_TIMEOUT_MS = 120000


def start_together(double, runs: int, module: str, args_of) -> list[dict]:
    double.control.call('POST', 'gate', {'path': '/api/v1/integrations.list', 'count': runs,
                                         'timeout_ms': GATE_TIMEOUT_MS})
    processes = [start_module(module, args_of(index), double.admin) for index in range(runs)]
    results = [module_result(process) for process in processes]
    gate = double.control.call('GET', 'gate')
    assert gate['open'] and not gate['timed_out'], 'the %d runs did not all read before any wrote: %s' % (runs, gate)
    return results


def fresh_round(double) -> None:
    """An empty workspace with an admin, and the network's latency."""
    double.control.call('POST', 'reset', {})
    double.control.rate_limit(enabled=False)
    double.control.call('POST', 'latency', {'ms': LATENCY_MS})
    token = double.control.add_user('admin', password='admin-password-123', roles=['admin', 'user'])
    double.admin = {'ROCKETCHAT_URL': double.url, 'ROCKETCHAT_USER_ID': token['user']['_id'],
                    'ROCKETCHAT_AUTH_TOKEN': token['authToken']}


@pytest.fixture
def racing(double):
    fresh_round(double)
    yield double
    double.control.call('POST', 'latency', {'ms': 0})


@pytest.mark.parametrize('runs', [2, 4])
def test_concurrent_applies_of_one_declared_set_leave_one_integration_per_definition(racing, runs):
    for round_ in range(ROUNDS):
        fresh_round(racing)
        results = start_together(racing, runs, 'rocketchat_integrations',
                                 lambda index: {'integrations': DEFINITIONS, 'parallel': 4})
        assert not any(result.get('failed') for result in results), [result.get('msg') for result in results]
        counts = by_definition(racing)
        assert counts == {(item['type'], item['name']): 1 for item in DEFINITIONS}, 'round %d: %s' % (round_, counts)
        stored = {doc['_id'] for doc in racing.control.integrations()}
        created = [entry for result in results for entry in result['created']]
        resolved = [entry for result in results for entry in result['resolved_duplicates']]
        # every create either stands (and is the one stored) or was its own run's duplicate, removed by that run
        assert {entry['id'] for entry in created} == stored, 'round %d' % round_
        assert all(entry['kept'] in stored and entry['removed'] not in stored for entry in resolved)
        # the gate made every run see "missing" and create: one stands per definition, the others were resolved
        assert len(created) == len(DEFINITIONS) and len(resolved) == (runs - 1) * len(DEFINITIONS), 'round %d' % round_
        # each run's plan entries name the one that stays
        for result in results:
            assert {entry['id'] for entry in result['plan']} == stored
    # and a run after the race changes nothing
    again = run_ad_hoc('rocketchat_integrations', {'integrations': DEFINITIONS}, racing.admin)
    assert not again.failed and not again.changed, again.result


@pytest.mark.parametrize('runs', [2, 4])
def test_concurrent_single_tasks_selecting_by_name_leave_one(racing, runs):
    definition = dict(DEFINITIONS[0], state='present')
    for round_ in range(ROUNDS):
        fresh_round(racing)
        results = start_together(racing, runs, 'rocketchat_integration', lambda index: definition)
        assert not any(result.get('failed') for result in results), [result.get('msg') for result in results]
        stored = [doc['_id'] for doc in racing.control.integrations()]
        assert len(stored) == 1, 'round %d: %s' % (round_, stored)
        assert {result['integration']['_id'] for result in results} == set(stored), 'every task names the survivor'
        resolved = [entry for result in results for entry in result.get('resolved_duplicates', [])]
        assert len(resolved) == runs - 1 and {entry['kept'] for entry in resolved} == set(stored)


STAGGER_ROUNDS = 8
STAGGER_LATENCY_MS = 100


@pytest.mark.parametrize('module, args_of', [
    ('rocketchat_integrations', lambda index: {'integrations': DEFINITIONS}),
    ('rocketchat_integration', lambda index: dict(DEFINITIONS[0], state='present')),
])
def test_applies_started_a_moment_apart_all_succeed_and_leave_one_of_each(racing, module, args_of):
    """Three applies started 0-0.45 s apart at 100 ms a call: a run that lists while another run's duplicate still
    exists (before that run removes it) plans on the oldest, the one that stays, instead of failing."""
    wanted = DEFINITIONS if module == 'rocketchat_integrations' else DEFINITIONS[:1]
    stagger = random.Random(20261206)  # fixed: the same starts on every run of the suite
    for round_ in range(STAGGER_ROUNDS):
        fresh_round(racing)
        racing.control.call('POST', 'latency', {'ms': STAGGER_LATENCY_MS})
        processes = []
        for index, delay in enumerate(sorted(stagger.uniform(0, 0.45) for _run in range(3))):
            time.sleep(max(delay - (processes[-1][0] if processes else 0), 0))
            processes.append((delay, start_module(module, args_of(index), racing.admin)))
        results = [module_result(process) for _delay, process in processes]
        assert not any(result.get('failed') for result in results), [result.get('msg') for result in results]
        counts = by_definition(racing)
        assert counts == {(item['type'], item['name']): 1 for item in wanted}, 'round %d: %s' % (round_, counts)


def test_two_prunes_at_once_remove_only_what_both_planned_and_report_truthfully(racing):
    """Rocket.Chat's remove finds, then deletes by id: two concurrent removes of one id can both succeed. So each
    run reports each planned integration once, as removed or already absent, and every stale one is reported removed
    by at least one of them; which one, or both, the server does not say."""
    stale = ['stale-%02d' % index for index in range(12)]
    racing.control.seed([{'name': name} for name in stale] + [{'name': 'keep-me'}])
    results = start_together(racing, 2, 'rocketchat_integration_prune',
                             lambda index: {'remove': [{'name_regex': '^stale-'}], 'max_removals': 20})
    assert not any(result.get('failed') for result in results), [result.get('msg') for result in results]
    assert [doc['name'] for doc in racing.control.integrations()] == ['keep-me']
    for result in results:
        reported = [entry['name'] for entry in result['removed']] + [
            entry['name'] for entry in result['already_absent'] if 'id' in entry]
        assert sorted(reported) == stale, 'each planned one reported once, as removed or already absent'
    assert {entry['name'] for result in results for entry in result['removed']} == set(stale)
