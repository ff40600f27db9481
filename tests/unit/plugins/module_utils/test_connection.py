# Copyright (c) 2026 chatops.rocketchat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The connection options: their checks, and the client they make."""

from __future__ import annotations

import pytest

from ansible_collections.chatops.rocketchat.plugins.module_utils._connection import (
    InvalidInput,
    check_connection,
    connection_argument_spec,
)

TOKEN = {'server_url': 'https://chat.example.com', 'user_id': 'u', 'auth_token': 't', 'timeout': 30}


def params(**changes):
    return dict({key: None for key in connection_argument_spec()}, **dict(TOKEN, **changes))


def test_a_token_pair_is_enough():
    check_connection(params())
    check_connection(params(user_id=None, auth_token=None, login_user='bot', login_password='pw'))


@pytest.mark.parametrize('changes, words', [
    ({'server_url': ''}, 'ROCKETCHAT_URL'),
    ({'server_url': 'chat.example.com'}, 'not an http(s) URL'),
    ({'login_user': 'bot', 'login_password': 'pw'}, 'Both credential pairs'),
    ({'auth_token': None}, 'user_id and auth_token go together'),
    ({'user_id': None, 'auth_token': None, 'login_user': 'bot'}, 'login_user and login_password go together'),
    ({'user_id': None, 'auth_token': None}, 'No credentials were given'),
    ({'timeout': 0}, 'timeout must be a positive number'),
])
def test_each_problem_is_named(changes, words):
    with pytest.raises(InvalidInput) as caught:
        check_connection(params(**changes))
    assert words in str(caught.value)


def test_secrets_are_no_log_and_have_environment_fallbacks():
    spec = connection_argument_spec()
    assert spec['auth_token']['no_log'] and spec['login_password']['no_log']
    assert {option: spec[option]['fallback'][1] for option in ('server_url', 'user_id', 'auth_token', 'login_user',
                                                               'login_password')} == {
        'server_url': ['ROCKETCHAT_URL'], 'user_id': ['ROCKETCHAT_USER_ID'], 'auth_token': ['ROCKETCHAT_AUTH_TOKEN'],
        'login_user': ['ROCKETCHAT_USERNAME'], 'login_password': ['ROCKETCHAT_PASSWORD']}
