# Copyright (c) 2026 chatops.rocketchat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

"""What an integration is to this collection: option <-> API field mapping, comparison, summaries. Pure: no
requests here (the endpoints are in ``_integrations_api.py``)."""

from __future__ import annotations

import typing as t

INCOMING = 'webhook-incoming'
OUTGOING = 'webhook-outgoing'
TYPES = (INCOMING, OUTGOING)
# The seven released outgoing events (OutgoingIntegrationEvent in @rocket.chat/core-typings up to 8.8.1).
OUTGOING_EVENTS = ('sendMessage', 'fileUploaded', 'roomArchived', 'roomCreated', 'roomJoined', 'roomLeft', 'userCreated')
# What the server does with an outgoing definition (validateOutgoingIntegration): trigger words only for these
# events, and no channel at all for those.
EVENTS_WITH_TRIGGER_WORDS = ('sendMessage',)
EVENTS_WITHOUT_CHANNEL = ('roomArchived', 'roomCreated', 'userCreated')
SCOPED_CHANNELS = ('all_public_channels', 'all_private_groups', 'all_direct_messages')
RETRY_DELAYS = ('powers-of-ten', 'powers-of-two', 'increments-of-two')

# module option -> API field, for the fields each type has
COMMON_FIELDS = {
    'name': 'name', 'enabled': 'enabled', 'username': 'username', 'channel': 'channel',
    'script_enabled': 'scriptEnabled', 'script': 'script', 'alias': 'alias', 'avatar': 'avatar', 'emoji': 'emoji',
}
INCOMING_FIELDS = dict(COMMON_FIELDS, override_destination_channel_enabled='overrideDestinationChannelEnabled')
OUTGOING_FIELDS = dict(
    COMMON_FIELDS, event='event', urls='urls', trigger_words='triggerWords',
    trigger_word_anywhere='triggerWordAnywhere', target_room='targetRoom', token='token', run_on_edits='runOnEdits',
    retry_failed_calls='retryFailedCalls', retry_count='retryCount', retry_delay='retryDelay',
    impersonate_user='impersonateUser')
FIELDS_BY_TYPE = {INCOMING: INCOMING_FIELDS, OUTGOING: OUTGOING_FIELDS}
# Lists whose order means nothing to Rocket.Chat: compared as sorted lists.
UNORDERED_LISTS = ('channel', 'urls', 'triggerWords')
REQUIRED_TO_CREATE = {INCOMING: ('name', 'username', 'channel'), OUTGOING: ('name', 'username', 'channel', 'event', 'urls')}


# What integrations.list shows a user of each type (see IntegrationsApi.view): anything but 'all' may hide some.
PARTIAL_VIEWS = ('own', 'none', 'unknown')


def partial_view_types(view: dict, types: t.Iterable[str]) -> list[str]:
    """The types among `types` of which the user may not see every integration."""
    return sorted(kind for kind in types if view.get(kind, 'unknown') in PARTIAL_VIEWS)


def identity(doc: dict) -> dict:
    """The id, name and type of an integration: how results list it."""
    return {'id': doc.get('_id'), 'name': doc.get('name'), 'type': doc.get('type')}


def one_line(doc: dict) -> str:
    """An integration in messages, diffs and reports: type, name and id."""
    return '%s %s (%s)' % (doc.get('type'), doc.get('name'), doc.get('_id'))


def managed_state(doc: dict) -> dict:
    """The fields of a stored document that the collection manages, normalised for comparison."""
    fields = FIELDS_BY_TYPE.get(str(doc.get('type')), COMMON_FIELDS)
    state = {}
    for api_field in fields.values():
        if api_field in doc and doc[api_field] is not None:
            value = doc[api_field]
            state[api_field] = sorted(value) if api_field in UNORDERED_LISTS and isinstance(value, list) else value
    return state


def desired_fields(integration_type: str, params: dict) -> dict:
    """The API fields the user asked for: only options that were given (not None)."""
    fields = {}
    for option, api_field in FIELDS_BY_TYPE[integration_type].items():
        value = params.get(option)
        if value is None:
            continue
        if api_field in UNORDERED_LISTS:
            value = sorted(value)
        fields[api_field] = value
    return fields


def merged_state(current: dict, wanted: dict) -> dict:
    """What the integration will be once the wanted fields are applied: fields not wanted keep their values."""
    after = dict(current)
    after.update(wanted)
    return after


def as_server_stores(integration_type: str, after: dict, before: dict) -> dict:
    """The managed fields after a create (before = {}) or update, the way the server will store them, so that
    comparing with a later read shows no change. validateOutgoingIntegration rewrites outgoing definitions:
    no channel for some events, trigger words only for sendMessage (an update leaves stored ones alone), retry
    settings filled in. Incoming definitions are stored as sent."""
    if integration_type != OUTGOING:
        return after
    stored = dict(after)
    event = stored.get('event')
    if event in EVENTS_WITHOUT_CHANNEL:
        stored['channel'] = []
    if event is not None and event not in EVENTS_WITH_TRIGGER_WORDS:
        stored.pop('triggerWords', None)
        if 'triggerWords' in before:
            stored['triggerWords'] = before['triggerWords']
    if stored.get('retryFailedCalls'):
        count = stored.get('retryCount')
        stored['retryCount'] = count if isinstance(count, int) and count > 0 else 4
        stored['retryDelay'] = (stored.get('retryDelay') or 'powers-of-ten').lower()
    return stored


def request_body(integration_type: str, state: dict, integration_id: str | None = None) -> dict:
    """The JSON body for integrations.create (no id) or integrations.update (with id)."""
    body: dict[str, t.Any] = {'type': integration_type}
    if integration_id:
        body['integrationId'] = integration_id
    for api_field, value in state.items():
        if api_field == 'channel':
            value = ','.join(value)
        body[api_field] = value
    if integration_id is None:
        # Defaults apply on create only: an update sends what the server has for every option the task leaves out.
        body.setdefault('enabled', True)
        body.setdefault('scriptEnabled', False)
        if integration_type == INCOMING:
            body.setdefault('overrideDestinationChannelEnabled', False)  # required on 6.x servers before 6.4
    return body


def changed_field_names(before: dict, after: dict) -> list[str]:
    return sorted(key for key in set(before) | set(after) if before.get(key) != after.get(key))


def exact_name_matches(docs: t.Iterable[dict], name: str | None, integration_type: str | None) -> list[dict]:
    return [doc for doc in docs
            if doc.get('name') == name and (integration_type is None or doc.get('type') == integration_type)]
