# Copyright (c) 2026 chatops.rocketchat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

"""Bounded concurrency for the calls of one run (option parallel): up to N calls in flight, results in input order.

Lists stay sequential (their paging order matters); the writes and the per-integration lookups run here. Every call
still goes through the client's one Pacer, so workers together never outrun the server's rate limit, and each
worker thread has its own keep-alive session. Results come back in the order of the input, whatever order the calls
finished in, so that what a run reports does not depend on timing.
"""

from __future__ import annotations

import concurrent.futures
import typing as t
from dataclasses import dataclass

from ansible_collections.chatops.rocketchat.plugins.module_utils._errors import CollectionError, InvalidInput

DEFAULT_PARALLEL = 8
MAX_PARALLEL = 64


@dataclass
class Done:
    """What became of one input: its value, its failure, or (started False) never sent because an earlier one
    failed."""

    item: t.Any
    value: t.Any = None
    error: CollectionError | None = None
    started: bool = True

    @property
    def ok(self) -> bool:
        return self.started and self.error is None


def check_parallel(value: int, option: str = 'parallel') -> None:
    """Before any request: a count of workers the run can use."""
    if not 1 <= value <= MAX_PARALLEL:
        raise InvalidInput('%s must be between 1 (one call at a time) and %d, got %d.' % (option, MAX_PARALLEL, value))


def run_in_order(items: t.Sequence, work: t.Callable[[t.Any], t.Any], parallel: int,
                 stop_on_failure: bool = True) -> list[Done]:
    """work(item) for each item on up to `parallel` threads; one Done per item, in input order.

    A CollectionError is that item's failure. With stop_on_failure, no item is started after a failure is seen;
    those in flight finish (a request already sent cannot be taken back, and its outcome must be reported). Any
    other exception is a bug: it is raised once the calls in flight have ended.
    """
    done: list[Done | None] = [None] * len(items)
    if parallel <= 1 or len(items) <= 1:
        failed = False
        for index, item in enumerate(items):
            if failed and stop_on_failure:
                done[index] = Done(item, started=False)
                continue
            try:
                done[index] = Done(item, work(item))
            except CollectionError as error:
                done[index] = Done(item, error=error)
                failed = True
        return t.cast('list[Done]', done)
    bug: BaseException | None = None
    failed = False
    with concurrent.futures.ThreadPoolExecutor(max_workers=min(parallel, len(items)),
                                               thread_name_prefix='rocketchat') as pool:
        pending: dict[concurrent.futures.Future, int] = {}
        upcoming = iter(range(len(items)))
        for index in upcoming:
            pending[pool.submit(work, items[index])] = index
            if len(pending) >= parallel:
                break
        while pending:
            finished, _still = concurrent.futures.wait(pending, return_when=concurrent.futures.FIRST_COMPLETED)
            for future in finished:
                index = pending.pop(future)
                raised = future.exception()
                if raised is None:
                    done[index] = Done(items[index], future.result())
                elif isinstance(raised, CollectionError):
                    done[index] = Done(items[index], error=raised)
                    failed = True
                else:
                    bug = bug or raised
            while len(pending) < parallel and not bug and not (failed and stop_on_failure):
                following = next(upcoming, None)
                if following is None:
                    break
                pending[pool.submit(work, items[following])] = following
    if bug is not None:
        raise bug
    return [entry if entry is not None else Done(items[index], started=False) for index, entry in enumerate(done)]


def first_failure(results: t.Sequence[Done]) -> Done | None:
    """The failure that comes first in input order (the one a sequential run would have stopped at)."""
    return next((entry for entry in results if entry.error is not None), None)
