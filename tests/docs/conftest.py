# Copyright (c) 2026 chatops.rocketchat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Make the collection importable: these tests run from a tree at ansible_collections/chatops/rocketchat/."""

from __future__ import annotations

import os
import sys

COLLECTION_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(COLLECTION_ROOT))))
