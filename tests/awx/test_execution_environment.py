# Copyright (c) 2026 chatops.rocketchat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""docs/examples/execution-environment.yml builds a context that installs this collection, and ansible-builder's
introspection of the installed collection finds `requests`. No container engine: `ansible-builder create` writes the
context a `build` would use; building the image itself needs Podman or Docker, which these machines lack."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EE_FILE = os.path.join(ROOT, 'docs', 'examples', 'execution-environment.yml')


def clean_environment(**extra) -> dict:
    """Without the test run's PYTHONPATH, whose ansible_collections/ would count as already installed."""
    return dict({key: value for key, value in os.environ.items() if key != 'PYTHONPATH'}, **extra)


def built_artifact(tmp_path) -> str:
    subprocess.run(['ansible-galaxy', 'collection', 'build', '--output-path', str(tmp_path / 'artifact'), ROOT],
                   check=True, capture_output=True)
    return glob.glob(str(tmp_path / 'artifact' / 'chatops-rocketchat-*.tar.gz'))[0]


def test_ansible_builder_create_installs_the_collection(tmp_path):
    work = tmp_path / 'ee'
    (work / 'collections').mkdir(parents=True)
    shutil.copy(EE_FILE, work / 'execution-environment.yml')
    shutil.copy(built_artifact(tmp_path), work / 'collections' / 'chatops-rocketchat.tar.gz')
    subprocess.run(['ansible-builder', 'create', '-f', 'execution-environment.yml', '-c', 'context'], cwd=work,
                   check=True, capture_output=True)
    context = work / 'context'
    build_file = next(path for path in (context / 'Containerfile', context / 'Dockerfile') if path.exists())
    steps = build_file.read_text()
    assert 'ansible-galaxy collection install' in steps and '-r requirements.yml' in steps
    assert 'introspect' in steps, 'the build installs what the collections declare'
    requirements = yaml.safe_load((context / '_build' / 'requirements.yml').read_text())
    assert requirements == {'collections': [{'name': 'collections/chatops-rocketchat.tar.gz', 'type': 'file'}]}
    assert (context / '_build' / 'collections' / 'chatops-rocketchat.tar.gz').stat().st_size > 10000


def test_introspection_of_the_installed_collection_finds_requests(tmp_path):
    installed = tmp_path / 'installed'
    subprocess.run(['ansible-galaxy', 'collection', 'install', '--offline', '-p', str(installed),
                    built_artifact(tmp_path)], check=True, capture_output=True,
                   env=clean_environment(ANSIBLE_COLLECTIONS_PATH=str(installed)))
    completed = subprocess.run(['ansible-builder', 'introspect', str(installed)], check=True, capture_output=True,
                               text=True)
    found = yaml.safe_load(completed.stdout.split('\n', 1)[1])
    assert any(line.startswith('requests>=') and 'chatops.rocketchat' in line for line in found['python']), (
        completed.stdout)
