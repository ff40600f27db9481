# Copyright (c) 2026 chatops.rocketchat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The modules against the double's real-server behaviours (tests/rocketchat_double/README.md, "Real-server behaviours"): unstable
paging, a server clock that differs from ours, rate-limited login, two-factor authentication, and credentials
from two places. Real `ansible` runs, the server checked afterwards."""

from __future__ import annotations

import time

import pytest

from adhoc import connection_for, run_ad_hoc

OWN = ['manage-own-incoming-integrations', 'manage-own-outgoing-integrations']


def names(double) -> list[str]:
    return sorted(doc['name'] for doc in double.control.integrations())


def test_a_prune_over_unstable_pages_removes_exactly_the_plan(double, admin):
    double.control.seed([{'name': 'page-%03d' % index} for index in range(260)])
    run = run_ad_hoc('rocketchat_integration_prune', {'exclusive': True, 'keep': [{'name_regex': '[02468]$'}],
                                                      'max_removals': 200}, admin)
    assert not run.failed, run.msg
    assert len(run.result['removed']) == 130 and len({item['id'] for item in run.result['removed']}) == 130
    assert names(double) == ['page-%03d' % index for index in range(0, 260, 2)]


def test_a_name_lookup_over_unstable_pages_never_misses(double, admin):
    double.control.seed([{'name': 'hook-%03d' % index} for index in range(250)])
    for index in (0, 120, 249):
        run = run_ad_hoc('rocketchat_integration', {'type': 'webhook-incoming', 'name': 'hook-%03d' % index,
                                                    'username': 'rocket.cat', 'channel': ['#general']}, admin)
        assert not run.failed and not run.changed, 'found, not created again'
    assert len(double.control.integrations()) == 250


def prune_rate_limited(double, offset_seconds: float) -> float:
    double.control.call('POST', 'reset', {})
    double.control.call('POST', 'clock', {'offset_seconds': offset_seconds})
    user = double.control.add_user('paced', roles=['user'], permissions=OWN)
    double.control.seed([{'name': 'paced-%02d' % index} for index in range(15)], created_by='paced')
    double.control.rate_limit(enabled=True, limit=5, interval_ms=2000)
    started = time.monotonic()
    run = run_ad_hoc('rocketchat_integration_prune', {'exclusive': True, 'max_removals': 20},
                     connection_for(double, user))
    elapsed = time.monotonic() - started
    assert not run.failed, run.msg
    assert names(double) == []
    return elapsed


def test_rate_limits_on_a_server_whose_clock_is_off(double):
    unskewed = prune_rate_limited(double, 0)
    behind = prune_rate_limited(double, -5)
    ahead = prune_rate_limited(double, 20)
    print('prune of 15 at 5 calls / 2 s: unskewed %.1f s, server 5 s behind %.1f s, 20 s ahead %.1f s'
          % (unskewed, behind, ahead))
    assert ahead <= 1.3 * unskewed + 1.0, 'the skew itself is not sat out'


def test_many_password_logins_wait_for_the_login_limit(double):
    double.control.add_user('loginner', password='loginner-password', roles=['admin', 'user'])
    double.control.rate_limit(enabled=True, limit=3, interval_ms=3000)
    login = {'ROCKETCHAT_URL': double.url, 'ROCKETCHAT_USERNAME': 'loginner', 'ROCKETCHAT_PASSWORD': 'loginner-password'}
    runs = [run_ad_hoc('rocketchat_integration_info', {}, login) for dummy in range(5)]
    assert [run.failed for run in runs] == [False] * 5, [run.msg for run in runs]
    logins = [entry['status'] for entry in double.control.requests() if entry['path'] == '/api/v1/login']
    assert logins.count(200) == 5


@pytest.mark.parametrize('dialect, words', [
    ('v-b', ['two-factor authentication by email']),
    ('v-c', ['login_user/login_password is wrong', 'two-factor authentication']),
])
def test_two_factor_login_fails_with_a_message_that_says_so(double, dialect, words):
    double.control.call('POST', 'dialect', {'dialect': dialect})
    double.control.add_user('second', password='second-password', roles=['admin', 'user'])
    double.control.call('POST', 'two_factor', {'username': 'second', 'method': 'email', 'code': '777777'})
    login = {'ROCKETCHAT_URL': double.url, 'ROCKETCHAT_USERNAME': 'second', 'ROCKETCHAT_PASSWORD': 'second-password'}
    run = run_ad_hoc('rocketchat_integration_info', {}, login)
    assert run.failed and all(word in run.msg for word in words) and 'Personal access tokens' in run.msg
    assert 'second-password' not in run.stdout + run.stderr


def test_credentials_given_as_arguments_win_over_the_environment(double):
    mine = double.control.add_user('mine', roles=['user'], permissions=OWN)
    theirs = double.control.add_user('theirs', roles=['user'], permissions=OWN)
    double.control.seed([{'name': 'my-hook'}], created_by='mine')
    double.control.seed([{'name': 'their-hook'}], created_by='theirs')
    run = run_ad_hoc('rocketchat_integration_info', {'user_id': mine['user']['_id'], 'auth_token': mine['authToken']},
                     connection_for(double, theirs))
    assert not run.failed, run.msg
    assert [doc['name'] for doc in run.result['integrations']] == ['my-hook']


def test_a_token_with_a_trailing_newline_works_and_never_shows(double):
    user = double.control.add_user('newline', roles=['admin', 'user'])
    connection = dict(connection_for(double, user), ROCKETCHAT_AUTH_TOKEN=user['authToken'] + '\n')
    run = run_ad_hoc('rocketchat_integration_info', {}, connection, extra=('-vvv',))
    assert not run.failed, run.msg
    assert user['authToken'] not in run.stdout + run.stderr


OUTGOING = {'type': 'webhook-outgoing', 'username': 'rocket.cat', 'urls': ['https://hooks.example.invalid/x'],
            'token': 'outgoing-token-value'}


def writes(double) -> list[dict]:
    return [entry for entry in double.control.requests() if entry['method'] in ('POST', 'PUT')]


@pytest.mark.parametrize('extra', [
    {'event': 'roomCreated', 'channel': ['#general']},  # the server stores no channel for this event
    {'event': 'sendMessage', 'channel': ['all_public_channels'], 'retry_failed_calls': True, 'retry_count': 0},
    {'event': 'roomJoined', 'channel': ['all_private_groups', '#general'], 'retry_failed_calls': True},
], ids=['roomCreated', 'scoped+retry-0', 'scoped+retry-defaults'])
def test_a_second_identical_run_changes_nothing(double, admin, extra):
    args = dict(OUTGOING, name='normalised', **extra)
    first = run_ad_hoc('rocketchat_integration', args, admin)
    assert not first.failed and first.changed, first.msg
    double.control.clear_requests()
    second = run_ad_hoc('rocketchat_integration', args, admin)
    assert not second.failed and not second.changed, second.result.get('changed_fields')
    assert writes(double) == []


def test_declaring_a_hook_made_in_the_ui_leaves_what_it_does_not_name(double, admin):
    double.control.seed([{'name': 'from-the-ui', 'enabled': False, 'scriptEnabled': True, 'script': 'class Script {}',
                          'alias': 'old'}])
    run = run_ad_hoc('rocketchat_integration', {'type': 'webhook-incoming', 'name': 'from-the-ui', 'alias': 'new'},
                     admin)
    assert not run.failed and run.result['changed_fields'] == ['alias']
    doc = double.control.integrations()[0]
    assert (doc['enabled'], doc['scriptEnabled'], doc['script'], doc['alias']) == (False, True, 'class Script {}', 'new')


def test_an_outgoing_hook_without_a_token_is_refused_before_any_write(double, admin):
    args = {key: value for key, value in OUTGOING.items() if key != 'token'}
    run = run_ad_hoc('rocketchat_integration', dict(args, name='tokenless', event='sendMessage', channel=['#general']),
                     admin)
    assert run.failed and 'needs a token' in run.msg
    assert writes(double) == [] and double.control.integrations() == []


@pytest.mark.parametrize('dialect', ['v-a', 'v-b', 'v-c'])
def test_changing_the_post_as_user_of_an_incoming_hook(double, admin, dialect):
    double.control.call('POST', 'dialect', {'dialect': dialect})
    double.control.add_user('new-poster', roles=['bot'])
    double.control.seed([{'name': 'poster'}])
    run = run_ad_hoc('rocketchat_integration', {'type': 'webhook-incoming', 'name': 'poster',
                                                'username': 'new-poster'}, admin)
    stored = double.control.integrations()[0]['username']
    if dialect == 'v-a':  # 6.x keeps the old user and answers success
        assert run.failed and "kept 'rocket.cat'" in run.msg and 'recreate' not in run.msg
        assert stored == 'rocket.cat'
    else:
        assert not run.failed and run.changed and stored == 'new-poster'


@pytest.mark.parametrize('args, words', [
    ({'event': 'messageEdited'}, 'value of event must be one of'),
    ({'event': 'fileUploaded', 'trigger_words': ['!go']}, 'trigger_words apply only to event sendMessage'),
])
def test_what_the_server_would_refuse_or_ignore_fails_before_any_request(double, admin, args, words):
    run = run_ad_hoc('rocketchat_integration', dict(OUTGOING, name='refused', channel=['#general'], **args), admin)
    assert run.failed and words in run.msg
    assert double.control.requests() == []
