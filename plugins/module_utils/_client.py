# Copyright (c) 2026 chatops.rocketchat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

"""The one HTTP client of the collection: transport only, no knowledge of what an endpoint means.

It keeps one ``requests.Session`` for a whole module run because a prune or a bulk apply makes hundreds of calls
to the same server: the session reuses one keep-alive connection (no TCP and TLS handshake per call) and carries
the auth headers once. On top of that: login/logout, retries of calls that are safe to repeat, pacing on the
server's rate-limit headers, JSON decoding, one typed error, and redaction of every secret it has seen.
What Rocket.Chat's integrations endpoints mean lives in ``_integrations_api.py``.
"""

from __future__ import annotations

import email.utils
import json
import os
import re
import time
import traceback
import typing as t
from urllib.parse import urljoin, urlsplit

REQUESTS_IMPORT_ERROR: str | None
try:
    import requests
except ImportError:  # pragma: no cover - exercised by the modules' missing_required_lib path
    requests = None  # type: ignore[assignment]
    REQUESTS_IMPORT_ERROR = traceback.format_exc()
else:
    REQUESTS_IMPORT_ERROR = None

REDACTED = '********'
SECRET_KEYS = frozenset(('token', 'authToken', 'password', 'X-Auth-Token', 'x-auth-token', 'auth_token',
                         'login_password'))
HOOK_URL_PATTERN = re.compile(r'(/hooks/[^/\s"\']+/)([^/\s"\'?#]+)')
RETRYABLE_STATUSES = (502, 503, 504)
MAX_TRANSIENT_RETRIES = 4
MAX_RATE_LIMIT_RETRIES = 5
BACKOFF_SECONDS = (0.5, 1.0, 2.0, 4.0)
RATE_LIMIT_MARGIN_SECONDS = 0.05
SNIPPET_LENGTH = 200


class RocketChatError(Exception):
    """Every failure of the client: the sentence for the user plus what the server said (redacted)."""

    def __init__(self, message: str, status: int | None = None, body: t.Any = None, error_type: str | None = None,
                 error_text: str | None = None, method: str | None = None, url: str | None = None,
                 attempts: int = 1):
        super().__init__(message)
        self.message = message
        self.status = status
        self.body = body
        self.error_type = error_type
        self.error_text = error_text
        self.method = method
        self.url = url
        # How many times the request that failed was sent: more than one means an earlier attempt may have
        # reached the server although its answer was lost.
        self.attempts = attempts

    def with_message(self, message: str) -> RocketChatError:
        """The same failure, told in other words (for a caller that knows what it means)."""
        return RocketChatError(message, status=self.status, body=self.body, error_type=self.error_type,
                               error_text=self.error_text, method=self.method, url=self.url, attempts=self.attempts)

    def to_fail_kwargs(self) -> dict:
        details: dict[str, t.Any] = {'msg': self.message}
        if self.status is not None:
            details['status'] = self.status
        if self.body is not None:
            details['body'] = self.body
        if self.url:
            details['url'] = self.url
        return details


class Redactor:
    """Removes secrets from anything the collection returns, raises or writes."""

    def __init__(self, secrets: t.Iterable[str | None] = ()):
        self.secrets: set[str] = set()
        for secret in secrets:
            self.add(secret)

    def add(self, secret: str | None) -> None:
        """Remember a secret in every form it may be echoed in: as given, stripped, and as Python repr shows it."""
        if not secret:
            return
        for variant in (secret, secret.strip(), repr(secret)[1:-1], repr(secret.strip())[1:-1]):
            if len(variant) >= 4:
                self.secrets.add(variant)

    def text(self, value: str) -> str:
        value = HOOK_URL_PATTERN.sub(lambda match: match.group(1) + REDACTED, value)
        for secret in sorted(self.secrets, key=len, reverse=True):
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


API_SUFFIXES = ('/api/v1', '/api')


def without_api_path(server_url: str) -> str:
    """server_url without a trailing /api or /api/v1 that users copy from the API docs: the client adds those."""
    url = server_url.strip().rstrip('/')
    for suffix in API_SUFFIXES:
        if url.endswith(suffix):
            return url[:-len(suffix)]
    return url


def seconds(count: float) -> str:
    return '%s second%s' % (count, '' if count == 1 else 's')


def validate_server_url(server_url: str | None) -> str | None:
    """Return a sentence naming the problem with server_url, or None when it is usable."""
    if not server_url or not server_url.strip():
        return 'server_url is empty: set it (or ROCKETCHAT_URL) to the Rocket.Chat base URL, e.g. https://chat.example.com'
    parts = urlsplit(server_url.strip())
    if parts.scheme not in ('http', 'https') or not parts.netloc:
        return ('server_url %r is not an http(s) URL: give the scheme and host, e.g. https://chat.example.com'
                % server_url)
    return None


def _causes(error: BaseException) -> t.Iterator[BaseException]:
    seen = 0
    while error is not None and seen < 10:
        yield error
        error = error.__cause__ or error.__context__ or (error.args[0] if error.args and isinstance(
            error.args[0], BaseException) else None)
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
    """Talks to one Rocket.Chat server. Use as a context manager so a login is always logged out."""

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
        self.clock = clock or time.time
        self.warn = warn or (lambda message: None)
        self.redact = Redactor((auth_token, login_password))
        self.calls: dict[str, int] = {}  # 'METHOD endpoint' -> requests sent, returned as api_calls
        self._pacing: dict[str, tuple[int, float]] = {}  # endpoint key -> (remaining, reset epoch seconds)
        # The server's clock minus ours, from its Date header: X-RateLimit-Reset is on the server's clock. Date has
        # whole seconds, so the server's time is at or after it: waits computed from it are never too short.
        self._server_clock_offset: float | None = None
        self._logged_in = False
        if requests is None:
            raise RuntimeError('requests is required')  # modules check REQUESTS_IMPORT_ERROR before this
        self.session = requests.Session()
        self.session.headers.update({'Accept': 'application/json', 'User-Agent': 'chatops.rocketchat'})
        # requests reads the environment (proxies, CA bundle) on every call when trust_env is set, which costs
        # about a millisecond a call: read it once here, as requests would, and pass the result on each request.
        self.session.trust_env = False
        self.session.proxies.update(requests.utils.get_environ_proxies(self.base_url))
        if validate_certs and ca_path:
            self.verify = ca_path
        elif validate_certs:
            self.verify = os.environ.get('REQUESTS_CA_BUNDLE') or os.environ.get('CURL_CA_BUNDLE') or True
        else:
            self.verify = False

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
        self.session.headers.update({'X-User-Id': self.user_id or '', 'X-Auth-Token': self.auth_token or ''})

    def close(self) -> None:
        try:
            if self._logged_in:
                self._logged_in = False
                self.request('POST', 'logout', safe_to_retry=False)
        except RocketChatError as error:
            self.warn('Logging out of %s failed: %s' % (self.base_url, error.message))
        finally:
            self.session.close()

    # ---- transport -----------------------------------------------------------------------------------
    def with_scheme(self, scheme: str) -> str:
        """server_url as it should be when its port speaks `scheme` (http or https)."""
        return '%s://%s' % (scheme, self.base_url.split('://', 1)[1])

    def url_for(self, endpoint: str) -> str:
        prefix = '/api/' if endpoint == 'info' else '/api/v1/'
        return self.base_url + prefix + endpoint

    def _server_now(self) -> float:
        return self.clock() + (self._server_clock_offset or 0.0)

    def _pace(self, key: str) -> None:
        """Wait before a call the server would refuse: its X-RateLimit headers said the budget is spent."""
        remaining, reset_at = self._pacing.get(key, (1, 0.0))
        wait = reset_at - self._server_now()
        if remaining <= 0 and wait > 0:
            self.sleep(wait + RATE_LIMIT_MARGIN_SECONDS)

    def _remember_rate_limit(self, key: str, response: t.Any) -> float | None:
        """Record the server's clock and rate-limit headers; return seconds until reset when they are present."""
        headers = response.headers
        try:
            # Each Date gives a lower bound of the offset (whole seconds, and sent before we read it); the largest
            # seen is the closest. A much smaller one means the server's clock was set back: start again from it.
            lower = email.utils.parsedate_to_datetime(headers['Date']).timestamp() - self.clock()
        except (KeyError, TypeError, ValueError, IndexError):
            lower = None
        if lower is not None and (self._server_clock_offset is None or lower > self._server_clock_offset
                                  or lower < self._server_clock_offset - 2):
            self._server_clock_offset = lower
        try:
            remaining = int(headers['X-RateLimit-Remaining'])
            reset_at = int(headers['X-RateLimit-Reset']) / 1000.0
        except (KeyError, TypeError, ValueError):
            return None
        self._pacing[key] = (remaining, reset_at)
        return max(reset_at - self._server_now(), 0.0)

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
            self._pace(key)
            self.calls[key] = self.calls.get(key, 0) + 1
            try:
                response = self.session.request(method, url, params=params, json=json_body, timeout=self.timeout,
                                                verify=self.verify, allow_redirects=False)
            except Exception as error:  # requests' exceptions; classified below  pylint: disable=broad-except
                problem = self._transport_problem(error, method, url)
                # A refused connection sent nothing, so any call may try again, briefly: a restarting server.
                refused = _connection_refused(error)
                retry = transient_failures < MAX_TRANSIENT_RETRIES and (refused or safe_to_retry)
                if problem is None and retry:
                    self.sleep(BACKOFF_SECONDS[min(transient_failures, len(BACKOFF_SECONDS) - 1)])
                    transient_failures += 1
                    continue
                safe_url = self.redact.text(url)
                parts = urlsplit(url)
                if problem is None and refused:
                    problem = RocketChatError(
                        'The connection to %s was refused (%d attempts over 8 seconds): is Rocket.Chat running '
                        'there, and are the host and port of server_url right?' % (parts.netloc, transient_failures + 1),
                        method=method, url=safe_url)
                hint = ''
                if parts.scheme == 'http':
                    hint = ' If that port speaks TLS, server_url must start with https://.'
                problem = problem or RocketChatError(
                    'Could not reach %s %s after %d attempt(s): %s.%s'
                    % (method, safe_url, transient_failures + 1, self.redact.text(str(error)), hint),
                    method=method, url=safe_url)
                problem.attempts = transient_failures + 1
                raise problem from None
            until_reset = self._remember_rate_limit(key, response)
            status = response.status_code
            if status == 429 and rate_limited < MAX_RATE_LIMIT_RETRIES:
                rate_limited += 1
                self.sleep(self._rate_limit_wait(response, until_reset))
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

    def _rate_limit_wait(self, response: t.Any, until_reset: float | None) -> float:
        """Never less than the server asked for in its 429 text, nor than its own reset time says."""
        match = re.search(r'wait (\d+) seconds', response.text or '')
        asked = float(match.group(1)) if match else None
        if until_reset is None:
            return asked if asked is not None else 10.0
        return max(until_reset + RATE_LIMIT_MARGIN_SECONDS, asked or 0.0)

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
