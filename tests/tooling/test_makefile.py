# Copyright (c) 2026 chatops.rocketchat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Which Python 3.12 the Makefile picks for the version matrix, with stand-in interpreters: one that runs, and a
pyenv shim for a version that is installed but not active (found on PATH, exits 127 when run)."""

from __future__ import annotations

import os
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def stand_in(path, exit_code: int) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('#!/bin/sh\n%s\nexit %d\n' % ('echo "pyenv: python3.12: command not found" >&2' if exit_code
                                                  else '', exit_code))
    path.chmod(0o755)
    return str(path)


def picked(tmp_path, pyenv_root=None, path_dirs=()) -> str:
    env = dict(os.environ, HOME=str(tmp_path / 'home'), PATH=os.pathsep.join(list(path_dirs) + ['/usr/bin', '/bin']))
    env.pop('PYTHON312', None)
    env['PYENV_ROOT'] = str(pyenv_root or tmp_path / 'no-pyenv')
    completed = subprocess.run(['make', '-s', '--no-print-directory', '-C', ROOT, 'print-python312'], env=env,
                               capture_output=True, text=True, check=True)
    return completed.stdout.strip()


def test_a_shim_that_cannot_run_is_not_picked(tmp_path):
    stand_in(tmp_path / 'shims' / 'python3.12', 127)
    assert picked(tmp_path, path_dirs=[str(tmp_path / 'shims')]) == ''


def test_an_installed_version_under_pyenv_root_is_picked_over_the_shim(tmp_path):
    stand_in(tmp_path / 'shims' / 'python3.12', 127)
    working = stand_in(tmp_path / 'pyenv' / 'versions' / '3.12.9' / 'bin' / 'python3.12', 0)
    assert picked(tmp_path, pyenv_root=tmp_path / 'pyenv', path_dirs=[str(tmp_path / 'shims')]) == working


def test_an_installed_version_under_home_pyenv_is_picked(tmp_path):
    working = stand_in(tmp_path / 'home' / '.pyenv' / 'versions' / '3.12.4' / 'bin' / 'python3.12', 0)
    assert picked(tmp_path) == working


def test_a_python312_on_path_that_runs_is_picked(tmp_path):
    working = stand_in(tmp_path / 'bin' / 'python3.12', 0)
    assert picked(tmp_path, path_dirs=[str(tmp_path / 'bin')]) == working


def test_nothing_usable_gives_the_not_found_message_outside_ci(tmp_path):
    stand_in(tmp_path / 'shims' / 'python3.12', 127)
    env = dict(os.environ, HOME=str(tmp_path / 'home'), PYENV_ROOT=str(tmp_path / 'none'),
               PATH=os.pathsep.join([str(tmp_path / 'shims'), '/usr/bin', '/bin']))
    for variable in ('CI', 'PYTHON312'):
        env.pop(variable, None)
    completed = subprocess.run(['make', '-s', '--no-print-directory', '-C', ROOT, 'python312-or-skip'], env=env,
                               capture_output=True, text=True, check=False)
    assert completed.returncode == 0 and 'SKIPPED, Python 3.12 not found' in completed.stdout
    completed = subprocess.run(['make', '-s', '--no-print-directory', '-C', ROOT, 'python312-or-skip'],
                               env=dict(env, CI='true'), capture_output=True, text=True, check=False)
    assert completed.returncode != 0 and 'Python 3.12 not found; CI must run the matrix' in completed.stdout
