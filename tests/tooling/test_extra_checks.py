# Copyright (c) 2026 chatops.rocketchat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""antsibull-nox's extra checks as tests/utils/extra_checks.py runs them: the tree passes, and each check fails on
the mistake it is there for (a module left out of the action group, a stray file under plugins/)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def tree(tmp_path):
    for part in ('meta', 'plugins'):
        shutil.copytree(os.path.join(ROOT, part), tmp_path / part, ignore=shutil.ignore_patterns('__pycache__'))
    subprocess.run(['git', 'init', '--quiet', str(tmp_path)], check=True)
    return tmp_path


def checks(path):
    return subprocess.run([sys.executable, os.path.join(ROOT, 'tests', 'utils', 'extra_checks.py')], cwd=path,
                          capture_output=True, text=True, check=False)


def test_the_tree_passes(tmp_path):
    completed = checks(tree(tmp_path))
    assert completed.returncode == 0, completed.stdout
    assert 'extra check no-unwanted-files: ok' in completed.stdout
    assert 'extra check action-groups: ok' in completed.stdout


def test_a_module_left_out_of_the_action_group_fails(tmp_path):
    runtime = tree(tmp_path) / 'meta' / 'runtime.yml'
    runtime.write_text(runtime.read_text().replace('    - rocketchat_integrations\n', ''))
    completed = checks(tmp_path)
    assert completed.returncode == 1
    assert "module 'rocketchat_integrations' is not part of 'rocketchat' action group" in completed.stdout


def test_a_stray_file_under_plugins_fails(tmp_path):
    (tree(tmp_path) / 'plugins' / 'modules' / 'notes.txt').write_text('x\n')
    completed = checks(tmp_path)
    assert completed.returncode == 1 and 'plugins/modules/notes.txt: extension must be one of' in completed.stdout
