# Copyright (c) 2026 chatops.rocketchat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Reliability tests: real `ansible` runs over real HTTP against the double, then a look at the server.

Run from a tree at ansible_collections/chatops/rocketchat/ with ANSIBLE_COLLECTIONS_PATH pointing at it
(`make reliability` does both). The double comes from the shared fixture module rocketchat_double.fixtures.
"""

from __future__ import annotations

import pytest

from adhoc import connection_for


@pytest.fixture
def admin(double):
    """Connection environment of an admin; the double's request log starts empty."""
    token = double.control.add_user('admin', password='admin-password-123', roles=['admin', 'user'])
    double.control.clear_requests()
    return connection_for(double, token)
