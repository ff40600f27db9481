# Copyright (c) 2026 chatops.rocketchat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The transport with the HTTP layer scripted: error mapping, retries, pacing, TLS choice, login, redaction."""

from __future__ import annotations

import email.utils

import pytest
import requests

from ansible_collections.chatops.rocketchat.plugins.module_utils._client import RocketChatClient
from ansible_collections.chatops.rocketchat.plugins.module_utils._errors import RocketChatError
from ansible_collections.chatops.rocketchat.plugins.module_utils._redact import REDACTED
from ansible_collections.chatops.rocketchat.tests.unit.plugins.fakes import (
    SERVER,
    FakeClock,
    FakeResponse,
    integration_doc,
    list_handler,
)


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def client(fake_api, clock):
    del fake_api
    made = RocketChatClient(SERVER + '/chat/', user_id='uid-1', auth_token='secret-auth-token-123',
                            sleep=clock.sleep, clock=clock.time)
    made.authenticate()
    return made


@pytest.mark.parametrize('body', [
    {'success': False, 'error': 'You must be logged in to do this.', 'status': 'error',
     'message': 'You must be logged in to do this.'},
    {'status': 'error', 'message': 'You must be logged in to do this.'},
], ids=['7.x', '6.x'])
def test_401_in_both_dialects(fake_api, client, body):
    fake_api.script('GET', 'integrations.list', FakeResponse(401, body))
    with pytest.raises(RocketChatError) as caught:
        client.request('GET', 'integrations.list')
    assert caught.value.status == 401
    assert 'refused the credentials' in caught.value.message and 'user_id/auth_token' in caught.value.message
    assert 'You must be logged in' in caught.value.message


def test_429_waits_until_reset_then_retries(fake_api, client, clock):
    reset_ms = int((clock.now + 7.5) * 1000)
    fake_api.script('GET', 'integrations.list', FakeResponse(429, {
        'success': False, 'error': 'Error, too many requests. Please slow down. You must wait 8 seconds before trying '
                                   'this endpoint again. [error-too-many-requests]'},
        headers={'X-RateLimit-Limit': '10', 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': str(reset_ms)}))
    fake_api.on('GET', 'integrations.list', list_handler([]))
    assert client.request('GET', 'integrations.list')['integrations'] == []
    assert clock.sleeps == [8.0], 'never less than the 8 seconds the server asked for'


def test_429_without_headers_uses_the_message(fake_api, client, clock):
    fake_api.script('GET', 'integrations.list', FakeResponse(429, {
        'success': False, 'error': 'Error, too many requests. Please slow down. You must wait 3 seconds before trying '
                                   'this endpoint again. [error-too-many-requests]'}))
    fake_api.on('GET', 'integrations.list', list_handler([]))
    client.request('GET', 'integrations.list')
    assert clock.sleeps == [3.0]


def test_paces_before_the_server_would_refuse(fake_api, client, clock):
    reset_ms = int((clock.now + 2) * 1000)
    headers = {'X-RateLimit-Limit': '2', 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': str(reset_ms)}
    fake_api.on('POST', 'integrations.remove', lambda call: FakeResponse(body={'integration': {}, 'success': True},
                                                                         headers=headers))
    client.request('POST', 'integrations.remove', json_body={'type': 'webhook-incoming', 'integrationId': 'a'})
    client.request('POST', 'integrations.remove', json_body={'type': 'webhook-incoming', 'integrationId': 'b'})
    assert clock.sleeps == [pytest.approx(2.05)], 'waited once, before the call that would have been refused'


@pytest.mark.parametrize('status', [502, 503, 504])
def test_transient_statuses_are_retried_for_reads(fake_api, client, clock, status):
    fake_api.script('GET', 'integrations.list', FakeResponse(status, {'success': False, 'error': 'busy'}),
                    FakeResponse(status, {'success': False, 'error': 'busy'}))
    fake_api.on('GET', 'integrations.list', list_handler([integration_doc('a', 'a')]))
    assert len(client.request('GET', 'integrations.list')['integrations']) == 1
    assert clock.sleeps == [0.5, 1.0]


def test_gives_up_after_bounded_retries(fake_api, client):
    fake_api.on('GET', 'integrations.list', lambda call: FakeResponse(502, {'success': False, 'error': 'bad gateway'}))
    with pytest.raises(RocketChatError) as caught:
        client.request('GET', 'integrations.list')
    assert caught.value.status == 502
    assert len(fake_api.endpoint_calls('GET', 'integrations.list')) == 5


@pytest.mark.parametrize('status', [200, 502])
def test_html_from_a_proxy_is_a_clear_error(fake_api, client, status):
    fake_api.on('GET', 'integrations.list', lambda call: FakeResponse(
        status, text='<html><body><h1>502 Bad Gateway</h1> nginx</body></html>', headers={'Content-Type': 'text/html'}))
    with pytest.raises(RocketChatError) as caught:
        client.request('GET', 'integrations.list')
    assert caught.value.status == status
    assert 'not JSON (text/html)' in caught.value.message and '502 Bad Gateway' in caught.value.message


def test_truncated_json_is_a_clear_error(fake_api, client):
    fake_api.script('GET', 'me', FakeResponse(200, text='{"_id": "uid-1", "rol', headers={'Content-Type': 'application/json'}))
    with pytest.raises(RocketChatError) as caught:
        client.request('GET', 'me')
    assert 'not JSON' in caught.value.message


def test_read_timeout_names_url_and_option(fake_api, client):
    fake_api.script('GET', 'integrations.list', requests.exceptions.ReadTimeout('read timed out'))
    with pytest.raises(RocketChatError) as caught:
        client.request('GET', 'integrations.list')
    assert 'within 30 seconds (option timeout)' in caught.value.message
    assert SERVER + '/chat/api/v1/integrations.list' in caught.value.message


def test_login_then_logout(fake_api, clock):
    fake_api.script('POST', 'login', FakeResponse(body={'status': 'success', 'data': {
        'userId': 'uid-9', 'authToken': 'fresh-login-token-xyz'}, 'success': True}))
    fake_api.script('POST', 'logout', FakeResponse(body={'status': 'success'}))
    with RocketChatClient(SERVER, login_user='bot', login_password='hunter2-password', sleep=clock.sleep) as client:
        client.request('GET', 'me')
    login, me_call, logout = fake_api.calls
    assert login['json'] == {'user': 'bot', 'password': 'hunter2-password'}
    assert me_call['headers']['X-Auth-Token'] == 'fresh-login-token-xyz'
    assert logout['endpoint'] == 'logout'
    assert client.redact('token fresh-login-token-xyz and hunter2-password') == 'token %s and %s' % (REDACTED, REDACTED)


@pytest.mark.parametrize('validate_certs, ca_path, expected', [
    (True, None, True), (False, None, False), (True, '/etc/my-ca.pem', '/etc/my-ca.pem'), (False, '/etc/my-ca.pem', False),
])
def test_every_request_carries_the_tls_choice(fake_api, clock, monkeypatch, validate_certs, ca_path, expected):
    """A session-wide verify would lose to REQUESTS_CA_BUNDLE inside requests; each request says it."""
    monkeypatch.delenv('REQUESTS_CA_BUNDLE', raising=False)
    monkeypatch.delenv('CURL_CA_BUNDLE', raising=False)
    fake_api.on('GET', 'integrations.list', list_handler([]))
    made = RocketChatClient(SERVER, user_id='u', auth_token='token-value', validate_certs=validate_certs,
                            ca_path=ca_path, sleep=clock.sleep, clock=clock.time)
    made.authenticate()
    made.request('GET', 'integrations.list')
    assert fake_api.calls[0]['verify'] == expected


@pytest.mark.parametrize('status', [301, 302, 307, 308])
def test_a_redirect_is_never_followed_and_names_the_server_url_to_use(fake_api, client, status):
    fake_api.script('POST', 'integrations.remove', FakeResponse(status, text='', headers={
        'Location': 'https://chat.example.com/chat/api/v1/integrations.remove'}))
    with pytest.raises(RocketChatError) as caught:
        client.request('POST', 'integrations.remove', json_body={'type': 'webhook-incoming', 'integrationId': 'a'})
    assert 'set server_url to https://chat.example.com/chat.' in caught.value.message
    assert len(fake_api.calls) == 1 and fake_api.calls[0]['redirects'] is False


@pytest.mark.parametrize('body, words, not_words', [
    ({'success': False, 'status': 'error', 'error': 'totp-required', 'message': 'TOTP Required',
      'details': {'method': 'email'}}, ['two-factor authentication by email', 'Personal access tokens'], ['wrong']),
    ({'success': False, 'error': 'unauthorized'}, ['login_user/login_password is wrong', 'two-factor'], []),
    ({'status': 'error', 'error': 403, 'message': 'Incorrect password', 'success': False},
     ['Incorrect password', 'check login_user and login_password'], ['two-factor']),
], ids=['7.x 2FA', '8.x', 'wrong password'])
def test_a_refused_login_says_why(fake_api, clock, body, words, not_words):
    fake_api.script('POST', 'login', FakeResponse(401, body))
    with pytest.raises(RocketChatError) as caught:
        RocketChatClient(SERVER, login_user='bot', login_password='hunter2-password', sleep=clock.sleep).authenticate()
    message = caught.value.message
    assert all(word in message for word in words) and not any(word in message for word in not_words)
    assert 'must be created for that user id' not in message and 'hunter2-password' not in message


@pytest.mark.parametrize('skew', [-5.0, 20.0, 0.0])
def test_rate_limit_waits_are_on_the_servers_clock(fake_api, client, clock, skew):
    """The server's clock is `skew` seconds off ours; its budget resets 2 s after its own now."""
    def answer(call):
        server_now = clock.now + skew
        return FakeResponse(body={'integration': {}, 'success': True}, headers={
            'Date': email.utils.formatdate(server_now, usegmt=True), 'X-RateLimit-Limit': '2',
            'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': str(int((server_now + 2) * 1000))})
    fake_api.on('POST', 'integrations.remove', answer)
    body = {'type': 'webhook-incoming', 'integrationId': 'a'}
    client.request('POST', 'integrations.remove', json_body=body)
    client.request('POST', 'integrations.remove', json_body=body)
    assert len(clock.sleeps) == 1 and 2.0 <= clock.sleeps[0] <= 3.1, 'at least the 2 s asked, at most 1 s more'


def test_a_name_that_does_not_resolve_fails_at_once_naming_the_host(fake_api, client):
    fake_api.script('GET', 'integrations.list', requests.exceptions.ConnectionError(
        "HTTPSConnectionPool(host='chat.example.com', port=443): Max retries exceeded (Caused by "
        "NameResolutionError(\"Failed to resolve 'chat.example.com' ([Errno -2] Name or service not known)\"))"))
    with pytest.raises(RocketChatError) as caught:
        client.request('GET', 'integrations.list')
    assert len(fake_api.calls) == 1 and 'host chat.example.com of server_url could not be resolved' in caught.value.message


def test_a_refused_connection_is_retried_even_for_a_create(fake_api, client, clock):
    refused = requests.exceptions.ConnectionError(ConnectionRefusedError(111, 'Connection refused'))
    fake_api.script('POST', 'integrations.create', refused, refused)
    fake_api.on('POST', 'integrations.create', lambda call: FakeResponse(body={'integration': {'_id': 'x'},
                                                                               'success': True}))
    assert client.request('POST', 'integrations.create', json_body={}, safe_to_retry=False)['integration'] == {'_id': 'x'}
    assert clock.sleeps == [0.5, 1.0]


def test_a_connection_refused_for_good_names_the_host(fake_api, client):
    def refuse(call):
        raise requests.exceptions.ConnectionError(ConnectionRefusedError(111, 'Connection refused'))
    fake_api.on('GET', 'me', refuse)
    with pytest.raises(RocketChatError) as caught:
        client.request('GET', 'me')
    assert 'The connection to chat.example.com was refused (5 attempts' in caught.value.message


def test_https_to_a_plain_http_port_says_so(fake_api, client):
    fake_api.script('GET', 'me', requests.exceptions.SSLError(
        '[SSL: WRONG_VERSION_NUMBER] wrong version number (_ssl.c:1006)'))
    with pytest.raises(RocketChatError) as caught:
        client.request('GET', 'me')
    assert 'chat.example.com speaks plain HTTP' in caught.value.message
    assert 'Use http://chat.example.com/chat' in caught.value.message and 'validate_certs=false' not in caught.value.message


def test_http_to_a_tls_port_behind_nginx_says_so(fake_api, client):
    fake_api.script('GET', 'me', FakeResponse(400, text='<html><center>The plain HTTP request was sent to HTTPS port'
                                                        '</center></html>', headers={'Content-Type': 'text/html'}))
    with pytest.raises(RocketChatError) as caught:
        client.request('GET', 'me')
    assert 'chat.example.com speaks TLS' in caught.value.message and 'Use https://chat.example.com' in caught.value.message


@pytest.mark.parametrize('response', [
    FakeResponse(404, text='<html>Not Found</html>', headers={'Content-Type': 'text/html'}),
    FakeResponse(404, {'success': False, 'error': 'Not found'}),
], ids=['html', 'json'])
def test_a_404_says_to_check_the_root_url(fake_api, client, response):
    fake_api.script('GET', 'me', response)
    with pytest.raises(RocketChatError) as caught:
        client.request('GET', 'me')
    assert "Check that server_url (https://chat.example.com/chat) is the server's root URL" in caught.value.message


@pytest.mark.parametrize('method, may_have', [('GET', False), ('POST', True)])
def test_a_timeout_says_may_have_been_applied_only_for_writes(fake_api, client, method, may_have):
    client.timeout = 1
    fake_api.script(method, 'integrations.remove', requests.exceptions.ReadTimeout('read timed out'))
    with pytest.raises(RocketChatError) as caught:
        client.request(method, 'integrations.remove', safe_to_retry=False)
    assert 'within 1 second (option timeout)' in caught.value.message
    assert ('may or may not have applied it' in caught.value.message) is may_have


def test_the_environment_is_read_once_as_requests_would(fake_api, clock, monkeypatch):
    monkeypatch.setenv('REQUESTS_CA_BUNDLE', '/etc/corporate-ca.pem')
    monkeypatch.setenv('HTTPS_PROXY', 'http://proxy.example.com:3128')
    monkeypatch.setenv('NO_PROXY', 'internal.example.com')
    made = RocketChatClient(SERVER, user_id='u', auth_token='token-value', sleep=clock.sleep, clock=clock.time)
    assert made.session.trust_env is False
    assert made.verify == '/etc/corporate-ca.pem'
    assert made.session.proxies['https'] == 'http://proxy.example.com:3128'
    bypassed = RocketChatClient('https://internal.example.com', user_id='u', auth_token='token-value')
    assert 'https' not in bypassed.session.proxies
    unverified = RocketChatClient(SERVER, user_id='u', auth_token='token-value', validate_certs=False)
    assert unverified.verify is False
