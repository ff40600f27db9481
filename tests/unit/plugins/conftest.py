# Copyright (c) 2026 chatops.rocketchat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Unit-test fixtures: a scripted HTTP layer under requests.Session, and module runs that capture exit/fail."""

from __future__ import annotations

import pytest
import requests

from ansible_collections.chatops.rocketchat.tests.unit.plugins.fakes import FakeApi
from ansible_collections.chatops.rocketchat.tests.unit.plugins.module_runner import run_module_main


@pytest.fixture
def fake_api(monkeypatch):
    api = FakeApi()

    def request(session, method, url, **kwargs):
        return api(session, method, url, **kwargs)
    monkeypatch.setattr(requests.Session, 'request', request)
    monkeypatch.setattr('time.sleep', lambda seconds: api.calls.append({'method': 'SLEEP', 'endpoint': seconds}))
    return api


@pytest.fixture
def run_module():
    """run_module(module, args, check_mode=False, diff=False) -> (result, failed)."""
    return run_module_main
