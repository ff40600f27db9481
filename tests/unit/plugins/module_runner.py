# Copyright (c) 2026 chatops.rocketchat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Run a module's main() in-process with given arguments and capture what it exits with."""

from __future__ import annotations

import contextlib
import json
from unittest import mock

from ansible.module_utils import basic

try:
    from ansible.module_utils.testing import patch_module_args
except ImportError:  # ansible-core < 2.19
    @contextlib.contextmanager
    def patch_module_args(args=None):
        with mock.patch.object(basic, '_ANSIBLE_ARGS', json.dumps({'ANSIBLE_MODULE_ARGS': args or {}}).encode()):
            yield


class ModuleExit(Exception):
    """Raised instead of exit_json/fail_json, carrying their arguments."""

    def __init__(self, result: dict, failed: bool):
        super().__init__(result)
        self.result = result
        self.failed = failed


def _exit_json(self, **kwargs):
    del self
    raise ModuleExit(kwargs, False)


def _fail_json(self, msg, **kwargs):
    del self
    kwargs['msg'] = msg
    raise ModuleExit(kwargs, True)


def run_module_main(module, args: dict, check_mode: bool = False, diff: bool = False) -> tuple[dict, bool]:
    """Returns (result, failed): the keyword arguments of exit_json or fail_json."""
    args = dict(args, _ansible_check_mode=check_mode, _ansible_diff=diff)
    with patch_module_args(args), \
            mock.patch.object(basic.AnsibleModule, 'exit_json', _exit_json), \
            mock.patch.object(basic.AnsibleModule, 'fail_json', _fail_json):
        try:
            module.main()
        except ModuleExit as exited:
            return exited.result, exited.failed
    raise AssertionError('%s.main() returned without exit_json or fail_json' % module.__name__)
