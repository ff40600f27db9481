# Copyright (c) 2026 chatops.rocketchat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Run a collection module the way a user does ad hoc, and read its result."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

CONNECTION_VARIABLES = ('ROCKETCHAT_URL', 'ROCKETCHAT_USER_ID', 'ROCKETCHAT_AUTH_TOKEN', 'ROCKETCHAT_USERNAME',
                        'ROCKETCHAT_PASSWORD')
RESULT = re.compile(r'^localhost \| ([A-Z]+)!? => (\{.*?^\})', re.MULTILINE | re.DOTALL)


class AdHoc:
    """One `ansible localhost -m chatops.rocketchat.<module> -a <json>` run."""

    def __init__(self, completed: subprocess.CompletedProcess):
        self.stdout = completed.stdout
        self.stderr = completed.stderr
        match = RESULT.search(completed.stdout)
        if match is None:
            raise AssertionError('no module result in:\n%s\n%s' % (completed.stdout, completed.stderr))
        self.status = match.group(1)
        self.result = json.loads(match.group(2))

    @property
    def failed(self) -> bool:
        return self.status == 'FAILED'

    @property
    def changed(self) -> bool:
        return self.result.get('changed') is True

    @property
    def msg(self) -> str:
        return self.result.get('msg', '')


def run_ad_hoc(module: str, args: dict, connection: dict | None = None, check: bool = False, diff: bool = False,
               extra: tuple = ()) -> AdHoc:
    env = {key: value for key, value in os.environ.items() if key not in CONNECTION_VARIABLES}
    env.update(connection or {})
    env.update(ANSIBLE_LOCALHOST_WARNING='false', ANSIBLE_INVENTORY_UNPARSED_WARNING='false', ANSIBLE_NOCOLOR='1')
    command = ['ansible', 'localhost', '-m', 'chatops.rocketchat.%s' % module]
    if args:
        command += ['-a', json.dumps(args)]
    command += (['--check'] if check else []) + (['--diff'] if diff else []) + list(extra)
    completed = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600, check=False)
    return AdHoc(completed)


def connection_for(double, token: dict) -> dict:
    return {'ROCKETCHAT_URL': double.url, 'ROCKETCHAT_USER_ID': token['user']['_id'],
            'ROCKETCHAT_AUTH_TOKEN': token['authToken']}


def writes(double) -> list[dict]:
    return [entry for entry in double.control.requests() if entry['method'] in ('POST', 'PUT', 'DELETE')]


def run_role(role: str, variables: dict, connection: dict | None, tmp_path, check: bool = False
             ) -> subprocess.CompletedProcess:
    """`ansible-playbook` of a play that runs the collection's role with `variables` (as extra vars), the connection
    (ROCKETCHAT_* variables) in the environment and nothing else of it."""
    playbook = tmp_path / 'play.yml'
    playbook.write_text('- hosts: localhost\n  gather_facts: false\n  roles:\n    - chatops.rocketchat.%s\n' % role)
    extra = tmp_path / 'vars.json'
    extra.write_text(json.dumps(variables))
    env = {key: value for key, value in os.environ.items() if key not in CONNECTION_VARIABLES}
    env.update(connection or {})
    env.update(ANSIBLE_LOCALHOST_WARNING='false', ANSIBLE_INVENTORY_UNPARSED_WARNING='false', ANSIBLE_NOCOLOR='1')
    command = ['ansible-playbook', str(playbook), '-e', '@%s' % extra] + (['--check'] if check else [])
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=600, check=False)


COLLECTION_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
COLLECTIONS_PATH = os.path.dirname(os.path.dirname(os.path.dirname(COLLECTION_ROOT)))


MODULE_MAIN = ('from ansible_collections.chatops.rocketchat.plugins.modules import %s as module\n'
               'module.main()\n')  # the arguments come on stdin, as a module run by hand reads them


def start_module(module: str, args: dict, connection: dict, check: bool = False) -> subprocess.Popen:
    """Start one module as its own process, the way Ansible runs it on the controller (arguments as JSON in, result
    as JSON on stdout), without ansible-playbook's start-up: many of them can run at once, and be killed."""
    env = {key: value for key, value in os.environ.items() if key not in CONNECTION_VARIABLES}
    env.update(connection)
    env['PYTHONPATH'] = COLLECTIONS_PATH + os.pathsep + env.get('PYTHONPATH', '')
    process = subprocess.Popen([sys.executable, '-c', MODULE_MAIN % module], env=env, stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    process.stdin.write(json.dumps({'ANSIBLE_MODULE_ARGS': dict(args, _ansible_check_mode=check)}).encode())
    process.stdin.close()
    process.stdin = None  # written whole: communicate() has nothing more to send
    return process


def module_result(process: subprocess.Popen, timeout: float = 120) -> dict:
    """The JSON result a started module printed (failed: true when it failed)."""
    stdout, stderr = process.communicate(timeout=timeout)
    text = stdout.decode('utf-8', 'replace')
    try:
        return json.loads(text[text.index('{'):])
    except ValueError:
        raise AssertionError('no module result (exit %s):\n%s\n%s'
                             % (process.returncode, text, stderr.decode('utf-8', 'replace'))) from None
