# Copyright (c) 2026 chatops.rocketchat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Faults between the modules and the server, each checked against what the server holds afterwards."""

from __future__ import annotations

import os
import subprocess
import threading
import time

import pytest

from adhoc import connection_for, run_ad_hoc
from rocketchat_double.launcher import RunningDouble

INCOMING = 'webhook-incoming'


def names(double) -> list[str]:
    return sorted(doc['name'] for doc in double.control.integrations())


@pytest.mark.parametrize('status', [502, 503, 504])
@pytest.mark.parametrize('count', [1, 2, 3])
def test_transient_statuses_on_reads_are_retried(double, admin, status, count):
    double.control.seed([{'name': 'a'}, {'name': 'b'}])
    double.control.fault(path='integrations.list', status=status, count=count)
    run = run_ad_hoc('rocketchat_integration_info', {}, admin)
    assert not run.failed, run.msg
    assert sorted(doc['name'] for doc in run.result['integrations']) == ['a', 'b']
    statuses = [entry['status'] for entry in double.control.requests() if entry['path'].endswith('integrations.list')]
    assert statuses == [status] * count + [200]


@pytest.mark.parametrize('status', [502, 503, 504])
def test_transient_statuses_on_remove_are_retried_without_duplicate_effect(double, admin, status):
    double.control.seed([{'name': 'doomed'}, {'name': 'bystander'}])
    double.control.fault(path='integrations.remove', status=status, count=2)
    run = run_ad_hoc('rocketchat_integration', {'type': INCOMING, 'name': 'doomed', 'state': 'absent'}, admin)
    assert not run.failed and run.changed
    assert names(double) == ['bystander']


def test_connection_dropped_on_a_read_is_retried(double, admin):
    double.control.seed([{'name': 'a'}])
    double.control.fault(path='integrations.list', drop=True, count=2)
    run = run_ad_hoc('rocketchat_integration_info', {}, admin)
    assert not run.failed and [doc['name'] for doc in run.result['integrations']] == ['a']


def test_connection_dropped_before_a_remove_is_retried(double, admin):
    double.control.seed([{'name': 'doomed'}, {'name': 'bystander'}])
    double.control.fault(path='integrations.remove', drop=True)
    run = run_ad_hoc('rocketchat_integration', {'type': INCOMING, 'name': 'doomed', 'state': 'absent'}, admin)
    assert not run.failed and run.changed
    assert names(double) == ['bystander']


def test_answer_lost_after_the_remove_is_still_a_change(double, admin):
    double.control.seed([{'name': 'doomed'}, {'name': 'bystander'}])
    double.control.fault(path='integrations.remove', drop_after=True)
    run = run_ad_hoc('rocketchat_integration', {'type': INCOMING, 'name': 'doomed', 'state': 'absent'}, admin)
    assert not run.failed and run.changed, 'the unanswered attempt did the removal'
    assert names(double) == ['bystander']
    removes = [entry['status'] for entry in double.control.requests() if entry['path'].endswith('integrations.remove')]
    assert removes == ['done-then-dropped', 400], 'the retry found it gone'


def test_a_slow_read_times_out_with_a_clear_message(double, admin):
    double.control.fault(path='integrations.list', delay_ms=2500)
    run = run_ad_hoc('rocketchat_integration_info', {'timeout': 1}, admin)
    assert run.failed
    assert 'did not answer within 1 second (option timeout)' in run.msg
    assert 'may or may not' not in run.msg, 'a read changes nothing'
    assert double.url + '/api/v1/integrations.list' in run.msg
    assert 'Traceback' not in run.stdout + run.stderr


def test_a_slow_remove_times_out_and_says_it_may_have_happened(double, admin):
    double.control.seed([{'name': 'doomed'}])
    double.control.fault(path='integrations.remove', delay_ms=2500)
    run = run_ad_hoc('rocketchat_integration', {'type': INCOMING, 'name': 'doomed', 'state': 'absent', 'timeout': 1},
                     admin)
    assert run.failed and 'The server may or may not have applied it; run again to converge.' in run.msg
    time.sleep(2)
    assert names(double) == [], 'the server finished the removal after the client gave up'
    again = run_ad_hoc('rocketchat_integration', {'type': INCOMING, 'name': 'doomed', 'state': 'absent'}, admin)
    assert not again.failed and not again.changed


def test_a_429_storm_during_a_50_item_prune(double):
    user = double.control.add_user('storm', roles=['user'], permissions=[
        'manage-own-incoming-integrations', 'manage-own-outgoing-integrations'])
    double.control.seed([{'name': 'storm-%02d' % index} for index in range(50)] + [{'name': 'kept'}],
                        created_by='storm')
    double.control.rate_limit(enabled=True, limit=2, interval_ms=1000)
    double.control.clear_requests()
    run = run_ad_hoc('rocketchat_integration_prune', {'exclusive': True, 'keep': [{'name': 'kept'}],
                                                      'max_removals': 100}, connection_for(double, user))
    assert not run.failed, run.msg
    assert len(run.result['removed']) == 50
    assert names(double) == ['kept']
    statuses = [entry['status'] for entry in double.control.requests()]
    assert statuses.count(429) <= 1, 'pacing by X-RateLimit-* headers avoids the storm'


@pytest.mark.parametrize('status', [200, 502])
def test_an_html_page_from_a_proxy_is_a_clear_error(double, admin, status):
    double.control.fault(path='integrations.list', status=status, count=10,
                         raw='<html><head><title>%d Bad Gateway</title></head><body>nginx</body></html>' % status)
    run = run_ad_hoc('rocketchat_integration_info', {}, admin)
    assert run.failed
    assert 'HTTP %d' % status in run.msg and 'not JSON (text/html)' in run.msg and 'Bad Gateway' in run.msg
    assert run.result['status'] == status
    assert 'Traceback' not in run.stdout + run.stderr


@pytest.mark.parametrize('raw', ['{"integrations": [{"_id": "a"', 'not json at all', ''])
def test_truncated_or_invalid_json_is_a_clear_error(double, admin, raw):
    double.control.fault(path='integrations.list', status=200, raw=raw, content_type='application/json')
    run = run_ad_hoc('rocketchat_integration_info', {}, admin)
    assert run.failed and 'not JSON' in run.msg
    assert 'Traceback' not in run.stdout + run.stderr


def test_server_restarted_mid_prune_converges(tmp_path):
    state_file = str(tmp_path / 'state.json')
    first = RunningDouble(str(tmp_path / 'first'), idle_timeout=120, state_file=state_file)
    try:
        token = first.control.add_user('admin', roles=['admin'])
        first.control.seed([{'name': 'keep-%02d' % index} for index in range(10)]
                           + [{'name': 'drop-%02d' % index} for index in range(60)])
        outside = first.control.seed([{'name': 'outside-scope'}])
        first.control.fault(path='integrations.remove', delay_ms=60, count=1000)
        args = {'exclusive': True, 'scope_name_regex': '^(keep|drop)-', 'keep': [{'name_regex': '^keep-'}],
                'max_removals': 100}
        outcome = {}
        runner = threading.Thread(target=lambda: outcome.update(
            run=run_ad_hoc('rocketchat_integration_prune', args, connection_for(first, token))))
        runner.start()
        deadline = time.monotonic() + 60
        while sum(1 for entry in first.control.requests() if entry['path'].endswith('integrations.remove')) < 10:
            assert time.monotonic() < deadline, 'the prune never started removing'
            time.sleep(0.05)
        first.kill()
        second = RunningDouble(str(tmp_path / 'second'), idle_timeout=120, state_file=state_file, port=first.port)
        try:
            runner.join(120)
            run = outcome['run']
            if run.failed:  # the restart outlasted the retries: the report says what is left, a re-run converges
                assert 'Running again converges' in run.msg and run.result['not_removed']
                run = run_ad_hoc('rocketchat_integration_prune', args, connection_for(second, token))
                assert not run.failed, run.msg
            remaining = second.control.integrations()
            assert sorted(doc['name'] for doc in remaining) == sorted(
                ['keep-%02d' % index for index in range(10)] + ['outside-scope'])
            assert outside[0] in {doc['_id'] for doc in remaining}
            again = run_ad_hoc('rocketchat_integration_prune', args, connection_for(second, token))
            assert not again.failed and not again.changed
        finally:
            second.stop()
    finally:
        first.stop()


@pytest.fixture(scope='module')
def tls_files(tmp_path_factory):
    directory = tmp_path_factory.mktemp('tls')
    cert, key = str(directory / 'cert.pem'), str(directory / 'key.pem')
    subprocess.run(['openssl', 'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=127.0.0.1',
                    '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert],
                   check=True, capture_output=True)
    return cert, key


@pytest.fixture
def tls_double(tmp_path, tls_files):
    cert, key = tls_files
    with RunningDouble(str(tmp_path / 'tls'), idle_timeout=120, tls_cert=cert, tls_key=key) as running:
        running.token = running.control.add_user('admin', roles=['admin'])
        running.control.seed([{'name': 'over-tls'}])
        yield running


def test_tls_self_signed_is_refused_when_validating(tls_double):
    assert tls_double.url.startswith('https://')
    run = run_ad_hoc('rocketchat_integration_info', {}, connection_for(tls_double, tls_double.token))
    assert run.failed
    assert 'TLS certificate verification failed' in run.msg and 'ca_path' in run.msg


def test_tls_without_validation_works(tls_double):
    run = run_ad_hoc('rocketchat_integration_info', {'validate_certs': False},
                     connection_for(tls_double, tls_double.token))
    assert not run.failed and [doc['name'] for doc in run.result['integrations']] == ['over-tls']


def test_tls_with_ca_path_works(tls_double, tls_files):
    run = run_ad_hoc('rocketchat_integration_info', {'ca_path': tls_files[0]},
                     connection_for(tls_double, tls_double.token))
    assert not run.failed and [doc['name'] for doc in run.result['integrations']] == ['over-tls']
    assert os.path.exists(tls_files[0])


@pytest.fixture(params=[301, 308])
def redirected_double(request, tmp_path, tls_files):
    cert, key = tls_files
    with RunningDouble(str(tmp_path / 'front'), idle_timeout=120, tls_cert=cert, tls_key=key,
                       redirect_status=request.param) as running:
        running.token = running.control.add_user('admin', roles=['admin'])
        running.control.seed([{'name': 'behind-the-front'}])
        running.control.clear_requests()
        yield running


@pytest.mark.parametrize('check', [True, False])
def test_a_redirecting_front_is_never_followed(redirected_double, check):
    """http:// in front of https://: no POST turns into a GET, no credentials go to the other URL, and check mode
    fails the same way as the apply would."""
    connection = dict(connection_for(redirected_double, redirected_double.token),
                      ROCKETCHAT_URL=redirected_double.redirect_url)
    run = run_ad_hoc('rocketchat_integration', {'type': INCOMING, 'name': 'behind-the-front', 'state': 'absent',
                                                'validate_certs': False}, connection, check=check)
    assert run.failed
    assert 'a redirect to %s/api/v1/' % redirected_double.url in run.msg
    assert 'set server_url to %s.' % redirected_double.url in run.msg
    assert redirected_double.control.requests() == [], 'nothing reached the server behind the front'
    assert names(redirected_double) == ['behind-the-front']
