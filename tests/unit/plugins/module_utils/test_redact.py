# Copyright (c) 2026 chatops.rocketchat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Redaction: every secret the client saw, hook URL tokens, and secret keys."""

from __future__ import annotations

import threading

from ansible_collections.chatops.rocketchat.plugins.module_utils._redact import REDACTED, Redactor


def test_redactor_hides_tokens_and_hook_urls():
    redact = Redactor(['secret-auth-token-123'])
    doc = {'token': 'abc', 'name': 'x', 'nested': [{'authToken': 'q'}],
           'text': 'see https://chat.example.com/hooks/65f1c0ffee/AbCdEf123 and secret-auth-token-123'}
    assert redact(doc) == {'token': REDACTED, 'name': 'x', 'nested': [{'authToken': REDACTED}],
                           'text': 'see https://chat.example.com/hooks/65f1c0ffee/%s and %s' % (REDACTED, REDACTED)}


def test_a_secret_in_any_form_is_redacted():
    redact = Redactor([' padded-secret-value\n'])
    assert redact("got ' padded-secret-value\\n' and padded-secret-value") == "got '%s' and %s" % (REDACTED, REDACTED)


def test_short_values_are_not_secrets_that_would_redact_words():
    redact = Redactor(['abc', None, ''])
    assert redact('abc def') == 'abc def'


def test_a_secret_added_while_others_redact_is_redacted_from_then_on():
    redact = Redactor()
    texts = []

    def worker():
        for dummy in range(200):
            texts.append(redact('login-token-added-later'))
    threads = [threading.Thread(target=worker) for dummy in range(4)]
    for thread in threads:
        thread.start()
    redact.add('login-token-added-later')
    for thread in threads:
        thread.join()
    assert redact('login-token-added-later') == REDACTED
    assert set(texts) <= {'login-token-added-later', REDACTED}
