# Copyright (c) 2026 chatops.rocketchat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The double records outgoing deliveries from what happened, through the same steps as Rocket.Chat's
triggerHandler.ts and updateHistory.ts (tests/rocketchat_double/README.md, "Deliveries"): what a real server's
integrations.history shows for each outcome, retries, a 410, expiry and clearing."""

from __future__ import annotations

import datetime
import time

import pytest

from test_conformance import outgoing  # pylint: disable=import-error

from rocketchat_double.store import Store

VOLATILE = ('_id', '_createdAt', '_updatedAt', 'data', 'httpCallData', 'integration')


def ago(seconds):
    return (datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(seconds=seconds)).isoformat()


def record(double, hook_id, *deliveries):
    return double.control.call('POST', 'deliveries', {'integration_id': hook_id, 'deliveries': list(deliveries)})


def history(admin, hook_id, **params):
    return admin.get('integrations.history', id=hook_id, **params).json()


@pytest.fixture
def hook(admin):
    return admin.post('integrations.create', outgoing()).json()['integration']


@pytest.fixture
def retrying_hook(admin):
    return admin.post('integrations.create', dict(outgoing(), retryFailedCalls=True, retryCount=4,
                                                  retryDelay='powers-of-ten')).json()['integration']


def stable(row):
    return {key: value for key, value in row.items() if key not in VOLATILE}


def test_success_is_a_2xx_with_a_body_and_stores_no_status(double, admin, hook):
    record(double, hook['_id'], {'outcome': {'status': 201, 'body': 'created'}})
    row = history(admin, hook['_id'])['history'][0]
    assert row['step'] == 'after-http-call' and row['httpResult'] == '"created"'
    assert 'error' not in row and 'httpError' not in row and 'finished' not in row
    assert not any('201' in str(value) for value in row.values()), 'the status code is stored nowhere'


def test_a_json_reply_with_text_is_posted_and_finishes(double, admin, hook):
    record(double, hook['_id'], {'outcome': {'status': 200, 'body': '{"text": "done"}',
                                             'content_type': 'application/json; charset=utf-8'}},
           {'outcome': {'status': 200, 'body': '{"text": "done"}', 'content_type': 'text/html'}})
    rows = history(admin, hook['_id'])['history']
    steps = [(row['step'], row.get('finished')) for row in rows]
    assert steps == [('after-http-call', None), ('url-response-sent-message', True)]


def test_a_204_an_empty_200_and_an_empty_503_leave_identical_rows(double, admin, hook):
    record(double, hook['_id'], {'outcome': {'status': 204, 'body': ''}}, {'outcome': {'status': 200, 'body': ''}},
           {'outcome': {'status': 503, 'body': ''}})
    rows = history(admin, hook['_id'])['history']
    assert len(rows) == 3 and stable(rows[0]) == stable(rows[1]) == stable(rows[2])
    assert rows[0]['step'] == 'failed-and-not-configured-to-retry' and rows[0]['httpResult'] == '""'
    assert rows[0]['error'] is True


def test_another_2xx_with_a_body_takes_the_error_path(double, admin, hook):
    record(double, hook['_id'], {'outcome': {'status': 203, 'body': 'not quite'}})
    row = history(admin, hook['_id'])['history'][0]
    assert (row['step'], row['error'], row['httpResult']) == ('failed-and-not-configured-to-retry', True,
                                                              '"not quite"')


def test_no_http_answer_is_the_catch_without_an_error_flag(double, admin, hook):
    record(double, hook['_id'], {'outcome': {'network_error': 'ECONNREFUSED'}})
    row = history(admin, hook['_id'])['history'][0]
    assert row['step'] == 'after-http-call' and row['httpResult'] == 'null' and row['httpError']
    assert 'error' not in row


def test_a_410_with_a_body_disables_the_integration(double, admin, hook):
    time.sleep(0.01)  # millisecond timestamps: the delivery comes after the create
    record(double, hook['_id'], {'outcome': {'status': 410, 'body': 'gone'}, 'at': ago(0)})
    row = history(admin, hook['_id'])['history'][0]
    assert (row['step'], row['error']) == ('after-process-http-status-410', True)
    stored = admin.get('integrations.get', integrationId=hook['_id']).json()['integration']
    assert stored['enabled'] is False and stored['_updatedAt'] > hook['_updatedAt']


def test_a_410_without_a_body_does_not(double, admin, hook):
    record(double, hook['_id'], {'outcome': {'status': 410, 'body': ''}})
    assert history(admin, hook['_id'])['history'][0]['step'] == 'failed-and-not-configured-to-retry'
    assert admin.get('integrations.get', integrationId=hook['_id']).json()['integration']['enabled'] is True


def test_every_retry_is_a_row_of_its_own(double, admin, retrying_hook):
    """One message during an outage: going-to-retry-1 .. -4, then too-many-retries, all error: true."""
    record(double, retrying_hook['_id'], {'outcome': {'status': 503, 'body': 'down'}, 'at': ago(3600)})
    rows = history(admin, retrying_hook['_id'])['history']
    assert [row['step'] for row in rows] == ['too-many-retries', 'going-to-retry-4', 'going-to-retry-3',
                                             'going-to-retry-2', 'going-to-retry-1']
    assert all(row['error'] is True for row in rows)
    assert len({row['data']['message_id'] for row in rows}) == 1


def test_a_retry_that_succeeds_ends_its_message_with_a_success_row(double, admin, retrying_hook):
    attempts = [{'status': 502, 'body': 'bad gateway'}, {'status': 200, 'body': 'ok'}]
    record(double, retrying_hook['_id'], {'attempts': attempts, 'at': ago(60)})
    rows = history(admin, retrying_hook['_id'])['history']
    assert [row['step'] for row in rows] == ['after-http-call', 'going-to-retry-1']


def test_a_retry_whose_time_has_not_come_leaves_the_row_waiting(double, admin, retrying_hook):
    # powers-of-ten: 100 ms, 1 s, 10 s, 100 s; a message a minute ago has had three retries
    record(double, retrying_hook['_id'], {'outcome': {'status': 503, 'body': 'down'}, 'at': ago(60)})
    steps = [row['step'] for row in history(admin, retrying_hook['_id'])['history']]
    assert steps == ['going-to-retry-4', 'going-to-retry-3', 'going-to-retry-2', 'going-to-retry-1']


def test_script_outcomes(double, admin, hook):
    record(double, hook['_id'], {'outcome': {'status': 200, 'body': 'ok', 'script': 'error'}},
           {'outcome': {'status': 503, 'body': 'down', 'script': 'content'}},
           {'outcome': {'status': 503, 'body': 'down', 'script': 'false'}},
           {'outcome': {'prepare': 'no-request'}}, {'outcome': {'under_way': True}})
    rows = list(reversed(history(admin, hook['_id'])['history']))
    assert [(row['step'], row.get('error'), row.get('finished')) for row in rows] == [
        ('execute-script-error-running-process_outgoing_response', True, None),
        ('after-process-send-message', None, True), ('after-process-false-result', None, True),
        ('after-prepare-no-opts', None, True), ('pre-http-call', None, None)]


def test_rows_carry_the_integrations_token(double, admin):
    hook = admin.post('integrations.create', dict(outgoing(), token='row-token-123')).json()['integration']
    record(double, hook['_id'], {'outcome': {'status': 200, 'body': 'ok'}})
    row = history(admin, hook['_id'])['history'][0]
    assert row['integration']['token'] == row['data']['token'] == 'row-token-123'


def test_history_expires_thirty_days_after_updated_at_on_the_servers_clock(double, admin, hook):
    record(double, hook['_id'], {'outcome': {'status': 200, 'body': 'ok'}})
    assert history(admin, hook['_id'])['total'] == 1
    double.control.call('POST', 'clock', {'offset_seconds': 29 * 86400})
    assert history(admin, hook['_id'])['total'] == 1
    double.control.call('POST', 'clock', {'offset_seconds': 31 * 86400})
    assert history(admin, hook['_id'])['total'] == 0


def test_clearing_leaves_no_trace(double, admin, hook):
    record(double, hook['_id'], {'outcome': {'status': 200, 'body': 'ok'}})
    before = admin.get('integrations.get', integrationId=hook['_id']).json()['integration']
    double.control.call('POST', 'clear_history', {'integration_id': hook['_id']})
    assert history(admin, hook['_id'])['total'] == 0
    assert admin.get('integrations.get', integrationId=hook['_id']).json()['integration'] == before


@pytest.mark.parametrize('dialect', ['v-b', 'v-c'])
def test_clear_history_over_rest_from_8_7(double, admin, hook, make_user, dialect):
    double.control.call('POST', 'dialect', {'dialect': dialect})
    record(double, hook['_id'], {'outcome': {'status': 200, 'body': 'ok'}})
    answer = admin.post('integrations.clearHistory', {'integrationId': hook['_id']})
    if dialect == 'v-b':
        assert answer.status_code == 404 and history(admin, hook['_id'])['total'] == 1
        return
    assert answer.json() == {'success': True} and history(admin, hook['_id'])['total'] == 0
    own_only = make_user('own', permissions=['manage-own-outgoing-integrations'])
    refused = own_only.post('integrations.clearHistory', {'integrationId': hook['_id']}).json()
    assert refused['errorType'] == 'error-invalid-integration'


def test_age_moves_stored_dates_into_the_past(double, admin, hook):
    record(double, hook['_id'], {'outcome': {'status': 200, 'body': 'ok'}})
    before = admin.get('integrations.get', integrationId=hook['_id']).json()['integration']['_updatedAt']
    double.control.call('POST', 'age', {'days': 10})
    after = admin.get('integrations.get', integrationId=hook['_id']).json()['integration']['_updatedAt']
    moved = datetime.datetime.fromisoformat(before.replace('Z', '+00:00')) - datetime.datetime.fromisoformat(
        after.replace('Z', '+00:00'))
    assert moved == datetime.timedelta(days=10) and history(admin, hook['_id'])['total'] == 1
    double.control.call('POST', 'age', {'days': 25})
    assert history(admin, hook['_id'])['total'] == 0, 'past the 30 days the history keeps'


def test_two_removes_of_one_found_integration_both_succeed():
    """The route finds, then the method deletes by id: a second remove that found it before the first deleted it
    succeeds too (deleteIncomingIntegration.ts)."""
    store = Store()
    admin = store.add_user('root', roles=['admin'])
    doc = store.create(admin, {'type': 'webhook-incoming', 'name': 'x', 'enabled': True, 'username': 'rocket.cat',
                               'scriptEnabled': False, 'channel': '#general'})
    found_by_both = store.find(doc['_id'])
    assert store.remove(admin, found_by_both, 'webhook-incoming')['_id'] == doc['_id']
    assert store.remove(admin, found_by_both, 'webhook-incoming')['_id'] == doc['_id']
    assert store.find(doc['_id']) is None
