# Copyright (c) 2026 chatops.rocketchat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Property tests run the prune module in-process against a real double over HTTP.

Run from a tree at ansible_collections/chatops/rocketchat/ (make property does), so the collection imports.
"""

from __future__ import annotations

import os
import sys

import pytest

COLLECTION_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(COLLECTION_ROOT))))
sys.path.insert(0, os.path.join(COLLECTION_ROOT, 'tests'))

from rocketchat_double.launcher import RunningDouble  # noqa: E402  pylint: disable=wrong-import-position


@pytest.fixture(scope='session')
def double(tmp_path_factory):
    with RunningDouble(str(tmp_path_factory.mktemp('double')), idle_timeout=300) as running:
        yield running
