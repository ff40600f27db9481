# Copyright (c) 2026 chatops.rocketchat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

"""The kinds of failure, one class each. Every one ends a task the same way, in one place
(``_connection.fail_with``): its sentence as ``msg``, its details beside it."""

from __future__ import annotations

import copy
import typing as t

_Error = t.TypeVar('_Error', bound='CollectionError')


class CollectionError(Exception):
    """A failure the user can act on: one sentence, and the fields the failed result carries besides it."""

    def __init__(self, message: str, **details: t.Any):
        super().__init__(message)
        self.message = message
        self.details = details

    def with_message(self: _Error, message: str) -> _Error:
        """The same failure, of the same kind, told in other words (for a caller that knows what it means)."""
        other = copy.copy(self)
        other.message = message
        other.args = (message,)
        return other

    def to_fail_kwargs(self) -> dict:
        kwargs = {key: value for key, value in self.details.items() if value is not None}
        kwargs['msg'] = self.message
        return kwargs


class InvalidInput(CollectionError):
    """Module input that cannot work, found before any request: the message names the option and the fix."""


class PlanRefused(CollectionError):
    """A plan that must not be applied (a guard, an ambiguous or impossible definition), found before any write."""


class LocalFileError(CollectionError):
    """A file the collection writes (a backup, a report) could not be written."""


class RocketChatError(CollectionError):
    """What the server answered (or that it could not be reached), redacted, with the request it answered."""

    def __init__(self, message: str, status: int | None = None, body: t.Any = None, error_type: str | None = None,
                 error_text: str | None = None, method: str | None = None, url: str | None = None,
                 attempts: int = 1):
        super().__init__(message, status=status, body=body, url=url)
        self.status = status
        self.body = body
        self.error_type = error_type
        self.error_text = error_text
        self.method = method
        self.url = url
        # How many times the request that failed was sent: more than one means an earlier attempt may have
        # reached the server although its answer was lost.
        self.attempts = attempts
