# Copyright (c) 2026 chatops.rocketchat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Run make targets, stop at the first failure, and print how long each took.

    run_suites.py [--build DIR] SUITE [SUITE ...]              one after the other, output as it comes (make check)
    run_suites.py [--build DIR] --lane 'A B' --lane 'C D' ...  lanes side by side, each in turn (make test)

Every suite runs as `make SUITE BUILD=...`: the first lane builds under DIR (the Makefile's BUILD, build/ by default),
the second and later lanes under DIR/lane-<n>/, so that each suite works on its own copy of the tree. A suite's output
is printed whole when it ends (lanes do not interleave lines) and kept in DIR/logs/<suite>.log. After a failure no
lane starts another suite; the ones running finish.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import threading
import time

# where `make` runs: the repository (RUN_SUITES_DIR: another Makefile, for tests/tooling/test_run_suites.py)
ROOT = os.environ.get('RUN_SUITES_DIR') or os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class Run:
    """What the lanes share: the results in the order the suites were given, the stop flag, one printer at a time."""

    def __init__(self, lanes: list[list[str]], build: str):
        self.lanes = lanes
        self.build = build
        self.results: dict[str, tuple[float, str]] = {}
        self.failed: list[str] = []
        self.lock = threading.Lock()

    def suite(self, lane: int, suite: str) -> bool:
        """Run one suite; False when it failed."""
        command = ['make', '--no-print-directory', suite,
                   'BUILD=%s' % (os.path.join(self.build, 'lane-%d' % (lane + 1)) if lane else self.build)]
        begin = time.monotonic()
        if len(self.lanes) == 1:
            print('\n==== make %s' % suite, flush=True)
            returncode = subprocess.call(command, cwd=ROOT)
        else:
            with self.lock:
                print('==== lane %d: make %s started' % (lane + 1, suite), flush=True)
            completed = subprocess.run(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                       check=False)
            returncode = completed.returncode
            self.record(suite, begin, returncode)  # first: no other lane starts a suite after a failure
            output = completed.stdout.decode('utf-8', 'replace')
            os.makedirs(os.path.join(self.build, 'logs'), exist_ok=True)
            with open(os.path.join(self.build, 'logs', suite + '.log'), 'w', encoding='utf-8') as handle:
                handle.write(output)
            with self.lock:
                print('\n==== make %s (lane %d, %.1f s)\n%s' % (suite, lane + 1, time.monotonic() - begin, output),
                      end='' if output.endswith('\n') else '\n', flush=True)
        if len(self.lanes) == 1:
            self.record(suite, begin, returncode)
        return returncode == 0

    def record(self, suite: str, begin: float, returncode: int) -> None:
        outcome = 'ok' if returncode == 0 else 'FAILED (exit %d)' % returncode
        with self.lock:
            self.results[suite] = (time.monotonic() - begin, outcome)
            if returncode != 0:
                self.failed.append(suite)

    def lane(self, index: int) -> None:
        for suite in self.lanes[index]:
            if self.failed:
                return
            if not self.suite(index, suite):
                return


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--lane', action='append', default=[], help='suites that run one after the other')
    parser.add_argument('--build', default=os.path.join(ROOT, 'build'), help="the Makefile's BUILD (default: build/)")
    parser.add_argument('suites', nargs='*')
    options = parser.parse_args(argv)
    lanes = [lane.split() for lane in options.lane] + ([options.suites] if options.suites else [])
    run = Run([lane for lane in lanes if lane], os.path.abspath(options.build))
    started = time.monotonic()
    threads = [threading.Thread(target=run.lane, args=(index,)) for index in range(len(run.lanes))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print('\n==== durations')
    for index, lane in enumerate(run.lanes):
        if len(run.lanes) > 1:
            print('  lane %d' % (index + 1))
        for suite in lane:
            if suite in run.results:
                seconds, outcome = run.results[suite]
                print('  %-18s %7.1f s  %s' % (suite, seconds, outcome))
        if len(run.lanes) > 1:
            print('  %-18s %7.1f s' % ('lane total', sum(run.results[suite][0] for suite in lane
                                                         if suite in run.results)))
    print('  %-18s %7.1f s' % ('total', time.monotonic() - started))
    not_run = [suite for lane in run.lanes for suite in lane if suite not in run.results]
    if not_run:
        print('  not run after the failure of %s: %s' % (', '.join(run.failed), ' '.join(not_run)))
    passed = sum(1 for _seconds, outcome in run.results.values() if outcome == 'ok')
    print('%d passed, %d failed' % (passed, len(run.failed)))
    return 1 if run.failed else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
