# Copyright (c) 2026 chatops.rocketchat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Every module belongs to the action group, so that module_defaults: group/chatops.rocketchat.rocketchat reaches it."""

from __future__ import annotations

import os

import yaml

COLLECTION_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def module_names() -> list[str]:
    modules = os.path.join(COLLECTION_ROOT, 'plugins', 'modules')
    return sorted(name[:-3] for name in os.listdir(modules) if name.endswith('.py') and not name.startswith('_'))


def test_every_module_is_in_the_action_group_and_nothing_else_is():
    with open(os.path.join(COLLECTION_ROOT, 'meta', 'runtime.yml'), encoding='utf-8') as handle:
        runtime = yaml.safe_load(handle)
    assert sorted(runtime['action_groups']['rocketchat']) == module_names()
    assert module_names(), 'the modules were found'
