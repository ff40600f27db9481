#!/usr/bin/python
# Copyright (c) 2026 chatops.rocketchat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: rocketchat_integration_info
short_description: List Rocket.Chat webhook integrations
version_added: 0.1.0
description:
  - Reads every page of C(integrations.list) and returns the integrations that match all the filters given.
  - O(name) is matched exactly and case-sensitively on the client; the server's own name filter is a
    case-insensitive substring match and only narrows the download.
author:
  - chatops.rocketchat maintainers (@chatops-rocketchat)
extends_documentation_fragment:
  - chatops.rocketchat._connection
  - chatops.rocketchat._attributes
  - chatops.rocketchat._attributes.ACTIONGROUP_ROCKETCHAT
  - chatops.rocketchat._attributes.INFO_MODULE
options:
  type:
    description: Only integrations of this type.
    type: str
    choices: [webhook-incoming, webhook-outgoing]
  name:
    description: Only integrations with exactly this name.
    type: str
  integration_id:
    description: Only the integration with this id (read with C(integrations.get)).
    type: str
  channel:
    description: Only integrations that post to or listen on this channel, for example V(#alerts) or V(@bot).
    type: str
  created_by:
    description: Only integrations created by this user name.
    type: str
  enabled:
    description: Only enabled (V(true)) or only disabled (V(false)) integrations.
    type: bool
  target_url:
    description: Only outgoing integrations whose C(urls) contain this URL.
    type: str
  export:
    description:
      - Return RV(definitions), the integrations as definitions in exactly the shape the O(chatops.rocketchat.rocketchat_integrations#module:integrations)
        option of M(chatops.rocketchat.rocketchat_integrations) takes, instead of RV(integrations).
      - Server-managed fields are left out, and so are secrets; an outgoing integration needs its token added
        before the definition can create it anew (RV(needs_token) lists them).
      - Applying the export to the same server changes nothing.
    type: bool
    default: false
  compact:
    description:
      - Return RV(lines), a table that reads well in ad-hoc output, instead of RV(integrations) - a line that counts
        the integrations (and, with O(facts=true), their problems by kind), a header, then one aligned line per
        integration - enabled, created, creator, type, id, name.
      - With O(facts=true) each line starts with its health and has the day and outcome of its last delivery, and
        the integrations with a problem come first. Health is V(ok), or the problems in words - V(failing N) (the
        newest N deliveries failed), V(channel missing) (with the rooms), V(creator inactive), V(post-as user inactive),
        V(never delivered) (created within the history Rocket.Chat keeps, and no delivery since),
        V(idle since DAY) (the last delivery is older than O(idle_days)), V(idle since before DAY) (no delivery in
        the 30 days the history keeps), V(disabled), V(disabled after 410) (Rocket.Chat disabled it when the
        receiver answered 410 Gone), and V(undetermined) with the reason (a fact that could not be established, never
        read as a problem or as its absence).
    type: bool
    default: false
  problems_only:
    description:
      - With O(compact=true), list only the integrations with a problem (with O(facts=true); without, the disabled
        ones); the last line counts the others.
    type: bool
    default: false
  idle_days:
    description:
      - With O(facts=true), an outgoing integration whose last delivery is older than this many days is V(idle
        since DAY) in its health (C(facts.health)).
      - From 1 to 29 - Rocket.Chat keeps 30 days of delivery history, and one is left for the difference between
        its clock and ours; older than that, a hook is V(idle since before DAY).
    type: int
    default: 14
  facts:
    description:
      - Add to each integration in RV(integrations) its C(facts), the values the prune's fact selectors use
        (M(chatops.rocketchat.rocketchat_integration_prune)) - C(creator_active) and C(post_as_active) (booleans),
        C(missing_channels) (a list), and for outgoing integrations C(last_delivery) (C(time), C(outcome),
        C(why), C(attempts)), C(failing_streak) (the newest deliveries that failed in a row) and
        C(disabled_by_server) (Rocket.Chat disabled the hook after the receiver answered 410 Gone).
      - Each fact keeps its type whether or not it was established - a list stays a list - and one that could not
        be established is V(null), with the reason under C(undetermined) (a dict of fact name to reason), so
        C(missing_channels | length > 0) never reads unknown as dead.
      - Deliveries are counted as the prune counts them, from the rows Rocket.Chat records - the retries of one
        message once, by their final outcome; C(outcome) is V(delivered), V(failed), V(not-sent) or
        V(undetermined). The table of history steps is in the prune module's O(chatops.rocketchat.rocketchat_integration_prune#module:remove[].failing).
      - C(health) lists what is wrong, in words (see O(compact)), or is V([ok]).
      - With O(compact=true), each line starts with that health and shows the last delivery.
      - Costs one C(users.info) call per distinct user, one or two C(rooms.info) calls per distinct room and, per
        outgoing integration listed, the C(integrations.history) pages that hold O(deliveries) deliveries (one page
        of 100 rows in most cases).
    type: bool
    default: false
  deliveries:
    description:
      - With O(facts=true), how many of the newest deliveries of each outgoing integration to read for
        C(last_delivery) and C(failing_streak). The history is read page by page until it holds them, as the
        prune reads it for O(chatops.rocketchat.rocketchat_integration_prune#module:remove[].failing).
      - From 1 to 1000.
    type: int
    default: 25
  parallel:
    description:
      - With O(facts=true), how many fact lookups run at once, from 1 to 64. The facts do not depend on it.
    type: int
    default: 8
notes:
  - With only C(manage-own-*) permissions the server lists only the user's own integrations; RV(view) says which
    view the user has.
seealso:
  - module: chatops.rocketchat.rocketchat_integration
"""

EXAMPLES = r"""
- name: List every integration (connection from the ROCKETCHAT_* environment variables)
  chatops.rocketchat.rocketchat_integration_info:
  register: all_hooks

- name: Find the outgoing webhooks named deploy-bot, with a personal access token
  chatops.rocketchat.rocketchat_integration_info:
    server_url: https://chat.example.com
    user_id: "{{ rocketchat_user_id }}"
    auth_token: "{{ vault_rocketchat_token }}"
    type: webhook-outgoing
    name: deploy-bot
  register: deploy_bot

- name: What posts to the alerts channel, one line each (the ad-hoc form is in the cookbook)
  chatops.rocketchat.rocketchat_integration_info:
    channel: "#alerts"
    compact: true
  register: alert_hooks

- name: The disabled integrations that alice created
  chatops.rocketchat.rocketchat_integration_info:
    created_by: alice
    enabled: false
  register: alices_disabled

- name: Read one integration by id, logging in with a password
  chatops.rocketchat.rocketchat_integration_info:
    server_url: https://chat.example.com
    login_user: automation
    login_password: "{{ vault_rocketchat_password }}"
    integration_id: 65f1c0ffee0123456789abcd
  register: one_hook

- name: What is wrong with each outgoing webhook, one line each
  chatops.rocketchat.rocketchat_integration_info:
    type: webhook-outgoing
    facts: true
    compact: true
  register: outgoing_health

- name: Show the names
  ansible.builtin.debug:
    msg: "{{ all_hooks.integrations | map(attribute='name') | list }}"
"""

RETURN = r"""
integrations:
  description:
    - The matching integrations as Rocket.Chat stores them, secrets (C(token), hook URLs) replaced by C(********).
    - With O(facts=true), each has C(facts) (see O(facts)), C(facts.health) among them.
  returned: unless O(compact=true)
  type: list
  elements: dict
  sample:
    - _id: 65f1c0ffee0123456789abcd
      type: webhook-outgoing
      name: deploy-bot
      enabled: true
      event: sendMessage
      urls: ["https://deploy.example.com/rocketchat"]
      channel: ["#ops"]
      token: "********"
definitions:
  description: With O(export=true), each matching integration as a definition, sorted by type and name.
  returned: when O(export=true)
  type: list
  elements: dict
  sample:
    - {type: webhook-incoming, name: alertmanager, enabled: true, username: rocket.cat, channel: ["#alerts"],
       script_enabled: false, override_destination_channel_enabled: false}
needs_token:
  description: With O(export=true), the names of the outgoing definitions that need a C(token) to be created anew.
  returned: when O(export=true)
  type: list
  elements: str
lines:
  description:
    - The decision table of O(compact) - a line counting the integrations and their problems, a header, one aligned
      line per integration (with O(facts=true) the ones with a problem first), and with O(problems_only=true) a last
      line counting the others.
  returned: when O(compact=true)
  type: list
  elements: str
  sample:
    - "3 integrations, 2 with a problem (failing 1, idle 1), 1 ok."
    - "HEALTH                  ENABLED  CREATED     LAST DELIVERY      BY     TYPE      ID                        NAME"
    - "failing 4               yes      2025-03-02  2026-12-06 failed  alice  outgoing  65f1c0ffee0123456789abc1  grafana"
    - "idle since 2026-10-30   yes      2024-01-15  2026-10-30 delivered  bob  outgoing  65f1c0ffee0123456789abc2  jira"
    - "ok                      yes      2026-11-20  n/a                admin  incoming  65f1c0ffee0123456789abcd  alertmanager"
view:
  description:
    - Which integrations the server shows this user, per type. V(all), V(own) (only those the user created),
      V(none), or V(unknown) when the server does not tell.
  returned: always
  type: dict
  sample: {webhook-incoming: all, webhook-outgoing: own}
rate_limit_waited:
  description:
    - Seconds this run waited for Rocket.Chat's rate limit (0.0 when it did not). From 1 s on, a warning also names
      the endpoints and the permission C(api-bypass-rate-limit), which spares the wait.
  returned: always
  type: float
  sample: 118.4
api_calls:
  description: The API calls made, by method and endpoint.
  returned: always
  type: dict
  sample: {"GET integrations.list": 1}
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.chatops.rocketchat.plugins.module_utils._connection import (
    connection_argument_spec,
    run_checks,
    run_with_client,
)
from ansible_collections.chatops.rocketchat.plugins.module_utils._definition import definition_of
from ansible_collections.chatops.rocketchat.plugins.module_utils._errors import InvalidInput
from ansible_collections.chatops.rocketchat.plugins.module_utils._deliveries import HISTORY_DAYS
from ansible_collections.chatops.rocketchat.plugins.module_utils._facts import (
    FAILING_LIMIT,
    IDLE_DAYS,
    FactReader,
    facts_of,
    health,
)
from ansible_collections.chatops.rocketchat.plugins.module_utils._integration import OUTGOING, TYPES, Integration
from ansible_collections.chatops.rocketchat.plugins.module_utils._integrations_api import IntegrationsApi
from ansible_collections.chatops.rocketchat.plugins.module_utils._table import Row, decision_table
from ansible_collections.chatops.rocketchat.plugins.module_utils._workers import DEFAULT_PARALLEL, check_parallel


def argument_spec() -> dict:
    spec = connection_argument_spec()
    spec.update(
        type={'type': 'str', 'choices': list(TYPES)},
        name={'type': 'str'},
        integration_id={'type': 'str'},
        channel={'type': 'str'},
        created_by={'type': 'str'},
        enabled={'type': 'bool'},
        target_url={'type': 'str'},
        compact={'type': 'bool', 'default': False},
        facts={'type': 'bool', 'default': False},
        deliveries={'type': 'int', 'default': 25},
        idle_days={'type': 'int', 'default': IDLE_DAYS},
        problems_only={'type': 'bool', 'default': False},
        parallel={'type': 'int', 'default': DEFAULT_PARALLEL},
        export={'type': 'bool', 'default': False},
    )
    return spec


def matches_filters(doc: Integration, params: dict) -> bool:
    """The filters the server cannot apply, all of which must hold."""
    return ((params['name'] is None or doc.name == params['name'])
            and (params['type'] is None or doc.type == params['type'])
            and (params['channel'] is None or params['channel'] in doc.channel)
            and (params['created_by'] is None or doc.created_by == params['created_by'])
            and (params['enabled'] is None or doc.enabled is params['enabled'])
            and (params['target_url'] is None or params['target_url'] in doc.urls))


def check_input(params: dict) -> None:
    """The options that cannot work, named, before any request."""
    if not 1 <= params['deliveries'] <= FAILING_LIMIT:
        raise InvalidInput('deliveries must be from 1 to %d (how many of the newest deliveries of each outgoing '
                           'integration to read), got %d.' % (FAILING_LIMIT, params['deliveries']))
    if not 1 <= params['idle_days'] <= HISTORY_DAYS - 1:
        raise InvalidInput('idle_days must be from 1 to %d (Rocket.Chat keeps %d days of delivery history), got %d.'
                           % (HISTORY_DAYS - 1, HISTORY_DAYS, params['idle_days']))
    check_parallel(params['parallel'])


def facts_of_all(docs: list[Integration], reader: FactReader, parallel: int, idle_days: int) -> list[dict]:
    """Each integration with its facts; the lookups of one pass made on up to `parallel` workers, then the facts
    read again until a pass needs no new lookup (an outgoing post-as user may take a second one)."""
    while True:
        facts = [facts_of(doc, reader) for doc in docs]
        if not reader.fetch_pending(parallel):
            for doc, found in zip(docs, facts):
                found['health'] = health(doc, found, reader.now, idle_days)
            return facts


def read(module, api: IntegrationsApi, result: dict) -> None:
    """Every matching integration, in the form the options ask for."""
    params = module.params
    docs = [doc for doc in api.lookup(params['type'], params['integration_id'], params['name'])
            if matches_filters(doc, params)]
    result['view'] = api.view()
    if params['export']:
        definitions = sorted((definition_of(doc) for doc in docs), key=lambda item: (item['type'], item['name']))
        result.update(definitions=definitions,
                      needs_token=[item['name'] for item in definitions if item['type'] == OUTGOING])
        return
    facts: list[dict | None] = [None] * len(docs)
    if params['facts']:
        reader = FactReader(api, result['view'], api.client.user_id, params['deliveries'], deferred=True)
        facts = list(facts_of_all(docs, reader, params['parallel'], params['idle_days']))
    if params['compact']:
        rows = [Row(doc, found, tuple(found['health']) if found else ()) for doc, found in zip(docs, facts)]
        result['lines'] = api.client.redact(decision_table(rows, params['facts'], params['problems_only']))
    else:
        # the module's edge: the records become the documents the result shows, redacted
        result['integrations'] = api.client.redact([
            doc.as_dict() if found is None else dict(doc.as_dict(), facts=found) for doc, found in zip(docs, facts)])


def run_module() -> None:
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True)
    run_checks(module, check_input)
    result = {'changed': False, 'integrations': []}
    run_with_client(module, result, lambda client: read(module, IntegrationsApi(client), result))
    if module.params['export'] or module.params['compact']:
        result.pop('integrations', None)
    module.exit_json(**result)


def main() -> None:
    run_module()


if __name__ == '__main__':
    main()
