# Copyright (c) 2026 chatops.rocketchat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

"""The prune engine, shared by rocketchat_integration_prune and rocketchat_integrations (prune: true): selectors,
scope, the pure planner with its guards, backups, and removal with a report of what was and was not done."""

from __future__ import annotations

import json
import os
import re
import typing as t
from dataclasses import dataclass, field

from ansible_collections.chatops.rocketchat.plugins.module_utils._definition import definition_of
from ansible_collections.chatops.rocketchat.plugins.module_utils._errors import CollectionError, InvalidInput
from ansible_collections.chatops.rocketchat.plugins.module_utils._files import write_private
from ansible_collections.chatops.rocketchat.plugins.module_utils._integration import (
    TYPES,
    identity,
    one_line,
    partial_view_types,
)
from ansible_collections.chatops.rocketchat.plugins.module_utils._integrations_api import IntegrationsApi

SELECTOR_KEYS = ('id', 'name', 'name_regex', 'type')
MESSAGE_LIST_LIMIT = 20


def selector_spec() -> dict:
    """One keep or remove entry (documented once, in the prune module)."""
    return {
        'id': {'type': 'str'},
        'name': {'type': 'str'},
        'name_regex': {'type': 'str'},
        'type': {'type': 'str', 'choices': list(TYPES)},
    }


def prune_scope_argument_spec() -> dict:
    """The scope and safety-rail options both pruning modules take (each documents them)."""
    return {
        'types': {'type': 'list', 'elements': 'str', 'choices': list(TYPES), 'default': list(TYPES)},
        'scope_name_regex': {'type': 'str'},
        'max_removals': {'type': 'int', 'default': 10},
        'backup_dir': {'type': 'path'},
        'backup_secrets': {'type': 'bool', 'default': False},
    }


class Selector:
    """One keep or remove entry; every key given must match."""

    def __init__(self, entry: dict, where: str):
        self.where = where
        self.entry = {key: entry[key] for key in SELECTOR_KEYS if entry.get(key) is not None}
        if not set(self.entry) - {'type'}:
            raise InvalidInput('%s selects nothing: give id, name or name_regex (type only narrows).' % where)
        for key in ('id', 'name', 'name_regex'):
            if key in self.entry and not self.entry[key].strip():
                raise InvalidInput('%s.%s is empty; give a value or leave it out.' % (where, key))
        self.pattern = None
        if 'name_regex' in self.entry:
            try:
                self.pattern = re.compile(self.entry['name_regex'])
            except re.error as error:
                raise InvalidInput('%s.name_regex %r is not a valid regular expression: %s.'
                                   % (where, self.entry['name_regex'], error)) from None

    def matches(self, doc: dict) -> bool:
        entry = self.entry
        return (('id' not in entry or doc.get('_id') == entry['id'])
                and ('name' not in entry or doc.get('name') == entry['name'])
                and ('type' not in entry or doc.get('type') == entry['type'])
                and (self.pattern is None or bool(self.pattern.search(doc.get('name') or ''))))


def parse_input(params: dict) -> tuple[list[Selector], list[Selector], re.Pattern | None]:
    """Selectors and scope, or InvalidInput naming the option at fault. Runs before any request."""
    if params['max_removals'] < 1:
        raise InvalidInput('max_removals must be 1 or more (got %d); it caps how many integrations one run may '
                           'remove.' % params['max_removals'])
    if not params['types']:
        raise InvalidInput('types is empty; list webhook-incoming and/or webhook-outgoing.')
    keep = [Selector(entry, 'keep[%d]' % index) for index, entry in enumerate(params['keep'])]
    remove = [Selector(entry, 'remove[%d]' % index) for index, entry in enumerate(params['remove'])]
    scope = None
    if params['scope_name_regex'] is not None:
        try:
            scope = re.compile(params['scope_name_regex'])
        except re.error as error:
            raise InvalidInput('scope_name_regex %r is not a valid regular expression: %s.'
                               % (params['scope_name_regex'], error)) from None
    return keep, remove, scope


@dataclass(frozen=True)
class PrunePlan:
    """What a prune removes and keeps, decided from one listing; `refusal` is the sentence to fail with before any
    removal, or None."""

    in_scope: list[dict]
    remove: list[dict]
    keep: list[dict]
    already_absent: list[dict]  # remove selectors that matched nothing where the user sees everything
    not_visible: list[dict]  # remove selectors that matched nothing where the user may not see everything
    unused_keep: list[dict]
    partial_types: list[str]
    refusal: str | None


@dataclass
class RemovalOutcome:
    """What a removal run did: the identities removed and already gone, the backups written, and on a failure the
    integrations not removed (the first one failed) and the failure, told as what was and was not done."""

    removed: list[dict] = field(default_factory=list)
    already_absent: list[dict] = field(default_factory=list)
    backups: list[str] = field(default_factory=list)
    not_removed: list[dict] = field(default_factory=list)
    error: CollectionError | None = None


def plan_prune(docs: list[dict], view: dict, params: dict, keep: list[Selector], remove: list[Selector],
               scope: t.Pattern | None) -> PrunePlan:
    """Decide, from one listing and the user's view, what goes and what stays, and whether the guards allow it.
    Pure: no requests."""
    in_scope = [doc for doc in docs if doc.get('type') in params['types']
                and (scope is None or scope.search(doc.get('name') or ''))]
    doomed: dict[str, dict] = {}
    conflicts = []
    already_absent: list[dict] = []
    not_visible: list[dict] = []
    for selector in remove:
        matched = [doc for doc in in_scope if selector.matches(doc)]
        if not matched:
            kinds = [selector.entry['type']] if 'type' in selector.entry else params['types']
            # Not listed means absent only where the user sees every integration of that type.
            (not_visible if partial_view_types(view, kinds) else already_absent).append(selector.entry)
        for doc in matched:
            doomed[doc['_id']] = doc
            keepers = [keeper.where for keeper in keep if keeper.matches(doc)]
            if keepers:
                conflicts.append('%s %r (%s) is matched by %s and by %s'
                                 % (doc['type'], doc.get('name'), doc['_id'], selector.where, ', '.join(keepers)))
    if params['exclusive']:
        for doc in in_scope:
            if not any(keeper.matches(doc) for keeper in keep):
                doomed[doc['_id']] = doc
    ordered = [doc for doc in in_scope if doc['_id'] in doomed]
    # A keep selector that matches nothing is usually a typo, and in exclusive mode what it meant to keep goes.
    unused_keep = [keeper.entry for keeper in keep if not any(keeper.matches(doc) for doc in in_scope)]
    return PrunePlan(in_scope, ordered, [doc for doc in in_scope if doc['_id'] not in doomed], already_absent,
                     not_visible, unused_keep, partial_view_types(view, params['types']),
                     refusal_of(conflicts, ordered, params['max_removals']))


def refusal_of(conflicts: list[str], ordered: list[dict], max_removals: int) -> str | None:
    """The guards: selectors that disagree, and a plan larger than max_removals."""
    if conflicts:
        return 'keep and remove disagree; nothing was removed: %s.' % '; '.join(conflicts)
    if len(ordered) > max_removals:
        listed = ', '.join(one_line(doc) for doc in ordered[:MESSAGE_LIST_LIMIT])
        if len(ordered) > MESSAGE_LIST_LIMIT:
            listed += ' and %d more (see planned)' % (len(ordered) - MESSAGE_LIST_LIMIT)
        return ('The plan removes %d integrations, more than max_removals=%d; nothing was removed. Raise '
                'max_removals if this is intended: %s.' % (len(ordered), max_removals, listed))
    return None


def write_backup(directory: str, doc: dict, with_token: bool) -> str:
    """The integration's definition, in the shape rocketchat_integrations takes, so that applying the file restores
    it (an incoming one then gets a new hook URL). The outgoing token only with_token; never the incoming one, which
    the server generates anew. Written whole or not at all (write_private)."""
    content = definition_of(doc, with_token=with_token)
    safe_id = re.sub(r'[^A-Za-z0-9_.-]', '_', str(doc.get('_id')))
    path = os.path.join(directory, '%s-%s.json' % (doc.get('type'), safe_id))
    return write_private(path, json.dumps(content, indent=2, sort_keys=True, ensure_ascii=False) + '\n')


def remove_all(api: IntegrationsApi, doomed: list[dict], params: dict) -> RemovalOutcome:
    """Back up and remove each one, in plan order. On a failure, stop: the outcome says what was removed and what
    was not, and carries the failure told that way."""
    outcome = RemovalOutcome()
    for index, doc in enumerate(doomed):
        try:
            if params['backup_dir']:
                outcome.backups.append(write_backup(params['backup_dir'], doc, params['backup_secrets']))
            removed = api.remove(doc['type'], doc['_id'])
        except CollectionError as error:
            outcome.not_removed = [identity(item) for item in doomed[index:]]
            outcome.error = error.with_message(
                'Removed %d of %d planned integrations, then failed on %s: %s. Running again converges.'
                % (len(outcome.removed), len(doomed), one_line(doc), error.message.rstrip('.')))
            return outcome
        (outcome.already_absent if removed is None else outcome.removed).append(identity(doc))
    return outcome
