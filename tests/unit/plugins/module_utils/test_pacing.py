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
    rate_limit_warning,
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


def test_the_time_waited_for_the_limit_is_told_once_however_many_workers_waited_together():
    clock = FakeClock()
    pacer = Pacer(clock.time, clock.sleep)
    assert pacer.waited() == (0.0, {})
    pacer.acquire(KEY)
    pacer.release(KEY, headers(3, 0, clock.now + 2))
    pacer.acquire(KEY)
    pacer.release(KEY, headers(3, 2, clock.now + 60))
    assert pacer.waited() == (pytest.approx(2 + MARGIN_SECONDS, abs=0.1), {KEY: 3})
    # two workers that waited over the same second: one second of the run, not two
    pacer._waits = [(10.0, 11.0, KEY), (10.5, 11.0, KEY), (20.0, 20.4, 'GET integrations.list')]
    assert pacer.waited()[0] == pytest.approx(1.4)


def test_the_warning_names_the_wait_the_endpoints_and_the_permission():
    assert rate_limit_warning(0.6, {KEY: 10}) is None, 'under a second is not worth a warning'
    warning = rate_limit_warning(118.4, {KEY: 10, 'GET integrations.history': 10})
    assert warning.startswith("Rocket.Chat's rate limit held this run for 118 s (GET integrations.history: 10 calls "
                              "a window, POST integrations.remove: 10 calls a window). The token's user lacks the "
                              "permission api-bypass-rate-limit")
    assert 'about 118 s shorter' in warning


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


def four_calls_out_of_five():
    """A window of 5 calls: the first answered (4 left), three more sent and not yet answered."""
    clock = FakeClock()
    pacer = Pacer(clock.time, clock.sleep)
    pacer.acquire(KEY)
    pacer.release(KEY, headers(5, 4, clock.now + 60))
    for dummy in range(3):
        pacer.acquire(KEY)
    return clock, pacer


def test_answers_out_of_order_lose_no_call_of_the_window():
    """Calls answered in another order than the server counted them: once all are in, the budget is what the server
    said last, not the most pessimistic guess made on the way."""
    clock, pacer = four_calls_out_of_five()
    # the server counted them as the 2nd, 3rd and 4th call; the 3rd's answer comes first, then the 2nd's, the 4th's
    for remaining in (2, 3, 1):
        pacer.release(KEY, headers(5, remaining, clock.now + 60))
    pacer.acquire(KEY)
    assert clock.sleeps == [], 'the 5th call of the window was held back'
    pacer.release(KEY, headers(5, 0, clock.now + 60))
    pacer.acquire(KEY)
    assert clock.sleeps == [pytest.approx(60 + MARGIN_SECONDS)]


def test_a_late_answer_from_a_window_already_over_changes_nothing():
    clock = FakeClock()
    pacer = Pacer(clock.time, clock.sleep)
    pacer.acquire(KEY)
    pacer.release(KEY, headers(5, 4, clock.now + 10))
    pacer.acquire(KEY)
    pacer.release(KEY, headers(5, 0, clock.now - 50))  # counted in a window that ended 50 s ago
    for dummy in range(3):
        pacer.acquire(KEY)
    assert clock.sleeps == []


class ScaledClock:
    """Real threads on a clock that runs 10 times faster, so that 2-second windows take 0.2 s."""
    SCALE = 10.0

    def __init__(self):
        self.start = time.time()
        self.sleeps: list[float] = []

    def time(self):
        return self.start + (time.time() - self.start) * self.SCALE

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        time.sleep(max(seconds, 0) / self.SCALE)


class LimitedServer:
    """Rocket.Chat's limiter as its answers show it: a window opens with the first call after the last one ended,
    X-RateLimit-Reset is on the server's clock (here `offset` ahead of ours), Date has whole seconds."""

    def __init__(self, clock, offset, limit=5, interval=2.0):
        self.clock, self.offset, self.limit, self.interval = clock, offset, limit, interval
        self.lock = threading.Lock()
        self.window_start = None
        self.count = 0
        self.windows: list[int] = []
        self.refused = 0

    def answer(self):
        with self.lock:
            now = self.clock.time() + self.offset
            if self.window_start is None or now >= self.window_start + self.interval:
                self.window_start, self.count = now, 0
                self.windows.append(0)
            self.count += 1
            if self.count > self.limit:
                self.refused += 1
            else:
                self.windows[-1] += 1
            return headers(self.limit, max(self.limit - self.count, 0), self.window_start + self.interval,
                           date=int(now))


def paced_run(workers, calls, offset):
    clock = ScaledClock()
    server = LimitedServer(clock, offset)
    pacer = Pacer(clock.time, clock.sleep)
    queue = list(range(calls))
    lock = threading.Lock()

    def worker():
        while True:
            with lock:
                if not queue:
                    return
                queue.pop()
            pacer.acquire(KEY)
            time.sleep(0.01 / clock.SCALE)  # on the way
            pacer.release(KEY, server.answer())

    threads = [threading.Thread(target=worker) for dummy in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return server, pacer, clock


@pytest.mark.parametrize('offset', [0.93, 0.37, -3.02])
def test_queued_workers_narrow_the_servers_clock_and_fill_every_window(offset):
    server, pacer, dummy = paced_run(8, 30, offset)
    assert server.refused == 0
    assert server.windows == [5] * 6, 'every window full, none lost'
    # the true offset lies between the bounds, which the windows' last calls have narrowed from a second
    assert pacer._server_clock_offset <= offset < pacer._offset_upper  # pylint: disable=protected-access
    assert pacer._offset_upper - pacer._server_clock_offset < 0.15  # pylint: disable=protected-access


def test_one_worker_sends_as_soon_as_the_window_allows():
    """Nobody queues behind a sequential run: no call of a window waits to read the clock."""
    server, dummy, clock = paced_run(1, 12, 0.93)
    assert server.refused == 0 and server.windows == [5, 5, 2]
    assert len(clock.sleeps) == 2, 'it waited for the two new windows, and for nothing else'


def test_a_window_looks_spent_only_until_the_calls_in_flight_are_answered():
    """An answer counted before calls still in flight: the budget it implies is a guess until they are answered."""
    clock, pacer = four_calls_out_of_five()
    pacer.release(KEY, headers(5, 2, clock.now + 60))  # the 3rd call counted; the 2 in flight may or may not be
    granted = threading.Event()

    def fifth():
        pacer.acquire(KEY)
        granted.set()
    thread = threading.Thread(target=fifth)
    thread.start()
    assert not granted.wait(0.2), 'a call went out on a guess'
    pacer.release(KEY, headers(5, 3, clock.now + 60))
    pacer.release(KEY, headers(5, 1, clock.now + 60))
    assert granted.wait(5) and clock.sleeps == [], 'the window had one call left, and it went'
    thread.join()
