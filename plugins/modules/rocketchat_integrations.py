#!/usr/bin/python
# Copyright (c) 2026 chatops.rocketchat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: rocketchat_integrations
short_description: Make a whole declared set of Rocket.Chat webhook integrations exist, exactly so, in one run
version_added: 0.2.0
description:
  - Converges a list of integration definitions in one module run. It lists the server's integrations once, finds
    each declared one as M(chatops.rocketchat.rocketchat_integration) does (by O(integrations[].integration_id),
    exact O(integrations[].name) and O(integrations[].type), or outgoing O(integrations[].target_url)), and then
    sends only the writes that are needed.
  - Each item means what the same options mean to M(chatops.rocketchat.rocketchat_integration) with
    C(state=present); options an item leaves out are left as the server has them.
  - With O(prune=true), every integration in scope that the list does not declare is removed, with the safety rails
    of M(chatops.rocketchat.rocketchat_integration_prune) (O(types), O(scope_name_regex), O(max_removals),
    O(backup_dir)).
  - Every check runs before the first write; a plan that cannot be applied fails with nothing changed.
author:
  - chatops.rocketchat maintainers (@chatops-rocketchat)
extends_documentation_fragment:
  - chatops.rocketchat._connection
  - chatops.rocketchat._plan_file
  - chatops.rocketchat._attributes
  - chatops.rocketchat._attributes.ACTIONGROUP_ROCKETCHAT
attributes:
  check_mode:
    support: full
    details:
      - Returns the exact plan in RV(plan) (and writes the reports) and sends no write.
  diff_mode:
    support: full
    details:
      - One diff per integration that changes, its headers naming type, name and id. Secrets are redacted.
  idempotent:
    support: full
options:
  integrations:
    description:
      - The integrations that must exist, each a definition as M(chatops.rocketchat.rocketchat_integration) takes it.
      - The output of M(chatops.rocketchat.rocketchat_integration_info) with O(chatops.rocketchat.rocketchat_integration_info#module:export=true)
        is in this shape.
    type: list
    elements: dict
    default: []
    suboptions:
      type:
        description: The kind of integration.
        type: str
        required: true
        choices: [webhook-incoming, webhook-outgoing]
      integration_id:
        description: The integration's C(_id); finds it before the name does.
        type: str
      name:
        description: The integration's exact name within its type. Required to create.
        type: str
      target_url:
        description: For outgoing integrations, finds the one whose C(urls) contain this URL.
        type: str
      enabled:
        description: Whether it is active. V(true) when created and not set; else left as it is.
        type: bool
      username:
        description: The user it posts as. Required to create.
        type: str
      channel:
        description: Where it posts or listens (V(#room), V(@user), or an outgoing scoped channel). Required to create.
        type: list
        elements: str
      script_enabled:
        description: Whether its script runs. V(false) when created and not set; else left as it is.
        type: bool
      script:
        description: Its script.
        type: str
      alias:
        description: Alias shown as the sender's name.
        type: str
      avatar:
        description: Avatar URL shown for the sender.
        type: str
      emoji:
        description: Emoji shown as the sender's avatar.
        type: str
      override_destination_channel_enabled:
        description: Incoming only, whether a message may choose another channel.
        type: bool
      event:
        description: Outgoing only, the event that triggers it. Required to create an outgoing integration.
        type: str
        choices: [sendMessage, fileUploaded, roomArchived, roomCreated, roomJoined, roomLeft, userCreated]
      urls:
        description: Outgoing only, the URLs it calls. Required to create an outgoing integration.
        type: list
        elements: str
      trigger_words:
        description: Outgoing with C(sendMessage) only, the words that trigger it.
        type: list
        elements: str
      trigger_word_anywhere:
        description: Outgoing only, whether trigger words count anywhere in a message.
        type: bool
      target_room:
        description: Outgoing only, the room its answers go to.
        type: str
      token:
        description: Outgoing only, the token sent to its URLs. Required to create an outgoing integration.
        type: str
      update_token:
        description: V(always) makes the stored token equal to O(integrations[].token); V(on_create) sets it only on create.
        type: str
        choices: [always, on_create]
        default: always
      run_on_edits:
        description: Outgoing only, whether edited messages trigger it.
        type: bool
      retry_failed_calls:
        description: Outgoing only, whether failed calls are retried.
        type: bool
      retry_count:
        description: Outgoing only, how many times a failed call is retried.
        type: int
      retry_delay:
        description: Outgoing only, the delay scheme between retries.
        type: str
        choices: [powers-of-ten, powers-of-two, increments-of-two]
      impersonate_user:
        description: Outgoing only, whether answers are posted as the user who triggered it.
        type: bool
  prune:
    description:
      - Remove every integration in scope that O(integrations) does not declare.
    type: bool
    default: false
  types:
    description: With O(prune=true), the integration types in scope.
    type: list
    elements: str
    choices: [webhook-incoming, webhook-outgoing]
    default: [webhook-incoming, webhook-outgoing]
  scope_name_regex:
    description: With O(prune=true), only integrations whose name this Python regular expression is found in are in scope.
    type: str
  max_removals:
    description: The most integrations one run may remove. A larger plan fails before anything is written.
    type: int
    default: 10
  max_removals_percent:
    description:
      - A second breaker, checked with O(max_removals) before anything is written - the most one run may remove, as a
        percentage from 1 to 100 of the integrations in scope. Unset, it does not apply.
    type: int
  backup_dir:
    description:
      - Before removing an integration, write its definition to C(<backup_dir>/<type>-<id>.json) (mode C(0600)), in
        the shape O(integrations) takes, so that applying it restores the integration (an incoming one then gets a
        new hook URL).
    type: path
  backup_secrets:
    description: Keep the token of an outgoing integration in its backup file.
    type: bool
    default: false
  parallel:
    description:
      - How many API calls the module may have in flight at once, from 1 (one at a time) to 64. The creates, updates and
        removals run on up to this many workers, each with its own keep-alive connection; the listing stays
        sequential. Results and reports are in plan order whatever order the calls finish in.
      - All workers share one rate-limit budget, read from the server's C(X-RateLimit-*) headers. Lower it for a
        server that struggles under load.
    type: int
    default: 8
  report_markdown:
    description:
      - Write the plan to this file as Markdown (a section titled O(report_title) with a table of action, type, name,
        id and what changes), in check mode too. Meant for a pull-request comment.
    type: path
  report_json:
    description: Write the plan to this file as JSON, in check mode too.
    type: path
  report_title:
    description: The title of the report's section, usually the workspace's name. Defaults to O(server_url).
    type: str
notes:
  - Secrets (tokens, hook URLs) are never in RV(plan), the diffs, the reports or the result.
seealso:
  - module: chatops.rocketchat.rocketchat_integration
  - module: chatops.rocketchat.rocketchat_integration_info
  - module: chatops.rocketchat.rocketchat_integration_prune
"""

EXAMPLES = r"""
- name: Preview what the declared set changes, with a report for the pull request
  chatops.rocketchat.rocketchat_integrations:
    integrations: "{{ lookup('ansible.builtin.file', 'webhooks/chat.example.com.yml') | from_yaml }}"
    prune: true
    report_markdown: "{{ playbook_dir }}/plan.md"
  check_mode: true
  register: preview

- name: Apply the declared set; remove what it does not declare, at most 5
  chatops.rocketchat.rocketchat_integrations:
    integrations:
      - type: webhook-incoming
        name: alertmanager
        username: rocket.cat
        channel: ["#alerts"]
      - type: webhook-outgoing
        name: deploy-bot
        username: rocket.cat
        channel: ["#ops"]
        event: sendMessage
        trigger_words: ["!deploy"]
        urls: ["https://deploy.example.com/rocketchat"]
        token: "{{ vault_deploy_bot_token }}"
    prune: true
    max_removals: 5
    backup_dir: /var/backups/rocketchat-webhooks

- name: Own only the team's incoming hooks; outgoing ones and other teams' hooks are left alone
  chatops.rocketchat.rocketchat_integrations:
    integrations: "{{ team_a_incoming_hooks }}"
    prune: true
    types: [webhook-incoming]
    scope_name_regex: "^team-a-"
"""

RETURN = r"""
plan_file:
  description: The file O(plan_file) wrote.
  returned: when O(plan_file) is set
  type: str
left_alone:
  description:
    - With O(apply_plan), the actions of the plan that were not performed, each with C(why) (the integration changed
      or went since the plan was written, or a create's name is taken).
  returned: always
  type: list
  elements: dict
plan:
  description: What the run does (in check mode, would do), in order; exactly what the apply then sends.
  returned: always
  type: list
  elements: dict
  contains:
    action:
      description: V(create), V(update), V(remove) or V(unchanged).
      type: str
    type:
      description: The integration's type.
      type: str
    name:
      description: The integration's name.
      type: str
    id:
      description: The integration's id; empty for one to create.
      type: str
    changed_fields:
      description: The API fields a create sets or an update changes.
      type: list
      elements: str
  sample:
    - {action: update, type: webhook-incoming, name: alertmanager, id: 65f1c0ffee0123456789abcd, changed_fields: [alias]}
created:
  description: The integrations created (in check mode, to create), as C(type), C(name) and C(id).
  returned: always
  type: list
  elements: dict
updated:
  description: The integrations updated, each with its C(changed_fields).
  returned: always
  type: list
  elements: dict
removed:
  description: The integrations removed by O(prune).
  returned: always
  type: list
  elements: dict
unchanged:
  description: The declared integrations that already matched.
  returned: always
  type: list
  elements: dict
resolved_duplicates:
  description:
    - Integrations this run created while a concurrent run (another pipeline applying the same set) created the
      same name and type. Rocket.Chat has no unique name, so after creating, the module reads back by exact name
      and type; the oldest (C(_createdAt), then C(_id)) stays, and each run removes only the duplicate it created
      itself. Each entry names the one C(kept) and the one C(removed). A re-run updates the kept one if it differs
      from the declaration.
  returned: always
  type: list
  elements: dict
  sample: [{name: deploy-bot, type: webhook-outgoing, kept: 65f1c0ffee0123456789abcd, removed: 65f1c0ffee0123456789abce}]
not_done:
  description: When a create or update failed halfway, the plan entries that were not applied (the first one failed).
  returned: always
  type: list
  elements: dict
not_removed:
  description: When a removal failed halfway, the integrations that were not removed (the first one failed).
  returned: always
  type: list
  elements: dict
already_absent:
  description: Integrations the prune planned to remove that were gone by the time of their removal.
  returned: always
  type: list
  elements: dict
backups:
  description: The backup files written.
  returned: always
  type: list
  elements: str
view:
  description: Which integrations the server shows this user, per type.
  returned: always
  type: dict
abstract:
  description:
    - The run in one line for humans - what was (or would be) created, updated and removed, by name (up to 10 of
      each), and how many were unchanged.
    - Its name puts it first in ad-hoc output, where Ansible prints a result's keys sorted.
  returned: always
  type: str
  sample: "create 1: grafana; update 2: alertmanager, deploy-bot; remove 0; unchanged 40"
counts:
  description: How many entries of RV(plan) have each action.
  returned: always
  type: dict
  sample: {create: 1, update: 2, remove: 0, unchanged: 40}
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
check_mode:
  description: Whether this run only planned (check mode), so that RV(created), RV(updated) and RV(removed) list what a
    real run would do.
  returned: always
  type: bool
"""

import datetime

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.chatops.rocketchat.plugins.module_utils._connection import (
    connection_argument_spec,
    run_checks,
    run_with_client,
    without_api_path,
)
from ansible_collections.chatops.rocketchat.plugins.module_utils._declared import (
    DeclaredPlan,
    PlanRow,
    check_input,
    diffs,
    plan_counts,
    plan_declared,
    write_reports,
)
from ansible_collections.chatops.rocketchat.plugins.module_utils._definition import definition_argument_spec
from ansible_collections.chatops.rocketchat.plugins.module_utils._errors import PlanRefused
from ansible_collections.chatops.rocketchat.plugins.module_utils._integration import (
    ABSTRACT_NAMES,
    INCOMING,
    identity,
    listed,
)
from ansible_collections.chatops.rocketchat.plugins.module_utils._integrations_api import IntegrationsApi
from ansible_collections.chatops.rocketchat.plugins.module_utils._executor import execute
from ansible_collections.chatops.rocketchat.plugins.module_utils._plan import REMOVE
from ansible_collections.chatops.rocketchat.plugins.module_utils._planfile import (
    check_plan_options,
    plan_document,
    plan_file_argument_spec,
    replay,
    write_plan,
)
from ansible_collections.chatops.rocketchat.plugins.module_utils._prune import prune_scope_argument_spec


MODULE = 'rocketchat_integrations'


def argument_spec() -> dict:
    spec = connection_argument_spec()
    spec.update(prune_scope_argument_spec())
    spec.update(
        integrations={'type': 'list', 'elements': 'dict', 'default': [], 'options': definition_argument_spec()},
        prune={'type': 'bool', 'default': False},
        report_markdown={'type': 'path'},
        report_json={'type': 'path'},
        report_title={'type': 'str'},
    )
    spec.update(plan_file_argument_spec())
    return spec


def report(module, plan: DeclaredPlan, redact, result: dict) -> None:
    """What the run will do, in the result, the diffs and the report files, before any write."""
    rows = plan.entries()
    result['plan'] = [row.as_dict() for row in rows]
    result['counts'] = plan_counts(rows)
    result['unchanged'] = [identity(declared.current) for declared in plan.of_action('unchanged') if declared.current]
    if module._diff:
        result['diff'] = diffs(redact, plan)
    write_reports(module.params, rows, module.check_mode)


def apply(module, api: IntegrationsApi, plan: DeclaredPlan, result: dict) -> None:
    """The writes, then the removals (one executor); the result says what was and was not done."""
    params = module.params
    executable = plan.to_plan()
    execution = execute(api, executable, params['parallel'], params['backup_dir'], params['backup_secrets'])
    for position, declared in enumerate(item for item in plan.items if item.plan.action in ('create', 'update')):
        if position in execution.stored:
            declared.entry = declared.entry.with_id(execution.stored[position].id)  # a create: the one that stands
    result['plan'] = [row.as_dict() for row in plan.entries()]
    entries = [declared.entry for declared in plan.items if declared.plan.action in ('create', 'update')] + [
        entry for entry in plan.entries() if entry.action == 'remove']
    not_done = [entries[executable.actions.index(action)].as_dict() for action in execution.not_done]
    result.update(created=execution.created, updated=execution.updated, resolved_duplicates=execution.resolved_duplicates,
                  removed=execution.removed, already_absent=execution.already_absent, backups=execution.backups,
                  not_done=not_done if execution.stopped_in == 'writes' else [],
                  not_removed=[action.identity() for action in execution.not_done]
                  if execution.stopped_in == 'removals' else [],
                  changed=execution.changed)
    new_hooks = [item['name'] for item in execution.created if item['type'] == INCOMING]
    if new_hooks:
        module.warn('Created incoming integrations %s: each has a new hook URL (a restored backup too), which '
                    'whatever posts to it needs; rocketchat_integration with return_secrets: true returns it.'
                    % ', '.join(new_hooks))
    if execution.error is not None:
        raise execution.error


def apply_saved(module, api: IntegrationsApi, saved: dict, result: dict) -> None:
    """apply_plan: only the actions of the reviewed plan, only on targets unchanged since; an outgoing token comes
    from the definition (or is sent again as stored), never from the file."""
    params = module.params
    tokens = {(item['type'], item['name']): item['token'] for item in params['integrations']
              if item.get('token') and item.get('name')}
    executable, result['left_alone'] = replay(saved, api.list_integrations(), tokens)
    rows = [PlanRow(action.kind, action.integration_type, action.name, action.target_id or '', action.changed_fields)
            for action in executable.actions]
    result['plan'] = [row.as_dict() for row in rows]
    result['counts'] = plan_counts(rows)
    if module.check_mode:
        result.update(changed=bool(executable.actions),
                      created=[entry for entry in result['plan'] if entry['action'] == 'create'],
                      updated=[entry for entry in result['plan'] if entry['action'] == 'update'],
                      removed=[dict(action.identity(), selected_by=action.reason) for action in executable.of(REMOVE)])
        return
    execution = execute(api, executable, params['parallel'], params['backup_dir'], params['backup_secrets'])
    result.update(created=execution.created, updated=execution.updated, resolved_duplicates=execution.resolved_duplicates,
                  removed=execution.removed, already_absent=execution.already_absent, backups=execution.backups,
                  not_done=[action.identity() for action in execution.not_done], changed=execution.changed)
    if execution.error is not None:
        raise execution.error


def converge(module, api: IntegrationsApi, scope, result: dict) -> None:
    """Read once, plan, guard (every refusal before any write), report, apply."""
    result['view'] = api.view()
    if module.params['_saved_plan'] is not None:
        apply_saved(module, api, module.params['_saved_plan'], result)
        return
    plan = plan_declared(api.list_integrations(), result['view'], module.params, scope)
    for warning in plan.warnings():
        module.warn(warning)
    if plan.partial_types:
        module.warn('This user may see only part of the %s integrations: integrations of other users were not '
                    'considered for the prune.' % ', '.join(plan.partial_types))
    if plan.refusals:
        raise PlanRefused('Nothing was changed: %s' % ' '.join(plan.refusals))
    report(module, plan, api.client.redact, result)
    if module.params['plan_file']:
        result['plan_file'] = write_plan(module.params['plan_file'], plan_document(
            MODULE, without_api_path(module.params['server_url']), plan.to_plan(),
            datetime.datetime.now(datetime.timezone.utc)))
    if module.check_mode:
        result.update(created=[declared.entry.as_dict() for declared in plan.of_action('create')],
                      updated=[declared.entry.as_dict() for declared in plan.of_action('update')],
                      removed=[dict(identity(doc), selected_by=plan.selected_by[doc.id]) for doc in plan.doomed])
        result['changed'] = bool(result['created'] or result['updated'] or result['removed'])
        return
    apply(module, api, plan, result)


def abstract(plan: list[dict], counts: dict[str, int], check_mode: bool) -> str:
    """One line, names first: what is (or would be) created, updated and removed, then how many are unchanged."""
    parts = []
    for action, count in counts.items():
        names = [str(entry['name']) for entry in plan if entry['action'] == action]
        shown = ': ' + listed(names, ABSTRACT_NAMES) if names and action != 'unchanged' else ''
        parts.append('%s %d%s' % (action, count, shown))
    return ('would ' if check_mode else '') + '; '.join(parts)


def run_module() -> None:
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True)
    now = datetime.datetime.now(datetime.timezone.utc)
    module.params['_saved_plan'] = run_checks(module, lambda params: check_plan_options(
        params, module.check_mode, MODULE, without_api_path(params['server_url'] or ''), now))
    scope = run_checks(module, check_input)
    result = {'changed': False, 'plan': [], 'left_alone': [], 'created': [], 'updated': [], 'removed': [], 'unchanged': [],
              'already_absent': [], 'not_done': [], 'not_removed': [], 'resolved_duplicates': [], 'backups': [],
              'view': {}, 'abstract': '',
              'counts': plan_counts([]), 'api_calls': {}, 'check_mode': module.check_mode}
    run_with_client(module, result, lambda client: converge(module, IntegrationsApi(client), scope, result))
    result['abstract'] = abstract(result['plan'], result['counts'], module.check_mode)
    module.exit_json(**result)


def main() -> None:
    run_module()


if __name__ == '__main__':
    main()
