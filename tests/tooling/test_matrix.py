# Copyright (c) 2026 chatops.rocketchat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The version matrix's own logic (tests/utils/matrix.py), with stand-in interpreters: which interpreter a row picks
(one that runs; a pyenv shim for a version that is installed but not active is found on PATH and exits 127), what a
machine without a row's Python does, and the support table it writes into README.md."""

from __future__ import annotations

import datetime
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MATRIX = os.path.join(ROOT, 'tests', 'utils', 'matrix.py')


def stand_in(path, exit_code: int) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('#!/bin/sh\n%s\nexit %d\n' % ('echo "pyenv: python3.13: command not found" >&2' if exit_code
                                                  else '', exit_code))
    path.chmod(0o755)
    return str(path)


def matrix(tmp_path, *arguments, pyenv_root=None, path_dirs=(), ci=False):
    env = dict(os.environ, HOME=str(tmp_path / 'home'), PATH=os.pathsep.join(list(path_dirs) + ['/usr/bin', '/bin']),
               PYENV_ROOT=str(pyenv_root or tmp_path / 'no-pyenv'), MATRIX_ROOT=str(tmp_path / 'work'))
    env.pop('CI', None)
    if ci:
        env['CI'] = 'true'
    return subprocess.run([sys.executable, MATRIX] + list(arguments), env=env, capture_output=True, text=True,
                          check=False)


def picked(tmp_path, **places) -> str:
    completed = matrix(tmp_path, 'python', '2.21', **places)
    assert completed.returncode == 0, completed.stderr
    return completed.stdout.strip()


def test_a_shim_that_cannot_run_is_not_picked(tmp_path):
    stand_in(tmp_path / 'shims' / 'python3.13', 127)
    assert picked(tmp_path, path_dirs=[str(tmp_path / 'shims')]) == ''


def test_an_installed_version_under_pyenv_root_is_picked_over_the_shim(tmp_path):
    stand_in(tmp_path / 'shims' / 'python3.13', 127)
    working = stand_in(tmp_path / 'pyenv' / 'versions' / '3.13.2' / 'bin' / 'python3.13', 0)
    assert picked(tmp_path, pyenv_root=tmp_path / 'pyenv', path_dirs=[str(tmp_path / 'shims')]) == working


def test_an_installed_version_under_home_pyenv_is_picked(tmp_path):
    working = stand_in(tmp_path / 'home' / '.pyenv' / 'versions' / '3.13.0' / 'bin' / 'python3.13', 0)
    assert picked(tmp_path) == working


def test_a_python_on_path_that_runs_is_picked(tmp_path):
    working = stand_in(tmp_path / 'bin' / 'python3.13', 0)
    assert picked(tmp_path, path_dirs=[str(tmp_path / 'bin')]) == working


def test_each_row_asks_for_its_own_python(tmp_path):
    eleven = stand_in(tmp_path / 'bin' / 'python3.11', 0)
    twelve = stand_in(tmp_path / 'bin' / 'python3.12', 0)
    found = {version: matrix(tmp_path, 'python', version, path_dirs=[str(tmp_path / 'bin')]).stdout.strip()
             for version in ('2.16', '2.19', '2.20', '2.21')}
    assert found == {'2.16': eleven, '2.19': eleven, '2.20': twelve, '2.21': ''}


def test_a_missing_python_skips_the_row_outside_ci_and_fails_it_in_ci(tmp_path):
    stand_in(tmp_path / 'shims' / 'python3.13', 127)
    completed = matrix(tmp_path, 'units', '2.21', path_dirs=[str(tmp_path / 'shims')])
    assert completed.returncode == 0 and 'SKIPPED ansible-core 2.21, Python 3.13 not found' in completed.stdout
    completed = matrix(tmp_path, 'units', '2.21', path_dirs=[str(tmp_path / 'shims')], ci=True)
    assert completed.returncode != 0 and 'Python 3.13 (for ansible-core 2.21) not found; CI must run' in completed.stdout


def test_a_version_that_is_not_a_row_is_refused(tmp_path):
    completed = matrix(tmp_path, 'units', '2.15')
    assert completed.returncode == 2 and 'not a row of the matrix: 2.15' in completed.stderr


def test_the_support_table_replaces_the_block_in_the_readme(tmp_path, monkeypatch):
    sys.path.insert(0, os.path.dirname(MATRIX))
    try:
        import matrix as module  # pylint: disable=import-outside-toplevel
    finally:
        sys.path.pop(0)
    (tmp_path / 'README.md').write_text('before\n%s\nold table\n%s\nafter\n' % (module.README_START, module.README_END))
    monkeypatch.setenv('MATRIX_ROOT', str(tmp_path))
    monkeypatch.setattr(module, 'ALSO_ON', {'2.16': ['3.10', '3.12']})
    table = module.support_table([('2.16', 'passed', 1.0), ('2.21', 'integration FAILED', 2.0)],
                                 datetime.date(2026, 12, 7))
    module.write_into_readme(table)
    assert (tmp_path / 'README.md').read_text() == (
        'before\n%s\n| ansible-core | Python | sanity and integration targets (`make matrix`, 2026-12-07) | sanity\'s '
        'compile and import also on |\n|---|---|---|---|\n| 2.16 | 3.11 | passed | 3.10, 3.12 |\n'
        '| 2.21 | 3.13 | integration FAILED | - |\n%s\nafter\n' % (module.README_START, module.README_END))
