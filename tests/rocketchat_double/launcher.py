# Copyright (c) 2026 chatops.rocketchat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Start, drive and stop a double in its own process, from Python or from a shell.

    python -m rocketchat_double.launcher start --dir DIR [--state-file F] [--tls]   # prints a JSON line
    python -m rocketchat_double.launcher stop --dir DIR

`start` creates an admin user and an unprivileged user and prints their ids and tokens, so that a test run
needs nothing else. Every double stops by itself after --idle-timeout seconds without a request.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request

TESTS_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class DoubleControl:
    """Calls the double's control API (under /_double/) with urllib, so it needs no third-party package."""

    def __init__(self, url: str, context=None):
        self.url = url.rstrip('/')
        self.context = context

    def call(self, method: str, action: str, body: dict | None = None) -> dict:
        data = json.dumps(body).encode('utf-8') if body is not None else None
        request = urllib.request.Request('%s/_double/%s' % (self.url, action), data=data, method=method,
                                         headers={'Content-Type': 'application/json'})
        with urllib.request.urlopen(request, timeout=30, context=self.context) as response:  # nosec - loopback only
            return json.loads(response.read() or b'{}')

    def add_user(self, username: str, **fields) -> dict:
        return self.call('POST', 'users', dict(fields, username=username))

    def seed(self, integrations: list[dict], created_by: str = 'rocket.cat') -> list[str]:
        return self.call('POST', 'integrations', {'integrations': integrations, 'created_by': created_by})['ids']

    def state(self) -> dict:
        return self.call('GET', 'state')

    def integrations(self) -> list[dict]:
        return self.state()['integrations']

    def requests(self) -> list[dict]:
        return self.call('GET', 'requests')['requests']

    def clear_requests(self) -> None:
        self.call('DELETE', 'requests')

    def fault(self, **rule) -> None:
        self.call('POST', 'faults', rule)

    def rate_limit(self, enabled: bool = True, limit: int = 10, interval_ms: int = 60000) -> None:
        self.call('POST', 'ratelimit', {'enabled': enabled, 'limit': limit, 'interval_ms': interval_ms})


class RunningDouble:
    """A double in a child process. Use as a context manager, or call stop()."""

    def __init__(self, workdir: str, idle_timeout: float = 300.0, state_file: str | None = None,
                 dialect: str = 'v-b', tls_cert: str | None = None, tls_key: str | None = None,
                 detach: bool = False, port: int = 0, request_schemas: str | None = None,
                 redirect_status: int | None = None, latency_ms: float = 0.0):
        os.makedirs(workdir, exist_ok=True)
        self.workdir = workdir
        self.port_file = os.path.join(workdir, 'double.json')
        if os.path.exists(self.port_file):
            os.remove(self.port_file)
        command = [sys.executable, '-m', 'rocketchat_double', '--port', str(port), '--port-file', self.port_file,
                   '--idle-timeout', str(idle_timeout), '--dialect', dialect]
        if state_file:
            command += ['--state-file', state_file]
        if tls_cert:
            command += ['--tls-cert', tls_cert, '--tls-key', tls_key]
        if request_schemas:
            command += ['--request-schemas', request_schemas]
        if redirect_status:
            command += ['--redirect-status', str(redirect_status)]
        if latency_ms:
            command += ['--latency-ms', str(latency_ms)]
        if not detach:
            command += ['--parent-pid', str(os.getpid())]
        env = dict(os.environ, PYTHONPATH=TESTS_DIR + os.pathsep + os.environ.get('PYTHONPATH', ''))
        log = open(os.path.join(workdir, 'double.log'), 'ab')  # pylint: disable=consider-using-with
        self.process = subprocess.Popen(  # pylint: disable=consider-using-with
            command, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=detach)
        log.close()
        deadline = time.monotonic() + 20
        while not os.path.exists(self.port_file):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError('the double did not start; see %s' % os.path.join(workdir, 'double.log'))
            time.sleep(0.02)
        with open(self.port_file, encoding='utf-8') as handle:
            info = json.load(handle)
        self.url = info['url']
        self.port = info['port']
        self.redirect_url = info.get('redirect_url')  # the http -> https front, when asked for
        context = None
        if tls_cert:
            import ssl  # pylint: disable=import-outside-toplevel
            context = ssl.create_default_context(cafile=tls_cert)
        self.control = DoubleControl(self.url, context)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def kill(self) -> None:
        """Die without a word, as a crashed server would."""
        self.process.kill()
        self.process.wait()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.stop()


def _start(args) -> int:
    double = RunningDouble(args.dir, idle_timeout=args.idle_timeout, state_file=args.state_file, detach=True,
                           dialect=args.dialect, request_schemas=args.request_schemas)
    admin_password = 'admin-%s' % os.urandom(8).hex()
    admin = double.control.add_user('ansible-admin', password=admin_password, roles=['admin', 'user'])
    user = double.control.add_user('ansible-user', password='user-%s' % os.urandom(8).hex(), roles=['user'])
    info = {'url': double.url, 'pid': double.process.pid,
            'admin_user_id': admin['user']['_id'], 'admin_auth_token': admin['authToken'],
            'admin_username': 'ansible-admin', 'admin_password': admin_password,
            'user_user_id': user['user']['_id'], 'user_auth_token': user['authToken']}
    with open(os.path.join(args.dir, 'credentials.json'), 'w', encoding='utf-8') as handle:
        os.chmod(handle.name, 0o600)
        json.dump(info, handle)
    sys.stdout.write(json.dumps(info) + '\n')
    return 0


def _stop(args) -> int:
    path = os.path.join(args.dir, 'double.json')
    if not os.path.exists(path):
        return 0
    with open(path, encoding='utf-8') as handle:
        pid = json.load(handle)['pid']
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    os.remove(path)
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog='rocketchat_double.launcher')
    parser.add_argument('action', choices=('start', 'stop'))
    parser.add_argument('--dir', required=True, help='working directory for the port, log and credentials files')
    parser.add_argument('--idle-timeout', type=float, default=600.0)
    parser.add_argument('--state-file')
    parser.add_argument('--request-schemas', help="check requests with Rocket.Chat's own validators in this directory")
    parser.add_argument('--dialect', choices=('v-a', 'v-b', 'v-c'), default='v-b', help='dialect: v-a = 6.4+, v-b = 7.x, v-c = 8.x')
    args = parser.parse_args(argv)
    return _start(args) if args.action == 'start' else _stop(args)


if __name__ == '__main__':
    sys.exit(main())
