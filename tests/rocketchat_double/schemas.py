# Copyright (c) 2026 chatops.rocketchat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Request validation with the messages Rocket.Chat's ajv schemas produce.

ajv runs without allErrors: each schema stops at its first error, `required` is checked before
`properties`, and a failed `oneOf` lists every branch's first error, then its own line.
"""

from __future__ import annotations

import re

_STRING = {'type': 'string'}
_BOOL = {'type': 'boolean'}
_STRINGS = {'type': 'array', 'items': {'type': 'string', 'minLength': 1}}
_NUMBER = {'type': 'number'}

# Properties @rocket.chat/rest-typings marks `nullable: false` (README.md beside this file, "Real-server behaviours", row 10).
NON_NULLABLE = frozenset(('type', 'name', 'channel', 'username', 'scriptEnabled', 'enabled', 'event', 'integrationId',
                          'scriptEngine'))
_COMMON_OPTIONAL = {'alias': _STRING, 'avatar': _STRING, 'emoji': _STRING, 'script': _STRING, 'scriptEngine': _STRING}
_OUTGOING_PROPERTIES = {
    'type': {'type': 'string', 'pattern': 'webhook-outgoing'},
    'username': _STRING, 'channel': _STRING, 'event': _STRING, 'targetRoom': _STRING, 'urls': _STRINGS,
    'triggerWords': _STRINGS, 'triggerWordAnywhere': _BOOL, 'token': _STRING, 'scriptEnabled': _BOOL,
    'runOnEdits': _BOOL, 'retryFailedCalls': _BOOL, 'retryCount': _NUMBER, 'retryDelay': _STRING,
    'impersonateUser': _BOOL, 'name': _STRING, 'enabled': _BOOL, **_COMMON_OPTIONAL,
}

CREATE = {'oneOf': [
    {
        'properties': {
            'type': {'type': 'string', 'pattern': 'webhook-incoming'}, 'username': _STRING, 'channel': _STRING,
            'scriptEnabled': _BOOL, 'name': _STRING, 'enabled': _BOOL, 'overrideDestinationChannelEnabled': _BOOL,
            **_COMMON_OPTIONAL,
        },
        'required': ['type', 'username', 'channel', 'scriptEnabled', 'name', 'enabled'],
        'additionalProperties': False,
    },
    {
        'properties': _OUTGOING_PROPERTIES,
        'required': ['type', 'username', 'channel', 'event', 'scriptEnabled', 'name', 'enabled'],
        'additionalProperties': False,
    },
]}

UPDATE = {'oneOf': [
    {
        'properties': {
            'type': {'type': 'string', 'pattern': 'webhook-incoming'}, 'integrationId': _STRING, 'channel': _STRING,
            'scriptEnabled': _BOOL, 'overrideDestinationChannelEnabled': _BOOL, 'name': _STRING, 'enabled': _BOOL,
            **_COMMON_OPTIONAL,
        },
        'required': ['integrationId', 'type', 'channel', 'scriptEnabled', 'name', 'enabled'],
        'additionalProperties': True,
    },
    {
        'properties': {'integrationId': _STRING, 'target_url': _STRING, **_OUTGOING_PROPERTIES},
        'required': ['type', 'username', 'channel', 'event', 'scriptEnabled', 'name', 'enabled'],
        'additionalProperties': False,
    },
]}

REMOVE = {'oneOf': [
    {'properties': {'type': {'type': 'string', 'pattern': 'webhook-incoming'}, 'integrationId': _STRING},
     'required': ['type', 'integrationId'], 'additionalProperties': False},
    {'properties': {'type': {'type': 'string', 'pattern': 'webhook-outgoing'}, 'target_url': _STRING},
     'required': ['type', 'target_url'], 'additionalProperties': False},
    {'properties': {'type': {'type': 'string', 'pattern': 'webhook-outgoing'}, 'integrationId': _STRING},
     'required': ['type', 'integrationId'], 'additionalProperties': False},
]}

GET = {'properties': {'integrationId': _STRING, 'createdBy': _STRING}, 'required': ['integrationId']}
HISTORY = {'properties': {'id': _STRING, 'offset': _STRING, 'count': _STRING, 'sort': _STRING},
           'required': ['id']}
USERS_INFO = {'anyOf': [
    {'properties': {'userId': _STRING, 'fields': _STRING, 'includeUserRooms': _STRING}, 'required': ['userId'],
     'additionalProperties': False},
    {'properties': {'username': _STRING, 'fields': _STRING, 'includeUserRooms': _STRING}, 'required': ['username'],
     'additionalProperties': False},
]}
POST_MESSAGE = {'anyOf': [{'required': ['channel']}, {'required': ['roomId']}]}
LIST = {'properties': {'count': _STRING, 'offset': _STRING, 'sort': _STRING, 'name': _STRING, 'type': _STRING,
                       'query': _STRING},
        'required': [], 'additionalProperties': False}


def _type_error(value, rule: dict) -> str | None:
    expected = rule.get('type')
    checks = {
        'string': lambda v: isinstance(v, str),
        'boolean': lambda v: isinstance(v, bool),
        'number': lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
        'array': lambda v: isinstance(v, list),
    }
    if expected and not checks[expected](value):
        return 'must be %s' % expected
    if 'pattern' in rule and not re.search(rule['pattern'], value):
        return 'must match pattern "%s"' % rule['pattern']
    if expected == 'array':
        for item in value:
            message = _type_error(item, rule['items'])
            if message:
                return message
            if len(item) < rule['items'].get('minLength', 0):
                return 'must NOT have fewer than %d characters' % rule['items']['minLength']
    return None


def _first_error(data, schema: dict) -> str | None:
    if not isinstance(data, dict):
        return 'must be object'
    for key in schema.get('required', []):
        if key not in data:
            return "must have required property '%s'" % key
    properties = schema.get('properties', {})
    for key, value in data.items():
        if key in properties:
            # The published schemas mark these `nullable: false`; every other property may be null.
            if value is None:
                if key in NON_NULLABLE:
                    return 'must be %s' % properties[key].get('type', 'string')
                continue
            message = _type_error(value, properties[key])
            if message:
                return message
        elif schema.get('additionalProperties') is False:
            return 'must NOT have additional properties'
    return None


def validate(data, schema: dict) -> str | None:
    """Return ajv's message joined the way Rocket.Chat joins it, or None when valid."""
    if 'anyOf' in schema:
        errors = [_first_error(data, branch) for branch in schema['anyOf']]
        if any(message is None for message in errors):
            return None
        return '\n '.join(errors + ['must match a schema in anyOf'])
    if 'oneOf' in schema:
        errors = []
        passing = 0
        for branch in schema['oneOf']:
            message = _first_error(data, branch)
            if message is None:
                passing += 1
            else:
                errors.append(message)
        if passing == 1:
            return None
        errors.append('must match exactly one schema in oneOf')
        return '\n '.join(errors)
    return _first_error(data, schema)
