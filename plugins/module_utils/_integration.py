# Copyright (c) 2026 chatops.rocketchat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

"""What an integration is to this collection: option <-> API field mapping, comparison, summaries. Pure: no
requests here (the endpoints are in ``_integrations_api.py``)."""

from __future__ import annotations

import copy
import typing as t
from dataclasses import dataclass, field
from types import MappingProxyType

from ansible_collections.chatops.rocketchat.plugins.module_utils._deliveries import stored_moment

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


def _text(value: t.Any) -> str | None:
    return value if isinstance(value, str) else None


def _texts(value: t.Any) -> tuple[str, ...]:
    return tuple(item for item in value if isinstance(item, str)) if isinstance(value, list) else ()


def _moment(value: t.Any) -> str | None:
    """A date as the record keeps it: the server's ISO string as sent; {"$date": ms} (older servers) as ISO too."""
    if isinstance(value, str):
        return value
    moment = stored_moment(value)
    return moment.isoformat().replace('+00:00', 'Z') if moment else None


def _person(value: t.Any, key: str) -> str | None:
    return _text(value.get(key)) if isinstance(value, t.Mapping) else None


@dataclass(frozen=True)
class Integration:
    """One integration as the server stores it (integrations.list, get, create and update answer with these
    documents), typed where the collection reads it: found, selected, planned on and reported. Made once where an
    answer is read (IntegrationsApi); a module turns it back into a dict only for its result (as_dict).

    stored: the whole document as read, read-only, for what the collection sends back (managed, definition_of);
    never shown in a repr, since it holds the hook's token."""

    id: str
    type: str
    name: str | None
    enabled: bool | None
    created_at: str | None  # _createdAt, as the server wrote it (a string in the REST answer)
    updated_at: str | None  # _updatedAt: every update changes it
    created_by: str | None  # _createdBy.username
    created_by_id: str | None  # _createdBy._id
    updated_by: str | None  # _updatedBy.username, written by every update
    username: str | None  # the user the hook posts as
    user_id: str | None  # that user's id (incoming hooks find their user by it)
    channel: tuple[str, ...]
    urls: tuple[str, ...]
    stored: t.Mapping[str, t.Any] = field(repr=False, compare=True, hash=False)

    @classmethod
    def from_api(cls, doc: t.Mapping[str, t.Any]) -> Integration:
        """The record of one document of the server's answer."""
        return cls(id=str(doc.get('_id') or ''), type=str(doc.get('type') or ''), name=_text(doc.get('name')),
                   enabled=doc.get('enabled') if isinstance(doc.get('enabled'), bool) else None,
                   created_at=_moment(doc.get('_createdAt')), updated_at=_moment(doc.get('_updatedAt')),
                   created_by=_person(doc.get('_createdBy'), 'username'),
                   created_by_id=_person(doc.get('_createdBy'), '_id'),
                   updated_by=_person(doc.get('_updatedBy'), 'username'),
                   username=_text(doc.get('username')), user_id=_text(doc.get('userId')),
                   channel=_texts(doc.get('channel')), urls=_texts(doc.get('urls')),
                   stored=MappingProxyType(copy.deepcopy(dict(doc))))

    @property
    def managed(self) -> dict:
        """The fields the collection manages, normalised for comparison."""
        return managed_state(self.stored)

    @property
    def token(self) -> str | None:
        """The stored token (an outgoing hook's update must send it again)."""
        return _text(self.stored.get('token'))

    def as_dict(self) -> dict:
        """The document as a module's result shows it (before its redaction)."""
        return copy.deepcopy(dict(self.stored))


def identity(doc: Integration) -> dict:
    """The id, name and type of an integration: how results list it."""
    return {'id': doc.id, 'name': doc.name, 'type': doc.type}


def one_line_of(integration_type: str | None, name: str | None, integration_id: str | None) -> str:
    """An integration in messages, diffs and reports: type, name and id."""
    return '%s %s (%s)' % (integration_type, name, integration_id)


def one_line(doc: Integration) -> str:
    return one_line_of(doc.type, doc.name, doc.id)


ABSTRACT_NAMES = 10  # the names a module's one-line abstract gives of each kind, before "and N more"


def listed(names: t.Sequence[str], limit: int, more: str = '') -> str:
    """Up to `limit` names, then how many more (followed by `more`): how messages and one-line results list them."""
    text = ', '.join(names[:limit])
    return text + (' and %d more%s' % (len(names) - limit, more) if len(names) > limit else '')


def managed_state(doc: t.Mapping[str, t.Any]) -> dict:
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


def exact_name_matches(docs: t.Iterable[Integration], name: str | None,
                       integration_type: str | None) -> list[Integration]:
    return [doc for doc in docs if doc.name == name and (integration_type is None or doc.type == integration_type)]
