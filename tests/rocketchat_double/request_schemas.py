# Copyright (c) 2026 chatops.rocketchat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Requests checked by Rocket.Chat's own published validators (@rocket.chat/rest-typings), through one Node.js
process that runs tests/request_schemas/validate.mjs.

Why inside the double and not over its request log afterwards: a rejected request then gets the answer the real
server gives (400 invalid-params with ajv's own messages), so a module that sends what a real server refuses fails
its task at once, where the failure is easy to read; the double also records every rejection, and the integration
targets assert there were none when they stop the double.
"""

from __future__ import annotations

import json
import os
import subprocess
import threading

# The double's dialect -> the rest-typings release line that stands for it
LINES = {'v-a': '6', 'v-b': '7', 'v-c': '8'}


class RequestSchemas:
    def __init__(self, directory: str):
        self.directory = os.path.abspath(directory)
        self.script = os.path.join(self.directory, 'validate.mjs')
        if not os.path.exists(self.script):
            raise RuntimeError('no request schemas in %s: run tests/utils/fetch_request_schemas.py %s'
                               % (self.directory, self.directory))
        self.lock = threading.Lock()
        self.process: subprocess.Popen | None = None
        self.rejections: list[dict] = []

    def _start(self) -> subprocess.Popen:
        if self.process is None or self.process.poll() is not None:
            self.process = subprocess.Popen(  # pylint: disable=consider-using-with
                ['node', self.script, self.directory], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL, text=True, bufsize=1)
        return self.process

    def check(self, dialect: str, endpoint: str, data) -> dict:
        """{'ok': True} or {'ok': False, 'query': bool, 'messages': [...]}; raises when the validator broke."""
        request = json.dumps({'line': LINES[dialect], 'endpoint': endpoint, 'data': data})
        with self.lock:
            process = self._start()
            process.stdin.write(request + '\n')
            process.stdin.flush()
            answer = json.loads(process.stdout.readline() or '{"ok": false, "crashed": true, "messages": ["no answer"]}')
            if answer.get('crashed'):
                raise RuntimeError('the request-schema validator failed: %s' % answer['messages'][0])
            if not answer['ok']:
                self.rejections.append({'dialect': dialect, 'endpoint': endpoint, 'data': data,
                                        'messages': answer['messages']})
        return answer

    def close(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.stdin.close()
            self.process.wait(5)
