# Copyright (c) 2026 chatops.rocketchat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Outgoing deliveries as Rocket.Chat records them: from what happened (the receiver's status and body, a network
error, a call still under way, what a script did), the IntegrationHistory rows that
apps/meteor/app/integrations/server/lib/triggerHandler.ts (executeTriggerUrl) leaves through updateHistory.ts.

Each attempt is one row, whose fields are the $set of every step it went through, so an earlier step's fields stay
(httpResult after the status steps, error after a script error). The double derives rows from outcomes this way and
never from what a reader expects: a test that seeds "a 204" gets exactly the row a real server writes for a 204.
"""

from __future__ import annotations

import copy
import datetime
import json
import secrets

SUCCESS_STATUSES = (200, 201, 202)  # triggerHandler's successResults
JSON_TYPES = ('application/json', 'text/javascript', 'application/javascript', 'application/x-javascript')
HISTORY_TTL = datetime.timedelta(days=30)  # IntegrationHistory: { _updatedAt: 1 }, expireAfterSeconds 30 days
STEP_GAP = datetime.timedelta(milliseconds=5)  # between a row's insert and its last step


def iso(moment: datetime.datetime) -> str:
    return moment.isoformat(timespec='milliseconds').replace('+00:00', 'Z')


def stringify(value) -> str:
    """JSON.stringify(value, null, 2), as updateHistory stores httpResult."""
    return json.dumps(value, indent=2, ensure_ascii=False)


def retry_wait(delay: str | None, tries: int) -> datetime.timedelta | None:
    """The wait before attempt tries+1 (triggerHandler's switch on retryDelay), or None for an invalid setting."""
    waits = {'powers-of-ten': 10 ** (tries + 2), 'powers-of-two': 2 ** (tries + 1) * 1000,
             'increments-of-two': (tries + 1) * 2 * 1000}
    return datetime.timedelta(milliseconds=waits[delay]) if delay in waits else None


def _data(doc: dict, message_id: str, start: datetime.datetime) -> dict:
    """mapEventArgsToData for a sendMessage event: what the receiver is sent, the integration's token included."""
    return {'token': doc.get('token'), 'bot': False, 'channel_id': 'GENERAL', 'channel_name': 'general',
            'message_id': message_id, 'timestamp': iso(start), 'user_id': 'sender-id', 'user_name': 'sender',
            'text': 'hello', 'siteUrl': 'http://localhost:3000'}


def _answered(row: dict, doc: dict, outcome: dict) -> str:
    """The .then of fetch: after-http-call with the body, the response script, then triggerHandler's checks on
    status and body. Returns 'done', 'retry' or 'gone' (a 410 with a body)."""
    content = outcome.get('body', '')
    status = int(outcome['status'])
    row.update(step='after-http-call', httpResult=stringify(content))
    script = outcome.get('script')
    if script == 'content':
        row.update(step='after-process-send-message', finished=True,
                   processSentMessage=[{'channel': '#GENERAL', 'message': {'msg': 'from the script'}}])
        return 'done'
    if script == 'false':
        row.update(step='after-process-false-result', finished=True)
        return 'done'
    if script == 'error':  # executeOutgoingScript's catch; the flow goes on with the status checks
        row.update(step='execute-script-error-running-process_outgoing_response', error=True,
                   errorStack='  Error: the script failed')
    if not content or status not in SUCCESS_STATUSES:
        if content and status == 410:
            row.update(step='after-process-http-status-410', error=True)
            return 'gone'
        if content and status == 500:
            row.update(step='after-process-http-status-500', error=True)
            return 'done'
        if doc.get('retryFailedCalls') and doc.get('retryCount'):
            return 'retry'
        row.update(step='failed-and-not-configured-to-retry', error=True)
        return 'done'
    content_type = str(outcome.get('content_type', 'text/plain')).split(';', maxsplit=1)[0]
    try:
        data = json.loads(content) if content_type in JSON_TYPES else None
    except ValueError:
        data = None
    if isinstance(data, dict) and (data.get('text') or data.get('attachments')):
        row.update(step='url-response-sent-message', finished=True,
                   resultMessage=[{'channel': '#GENERAL', 'message': {'msg': data.get('text', '')}}])
    return 'done'


def _attempt(row: dict, doc: dict, outcome: dict) -> str:
    """One executeTriggerUrl call's row, from what happened to it."""
    if outcome.get('prepare') == 'no-request':
        row.update(step='after-prepare-no-opts', finished=True)
        return 'done'
    row.update(step='pre-http-call', url=row['url'], httpCallData=row['data'])
    if outcome.get('under_way'):
        return 'done'  # the call has not answered: the row stays at pre-http-call
    if outcome.get('network_error'):
        # the .catch: a fetch error, whose enumerable fields are what storage keeps of it
        row.update(step='after-http-call', httpResult=stringify(None),
                   httpError={'name': 'FetchError', 'type': 'system', 'code': outcome['network_error'],
                              'message': 'request to %s failed, reason: %s' % (row['url'], outcome['network_error'])})
        return 'done'
    return _answered(row, doc, outcome)


def delivery_rows(doc: dict, delivery: dict, start: datetime.datetime, now: datetime.datetime) -> tuple[list, bool]:
    """The rows one message leaves (oldest first), with its retries by the hook's own settings while their time has
    come on the server's clock, and whether Rocket.Chat disabled the hook (a 410 with a body)."""
    attempts = delivery.get('attempts') or [delivery.get('outcome') or {'status': 200, 'body': 'ok'}]
    message_id = secrets.token_hex(8)
    rows, tries, moment = [], 0, start
    while True:
        row = {'_id': secrets.token_hex(12), 'type': 'outgoing-webhook', 'step': 'start-execute-trigger-url',
               'integration': copy.deepcopy(doc), 'event': doc.get('event', 'sendMessage'),
               'url': (doc.get('urls') or [''])[0], 'data': _data(doc, message_id, start), 'ranPrepareScript': True,
               '_createdAt': iso(moment), '_updatedAt': iso(moment + STEP_GAP)}
        rows.append(row)
        verdict = _attempt(row, doc, attempts[min(tries, len(attempts) - 1)])
        if verdict != 'retry':
            return rows, verdict == 'gone'
        if tries >= doc['retryCount']:
            row.update(step='too-many-retries', error=True)
            return rows, False
        wait = retry_wait(doc.get('retryDelay'), tries)
        if wait is None:
            row.update(step='failed-and-retry-delay-is-invalid', error=True, errorStack='Error: invalid retryDelay')
            return rows, False
        row.update(step='going-to-retry-%d' % (tries + 1), error=True)
        tries, moment = tries + 1, moment + wait
        if moment > now:
            return rows, False  # the retry's setTimeout has not fired yet
