# Copyright (c) 2026 chatops.rocketchat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

"""Redaction: secrets out of everything the collection returns, raises or writes."""

from __future__ import annotations

import re
import threading
import typing as t

REDACTED = '********'
SECRET_KEYS = frozenset(('token', 'authToken', 'password', 'X-Auth-Token', 'x-auth-token', 'auth_token',
                         'login_password'))
HOOK_URL_PATTERN = re.compile(r'(/hooks/[^/\s"\']+/)([^/\s"\'?#]+)')
SHORTEST_SECRET = 4  # shorter values would redact ordinary words


class Redactor:
    """Replaces every secret it was told of, hook URL tokens, and the values of secret keys, by ********."""

    def __init__(self, secrets: t.Iterable[str | None] = ()):
        self.secrets: set[str] = set()
        self._lock = threading.Lock()  # workers add secrets (a login token) while others redact
        for secret in secrets:
            self.add(secret)

    def add(self, secret: str | None) -> None:
        """Remember a secret in every form it may be echoed in: as given, stripped, and as Python repr shows it."""
        if not secret:
            return
        with self._lock:
            for variant in (secret, secret.strip(), repr(secret)[1:-1], repr(secret.strip())[1:-1]):
                if len(variant) >= SHORTEST_SECRET:
                    self.secrets.add(variant)

    def text(self, value: str) -> str:
        value = HOOK_URL_PATTERN.sub(lambda match: match.group(1) + REDACTED, value)
        with self._lock:
            secrets = sorted(self.secrets, key=len, reverse=True)
        for secret in secrets:
            value = value.replace(secret, REDACTED)
        return value

    def __call__(self, value: t.Any) -> t.Any:
        if isinstance(value, dict):
            return {key: (REDACTED if key in SECRET_KEYS and value[key] not in (None, '') else self(item))
                    for key, item in value.items()}
        if isinstance(value, list):
            return [self(item) for item in value]
        if isinstance(value, str):
            return self.text(value)
        return value
