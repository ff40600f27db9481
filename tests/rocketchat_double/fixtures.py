# Copyright (c) 2026 chatops.rocketchat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""pytest fixtures for suites that run against the double: `pytest_plugins = ['rocketchat_double.fixtures']`."""

from __future__ import annotations

import pytest

from .launcher import RunningDouble


@pytest.fixture(scope='session')
def running_double(tmp_path_factory):
    """One double process for the whole session; it stops with the session, or when the session is killed."""
    with RunningDouble(str(tmp_path_factory.mktemp('double')), idle_timeout=600) as double:
        yield double


@pytest.fixture
def double(running_double):
    """The session's double, reset: no integrations, no users but rocket.cat, limiter off, no faults, empty log."""
    running_double.control.call('POST', 'reset', {})
    running_double.control.rate_limit(enabled=False)
    return running_double
