# Copyright (c) 2026 chatops.rocketchat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

"""Rate-limit pacing on the server's own figures, shared by every worker of a run.

Rocket.Chat limits each endpoint and method per client (10 calls a minute by default) unless the user holds
api-bypass-rate-limit, and tells the budget in X-RateLimit-Limit / -Remaining / -Reset (epoch ms on the server's
clock). Every call asks the one Pacer of its client first (``acquire``) and reports the answer (``release``), so that
workers together never spend more than the server allows: a call waits while the budget is spent, and while the
first call to an endpoint has not yet told the budget, the others wait for it.
"""

from __future__ import annotations

import email.utils
import re
import threading
import time
import typing as t

MARGIN_SECONDS = 0.05  # after the reset time, so that the call lands in the new window
DEFAULT_429_WAIT = 10.0  # a 429 that says nothing of when to come back
UNLIMITED = 'unlimited'  # an endpoint whose answers carry no rate-limit headers


class Budget:
    """What the server said of one endpoint's window, less the calls sent since."""

    def __init__(self, limit: int, remaining: int, reset_at: float | None):
        self.limit = limit
        self.remaining = remaining
        self.reset_at = reset_at  # server clock, seconds; None: a fresh window whose reset no answer has told yet


class Pacer:
    """One per client; thread-safe. Keys are 'METHOD endpoint', as the server counts them."""

    def __init__(self, clock: t.Callable[[], float] | None = None, sleep: t.Callable[[float], None] | None = None):
        self.clock = clock or time.time
        self.sleep = sleep or time.sleep
        self._condition = threading.Condition()
        self._budgets: dict[str, Budget | str] = {}
        self._in_flight: dict[str, int] = {}
        # The server's clock minus ours, from its Date header: X-RateLimit-Reset is on the server's clock. Date has
        # whole seconds, so the server's time is at or after it: waits computed from it are never too short.
        self._server_clock_offset: float | None = None

    def server_now(self) -> float:
        return self.clock() + (self._server_clock_offset or 0.0)

    def acquire(self, key: str) -> None:
        """Return when a call to `key` may be sent, having counted it against the budget."""
        while True:
            with self._condition:
                wait = self._reserve(key)
                if wait is None:
                    return
                if wait == 0:
                    # the first call to this endpoint is out: its answer tells the budget
                    self._condition.wait(timeout=1.0)
                    continue
            self.sleep(wait)

    def _reserve(self, key: str) -> float | None:
        """None: reserved. 0: wait for the call in flight. Else: seconds to sleep, then ask again."""
        budget = self._budgets.get(key)
        in_flight = self._in_flight.get(key, 0)
        if budget is None and in_flight:
            return 0
        if isinstance(budget, Budget):
            if budget.remaining <= 0:
                if budget.reset_at is None:
                    # spent in a window no answer has dated yet: the calls in flight will date it
                    if in_flight:
                        return 0
                    budget.remaining = 1
                    wait = 0.0
                else:
                    wait = budget.reset_at - self.server_now()
                if wait > 0:
                    return round(wait + MARGIN_SECONDS, 3)  # milliseconds: no float noise in waits
                if budget.reset_at is not None:
                    budget.remaining, budget.reset_at = budget.limit, None  # a new window
            budget.remaining -= 1
        self._in_flight[key] = in_flight + 1
        return None

    def release(self, key: str, headers: t.Mapping[str, str] | None = None) -> float | None:
        """The call to `key` was answered (headers) or failed (None). Returns seconds until the window resets when
        the answer said."""
        with self._condition:
            self._in_flight[key] = max(self._in_flight.get(key, 0) - 1, 0)
            until_reset = None if headers is None else self._learn(key, headers)
            self._condition.notify_all()
        return until_reset

    def _learn(self, key: str, headers: t.Mapping[str, str]) -> float | None:
        self._learn_clock(headers)
        try:
            limit = int(headers['X-RateLimit-Limit']) if 'X-RateLimit-Limit' in headers else None
            remaining = int(headers['X-RateLimit-Remaining'])
            reset_at = int(headers['X-RateLimit-Reset']) / 1000.0
        except (KeyError, TypeError, ValueError):
            if key not in self._budgets:
                self._budgets[key] = UNLIMITED
            return None
        # Calls still in flight may not have been counted in this answer: assume they were not.
        told = remaining - self._in_flight.get(key, 0)
        budget = self._budgets.get(key)
        if not isinstance(budget, Budget):
            self._budgets[key] = Budget(limit or remaining + 1, told, reset_at)
        else:
            same_window = budget.reset_at is not None and abs(budget.reset_at - reset_at) < 1.0
            budget.remaining = min(budget.remaining, told) if same_window else told
            budget.reset_at = reset_at if budget.reset_at is None or not same_window else budget.reset_at
            budget.limit = limit or budget.limit
        return max(reset_at - self.server_now(), 0.0)

    def _learn_clock(self, headers: t.Mapping[str, str]) -> None:
        try:
            # Each Date gives a lower bound of the offset (whole seconds, and sent before we read it); the largest
            # seen is the closest. A much smaller one means the server's clock was set back: start again from it.
            lower = email.utils.parsedate_to_datetime(headers['Date']).timestamp() - self.clock()
        except (KeyError, TypeError, ValueError, IndexError):
            return
        offset = self._server_clock_offset
        if offset is None or lower > offset or lower < offset - 2:
            self._server_clock_offset = lower

    def hold(self, key: str, seconds: float) -> None:
        """A 429 came all the same: no worker calls `key` for `seconds`."""
        with self._condition:
            budget = self._budgets.get(key)
            if not isinstance(budget, Budget):
                budget = self._budgets[key] = Budget(1, 0, None)
            budget.remaining = 0
            # `seconds` already holds the margin (wait_after_429): acquire adds it again, so take it off here
            until = self.server_now() + seconds - MARGIN_SECONDS
            budget.reset_at = until if budget.reset_at is None else max(budget.reset_at, until)
            self._condition.notify_all()


def wait_after_429(body_text: str, until_reset: float | None) -> float:
    """Never less than the server asked for in its 429 text ("You must wait N seconds"), nor than its own reset
    time says."""
    match = re.search(r'wait (\d+) seconds', body_text or '')
    asked = float(match.group(1)) if match else None
    if until_reset is None:
        return asked if asked is not None else DEFAULT_429_WAIT
    return max(until_reset + MARGIN_SECONDS, asked or 0.0)
