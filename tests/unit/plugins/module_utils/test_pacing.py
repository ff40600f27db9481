# Copyright (c) 2026 chatops.rocketchat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The pacer: the server's budget per endpoint, on the server's clock, shared by every worker."""

from __future__ import annotations

import email.utils
import threading
import time

import pytest

from ansible_collections.chatops.rocketchat.plugins.module_utils._pacing import (
    MARGIN_SECONDS,
    Pacer,
    wait_after_429,
)
from ansible_collections.chatops.rocketchat.tests.unit.plugins.fakes import FakeClock

KEY = 'POST integrations.remove'


def headers(limit, remaining, reset_at, date=None):
    answer = {'X-RateLimit-Limit': str(limit), 'X-RateLimit-Remaining': str(remaining),
              'X-RateLimit-Reset': str(int(reset_at * 1000))}
    if date is not None:
        answer['Date'] = email.utils.formatdate(date, usegmt=True)
    return answer


def test_a_spent_budget_waits_until_the_reset_then_opens_a_new_window():
    clock = FakeClock()
    pacer = Pacer(clock.time, clock.sleep)
    pacer.acquire(KEY)
    assert pacer.release(KEY, headers(3, 0, clock.now + 2)) == pytest.approx(2)
    pacer.acquire(KEY)
    assert clock.sleeps == [pytest.approx(2 + MARGIN_SECONDS)]
    pacer.release(KEY, headers(3, 2, clock.now + 60))
    pacer.acquire(KEY)
    pacer.release(KEY, headers(3, 1, clock.now + 60))
    assert len(clock.sleeps) == 1, 'the new window has budget left'


def test_an_endpoint_without_rate_limit_headers_is_never_paced():
    clock = FakeClock()
    pacer = Pacer(clock.time, clock.sleep)
    for dummy in range(50):
        pacer.acquire(KEY)
        pacer.release(KEY, {})
    assert clock.sleeps == []


def test_waits_are_on_the_servers_clock():
    clock = FakeClock()
    pacer = Pacer(clock.time, clock.sleep)
    server_now = clock.now + 30  # the server's clock is 30 s ahead of ours
    pacer.acquire(KEY)
    pacer.release(KEY, headers(2, 0, server_now + 2, date=server_now))
    pacer.acquire(KEY)
    assert 2.0 <= clock.sleeps[0] <= 3.1


def test_a_429_holds_every_caller_for_the_wait():
    clock = FakeClock()
    pacer = Pacer(clock.time, clock.sleep)
    pacer.hold(KEY, 8.0)
    pacer.acquire(KEY)
    assert clock.sleeps == [pytest.approx(8.0)]


@pytest.mark.parametrize('text, until_reset, expected', [
    ('You must wait 8 seconds before trying', 7.5, 8.0),
    ('You must wait 3 seconds before trying', None, 3.0),
    ('slow down', None, 10.0),
    ('You must wait 1 seconds before trying', 4.0, 4.0 + MARGIN_SECONDS),
])
def test_the_wait_after_a_429_is_never_less_than_either_figure(text, until_reset, expected):
    assert wait_after_429(text, until_reset) == pytest.approx(expected)


def test_workers_never_send_more_than_the_budget_in_one_window():
    """8 workers, a budget of 5 per window: at most 5 calls reach the 'server' per window, and none is lost."""
    window = 0.4
    lock = threading.Lock()
    sent: list[float] = []
    start = time.time()
    pacer = Pacer()

    def server_answer():
        with lock:
            now = time.time()
            index = int((now - start) // window)
            sent.append(now)
            in_window = sum(1 for moment in sent if int((moment - start) // window) == index)
            return headers(5, max(5 - in_window, 0), start + (index + 1) * window)

    def worker():
        for dummy in range(3):
            pacer.acquire(KEY)
            time.sleep(0.01)
            pacer.release(KEY, server_answer())

    threads = [threading.Thread(target=worker) for dummy in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(sent) == 24
    per_window: dict[int, int] = {}
    for moment in sent:
        per_window[int((moment - start) // window)] = per_window.get(int((moment - start) // window), 0) + 1
    assert max(per_window.values()) <= 5, per_window


def test_the_first_call_to_an_endpoint_goes_alone():
    """Until an answer tells the budget, the other workers wait for it."""
    pacer = Pacer()
    pacer.acquire(KEY)
    entered = threading.Event()

    def second():
        pacer.acquire(KEY)
        entered.set()
        pacer.release(KEY, {})
    thread = threading.Thread(target=second)
    thread.start()
    assert not entered.wait(0.2), 'a second call went out before the first one was answered'
    pacer.release(KEY, {})
    assert entered.wait(5)
    thread.join()
