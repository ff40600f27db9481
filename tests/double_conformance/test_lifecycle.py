# Copyright (c) 2026 chatops.rocketchat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The double's own life: several at once, and it never outlives the run that started it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
import urllib.error
import urllib.request

from rocketchat_double.launcher import RunningDouble, TESTS_DIR


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + '/api/info', timeout=2) as response:  # nosec - loopback
            return response.status == 200
    except (urllib.error.URLError, ConnectionError, OSError):
        return False


def wait_until_silent(url: str, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not answers(url):
            return True
        time.sleep(0.1)
    return False


def test_two_doubles_at_once_on_their_own_ports(tmp_path):
    with RunningDouble(str(tmp_path / 'one')) as one, RunningDouble(str(tmp_path / 'two')) as two:
        assert one.port != two.port
        one.control.seed([{'name': 'only-in-one'}])
        assert [doc['name'] for doc in one.control.integrations()] == ['only-in-one']
        assert two.control.integrations() == []
        assert one.url.startswith('http://127.0.0.1:')


def test_seeding_with_an_unknown_creator_is_refused_and_the_double_keeps_serving(tmp_path):
    # It once raised inside the handler, which closed the connection without an answer: a test seeding as a user
    # the double did not have saw "Remote end closed connection" instead of the reason.
    with RunningDouble(str(tmp_path / 'seed')) as double:
        try:
            double.control.seed([{'name': 'orphan'}], created_by='nobody-here')
        except urllib.error.HTTPError as error:
            assert error.code == 400
            assert b'created_by names no user: nobody-here' in error.read()
        else:
            raise AssertionError('seeding as an unknown user was accepted')
        assert double.control.integrations() == []
        double.control.seed([{'name': 'after'}])
        assert [doc['name'] for doc in double.control.integrations()] == ['after']


def test_stops_when_idle(tmp_path):
    double = RunningDouble(str(tmp_path / 'idle'), idle_timeout=1)
    assert answers(double.url)
    assert double.process.wait(10) == 0, 'asking whether it still answers would keep it busy: wait for its exit'
    assert not answers(double.url)


def test_stops_on_the_shutdown_call(tmp_path):
    double = RunningDouble(str(tmp_path / 'shutdown'))
    double.control.call('POST', 'shutdown', {})
    assert double.process.wait(5) == 0


def test_stops_when_the_test_run_that_started_it_is_killed(tmp_path):
    script = textwrap.dedent('''
        import sys, time
        sys.path.insert(0, %r)
        from rocketchat_double.launcher import RunningDouble
        double = RunningDouble(%r, idle_timeout=600)
        print(double.url, flush=True)
        time.sleep(600)
    ''' % (TESTS_DIR, str(tmp_path / 'orphan')))
    runner = subprocess.Popen([sys.executable, '-c', script], stdout=subprocess.PIPE, text=True)  # pylint: disable=consider-using-with
    url = runner.stdout.readline().strip()
    assert answers(url)
    os.kill(runner.pid, signal.SIGKILL)
    runner.wait()
    runner.stdout.close()
    assert wait_until_silent(url, 10), 'the double outlived the killed run'


def timed_info(url: str) -> float:
    started = time.monotonic()
    assert answers(url)
    return time.monotonic() - started


def test_latency_delays_every_api_answer_and_reset_clears_it(tmp_path):
    with RunningDouble(str(tmp_path / 'slow'), latency_ms=120) as double:
        assert timed_info(double.url) >= 0.12, '--latency-ms applies from the start'
        started = time.monotonic()
        double.control.state()
        assert time.monotonic() - started < 0.1, 'control calls answer at once'
        double.control.call('POST', 'latency', {'ms': 0})
        assert timed_info(double.url) < 0.1
        double.control.call('POST', 'latency', {'ms': 80})
        assert timed_info(double.url) >= 0.08
        double.control.call('POST', 'reset', {})
        assert timed_info(double.url) < 0.1


def test_the_gate_holds_the_first_requests_until_all_have_arrived(tmp_path):
    with RunningDouble(str(tmp_path / 'gate')) as double:
        double.control.call('POST', 'gate', {'path': '/api/info', 'count': 2, 'timeout_ms': 5000})
        finished = []
        first = threading.Thread(target=lambda: finished.append(('first', timed_info(double.url))))
        first.start()
        time.sleep(0.3)
        assert finished == [], 'the first request waits for the second'
        assert timed_info(double.url) < 0.2, 'the last to arrive opens the gate'
        first.join(5)
        assert finished and finished[0][1] >= 0.3
        assert timed_info(double.url) < 0.1, 'open for good'
        assert double.control.call('GET', 'gate') == {'arrived': 2, 'count': 2, 'open': True, 'timed_out': False}
        double.control.call('POST', 'gate', {'path': '/api/info', 'count': 2, 'timeout_ms': 200})
        assert timed_info(double.url) >= 0.2, 'alone, it waits out the timeout'
        assert double.control.call('GET', 'gate')['timed_out'] is True, 'and the gate says the overlap did not happen'
