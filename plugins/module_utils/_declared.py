# Copyright (c) 2026 chatops.rocketchat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

"""The declared-set engine of rocketchat_integrations: the input check, the pure planner (each definition's plan
and, with prune, what the declaration leaves out), the reports, and the apply with a report of what was and was not
done. The module reads, calls these, and returns."""

from __future__ import annotations

import json
import typing as t
from dataclasses import dataclass, field, replace

from ansible_collections.chatops.rocketchat.plugins.module_utils._definition import (
    PresentPlan,
    definition_problem,
    plan_present,
    readable_diff,
)
from ansible_collections.chatops.rocketchat.plugins.module_utils._errors import CollectionError, InvalidInput
from ansible_collections.chatops.rocketchat.plugins.module_utils._files import write_private
from ansible_collections.chatops.rocketchat.plugins.module_utils._integration import Integration, one_line
from ansible_collections.chatops.rocketchat.plugins.module_utils._integrations_api import (
    select_integration,
    shared_name_warning,
)
from ansible_collections.chatops.rocketchat.plugins.module_utils._plan import Action, Plan, removal_actions
from ansible_collections.chatops.rocketchat.plugins.module_utils._prune import Selector, parse_input, plan_prune

ACTIONS = ('create', 'update', 'remove')
WRITES = ('create', 'update')


def check_input(params: dict) -> t.Pattern | None:
    """Raise InvalidInput naming the item and option at fault; return the prune scope. Runs before any request."""
    seen: dict[tuple, int] = {}
    for index, item in enumerate(params['integrations']):
        problem = definition_problem(item)
        label = item.get('integration_id') or item.get('name') or item.get('target_url')
        if problem:
            raise InvalidInput('integrations[%d] (%s): %s' % (index, label, problem))
        key = (item['type'], label)
        if key in seen:
            raise InvalidInput('integrations[%d] and integrations[%d] declare the same %s %r; declare it once.'
                               % (seen[key], index, key[0], key[1]))
        seen[key] = index
    return parse_input(dict(params, keep=[], remove=[]))[2]


@dataclass(frozen=True)
class PlanRow:
    """One row of the plan, as the result, the reports and the drift gate show it (as_dict, at the module's edge)."""

    action: str  # create, update, unchanged or remove
    type: str
    name: str | None
    id: str  # '' for a create not yet made
    changed_fields: tuple[str, ...] = ()
    selected_by: str | None = None  # a removal: why

    @classmethod
    def of_definition(cls, action: str, item: dict, doc: Integration | None, changed_fields: list[str]) -> PlanRow:
        """A definition (`item`) and what matched it on the server (`doc`)."""
        return cls(action, item['type'], (doc.name if doc else None) or item.get('name'), doc.id if doc else '',
                   tuple(changed_fields))

    @classmethod
    def of_removal(cls, doc: Integration, selected_by: str) -> PlanRow:
        return cls('remove', doc.type, doc.name, doc.id, (), selected_by)

    def with_id(self, integration_id: str) -> PlanRow:
        return replace(self, id=integration_id)

    def as_dict(self) -> dict:
        row = {'action': self.action, 'type': self.type, 'name': self.name, 'id': self.id,
               'changed_fields': list(self.changed_fields)}
        if self.selected_by is not None:
            row['selected_by'] = self.selected_by
        return row


@dataclass
class DeclaredItem:
    """One definition: what matched it on the server, and what present does to it."""

    item: dict
    current: Integration | None
    plan: PresentPlan
    entry: PlanRow


@dataclass(frozen=True)
class DeclaredPlan:
    """The whole run: each definition's plan, what the prune removes, and the sentences of what cannot be applied
    (the run fails on them before any write)."""

    items: list[DeclaredItem]
    doomed: list[Integration]
    refusals: list[str]
    partial_types: list[str] = field(default_factory=list)
    selected_by: dict[str, str] = field(default_factory=dict)

    def entries(self) -> list[PlanRow]:
        return [declared.entry for declared in self.items] + [
            PlanRow.of_removal(doc, self.selected_by.get(doc.id, '')) for doc in self.doomed]

    def of_action(self, action: str) -> list[DeclaredItem]:
        return [declared for declared in self.items if declared.plan.action == action]

    def warnings(self) -> list[str]:
        return [warning for declared in self.items for warning in declared.plan.warnings]

    def to_plan(self) -> Plan:
        """The writes in the declaration's order, then the removals in the listing's: one Plan for the executor."""
        writes = tuple(Action(declared.plan.action, declared.item['type'], declared.entry.name,
                              target=declared.current, after=declared.plan.after, before=declared.plan.before,
                              reason=', '.join(declared.plan.changed_fields),
                              changed_fields=tuple(declared.plan.changed_fields), settle=True)
                       for declared in self.items if declared.plan.action in WRITES)
        return Plan(writes + removal_actions(self.doomed, self.selected_by))


def plan_declared(docs: list[Integration], view: dict, params: dict, scope: t.Pattern | None) -> DeclaredPlan:
    """Each declared integration's plan and, with prune, what in scope the declaration leaves out. Pure."""
    items, refusals = [], []
    for index, item in enumerate(params['integrations']):
        try:
            current = select_integration(docs, item['type'], item.get('integration_id'), item.get('name'),
                                         item.get('target_url'), oldest_of_a_name=True)
            plan = plan_present(item, current)
            shared = None if item.get('integration_id') or item.get('target_url') else \
                shared_name_warning(docs, item['type'], item.get('name'))
            if shared:
                plan.warnings.append('integrations[%d]: %s' % (index, shared))
        except CollectionError as error:
            refusals.append('integrations[%d]: %s' % (index, error.message))
            continue
        items.append(DeclaredItem(item, current, plan,
                                  PlanRow.of_definition(plan.action, item, current, plan.changed_fields)))
    if not params['prune'] or refusals:
        return DeclaredPlan(items, [], refusals)
    keep = [Selector({'id': declared.current.id}, 'integrations') for declared in items if declared.current]
    pruned = plan_prune(docs, view, dict(params, exclusive=True, keep=[], remove=[],
                                         exclusive_reason='prune: not in the declared set'), keep, [], scope)
    return DeclaredPlan(items, pruned.remove, refusals + ([pruned.refusal] if pruned.refusal else []),
                        pruned.partial_types, pruned.selected_by)


def plan_counts(entries: t.Sequence[PlanRow]) -> dict[str, int]:
    """How many plan entries of each action, in the order reports show them."""
    return {action: sum(1 for item in entries if item.action == action) for action in ACTIONS + ('unchanged',)}


def diffs(redact: t.Callable[[t.Any], t.Any], plan: DeclaredPlan) -> list[dict]:
    """One diff per integration that changes; a removal shows what goes."""
    shown = [readable_diff(redact, declared.item['type'], declared.entry.name,
                           declared.current.id if declared.current else None,
                           declared.plan.before, declared.plan.after, 'token' in declared.plan.changed_fields)
             for declared in plan.items if declared.plan.action != 'unchanged']
    return shown + [{'before': one_line(doc) + '\n', 'after': '', 'before_header': one_line(doc),
                     'after_header': 'removed (%s)' % plan.selected_by.get(doc.id, 'prune')}
                    for doc in plan.doomed]


def markdown_report(title: str, entries: t.Sequence[PlanRow], check_mode: bool) -> str:
    """One section: a heading, a line of counts, and a table of the plan entries that change something."""
    changes = [item for item in entries if item.action != 'unchanged']
    counts = ', '.join('%s %d' % (action, count) for action, count in plan_counts(entries).items())
    lines = ['## %s' % title, '']
    if not changes:
        lines.append('Nothing to do: the server matches the declaration (%s).' % counts)
        return '\n'.join(lines) + '\n'
    lines += ['%s: %s.' % ('Plan (check mode)' if check_mode else 'Applied', counts), '',
              '| action | type | name | id | what changes |', '|---|---|---|---|---|']
    for item in changes:
        cells = [item.action, item.type, item.name or '', item.id or '(new)',
                 ', '.join(item.changed_fields) or item.selected_by or '-']
        lines.append('| %s |' % ' | '.join(str(cell).replace('|', '\\|').replace('\n', ' ') for cell in cells))
    return '\n'.join(lines) + '\n'


def write_reports(params: dict, entries: t.Sequence[PlanRow], check_mode: bool) -> None:
    title = params['report_title'] or params['server_url']
    if params['report_markdown']:
        write_private(params['report_markdown'], markdown_report(title, entries, check_mode))
    if params['report_json']:
        report = {'title': title, 'check_mode': check_mode, 'counts': plan_counts(entries),
                  'plan': [entry.as_dict() for entry in entries]}
        write_private(params['report_json'], json.dumps(report, indent=2, ensure_ascii=False) + '\n')
