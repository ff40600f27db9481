# Copyright (c) 2026 chatops.rocketchat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Unit-test fixtures: a scripted HTTP layer under requests.Session, and module runs that capture exit/fail."""

from __future__ import annotations

import contextlib
import json
from unittest import mock

import pytest
import requests

from ansible.module_utils import basic

from ansible_collections.chatops.rocketchat.tests.unit.plugins.fakes import FakeApi

try:
    from ansible.module_utils.testing import patch_module_args
except ImportError:  # ansible-core < 2.19
    @contextlib.contextmanager
    def patch_module_args(args=None):
        with mock.patch.object(basic, '_ANSIBLE_ARGS', json.dumps({'ANSIBLE_MODULE_ARGS': args or {}}).encode()):
            yield


@pytest.fixture
def fake_api(monkeypatch):
    api = FakeApi()

    def request(session, method, url, **kwargs):
        return api(session, method, url, **kwargs)
    monkeypatch.setattr(requests.Session, 'request', request)
    monkeypatch.setattr('time.sleep', lambda seconds: api.calls.append({'method': 'SLEEP', 'endpoint': seconds}))
    return api


class ModuleExit(Exception):
    def __init__(self, result, failed):
        super().__init__(result)
        self.result = result
        self.failed = failed


@pytest.fixture
def run_module(monkeypatch):
    """run_module(module, args) -> (result, failed): the module's exit_json or fail_json arguments."""
    def exit_json(self, **kwargs):
        raise ModuleExit(kwargs, False)

    def fail_json(self, msg, **kwargs):
        kwargs['msg'] = msg
        raise ModuleExit(kwargs, True)

    monkeypatch.setattr(basic.AnsibleModule, 'exit_json', exit_json)
    monkeypatch.setattr(basic.AnsibleModule, 'fail_json', fail_json)

    def run(module, args, check_mode=False, diff=False):
        args = dict(args)
        args['_ansible_check_mode'] = check_mode
        args['_ansible_diff'] = diff
        with patch_module_args(args):
            with pytest.raises(ModuleExit) as caught:
                module.main()
        return caught.value.result, caught.value.failed
    return run
