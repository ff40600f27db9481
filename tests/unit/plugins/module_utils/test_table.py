# Copyright (c) 2026 chatops.rocketchat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The info module's decision table: problems first, counted by kind, columns aligned, readable at 1,000 hooks."""

from __future__ import annotations

from ansible_collections.chatops.rocketchat.plugins.module_utils._table import Row, decision_table
from ansible_collections.chatops.rocketchat.tests.unit.plugins.fakes import integration

OUTGOING = 'webhook-outgoing'


def row(_id, name, health, type_=OUTGOING, last=None, **extra):
    facts = {'undetermined': {}, 'last_delivery': last}
    return Row(integration(_id, name, type_, _createdAt='2026-01-02T03:04:05Z', **extra), facts, tuple(health))


def test_problems_come_first_by_kind_and_the_count_says_how_many_of_each():
    rows = [row('a', 'zeta', ['ok'], last={'time': '2026-12-05T10:00:00Z', 'outcome': 'delivered'}),
            row('b', 'beta', ['idle since 2026-10-01'], last={'time': '2026-10-01T00:00:00Z', 'outcome': 'delivered'}),
            row('c', 'gamma', ['failing 3'], last={'time': '2026-12-06T00:00:00Z', 'outcome': 'failed'}),
            row('d', 'alpha', ['ok'], 'webhook-incoming'),
            row('e', 'delta', ['disabled'], enabled=False)]
    lines = decision_table(rows, with_facts=True)
    assert lines[0] == '5 integrations, 3 with a problem (failing 1, idle 1, disabled 1), 2 ok.'
    assert lines[1].split()[:4] == ['HEALTH', 'ENABLED', 'CREATED', 'LAST']
    assert [line.split()[-1] for line in lines[2:]] == ['gamma', 'beta', 'delta', 'alpha', 'zeta']
    assert lines[2].split() == ['failing', '3', 'yes', '2026-01-02', '2026-12-06', 'failed', 'admin', 'outgoing', 'c',
                                'gamma']
    assert 'n/a' in lines[5], 'Rocket.Chat records no deliveries of an incoming hook'
    starts = {line.index(line.split()[-1]) for line in lines[1:]}
    assert len(starts) == 1, 'the name column is aligned on every line'


def test_problems_only_counts_the_others_and_stays_short_at_a_thousand_hooks():
    rows = [row('h%04d' % index, 'hook-%04d' % index, ['ok']) for index in range(990)] + [
        row('p%d' % index, 'dead-%d' % index, ['never delivered']) for index in range(10)]
    lines = decision_table(rows, with_facts=True, problems_only=True)
    assert lines[0] == '1000 integrations, 10 with a problem (never delivered 10), 990 ok.'
    assert len(lines) == 13 and lines[-1] == '... and 990 more without a problem (problems_only=false lists them)'
    assert all(line.startswith('never delivered') for line in lines[2:12])


def test_without_facts_the_table_has_no_health_and_says_how_to_get_it():
    rows = [Row(integration('a', 'on', OUTGOING), None), Row(integration('b', 'off', OUTGOING, enabled=False), None)]
    lines = decision_table(rows, with_facts=False)
    assert lines[0].startswith('2 integrations, 1 disabled. With facts=true: health and last delivery')
    assert lines[1].split() == ['ENABLED', 'CREATED', 'BY', 'TYPE', 'ID', 'NAME']
    assert [line.split()[-1] for line in lines[2:]] == ['off', 'on'], 'the disabled one first'


def test_a_health_word_of_no_known_kind_is_counted_and_listed_last():
    rows = [row('a', 'alpha', ['quarantined']), row('b', 'beta', ['failing 1']), row('c', 'gamma', ['ok'])]
    lines = decision_table(rows, with_facts=True)
    assert lines[0] == '3 integrations, 2 with a problem (failing 1, quarantined 1), 1 ok.'
    assert [line.split()[-1] for line in lines[2:]] == ['beta', 'alpha', 'gamma']
