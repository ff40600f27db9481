# Copyright (c) 2026 chatops.rocketchat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The documented examples (the prune, and the declared set) under ansible-runner, the engine AWX and Automation Controller run jobs with: a
private data directory (project, inventory, env), process isolation off, three workspaces fanned out with forks.
Checks the runner's artifacts (status, rc, per-host stats), the servers, and that no secret is in the events."""

from __future__ import annotations

import glob
import json
import os
import shutil
import socket
import subprocess

import pytest
import yaml

from rocketchat_double.launcher import RunningDouble

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EXAMPLES = os.path.join(ROOT, 'docs', 'examples')
SEED = [{'name': 'alertmanager', 'type': 'webhook-incoming'}, {'name': 'github-ci', 'type': 'webhook-incoming'},
        {'name': 'deploy-bot', 'type': 'webhook-outgoing'}, {'name': 'legacy-jenkins', 'type': 'webhook-incoming'},
        {'name': 'old-nagios', 'type': 'webhook-incoming'}, {'name': 'zapier-test', 'type': 'webhook-outgoing'}]


@pytest.fixture
def workspaces(tmp_path):
    doubles = [RunningDouble(str(tmp_path / ('workspace-%d' % index)), idle_timeout=180) for index in range(3)]
    try:
        for double in doubles:
            double.token = double.control.add_user('controller', roles=['admin'])
            double.control.seed(SEED)
        yield doubles
    finally:
        for double in doubles:
            double.stop()


# What each workspace declares for declared_webhooks.yml: one update, one unchanged, one create; the rest goes.
DECLARED = [{'type': 'webhook-incoming', 'name': 'alertmanager', 'alias': 'Alertmanager'},
            {'type': 'webhook-incoming', 'name': 'github-ci'},
            {'type': 'webhook-incoming', 'name': 'grafana', 'username': 'rocket.cat', 'channel': ['#general']}]
PLAYBOOKS = {
    'prune_webhooks.yml': ['alertmanager', 'deploy-bot', 'github-ci'],
    'declared_webhooks.yml': ['alertmanager', 'github-ci', 'grafana'],
}


def private_data_dir(tmp_path, hosts: dict) -> str:
    base = tmp_path / 'job'
    (base / 'project' / 'webhooks').mkdir(parents=True)
    (base / 'inventory').mkdir()
    (base / 'env').mkdir()
    for name in ('prune_webhooks.yml', 'webhooks.yml', 'declared_webhooks.yml'):
        shutil.copy(os.path.join(EXAMPLES, name), base / 'project' / name)
    for host in hosts:
        (base / 'project' / 'webhooks' / ('%s.yml' % host)).write_text(yaml.safe_dump(DECLARED))
    (base / 'inventory' / 'hosts.yml').write_text(yaml.safe_dump({'rocketchat': {'hosts': hosts}}))
    (base / 'env' / 'envvars').write_text(yaml.safe_dump({
        'ANSIBLE_COLLECTIONS_PATH': os.environ['ANSIBLE_COLLECTIONS_PATH'], 'ANSIBLE_LOCALHOST_WARNING': 'false',
        'ANSIBLE_FORKS': '3'}))
    return str(base)


def host_vars(double, url: str | None = None) -> dict:
    connection = {'server_url': url or double.url, 'user_id': double.token['user']['_id'],
                  'auth_token': double.token['authToken']}
    variables = {'ansible_connection': 'local'}
    for role in ('prune_webhooks', 'webhooks'):
        variables.update({'%s_%s' % (role, key): value for key, value in connection.items()})
    return variables


def run_job(data_dir: str, playbook: str) -> dict:
    completed = subprocess.run(['ansible-runner', 'run', data_dir, '-p', playbook, '--ident', 'job'],
                               capture_output=True, text=True, check=False, timeout=300)
    artifacts = os.path.join(data_dir, 'artifacts', 'job')
    events = []
    for path in sorted(glob.glob(os.path.join(artifacts, 'job_events', '*.json'))):
        with open(path, encoding='utf-8') as handle:
            events.append(json.load(handle))
    with open(os.path.join(artifacts, 'status'), encoding='utf-8') as handle:
        status = handle.read().strip()
    with open(os.path.join(artifacts, 'rc'), encoding='utf-8') as handle:
        rc = int(handle.read().strip())
    with open(os.path.join(artifacts, 'stdout'), encoding='utf-8') as handle:
        stdout = handle.read()
    stats = next(event['event_data'] for event in events if event['event'] == 'playbook_on_stats')
    return {'status': status, 'rc': rc, 'stats': stats, 'events': json.dumps(events), 'stdout': stdout,
            'exit': completed.returncode}


def names(double) -> list[str]:
    return sorted(doc['name'] for doc in double.control.integrations())


@pytest.mark.parametrize('playbook', sorted(PLAYBOOKS))
def test_three_workspaces_under_ansible_runner(tmp_path, workspaces, playbook):
    job = run_job(private_data_dir(tmp_path, {'workspace-%d' % index: host_vars(double)
                                              for index, double in enumerate(workspaces)}), playbook)
    assert (job['status'], job['rc'], job['exit']) == ('successful', 0, 0), job['stdout'][-2000:]
    assert sorted(job['stats']['ok']) == ['workspace-0', 'workspace-1', 'workspace-2']
    assert job['stats']['failures'] == {} and sorted(job['stats']['changed']) == sorted(job['stats']['ok'])
    for double in workspaces:
        assert names(double) == PLAYBOOKS[playbook]
        assert double.token['authToken'] not in job['events'] + job['stdout']


@pytest.mark.parametrize('playbook', sorted(PLAYBOOKS))
def test_one_unreachable_workspace_does_not_stop_the_others(tmp_path, workspaces, playbook):
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        closed_port = probe.getsockname()[1]
    hosts = {'workspace-0': host_vars(workspaces[0]), 'workspace-1': host_vars(workspaces[1]),
             'workspace-down': host_vars(workspaces[2], 'http://127.0.0.1:%d' % closed_port)}
    job = run_job(private_data_dir(tmp_path, hosts), playbook)
    assert (job['status'], job['rc']) == ('failed', 2)
    assert sorted(job['stats']['failures']) == ['workspace-down']
    assert 'The connection to 127.0.0.1:%d was refused' % closed_port in job['stdout']
    assert names(workspaces[0]) == names(workspaces[1]) == PLAYBOOKS[playbook]
    assert len(workspaces[2].control.integrations()) == len(SEED), 'the unreachable workspace was not touched'
