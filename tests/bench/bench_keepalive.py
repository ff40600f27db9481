# Copyright (c) 2026 chatops.rocketchat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Benchmark, not a test: time 2,000 sequential keep-alive requests against a fresh double."""

from __future__ import annotations

import http.client
import json
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from rocketchat_double.launcher import RunningDouble  # noqa: E402  pylint: disable=wrong-import-position

REQUESTS = 2000


def main() -> int:
    with tempfile.TemporaryDirectory() as workdir, RunningDouble(workdir, idle_timeout=60) as double:
        created = double.control.add_user('bench', roles=['admin'])
        headers = {'X-User-Id': created['user']['_id'], 'X-Auth-Token': created['authToken']}
        connection = http.client.HTTPConnection('127.0.0.1', double.port, timeout=10)
        started = time.perf_counter()
        for dummy in range(REQUESTS):
            connection.request('GET', '/api/v1/integrations.list?count=1', headers=headers)
            response = connection.getresponse()
            body = json.loads(response.read())
            if response.status != 200 or not body['success']:
                raise SystemExit('unexpected answer %s %r' % (response.status, body))
        elapsed = time.perf_counter() - started
        connection.close()
    print('double: %d sequential keep-alive requests in %.2f s (%.0f req/s, %.2f ms each)'
          % (REQUESTS, elapsed, REQUESTS / elapsed, elapsed * 1000 / REQUESTS))
    return 0


if __name__ == '__main__':
    sys.exit(main())
