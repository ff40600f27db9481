# Copyright (c) 2026 chatops.rocketchat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""`make bench`: figures for the prune, printed, never asserted as timings.

1. The role pruning 900 of 1,000 integrations (500 of each type): wall time and API calls by endpoint.
2. The floor: a plain requests keep-alive loop making the same calls.
3. The per-item way: a `loop:` over rocketchat_integration on 50 integrations, extrapolated.
4. Peak memory of the module process while the server holds 10,000 integrations.
5. A rate-limited, non-admin user (5 calls per 2 s) pruning 30 integrations: 429s seen and time against the minimum.
6. Prune by facts: 1,000 integrations, 50 distinct users, 40 channels; API calls against the bound
   pages + 2 (me, permissions.listAll) + users + channels + outgoing hooks in scope + removals.
"""

from __future__ import annotations

import collections
import json
import math
import os
import stat
import subprocess
import sys
import tempfile
import time

import requests

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

from rocketchat_double.launcher import RunningDouble  # noqa: E402  pylint: disable=wrong-import-position

LIST_PAGE = 100


def seed(double, total: int, keep: int, owner: str = 'rocket.cat', prefix: str = '') -> None:
    """total integrations, half of each type; the first `keep` are named keep-NNNNN, the rest stale-NNNNN."""
    docs = [{'name': '%s%s-%05d' % (prefix, 'keep' if index < keep else 'stale', index),
             'type': 'webhook-incoming' if index % 2 == 0 else 'webhook-outgoing'} for index in range(total)]
    for index, doc in enumerate(docs):
        if doc['type'] == 'webhook-outgoing':
            doc['token'] = 'bench-token-%05d' % index  # an outgoing hook is updated (disabled) with its stored token
    double.control.seed(docs, created_by=owner)


def api_calls(double) -> collections.Counter:
    return collections.Counter('%s %s' % (entry['method'], entry['path'].rsplit('/', 1)[-1])
                               for entry in double.control.requests())


def run_playbook(workdir: str, double, token: dict, playbook: str, extra_vars: dict, env_extra=None,
                 options: tuple = ()) -> float:
    env = dict(os.environ, ROCKETCHAT_URL=double.url, ROCKETCHAT_USER_ID=token['user']['_id'],
               ROCKETCHAT_AUTH_TOKEN=token['authToken'], ANSIBLE_LOCALHOST_WARNING='false',
               ANSIBLE_INVENTORY_UNPARSED_WARNING='false', **(env_extra or {}))
    vars_file = os.path.join(workdir, 'extra_vars.json')
    with open(vars_file, 'w', encoding='utf-8') as handle:
        json.dump(extra_vars, handle)
    started = time.perf_counter()
    completed = subprocess.run(['ansible-playbook', os.path.join(HERE, playbook), '-e', '@' + vars_file] + list(options),
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False)
    elapsed = time.perf_counter() - started
    if completed.returncode != 0:
        print(completed.stdout[-3000:])
        raise SystemExit('ansible-playbook %s failed' % playbook)
    return elapsed


def fresh(double, total: int, keep: int) -> dict:
    double.control.call('POST', 'reset', {})
    double.control.rate_limit(enabled=False)
    token = double.control.add_user('bench-admin', roles=['admin', 'user'])
    seed(double, total, keep)
    double.control.clear_requests()
    return token


def role_prune(workdir, double, total, keep) -> tuple[float, collections.Counter]:
    token = fresh(double, total, keep)
    elapsed = run_playbook(workdir, double, token, 'prune.yml', {'bench_keep_regex': '^keep-'})
    calls = api_calls(double)
    remaining = len(double.control.integrations())
    if remaining != keep:
        raise SystemExit('the role left %d integrations, expected %d' % (remaining, keep))
    return elapsed, calls


def floor(double, total, keep) -> tuple[float, int]:
    """The same calls with a bare requests session: me, permissions, list pages, removes."""
    token = fresh(double, total, keep)
    session = requests.Session()
    session.headers.update({'X-User-Id': token['user']['_id'], 'X-Auth-Token': token['authToken']})
    base = double.url + '/api/v1/'
    started = time.perf_counter()
    calls = 2
    session.get(base + 'me', timeout=30).raise_for_status()
    session.get(base + 'permissions.listAll', timeout=30).raise_for_status()
    docs, offset = [], 0
    while True:
        page = session.get(base + 'integrations.list', params={'offset': offset, 'count': LIST_PAGE, 'sort': '{"_id":1}'}, timeout=30).json()
        calls += 1
        docs.extend(page['integrations'])
        offset += page['count']
        if not page['integrations'] or offset >= page['total']:
            break
    for doc in docs:
        if not doc['name'].startswith('keep-'):
            session.post(base + 'integrations.remove', json={'type': doc['type'], 'integrationId': doc['_id']},
                         timeout=30).raise_for_status()
            calls += 1
    return time.perf_counter() - started, calls


def per_item(workdir, double, count) -> float:
    token = fresh(double, count, 0)
    items = [{'id': doc['_id'], 'type': doc['type']} for doc in double.control.integrations()]
    return run_playbook(workdir, double, token, 'per_item.yml', {'bench_items': items})


def measured_python(workdir: str, name: str) -> tuple[str, str]:
    """An interpreter wrapper that appends the peak RSS (KiB) of each module process it runs to a file."""
    rss_file = os.path.join(workdir, 'rss-%s.txt' % name)
    wrapper = os.path.join(workdir, 'measured-python-%s' % name)
    with open(wrapper, 'w', encoding='utf-8') as handle:
        handle.write('#!%s\nimport resource, subprocess, sys\n'
                     'code = subprocess.call([%r] + sys.argv[1:])\n'
                     'with open(%r, "a") as out:\n'
                     '    out.write("%%d\\n" %% resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n'
                     'sys.exit(code)\n' % (sys.executable, sys.executable, rss_file))
    os.chmod(wrapper, os.stat(wrapper).st_mode | stat.S_IXUSR)
    return wrapper, rss_file


def peak_memory(workdir, double, total) -> float:
    """Max RSS (MiB) of the module process while it lists `total` integrations (check mode, keeps everything)."""
    token = fresh(double, total, total)
    wrapper, rss_file = measured_python(workdir, 'listing')
    run_playbook(workdir, double, token, 'prune.yml', {'bench_keep_regex': '^keep-', 'ansible_python_interpreter': wrapper})
    with open(rss_file, encoding='utf-8') as handle:
        return max(int(line) for line in handle) / 1024.0


def rate_limited(workdir, double, count=30, limit=5, interval_ms=2000) -> dict:
    double.control.call('POST', 'reset', {})
    user = double.control.add_user('bench-user', roles=['user'], permissions=[
        'manage-own-incoming-integrations', 'manage-own-outgoing-integrations'])
    seed(double, count, 0, owner='bench-user', prefix='rl-')
    double.control.rate_limit(enabled=True, limit=limit, interval_ms=interval_ms)
    double.control.clear_requests()
    wall = run_playbook(workdir, double, user, 'prune.yml', {'bench_keep_regex': '^nothing$', 'bench_scope_regex': '^rl-'})
    log = double.control.requests()
    removes = [entry for entry in log if entry['path'].endswith('integrations.remove')]
    minimum = (math.ceil(count / limit) - 1) * interval_ms / 1000.0
    api_elapsed = log[-1]['time'] - log[0]['time']
    return {'wall': wall, 'api_elapsed': api_elapsed, 'minimum': minimum,
            'too_many': sum(1 for entry in log if entry['status'] == 429), 'removes': len(removes),
            'remaining': len(double.control.integrations())}


# Delivery outcomes as the double records them (tests/rocketchat_double/deliveries.py): no answer, a 200 with a body,
# a 500 with a body.
REFUSED = {'network_error': 'ECONNREFUSED'}
DELIVERED = {'status': 200, 'body': 'ok'}
HTTP_500 = {'status': 500, 'body': 'Internal Server Error'}


def facts_prune(workdir, double, total=1000, users=50, rooms=40) -> dict:
    """Creators and post-as users spread over `users` (every 10th deactivated), channels over `rooms` (every 8th
    deleted), outgoing hooks with three deliveries (every 5th all failed)."""
    double.control.call('POST', 'reset', {})
    double.control.rate_limit(enabled=False)
    token = double.control.add_user('bench-admin', roles=['admin', 'user'])
    ids = [double.control.add_user('user-%02d' % index, roles=['user', 'bot'])['user']['_id'] for index in range(users)]
    for index in range(rooms):
        double.control.call('POST', 'rooms', {'name': 'room-%02d' % index})
    seeded = []
    for creator in range(users):
        docs = [{'name': 'hook-%04d' % index, 'type': 'webhook-incoming' if index % 2 == 0 else 'webhook-outgoing',
                 'username': 'user-%02d' % ((index * 7) % users), 'userId': ids[(index * 7) % users],
                 'channel': ['#room-%02d' % (index % rooms)]} for index in range(creator, total, users)]
        seeded += list(zip(double.control.seed(docs, created_by='user-%02d' % creator), docs))
    outgoing = [(integration_id, doc) for integration_id, doc in seeded if doc['type'] == 'webhook-outgoing']
    for number, (integration_id, _doc) in enumerate(outgoing):
        outcomes = [REFUSED] * 3 if number % 5 == 0 else [REFUSED, DELIVERED, HTTP_500]
        double.control.call('POST', 'deliveries', {'integration_id': integration_id,
                                                   'deliveries': [{'outcome': outcome} for outcome in outcomes]})
    for index in range(0, users, 10):
        double.control.call('POST', 'user_state', {'username': 'user-%02d' % index, 'active': False})
    for index in range(0, rooms, 8):
        double.control.call('DELETE', 'rooms', {'name': 'room-%02d' % index})
    double.control.clear_requests()
    elapsed = run_playbook(workdir, double, token, 'facts.yml', {})
    calls = api_calls(double)
    removals = calls['POST integrations.remove']
    return {'wall': elapsed, 'calls': calls, 'removals': removals, 'outgoing': len(outgoing),
            # me and permissions.listAll (the view) are read once a run, whatever the selectors
            'bound': math.ceil(total / LIST_PAGE) + 2 + users + rooms + len(outgoing) + removals,
            'total': sum(calls.values())}


def main() -> int:
    with tempfile.TemporaryDirectory(prefix='rocketchat-bench-') as workdir, \
            RunningDouble(workdir, idle_timeout=600) as double:
        role_900, calls_900 = role_prune(workdir, double, 1000, 100)
        role_100, _calls = role_prune(workdir, double, 1000, 900)
        floor_time, floor_calls = floor(double, 1000, 100)
        loop_50 = per_item(workdir, double, 50)
        memory = peak_memory(workdir, double, 10000)
        limited = rate_limited(workdir, double)
        facts = facts_prune(workdir, double)

    pages = math.ceil(1000 / LIST_PAGE)
    constant = sum(count for key, count in calls_900.items()
                   if key not in ('GET integrations.list', 'POST integrations.remove'))
    marginal = (role_900 - role_100) / 800
    floor_per_call = floor_time / floor_calls
    loop_per_item = loop_50 / 50
    print('\nchatops.rocketchat prune benchmark (local double, %d cores)' % os.cpu_count())
    print('-' * 78)
    print('role, 1,000 integrations, keep 100, prune 900 : %6.2f s wall' % role_900)
    print('  API calls by endpoint                       : %s' % ', '.join(
        '%s=%d' % item for item in sorted(calls_900.items())))
    print('  = %d list pages + %d removes + %d constant (expected %d + 900 + constant): %s' % (
        calls_900['GET integrations.list'], calls_900['POST integrations.remove'], constant, pages,
        'yes' if calls_900['GET integrations.list'] == pages and calls_900['POST integrations.remove'] == 900
        and sum(calls_900.values()) == pages + 900 + constant else 'NO'))
    print('role, prune 100 of 1,000                      : %6.2f s wall' % role_100)
    print('  marginal cost per removal (900 vs 100)      : %6.2f ms' % (marginal * 1000))
    print('floor: bare requests loop, %d calls           : %6.2f s, %.2f ms per call' % (
        floor_calls, floor_time, floor_per_call * 1000))
    print('  role marginal / floor per call              : %6.2fx (target <= 1.5x)' % (marginal / floor_per_call))
    print('per-item loop over rocketchat_integration, 50 : %6.2f s, %.0f ms per item' % (loop_50, loop_per_item * 1000))
    print('  extrapolated to 900                         : %6.1f s; the role is %.0fx faster (target >= 20x)' % (
        loop_per_item * 900, loop_per_item * 900 / role_900))
    print('peak RSS of the module process, 10,000 on server: %5.1f MiB (target < 100 MiB)' % memory)
    print('rate limit 5 per 2 s, non-admin, prune 30     : %d removes, %d answers 429 (target 0), %d left' % (
        limited['removes'], limited['too_many'], limited['remaining']))
    print('  API time first to last call                 : %6.2f s vs minimum %.2f s = %.3fx (target <= 1.15x)' % (
        limited['api_elapsed'], limited['minimum'], limited['api_elapsed'] / limited['minimum']))
    print('  whole ansible-playbook run                  : %6.2f s' % limited['wall'])
    print('prune by facts, 1,000 hooks, 50 users, 40 rooms: %6.2f s wall, %d removed'
          % (facts['wall'], facts['removals']))
    print('  API calls by endpoint                       : %s' % ', '.join(
        '%s %d' % item for item in sorted(facts['calls'].items())))
    print('  %d calls in all; bound pages + 2 + users + channels + outgoing (%d) + removals = %d: %s' % (
        facts['total'], facts['outgoing'], facts['bound'], 'within' if facts['total'] <= facts['bound'] else 'OVER'))
    return 0


if __name__ == '__main__':
    sys.exit(main())
