# Copyright (c) 2026 chatops.rocketchat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Reliability tests: real `ansible` runs over real HTTP against the double, then a look at the server.

Run from a tree at ansible_collections/chatops/rocketchat/ with ANSIBLE_COLLECTIONS_PATH pointing at it
(`make reliability` does both).
"""

from __future__ import annotations

import os
import sys

import pytest

TESTS_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, TESTS_DIR)

from adhoc import connection_for  # noqa: E402  pylint: disable=wrong-import-position
# The session's double and its per-test reset, shared with the double's own tests.
from rocketchat_double.fixtures import double, running_double  # noqa: E402,F401  pylint: disable=wrong-import-position,unused-import


@pytest.fixture
def admin(double):
    """Connection environment of an admin; the double's request log starts empty."""
    token = double.control.add_user('admin', password='admin-password-123', roles=['admin', 'user'])
    double.control.clear_requests()
    return connection_for(double, token)
