# Copyright (c) 2026 chatops.rocketchat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The connection options: their checks, and the client they make."""

from __future__ import annotations

import pytest

from ansible_collections.chatops.rocketchat.plugins.module_utils._connection import (
    CREDENTIAL_VARIABLES,
    check_connection,
    connection_argument_spec,
    resolve_credentials,
    validate_server_url,
    without_api_path,
)
from ansible_collections.chatops.rocketchat.plugins.module_utils._errors import InvalidInput

TOKEN = {'server_url': 'https://chat.example.com', 'user_id': 'u', 'auth_token': 't', 'timeout': 30}


def params(**changes):
    return dict({key: None for key in connection_argument_spec()}, **dict(TOKEN, **changes))


def test_a_token_pair_is_enough():
    check_connection(params())
    check_connection(params(user_id=None, auth_token=None, login_user='bot', login_password='pw'))


@pytest.mark.parametrize('changes, words', [
    ({'server_url': ''}, 'ROCKETCHAT_URL'),
    ({'server_url': None}, 'server_url is empty: set it (or ROCKETCHAT_URL)'),
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


def test_secrets_are_no_log():
    spec = connection_argument_spec()
    assert spec['auth_token']['no_log'] and spec['login_password']['no_log']
    assert spec['server_url']['fallback'][1] == ['ROCKETCHAT_URL']


ENVIRONMENT = {'ROCKETCHAT_USER_ID': 'env-user', 'ROCKETCHAT_AUTH_TOKEN': 'env-token',
               'ROCKETCHAT_USERNAME': 'env-login', 'ROCKETCHAT_PASSWORD': 'env-password'}


def resolved(environ, **given):
    values = dict({option: None for option in CREDENTIAL_VARIABLES}, **given)
    resolve_credentials(values, environ)
    return values


def test_a_pair_given_as_options_wins_over_the_environment():
    assert resolved(ENVIRONMENT, user_id='arg-user', auth_token='arg-token') == {
        'user_id': 'arg-user', 'auth_token': 'arg-token', 'login_user': None, 'login_password': None}
    assert resolved(ENVIRONMENT, login_user='arg-login', login_password='pw') == {
        'user_id': None, 'auth_token': None, 'login_user': 'arg-login', 'login_password': 'pw'}


def test_the_environment_completes_a_pair_the_options_began():
    assert resolved(ENVIRONMENT, user_id='arg-user') == {
        'user_id': 'arg-user', 'auth_token': 'env-token', 'login_user': None, 'login_password': None}


def test_without_options_the_environment_gives_the_credentials():
    only_token = {key: value for key, value in ENVIRONMENT.items() if 'USER_ID' in key or 'AUTH' in key}
    assert resolved(only_token)['auth_token'] == 'env-token'
    with pytest.raises(InvalidInput) as caught:
        check_connection(dict(params(user_id=None, auth_token=None), **resolved(ENVIRONMENT)))
    assert 'Both credential pairs' in str(caught.value)


def test_white_space_around_credentials_is_stripped():
    assert resolved({'ROCKETCHAT_AUTH_TOKEN': ' env-token\n'}, user_id=' arg-user\n') == {
        'user_id': 'arg-user', 'auth_token': 'env-token', 'login_user': None, 'login_password': None}


@pytest.mark.parametrize('url, problem', [
    ('', 'empty'), ('   ', 'empty'), ('chat.example.com', 'not an http(s) URL'), ('ftp://x', 'not an http(s) URL'),
    ('https://chat.example.com/chat', None),
])
def test_server_url_validation(url, problem):
    message = validate_server_url(url)
    assert (message is None) if problem is None else (problem in message)


@pytest.mark.parametrize('given, used', [
    ('https://chat.example.com/api/v1/', 'https://chat.example.com'), ('https://chat.example.com/api', 'https://chat.example.com'),
    ('https://example.com/chat', 'https://example.com/chat'),
])
def test_an_api_path_on_server_url_is_stripped(given, used):
    assert without_api_path(given) == used
