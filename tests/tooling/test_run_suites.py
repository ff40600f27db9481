# Copyright (c) 2026 chatops.rocketchat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""make test's runner (tests/utils/run_suites.py) over a stand-in Makefile: lanes side by side, the second on its own
build directory, each suite's output whole and kept, durations printed, and nothing new started after a failure."""

from __future__ import annotations

import os
import subprocess
import sys

RUNNER = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'utils', 'run_suites.py')
MAKEFILE = '''BUILD ?= default-build
ok-%:
\t@echo "$* line 1"; sleep 0.2; echo "$* line 2 in $(BUILD)"
fail:
\t@for i in $$(seq 300); do [ -e started ] && break; sleep 0.1; done; echo "fail says why"; exit 3
slow:
\t@touch started; for i in $$(seq 300); do [ -e build/logs/fail.log ] && break; sleep 0.1; done; sleep 1; \\
\t\techo "slow finished"
'''


def run(tmp_path, *arguments):
    (tmp_path / 'Makefile').write_text(MAKEFILE)
    # not the caller's make variables: `make tooling BUILD=...` passes them on in MAKEFLAGS
    env = {key: value for key, value in os.environ.items() if key not in ('MAKEFLAGS', 'MFLAGS', 'MAKELEVEL')}
    return subprocess.run([sys.executable, RUNNER] + list(arguments), env=dict(env, RUN_SUITES_DIR=str(tmp_path)),
                          capture_output=True, text=True, check=False)


def test_two_lanes_run_side_by_side_each_on_its_own_build_and_print_whole(tmp_path):
    completed = run(tmp_path, '--lane', 'ok-a ok-b', '--lane', 'ok-c')
    assert completed.returncode == 0, completed.stdout
    out = completed.stdout
    assert 'a line 1\na line 2 in %s\n' % (tmp_path / 'build') in out, 'a suite is printed whole, not interleaved'
    assert 'c line 2 in %s' % os.path.join(str(tmp_path), 'build', 'lane-2') in out, 'lane 2 builds apart'
    assert (tmp_path / 'build' / 'logs' / 'ok-c.log').read_text() == 'c line 1\nc line 2 in %s\n' % os.path.join(
        str(tmp_path), 'build', 'lane-2')
    durations = out.split('==== durations')[1]
    assert [line.split()[0] for line in durations.strip().splitlines()[:-2]] == [
        'lane', 'ok-a', 'ok-b', 'lane', 'lane', 'ok-c', 'lane']
    assert out.rstrip().endswith('3 passed, 0 failed')


def test_after_a_failure_no_suite_starts_and_the_running_one_finishes(tmp_path):
    """slow starts before fail fails (fail waits for it), and ends after the failure was seen (it waits for fail's
    log, which the runner writes once it has recorded the failure): ok-y must not start."""
    completed = run(tmp_path, '--lane', 'fail ok-x', '--lane', 'slow ok-y')
    assert completed.returncode == 1
    out = completed.stdout
    assert 'fail says why' in out and 'slow finished' in out
    assert 'make ok-x' not in out and 'make ok-y' not in out
    assert 'not run after the failure of fail: ok-x ok-y' in out and out.rstrip().endswith('1 passed, 1 failed')


def test_one_lane_streams_as_before(tmp_path):
    completed = run(tmp_path, 'ok-a', 'ok-b')
    assert completed.returncode == 0 and '==== make ok-a\na line 1' in completed.stdout
    assert not (tmp_path / 'build').exists(), 'one lane keeps no logs: its output went to the terminal'


def test_the_makefiles_build_moves_every_lane_and_the_logs(tmp_path):
    completed = run(tmp_path, '--build', str(tmp_path / 'elsewhere'), '--lane', 'ok-a', '--lane', 'ok-c')
    assert completed.returncode == 0, completed.stdout
    assert 'a line 2 in %s\n' % (tmp_path / 'elsewhere') in completed.stdout
    assert (tmp_path / 'elsewhere' / 'logs' / 'ok-c.log').read_text() == 'c line 1\nc line 2 in %s\n' % (
        tmp_path / 'elsewhere' / 'lane-2')
    assert not (tmp_path / 'build').exists()
