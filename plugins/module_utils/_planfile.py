# Copyright (c) 2026 chatops.rocketchat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

"""Apply exactly the reviewed plan: a check-mode run writes its Plan to a file (plan_file); a later run given that
file (apply_plan) performs only the actions in it, and only on targets unchanged since it was written (same _id, same
_updatedAt). The file holds no secret (an outgoing token is read again when the plan is applied) and carries a
digest, so an edited file is refused; so is one written for another server, or older than plan_max_age_hours."""

from __future__ import annotations

import datetime
import hashlib
import json
import typing as t

from ansible_collections.chatops.rocketchat.plugins.module_utils._deliveries import stored_moment
from ansible_collections.chatops.rocketchat.plugins.module_utils._errors import InvalidInput
from ansible_collections.chatops.rocketchat.plugins.module_utils._files import write_private
from ansible_collections.chatops.rocketchat.plugins.module_utils._integration import Integration, exact_name_matches
from ansible_collections.chatops.rocketchat.plugins.module_utils._plan import (
    CREATE,
    DISABLE,
    REMOVE,
    UPDATE,
    Action,
    Plan,
    removal_actions,
)

FORMAT = 'chatops.rocketchat/plan/1'
SECRET_FIELDS = ('token',)


def plan_file_argument_spec() -> dict:
    """The options of the reviewed-plan flow (documented in each module that takes them)."""
    return {
        'plan_file': {'type': 'path'},
        'apply_plan': {'type': 'path'},
        'plan_max_age_hours': {'type': 'int', 'default': 24},
    }


def check_plan_options(params: dict, check_mode: bool, module: str, server_url: str,
                       now: datetime.datetime) -> dict | None:
    """The plan to apply (read and checked), or None; InvalidInput naming the option at fault. Before any request."""
    if params['plan_file'] and params['apply_plan']:
        raise InvalidInput('plan_file and apply_plan exclude each other: a check-mode run writes the plan (plan_file), '
                           'a later run applies it (apply_plan).')
    if params['plan_file'] and not check_mode:
        raise InvalidInput('plan_file writes the plan a check-mode run makes, for review: run with --check, then apply '
                           'the file with apply_plan.')
    if params['plan_max_age_hours'] < 1:
        raise InvalidInput('plan_max_age_hours must be 1 or more, got %d.' % params['plan_max_age_hours'])
    if not params['apply_plan']:
        return None
    return read_plan(params['apply_plan'], module, server_url, params['plan_max_age_hours'], now)


def _digest(document: dict) -> str:
    body = {key: value for key, value in document.items() if key != 'digest'}
    return 'sha256:' + hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode('utf-8')).hexdigest()


def _row(action: Action) -> dict:
    """One action as the file holds it: what and why, the target's _updatedAt, and what a create or update sends
    without its secrets."""
    target = action.target
    return {'kind': action.kind, 'type': action.integration_type, 'name': action.name, 'id': action.target_id,
            'updated_at': target.updated_at if target else None, 'reason': action.reason,
            'changed_fields': list(action.changed_fields),
            'after': None if action.kind in (REMOVE, DISABLE) else {
                key: value for key, value in (action.after or {}).items() if key not in SECRET_FIELDS}}


def plan_document(module: str, server_url: str, plan: Plan, now: datetime.datetime) -> dict:
    document = {'format': FORMAT, 'module': module, 'server_url': server_url.rstrip('/'),
                'written_at': now.isoformat(), 'actions': [_row(action) for action in plan.actions]}
    document['digest'] = _digest(document)
    return document


def write_plan(path: str, document: dict) -> str:
    return write_private(path, json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + '\n')


def read_plan(path: str, module: str, server_url: str, max_age_hours: int, now: datetime.datetime) -> dict:
    """The plan in `path`, or InvalidInput naming what is wrong with it. Runs before any request."""
    try:
        with open(path, encoding='utf-8') as handle:
            document = json.load(handle)
    except (OSError, ValueError) as error:
        raise InvalidInput('apply_plan %s cannot be read as a plan: %s. Write one with plan_file in a check-mode run.'
                           % (path, error)) from None
    if not isinstance(document, dict) or document.get('format') != FORMAT or not isinstance(
            document.get('actions'), list):
        raise InvalidInput('apply_plan %s is not a plan written by plan_file (format %s).' % (path, FORMAT))
    if document.get('digest') != _digest(document):
        raise InvalidInput('apply_plan %s was changed after it was written (its digest does not match); nothing was '
                           'changed. Apply the plan as it was reviewed, or write a new one.' % path)
    if document.get('module') != module:
        raise InvalidInput('apply_plan %s was written by %s, not %s.' % (path, document.get('module'), module))
    if document.get('server_url') != server_url.rstrip('/'):
        raise InvalidInput('apply_plan %s was written for %s, not for %s; nothing was changed.'
                           % (path, document.get('server_url'), server_url.rstrip('/')))
    written = stored_moment(document.get('written_at'))
    if written is None or now - written > datetime.timedelta(hours=max_age_hours):
        raise InvalidInput('apply_plan %s was written %s, more than plan_max_age_hours=%d ago; nothing was changed. '
                           'Review a new plan.' % (path, document.get('written_at'), max_age_hours))
    return document


def replay(document: dict, docs: list[Integration],
           tokens: t.Mapping[tuple, str] | None = None) -> tuple[Plan, list[dict]]:
    """The saved actions whose targets are unchanged (same _id and _updatedAt; for a create, the name still free),
    rebuilt on what the server holds now; and the ones left alone, each with why. `tokens` gives an outgoing
    definition's token by (type, name); otherwise the stored one is sent again."""
    by_id = {doc.id: doc for doc in docs}
    actions: list[Action] = []
    left_alone: list[dict] = []
    for row in document['actions']:
        shown = {'kind': row['kind'], 'type': row['type'], 'name': row['name'], 'id': row['id']}
        current = by_id.get(row['id']) if row['id'] else None
        if row['kind'] == CREATE:
            if exact_name_matches(docs, row['name'], row['type']):
                left_alone.append(dict(shown, why='an integration of that name exists since the plan was written'))
                continue
        elif current is None:
            left_alone.append(dict(shown, why='gone since the plan was written'))
            continue
        elif current.updated_at != row['updated_at']:
            left_alone.append(dict(shown, why='changed since the plan was written (_updatedAt %s, then %s)'
                                   % (row['updated_at'], current.updated_at)))
            continue
        actions.append(_rebuilt(row, current, tokens or {}))
    return Plan(tuple(actions)), left_alone


def _rebuilt(row: dict, current: Integration | None, tokens: t.Mapping[tuple, str]) -> Action:
    if row['kind'] in (REMOVE, DISABLE) and current is not None:
        return removal_actions([current], {current.id: row['reason']}, row['kind'])[0]
    after = dict(row['after'])
    token = tokens.get((row['type'], row['name'])) or (current.token if current else None)
    if token and row['type'] == 'webhook-outgoing':
        after['token'] = token
    return Action(row['kind'], row['type'], row['name'], target=current, after=after,
                  before=current.managed if current and row['kind'] == UPDATE else None, reason=row['reason'],
                  changed_fields=tuple(row['changed_fields']), settle=row['kind'] == CREATE)
