# Copyright (c) 2026 chatops.rocketchat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

"""The one HTTP client of the collection: transport only, no knowledge of what an endpoint means.

It keeps a ``requests.Session`` per worker thread for a whole module run because a prune or a bulk apply makes
hundreds of calls to the same server: each session reuses one keep-alive connection (no TCP and TLS handshake per
call) and carries the auth headers. On top of that: login/logout, retries of calls that are safe to repeat, JSON
decoding and one typed error. Pacing on the server's rate-limit headers is ``_pacing.py`` (one Pacer that every
worker asks), redaction of every secret the client has seen is ``_redact.py``. What Rocket.Chat's integrations
endpoints mean lives in ``_integrations_api.py``.
"""

from __future__ import annotations

import json
import os
import threading
import time
import traceback
import typing as t
from urllib.parse import urljoin, urlsplit

from ansible_collections.chatops.rocketchat.plugins.module_utils._errors import RocketChatError
from ansible_collections.chatops.rocketchat.plugins.module_utils._pacing import Pacer, wait_after_429
from ansible_collections.chatops.rocketchat.plugins.module_utils._redact import Redactor

REQUESTS_IMPORT_ERROR: str | None
try:
    import requests
except ImportError:  # pragma: no cover - exercised by the modules' missing_required_lib path
    requests = None  # type: ignore[assignment]
    REQUESTS_IMPORT_ERROR = traceback.format_exc()
else:
    REQUESTS_IMPORT_ERROR = None

RETRYABLE_STATUSES = (502, 503, 504)
MAX_TRANSIENT_RETRIES = 4
MAX_RATE_LIMIT_RETRIES = 5
BACKOFF_SECONDS = (0.5, 1.0, 2.0, 4.0)
SNIPPET_LENGTH = 200


def seconds(count: float) -> str:
    return '%s second%s' % (count, '' if count == 1 else 's')


def _causes(error: BaseException) -> t.Iterator[BaseException]:
    current: BaseException | None = error
    seen = 0
    while current is not None and seen < 10:
        yield current
        current = current.__cause__ or current.__context__ or (current.args[0] if current.args and isinstance(
            current.args[0], BaseException) else None)
        seen += 1


def _name_not_resolved(error: BaseException) -> bool:
    text = ' '.join(str(cause) for cause in _causes(error))
    return any(sign in text for sign in ('NameResolutionError', 'Name or service not known', 'nodename nor servname',
                                         'Temporary failure in name resolution', 'getaddrinfo failed',
                                         'No address associated with hostname'))


def _connection_refused(error: BaseException) -> bool:
    return any(isinstance(cause, ConnectionRefusedError) or 'Connection refused' in str(cause)
               for cause in _causes(error))


def _error_fields(body: t.Any) -> tuple[str | None, str | None]:
    """(errorType, error text) of a Rocket.Chat failure body, in either dialect."""
    if not isinstance(body, dict):
        return None, None
    error = body.get('error')
    text = error if isinstance(error, str) else body.get('message') if isinstance(body.get('message'), str) else None
    return body.get('errorType'), text


class RocketChatClient:
    """Talks to one Rocket.Chat server. Use as a context manager so a login is always logged out. Safe to share
    between worker threads: each gets its own keep-alive session, all share the pacer, the redactor and the counts."""

    def __init__(self, server_url: str, user_id: str | None = None, auth_token: str | None = None,
                 login_user: str | None = None, login_password: str | None = None, validate_certs: bool = True,
                 ca_path: str | None = None, timeout: float = 30,
                 sleep: t.Callable[[float], None] | None = None, clock: t.Callable[[], float] | None = None,
                 warn: t.Callable[[str], None] | None = None):
        self.base_url = server_url.strip().rstrip('/')
        self.user_id = user_id
        self.auth_token = auth_token
        self.login_user = login_user
        self.login_password = login_password
        self.timeout = timeout
        self.sleep = sleep or time.sleep
        self.warn = warn or (lambda message: None)
        self.redact = Redactor((auth_token, login_password))
        self.pacer = Pacer(clock=clock or time.time, sleep=self.sleep)
        self.calls: dict[str, int] = {}  # 'METHOD endpoint' -> requests sent, returned as api_calls
        self._calls_lock = threading.Lock()
        self._logged_in = False
        if requests is None:
            raise RuntimeError('requests is required')  # modules check REQUESTS_IMPORT_ERROR before this
        self._headers = {'Accept': 'application/json', 'User-Agent': 'chatops.rocketchat'}
        # requests reads the environment (proxies, CA bundle) on every call when trust_env is set, which costs
        # about a millisecond a call: read it once here, as requests would, and pass the result on each request.
        self._proxies = requests.utils.get_environ_proxies(self.base_url)
        self._local = threading.local()
        self._sessions: list = []
        self.verify: str | bool
        if validate_certs and ca_path:
            self.verify = ca_path
        elif validate_certs:
            self.verify = os.environ.get('REQUESTS_CA_BUNDLE') or os.environ.get('CURL_CA_BUNDLE') or True
        else:
            self.verify = False

    @property
    def session(self):
        """This thread's session (one keep-alive connection per worker)."""
        session = getattr(self._local, 'session', None)
        if session is None:
            session = requests.Session()
            session.trust_env = False
            session.headers.update(self._headers)
            session.proxies.update(self._proxies)
            self._local.session = session
            with self._calls_lock:
                self._sessions.append(session)
        return session

    # ---- session -----------------------------------------------------------------------------------
    def __enter__(self) -> RocketChatClient:
        self.authenticate()
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def authenticate(self) -> None:
        if self.login_user:
            answer = self.request('POST', 'login', json_body={'user': self.login_user, 'password': self.login_password},
                                  safe_to_retry=False)
            data = answer.get('data') or {}
            self.user_id, self.auth_token = data.get('userId'), data.get('authToken')
            if not self.user_id or not self.auth_token:
                raise RocketChatError('Login as %r answered without userId/authToken' % self.login_user,
                                      body=self.redact(answer))
            self.redact.add(self.auth_token)
            self._logged_in = True
        self._headers.update({'X-User-Id': self.user_id or '', 'X-Auth-Token': self.auth_token or ''})
        with self._calls_lock:
            for session in self._sessions:
                session.headers.update(self._headers)

    def close(self) -> None:
        try:
            if self._logged_in:
                self._logged_in = False
                self.request('POST', 'logout', safe_to_retry=False)
        except RocketChatError as error:
            self.warn('Logging out of %s failed: %s' % (self.base_url, error.message))
        finally:
            with self._calls_lock:
                sessions, self._sessions = self._sessions, []
            for session in sessions:
                session.close()

    # ---- transport -----------------------------------------------------------------------------------
    def with_scheme(self, scheme: str) -> str:
        """server_url as it should be when its port speaks `scheme` (http or https)."""
        return '%s://%s' % (scheme, self.base_url.split('://', 1)[1])

    def url_for(self, endpoint: str) -> str:
        prefix = '/api/' if endpoint == 'info' else '/api/v1/'
        return self.base_url + prefix + endpoint

    def _count(self, key: str) -> None:
        with self._calls_lock:
            self.calls[key] = self.calls.get(key, 0) + 1

    def _send(self, method: str, url: str, key: str, params: dict | None, json_body: dict | None):
        """One HTTP exchange, counted and paced: the response, or the exception requests raised."""
        self.pacer.acquire(key)
        self._count(key)
        try:
            response = self.session.request(method, url, params=params, json=json_body, timeout=self.timeout,
                                            verify=self.verify, allow_redirects=False)
        except Exception:
            self.pacer.release(key)
            raise
        return response, self.pacer.release(key, response.headers)

    def request(self, method: str, endpoint: str, params: dict | None = None, json_body: dict | None = None,
                safe_to_retry: bool | None = None) -> dict:
        """One API call with pacing and retries. Returns the decoded JSON object, or raises RocketChatError."""
        if safe_to_retry is None:
            safe_to_retry = method == 'GET'
        url = self.url_for(endpoint)
        key = '%s %s' % (method, endpoint)
        transient_failures = 0
        rate_limited = 0
        while True:
            try:
                response, until_reset = self._send(method, url, key, params, json_body)
            except Exception as error:  # requests' exceptions; classified below  pylint: disable=broad-except
                # A refused connection sent nothing, so any call may try again, briefly: a restarting server.
                refused = _connection_refused(error)
                problem = self._transport_problem(error, method, url)
                if problem is None and transient_failures < MAX_TRANSIENT_RETRIES and (refused or safe_to_retry):
                    self.sleep(BACKOFF_SECONDS[min(transient_failures, len(BACKOFF_SECONDS) - 1)])
                    transient_failures += 1
                    continue
                problem = problem or self._unreachable(error, method, url, refused, transient_failures + 1)
                problem.attempts = transient_failures + 1
                raise problem from None
            status = response.status_code
            if status == 429 and rate_limited < MAX_RATE_LIMIT_RETRIES:
                rate_limited += 1
                self.pacer.hold(key, wait_after_429(response.text, until_reset))  # every worker waits
                continue
            if status in RETRYABLE_STATUSES and safe_to_retry and transient_failures < MAX_TRANSIENT_RETRIES:
                self.sleep(BACKOFF_SECONDS[min(transient_failures, len(BACKOFF_SECONDS) - 1)])
                transient_failures += 1
                continue
            try:
                return self._decode(response, method, url)
            except RocketChatError as problem:
                problem.attempts = transient_failures + 1
                raise

    def _unreachable(self, error: Exception, method: str, url: str, refused: bool, attempts: int) -> RocketChatError:
        """The server could not be reached after the retries."""
        safe_url = self.redact.text(url)
        parts = urlsplit(url)
        if refused:
            return RocketChatError(
                'The connection to %s was refused (%d attempts over 8 seconds): is Rocket.Chat running there, and '
                'are the host and port of server_url right?' % (parts.netloc, attempts), method=method, url=safe_url)
        hint = ' If that port speaks TLS, server_url must start with https://.' if parts.scheme == 'http' else ''
        return RocketChatError('Could not reach %s %s after %d attempt(s): %s.%s'
                               % (method, safe_url, attempts, self.redact.text(str(error)), hint),
                               method=method, url=safe_url)

    def _transport_problem(self, error: Exception, method: str, url: str) -> RocketChatError | None:
        """Errors that retrying cannot fix; None for the ones worth another try."""
        safe_url = self.redact.text(url)
        parts = urlsplit(url)
        text = str(error)
        if requests is not None:
            if isinstance(error, requests.exceptions.SSLError):
                if 'WRONG_VERSION_NUMBER' in text or 'wrong version number' in text or 'record layer' in text:
                    return RocketChatError(
                        '%s speaks plain HTTP, not TLS: server_url starts with https:// but that port answers in '
                        'plain text. Use %s (validate_certs does not matter here).'
                        % (parts.netloc, self.redact.text(self.with_scheme('http'))), method=method, url=safe_url)
                if 'CERTIFICATE_VERIFY_FAILED' in text or 'certificate verify failed' in text:
                    return RocketChatError(
                        'TLS certificate verification failed for %s: %s. Set ca_path to the CA bundle that signed the '
                        'server certificate, or validate_certs=false for a test server.' % (safe_url, error),
                        method=method, url=safe_url)
                return RocketChatError('The TLS handshake with %s failed: %s' % (parts.netloc, self.redact.text(text)),
                                       method=method, url=safe_url)
            if isinstance(error, requests.exceptions.ReadTimeout):
                if method == 'GET':
                    return RocketChatError('%s %s did not answer within %s (option timeout).'
                                           % (method, safe_url, seconds(self.timeout)), method=method, url=safe_url)
                return RocketChatError(
                    '%s %s did not answer within %s (option timeout). The server may or may not have applied it; run '
                    'again to converge.' % (method, safe_url, seconds(self.timeout)), method=method, url=safe_url)
            if isinstance(error, requests.exceptions.ConnectionError) and _name_not_resolved(error):
                return RocketChatError(
                    'The host %s of server_url could not be resolved (DNS): check its spelling, or the resolver of the '
                    'machine that runs the module.' % parts.hostname, method=method, url=safe_url)
            if isinstance(error, (requests.exceptions.ConnectionError, requests.exceptions.ChunkedEncodingError)):
                return None
        return RocketChatError('%s %s failed: %s' % (method, safe_url, self.redact.text(str(error))),
                               method=method, url=safe_url)

    def _redirect_error(self, response: t.Any, method: str, url: str) -> RocketChatError:
        """A redirect is never followed: it would turn a POST into a GET and send the auth headers to a URL the user
        did not configure. Name the server_url that would have worked instead."""
        location = urljoin(url, response.headers.get('Location') or '')
        path = urlsplit(url).path
        suffix = path[path.rfind('/api/'):] if '/api/' in path else ''
        without_query = location.split('?')[0]
        suggested = without_query[:-len(suffix)] if suffix and without_query.endswith(suffix) else without_query
        safe_url = self.redact.text(url)
        return RocketChatError(
            '%s %s answered HTTP %d, a redirect to %s. The modules do not follow redirects (a POST would become a GET '
            'and the credentials would go to another URL): set server_url to %s.'
            % (method, safe_url, response.status_code, self.redact.text(location) or '(no Location header)',
               self.redact.text(suggested) or 'the address the server redirects to'),
            status=response.status_code, method=method, url=safe_url)

    def _decode(self, response: t.Any, method: str, url: str) -> dict:
        status = response.status_code
        if 300 <= status < 400:
            raise self._redirect_error(response, method, url)
        safe_url = self.redact.text(url)
        try:
            body = response.json()
        except ValueError:
            snippet = self.redact.text(' '.join((response.text or '').split())[:SNIPPET_LENGTH])
            content_type = response.headers.get('Content-Type', 'no content type')
            if 'plain HTTP request was sent to HTTPS port' in (response.text or ''):
                netloc = urlsplit(url).netloc
                raise RocketChatError('%s speaks TLS: server_url starts with http:// but that port expects https://. '
                                      'Use %s.' % (netloc, self.redact.text(self.with_scheme('https'))), status=status,
                                      body=snippet, method=method, url=safe_url) from None
            if status == 404:
                raise RocketChatError(self._not_found_message(method, safe_url, status, snippet), status=status,
                                      body=snippet, method=method, url=safe_url) from None
            raise RocketChatError(
                '%s %s answered HTTP %d with a body that is not JSON (%s), so it did not come from the Rocket.Chat '
                'API (a proxy or load balancer?): %s' % (method, safe_url, status, content_type, snippet or '<empty>'),
                status=status, body=snippet, method=method, url=safe_url) from None
        if 200 <= status < 300:
            if not isinstance(body, dict):
                raise RocketChatError('%s %s answered HTTP %d with JSON that is not an object'
                                      % (method, safe_url, status), status=status, method=method, url=safe_url)
            return body
        raise self._api_error(status, body, method, safe_url)

    def _not_found_message(self, method: str, url: str, status: int, what: str) -> str:
        return ('%s %s answered HTTP %d (%s): there is no Rocket.Chat API at that path. Check that server_url (%s) is '
                "the server's root URL, the address its web client opens at, without /api/v1."
                % (method, url, status, what or 'not found', self.redact.text(self.base_url)))

    def _login_refused_message(self, error_type: str | None, text: str | None, body: t.Any) -> str:
        """Why POST /api/v1/login said 401, in words the user can act on."""
        who = 'Login as %r' % self.login_user
        pat = ('Personal access tokens avoid password logins altogether: create one for the user (Account > '
               'Personal Access Tokens) and set user_id + auth_token instead of login_user + login_password.')
        details = body.get('details') if isinstance(body, dict) else None
        if text in ('totp-required', 'totp-invalid') or error_type in ('totp-required', 'totp-invalid'):
            method = details.get('method') if isinstance(details, dict) else None
            return ('%s needs a second factor: the user has two-factor authentication%s, and a password login '
                    'cannot answer it. %s' % (who, ' by %s' % method if method else '', pat))
        if text == 'unauthorized':
            # 8.x says only this, for a wrong password and for a second factor alike.
            return ('%s was refused (HTTP 401: unauthorized): either login_user/login_password is wrong, or the user '
                    'has two-factor authentication, which a password login cannot answer. %s' % (who, pat))
        return '%s was refused (HTTP 401: %s): check login_user and login_password. %s' % (
            who, (body.get('message') if isinstance(body, dict) and body.get('message') else text) or 'unauthorized',
            pat)

    def _api_error(self, status: int, body: t.Any, method: str, url: str) -> RocketChatError:
        error_type, text = _error_fields(body)
        safe_body = self.redact(body)
        where = '%s %s' % (method, url)
        if status == 401 and url.endswith('/api/v1/login'):
            message = self._login_refused_message(error_type, text, body)
        elif status == 401:
            credentials = ('login_user/login_password' if self.login_user else 'user_id/auth_token')
            message = ('Rocket.Chat refused the credentials (HTTP 401: %s) for %s. Check %s (or their ROCKETCHAT_* '
                       'environment variables): auth_token must be a personal access token (or login token) of the '
                       'user whose id is user_id.' % (text or 'unauthorized', where, credentials))
        elif status == 403:
            message = 'Rocket.Chat denied %s (HTTP 403: %s): the user lacks a permission it needs.' % (where, text)
        elif status == 429:
            message = ('Rocket.Chat kept rate-limiting %s (HTTP 429) after %d waits: %s. Give the user the '
                       'api-bypass-rate-limit permission or raise the server limits.'
                       % (where, MAX_RATE_LIMIT_RETRIES, text))
        elif status >= 500:
            message = 'Rocket.Chat failed on %s (HTTP %d): %s' % (where, status, text or 'server error')
        elif status == 404:
            message = self._not_found_message(method, url, status, text or 'not found')
        elif error_type in ('invalid-params', 'error-invalid-params'):
            message = 'Rocket.Chat rejected the request %s as invalid (HTTP %d): %s' % (where, status, text)
        else:
            message = 'Rocket.Chat refused %s (HTTP %d): %s' % (where, status, text or json.dumps(safe_body)[:200])
        return RocketChatError(self.redact.text(message), status=status, body=safe_body, error_type=error_type,
                               error_text=text, method=method, url=url)
