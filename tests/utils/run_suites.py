# Copyright (c) 2026 chatops.rocketchat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Run make targets one after the other, stop at the first failure, and print how long each took.

    python run_suites.py SUITE [SUITE ...]     (what `make check` and `make test` call)
"""

from __future__ import annotations

import subprocess
import sys
import time


def main(suites: list[str]) -> int:
    durations: list[tuple[str, float, str]] = []
    started = time.monotonic()
    failed = None
    for suite in suites:
        print('\n==== make %s' % suite, flush=True)
        begin = time.monotonic()
        returncode = subprocess.call(['make', '--no-print-directory', suite])
        outcome = 'ok' if returncode == 0 else 'FAILED (exit %d)' % returncode
        durations.append((suite, time.monotonic() - begin, outcome))
        if returncode != 0:
            failed = suite
            break
    print('\n==== durations')
    for suite, seconds, outcome in durations:
        print('  %-14s %7.1f s  %s' % (suite, seconds, outcome))
    print('  %-14s %7.1f s' % ('total', time.monotonic() - started))
    not_run = suites[len(durations):]
    if not_run:
        print('  not run after the failure of %s: %s' % (failed, ' '.join(not_run)))
    print('%d passed, %d failed' % (sum(1 for item in durations if item[2] == 'ok'), 1 if failed else 0))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
