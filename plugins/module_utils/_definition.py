# Copyright (c) 2026 chatops.rocketchat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

"""One integration's definition, as a task declares it: the options (one spec for rocketchat_integration and for
each item of rocketchat_integrations), their checks, and what state=present does to what the server has. Pure: the
callers read the server and send the writes."""

from __future__ import annotations

import json
import typing as t
from dataclasses import dataclass, field

from ansible_collections.chatops.rocketchat.plugins.module_utils._errors import PlanRefused
from ansible_collections.chatops.rocketchat.plugins.module_utils._integration import (
    FIELDS_BY_TYPE,
    INCOMING,
    INCOMING_FIELDS,
    OUTGOING,
    OUTGOING_EVENTS,
    OUTGOING_FIELDS,
    REQUIRED_TO_CREATE,
    RETRY_DELAYS,
    SCOPED_CHANNELS,
    TYPES,
    Integration,
    as_server_stores,
    changed_field_names,
    desired_fields,
    merged_state,
)
from ansible_collections.chatops.rocketchat.plugins.module_utils._redact import REDACTED

OUTGOING_ONLY = sorted(set(OUTGOING_FIELDS) - set(INCOMING_FIELDS) | {'target_url'})
INCOMING_ONLY = sorted(set(INCOMING_FIELDS) - set(OUTGOING_FIELDS))


def definition_argument_spec() -> dict:
    """The options that define one integration and find it (documented in both modules that take them)."""
    return {
        'type': {'type': 'str', 'required': True, 'choices': list(TYPES)},
        'integration_id': {'type': 'str'},
        'name': {'type': 'str'},
        'target_url': {'type': 'str'},
        'enabled': {'type': 'bool'},
        'username': {'type': 'str'},
        'channel': {'type': 'list', 'elements': 'str'},
        'script_enabled': {'type': 'bool'},
        'script': {'type': 'str'},
        'alias': {'type': 'str'},
        'avatar': {'type': 'str'},
        'emoji': {'type': 'str'},
        'override_destination_channel_enabled': {'type': 'bool'},
        'event': {'type': 'str', 'choices': list(OUTGOING_EVENTS)},
        'urls': {'type': 'list', 'elements': 'str'},
        'trigger_words': {'type': 'list', 'elements': 'str', 'no_log': False},
        'trigger_word_anywhere': {'type': 'bool'},
        'target_room': {'type': 'str'},
        'token': {'type': 'str', 'no_log': True},
        'update_token': {'type': 'str', 'choices': ['always', 'on_create'], 'default': 'always', 'no_log': False},
        'run_on_edits': {'type': 'bool'},
        'retry_failed_calls': {'type': 'bool'},
        'retry_count': {'type': 'int'},
        'retry_delay': {'type': 'str', 'choices': list(RETRY_DELAYS)},
        'impersonate_user': {'type': 'bool'},
    }


def definition_problem(params: dict) -> str | None:
    """A sentence naming the option at fault in one definition, or None. Runs before any request."""
    integration_type = params['type']
    wrong_type = INCOMING_ONLY if integration_type == OUTGOING else OUTGOING_ONLY
    given = [option for option in wrong_type if params.get(option) is not None]
    if given:
        return ('%s apply only to %s integrations; remove them or set type accordingly.'
                % (', '.join(given), OUTGOING if integration_type == INCOMING else INCOMING))
    for option in ('integration_id', 'name', 'target_url'):
        if params.get(option) is not None and not params[option].strip():
            return '%s is empty; give a value or leave it out.' % option
    if not (params.get('integration_id') or params.get('name') or params.get('target_url')):
        return 'Select the integration with integration_id, name or (for webhook-outgoing) target_url.'
    for option in ('channel', 'urls', 'trigger_words'):
        if params.get(option) and any(not str(item).strip() for item in params[option]):
            return '%s contains an empty item; remove it.' % option
    if params.get('channel'):
        scoped = SCOPED_CHANNELS if integration_type == OUTGOING else ()
        bad = [item for item in params['channel'] if item.strip()[0] not in '#@' and item.strip().lower() not in scoped]
        if bad:
            return ('channel items start with # (a room) or @ (a user)%s; fix %s.'
                    % (', or are one of %s' % ', '.join(scoped) if scoped else '', ', '.join(repr(item) for item in bad)))
    if params.get('trigger_words') and params.get('event') not in (None, 'sendMessage'):
        return ('trigger_words apply only to event sendMessage; Rocket.Chat ignores them for %s. Remove trigger_words '
                'or set event: sendMessage.' % params['event'])
    return None


@dataclass(frozen=True)
class PresentPlan:
    """What state=present does to one integration."""

    action: str  # 'create', 'update' or 'unchanged'
    before: dict  # the managed fields as stored ({} for a create)
    after: dict  # the managed fields as the server will store them
    changed_fields: list[str]
    warnings: list[str] = field(default_factory=list)


def plan_present(params: dict, current: Integration | None) -> PresentPlan:
    """What making the definition present does to `current` (None: nothing matched), the states being the managed
    fields as the server will store them. Raises PlanRefused for a definition that cannot be applied (nothing has
    been written then)."""
    integration_type = params['type']
    wanted = desired_fields(integration_type, params)
    if 'channel' in wanted:
        wanted['channel'] = sorted(item.strip() for item in wanted['channel'])
    if current is None:
        if params.get('integration_id'):
            raise PlanRefused('Integration %s does not exist. Integration ids are chosen by the server: to create '
                              'an integration, leave integration_id out and select it by name.'
                              % params['integration_id'])
        missing = [option for option in REQUIRED_TO_CREATE[integration_type]
                   if params.get(option) is None
                   or (params[option] == [] and not (option == 'channel' and integration_type == OUTGOING))]
        if missing:
            raise PlanRefused('The %s integration does not exist, and creating it needs %s; set %s.'
                              % (integration_type, ', '.join(missing), ', '.join(missing)))
        if integration_type == OUTGOING and not params.get('token'):
            raise PlanRefused('Creating outgoing integration %r needs a token: Rocket.Chat never generates one and '
                              'cannot update an outgoing integration without it. Set token (for example from '
                              '`openssl rand -hex 24`, kept in a vault). If this definition is a prune backup: '
                              'backups made with backup_secrets: true (role variables prune_webhooks_backup_secrets, '
                              'webhooks_backup_secrets) keep the token and restore as they are; this one has '
                              'none, so fill in its token key.' % params['name'])
        warnings = []
        if params.get('script') is not None and params.get('script_enabled') is None:
            warnings.append('script is set but script_enabled is not: the new integration %r is created with its '
                            'script disabled. Set script_enabled: true to run it.' % params['name'])
        after = as_server_stores(integration_type, wanted, {})
        return PresentPlan('create', {}, after, sorted(after), warnings)
    before = current.managed
    if 'token' in wanted and params.get('update_token') == 'on_create':
        if 'token' in before:
            wanted['token'] = before['token']
        else:
            del wanted['token']
    after = as_server_stores(integration_type, merged_state(before, wanted), before)
    changed_fields = changed_field_names(before, after)
    return PresentPlan('update' if changed_fields else 'unchanged', before, after, changed_fields)


def definition_of(doc: Integration, with_token: bool = False) -> dict:
    """A stored integration as the definition that declares it exactly (the shape of rocketchat_integrations'
    integrations items): server-managed fields (_id, _createdAt, _updatedBy, scriptCompiled, ...) left out, and the
    outgoing token too unless with_token. Applying it to the same server changes nothing."""
    state = doc.managed
    definition: dict[str, t.Any] = {'type': doc.type}
    for option, api_field in FIELDS_BY_TYPE.get(doc.type, {}).items():
        if api_field in state and (api_field != 'token' or with_token):
            definition[option] = state[api_field]
    return definition


def readable_diff(redact: t.Callable[[t.Any], t.Any], integration_type: str, name: str | None,
                  integration_id: str | None, before: dict, after: dict, token_changed: bool = False) -> dict:
    """What --diff shows for one integration: its managed fields before and after, redacted (a changed token is
    shown as such), as indented JSON with non-ASCII characters as written (Ansible's own rendering of dicts escapes
    them), under headers that name the integration."""
    shown_after = redact(after)
    if token_changed:
        shown_after['token'] = REDACTED + ' (changed)'
    header = '%s %s (%s)' % (integration_type, name or '?', integration_id or 'new')
    return {'before': json.dumps(redact(before), sort_keys=True, indent=4, ensure_ascii=False) + '\n',
            'after': json.dumps(shown_after, sort_keys=True, indent=4, ensure_ascii=False) + '\n',
            'before_header': header, 'after_header': header}
