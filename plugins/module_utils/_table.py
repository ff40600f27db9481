# Copyright (c) 2026 chatops.rocketchat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

"""rocketchat_integration_info's compact form: a decision table, one aligned line per integration, the ones with a
problem first, under a line that counts them by kind. Pure: it renders what was read."""

from __future__ import annotations

import collections
import typing as t
from dataclasses import dataclass

from ansible_collections.chatops.rocketchat.plugins.module_utils._deliveries import stored_moment
from ansible_collections.chatops.rocketchat.plugins.module_utils._facts import HEALTH_KINDS, kind_of
from ansible_collections.chatops.rocketchat.plugins.module_utils._integration import OUTGOING, Integration

HEALTH_WIDTH = 40  # a longer health (several problems, an undetermined reason) pushes only its own line


@dataclass(frozen=True)
class Row:
    doc: Integration
    facts: dict | None  # None: facts were not asked for
    health: tuple[str, ...] = ()  # ('ok',) or the problems, in words

    @property
    def problems(self) -> tuple[str, ...]:
        return tuple(word for word in self.health if word != 'ok') if self.facts is not None else (
            ('disabled',) if self.doc.enabled is False else ())

    def kind(self) -> int:
        """The position of its first problem's kind in HEALTH_KINDS (the table's order); an unknown kind sorts last."""
        return _rank(kind_of(self.problems[0]))


def _rank(kind: str) -> int:
    return HEALTH_KINDS.index(kind) if kind in HEALTH_KINDS else len(HEALTH_KINDS)


def _day(value: t.Any) -> str:
    moment = stored_moment(value)
    return moment.date().isoformat() if moment else '?'


def _last_delivery(row: Row) -> str:
    if row.doc.type != OUTGOING:
        return 'n/a'  # Rocket.Chat records no history of what an incoming hook received
    facts = row.facts or {}
    if 'last_delivery' in facts.get('undetermined', {}):
        return '?'
    last = facts.get('last_delivery')
    if last is None:
        return 'none in 30 days'
    return '%s %s' % (_day(last.get('time')), last.get('outcome'))


def _cells(row: Row) -> list[str]:
    doc = row.doc
    cells = ['yes' if doc.enabled else 'no', _day(doc.created_at)]
    if row.facts is not None:
        cells = [', '.join(row.health)] + cells + [_last_delivery(row)]
    return cells + [doc.created_by or '?', doc.type.replace('webhook-', ''), doc.id, doc.name or '']


def _summary(rows: list[Row], with_facts: bool) -> str:
    troubled = [row for row in rows if row.problems]
    if not with_facts:
        return ('%d integrations, %d disabled. With facts=true: health and last delivery (deliveries, users and '
                'rooms read).' % (len(rows), len(troubled)))
    kinds: collections.Counter = collections.Counter()
    for row in troubled:
        for word in row.problems:
            kinds[kind_of(word)] += 1
    counted = ', '.join('%s %d' % (kind, kinds[kind]) for kind in sorted(kinds, key=_rank))
    return '%d integrations, %d with a problem%s, %d ok.' % (
        len(rows), len(troubled), ' (%s)' % counted if counted else '', len(rows) - len(troubled))


def decision_table(rows: list[Row], with_facts: bool, problems_only: bool = False) -> list[str]:
    """The summary line, the header, then the rows: problems first (by kind, then name), then the others by name.
    problems_only: the others are a count on the last line."""
    ordered = sorted((row for row in rows if row.problems), key=lambda row: (row.kind(), row.doc.name or '', row.doc.id))
    fine = sorted((row for row in rows if not row.problems), key=lambda row: (row.doc.name or '', row.doc.id))
    shown = ordered + ([] if problems_only else fine)
    header = ['ENABLED', 'CREATED'] + (['LAST DELIVERY'] if with_facts else []) + ['BY', 'TYPE', 'ID', 'NAME']
    if with_facts:
        header = ['HEALTH'] + header
    table = [header] + [_cells(row) for row in shown]
    widths = [max(len(cells[column]) for cells in table) for column in range(len(header) - 1)]
    if with_facts:
        widths[0] = min(widths[0], HEALTH_WIDTH)
    lines = [_summary(rows, with_facts)]
    for cells in table:
        lines.append('  '.join(cell.ljust(width) for cell, width in zip(cells, widths)) + '  ' + cells[-1])
    if problems_only and fine:
        lines.append('... and %d more without a problem (problems_only=false lists them)' % len(fine))
    return lines
