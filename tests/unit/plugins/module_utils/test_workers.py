# Copyright (c) 2026 chatops.rocketchat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Bounded concurrency: results in input order whatever order the calls end in, at most N in flight, nothing new
started after a failure, a bug raised rather than reported as a failure."""

from __future__ import annotations

import threading
import time

import pytest

from ansible_collections.chatops.rocketchat.plugins.module_utils._errors import InvalidInput, RocketChatError
from ansible_collections.chatops.rocketchat.plugins.module_utils._workers import (
    check_parallel,
    first_failure,
    run_in_order,
)


class InFlight:
    """Counts calls in flight; each call sleeps by its item so that later items finish first."""

    def __init__(self):
        self.lock = threading.Lock()
        self.now = 0
        self.peak = 0
        self.started = []

    def __call__(self, item):
        with self.lock:
            self.now += 1
            self.peak = max(self.peak, self.now)
            self.started.append(item)
        try:
            time.sleep(item)
            if item == 0.015:
                raise RocketChatError('boom on %s' % item, status=500)
            return item * 1000
        finally:
            with self.lock:
                self.now -= 1


@pytest.mark.parametrize('parallel', [1, 3, 8])
def test_results_come_in_input_order_and_at_most_parallel_run_at_once(parallel):
    items = [0.02, 0.001, 0.01, 0.003, 0.0, 0.012, 0.005, 0.002, 0.009, 0.004]
    work = InFlight()
    results = run_in_order(items, work, parallel)
    assert [entry.item for entry in results] == items
    assert [entry.value for entry in results] == [item * 1000 for item in items]
    assert all(entry.ok for entry in results)
    assert work.peak <= parallel
    if parallel > 1:
        assert work.peak > 1, 'the calls did overlap'


def test_sequential_run_stops_at_the_first_failure():
    work = InFlight()
    results = run_in_order([0.0, 0.015, 0.0, 0.0], work, 1)
    assert [entry.ok for entry in results] == [True, False, False, False]
    assert [entry.started for entry in results] == [True, True, False, False]
    assert work.started == [0.0, 0.015]
    assert first_failure(results).item == 0.015 and 'boom' in first_failure(results).error.message


def test_a_failure_stops_new_starts_but_the_calls_in_flight_finish_and_are_reported():
    work = InFlight()
    items = [0.015] + [0.03] * 3 + [0.0] * 20
    results = run_in_order(items, work, 4)
    assert results[0].error is not None
    assert [entry.ok for entry in results[1:4]] == [True] * 3, 'in flight when the failure came: done and reported'
    assert not any(entry.started for entry in results[4:]), 'nothing new started after the failure'
    assert first_failure(results) is results[0]


def test_without_stop_on_failure_every_item_runs():
    results = run_in_order([0.015, 0.0, 0.015, 0.0], InFlight(), 2, stop_on_failure=False)
    assert [entry.ok for entry in results] == [False, True, False, True]
    assert all(entry.started for entry in results)


def test_a_bug_is_raised_not_reported():
    def broken(item):
        if item == 2:
            raise KeyError('typo')
        return item

    with pytest.raises(KeyError):
        run_in_order([1, 2, 3], broken, 2)


def test_workers_are_threads_that_each_can_keep_a_connection():
    names = set()

    def name(item):
        time.sleep(0.005)
        names.add(threading.current_thread().name)
        return item

    run_in_order(list(range(16)), name, 4)
    assert 1 < len(names) <= 4 and all(item.startswith('rocketchat') for item in names)


@pytest.mark.parametrize('value', [0, -1, 65])
def test_parallel_out_of_range_is_refused_naming_the_option(value):
    with pytest.raises(InvalidInput) as caught:
        check_parallel(value)
    assert 'parallel must be between 1' in caught.value.message and str(value) in caught.value.message
