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

- name: Read one integration by id, logging in with a password
  chatops.rocketchat.rocketchat_integration_info:
    server_url: https://chat.example.com
    login_user: automation
    login_password: "{{ vault_rocketchat_password }}"
    integration_id: 65f1c0ffee0123456789abcd
  register: one_hook

- name: Show the names
  ansible.builtin.debug:
    msg: "{{ all_hooks.integrations | map(attribute='name') | list }}"
"""

RETURN = r"""
integrations:
  description:
    - The matching integrations as Rocket.Chat stores them, secrets (C(token), hook URLs) replaced by C(********).
  returned: always
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
view:
  description:
    - Which integrations the server shows this user, per type. V(all), V(own) (only those the user created),
      V(none), or V(unknown) when the server does not tell.
  returned: always
  type: dict
  sample: {webhook-incoming: all, webhook-outgoing: own}
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.chatops.rocketchat.plugins.module_utils._client import RocketChatError
from ansible_collections.chatops.rocketchat.plugins.module_utils._connection import (
    client_from_module,
    connection_argument_spec,
    fail_from_error,
    run_checks,
)
from ansible_collections.chatops.rocketchat.plugins.module_utils._integration import TYPES, exact_name_matches
from ansible_collections.chatops.rocketchat.plugins.module_utils._integrations_api import IntegrationsApi


def argument_spec() -> dict:
    spec = connection_argument_spec()
    spec.update(
        type={'type': 'str', 'choices': list(TYPES)},
        name={'type': 'str'},
        integration_id={'type': 'str'},
    )
    return spec


def run_module() -> None:
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True)
    run_checks(module)
    params = module.params
    try:
        with client_from_module(module) as client:
            api = IntegrationsApi(client)
            if params['integration_id']:
                found = api.get(params['integration_id'])
                docs = [found] if found else []
                if params['type']:
                    docs = [doc for doc in docs if doc.get('type') == params['type']]
            else:
                docs = api.list(params['type'], params['name'])
            if params['name'] is not None:
                docs = exact_name_matches(docs, params['name'], params['type'])
            view = api.view()
            integrations = client.redact(docs)
    except RocketChatError as error:
        fail_from_error(module, error, integrations=[])
        return
    module.exit_json(changed=False, integrations=integrations, view=view)


def main() -> None:
    run_module()


if __name__ == '__main__':
    main()
