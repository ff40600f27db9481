# Copyright (c) 2026 chatops.rocketchat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""`make bench`, the declared set: 300 definitions on an empty server in one rocketchat_integrations run, against a
per-item loop and a bare requests floor; then an immediate second run. Prints figures; asserts nothing about time.

Run from a tree at ansible_collections/chatops/rocketchat/ with ANSIBLE_COLLECTIONS_PATH pointing at it.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time

import requests

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

from bench.bench_prune import api_calls, fresh, run_playbook  # noqa: E402  pylint: disable=wrong-import-position
from rocketchat_double.launcher import RunningDouble  # noqa: E402  pylint: disable=wrong-import-position

COUNT = 300
LOOP_SAMPLE = 30


def definitions(count: int, prefix: str = 'declared') -> list[dict]:
    return [{'type': 'webhook-incoming', 'name': '%s-%04d' % (prefix, index), 'username': 'rocket.cat',
             'channel': ['#general']} for index in range(count)]


def floor(double, count: int) -> tuple[float, int]:
    """The same calls with a bare keep-alive session: me, permissions, one list page, the creates."""
    token = fresh(double, 0, 0)
    session = requests.Session()
    session.headers.update({'X-User-Id': token['user']['_id'], 'X-Auth-Token': token['authToken']})
    base = double.url + '/api/v1/'
    started = time.perf_counter()
    session.get(base + 'me', timeout=30).raise_for_status()
    session.get(base + 'permissions.listAll', timeout=30).raise_for_status()
    session.get(base + 'integrations.list', params={'offset': 0, 'count': 100, 'sort': '{"_id":1}'},
                timeout=30).raise_for_status()
    for item in definitions(count):
        body = {'type': item['type'], 'name': item['name'], 'username': item['username'], 'channel': '#general',
                'enabled': True, 'scriptEnabled': False, 'overrideDestinationChannelEnabled': False}
        session.post(base + 'integrations.create', json=body, timeout=30).raise_for_status()
    return time.perf_counter() - started, count + 3


def main() -> int:
    with tempfile.TemporaryDirectory(prefix='rocketchat-bench-') as workdir, \
            RunningDouble(workdir, idle_timeout=600) as double:
        token = fresh(double, 0, 0)
        create_300 = run_playbook(workdir, double, token, 'declared.yml', {'bench_definitions': definitions(COUNT)})
        created = len(double.control.integrations())
        double.control.clear_requests()
        again = run_playbook(workdir, double, token, 'declared.yml', {'bench_definitions': definitions(COUNT)})
        again_calls = api_calls(double)
        token = fresh(double, 0, 0)
        create_100 = run_playbook(workdir, double, token, 'declared.yml', {'bench_definitions': definitions(100)})
        token = fresh(double, 0, 0)
        create_700 = run_playbook(workdir, double, token, 'declared.yml', {'bench_definitions': definitions(700)})
        floor_time, floor_calls = floor(double, COUNT)
        token = fresh(double, 0, 0)
        loop_sample = run_playbook(workdir, double, token, 'create_per_item.yml',
                                   {'bench_definitions': definitions(LOOP_SAMPLE)})

    # over 600 creates, so that the playbook's start-up time (which varies by a few tenths of a second) cancels out
    marginal = (create_700 - create_100) / 600
    floor_per_call = floor_time / floor_calls
    loop_per_item = loop_sample / LOOP_SAMPLE
    writes = sum(count for key, count in again_calls.items() if key.split()[0] in ('POST', 'PUT'))
    print('\nchatops.rocketchat declared-set benchmark (local double, %d cores)' % os.cpu_count())
    print('-' * 78)
    print('rocketchat_integrations, %d definitions, empty server : %6.2f s wall (%d created)' % (
        COUNT, create_300, created))
    print('  immediate second run                              : %6.2f s, %d writes (target 0), calls: %s' % (
        again, writes, ', '.join('%s=%d' % item for item in sorted(again_calls.items()))))
    print('  marginal cost per create (700 vs 100)             : %6.2f ms' % (marginal * 1000))
    print('floor: bare requests keep-alive loop, %d calls     : %6.2f s, %.2f ms per call' % (
        floor_calls, floor_time, floor_per_call * 1000))
    print('  marginal / floor per call                         : %6.2fx (target <= 1.5x)' % (marginal / floor_per_call))
    print('per-item loop over rocketchat_integration, %d       : %6.2f s, %.0f ms per item' % (
        LOOP_SAMPLE, loop_sample, loop_per_item * 1000))
    print('  extrapolated to %d                               : %6.1f s; one module run is %.0fx faster (target >= 20x)' % (
        COUNT, loop_per_item * COUNT, loop_per_item * COUNT / create_300))
    return 0


if __name__ == '__main__':
    sys.exit(main())
