# Copyright (c) 2026 chatops.rocketchat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The kinds of failure: each keeps its kind when retold, and says what the failed result carries."""

from __future__ import annotations

import pytest

from ansible_collections.chatops.rocketchat.plugins.module_utils._errors import (
    CollectionError,
    InvalidInput,
    LocalFileError,
    PlanRefused,
    RocketChatError,
)


@pytest.mark.parametrize('kind', [InvalidInput, PlanRefused, LocalFileError, RocketChatError])
def test_every_kind_is_a_collection_error_and_keeps_its_kind_when_retold(kind):
    error = kind('first')
    retold = error.with_message('second')
    assert isinstance(retold, kind) and isinstance(retold, CollectionError)
    assert retold.message == str(retold) == 'second' and error.message == 'first'


def test_a_server_answer_carries_status_body_and_url_into_the_failure():
    error = RocketChatError('refused', status=400, body={'error': 'x'}, url='https://chat/api/v1/x', attempts=2)
    retold = error.with_message('Removed 1 of 2, then: refused')
    assert retold.attempts == 2 and retold.status == 400
    assert retold.to_fail_kwargs() == {'msg': 'Removed 1 of 2, then: refused', 'status': 400, 'body': {'error': 'x'},
                                       'url': 'https://chat/api/v1/x'}


def test_a_refused_plan_carries_its_details():
    refused = PlanRefused('too many', planned=[{'id': 'a'}])
    assert refused.to_fail_kwargs() == {'msg': 'too many', 'planned': [{'id': 'a'}]}
