# Copyright (c) 2026 chatops.rocketchat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""`make demo`: the two roles end to end against a local Rocket.Chat API double.

Seeds a realistic set of webhooks (some declared in docs/examples/webhooks.yml, some stale), previews the prune
with --check --diff, applies it, applies it again (changed=0). Then finding dead webhooks: the info module's
decision table and docs/examples/dead_webhooks.yml, a prune by what Rocket.Chat records. Then the GitOps loop with the webhooks role and
docs/examples/webhooks/demo-workspace.yml: preview with a report, apply, apply again (changed=0). Last, the quarantine
of docs/examples/quarantine_webhooks.yml: a failing webhook is disabled, one this automation disabled 20 days ago
is removed, one disabled 3 days ago waits out its grace. Prints what remains and stops the double.
"""

from __future__ import annotations

import datetime
import json
import os
import re
import subprocess
import sys
import tempfile
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, 'tests'))

from rocketchat_double.launcher import RunningDouble  # noqa: E402  pylint: disable=wrong-import-position

EXAMPLES = os.path.join(ROOT, 'docs', 'examples')
PLAYBOOK = os.path.join(EXAMPLES, 'prune_webhooks.yml')
DECLARED = os.path.join(EXAMPLES, 'declared_webhooks.yml')
QUARANTINE = os.path.join(EXAMPLES, 'quarantine_webhooks.yml')
DEAD = os.path.join(EXAMPLES, 'dead_webhooks.yml')
SEED = [
    ('webhook-incoming', 'alertmanager', {}),
    ('webhook-incoming', 'github-ci', {}),
    ('webhook-incoming', 'github-releases', {}),
    ('webhook-incoming', 'legacy-jenkins', {}),
    ('webhook-incoming', 'old-nagios', {}),
    ('webhook-incoming', 'grafana-test', {}),
    ('webhook-outgoing', 'deploy-bot', {'event': 'sendMessage', 'urls': ['https://deploy.example.com/hook'],
                                        'triggerWords': ['!deploy']}),
    ('webhook-outgoing', 'tmp-standup-bot', {'event': 'sendMessage', 'urls': ['https://standup.example.com/hook']}),
    ('webhook-outgoing', 'zapier-test', {'event': 'fileUploaded', 'urls': ['https://hooks.zapier.example/x']}),
]


def banner(text: str) -> None:
    print('\n' + '=' * 100 + '\n== ' + text + '\n' + '=' * 100, flush=True)


def create(url: str, headers: dict, type_: str, name: str, extra: dict) -> None:
    body = dict({'type': type_, 'name': name, 'enabled': True, 'username': 'rocket.cat', 'channel': '#general',
                 'scriptEnabled': False}, **extra)
    request = urllib.request.Request(url + '/api/v1/integrations.create', data=json.dumps(body).encode(),
                                     headers=dict(headers, **{'Content-Type': 'application/json'}), method='POST')
    with urllib.request.urlopen(request, timeout=10) as response:  # nosec - the local double
        assert json.loads(response.read())['success']


def shown(command: list[str], env: dict, printed: str) -> str:
    """Run a command as the user would type it (`printed`), print its output, stop the demo if it fails."""
    print('$ ' + printed, flush=True)
    completed = subprocess.run(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               check=False)
    print(completed.stdout, flush=True)
    if completed.returncode != 0:
        raise SystemExit('%s failed (exit %d)' % (command[0], completed.returncode))
    return completed.stdout


def playbook(workdir: str, env: dict, *extra: str, path: str = PLAYBOOK) -> str:
    command = ['ansible-playbook', '-i', os.path.join(workdir, 'inventory.yml'), path] + list(extra)
    return shown(command, env, ' '.join(command))


def changed_count(output: str) -> int:
    return sum(int(value) for value in re.findall(r'changed=(\d+)', output.split('PLAY RECAP')[-1]))


def ago(days: int) -> str:
    moment = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=days)
    return moment.isoformat(timespec='milliseconds').replace('+00:00', 'Z')


def adhoc(env: dict, module: str, args: str) -> str:
    return shown(['ansible', 'localhost', '-m', module, '-a', args], env, "ansible localhost -m %s -a '%s'" % (module, args))


def dead_webhooks(double, workdir: str, env: dict) -> None:
    """Act 4: a realistic mix of dead webhooks, the info table that finds them, the prune by facts that removes them
    (docs/examples/dead_webhooks.yml), each backed up."""
    double.control.add_user('former-colleague')
    double.control.call('POST', 'rooms', {'name': 'release'})
    ids = double.control.seed([
        {'name': 'nightly-report', 'type': 'webhook-outgoing', 'token': 'demo-outgoing-token-4'},
        {'name': 'jenkins-old', 'channel': ['#release']},
        {'name': 'standup-bot', 'type': 'webhook-outgoing', 'token': 'demo-outgoing-token-5',
         'username': 'former-colleague'},
        {'name': 'grafana', 'type': 'webhook-outgoing', 'token': 'demo-outgoing-token-6'}], created_by='demo-admin')
    double.control.call('POST', 'deliveries', {'integration_id': ids[0], 'deliveries': [
        {'outcome': {'status': 500, 'body': 'Internal Server Error'}}, {'outcome': {'network_error': 'ECONNREFUSED'}},
        {'outcome': {'status': 502, 'body': 'Bad Gateway'}}]})
    double.control.call('POST', 'deliveries', {'integration_id': ids[3], 'deliveries': [{}]})
    double.control.call('DELETE', 'rooms', {'name': 'release'})
    double.control.call('POST', 'user_state', {'username': 'former-colleague', 'active': False})
    banner('4/8  Finding dead webhooks (docs/examples/dead_webhooks.yml): what Rocket.Chat records, problems first')
    adhoc(env, 'chatops.rocketchat.rocketchat_integration_info', 'facts=true compact=true problems_only=true')
    backups = os.path.join(workdir, 'backups')
    playbook(workdir, env, '--check', '--diff', '-e', 'prune_webhooks_backup_dir=%s' % backups, path=DEAD)
    applied = playbook(workdir, env, '-e', 'prune_webhooks_backup_dir=%s' % backups, path=DEAD)
    print('Backups to restore from (docs/examples/restore_webhooks.yml): %s\n' % ', '.join(sorted(os.listdir(backups))))
    stored = {doc['name'] for doc in double.control.integrations()}
    if stored & {'nightly-report', 'jenkins-old', 'standup-bot'} or 'grafana' not in stored or \
            'removed 3: ' not in applied:
        raise SystemExit('the prune by facts did not remove the three dead webhooks and keep grafana')


def quarantine(double, workdir: str, env: dict) -> None:
    """Act 7: a webhook whose last 3 deliveries failed, and two this automation disabled 20 and 3 days ago."""
    automation = {'_id': 'demo', 'username': 'demo-admin'}
    ids = double.control.seed([
        {'name': 'nightly-report-bot', 'type': 'webhook-outgoing', 'token': 'demo-outgoing-token-1'},
        {'name': 'old-digest-bot', 'type': 'webhook-outgoing', 'token': 'demo-outgoing-token-2', 'enabled': False,
         '_updatedAt': ago(20), '_updatedBy': automation},
        {'name': 'weekly-bot', 'type': 'webhook-outgoing', 'token': 'demo-outgoing-token-3', 'enabled': False,
         '_updatedAt': ago(3), '_updatedBy': automation}], created_by='demo-admin')
    double.control.call('POST', 'deliveries', {'integration_id': ids[0], 'deliveries': [
        {'outcome': {'status': 502, 'body': 'Bad Gateway'}}, {'outcome': {'network_error': 'ECONNREFUSED'}},
        {'outcome': {'status': 500, 'body': 'Internal Server Error'}}]})
    banner('8/8  Quarantine (docs/examples/quarantine_webhooks.yml): disable what fails now, remove what was disabled '
           'more than 14 days ago')
    playbook(workdir, env, '--diff', path=QUARANTINE)
    stored = {doc['name']: doc for doc in double.control.integrations()}
    if 'old-digest-bot' in stored or stored['nightly-report-bot']['enabled'] or 'weekly-bot' not in stored:
        raise SystemExit('the quarantine did not disable, remove and keep what it should have')


def main() -> int:
    with tempfile.TemporaryDirectory(prefix='rocketchat-demo-') as workdir, \
            RunningDouble(workdir, idle_timeout=120) as double:
        admin = double.control.add_user('demo-admin', roles=['admin', 'user'])
        headers = {'X-User-Id': admin['user']['_id'], 'X-Auth-Token': admin['authToken']}
        for type_, name, extra in SEED:
            create(double.url, headers, type_, name, extra)
        with open(os.path.join(workdir, 'inventory.yml'), 'w', encoding='utf-8') as handle:
            handle.write('rocketchat:\n  hosts:\n    demo-workspace:\n      ansible_connection: local\n')
        env = dict(os.environ, ROCKETCHAT_URL=double.url, ROCKETCHAT_USER_ID=admin['user']['_id'],
                   ROCKETCHAT_AUTH_TOKEN=admin['authToken'], ANSIBLE_NOCOLOR='1',
                   ANSIBLE_LOCALHOST_WARNING='false', ANSIBLE_INVENTORY_UNPARSED_WARNING='false')

        banner('Rocket.Chat double at %s seeded with %d webhooks: %s'
               % (double.url, len(SEED), ', '.join(seeded[1] for seeded in SEED)))
        banner('1/8  Prune preview: ansible-playbook --check --diff (removes nothing)')
        playbook(workdir, env, '--check', '--diff')
        if len(double.control.integrations()) != len(SEED):
            raise SystemExit('check mode changed the server')

        banner('2/8  Apply the prune')
        applied = playbook(workdir, env)
        banner('3/8  Apply again: nothing left to do')
        again = playbook(workdir, env)
        if changed_count(applied) < 1 or changed_count(again) != 0:
            raise SystemExit('expected a change on apply and none on the second apply')

        dead_webhooks(double, workdir, env)

        reports = os.path.join(workdir, 'reports')
        banner('5/8  GitOps: preview docs/examples/webhooks/demo-workspace.yml with a report for the pull request')
        before = double.control.integrations()
        playbook(workdir, env, '--check', '--diff', '-e', 'webhooks_report_dir=%s' % reports, path=DECLARED)
        if double.control.integrations() != before:
            raise SystemExit('check mode changed the server')
        with open(os.path.join(reports, 'plan.md'), encoding='utf-8') as handle:
            print('reports/plan.md, the pull-request comment:\n\n' + handle.read())
        banner('6/8  Apply the declaration (on merge)')
        declared = playbook(workdir, env, path=DECLARED)
        banner('7/8  Apply it again: nothing left to do')
        declared_again = playbook(workdir, env, path=DECLARED)
        if changed_count(declared) < 1 or changed_count(declared_again) != 0:
            raise SystemExit('expected a change on the declared apply and none on the second one')

        quarantine(double, workdir, env)

        remaining = sorted((doc['type'], doc['name']) for doc in double.control.integrations())
        banner('What remains on the server')
        for type_, name in remaining:
            print('  %-18s %s' % (type_, name))
        print('\nDemo finished: both second applies reported changed=0; the double is stopped.')
    return 0


if __name__ == '__main__':
    sys.exit(main())
