# Copyright (c) 2026 chatops.rocketchat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""`make bench`, over a real network's latency: the double answers every API call 20 ms late, as a Rocket.Chat 20 ms
away from the runner would. The prune of 900 of 1,000 and the creation of 300 definitions, each with parallel: 1 and
with the default, against the floor ceil(N / parallel) x 20 ms plus the listing; the module's peak memory. Prints
figures; asserts nothing about time.

Run from a tree at ansible_collections/chatops/rocketchat/ with ANSIBLE_COLLECTIONS_PATH pointing at it.
"""

from __future__ import annotations

import math
import os
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

from bench.bench_declared import definitions  # noqa: E402  pylint: disable=wrong-import-position
from bench.bench_prune import LIST_PAGE, api_calls, fresh, measured_python, run_playbook  # noqa: E402  pylint: disable=wrong-import-position
from rocketchat_double.launcher import RunningDouble  # noqa: E402  pylint: disable=wrong-import-position

LATENCY_MS = 20
DEFAULT_PARALLEL = 8


def api_seconds(double) -> float:
    """From the first request's arrival to the last answer's: the time the run spent on the API."""
    log = double.control.requests()
    return log[-1]['time'] - log[0]['time'] + LATENCY_MS / 1000.0


def prune(workdir, double, parallel: int, interpreter: str | None = None) -> dict:
    token = fresh(double, 1000, 100)
    double.control.call('POST', 'latency', {'ms': LATENCY_MS})
    extra = {'bench_keep_regex': '^keep-', 'bench_parallel': parallel}
    if interpreter:
        extra['ansible_python_interpreter'] = interpreter
    wall = run_playbook(workdir, double, token, 'prune.yml', extra)
    calls = api_calls(double)
    if len(double.control.integrations()) != 100:
        raise SystemExit('the prune left %d integrations, expected 100' % len(double.control.integrations()))
    listing = sum(count for key, count in calls.items() if key != 'POST integrations.remove')
    return {'wall': wall, 'api': api_seconds(double), 'calls': calls,
            'floor': (math.ceil(900 / parallel) + listing) * LATENCY_MS / 1000.0}


def quarantine(workdir, double, parallel: int) -> dict:
    """Disable 900 of 1,000 (the quarantine's first phase): one update per hook, as a removal is one call."""
    token = fresh(double, 1000, 100)
    double.control.call('POST', 'latency', {'ms': LATENCY_MS})
    extra = {'bench_keep_regex': '^keep-', 'bench_parallel': parallel, 'bench_action': 'disable'}
    wall = run_playbook(workdir, double, token, 'prune.yml', extra)
    calls = api_calls(double)
    disabled = sum(1 for doc in double.control.integrations() if doc['enabled'] is False)
    if disabled != 900:
        raise SystemExit('the quarantine disabled %d integrations, expected 900' % disabled)
    listing = sum(count for key, count in calls.items() if key != 'PUT integrations.update')
    return {'wall': wall, 'api': api_seconds(double), 'calls': calls,
            'floor': (math.ceil(900 / parallel) + listing) * LATENCY_MS / 1000.0}


def saved_plan(workdir, double) -> dict:
    """The reviewed plan of 900 removals: written in check mode, then applied; the calls of each run."""
    token = fresh(double, 1000, 100)
    plan_file = os.path.join(workdir, 'plan.json')
    run_playbook(workdir, double, token, 'prune.yml', {'bench_keep_regex': '^keep-', 'bench_plan_file': plan_file},
                 options=('--check',))
    planning = api_calls(double)
    double.control.clear_requests()
    run_playbook(workdir, double, token, 'prune.yml', {'bench_keep_regex': '^keep-', 'bench_apply_plan': plan_file})
    applying = api_calls(double)
    if len(double.control.integrations()) != 100:
        raise SystemExit('applying the plan left %d integrations, expected 100' % len(double.control.integrations()))
    return {'planning': planning, 'applying': applying}


def create(workdir, double, parallel: int) -> dict:
    token = fresh(double, 0, 0)
    double.control.call('POST', 'latency', {'ms': LATENCY_MS})
    extra = {'bench_definitions': definitions(300), 'bench_parallel': parallel}
    wall = run_playbook(workdir, double, token, 'declared.yml', extra)
    calls = api_calls(double)
    if len(double.control.integrations()) != 300:
        raise SystemExit('the apply left %d integrations, expected 300' % len(double.control.integrations()))
    # the listing: me, permissions.listAll and one page before the writes
    return {'wall': wall, 'api': api_seconds(double), 'calls': calls,
            'floor': (math.ceil(300 / parallel) + 3) * LATENCY_MS / 1000.0}


def main() -> int:
    with tempfile.TemporaryDirectory(prefix='rocketchat-bench-') as workdir, \
            RunningDouble(workdir, idle_timeout=600) as double:
        wrapper, rss_file = measured_python(workdir, 'parallel')
        prune_1 = prune(workdir, double, 1)
        prune_n = prune(workdir, double, DEFAULT_PARALLEL, wrapper)
        with open(rss_file, encoding='utf-8') as handle:
            memory = max(int(line) for line in handle) / 1024.0
        create_1 = create(workdir, double, 1)
        create_n = create(workdir, double, DEFAULT_PARALLEL)
        quarantined = quarantine(workdir, double, DEFAULT_PARALLEL)
        reviewed = saved_plan(workdir, double)

    print('\nchatops.rocketchat over a %d ms link (local double with latency, %d cores)' % (LATENCY_MS, os.cpu_count()))
    print('-' * 78)
    for title, one, many, count in (('prune 900 of 1,000', prune_1, prune_n, 900),
                                    ('create 300 definitions', create_1, create_n, 300)):
        print('%-24s parallel 1 : %6.2f s on the API (%6.2f s wall), floor %6.2f s' % (
            title, one['api'], one['wall'], one['floor']))
        print('%-24s parallel %d : %6.2f s on the API (%6.2f s wall), floor %6.2f s = %.2fx the floor '
              '(target <= 1.5x)' % ('', DEFAULT_PARALLEL, many['api'], many['wall'], many['floor'],
                                    many['api'] / many['floor']))
        print('%-24s speed-up    : %6.1fx on the API, %.1fx wall (target >= 6x); %d writes, %s' % (
            '', one['api'] / many['api'], one['wall'] / many['wall'], count,
            ', '.join('%s=%d' % item for item in sorted(many['calls'].items()))))
    print('%-24s parallel %d : %6.2f s on the API (%6.2f s wall), floor %6.2f s = %.2fx the floor (target <= 1.5x)'
          % ('quarantine 900 of 1,000', DEFAULT_PARALLEL, quarantined['api'], quarantined['wall'], quarantined['floor'],
             quarantined['api'] / quarantined['floor']))
    pages = reviewed['applying']['GET integrations.list']
    print('%-24s planning: %d calls (%s); applying the file: %d calls = %d pages + %d removals + %d '
          '(target <= pages + removals + 3)' % (
              'reviewed plan of 900', sum(reviewed['planning'].values()),
              ', '.join('%s=%d' % item for item in sorted(reviewed['planning'].items())),
              sum(reviewed['applying'].values()), pages, reviewed['applying']['POST integrations.remove'],
              sum(reviewed['applying'].values()) - pages - reviewed['applying']['POST integrations.remove']))
    print('peak RSS of the module process, prune at parallel %d: %5.1f MiB (target < 100 MiB)'
          % (DEFAULT_PARALLEL, memory))
    print('(list pages are %d integrations each; the floor counts every call that is not a write as sequential)'
          % LIST_PAGE)
    return 0


if __name__ == '__main__':
    sys.exit(main())
