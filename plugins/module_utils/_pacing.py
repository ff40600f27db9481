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

X-RateLimit-Reset is on the server's clock, and the Date header tells that clock in whole seconds only: each answer
bounds the offset between the clocks (below from its arrival, above from its sending), and waits use the lower bound,
so they are never too short. While workers queue for a spent window, the window's last call is sent where the
server's next second would begin if the offset were mid-way between the bounds: its Date halves the uncertainty
(``_probe_at``). A call that the window allows anyway, sent before the window ends: it costs no time and no call.
"""

from __future__ import annotations

import email.utils
import math
import re
import threading
import time
import typing as t

MARGIN_SECONDS = 0.05  # after the reset time, so that the call lands in the new window
PROBE_WORTH = 0.05  # uncertainty of the server's clock (seconds) below which a probe is not worth timing
PROBE_MARGIN = 0.2  # a call with budget left is sent at least this long before the window ends (by the upper bound)
DEFAULT_429_WAIT = 10.0  # a 429 that says nothing of when to come back
UNLIMITED = 'unlimited'  # an endpoint whose answers carry no rate-limit headers


class Budget:
    """What the server said of one endpoint's window, less the calls sent since."""

    def __init__(self, limit: int, remaining: int, reset_at: float | None):
        self.limit = limit
        self.remaining = remaining
        self.least_told = remaining  # the smallest X-RateLimit-Remaining of this window's answers
        self.reset_at = reset_at  # server clock, seconds; None: a fresh window whose reset no answer has told yet
        self.probe_at: float | None = None  # our clock: when the window's last call goes, timed to read the clock


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
        self._offset_upper: float | None = None  # the offset is below this
        self._waiting: dict[str, int] = {}  # callers inside acquire, per key
        self._sent = threading.local()  # when this thread's call was sent: the upper bound needs it
        self._waits: list[tuple[float, float, str]] = []  # (start, end on our clock, key) of each wait for the limit

    def server_now(self) -> float:
        return self.clock() + (self._server_clock_offset or 0.0)

    def acquire(self, key: str) -> None:
        """Return when a call to `key` may be sent, having counted it against the budget."""
        with self._condition:
            self._waiting[key] = self._waiting.get(key, 0) + 1
        reserved = False
        try:
            while True:
                with self._condition:
                    wait = self._reserve(key)
                    if wait is None:
                        # no longer queueing, under the same lock: the next caller must not count this one
                        self._waiting[key] -= 1
                        reserved = True
                        self._sent.at = self.clock()
                        return
                    if wait == 0:
                        # the first call to this endpoint is out: its answer tells the budget
                        self._condition.wait(timeout=1.0)
                        continue
                started = self.clock()
                self.sleep(wait)
                with self._condition:
                    self._waits.append((started, self.clock(), key))
        finally:
            if not reserved:
                with self._condition:
                    self._waiting[key] -= 1

    def _reserve(self, key: str) -> float | None:
        """None: reserved. 0: wait for the call in flight. Else: seconds to sleep, then ask again."""
        budget = self._budgets.get(key)
        in_flight = self._in_flight.get(key, 0)
        if budget is None and in_flight:
            return 0
        if isinstance(budget, Budget):
            if budget.remaining > 0 and budget.reset_at is not None and self._may_have_ended(budget.reset_at):
                # sent now, the call might be counted in the next window, which this pacer would open afresh
                budget.remaining = 0
            if budget.remaining <= 0:
                if budget.reset_at is None:
                    # spent in a window no answer has dated yet: the calls in flight will date it
                    if in_flight:
                        return 0
                    budget.remaining = 1
                    wait = 0.0
                else:
                    wait = budget.reset_at - self.server_now()
                    if wait > 0 and in_flight:
                        # spent only if the calls in flight were not counted before the answer that told the least:
                        # their answers will tell, within a round trip
                        return 0
                if wait > 0:
                    return round(wait + MARGIN_SECONDS, 3)  # milliseconds: no float noise in waits
                if budget.reset_at is not None:
                    budget.remaining, budget.reset_at = budget.limit, None  # a new window
                    budget.probe_at = None
            elif budget.remaining == 1 and self._waiting.get(key, 0) > 1:
                # others queue for the next window anyway: this window's last call may as well read the clock,
                # once an answer has told when the window ends
                if budget.reset_at is None and in_flight:
                    return 0
                probe = self._probe_wait(budget)
                if probe:
                    return probe
            budget.remaining -= 1
            budget.probe_at = None
        self._in_flight[key] = in_flight + 1
        return None

    def _may_have_ended(self, reset_at: float) -> bool:
        """Whether the server's clock might reach `reset_at` before a call sent now arrives (by the upper bound)."""
        lower, upper = self._server_clock_offset or 0.0, self._offset_upper
        return self.clock() + (lower + 1.0 if upper is None else upper) + PROBE_MARGIN >= reset_at

    def _probe_wait(self, budget: Budget) -> float | None:
        """Seconds until the window's last call should go to narrow the clock's bounds; None: go now."""
        now = self.clock()
        if budget.probe_at is None:
            lower, upper = self._server_clock_offset, self._offset_upper
            if lower is None or upper is None or upper - lower < PROBE_WORTH or budget.reset_at is None:
                return None
            middle = (lower + upper) / 2
            probe_at = math.ceil(now + middle) - middle  # where the server's next second begins, if at `middle`
            if probe_at >= budget.reset_at - upper - 2 * PROBE_MARGIN:
                return None  # it might land in the next window
            budget.probe_at = probe_at
        if budget.probe_at > now:
            return round(budget.probe_at - now, 3)
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
        # The answer that told the least remaining counted every call the server had taken before it; the calls
        # it may not have counted are among those still in flight: assume none of them was.
        in_flight = self._in_flight.get(key, 0)
        budget = self._budgets.get(key)
        if not isinstance(budget, Budget):
            budget = self._budgets[key] = Budget(limit or remaining + 1, remaining, reset_at)
        elif budget.reset_at is not None and reset_at < budget.reset_at - 1.0:
            return max(reset_at - self.server_now(), 0.0)  # a late answer from a window already over
        elif budget.reset_at is None or reset_at > budget.reset_at + 1.0:
            budget.least_told, budget.reset_at = remaining, reset_at  # the first answer of a new window
        else:
            budget.least_told = min(budget.least_told, remaining)
        budget.remaining = budget.least_told - in_flight
        budget.limit = limit or budget.limit
        return max(reset_at - self.server_now(), 0.0)

    def _learn_clock(self, headers: t.Mapping[str, str]) -> None:
        try:
            # The server wrote Date (whole seconds) after our call left and before we read the answer: the offset is
            # at least Date - now, and less than Date + 1 - sent. The largest lower and the smallest upper bound seen
            # are the closest. Bounds that cross mean the server's clock was set: start again from this answer.
            date = email.utils.parsedate_to_datetime(headers['Date']).timestamp()
        except (KeyError, TypeError, ValueError, IndexError):
            return
        lower = date - self.clock()
        sent = getattr(self._sent, 'at', None)
        upper = None if sent is None else date + 1 - sent
        offset, offset_upper = self._server_clock_offset, self._offset_upper
        crossed = offset is not None and (lower < offset - 2 or (offset_upper is not None and lower > offset_upper)
                                          or (upper is not None and upper < offset))
        if offset is None or crossed:
            self._server_clock_offset, self._offset_upper = lower, upper
            return
        self._server_clock_offset = max(offset, lower)
        if upper is not None:
            self._offset_upper = upper if offset_upper is None else min(offset_upper, upper)

    def waited(self) -> tuple[float, dict[str, int]]:
        """How long the run waited for the server's rate limit (seconds of wall time in which at least one call
        waited: workers waiting together count once), and each endpoint's limit among those waited on."""
        with self._condition:
            waits = sorted(self._waits)
            limits = {key: budget.limit for key, budget in self._budgets.items()
                      if isinstance(budget, Budget) and any(key == waited for _start, _end, waited in waits)}
        total, covered_until = 0.0, None
        for start, end, _key in waits:
            if covered_until is not None and start < covered_until:
                start = covered_until
            if end > start:
                total += end - start
            covered_until = end if covered_until is None else max(covered_until, end)
        return round(total, 1), limits

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


WAIT_WORTH_A_WARNING = 1.0  # seconds


def rate_limit_warning(waited: float, limits: t.Mapping[str, int]) -> str | None:
    """What a run that waited for the rate limit says: how long, on which endpoints, and the permission that would
    have spared it (Rocket.Chat does not limit a user holding api-bypass-rate-limit)."""
    if waited < WAIT_WORTH_A_WARNING:
        return None
    return ("Rocket.Chat's rate limit held this run for %.0f s (%s). The token's user lacks the permission "
            "api-bypass-rate-limit: with it, Rocket.Chat does not limit its calls and this run would have been about "
            "%.0f s shorter. Grant it to a role of that user (Administration > Workspace > Permissions), or expect "
            "the wait (see rate_limit_waited)." % (
                waited, ', '.join('%s: %d calls a window' % (key, limit) for key, limit in sorted(limits.items()))
                or 'the limit of its endpoints', waited))


def wait_after_429(body_text: str, until_reset: float | None) -> float:
    """Never less than the server asked for in its 429 text ("You must wait N seconds"), nor than its own reset
    time says."""
    match = re.search(r'wait (\d+) seconds', body_text or '')
    asked = float(match.group(1)) if match else None
    if until_reset is None:
        return asked if asked is not None else DEFAULT_429_WAIT
    return max(until_reset + MARGIN_SECONDS, asked or 0.0)
