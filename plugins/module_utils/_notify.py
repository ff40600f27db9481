# Copyright (c) 2026 chatops.rocketchat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

"""Owner notifications: when the prune disables (quarantines) or removes a hook, a direct message through
chat.postMessage to the user who created it, or to a fallback room when that user is inactive or gone. The message
names the hook, why it was selected, when it will be removed and how to keep it; it never carries a secret or a hook
URL. A notification that fails never blocks the prune, and is reported."""

from __future__ import annotations

import datetime
import typing as t

from ansible_collections.chatops.rocketchat.plugins.module_utils._errors import RocketChatError
from ansible_collections.chatops.rocketchat.plugins.module_utils._plan import DISABLE, Action
from ansible_collections.chatops.rocketchat.plugins.module_utils._workers import run_in_order

USER_NOT_FOUND = 'User not found.'


def message_text(action: Action, who: str, until: datetime.date | None, to_owner: bool) -> str:
    """The notification: the hook by type, name and id, why, what happens next, and how to keep it."""
    creator = (action.target.created_by if action.target else None) or 'a former user'
    hook = 'The Rocket.Chat webhook integration %s (%s, id %s)%s' % (
        action.name, action.integration_type, action.target_id, ' that you created' if to_owner
        else ', created by %s,' % creator)
    why = action.reason.split(': ', 1)[-1] if action.reason else 'selected by the prune'
    if action.kind == DISABLE:
        next_step = ('It will be removed after %s unless it is re-enabled.' % until.isoformat() if until
                     else 'It stays disabled until someone re-enables it.')
        return ('%s was disabled by %s: %s. %s To keep it, re-enable it in Administration > Workspace > '
                'Integrations.' % (hook, who, why, next_step))
    return '%s was removed by %s: %s.' % (hook, who, why)


def recipient(api, action: Action, fallback_room: str | None, cache: dict) -> tuple[str | None, str]:
    """Where the notification goes: '@<creator>' while the creator is active, else the fallback room; or None and
    why not."""
    creator = action.target.created_by_id if action.target else None
    if creator and creator not in cache:
        try:
            user = api.user_info(user_id=creator)
            cache[creator] = user.get('username') if user.get('active') is True else None
        except RocketChatError as error:
            cache[creator] = None if error.status == 400 and error.error_text == USER_NOT_FOUND else False
    found = cache.get(creator)
    if found:
        return '@' + found, ''
    if fallback_room:
        return fallback_room, ''
    return None, ('the creator is inactive or gone, and notify_fallback_room is not set' if found is None
                  else 'the creator could not be looked up, and notify_fallback_room is not set')


def notify(api, actions: t.Sequence[Action], who: str, until: datetime.date | None, fallback_room: str | None,
           parallel: int) -> list[dict]:
    """One chat.postMessage per hook acted on, in plan order; each reported as sent, or not with why."""
    cache: dict = {}
    planned = []
    for action in actions:
        to, why = recipient(api, action, fallback_room, cache)
        planned.append((action, to, why))

    def send(entry: tuple) -> dict:
        action, to, why = entry
        report = dict(action.identity(), sent=False)
        if to is None:
            return dict(report, why=why)
        report['to'] = to
        text = message_text(action, who, until if action.kind == DISABLE else None, to.startswith('@'))
        try:
            api.client.request('POST', 'chat.postMessage', json_body={'channel': to, 'text': text},
                               safe_to_retry=False)
        except RocketChatError as error:
            return dict(report, why='chat.postMessage answered %s' % (error.error_text or error.error_type or
                                                                      error.message))
        return dict(report, sent=True)

    return [entry.value for entry in run_in_order(planned, send, parallel, stop_on_failure=False)]
