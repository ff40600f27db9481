# Copyright (c) 2026 chatops.rocketchat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The real-server behaviours of tests/rocketchat_double/README.md ("Real-server behaviours") that break naive clients, each checked over
real HTTP against the double, so that a module fix can be proven against them."""

from __future__ import annotations

import email.utils
import time

import pytest
import requests

from test_conformance import incoming, outgoing  # pylint: disable=import-error


def seed(double, count):
    return double.control.seed([{'name': 'same-%03d' % index, 'type': 'webhook-incoming'} for index in range(count)])


def page_ids(admin, **params):
    return [doc['_id'] for doc in admin.get('integrations.list', **params).json()['integrations']]


def all_pages(admin, **params):
    seen = []
    for offset in range(0, 250, 100):
        seen += page_ids(admin, offset=offset, count=100, **params)
    return seen


def test_paging_without_a_sort_repeats_and_misses(double, admin):
    ids = seed(double, 250)
    rounds = [all_pages(admin) for dummy in range(3)]
    assert any(len(set(seen)) < len(ids) for seen in rounds), 'ties come back in a new order on every request'


def test_paging_sorted_by_id_is_stable_and_complete(double, admin):
    ids = seed(double, 250)
    for direction in (1, -1):
        seen = all_pages(admin, sort='{"_id":%d}' % direction)
        assert seen == sorted(ids, reverse=direction == -1)


def test_count_zero_returns_everything_at_once(double, admin):
    ids = seed(double, 250)
    answer = admin.get('integrations.list', count=0).json()
    assert sorted(doc['_id'] for doc in answer['integrations']) == sorted(ids) and answer['total'] == 250


def test_server_clock_sets_date_and_rate_limit_reset(double, admin, make_user):
    double.control.call('POST', 'clock', {'offset_seconds': -30})
    double.control.rate_limit(enabled=True, limit=5, interval_ms=10000)
    user = make_user('clocked', permissions=['manage-incoming-integrations', 'manage-outgoing-integrations'])
    answer = user.get('integrations.list')
    server_now = email.utils.parsedate_to_datetime(answer.headers['Date']).timestamp()
    assert server_now == pytest.approx(time.time() - 30, abs=2)
    assert int(answer.headers['X-RateLimit-Reset']) / 1000 == pytest.approx(time.time() - 30 + 10, abs=2)


def test_login_is_rate_limited_and_nothing_bypasses_it(double):
    double.control.add_user('boss', password='boss-password', roles=['admin', 'user'])
    double.control.rate_limit(enabled=True, limit=3, interval_ms=60000)
    answers = [requests.post(double.url + '/api/v1/login', json={'user': 'boss', 'password': 'boss-password'},
                             timeout=10) for dummy in range(4)]
    assert [answer.status_code for answer in answers] == [200, 200, 200, 429]
    assert 'You must wait' in answers[-1].json()['error'] and 'X-RateLimit-Reset' in answers[-1].headers


@pytest.mark.parametrize('dialect, body', [
    ('v-b', {'success': False, 'status': 'error', 'error': 'totp-required', 'message': 'TOTP Required'}),
    ('v-c', {'success': False, 'error': 'unauthorized'}),
])
def test_two_factor_login(double, dialect, body):
    double.control.call('POST', 'dialect', {'dialect': dialect})
    double.control.add_user('guarded', password='guarded-password', roles=['user'])
    double.control.call('POST', 'two_factor', {'username': 'guarded', 'method': 'email', 'code': '424242'})
    login = {'user': 'guarded', 'password': 'guarded-password'}
    refused = requests.post(double.url + '/api/v1/login', json=login, timeout=10)
    assert refused.status_code == 401
    assert {key: refused.json()[key] for key in body} == body
    if dialect == 'v-b':
        assert refused.json()['details']['method'] == 'email'
    accepted = requests.post(double.url + '/api/v1/login', json=dict(login, code='424242'), timeout=10)
    assert accepted.status_code == 200 and accepted.json()['data']['authToken']


def test_outgoing_normalisation(admin):
    created = admin.post('integrations.create', outgoing(
        event='roomJoined', channel=' #general , ', triggerWords=['!go'], urls=[' http://a.invalid/x ', '  '],
        retryFailedCalls=True, retryCount=0, retryDelay='Powers-Of-Two')).json()['integration']
    assert created['channel'] == ['#general'], 'items trimmed, blanks dropped'
    assert 'triggerWords' not in created, 'trigger words only for sendMessage'
    assert created['urls'] == [' http://a.invalid/x '], 'blank urls dropped, the others kept as sent'
    assert created['retryCount'] == 4 and created['retryDelay'] == 'powers-of-two'
    archived = admin.post('integrations.create', outgoing('out-2', event='roomCreated', channel='#general')).json()
    assert archived['integration']['channel'] == []
    words = admin.post('integrations.create', outgoing('out-3', triggerWords=['!a', ' '])).json()['integration']
    assert words['triggerWords'] == ['!a']


@pytest.mark.parametrize('event', ['messageEdited', 'messageDeleted', 'sendmessage'])
def test_only_the_seven_released_events(admin, event):
    answer = admin.post('integrations.create', outgoing(event=event))
    assert answer.status_code == 400 and answer.json()['errorType'] == 'error-invalid-event-type'


@pytest.mark.parametrize('channel', ['all_public_channels', 'all_private_groups', 'all_direct_messages'])
def test_scoped_outgoing_channels(admin, channel):
    answer = admin.post('integrations.create', outgoing(channel=channel))
    assert answer.status_code == 200 and answer.json()['integration']['channel'] == [channel]


def test_update_keeps_what_it_leaves_out(admin):
    created = admin.post('integrations.create', incoming(alias='keep-alias', emoji=':ghost:', script='x = 1')).json()
    body = {key: value for key, value in incoming().items() if key not in ('alias', 'username')}
    updated = admin.put('integrations.update', dict(body, integrationId=created['integration']['_id'], name='renamed'))
    doc = updated.json()['integration']
    assert (doc['name'], doc['alias'], doc['emoji'], doc['script']) == ('renamed', 'keep-alias', ':ghost:', 'x = 1')


@pytest.mark.parametrize('dialect, expected', [('v-b', 'other-bot'), ('v-c', 'other-bot'), ('v-a', 'rocket.cat')])
def test_incoming_post_as_user_on_update(double, admin, dialect, expected):
    double.control.call('POST', 'dialect', {'dialect': dialect})
    double.control.add_user('other-bot', roles=['bot'])
    created = admin.post('integrations.create', incoming()).json()['integration']
    updated = admin.put('integrations.update', dict(incoming(username='other-bot'), integrationId=created['_id']))
    assert updated.status_code == 200 and updated.json()['integration']['username'] == expected


def test_own_only_update_of_someone_elses_integration(double, admin, make_user):
    theirs_in = admin.post('integrations.create', incoming()).json()['integration']['_id']
    theirs_out = admin.post('integrations.create', outgoing(token='t0ken-value')).json()['integration']['_id']
    user = make_user('owner', permissions=['manage-own-incoming-integrations', 'manage-own-outgoing-integrations'])
    answer_in = user.put('integrations.update', dict(incoming(), integrationId=theirs_in)).json()
    answer_out = user.put('integrations.update', dict(outgoing(token='t0ken-value'), integrationId=theirs_out)).json()
    assert answer_in['errorType'] == 'error-invalid-integration'
    assert answer_out['errorType'] == 'invalid_integration'


def test_8x_dialect_bodies(double, make_user):
    double.control.call('POST', 'dialect', {'dialect': 'v-c'})
    unauthenticated = requests.get(double.url + '/api/v1/integrations.list', timeout=10)
    assert unauthenticated.status_code == 401
    assert unauthenticated.json() == {'success': False, 'error': 'You must be logged in to do this.'}
    nobody = make_user('nobody')
    denied = nobody.get('integrations.list')
    assert denied.status_code == 403 and denied.json()['error'].endswith('[error-forbidden]')
    invalid = nobody.get('integrations.get')
    assert invalid.json() == {'success': False, 'errorType': 'error-invalid-params',
                              'error': "must have required property 'integrationId'"}


def test_unknown_routes_answer_html_404(admin):
    answer = admin.get('integrations.nothing')
    assert answer.status_code == 404 and answer.headers['Content-Type'].startswith('text/html')


@pytest.mark.parametrize('field', ['name', 'channel', 'enabled', 'scriptEnabled', 'type'])
def test_non_nullable_fields_reject_null(admin, field):
    answer = admin.post('integrations.create', incoming(**{field: None}))
    assert answer.status_code == 400 and answer.json()['errorType'] == 'invalid-params'


def test_null_is_fine_where_the_schema_allows_it(admin):
    answer = admin.post('integrations.create', incoming(alias=None, emoji=None))
    assert answer.status_code == 200 and 'emoji' not in answer.json()['integration']


def test_list_accepts_a_json_query(double, admin):
    double.control.seed([{'name': 'wanted'}, {'name': 'other'}])
    answer = admin.get('integrations.list', query='{"name": "wanted"}')
    assert answer.status_code == 200 and [doc['name'] for doc in answer.json()['integrations']] == ['wanted']


@pytest.mark.parametrize('status', [301, 308])
def test_a_redirecting_front(tmp_path, status):
    from rocketchat_double.launcher import RunningDouble  # pylint: disable=import-outside-toplevel
    with RunningDouble(str(tmp_path / 'front'), idle_timeout=60, redirect_status=status) as fronted:
        answer = requests.post(fronted.redirect_url + '/api/v1/integrations.remove?x=1', json={}, timeout=10,
                               allow_redirects=False)
        assert answer.status_code == status
        assert answer.headers['Location'] == fronted.url + '/api/v1/integrations.remove?x=1'
        assert answer.headers['Content-Type'] == 'text/html'
        assert fronted.control.requests() == [], 'the front answered; the server saw nothing'
