# Copyright (c) 2026 chatops.rocketchat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What a new user hits in the first hour, each as a real `ansible` run against the double: hook URLs, wrong
protocols and paths, silent no-ops made loud, messages that name what to change."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess


from adhoc import connection_for, run_ad_hoc
from rocketchat_double.launcher import RunningDouble

INCOMING = 'webhook-incoming'
OUTGOING = 'webhook-outgoing'


def test_a_new_hook_url_can_be_had_when_asked_for(double, admin):
    run = run_ad_hoc('rocketchat_integration', {'type': INCOMING, 'name': 'for-alertmanager', 'username': 'rocket.cat',
                                                'channel': ['#general'], 'return_secrets': True}, admin)
    assert not run.failed, run.msg
    doc = double.control.integrations()[0]
    assert run.result['hook_url'] == '%s/hooks/%s/%s' % (double.url, doc['_id'], doc['token'])
    assert run.result['token'] == doc['token'] and run.result['integration']['token'] == '********'


def test_https_to_a_plain_http_port(double, admin):
    connection = dict(admin, ROCKETCHAT_URL=double.url.replace('http://', 'https://'))
    run = run_ad_hoc('rocketchat_integration_info', {}, connection)
    assert run.failed and 'speaks plain HTTP, not TLS' in run.msg and 'Use %s' % double.url in run.msg


def test_http_to_a_tls_port(tmp_path):
    completed = subprocess.run(['openssl', 'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj',
                                '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', str(tmp_path / 'k.pem'), '-out', str(tmp_path / 'c.pem')],
                               capture_output=True, check=True)
    del completed
    with RunningDouble(str(tmp_path / 'tls'), idle_timeout=60, tls_cert=str(tmp_path / 'c.pem'),
                       tls_key=str(tmp_path / 'k.pem')) as tls:
        token = tls.control.add_user('admin', roles=['admin'])
        connection = dict(connection_for(tls, token), ROCKETCHAT_URL=tls.url.replace('https://', 'http://'))
        run = run_ad_hoc('rocketchat_integration_info', {}, connection)
    assert run.failed and 'If that port speaks TLS, server_url must start with https://' in run.msg


def test_an_api_path_on_server_url_is_removed_with_a_warning(double, admin):
    double.control.seed([{'name': 'found'}])
    run = run_ad_hoc('rocketchat_integration_info', {}, dict(admin, ROCKETCHAT_URL=double.url + '/api/v1/'))
    assert not run.failed and [doc['name'] for doc in run.result['integrations']] == ['found']
    assert 'ends with an API path, which the modules add themselves: using %s' % double.url in run.stderr


def test_a_wrong_path_prefix_says_to_use_the_root_url(double, admin):
    run = run_ad_hoc('rocketchat_integration_info', {}, dict(admin, ROCKETCHAT_URL=double.url + '/chat'))
    assert run.failed and 'HTTP 404' in run.msg
    assert "Check that server_url (%s/chat) is the server's root URL" % double.url in run.msg


def test_a_refused_connection_names_the_host(admin):
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        port = probe.getsockname()[1]
    run = run_ad_hoc('rocketchat_integration_info', {}, dict(admin, ROCKETCHAT_URL='http://127.0.0.1:%d' % port))
    assert run.failed and 'The connection to 127.0.0.1:%d was refused' % port in run.msg


def test_absent_with_the_wrong_type_is_not_silent(double, admin):
    ids = double.control.seed([{'name': 'deploy-bot', 'type': 'webhook-outgoing'}])
    run = run_ad_hoc('rocketchat_integration', {'type': INCOMING, 'name': 'deploy-bot', 'state': 'absent'}, admin)
    assert not run.failed and not run.changed
    assert 'but a webhook-outgoing one is (id %s)' % ids[0] in ' '.join(run.stderr.split())
    assert len(double.control.integrations()) == 1


def test_duplicates_show_what_tells_them_apart(double, admin):
    double.control.seed([{'name': 'twin', 'channel': ['#general']}, {'name': 'twin', 'channel': ['@rocket.cat']}])
    run = run_ad_hoc('rocketchat_integration', {'type': INCOMING, 'name': 'twin', 'state': 'absent'}, admin)
    assert run.failed and '(channel #general, created by rocket.cat on ' in run.msg
    assert '(channel @rocket.cat, created by rocket.cat on ' in run.msg


def test_a_keep_selector_that_matches_nothing_is_a_warning(double, admin):
    double.control.seed([{'name': 'grafana'}, {'name': 'old'}])
    run = run_ad_hoc('rocketchat_integration_prune', {'exclusive': True, 'keep': [{'name': 'grafna'}]}, admin,
                     check=True)
    assert not run.failed and len(run.result['removed']) == 2
    assert 'match no integration in scope' in ' '.join(run.stderr.split())


def test_unicode_is_shown_as_written_in_the_diff(double, admin):
    double.control.seed([{'name': 'Überwachung 🚀', 'alias': 'alt'}])
    run = run_ad_hoc('rocketchat_integration', {'type': INCOMING, 'name': 'Überwachung 🚀', 'alias': 'neu'}, admin,
                     check=True, diff=True)
    assert not run.failed and run.changed
    assert '"name": "Überwachung 🚀"' in run.stdout and '\\u00dc' not in run.stdout
    assert 'before: webhook-incoming Überwachung 🚀 (' in run.stdout


def test_a_compact_listing_ad_hoc(double, admin):
    double.control.seed([{'name': 'alerts', 'channel': ['#general']}, {'name': 'quiet', 'enabled': False}])
    run = run_ad_hoc('rocketchat_integration_info', {'enabled': False, 'compact': True}, admin)
    assert not run.failed and len(run.result['lines']) == 3
    assert run.result['lines'][0].startswith('1 integrations, 1 disabled.')
    assert run.result['lines'][2].split()[0] == 'no' and run.result['lines'][2].endswith('  quiet')


def test_the_decision_table_puts_the_dead_webhooks_first_as_the_default_callback_shows_it(double, admin):
    """A realistic mix, three weeks on: one failing now, one idle since its last delivery, one that never delivered,
    one fine. What the user reads is the default callback's rendering of `lines`."""
    ids = double.control.seed([
        {'name': 'grafana', 'type': OUTGOING, 'token': 'first-hour-token-1'},
        {'name': 'jira', 'type': OUTGOING, 'token': 'first-hour-token-2'},
        {'name': 'weekly-report', 'type': OUTGOING, 'token': 'first-hour-token-3'},
        {'name': 'alertmanager'}], created_by='admin')
    double.control.call('POST', 'deliveries', {'integration_id': ids[1], 'deliveries': [{}]})
    double.control.call('POST', 'age', {'days': 20})
    double.control.call('POST', 'deliveries', {'integration_id': ids[0], 'deliveries': [
        {'outcome': {'status': 500, 'body': 'Internal Server Error'}}, {'outcome': {'network_error': 'ECONNREFUSED'}}]})
    run = run_ad_hoc('rocketchat_integration_info', {'facts': True, 'compact': True}, admin)
    assert not run.failed, run.msg
    printed = run.stdout.splitlines()
    start = printed.index('    "lines": [') + 1
    shown = [line.strip().rstrip(',').strip('"') for line in printed[start:printed.index('    ],', start)]]
    assert shown[0] == '4 integrations, 3 with a problem (failing 1, never delivered 1, idle 1), 1 ok.'
    assert shown[1].split()[:5] == ['HEALTH', 'ENABLED', 'CREATED', 'LAST', 'DELIVERY']
    assert [line.split()[-1] for line in shown[2:]] == ['grafana', 'weekly-report', 'jira', 'alertmanager']
    assert shown[2].startswith('failing 2 ') and ' failed ' in shown[2]
    assert shown[3].startswith('never delivered ') and 'none in 30 days' in shown[3]
    assert shown[4].startswith('idle since ') and ' delivered ' in shown[4]
    assert shown[5].startswith('ok ') and ' n/a ' in shown[5]
    problems = run_ad_hoc('rocketchat_integration_info', {'facts': True, 'compact': True, 'problems_only': True}, admin)
    assert problems.result['lines'][-1] == '... and 1 more without a problem (problems_only=false lists them)'
    assert len(problems.result['lines']) == 6


def test_a_run_the_rate_limit_slowed_says_how_long_and_which_permission_spares_it(double):
    """A token without api-bypass-rate-limit waits; the result says how long, and the warning (ansible's default
    callback, as a user reads it) names the permission first thing after the wait."""
    user = double.control.add_user('limited', roles=['user'], permissions=[
        'manage-own-incoming-integrations', 'manage-own-outgoing-integrations'])
    double.control.seed([{'name': 'old-%d' % index} for index in range(6)], created_by='limited')
    double.control.rate_limit(enabled=True, limit=3, interval_ms=1500)
    run = run_ad_hoc('rocketchat_integration_prune', {'remove': [{'name_regex': '^old-'}]},
                     connection_for(double, user))
    assert not run.failed, run.msg
    assert len(run.result['removed']) == 6 and double.control.integrations() == []
    assert run.result['rate_limit_waited'] >= 1.0, 'six removals at three a window wait for one window at least'
    warning = ' '.join(run.stderr.split())
    assert "[WARNING]: Rocket.Chat's rate limit held this run for" in warning
    assert 'POST integrations.remove: 3 calls a window' in warning
    assert 'The token\'s user lacks the permission api-bypass-rate-limit' in warning


def test_a_run_the_rate_limit_did_not_slow_says_nothing_of_it(double, admin):
    """An admin holds api-bypass-rate-limit: no wait, no warning."""
    double.control.seed([{'name': 'old-%d' % index} for index in range(6)])
    double.control.rate_limit(enabled=True, limit=3, interval_ms=1500)
    run = run_ad_hoc('rocketchat_integration_prune', {'remove': [{'name_regex': '^old-'}]}, admin)
    assert not run.failed and len(run.result['removed']) == 6
    assert run.result['rate_limit_waited'] == 0.0 and 'api-bypass-rate-limit' not in run.stderr


def run_example(name: str, connection: dict, tmp_path, *extra: str) -> subprocess.CompletedProcess:
    """A playbook of docs/examples, as the guide runs it: an inventory with one workspace, the connection from
    ROCKETCHAT_* variables, the backups beside the playbook's copy."""
    examples = tmp_path / 'examples'
    if not examples.exists():
        shutil.copytree(os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                                     'docs', 'examples'), examples)
        (examples / 'inventory.yml').write_text('rocketchat:\n  hosts:\n    prod:\n      ansible_connection: local\n')
    env = dict(os.environ, ANSIBLE_NOCOLOR='1', ANSIBLE_LOCALHOST_WARNING='false', **connection)
    return subprocess.run(['ansible-playbook', '-i', str(examples / 'inventory.yml'), str(examples / name)] + list(extra),
                          env=env, capture_output=True, text=True, timeout=300, check=False)


def test_the_dead_webhooks_guide_removes_by_facts_and_its_backups_restore_them(double, admin, tmp_path):
    """docs/examples/dead_webhooks.yml, then restore_webhooks.yml from its backups, as the guide tells it: an
    incoming hook comes back (with a new id and hook URL); an outgoing one without its token is refused, naming the
    fix, and comes back once the token is in its file."""
    leaver = double.control.add_user('left-the-company')['user']
    ids = double.control.seed([
        {'name': 'ci-notifier', 'username': leaver['username'], 'userId': leaver['_id']},
        {'name': 'nightly-report', 'type': OUTGOING, 'token': 'first-hour-token-9'},
        {'name': 'alertmanager'}, {'name': 'github-ci'}, {'name': 'grafana'}], created_by='admin')
    double.control.call('POST', 'deliveries', {'integration_id': ids[1], 'deliveries': [
        {'outcome': {'status': 500, 'body': 'x'}}, {'outcome': {'status': 502, 'body': 'y'}},
        {'outcome': {'network_error': 'ECONNREFUSED'}}]})
    double.control.call('POST', 'user_state', {'username': 'left-the-company', 'active': False})
    pruned = run_example('dead_webhooks.yml', admin, tmp_path)
    assert pruned.returncode == 0, pruned.stdout
    assert 'removed 2: ' in pruned.stdout, pruned.stdout[-3000:]
    assert 'ci-notifier' in pruned.stdout and 'nightly-report' in pruned.stdout
    assert sorted(doc['name'] for doc in double.control.integrations()) == ['alertmanager', 'github-ci', 'grafana']
    backups = tmp_path / 'examples' / 'backups' / 'prod'
    files = sorted(path.name for path in backups.iterdir())
    assert files == sorted(['webhook-incoming-%s.json' % ids[0], 'webhook-outgoing-%s.json' % ids[1]])
    refused = run_example('restore_webhooks.yml', admin, tmp_path)
    assert refused.returncode != 0 and 'fill in its token key' in refused.stdout
    assert len(double.control.integrations()) == 3, 'refused before any write'
    outgoing = backups / ('webhook-outgoing-%s.json' % ids[1])
    outgoing.write_text(json.dumps(dict(json.loads(outgoing.read_text()), token='first-hour-token-9')))
    restored = run_example('restore_webhooks.yml', admin, tmp_path)
    assert restored.returncode == 0, restored.stdout
    stored = {doc['name']: doc for doc in double.control.integrations()}
    assert sorted(stored) == ['alertmanager', 'ci-notifier', 'github-ci', 'grafana', 'nightly-report']
    assert stored['ci-notifier']['_id'] != ids[0], 'an incoming hook comes back with a new id (and hook URL)'
    assert stored['nightly-report']['urls'] and stored['ci-notifier']['channel'] == ['#general']
    assert 'first-hour-token-9' not in restored.stdout + refused.stdout + pruned.stdout


def test_ad_hoc_output_starts_with_what_went_and_what_was_left_undetermined(double, tmp_path):
    """Ansible prints a result's keys sorted: `abstract` comes first and names the removed and the undetermined hooks;
    kept is a count. The undetermined warning starts each cause with its fix and names the user by username."""
    double.control.call('POST', 'users_info', {'restricted': True})
    user = double.control.add_user('cleaner', roles=['user'], permissions=[
        'manage-incoming-integrations', 'manage-outgoing-integrations'])
    double.control.add_user('bob')
    double.control.seed([{'name': 'mine-disabled', 'enabled': False}], created_by='cleaner')
    double.control.seed([{'name': 'bobs-hook', 'enabled': False}], created_by='bob')
    double.control.seed([{'name': 'healthy-%d' % index} for index in range(4)], created_by='cleaner')
    run = run_ad_hoc('rocketchat_integration_prune', {'remove': [{'enabled': False, 'creator_active': True}]},
                     connection_for(double, user))
    assert not run.failed, run.msg
    first = run.stdout.split('=> {', 1)[1].lstrip().splitlines()[0]
    assert first == ('"abstract": "removed 1: mine-disabled; undetermined 1: bobs-hook (see undetermined); '
                     'kept 5",'), first
    assert run.result['kept'] == 5
    warning = ' '.join(run.stderr.split())
    assert ("[WARNING]: 1 integration(s) were kept, not removed, because a fact their selectors need could not be "
            "established (see undetermined). Grant the token's user the permission view-full-other-user-info (it "
            "reads creator bob)") in warning
    assert ', for bobs-hook.' in warning
    assert sorted(doc['name'] for doc in double.control.integrations()) == [
        'bobs-hook', 'healthy-0', 'healthy-1', 'healthy-2', 'healthy-3']
