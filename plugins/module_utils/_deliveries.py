# Copyright (c) 2026 chatops.rocketchat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

"""What an outgoing integration's delivery history means, read exactly as Rocket.Chat writes it.

Rocket.Chat's ``triggerHandler.ts`` writes one ``IntegrationHistory`` row per attempt through ``updateHistory.ts``,
each step a ``$set`` on the same row. What a row shows, and what it does not:

- success is HTTP 200, 201 or 202 *with a non-empty body*; an empty body (a 204 included) and any other status take
  the same error path, and the status code is stored nowhere: ``httpResult`` is ``JSON.stringify(body)``, so an
  empty body is the string ``'""'`` whatever the status was;
- a call that got no HTTP answer (refused, DNS, TLS, timeout) ends in ``.catch``: step ``after-http-call``,
  ``httpResult`` the string ``"null"``, no ``error`` flag, never retried;
- with ``retryFailedCalls`` every retry is a *new row*: ``going-to-retry-1`` ... then the last try's own outcome
  (``too-many-retries`` when they all failed), so one message can leave several failed rows;
- a response script that returns content or ``false`` ends ``finished: true`` whatever the status was, and a
  script error leaves ``error: true`` even when the receiver answered 200.

So the prune counts *deliveries*, not rows: the retries of one message count once, by their final outcome, and a
row whose outcome cannot be told is undetermined, never failed. The table of steps is in the module documentation
and the guide "Finding dead webhooks"."""

from __future__ import annotations

import datetime
import re
import typing as t
from dataclasses import dataclass

DELIVERED = 'delivered'
FAILED = 'failed'
NOT_SENT = 'not-sent'
UNDETERMINED = 'undetermined'

RETRY_STEP = re.compile(r'^going-to-retry-(\d+)$')
EMPTY_BODY = ('""', '')  # JSON.stringify('') as stored; '' from a server that stored the text as it came
NO_ANSWER = 'null'  # JSON.stringify(null): the .catch of a call that got no HTTP answer
# The receiver answered 200/201/202 with a body (Rocket.Chat then posted, or failed to post, the reply it carried).
DELIVERED_STEPS = ('url-response-sent-message', 'after-http-call-send-message-failed')
# Rocket.Chat refused the answer: a status outside 200-202, or an empty body. Failed only when a body came back.
REFUSED_STEPS = ('failed-and-not-configured-to-retry', 'too-many-retries', 'failed-and-retry-delay-is-invalid')
# The receiver answered with a body and a status Rocket.Chat acts on: 410 (it disables the hook) and 500.
STATUS_STEPS = {'after-process-http-status-410': 'HTTP 410 Gone (Rocket.Chat disabled the integration)',
                'after-process-http-status-500': 'HTTP 500'}
# A response script handled the answer: Rocket.Chat records no status, whatever it was.
SCRIPT_HANDLED_STEPS = ('after-process-send-message', 'after-process-send-message-failed', 'after-process-false-result')
# The prepare script decided to send nothing: no call reached the receiver.
NOT_SENT_STEPS = ('after-prepare-no-opts', 'after-prepare-no-url_or_method', 'after-prepare-send-message-failed')
HISTORY_DAYS = 30  # the IntegrationHistory TTL index: _updatedAt + 30 days, in every version from 6.4 to 8.x
# A cutoff must lie this far inside the kept window: the server's clock and its TTL monitor are not ours.
HISTORY_MARGIN = datetime.timedelta(days=1)


@dataclass(frozen=True)
class Attempt:
    """What one history row says: the outcome of its attempt, why, and whether a retry follows it."""

    outcome: str
    why: str
    retry: int | None = None  # n of going-to-retry-n: this attempt failed and attempt n (counted from 0) follows


@dataclass(frozen=True)
class Delivery:
    """One message to one URL: its final outcome (the newest attempt's), why, when, and how many attempts."""

    outcome: str
    why: str
    time: datetime.datetime | None
    attempts: int
    step: str


def stored_moment(value: t.Any) -> datetime.datetime | None:
    """A date as the server stores it in JSON (ISO string, or {"$date": ms} from older servers), or None."""
    if isinstance(value, dict) and '$date' in value:
        value = value['$date']
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return datetime.datetime.fromtimestamp(value / 1000.0, tz=datetime.timezone.utc)
    if isinstance(value, str) and value:
        try:
            moment = datetime.datetime.fromisoformat(value.replace('Z', '+00:00'))
        except ValueError:
            return None
        return moment if moment.tzinfo else moment.replace(tzinfo=datetime.timezone.utc)
    return None


def row_time(row: dict) -> datetime.datetime | None:
    """When the attempt started (_createdAt, set on insert), else when its row was last written."""
    return stored_moment(row.get('_createdAt')) or stored_moment(row.get('_updatedAt'))


def _answered_then_failed(error: t.Any) -> bool:
    """A Meteor.Error in httpError: thrown while Rocket.Chat handled an answer it had (posting the reply), not a
    failed call. Its enumerable fields survive storage; a fetch error's shape differs."""
    return isinstance(error, dict) and ('isClientSafe' in error or error.get('errorType') == 'Meteor.Error')


def _after_http_call(row: dict) -> Attempt:
    result = row.get('httpResult')
    if result == NO_ANSWER or (result is None and row.get('httpError')):
        if _answered_then_failed(row.get('httpError')):
            return Attempt(UNDETERMINED, 'the receiver answered, then Rocket.Chat failed while handling the answer')
        return Attempt(FAILED, 'no HTTP answer (connection refused, DNS, TLS or timeout)')
    if isinstance(result, str) and result not in EMPTY_BODY:
        return Attempt(DELIVERED, 'answered with a body')
    return Attempt(UNDETERMINED, 'the answer is still being handled (step after-http-call)')


def classify(row: dict) -> Attempt:
    """The outcome of the attempt one history row records, by its step (table in the module documentation)."""
    step = str(row.get('step') or '')
    retry = RETRY_STEP.match(step)
    body = row.get('httpResult')
    empty = not isinstance(body, str) or body in EMPTY_BODY or body == NO_ANSWER
    if retry:
        return Attempt(UNDETERMINED, 'retry %s scheduled' % retry.group(1), int(retry.group(1)))
    if step == 'after-http-call':
        return _after_http_call(row)
    if step in DELIVERED_STEPS:
        return Attempt(DELIVERED, 'answered 2xx with a body')
    if step in STATUS_STEPS:
        return Attempt(FAILED, STATUS_STEPS[step])
    if step in REFUSED_STEPS:
        if empty:
            return Attempt(UNDETERMINED, 'answered with an empty body (a 204 or an empty 2xx is recorded like an '
                                         'empty error: Rocket.Chat stores no status)')
        return Attempt(FAILED, 'answered with a status Rocket.Chat refused (%s)' % step)
    if step in SCRIPT_HANDLED_STEPS:
        return Attempt(UNDETERMINED, 'a response script handled the answer; Rocket.Chat records no status')
    if step in NOT_SENT_STEPS:
        return Attempt(NOT_SENT, 'the prepare script sent no request')
    if step.startswith('execute-script-error-running-process_outgoing_response'):
        return Attempt(UNDETERMINED, 'the response script failed; the receiver may have taken the message')
    return Attempt(UNDETERMINED, 'under way, or stopped before an answer (step %s)' % (step or 'none'))


def _key(row: dict) -> tuple:
    """What the rows of one message's attempts share: the URL and the event data (not its timestamp, which some
    events take anew on each attempt)."""
    data: dict = row['data'] if isinstance(row.get('data'), dict) else {}
    return (row.get('url'), row.get('event'), data.get('message_id'), data.get('channel_id'), data.get('user_id'),
            data.get('trigger_word'))


class DeliveryLog:
    """Deliveries from history rows read newest first, page after page: a row either ends a delivery (its newest
    attempt) or is an earlier attempt of a newer row's delivery (a going-to-retry-n row, followed by attempt n)."""

    def __init__(self):
        self.deliveries: list[Delivery] = []
        self._seen: set = set()
        # per key: newer rows still waiting for their earlier attempt, newest first: (delivery index, the retry
        # number their predecessor must carry, or None when any)
        self._waiting: dict[tuple, list[tuple[int, int | None]]] = {}

    def add(self, rows: t.Iterable[dict]) -> None:
        for row in rows:
            if row.get('_id') in self._seen:
                continue  # a row the previous page showed too: new rows arrived while reading
            self._seen.add(row.get('_id'))
            self._add(row)

    def _add(self, row: dict) -> None:
        attempt = classify(row)
        key = _key(row)
        waiting = self._waiting.setdefault(key, [])
        if attempt.retry is not None:
            # the closest newer row of the same message that may be this one's next attempt
            for position in range(len(waiting) - 1, -1, -1):
                index, wanted = waiting[position]
                if wanted in (None, attempt.retry):
                    del waiting[position]
                    self._earlier_attempt(index, attempt.retry, key)
                    return
            # no newer attempt follows: the retry is still to come (or was lost with a restart)
            attempt = Attempt(UNDETERMINED, '%s; its outcome is not recorded yet' % attempt.why, attempt.retry)
        self.deliveries.append(Delivery(attempt.outcome, attempt.why, row_time(row), 1, str(row.get('step'))))
        if attempt.retry is None:
            waiting.append((len(self.deliveries) - 1, None))
        elif attempt.retry > 1:
            waiting.append((len(self.deliveries) - 1, attempt.retry - 1))

    def _earlier_attempt(self, index: int, retry: int, key: tuple) -> None:
        delivery = self.deliveries[index]
        self.deliveries[index] = Delivery(delivery.outcome, delivery.why, delivery.time, delivery.attempts + 1,
                                          delivery.step)
        if retry > 1:  # this was attempt retry-1, itself a retry of attempt retry-2
            self._waiting[key].append((index, retry - 1))


def failing_verdict(deliveries: list[Delivery], wanted: int) -> tuple[bool | None, str]:
    """Whether the newest `wanted` deliveries all failed: True, False (one did not, or fewer were recorded), or None
    when one of them cannot be told; with why."""
    newest = deliveries[:wanted]
    if any(delivery.outcome in (DELIVERED, NOT_SENT) for delivery in newest):
        return False, ''
    if len(newest) < wanted:
        return False, ''
    open_ = [delivery for delivery in newest if delivery.outcome == UNDETERMINED]
    if open_:
        return None, 'delivery of %s: %s' % (_when(open_[0]), open_[0].why)
    return True, 'last %d deliveries failed' % wanted


def failing_streak(deliveries: list[Delivery]) -> int:
    """How many of the newest deliveries failed in a row."""
    streak = 0
    for delivery in deliveries:
        if delivery.outcome != FAILED:
            break
        streak += 1
    return streak


def history_window_start(now: datetime.datetime) -> datetime.datetime:
    """The oldest moment whose deliveries the history still shows for certain."""
    return now - datetime.timedelta(days=HISTORY_DAYS) + HISTORY_MARGIN


def idle_verdict(deliveries: list[Delivery], cutoff: datetime.datetime, created: datetime.datetime | None,
                 now: datetime.datetime) -> tuple[bool | None, str, str]:
    """Whether no delivery happened since `cutoff`: (True/False/None, what matched, why undetermined). The history
    keeps 30 days: a cutoff before that cannot be established, whatever the history holds."""
    times = [delivery.time for delivery in deliveries if delivery.time is not None]
    if times and max(times) >= cutoff:
        return False, '', ''
    if deliveries and not times:
        return None, '', 'integrations.history rows carry no date'
    if cutoff < history_window_start(now):
        return None, '', ('Rocket.Chat keeps delivery history %d days (a TTL index on _updatedAt), so it cannot show '
                          'whether the hook delivered between %s and %s; use idle_since of %dd or less'
                          % (HISTORY_DAYS, cutoff.date().isoformat(), history_window_start(now).date().isoformat(),
                             HISTORY_DAYS - HISTORY_MARGIN.days))
    if times:
        return True, 'no delivery since %s (last %s)' % (cutoff.date().isoformat(), max(times).date().isoformat()), ''
    if created is None:
        return None, '', 'the integration has no _createdAt'
    if created >= cutoff:
        return False, '', ''
    text = 'no delivery recorded since %s (created %s)' % (cutoff.date().isoformat(), created.date().isoformat())
    return True, text, ''


def _when(delivery: Delivery) -> str:
    return delivery.time.isoformat() if delivery.time else 'unknown time'
