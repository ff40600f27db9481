# Copyright (c) 2026 chatops.rocketchat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Random workspaces and random declared sets, applied with prune on parallel workers over the double's unstable
paging: the server then holds exactly the declared set (integrations that matched keep their ids), reports come in
plan order, an ambiguous declaration changes nothing, and a second run changes nothing."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ansible_collections.chatops.rocketchat.plugins.modules import rocketchat_integrations
from ansible_collections.chatops.rocketchat.tests.unit.plugins.module_runner import run_module_main

EXAMPLES = int(os.environ.get('PROPERTY_EXAMPLES', '200'))
TYPES = ('webhook-incoming', 'webhook-outgoing')
NAMES = ('alerts', 'deploys', 'ci', 'pager', 'bot', 'legacy')
ALIASES = ('a', 'b', 'c')

existing = st.lists(st.tuples(st.sampled_from(NAMES), st.sampled_from(TYPES), st.sampled_from(ALIASES)), max_size=10)
declared_sets = st.lists(st.tuples(st.sampled_from(NAMES), st.sampled_from(TYPES), st.sampled_from(ALIASES)),
                         max_size=8, unique_by=lambda item: (item[0], item[1]))


def definition(name: str, type_: str, alias: str) -> dict:
    item = {'type': type_, 'name': name, 'alias': alias, 'username': 'rocket.cat', 'channel': ['#general']}
    if type_ == 'webhook-outgoing':
        item.update(event='sendMessage', urls=['https://bot.example.com/%s' % name], token='token-%s' % name)
    return item


def stored(double) -> dict:
    return {(doc['type'], doc['name']): (doc['_id'], doc.get('alias')) for doc in double.control.integrations()}


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(workspace=existing, declared=declared_sets, parallel=st.sampled_from([2, 4, 8]))
def test_the_server_ends_as_the_declared_set(double, workspace, declared, parallel):
    double.control.call('POST', 'reset', {})
    token = double.control.add_user('prop-admin', roles=['admin'])
    double.control.seed([dict(definition(name, type_, alias), channel=['#general']) for name, type_, alias in workspace])
    before = double.control.integrations()
    args = {'server_url': double.url, 'user_id': token['user']['_id'], 'auth_token': token['authToken'],
            'integrations': [definition(*item) for item in declared], 'prune': True, 'max_removals': 1000,
            'parallel': parallel}

    result, failed = run_module_main(rocketchat_integrations, args)

    # Of several integrations that share a declared name and type, the oldest (_createdAt, then _id) is the one
    # managed, as a run racing another keeps it; with prune the others are not declared and go.
    oldest = {}
    for doc in sorted(before, key=lambda doc: (doc['_createdAt'], doc['_id'])):
        oldest.setdefault((doc['type'], doc['name']), doc['_id'])
    assert not failed, result.get('msg')
    after = stored(double)
    assert {key: alias for key, (_id, alias) in after.items()} == {(type_, name): alias
                                                                   for name, type_, alias in declared}
    for key, (_id, _alias) in after.items():
        if key in oldest:
            assert _id == oldest[key], 'a declared integration that existed is updated in place, the oldest of a name'
    # reports in plan order: the declaration's order, then removals in the listing's (by _id)
    order = [(item[1], item[0]) for item in declared]
    assert [(entry['type'], entry['name']) for entry in result['plan'] if entry['action'] != 'remove'] == order
    created = [(entry['type'], entry['name']) for entry in result['created']]
    assert created == [key for key in order if key in created]
    removed = [entry['id'] for entry in result['removed']]
    assert removed == sorted(removed) and result['resolved_duplicates'] == []
    again, failed = run_module_main(rocketchat_integrations, args)
    assert not failed and not again['changed'], again.get('plan')
