# Copyright (c) 2026 chatops.rocketchat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

"""The prune engine, shared by rocketchat_integration_prune and rocketchat_integrations (prune: true): selectors,
scope, the pure planner with its guards, backups, and removal with a report of what was and was not done."""

from __future__ import annotations

import datetime
import re
import typing as t
from dataclasses import dataclass, field

from ansible_collections.chatops.rocketchat.plugins.module_utils._errors import InvalidInput
from ansible_collections.chatops.rocketchat.plugins.module_utils._facts import (
    DATE_KEYS,
    FACT_KEYS,
    OUTGOING_ONLY,
    FactReader,
    Pending,
    Unknown,
    Verdict,
    evaluate_fact,
    fix_for,
    facts_needed,
    parse_failing,
    parse_moment,
)
from ansible_collections.chatops.rocketchat.plugins.module_utils._integration import (
    INCOMING,
    OUTGOING,
    TYPES,
    Integration,
    identity,
    listed,
    one_line,
    partial_view_types,
)
from ansible_collections.chatops.rocketchat.plugins.module_utils._integrations_api import IntegrationsApi
from ansible_collections.chatops.rocketchat.plugins.module_utils._workers import DEFAULT_PARALLEL, check_parallel

IDENTITY_KEYS = ('id', 'name', 'name_regex')
SELECTOR_KEYS = IDENTITY_KEYS + ('type',) + FACT_KEYS
MESSAGE_LIST_LIMIT = 20
# Cheapest first: a selector stops at the first key that does not match, so lookups are paid only where needed.
EVALUATION_ORDER = ('enabled', 'created_by', 'updated_by', 'created_before', 'updated_before', 'creator_active',
                    'post_as_active', 'channel_exists', 'failing', 'idle_since')
ACTION_VERBS = {'remove': 'removes', 'disable': 'disables', 'quarantine': 'disables or removes'}


def selector_spec() -> dict:
    """One keep or remove entry (documented once, in the prune module)."""
    return {
        'id': {'type': 'str'},
        'name': {'type': 'str'},
        'name_regex': {'type': 'str'},
        'type': {'type': 'str', 'choices': list(TYPES)},
        'enabled': {'type': 'bool'},
        'created_before': {'type': 'str'},
        'updated_before': {'type': 'str'},
        'created_by': {'type': 'str'},
        'updated_by': {'type': 'str'},
        'creator_active': {'type': 'bool'},
        'post_as_active': {'type': 'bool'},
        'channel_exists': {'type': 'bool'},
        'failing': {'type': 'raw'},  # a whole number; checked by parse_failing, which refuses true/false
        'idle_since': {'type': 'str'},
    }


def prune_scope_argument_spec() -> dict:
    """The scope and safety-rail options both pruning modules take (each documents them)."""
    return {
        'types': {'type': 'list', 'elements': 'str', 'choices': list(TYPES), 'default': list(TYPES)},
        'scope_name_regex': {'type': 'str'},
        'max_removals': {'type': 'int', 'default': 10},
        'max_removals_percent': {'type': 'int'},
        'backup_dir': {'type': 'path'},
        'backup_secrets': {'type': 'bool', 'default': False},
        'parallel': {'type': 'int', 'default': DEFAULT_PARALLEL},
    }


class Selector:
    """One keep or remove entry; every key given must match (AND). A fact key alone is a selector."""

    def __init__(self, entry: dict, where: str, now: datetime.datetime | None = None, types=TYPES):
        self.where = where
        self.entry = {key: entry[key] for key in SELECTOR_KEYS if entry.get(key) is not None}
        if not set(self.entry) - {'type'}:
            raise InvalidInput('%s selects nothing: give id, name, name_regex or a fact such as enabled: false (type '
                               'only narrows).' % where)
        for key in IDENTITY_KEYS + ('created_by', 'updated_by'):
            if key in self.entry and not self.entry[key].strip():
                raise InvalidInput('%s.%s is empty; give a value or leave it out.' % (where, key))
        self.pattern = None
        if 'name_regex' in self.entry:
            try:
                self.pattern = re.compile(self.entry['name_regex'])
            except re.error as error:
                raise InvalidInput('%s.name_regex %r is not a valid regular expression: %s.'
                                   % (where, self.entry['name_regex'], error)) from None
        for key in OUTGOING_ONLY:
            if key in self.entry and (self.entry.get('type') == INCOMING or list(types) == [INCOMING]):
                raise InvalidInput('%s.%s applies to outgoing integrations only (it reads their deliveries), and this '
                                   'entry selects incoming ones: remove %s or set type: webhook-outgoing.'
                                   % (where, key, key))
        if 'failing' in self.entry:
            self.entry['failing'] = parse_failing(self.entry['failing'], where)
        now = now or datetime.datetime.now(datetime.timezone.utc)
        self.now = now
        self.wanted = {key: parse_moment(value, now, '%s.%s' % (where, key)) if key in DATE_KEYS else value
                       for key, value in self.entry.items() if key in FACT_KEYS}

    @property
    def identifies(self) -> bool:
        """Names integrations (id, name, name_regex): one that matches none is absent, not merely unselected."""
        return any(key in self.entry for key in IDENTITY_KEYS)

    def matches(self, doc: Integration) -> bool:
        """The keys the document itself answers: id, name, name_regex, type."""
        entry = self.entry
        return (('id' not in entry or doc.id == entry['id'])
                and ('name' not in entry or doc.name == entry['name'])
                and ('type' not in entry or doc.type == entry['type'])
                and (self.pattern is None or bool(self.pattern.search(doc.name or ''))))

    def verdict(self, doc: Integration, reader: FactReader | None) -> Verdict:
        """Whether every key matches: True with what matched, False, or None when a fact is Unknown (and no key is
        known not to match)."""
        if not self.matches(doc):
            return Verdict(False)
        if any(key in self.wanted for key in OUTGOING_ONLY) and doc.type != OUTGOING:
            return Verdict(False)
        reasons = ['%s %s' % ({'id': 'id', 'name': 'name', 'name_regex': 'name matches'}[key], self.entry[key])
                   for key in IDENTITY_KEYS if key in self.entry]
        unknown: list[Unknown] = []
        for key in EVALUATION_ORDER:
            if key not in self.wanted:
                continue
            matched, text, missing = evaluate_fact(key, self.wanted[key], doc, reader)
            if matched is False:
                return Verdict(False)
            if isinstance(missing, Pending):
                return Verdict(None, pending=True)  # decided after the lookup, as an undeferred reader would
            if matched is None:
                unknown.append(missing or Unknown('%s could not be established' % key, 'nothing'))
            else:
                reasons.append(text)
        if unknown:
            return Verdict(None, reasons, unknown)
        return Verdict(True, reasons)


def parse_input(params: dict) -> tuple[list[Selector], list[Selector], re.Pattern | None]:
    """Selectors and scope, or InvalidInput naming the option at fault. Runs before any request."""
    if params['max_removals'] < 1:
        raise InvalidInput('max_removals must be 1 or more (got %d); it caps how many integrations one run may '
                           'remove.' % params['max_removals'])
    percent = params.get('max_removals_percent')
    if percent is not None and not 1 <= percent <= 100:
        raise InvalidInput('max_removals_percent must be from 1 to 100 (the share of the integrations in scope one run '
                           'may remove), got %d.' % percent)
    if not params['types']:
        raise InvalidInput('types is empty; list webhook-incoming and/or webhook-outgoing.')
    check_parallel(params.get('parallel', 1))
    now = datetime.datetime.now(datetime.timezone.utc)  # ages like 90d count back from the module's start
    keep = [Selector(entry, 'keep[%d]' % index, now, params['types']) for index, entry in enumerate(params['keep'])]
    remove = [Selector(entry, 'remove[%d]' % index, now, params['types'])
              for index, entry in enumerate(params['remove'])]
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
    """What a prune removes and keeps, decided from one listing (and the facts its selectors ask for); `refusal` is
    the sentence to fail with before any removal, or None."""

    in_scope: list[Integration]
    remove: list[Integration]
    keep: list[Integration]
    already_absent: list[dict]  # remove selectors that matched nothing where the user sees everything
    not_visible: list[dict]  # remove selectors that matched nothing where the user may not see everything
    unused_keep: list[dict]
    partial_types: list[str]
    refusal: str | None
    selected_by: dict[str, str] = field(default_factory=dict)  # id -> the entry and the facts that matched
    undetermined: list[dict] = field(default_factory=list)  # kept: a fact a selector needs could not be established
    causes: list[Cause] = field(default_factory=list)  # what left them undetermined, grouped by what settles it


def fact_reader(api: IntegrationsApi, view: dict, selectors: list[Selector]) -> FactReader | None:
    """A reader when a selector asks for facts the listing does not hold; None (no lookups) otherwise."""
    needed = facts_needed(selector.entry for selector in selectors)
    if not needed:
        return None
    return FactReader(api, view, api.client.user_id,
                      max([selector.entry.get('failing') or 1 for selector in selectors] + [1]), deferred=True,
                      now=min([selector.now for selector in selectors]))


@dataclass(frozen=True)
class Cause:
    """Integrations left undetermined for one reason, and what settles it (a permission, a membership, or nothing
    yet); subjects: the users (by username) and rooms it was about."""

    settled_by: str
    reason: str  # the first one seen, as an example
    names: tuple[str, ...]
    subjects: tuple[str, ...]


class _Undetermined:
    """The integrations a selector could not decide, with why."""

    def __init__(self):
        self.by_id: dict[str, dict] = {}
        self.unknowns_by_id: dict[str, list[Unknown]] = {}

    def add(self, doc: Integration, where: str, verdict: Verdict) -> None:
        reason = '; '.join('%s: %s' % (where, unknown.reason) for unknown in verdict.unknown)
        entry = self.by_id.setdefault(doc.id, dict(identity(doc), reason=reason))
        if reason not in entry['reason']:
            entry['reason'] += '; ' + reason
        self.unknowns_by_id.setdefault(doc.id, []).extend(verdict.unknown)

    def causes(self, ids: list[str]) -> list[Cause]:
        """Grouped by what settles them, in the order first met; each integration once per cause."""
        grouped: dict[str, tuple[str, dict, dict]] = {}
        for integration_id in ids:
            for unknown in self.unknowns_by_id.get(integration_id, []):
                _reason, names, subjects = grouped.setdefault(unknown.settled_by, (unknown.reason, {}, {}))
                names[self.by_id[integration_id]['name'] or integration_id] = True
                if unknown.subject:
                    subjects[unknown.subject] = True
        return [Cause(settled_by, reason, tuple(names), tuple(subjects))
                for settled_by, (reason, names, subjects) in grouped.items()]


def plan_prune(docs: list[Integration], view: dict, params: dict, keep: list[Selector], remove: list[Selector],
               scope: t.Pattern | None, reader: FactReader | None = None) -> PrunePlan:
    """Decide, from one listing, the user's view and (through `reader`) the facts selectors ask for, what goes and
    what stays, and whether the guards allow it. An integration a selector could not decide is kept: unknown never
    means "dead".

    With a deferred reader, each pass queues the lookups it reaches and the reader makes them on up to
    params['parallel'] workers; the next pass goes further. A pass reaches a lookup only where an undeferred,
    sequential evaluation would, so the lookups made, and the plan, do not depend on parallel."""
    while True:
        plan = _plan_pass(docs, view, params, keep, remove, scope, reader)
        if reader is None or not reader.fetch_pending(params.get('parallel', 1)):
            return plan


@dataclass
class _Selection:
    """What one planning pass collects, selector by selector."""

    doomed: dict[str, str] = field(default_factory=dict)  # id -> selected_by
    conflicts: list[str] = field(default_factory=list)
    undetermined: _Undetermined = field(default_factory=_Undetermined)
    blocked: set[str] = field(default_factory=set)  # selected, but a keep selector could not be decided for it
    already_absent: list[dict] = field(default_factory=list)
    not_visible: list[dict] = field(default_factory=list)
    pending: set[str] = field(default_factory=set)  # an earlier selector waits on a lookup: not known yet


def _check_keepers(doc: Integration, where: str, keep: list[Selector], reader: FactReader | None,
                   selection: _Selection) -> None:
    """A selected integration that a keep selector also matches is a conflict; one a keep selector could not decide
    may be meant to stay: it is not removed on this run."""
    keepers = [(keeper, keeper.verdict(doc, reader)) for keeper in keep]
    if any(kept.matched for _keeper, kept in keepers):
        selection.conflicts.append('%s %r (%s) is matched by %s and by %s' % (
            doc.type, doc.name, doc.id, where,
            ', '.join(keeper.where for keeper, kept in keepers if kept.matched)))
    for keeper, kept in keepers:
        if kept.matched is None:
            selection.undetermined.add(doc, keeper.where, kept)
            selection.blocked.add(doc.id)


def _select_by(selector: Selector, in_scope: list[Integration], keep: list[Selector], reader: FactReader | None,
               view: dict, params: dict, selection: _Selection) -> None:
    """One remove selector over the integrations in scope. An integration an earlier selector already selected, or
    is still waiting on, needs no more lookups: the first selector says why."""
    for doc in in_scope:
        if doc.id in selection.doomed or doc.id in selection.pending:
            continue
        verdict = selector.verdict(doc, reader)
        if verdict.pending:
            selection.pending.add(doc.id)
        elif verdict.matched is None:
            selection.undetermined.add(doc, selector.where, verdict)
        elif verdict.matched:
            _check_keepers(doc, selector.where, keep, reader, selection)
            selection.doomed.setdefault(doc.id, '%s: %s' % (selector.where, ', '.join(verdict.reasons)))
    # "already absent" is for integrations that do not exist: a name that matched a hook whose facts did not hold
    # is not absent
    if selector.identifies and not any(selector.matches(doc) for doc in in_scope):
        kinds = [selector.entry['type']] if 'type' in selector.entry else params['types']
        # Not listed means absent only where the user sees every integration of that type.
        (selection.not_visible if partial_view_types(view, kinds) else selection.already_absent).append(selector.entry)


def _select_unkept(in_scope: list[Integration], keep: list[Selector], reader: FactReader | None, params: dict,
                   selection: _Selection) -> None:
    """Exclusive mode: what no keep selector matches goes, unless a keep selector could not be decided for it."""
    for doc in in_scope:
        kept = [(keeper, keeper.verdict(doc, reader)) for keeper in keep]
        if any(verdict.matched for _keeper, verdict in kept):
            continue
        open_ = [(keeper, verdict) for keeper, verdict in kept if verdict.matched is None]
        for keeper, verdict in open_:
            selection.undetermined.add(doc, keeper.where, verdict)
        if not open_:
            selection.doomed.setdefault(doc.id, params.get('exclusive_reason') or 'exclusive: no keep selector '
                                        'matches')


def _plan_pass(docs: list[Integration], view: dict, params: dict, keep: list[Selector], remove: list[Selector],
               scope: t.Pattern | None, reader: FactReader | None) -> PrunePlan:
    """One planning pass; complete when the reader queued no lookup during it."""
    in_scope = [doc for doc in docs if doc.type in params['types'] and (scope is None or scope.search(doc.name or ''))]
    selection = _Selection()
    for selector in remove:
        _select_by(selector, in_scope, keep, reader, view, params, selection)
    if params['exclusive']:
        _select_unkept(in_scope, keep, reader, params, selection)
    # Removed only on established facts: one a keep selector could not decide stays.
    ordered = [doc for doc in in_scope if doc.id in selection.doomed and doc.id not in selection.blocked]
    removed_ids = {doc.id for doc in ordered}
    undetermined = selection.undetermined
    open_ids = [doc.id for doc in in_scope if doc.id in undetermined.by_id and doc.id not in removed_ids]
    # A keep selector that matches nothing is usually a typo, and in exclusive mode what it meant to keep goes.
    unused_keep = [keeper.entry for keeper in keep
                   if not any(keeper.verdict(doc, reader).matched is not False for doc in in_scope)]
    return PrunePlan(in_scope, ordered, [doc for doc in in_scope if doc.id not in removed_ids],
                     selection.already_absent, selection.not_visible, unused_keep,
                     partial_view_types(view, params['types']),
                     refusal_of(selection.conflicts, ordered, params, len(in_scope)),
                     {doc.id: selection.doomed[doc.id] for doc in ordered},
                     [undetermined.by_id[integration_id] for integration_id in open_ids], undetermined.causes(open_ids))


def refusal_of(conflicts: list[str], ordered: list[Integration], params: dict, in_scope: int) -> str | None:
    """The guards, before any request that changes something: selectors that disagree, a plan larger than
    max_removals, and one larger than max_removals_percent of the integrations in scope."""
    if conflicts:
        return 'keep and remove disagree; nothing was removed: %s.' % '; '.join(conflicts)
    verb = ACTION_VERBS[params.get('action') or 'remove']
    nothing = 'nothing was removed' if verb == 'removes' else 'nothing was changed'
    named = listed([one_line(doc) for doc in ordered], MESSAGE_LIST_LIMIT, ' (see planned)')
    if len(ordered) > params['max_removals']:
        return ('The plan %s %d integrations, more than max_removals=%d; %s. Raise max_removals if this is '
                'intended: %s.' % (verb, len(ordered), params['max_removals'], nothing, named))
    percent = params.get('max_removals_percent')
    if percent is not None and ordered and len(ordered) * 100 > percent * in_scope:
        return ('The plan %s %d of the %d integrations in scope (%d%%), more than max_removals_percent=%d; %s. Raise '
                'max_removals_percent if this is intended: %s.'
                % (verb, len(ordered), in_scope, round(len(ordered) * 100.0 / in_scope), percent, nothing, named))
    return None


def undetermined_warning(plan: PrunePlan) -> str | None:
    """One warning for the integrations kept because a fact could not be established: grouped by cause, each cause's
    fix first, then what could not be read (users by username, rooms by name) and the integrations it kept."""
    if not plan.undetermined:
        return None
    parts = []
    for cause in plan.causes:
        names = listed(cause.names, MESSAGE_LIST_LIMIT)
        fix = fix_for(cause.settled_by, cause.subjects)
        if fix:
            parts.append('%s%s - %s, for %s.' % (fix[0].upper(), fix[1:], cause.reason, names))
        else:
            parts.append('Nothing settles %d yet (%s) - %s, for %s.' % (
                len(cause.names), cause.settled_by.split(': ', 1)[-1] if ': ' in cause.settled_by
                else 'Rocket.Chat does not record it', cause.reason, names))
    return '%d integration(s) were kept, not removed, because a fact their selectors need could not be established ' \
        '(see undetermined). %s' % (len(plan.undetermined), ' '.join(parts))
