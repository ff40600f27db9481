# Copyright (c) 2026 chatops.rocketchat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Random integration sets and random keep/remove selectors: after the prune the server holds exactly what the
declaration says should remain (or, when the declaration is refused, exactly what it held before)."""

from __future__ import annotations

import datetime
import os
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ansible_collections.chatops.rocketchat.plugins.modules import rocketchat_integration_prune
from ansible_collections.chatops.rocketchat.tests.unit.plugins.module_runner import run_module_main

TYPES = ('webhook-incoming', 'webhook-outgoing')
NAMES = ('alpha', 'alpha-2', 'beta', 'Beta', 'gamma-old', 'delta-old', 'tmp-1', 'tmp-2', 'prod-hook', 'x')
PATTERNS = ('^alpha', 'old$', 'tmp-', '^[bB]', 'a', 'hook$', '^x$')

# 200 by default (derandomised, so CI is repeatable); make property-long runs 2,000 before a release.
EXAMPLES = int(os.environ.get('PROPERTY_EXAMPLES', '200'))
PARALLEL = st.sampled_from([2, 4, 8])

integration_sets = st.lists(st.tuples(st.sampled_from(NAMES), st.sampled_from(TYPES)), max_size=14)


@st.composite
def selectors(draw):
    selector = {}
    kind = draw(st.sampled_from(('name', 'name_regex', 'both')))
    if kind in ('name', 'both'):
        selector['name'] = draw(st.sampled_from(NAMES + ('missing',)))
    if kind in ('name_regex', 'both'):
        selector['name_regex'] = draw(st.sampled_from(PATTERNS))
    if draw(st.booleans()):
        selector['type'] = draw(st.sampled_from(TYPES))
    return selector


def selector_matches(selector: dict, doc: dict) -> bool:
    return all((
        selector.get('name') in (None, doc['name']),
        selector.get('type') in (None, doc['type']),
        'name_regex' not in selector or re.search(selector['name_regex'], doc['name']) is not None,
    ))


def expected_outcome(docs, keep, remove, exclusive, types, scope, max_removals):
    """The declaration, read as the documentation states it. Returns (should_fail, ids that must remain)."""
    in_scope = [doc for doc in docs if doc['type'] in types and (scope is None or re.search(scope, doc['name']))]
    by_remove = {doc['_id'] for doc in in_scope if any(selector_matches(sel, doc) for sel in remove)}
    kept_by_keep = {doc['_id'] for doc in in_scope if any(selector_matches(sel, doc) for sel in keep)}
    doomed = set(by_remove)
    if exclusive:
        doomed |= {doc['_id'] for doc in in_scope} - kept_by_keep
    everything = {doc['_id'] for doc in docs}
    if by_remove & kept_by_keep or len(doomed) > max_removals:
        return True, everything
    return False, everything - doomed


def run_prune(double, token: dict, **options) -> tuple[bool, dict]:
    args = dict(options, server_url=double.url, user_id=token['user']['_id'], auth_token=token['authToken'])
    result, failed = run_module_main(rocketchat_integration_prune, args)
    return failed, result


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(
    integrations=integration_sets,
    keep=st.lists(selectors(), max_size=3),
    remove=st.lists(selectors(), max_size=3),
    exclusive=st.booleans(),
    types=st.sampled_from([list(TYPES), [TYPES[0]], [TYPES[1]]]),
    scope=st.sampled_from([None, '^(alpha|beta|tmp)', 'o']),
    max_removals=st.sampled_from([1, 3, 1000]),
    parallel=PARALLEL,
)
def test_the_server_ends_exactly_as_declared(double, integrations, keep, remove, exclusive, types, scope,
                                             max_removals, parallel):
    double.control.call('POST', 'reset', {})
    token = double.control.add_user('prop-admin', roles=['admin'])
    double.control.seed([{'name': name, 'type': type_} for name, type_ in integrations])
    before = double.control.integrations()

    failed, result = run_prune(double, token, keep=keep, remove=remove, exclusive=exclusive, types=types,
                               scope_name_regex=scope, max_removals=max_removals, parallel=parallel)

    should_fail, must_remain = expected_outcome(before, keep, remove, exclusive, types, scope, max_removals)
    remaining = {doc['_id'] for doc in double.control.integrations()}
    assert failed == should_fail, result.get('msg')
    assert remaining == must_remain
    if not failed:
        assert {item['id'] for item in result['removed']} == {doc['_id'] for doc in before} - must_remain
        in_scope = {doc['_id'] for doc in before
                    if doc['type'] in types and (scope is None or re.search(scope, doc['name']))}
        assert result['kept'] == len(in_scope & must_remain), 'kept counts what remains in scope'
        # in plan order (the listing's, by _id), whatever order the parallel removals finished in
        assert [item['id'] for item in result['removed']] == sorted(item['id'] for item in result['removed'])


# ---- prune by facts ------------------------------------------------------------------------------------------
USERS = ('ann', 'ben', 'cid')
ROOMS = ('ops', 'dev')
# What happened to a delivery (the double writes the rows Rocket.Chat writes for it), and what the documentation
# says the prune makes of it: delivered, failed, or undetermined.
OUTCOMES = {
    'ok': ({'status': 200, 'body': 'ok'}, 'delivered'),
    'refused': ({'status': 404, 'body': 'no such hook'}, 'failed'),
    'http500': ({'status': 500, 'body': 'boom'}, 'failed'),
    'gone': ({'status': 410, 'body': 'gone'}, 'failed'),  # Rocket.Chat also disables the hook
    'no-answer': ({'network_error': 'ECONNREFUSED'}, 'failed'),
    'empty': ({'status': 204, 'body': ''}, 'undetermined'),
    'script-error': ({'status': 200, 'body': 'ok', 'script': 'error'}, 'undetermined'),
}
AGES = {'hours': 3600, 'weeks': 20 * 86400, 'expired': 40 * 86400}  # seconds before now; expired: past the TTL
FACT_SELECTORS = ({'enabled': False}, {'post_as_active': False}, {'creator_active': False},
                  {'channel_exists': False}, {'failing': 2}, {'enabled': False, 'post_as_active': False},
                  {'channel_exists': False, 'creator_active': False}, {'type': 'webhook-outgoing', 'failing': 1},
                  {'type': 'webhook-outgoing', 'idle_since': '14d'}, {'type': 'webhook-outgoing', 'idle_since': '90d'})

hooks = st.lists(st.fixed_dictionaries({
    'type': st.sampled_from(TYPES), 'enabled': st.booleans(), 'post_as': st.sampled_from(USERS),
    'creator': st.sampled_from(USERS), 'room': st.sampled_from(ROOMS), 'retries': st.booleans(),
    'deliveries': st.lists(st.tuples(st.sampled_from(sorted(OUTCOMES)), st.sampled_from(sorted(AGES))),
                           max_size=4)}), min_size=1, max_size=8)


def timeline(hook):
    """The deliveries as seeded: oldest first, each (outcome name, age word, seconds ago); within one age, a minute
    apart in drawn order."""
    ordered = sorted(enumerate(hook['deliveries']), key=lambda item: (-AGES[item[1][1]], item[0]))
    return [(name, age, AGES[age] - position * 60) for position, (_index, (name, age)) in enumerate(ordered)]


def recorded(hook):
    """The deliveries the history still holds, newest first, as (outcome word, seconds ago)."""
    if hook['type'] != 'webhook-outgoing':
        return []
    return [(OUTCOMES[name][1], seconds) for name, age, seconds in reversed(timeline(hook)) if age != 'expired']


def delivery_expected(hook, key, wanted):
    if hook['type'] != 'webhook-outgoing':
        return False
    newest = recorded(hook)
    if key == 'failing':
        newest = [outcome for outcome, _age in newest[:wanted]]
        if 'delivered' in newest or len(newest) < wanted:
            return False
        return None if 'undetermined' in newest else True
    cutoff = int(wanted[:-1]) * 86400
    if any(age < cutoff for _outcome, age in newest):
        return False
    return None if cutoff > 29 * 86400 else True  # created long before either cutoff


def facts_expected(hook, selector, user_state, room_gone, restricted):
    """True / False / None (undetermined) for one selector, from the drawn facts, as the documentation says."""
    verdicts = []
    for key, wanted in selector.items():
        if key == 'type':
            verdicts.append(hook['type'] == wanted)
        elif key == 'enabled':
            # Rocket.Chat disables a hook whose receiver answered 410 with a body, and those posting as a deleted user
            enabled = (hook['enabled'] and user_state[hook['post_as']] != 'deleted'
                       and not (hook['type'] == 'webhook-outgoing'
                                and any(name == 'gone' for name, _age in hook['deliveries'])))
            verdicts.append(enabled is wanted)
        elif key in ('post_as_active', 'creator_active'):
            user = hook['post_as' if key == 'post_as_active' else 'creator']
            verdicts.append(None if restricted else (user_state[user] == 'active') is wanted)
        elif key == 'channel_exists':
            verdicts.append(room_gone[hook['room']] is not wanted)
        else:
            verdicts.append(delivery_expected(hook, key, wanted))
    if False in verdicts:
        return False
    return None if None in verdicts else True


def ago(seconds):
    return (datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(seconds=seconds)).isoformat()


def seed_hook(double, index, hook, ids):
    retry = {'retryFailedCalls': True, 'retryCount': 2, 'retryDelay': 'powers-of-two'} if hook['retries'] else {}
    hook_id = double.control.seed([dict({'name': 'hook-%d' % index, 'type': hook['type'], 'enabled': hook['enabled'],
                                         'username': hook['post_as'], 'userId': ids[hook['post_as']],
                                         'channel': ['#%s' % hook['room']], '_createdAt': ago(400 * 86400)}, **retry)],
                                  created_by=hook['creator'])[0]
    if hook['deliveries'] and hook['type'] == 'webhook-outgoing':
        double.control.call('POST', 'deliveries', {'integration_id': hook_id, 'deliveries': [
            {'outcome': OUTCOMES[name][0], 'at': ago(seconds)} for name, _age, seconds in timeline(hook)]})
    return hook_id


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(
    drawn=hooks,
    remove=st.lists(st.sampled_from(FACT_SELECTORS), min_size=1, max_size=3),
    user_state=st.fixed_dictionaries({user: st.sampled_from(('active', 'inactive', 'deleted')) for user in USERS}),
    room_gone=st.fixed_dictionaries({room: st.booleans() for room in ROOMS}),
    restricted=st.booleans(),
    parallel=PARALLEL,
)
def test_exactly_the_hooks_whose_facts_match_are_removed_never_an_undetermined_one(
        double, drawn, remove, user_state, room_gone, restricted, parallel):
    double.control.call('POST', 'reset', {})
    token = double.control.add_user('prop-operator', permissions=[
        'manage-incoming-integrations', 'manage-outgoing-integrations'])
    ids = {user: double.control.add_user(user, roles=['user', 'bot'])['user']['_id'] for user in USERS}
    for room in ROOMS:
        double.control.call('POST', 'rooms', {'name': room})
    seeded = [seed_hook(double, index, hook, ids) for index, hook in enumerate(drawn)]
    for user, state in user_state.items():
        if state != 'active':
            double.control.call('POST', 'user_state', {'username': user, 'active': False, 'delete': state == 'deleted'})
    for room, gone in room_gone.items():
        if gone:
            double.control.call('DELETE', 'rooms', {'name': room})
    double.control.call('POST', 'users_info', {'restricted': restricted})

    failed, result = run_prune(double, token, remove=remove, max_removals=1000, parallel=parallel)

    verdicts = [[facts_expected(hook, selector, user_state, room_gone, restricted) for selector in remove]
                for hook in drawn]
    must_go = {seeded[index] for index, row in enumerate(verdicts) if True in row}
    undetermined = {seeded[index] for index, row in enumerate(verdicts) if True not in row and None in row}
    remaining = {doc['_id'] for doc in double.control.integrations()}
    assert not failed, result.get('msg')
    assert remaining == set(seeded) - must_go
    assert {item['id'] for item in result['removed']} == must_go
    assert {item['id'] for item in result['undetermined']} == undetermined
    assert not undetermined & {item['id'] for item in result['removed']}
    assert [item['id'] for item in result['removed']] == sorted(item['id'] for item in result['removed'])
