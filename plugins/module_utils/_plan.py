# Copyright (c) 2026 chatops.rocketchat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

"""One plan for every module: typed, frozen actions (create, update, disable, remove), each with its target, what
the server will store and why it was chosen. The planners (a single integration's state, the prune, the declared
set) build one; ``_executor.execute`` runs it."""

from __future__ import annotations

import typing as t
from dataclasses import dataclass

from ansible_collections.chatops.rocketchat.plugins.module_utils._integration import Integration

CREATE = 'create'
UPDATE = 'update'
DISABLE = 'disable'
REMOVE = 'remove'
WRITES = (CREATE, UPDATE, DISABLE)


@dataclass(frozen=True)
class Action:
    """One change to one integration.

    target: the stored document the action was planned on (None for a create); after: the managed fields as the
    server will store them (what a create or update sends; for a disable, everything as stored but enabled);
    reason: why it was chosen (the selector that selected it, or the fields that change); settle: after a create
    found by name, read back by name and type and keep the oldest (two runs may have created the same name)."""

    kind: str
    integration_type: str
    name: str | None
    target: Integration | None = None
    after: t.Mapping[str, t.Any] | None = None
    before: t.Mapping[str, t.Any] | None = None
    reason: str = ''
    changed_fields: tuple[str, ...] = ()
    settle: bool = False

    @property
    def target_id(self) -> str | None:
        return None if self.target is None else self.target.id

    def identity(self) -> dict:
        """How results list the action's integration (a create has no id yet)."""
        return {'id': self.target_id, 'name': self.name, 'type': self.integration_type}


@dataclass(frozen=True)
class Plan:
    """The actions of one run, in the order they are reported: writes first, then removals."""

    actions: tuple[Action, ...] = ()

    def of(self, *kinds: str) -> tuple[Action, ...]:
        return tuple(action for action in self.actions if action.kind in kinds)

    def __len__(self) -> int:
        return len(self.actions)


def removal_actions(docs: t.Iterable[Integration], selected_by: t.Mapping[str, str],
                    kind: str = REMOVE) -> tuple[Action, ...]:
    """What a prune does to each integration it selected: remove it, or (kind=disable, the quarantine) disable it with
    every other field as stored. An outgoing integration's update needs its stored token, which the listing holds."""
    actions = []
    for doc in docs:
        after = None
        if kind == DISABLE:
            after = dict(doc.managed, enabled=False)
        actions.append(Action(kind, doc.type, doc.name, target=doc, after=after,
                              before=doc.managed if kind == DISABLE else None,
                              reason=selected_by.get(doc.id, ''),
                              changed_fields=('enabled',) if kind == DISABLE else ()))
    return tuple(actions)
