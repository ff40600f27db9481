#!/usr/bin/python
# Copyright (c) 2026 chatops.rocketchat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: rocketchat_integration
short_description: Create, update or remove one Rocket.Chat webhook integration
version_added: 0.1.0
description:
  - Makes one incoming or outgoing webhook integration of a Rocket.Chat server present with the given settings,
    or absent.
  - The integration is found by O(integration_id), by its exact O(name) within O(type), or for outgoing webhooks by
    O(target_url). Names are compared exactly and case-sensitively on the client, over every page of the server's list.
  - Removing goes through C(POST /api/v1/integrations.remove). When the server answers C(No integration found.),
    the integration is already gone and the task reports no change.
author:
  - chatops.rocketchat maintainers (@chatops-rocketchat)
extends_documentation_fragment:
  - chatops.rocketchat._connection
  - chatops.rocketchat._attributes
  - chatops.rocketchat._attributes.ACTIONGROUP_ROCKETCHAT
attributes:
  check_mode:
    support: full
    details:
      - Predicts C(changed) and the diff from a read of the server and sends no write.
  diff_mode:
    support: full
    details:
      - Secrets (the outgoing O(token), incoming tokens, hook URLs) are shown as C(********).
  idempotent:
    support: full
options:
  state:
    description:
      - V(present) creates the integration or updates it to match the options given.
      - V(absent) removes it; an integration that does not exist is not an error.
    type: str
    choices: [present, absent]
    default: present
  type:
    description:
      - The kind of integration. An integration of the other type is never changed or removed, even when
        O(integration_id) points at it.
    type: str
    required: true
    choices: [webhook-incoming, webhook-outgoing]
  integration_id:
    description:
      - The integration's C(_id). Takes precedence over O(name) and O(target_url) for finding it; with
        O(state=present) a different O(name) renames it.
    type: str
  name:
    description:
      - The integration's name, matched exactly (case-sensitive) among integrations of O(type).
      - Required to create an integration. When several integrations of O(type) share the name the module fails,
        lists their ids and changes nothing; select one with O(integration_id).
    type: str
  target_url:
    description:
      - For O(type=webhook-outgoing) only, finds the integration whose C(urls) contain this URL.
      - When several do, the module fails and lists their ids.
    type: str
  enabled:
    description:
      - Whether the integration is active.
      - When creating and not set, V(true). When updating and not set, left as the server has it.
    type: bool
  username:
    description:
      - The user the integration posts as (the server checks it exists). Required to create.
      - Rocket.Chat 7.0 and later change the post-as user of an incoming integration on update. Older servers keep
        it without an error; the module then fails and says so, rather than report a change that did not happen.
    type: str
  channel:
    description:
      - Where it posts or listens, each V(#room) or V(@user). Required to create; order does not matter.
      - Outgoing integrations may also use V(all_public_channels), V(all_private_groups) or V(all_direct_messages),
        or an empty list for all public channels.
      - For the events V(roomArchived), V(roomCreated) and V(userCreated) the server stores no channel, whatever is
        given; the module compares accordingly.
    type: list
    elements: str
  script_enabled:
    description:
      - Whether the integration's script runs.
      - When creating and not set, V(false). When updating and not set, left as the server has it.
      - Setting O(script) without O(script_enabled) on a new integration warns that the script stays disabled.
    type: bool
  script:
    description: The integration's script.
    type: str
  alias:
    description: Alias shown as the sender's name.
    type: str
  avatar:
    description: Avatar URL shown for the sender.
    type: str
  emoji:
    description: Emoji shown as the sender's avatar, for example V(:ghost:).
    type: str
  override_destination_channel_enabled:
    description:
      - For O(type=webhook-incoming), whether a message may choose another channel.
      - When creating and not set, V(false). When updating and not set, left as the server has it.
    type: bool
  event:
    description:
      - For O(type=webhook-outgoing), the event that triggers it. Required to create an outgoing integration.
      - The seven events Rocket.Chat releases; C(messageEdited) and C(messageDeleted) never were.
    type: str
    choices: [sendMessage, fileUploaded, roomArchived, roomCreated, roomJoined, roomLeft, userCreated]
  urls:
    description: For O(type=webhook-outgoing), the URLs it calls. Required to create; order does not matter.
    type: list
    elements: str
  trigger_words:
    description:
      - For O(type=webhook-outgoing) with O(event=sendMessage), words that trigger it. Order does not matter.
      - The server ignores them for the other events, so the module refuses them there.
    type: list
    elements: str
  trigger_word_anywhere:
    description: For O(type=webhook-outgoing), whether trigger words count anywhere in a message.
    type: bool
  target_room:
    description: For O(type=webhook-outgoing), the room (V(#room) or V(@user)) its answers go to.
    type: str
  token:
    description:
      - For O(type=webhook-outgoing), the token sent to the target URLs. Rocket.Chat never generates one.
      - Required to create an outgoing integration, because Rocket.Chat cannot update one without a token; generate
        one, for example with C(openssl rand -hex 24), and keep it in a vault.
      - On update the module resends the stored one when this option is not given.
      - To rotate it, set the new value; the next run updates it and reports a change. See O(update_token).
    type: str
  update_token:
    description:
      - V(always) makes the stored O(token) equal to the given one. When the server does not return stored
        tokens (so they cannot be compared), V(always) resends the token on every run and reports a change.
      - V(on_create) sets O(token) only when creating the integration.
    type: str
    choices: [always, on_create]
    default: always
  run_on_edits:
    description: For O(type=webhook-outgoing), whether edited messages trigger it too.
    type: bool
  retry_failed_calls:
    description: For O(type=webhook-outgoing), whether failed calls are retried.
    type: bool
  retry_count:
    description:
      - For O(type=webhook-outgoing), how many times a failed call is retried.
      - With O(retry_failed_calls=true), a value below 1 (or none) is stored as V(4) by the server.
    type: int
  retry_delay:
    description:
      - For O(type=webhook-outgoing), the delay scheme between retries.
      - With O(retry_failed_calls=true) and not set, the server stores V(powers-of-ten).
    type: str
    choices: [powers-of-ten, powers-of-two, increments-of-two]
  impersonate_user:
    description: For O(type=webhook-outgoing), whether answers are posted as the user who triggered it.
    type: bool
  return_secrets:
    description:
      - Return the integration's token in RV(token) and, for an incoming integration, its hook URL in RV(hook_url),
        for example to hand a new hook to Alertmanager, GitLab or C(community.general.rocketchat).
      - Everything else the module returns keeps secrets redacted, and check mode never returns them.
      - Set the task keyword C(no_log) to V(true), and C(register) the result, so that they are not printed.
    type: bool
    default: false
seealso:
  - module: chatops.rocketchat.rocketchat_integration_info
  - module: chatops.rocketchat.rocketchat_integration_prune
"""

EXAMPLES = r"""
- name: Remove a stale incoming webhook by name (token authentication from the environment)
  chatops.rocketchat.rocketchat_integration:
    type: webhook-incoming
    name: legacy-jenkins
    state: absent

- name: Remove an outgoing webhook by id, logging in with a user name and password
  chatops.rocketchat.rocketchat_integration:
    server_url: https://chat.example.com
    login_user: automation
    login_password: "{{ vault_rocketchat_password }}"
    type: webhook-outgoing
    integration_id: 65f1c0ffee0123456789abcd
    state: absent

- name: Keep an incoming webhook for alerts (personal access token)
  chatops.rocketchat.rocketchat_integration:
    server_url: https://chat.example.com
    user_id: "{{ rocketchat_user_id }}"
    auth_token: "{{ vault_rocketchat_token }}"
    type: webhook-incoming
    name: alertmanager
    username: rocket.cat
    channel: ["#alerts"]
    alias: Alertmanager
    emoji: ":rotating_light:"
  register: alert_hook

- name: Create an incoming webhook for Alertmanager and keep its hook URL (shown nowhere)
  chatops.rocketchat.rocketchat_integration:
    type: webhook-incoming
    name: alertmanager
    username: rocket.cat
    channel: ["#alerts"]
    return_secrets: true
  register: alertmanager_hook
  no_log: true

- name: Hand the hook URL to Alertmanager's configuration
  ansible.builtin.template:
    src: alertmanager.yml.j2  # uses {{ alertmanager_hook.hook_url }}
    dest: /etc/alertmanager/alertmanager.yml
    mode: "0600"
  no_log: true

- name: Declare several webhooks from one list
  chatops.rocketchat.rocketchat_integration:
    type: "{{ item.type }}"
    name: "{{ item.name }}"
    username: rocket.cat
    channel: "{{ item.channel }}"
    event: "{{ item.event | default(omit) }}"
    urls: "{{ item.urls | default(omit) }}"
    token: "{{ item.token | default(omit) }}"
  loop:
    - {type: webhook-incoming, name: grafana, channel: ["#alerts"]}
    - {type: webhook-outgoing, name: standup-bot, channel: ["#team"], event: sendMessage,
       urls: ["https://standup.example.com/hook"], token: "{{ vault_standup_token }}"}
  loop_control:
    label: "{{ item.type }} {{ item.name }}"

- name: Adopt a webhook made in the web UI, changing only its alias (options left out stay as they are)
  chatops.rocketchat.rocketchat_integration:
    type: webhook-incoming
    name: made-by-hand
    alias: Deploy notifications

- name: Manage several webhooks with the connection set once for the whole block
  module_defaults:
    group/chatops.rocketchat.rocketchat:
      server_url: https://chat.example.com
      user_id: "{{ rocketchat_user_id }}"
      auth_token: "{{ vault_rocketchat_token }}"
  block:
    - name: An outgoing webhook that forwards deploy requests
      chatops.rocketchat.rocketchat_integration:
        type: webhook-outgoing
        name: deploy-bot
        username: rocket.cat
        channel: ["#ops"]
        event: sendMessage
        trigger_words: ["!deploy"]
        urls: ["https://deploy.example.com/rocketchat"]
        token: "{{ vault_deploy_bot_token }}"

    - name: Disable it without removing it
      chatops.rocketchat.rocketchat_integration:
        type: webhook-outgoing
        name: deploy-bot
        enabled: false
"""

RETURN = r"""
integration:
  description:
    - The integration after the task (with O(state=absent), the one removed), as Rocket.Chat stores it.
    - Secrets (C(token), hook URLs) are replaced by C(********). Empty when nothing matched.
    - In check mode, the predicted result.
  returned: always
  type: dict
  sample:
    _id: 65f1c0ffee0123456789abcd
    type: webhook-incoming
    name: alertmanager
    enabled: true
    username: rocket.cat
    channel: ["#alerts"]
    scriptEnabled: false
    token: "********"
    _createdBy: {_id: aobEdbYhXfu5hkeqG, username: admin}
resolved_duplicates:
  description:
    - When this task created the integration while another run (a second pipeline) created the same name and type
      at the same time. Rocket.Chat has no unique name, so after creating, the module reads back by exact name and
      type; the oldest (C(_createdAt), then C(_id)) stays and RV(integration) is that one, and each run removes
      only the duplicate it created itself. Each entry names the one C(kept) and the one C(removed).
  returned: when the task created an integration found by name
  type: list
  elements: dict
  sample: [{name: alertmanager, type: webhook-incoming, kept: 65f1c0ffee0123456789abcd, removed: 65f1c0ffee0123456789abce}]
diff:
  description:
    - The managed fields before and after, when run with C(--diff), as indented JSON text with non-ASCII characters
      as written. Secrets are redacted.
    - The headers name the integration (type, name and id), so that a diff over many tasks reads on its own.
  returned: when diff mode is on
  type: dict
  contains:
    before:
      description: The fields before the task (C({}) when the integration did not exist).
      type: str
    after:
      description: The fields after the task (C({}) when it is removed).
      type: str
    before_header:
      description: C(<type> <name> (<id>)) of the integration before the task.
      type: str
    after_header:
      description: C(<type> <name> (<id>)) of the integration after the task; the id is C(new) for one to create.
      type: str
hook_url:
  description:
    - The URL an incoming integration receives messages at, C(<server_url>/hooks/<_id>/<token>).
    - It holds the token, so treat it as a secret.
  returned: with O(return_secrets=true), O(state=present) and O(type=webhook-incoming), not in check mode
  type: str
  sample: https://chat.example.com/hooks/65f1c0ffee0123456789abcd/aBcD...
token:
  description: The integration's token (incoming, generated by the server; outgoing, as stored).
  returned: with O(return_secrets=true) and O(state=present), not in check mode
  type: str
changed_fields:
  description: The API fields an update changed (or would change, in check mode).
  returned: when O(state=present) and the integration existed
  type: list
  elements: str
  sample: [alias, channel]
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
from ansible_collections.chatops.rocketchat.plugins.module_utils._definition import (
    definition_argument_spec,
    definition_problem,
    plan_present,
    readable_diff,
)
from ansible_collections.chatops.rocketchat.plugins.module_utils._errors import InvalidInput
from ansible_collections.chatops.rocketchat.plugins.module_utils._integration import (
    INCOMING,
    Integration,
    partial_view_types,
)
from ansible_collections.chatops.rocketchat.plugins.module_utils._executor import execute
from ansible_collections.chatops.rocketchat.plugins.module_utils._integrations_api import (
    IntegrationsApi,
    select_integration,
    shared_name_warning,
)
from ansible_collections.chatops.rocketchat.plugins.module_utils._plan import REMOVE, Action, Plan


def argument_spec() -> dict:
    spec = connection_argument_spec()
    spec.update(definition_argument_spec())
    spec.update(
        state={'type': 'str', 'choices': ['present', 'absent'], 'default': 'present'},
        return_secrets={'type': 'bool', 'default': False},
    )
    return spec


def check_input(params: dict) -> None:
    """Raise InvalidInput naming the option at fault. Runs before any request."""
    problem = definition_problem(params)
    if problem:
        raise InvalidInput(problem)


def warn_about_what_was_not_found(module, api: IntegrationsApi) -> None:
    """Nothing to remove: say so where "not found" may not mean "absent" (a partial view), or where the task
    probably named the wrong type."""
    params = module.params
    integration_type = params['type']
    view = api.view()
    if partial_view_types(view, [integration_type]):
        module.warn('No %s integration matched, but this user sees only part of them (view: %s): one created by '
                    'another user would not be listed.' % (integration_type, view.get(integration_type)))
    if params['name'] and not params['integration_id']:
        for doc in api.same_name_of_the_other_type(integration_type, params['name']):
            module.warn('No %s integration is named %r, but a %s one is (id %s). It was left alone; to remove it, set '
                        'type: %s (or integration_id: %s with that type).'
                        % (integration_type, params['name'], doc.type, doc.id, doc.type, doc.id))


def secrets_of(integration_id: str, api: IntegrationsApi, client) -> dict:
    """The token, and for an incoming integration its hook URL, read back from the server (opt-in only)."""
    doc = api.get(integration_id)
    token = doc.token if doc else None
    secrets = {'token': token}
    if doc is not None and doc.type == INCOMING and token:
        secrets['hook_url'] = '%s/hooks/%s/%s' % (client.base_url, integration_id, token)
    return secrets


def ensure_absent(module, api: IntegrationsApi, current: Integration | None, result: dict) -> dict:
    """Remove `current`; the diff's before and after states."""
    if current is None:
        return {'before': {}, 'after': {}}
    result.update(changed=True, integration=api.client.redact(current.as_dict()))
    if not module.check_mode:
        execution = execute(api, Plan((Action(REMOVE, module.params['type'], current.name, target=current),)),
                            told=False)
        if execution.error is not None:
            raise execution.error
        result['changed'] = execution.changed  # gone between our read and the remove: the work is done
    return {'before': current.managed, 'after': {}}


def ensure_present(module, api: IntegrationsApi, current: Integration | None, result: dict) -> dict:
    """Create or update to match the options; the diff's before and after states."""
    integration_type = module.params['type']
    redact = api.client.redact
    plan = plan_present(module.params, current)
    for warning in plan.warnings:
        module.warn(warning)
    diff = {'before': plan.before, 'after': plan.after, 'token_changed': 'token' in plan.changed_fields}
    result.update(changed=plan.action != 'unchanged')
    if current is None:
        result['integration'] = redact(dict(plan.after, type=integration_type))
    else:
        result.update(changed_fields=plan.changed_fields,
                      integration=redact(current.as_dict() if plan.action == 'unchanged'
                                         else dict(current.as_dict(), **plan.after)))
    if plan.action == 'unchanged' or module.check_mode:
        return diff
    # found by name, a create is read back: another task racing this one may have created the same name
    settle = plan.action == 'create' and not module.params['target_url']
    action = Action(plan.action, integration_type, plan.after.get('name'), target=current, after=plan.after,
                    before=plan.before, changed_fields=tuple(plan.changed_fields), settle=settle)
    execution = execute(api, Plan((action,)), told=False)
    if execution.error is not None:
        raise execution.error
    result['integration'] = redact(execution.stored[0].as_dict())
    if settle:
        result['resolved_duplicates'] = execution.resolved_duplicates
    return diff


def converge(module, api: IntegrationsApi, result: dict) -> None:
    """Read, plan and apply (ensure_*), then report: secrets on request, the diff rendered and redacted."""
    params = module.params
    # present: of several with the name, the oldest is the one (a concurrent run's duplicate is its to remove);
    # absent: several with the name is ambiguous, and removing is not undone
    present = params['state'] == 'present'
    docs = api.lookup(params['type'], params['integration_id'], None if params['target_url'] else params['name'])
    current = select_integration(docs, params['type'], params['integration_id'], params['name'],
                                 params['target_url'], oldest_of_a_name=present)
    shared = shared_name_warning(docs, params['type'], params['name']) \
        if present and not (params['integration_id'] or params['target_url']) else None
    if shared:
        module.warn(shared)
    if current is None and params['state'] == 'absent':
        warn_about_what_was_not_found(module, api)
    ensure = ensure_absent if params['state'] == 'absent' else ensure_present
    diff = ensure(module, api, current, result)
    if params['return_secrets'] and params['state'] == 'present' and not module.check_mode:
        result.update(secrets_of(result['integration']['_id'], api, api.client))
    if module._diff:
        doc = result.get('integration') or {}
        name = diff['before'].get('name') or diff['after'].get('name') or doc.get('name')
        result['diff'] = readable_diff(api.client.redact, params['type'], name, doc.get('_id'), diff['before'],
                                       diff['after'], diff.get('token_changed', False))


def run_module() -> None:
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True)
    run_checks(module, check_input)
    result = {'changed': False, 'integration': {}}
    run_with_client(module, result, lambda client: converge(module, IntegrationsApi(client), result))
    module.exit_json(**result)


def main() -> None:
    run_module()


if __name__ == '__main__':
    main()
