# Copyright (c) 2026 chatops.rocketchat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Random interleavings of quarantine runs, humans re-enabling or editing hooks, and days passing: a quarantine
removes exactly the hooks this automation disabled at least grace_days ago that nobody changed since, and nothing a
human re-enabled or edited is ever removed."""

from __future__ import annotations

import os

import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ansible_collections.chatops.rocketchat.plugins.modules import rocketchat_integration_prune
from ansible_collections.chatops.rocketchat.tests.unit.plugins.module_runner import run_module_main

EXAMPLES = int(os.environ.get('PROPERTY_EXAMPLES', '200')) // 2
GRACE = 14
HOOKS = 4

steps = st.lists(st.one_of(
    st.tuples(st.just('run'), st.just(0)),
    st.tuples(st.just('re-enable'), st.integers(0, HOOKS - 1)),
    st.tuples(st.just('edit'), st.integers(0, HOOKS - 1)),
    st.tuples(st.just('days'), st.sampled_from([1, 5, 10, 15])),
), min_size=1, max_size=10)


class Human:
    """Someone who changes hooks in Rocket.Chat's administration (the REST update, as the UI sends it)."""

    def __init__(self, double):
        created = double.control.add_user('alice', permissions=['manage-incoming-integrations'])
        self.url = double.url
        self.headers = {'X-User-Id': created['user']['_id'], 'X-Auth-Token': created['authToken']}

    def update(self, doc: dict, **changes) -> None:
        body = {'type': doc['type'], 'integrationId': doc['_id'], 'name': doc['name'], 'enabled': doc['enabled'],
                'username': doc['username'], 'channel': ','.join(doc['channel']), 'scriptEnabled': False}
        body.update(changes)
        answer = requests.put('%s/api/v1/integrations.update' % self.url, json=body, headers=self.headers, timeout=10)
        assert answer.status_code == 200, answer.text


def quarantine(double, token: dict) -> dict:
    args = {'server_url': double.url, 'user_id': token['user']['_id'], 'auth_token': token['authToken'],
            'action': 'quarantine', 'grace_days': GRACE, 'remove': [{'name_regex': '^q-'}], 'max_removals': 100}
    result, failed = run_module_main(rocketchat_integration_prune, args)
    assert not failed, result.get('msg')
    return result


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(events=steps)
def test_nothing_re_enabled_or_changed_is_ever_removed(double, events):
    double.control.call('POST', 'reset', {})
    double.control.rate_limit(enabled=False)  # the human is no admin: the limiter would pace it
    token = double.control.add_user('automation', permissions=['manage-incoming-integrations',
                                                               'manage-outgoing-integrations'])
    human = Human(double)
    ids = double.control.seed([{'name': 'q-%d' % index} for index in range(HOOKS)])
    # the model: per hook, whether it exists, is enabled, who changed it last and how many days ago
    model = {hook_id: {'exists': True, 'enabled': True, 'by': None, 'age': 0} for hook_id in ids}
    for kind, value in events:
        stored = {doc['_id']: doc for doc in double.control.integrations()}
        if kind == 'days':
            double.control.call('POST', 'age', {'days': value})
            for hook in model.values():
                hook['age'] += value
        elif kind in ('re-enable', 'edit'):
            hook_id = ids[value]
            if not model[hook_id]['exists']:
                continue
            human.update(stored[hook_id], **({'enabled': True} if kind == 're-enable' else {'alias': 'edited'}))
            model[hook_id].update(by='alice', age=0, enabled=True if kind == 're-enable' else model[hook_id]['enabled'])
        else:
            due = {hook_id for hook_id, hook in model.items() if hook['exists'] and not hook['enabled']
                   and hook['by'] == 'automation' and hook['age'] >= GRACE}
            result = quarantine(double, token)
            assert {item['id'] for item in result['removed']} == due
            for hook_id, hook in model.items():
                if hook_id in due:
                    hook['exists'] = False
                elif hook['exists'] and hook['enabled']:
                    hook.update(enabled=False, by='automation', age=0)
        stored = {doc['_id']: doc for doc in double.control.integrations()}
        assert set(stored) == {hook_id for hook_id, hook in model.items() if hook['exists']}
        for hook_id in stored:
            assert stored[hook_id]['enabled'] is model[hook_id]['enabled']
    # whatever happened, nothing a human touched last was removed
    for hook_id, hook in model.items():
        if hook['by'] == 'alice':
            assert hook['exists']
