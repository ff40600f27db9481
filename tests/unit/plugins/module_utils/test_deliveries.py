# Copyright (c) 2026 chatops.rocketchat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Delivery history read as Rocket.Chat writes it (triggerHandler.ts through updateHistory.ts): each row shape here
is the $set of the steps a real server goes through for that outcome."""

from __future__ import annotations

import datetime

import pytest

from ansible_collections.chatops.rocketchat.plugins.module_utils._deliveries import (
    DELIVERED,
    FAILED,
    NOT_SENT,
    UNDETERMINED,
    DeliveryLog,
    classify,
    failing_streak,
    failing_verdict,
    idle_verdict,
)

NOW = datetime.datetime(2026, 6, 1, tzinfo=datetime.timezone.utc)


def row(step, at='2026-05-31T00:00:00.000Z', message='m1', **fields):
    """One IntegrationHistory row as the server answers it: the fields every step leaves, and this outcome's."""
    base = {'_id': '%s-%s-%s' % (step, message, at), 'type': 'outgoing-webhook', 'step': step, 'event': 'sendMessage',
            'url': 'https://receiver.example.com/hook', 'ranPrepareScript': True,
            'data': {'token': 'outgoing-secret', 'message_id': message, 'channel_id': 'GENERAL'},
            '_createdAt': at, '_updatedAt': at}
    base.update(fields)
    return base


# 200/201/202 with a body: the success path writes after-http-call with JSON.stringify(body), and nothing after it
OK_200 = row('after-http-call', httpResult='"ok"')
REPLY_POSTED = row('url-response-sent-message', httpResult='{\n  "text": "hi"\n}', finished=True)
REPLY_NOT_POSTED = row('after-http-call-send-message-failed', httpResult='{"text":"hi"}', finished=True)
# An empty body takes the error path whatever the status: a 204, an empty 200 and an empty 503 leave this same row
EMPTY_BODY = row('failed-and-not-configured-to-retry', httpResult='""', error=True)
REFUSED_503 = row('failed-and-not-configured-to-retry', httpResult='"Service Unavailable"', error=True)
REFUSED_203 = row('failed-and-not-configured-to-retry', httpResult='"non-authoritative"', error=True)
HTTP_500 = row('after-process-http-status-500', httpResult='"boom"', error=True)
GONE_410 = row('after-process-http-status-410', httpResult='"gone"', error=True)
# no HTTP answer: the .catch writes httpError and JSON.stringify(null), no error flag
REFUSED_CONNECTION = row('after-http-call', httpResult='null',
                         httpError={'name': 'FetchError', 'type': 'system', 'code': 'ECONNREFUSED'})
ERROR_STORED_EMPTY = row('after-http-call', httpResult='null', httpError={})
# a Meteor.Error thrown while Rocket.Chat posted the reply the receiver sent lands in the same .catch
REPLY_THREW = row('after-http-call', httpResult='null',
                  httpError={'isClientSafe': True, 'error': 'error-invalid-channel', 'errorType': 'Meteor.Error'})
SCRIPT_ERROR_AFTER_200 = row('execute-script-error-running-process_outgoing_response', httpResult='"ok"',
                             error=True, errorStack='  Error: boom')
SCRIPT_HANDLED = row('after-process-send-message', httpResult='"whatever"', finished=True)
SCRIPT_FALSE = row('after-process-false-result', httpResult='"whatever"', finished=True)
PREPARE_SENT_NOTHING = row('after-prepare-no-opts', finished=True)
UNDER_WAY = row('pre-http-call', httpCallData={'text': 'hello'})
JUST_STARTED = row('start-execute-trigger-url')


@pytest.mark.parametrize('history_row, outcome', [
    (OK_200, DELIVERED), (REPLY_POSTED, DELIVERED), (REPLY_NOT_POSTED, DELIVERED),
    (EMPTY_BODY, UNDETERMINED), (REFUSED_503, FAILED), (REFUSED_203, FAILED), (HTTP_500, FAILED), (GONE_410, FAILED),
    (REFUSED_CONNECTION, FAILED), (ERROR_STORED_EMPTY, FAILED), (REPLY_THREW, UNDETERMINED),
    (SCRIPT_ERROR_AFTER_200, UNDETERMINED), (SCRIPT_HANDLED, UNDETERMINED), (SCRIPT_FALSE, UNDETERMINED),
    (PREPARE_SENT_NOTHING, NOT_SENT), (UNDER_WAY, UNDETERMINED), (JUST_STARTED, UNDETERMINED),
    (row('after-http-call', httpResult='""'), UNDETERMINED),
    (row('too-many-retries', httpResult='"down"', error=True), FAILED),
    (row('too-many-retries', httpResult='""', error=True), UNDETERMINED),
])
def test_each_step_counts_as_the_documented_table_says(history_row, outcome):
    assert classify(history_row).outcome == outcome


def deliveries(rows):
    log = DeliveryLog()
    log.add(rows)
    return log.deliveries


def retried(message, *steps, start_minute=0, final_body='"down"'):
    """The rows of one message's attempts, newest first (the server's order), each its own row."""
    rows = []
    for index, step in enumerate(steps):
        at = '2026-05-31T00:%02d:%02d.000Z' % (start_minute, index)
        rows.append(row(step, at=at, message=message, httpResult=final_body if step != 'after-http-call' else '"ok"',
                        error=step != 'after-http-call'))
    return list(reversed(rows))


def test_retries_of_one_message_count_once_by_their_final_outcome():
    # one message during an outage: five failed rows, one delivery
    outage = retried('m1', 'going-to-retry-1', 'going-to-retry-2', 'going-to-retry-3', 'going-to-retry-4',
                     'too-many-retries')
    found = deliveries(outage)
    assert len(found) == 1 and found[0].outcome == FAILED and found[0].attempts == 5
    recovered = retried('m2', 'going-to-retry-1', 'going-to-retry-2', 'after-http-call', start_minute=5)
    found = deliveries(recovered + outage)
    assert [(item.outcome, item.attempts) for item in found] == [(DELIVERED, 3), (FAILED, 5)]


def test_interleaved_messages_pair_each_retry_with_its_own_message():
    rows = [row('after-http-call', at='2026-05-31T00:00:05.000Z', message='a', httpResult='"ok"'),
            row('after-http-call', at='2026-05-31T00:00:04.000Z', message='b', httpResult='"ok"'),
            row('going-to-retry-1', at='2026-05-31T00:00:03.000Z', message='a', httpResult='"down"', error=True),
            row('too-many-retries', at='2026-05-31T00:00:02.000Z', message='c', httpResult='"down"', error=True),
            row('going-to-retry-1', at='2026-05-31T00:00:01.000Z', message='c', httpResult='"down"', error=True)]
    found = [(item.outcome, item.attempts) for item in deliveries(rows)]
    assert found == [(DELIVERED, 2), (DELIVERED, 1), (FAILED, 2)]


def test_a_retry_not_yet_run_leaves_its_delivery_undetermined():
    pending = row('going-to-retry-2', at='2026-05-31T00:00:09.000Z', message='x', httpResult='"down"', error=True)
    found = deliveries([pending, row('going-to-retry-1', at='2026-05-31T00:00:08.000Z', message='x',
                                     httpResult='"down"', error=True), REFUSED_503])
    assert [item.outcome for item in found] == [UNDETERMINED, FAILED]
    assert 'retry 2 scheduled' in found[0].why and found[0].attempts == 2


def test_a_row_read_twice_across_pages_counts_once():
    log = DeliveryLog()
    log.add([OK_200, HTTP_500])
    log.add([HTTP_500, REFUSED_503])
    assert len(log.deliveries) == 3


@pytest.mark.parametrize('newest, wanted, verdict', [
    ([HTTP_500, REFUSED_CONNECTION, GONE_410], 3, True),
    ([HTTP_500, OK_200, HTTP_500], 3, False),
    ([HTTP_500, HTTP_500], 3, False),  # fewer recorded than asked for
    ([HTTP_500, EMPTY_BODY, HTTP_500], 3, None),  # a 204 is not a failure Rocket.Chat can tell
    ([HTTP_500, SCRIPT_ERROR_AFTER_200, HTTP_500], 3, None),
    ([UNDER_WAY, HTTP_500, HTTP_500], 3, None),
    ([EMPTY_BODY, OK_200, HTTP_500], 3, False),  # one delivered decides, whatever else is open
    ([HTTP_500, HTTP_500, EMPTY_BODY], 2, True),  # only the newest N count
])
def test_failing_counts_deliveries_and_never_fails_an_undetermined_one(newest, wanted, verdict):
    rows = [dict(item, _id='r%d' % index, data={'message_id': 'm%d' % index}) for index, item in enumerate(newest)]
    assert failing_verdict(deliveries(rows), wanted)[0] is verdict


def test_failing_streak_stops_at_the_first_delivery_that_did_not_fail():
    rows = [dict(item, _id='r%d' % index, data={'message_id': 'm%d' % index})
            for index, item in enumerate([HTTP_500, REFUSED_CONNECTION, EMPTY_BODY, HTTP_500])]
    assert failing_streak(deliveries(rows)) == 2


CREATED_LONG_AGO = datetime.datetime(2025, 1, 1, tzinfo=datetime.timezone.utc)


def at(days_ago):
    return (NOW - datetime.timedelta(days=days_ago)).isoformat()


@pytest.mark.parametrize('rows, cutoff_days, created, verdict', [
    ([], 7, CREATED_LONG_AGO, True),  # nothing in the 30 days the server keeps, and the cutoff lies inside them
    ([], 90, CREATED_LONG_AGO, None),  # an empty history proves nothing about the time before the last 30 days
    ([], 29, CREATED_LONG_AGO, True),
    ([], 30, CREATED_LONG_AGO, None),  # not inside the window with the clock margin
    ([], 7, NOW - datetime.timedelta(days=2), False),  # created after the cutoff: not idle since then
    ([row('after-http-call', at=at(10), httpResult='"ok"')], 7, CREATED_LONG_AGO, True),
    ([row('after-http-call', at=at(3), httpResult='"ok"')], 7, CREATED_LONG_AGO, False),
    ([row('after-http-call', at=at(3), httpResult='"ok"')], 90, CREATED_LONG_AGO, False),  # a newer one decides
    ([row('failed-and-not-configured-to-retry', at=at(3), httpResult='""', error=True)], 7, CREATED_LONG_AGO, False),
])
def test_idle_since_is_established_only_inside_the_history_the_server_keeps(rows, cutoff_days, created, verdict):
    cutoff = NOW - datetime.timedelta(days=cutoff_days)
    matched, _text, why = idle_verdict(deliveries(rows), cutoff, created, NOW)
    assert matched is verdict
    if verdict is None:
        assert 'keeps delivery history 30 days' in why
