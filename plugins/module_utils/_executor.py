# Copyright (c) 2026 chatops.rocketchat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

"""The one executor: runs a Plan (``_plan.py``) for every module. Writes (create, update, disable) on up to
`parallel` workers, then the duplicates of a concurrent run settled after the creates, then the removals, each backed
up first when asked. Results come in plan order, whatever order the calls finished in, and the result says exactly
what was and was not done: "applied N of M; running again converges"."""

from __future__ import annotations

import json
import os
import re
import typing as t
from dataclasses import dataclass, field

from ansible_collections.chatops.rocketchat.plugins.module_utils._definition import PresentPlan, definition_of
from ansible_collections.chatops.rocketchat.plugins.module_utils._errors import CollectionError, RocketChatError
from ansible_collections.chatops.rocketchat.plugins.module_utils._files import remove_stale_temporaries, write_private
from ansible_collections.chatops.rocketchat.plugins.module_utils._integration import Integration, identity, one_line
from ansible_collections.chatops.rocketchat.plugins.module_utils._integrations_api import IntegrationsApi, is_not_found
from ansible_collections.chatops.rocketchat.plugins.module_utils._plan import (
    CREATE,
    DISABLE,
    REMOVE,
    UPDATE,
    WRITES,
    Action,
    Plan,
)
from ansible_collections.chatops.rocketchat.plugins.module_utils._workers import Done, first_failure, run_in_order

BACKUP_NAME = re.compile(r'^webhook-(incoming|outgoing)-[A-Za-z0-9_.-]+\.json$')  # write_backup's file names


@dataclass
class Execution:
    """What running a plan did, in plan order. `stored` maps an action's position in the plan to the document the
    server answered (for a create, the one that stands after settling). `not_done` holds the actions not done, the
    one that failed first leading; `error` is that failure, told as what was and was not done."""

    created: list[dict] = field(default_factory=list)
    updated: list[dict] = field(default_factory=list)
    disabled: list[dict] = field(default_factory=list)
    not_disabled: list[dict] = field(default_factory=list)  # the server refused the update: reason given
    removed: list[dict] = field(default_factory=list)
    already_absent: list[dict] = field(default_factory=list)
    resolved_duplicates: list[dict] = field(default_factory=list)
    backups: list[str] = field(default_factory=list)
    not_done: list[Action] = field(default_factory=list)
    stored: dict[int, Integration] = field(default_factory=dict)
    error: CollectionError | None = None
    stopped_in: str | None = None  # 'writes' or 'removals': where the failure ended the run

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.disabled or self.removed or self.resolved_duplicates)


@dataclass(frozen=True)
class _Refused:
    """A disable the server refused as invalid (the room or post-as user it re-validates is gone)."""

    reason: str


def write_backup(directory: str, doc: Integration, with_token: bool) -> str:
    """The integration's definition, in the shape rocketchat_integrations takes, so that applying the file restores
    it (an incoming one then gets a new hook URL). The outgoing token only with_token; never the incoming one, which
    the server generates anew. Written whole or not at all (write_private)."""
    content = definition_of(doc, with_token=with_token)
    safe_id = re.sub(r'[^A-Za-z0-9_.-]', '_', doc.id)
    path = os.path.join(directory, '%s-%s.json' % (doc.type, safe_id))
    return write_private(path, json.dumps(content, indent=2, sort_keys=True, ensure_ascii=False) + '\n')


def _write(api: IntegrationsApi, action: Action) -> t.Any:
    plan = PresentPlan(action.kind, dict(action.before or {}), dict(action.after or {}), list(action.changed_fields))
    if action.kind == CREATE:
        return api.create_from(action.integration_type, plan)
    try:
        return api.update_from(action.integration_type, plan, str(action.target_id))
    except RocketChatError as error:
        if action.kind != DISABLE:
            raise
        if is_not_found(error):
            return None  # gone since the listing
        if error.status == 400:
            # Rocket.Chat re-validates the whole integration on update: a gone room or post-as user refuses it
            return _Refused(error.error_text or error.error_type or error.message)
        raise


def _position(plan: Plan, action: Action) -> int:
    """Where an action stands in its plan (by identity: two actions may be equal)."""
    return next(index for index, candidate in enumerate(plan.actions) if candidate is action)


def _settle(api: IntegrationsApi, plan: Plan, results: list[Done], execution: Execution) -> Done | None:
    """Read the creates found by name back (settle_created); a failure to read is told as such."""
    created = [entry.value for entry in results if entry.ok and entry.item.kind == CREATE and entry.item.settle]
    try:
        chosen, execution.resolved_duplicates = api.settle_created(created) if created else ({}, [])
    except CollectionError as error:
        return Done(None, error=error.with_message(
            'Created %d integrations, then could not read them back to resolve duplicates of a concurrent run: %s. '
            'Running again converges.' % (len(created), error.message.rstrip('.'))))
    for entry in results:
        if entry.ok and entry.item.kind == CREATE:
            kept = chosen.get(entry.value.id, entry.value)
            execution.stored[_position(plan, entry.item)] = kept
            if kept.id == entry.value.id:
                execution.created.append(identity(entry.value))
    return None


def _run_writes(api: IntegrationsApi, plan: Plan, parallel: int, told: bool, execution: Execution) -> bool:
    """Phase one. False when a write failed: the removals are then not done either."""
    writes = list(plan.of(*WRITES))
    results = run_in_order(writes, lambda action: _write(api, action), parallel)
    failure = first_failure(results)
    settle_failure = _settle(api, plan, results, execution)
    failure = failure or settle_failure
    for entry in results:
        action = entry.item
        if not entry.ok:
            execution.not_done.append(action)
        elif action.kind == UPDATE:
            execution.stored[_position(plan, action)] = entry.value
            execution.updated.append(dict(identity(entry.value), changed_fields=list(action.changed_fields)))
        elif action.kind == DISABLE:
            _report_disable(action, entry.value, execution)
    if failure is None:
        return True
    execution.not_done += list(plan.of(REMOVE))
    if failure.item is None:
        execution.error = failure.error
        return False
    execution.not_done.sort(key=lambda action: action is not failure.item)  # the first failure leads
    execution.error = _told(failure, told, 'Applied %d of %d planned writes, then failed to %s %s %s' % (
        sum(1 for entry in results if entry.ok), len(plan), failure.item.kind, failure.item.integration_type,
        failure.item.name))
    return False


def _report_disable(action: Action, value: t.Any, execution: Execution) -> None:
    done = dict(action.identity(), selected_by=action.reason)
    if isinstance(value, _Refused):
        execution.not_disabled.append(dict(done, reason=value.reason))
    elif value is None:
        execution.already_absent.append(done)
    else:
        execution.disabled.append(done)


def _told(failure: Done, told: bool, what_was_done: str, besides: str = '') -> CollectionError | None:
    """The first failure in plan order, told (unless `told` is False) as what was and was not done."""
    if failure.error is None or not told:
        return failure.error
    return failure.error.with_message('%s: %s.%s Running again converges.' % (
        what_was_done, failure.error.message.rstrip('.'), besides))


def _run_removals(api: IntegrationsApi, plan: Plan, parallel: int, told: bool, backup_dir: str | None,
                  backup_secrets: bool, execution: Execution) -> None:
    """Phase two: back up and remove each one (the backup on disk before its remove is sent). On a failure no further
    removal starts."""
    removals = list(plan.of(REMOVE))
    backups: dict[int, str] = {}

    def back_up_and_remove(action: Action) -> t.Any:
        if backup_dir and action.target is not None:
            backups[id(action)] = write_backup(backup_dir, action.target, backup_secrets)
        return api.remove(action.integration_type, str(action.target_id))

    if backup_dir and removals:
        remove_stale_temporaries(backup_dir, BACKUP_NAME)  # a killed run's, never a whole backup
    results = run_in_order(removals, back_up_and_remove, parallel)
    execution.backups = [backups[id(action)] for action in removals if id(action) in backups]
    for entry in results:
        done = entry.item.identity()
        if entry.item.reason:
            done['selected_by'] = entry.item.reason
        if not entry.ok:
            execution.not_done.append(entry.item)
        else:
            (execution.removed if entry.value else execution.already_absent).append(done)
    failure = first_failure(results)
    if failure is None:
        return
    others = sum(1 for entry in results if entry.error is not None) - 1
    execution.not_done.sort(key=lambda action: action is not failure.item)  # the first failure leads
    execution.error = _told(failure, told, 'Removed %d of %d planned integrations, then failed on %s' % (
        len(execution.removed), len(removals), one_line(failure.item.target) if failure.item.target else failure.item.name),
        ' %d other removal(s) failed too (see not_removed).' % others if others else '')


def execute(api: IntegrationsApi, plan: Plan, parallel: int = 1, backup_dir: str | None = None,
            backup_secrets: bool = False, told: bool = True) -> Execution:
    """Run `plan`: its writes, the duplicates settled, then its removals. Never raises for what the server answered:
    the failure is in Execution.error, told as what was and was not done (told=False: as the server said it, for a
    task about one integration)."""
    execution = Execution()
    if not _run_writes(api, plan, parallel, told, execution):
        execution.stopped_in = 'writes'
        return execution
    _run_removals(api, plan, parallel, told, backup_dir, backup_secrets, execution)
    if execution.error is not None:
        execution.stopped_in = 'removals'
    return execution
