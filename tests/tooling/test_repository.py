# Copyright (c) 2026 chatops.rocketchat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The repository stands on its own: no file points outside it, and the account of what the double reproduces is
in it. galaxy.yml names no made-up URL."""

from __future__ import annotations

import os
import re
import subprocess

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUTSIDE = re.compile(r'\.\./shared|shared/(rocketchat-api|STYLE)\.md|rocketchat-api\.md')


def tracked_files() -> list[str]:
    listed = subprocess.run(['git', 'ls-files', '--cached', '--others', '--exclude-standard'], cwd=ROOT,
                            capture_output=True, text=True, check=True).stdout.split('\n')
    return [path for path in listed if path and os.path.isfile(os.path.join(ROOT, path))]


def test_no_file_points_outside_the_repository():
    pointing = []
    for path in tracked_files():
        with open(os.path.join(ROOT, path), encoding='utf-8', errors='replace') as handle:
            for number, line in enumerate(handle, 1):
                if OUTSIDE.search(line):
                    pointing.append('%s:%d: %s' % (path, number, line.strip()))
    assert pointing == []


def test_the_double_has_its_own_account_with_a_source_and_a_test_per_behaviour():
    with open(os.path.join(ROOT, 'tests', 'rocketchat_double', 'README.md'), encoding='utf-8') as handle:
        text = handle.read()
    rows = [line for line in text.splitlines() if re.match(r'^\| \d+ \|', line)]
    assert len(rows) >= 14
    for row in rows:
        cells = [cell.strip() for cell in row.strip('|').split('|')]
        assert cells[-2] and cells[-1], row  # the source and the test
        assert re.search(r'test_\w+', cells[-1]), row
    tests_named = set(re.findall(r'[CBSF]::(test_\w+)', text))
    defined = set()
    for name in ('test_conformance.py', 'test_real_server_behaviours.py', 'test_request_schemas.py',
                 'test_fact_lookups.py'):
        with open(os.path.join(ROOT, 'tests', 'double_conformance', name), encoding='utf-8') as handle:
            defined.update(re.findall(r'^def (test_\w+)', handle.read(), re.MULTILINE))
    assert tests_named and tests_named <= defined, sorted(tests_named - defined)


def test_galaxy_yml_names_no_url_until_the_project_has_a_home():
    with open(os.path.join(ROOT, 'galaxy.yml'), encoding='utf-8') as handle:
        galaxy = yaml.safe_load(handle)
    assert not {'repository', 'documentation', 'issues', 'homepage'} & set(galaxy)
