# Copyright (c) 2026 chatops.rocketchat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

"""The connection: options shared by every module (argspec factory, documented by the _connection doc fragment),
their checks, the client they make, and the one place any failure becomes a task failure (``fail_with``)."""

from __future__ import annotations

import os
import typing as t
from urllib.parse import urlsplit

from ansible.module_utils.basic import env_fallback, missing_required_lib

from ansible_collections.chatops.rocketchat.plugins.module_utils._client import REQUESTS_IMPORT_ERROR, RocketChatClient
from ansible_collections.chatops.rocketchat.plugins.module_utils._errors import CollectionError, InvalidInput
from ansible_collections.chatops.rocketchat.plugins.module_utils._pacing import rate_limit_warning

API_SUFFIXES = ('/api/v1', '/api')

CREDENTIALS_HELP = ('give exactly one credential pair: user_id + auth_token (ROCKETCHAT_USER_ID, ROCKETCHAT_AUTH_TOKEN) '
                    'or login_user + login_password (ROCKETCHAT_USERNAME, ROCKETCHAT_PASSWORD). A personal access '
                    'token is recommended: it needs no login, which the server rate-limits, and no second factor')


def connection_argument_spec() -> dict:
    """The connection options, documented in the chatops.rocketchat.connection doc fragment."""
    return {
        # Not `required`: when neither it nor ROCKETCHAT_URL is set, connection_problem() says so, naming both.
        'server_url': {'type': 'str', 'fallback': (env_fallback, ['ROCKETCHAT_URL'])},
        # The credentials' ROCKETCHAT_* variables are read by resolve_credentials(), pair by pair.
        'user_id': {'type': 'str'},
        'auth_token': {'type': 'str', 'no_log': True},
        'login_user': {'type': 'str'},
        'login_password': {'type': 'str', 'no_log': True},
        'validate_certs': {'type': 'bool', 'default': True},
        'ca_path': {'type': 'path'},
        'timeout': {'type': 'int', 'default': 30},
    }


CREDENTIAL_VARIABLES = {'user_id': 'ROCKETCHAT_USER_ID', 'auth_token': 'ROCKETCHAT_AUTH_TOKEN',
                        'login_user': 'ROCKETCHAT_USERNAME', 'login_password': 'ROCKETCHAT_PASSWORD'}
CREDENTIAL_PAIRS = (('user_id', 'auth_token'), ('login_user', 'login_password'))


def resolve_credentials(params: dict, environ: t.Mapping[str, str] | None = None) -> None:
    """Settle the credentials in params: a pair given as options wins over a pair from ROCKETCHAT_* variables (the
    environment only completes a pair the options began), and surrounding white space (a trailing newline from a
    file or a vault) is stripped from every value."""
    environ = os.environ if environ is None else environ
    given = {option: params[option].strip() for option in CREDENTIAL_VARIABLES
             if isinstance(params.get(option), str) and params[option].strip()}
    from_environment = {option: environ[variable].strip() for option, variable in CREDENTIAL_VARIABLES.items()
                        if environ.get(variable, '').strip()}
    begun = [pair for pair in CREDENTIAL_PAIRS if any(option in given for option in pair)]
    if begun:
        chosen = dict(given)
        for pair in begun:
            for option in pair:
                if option not in chosen and option in from_environment:
                    chosen[option] = from_environment[option]
    else:
        chosen = from_environment
    for option in CREDENTIAL_VARIABLES:
        params[option] = chosen.get(option)


def without_api_path(server_url: str) -> str:
    """server_url without a trailing /api or /api/v1 that users copy from the API docs: the client adds those."""
    url = server_url.strip().rstrip('/')
    for suffix in API_SUFFIXES:
        if url.endswith(suffix):
            return url[:-len(suffix)]
    return url


def validate_server_url(server_url: str | None) -> str | None:
    """Return a sentence naming the problem with server_url, or None when it is usable."""
    if not server_url or not server_url.strip():
        return 'server_url is empty: set it (or ROCKETCHAT_URL) to the Rocket.Chat base URL, e.g. https://chat.example.com'
    parts = urlsplit(server_url.strip())
    if parts.scheme not in ('http', 'https') or not parts.netloc:
        return ('server_url %r is not an http(s) URL: give the scheme and host, e.g. https://chat.example.com'
                % server_url)
    return None


def check_connection(params: dict) -> None:
    """Settle the credentials; raise InvalidInput naming what is wrong with the connection options."""
    resolve_credentials(params)
    problem = connection_problem(params)
    if problem:
        raise InvalidInput(problem)


def connection_problem(params: dict) -> str | None:
    """A sentence naming what is wrong with the connection options, or None."""
    problem = validate_server_url(params.get('server_url'))
    if problem:
        return problem
    token_pair = [bool(params.get('user_id')), bool(params.get('auth_token'))]
    login_pair = [bool(params.get('login_user')), bool(params.get('login_password'))]
    if any(token_pair) and any(login_pair):
        return 'Both credential pairs are set; %s.' % CREDENTIALS_HELP
    if any(token_pair) and not all(token_pair):
        return 'user_id and auth_token go together; %s.' % CREDENTIALS_HELP
    if any(login_pair) and not all(login_pair):
        return 'login_user and login_password go together; %s.' % CREDENTIALS_HELP
    if not any(token_pair) and not any(login_pair):
        return 'No credentials were given; %s.' % CREDENTIALS_HELP
    if params.get('timeout') is not None and params['timeout'] <= 0:
        return 'timeout must be a positive number of seconds, got %s.' % params['timeout']
    return None


def run_checks(module, *checks) -> t.Any:
    """Fail early, before any request: on a missing library, unusable connection options, or InvalidInput raised
    by one of `checks` (each called with module.params). Returns what the last check returns."""
    if REQUESTS_IMPORT_ERROR:
        module.fail_json(msg=missing_required_lib('requests'), exception=REQUESTS_IMPORT_ERROR)
    outcome = None
    try:
        for check in (check_connection,) + checks:
            outcome = check(module.params)
    except InvalidInput as error:
        fail_with(module, error)
    # Secrets that came from the environment are not known to AnsibleModule's no_log: make them so.
    module.no_log_values.update(value for value in (module.params['auth_token'], module.params['login_password'])
                                if value)
    return outcome


def client_from_module(module) -> RocketChatClient:
    params = module.params
    server_url = without_api_path(params['server_url'])
    if server_url != params['server_url'].strip().rstrip('/'):
        module.warn('server_url %s ends with an API path, which the modules add themselves: using %s. Set server_url '
                    "to the server's root URL." % (params['server_url'], server_url))
    return RocketChatClient(
        server_url=server_url, user_id=params['user_id'], auth_token=params['auth_token'],
        login_user=params['login_user'], login_password=params['login_password'],
        validate_certs=params['validate_certs'], ca_path=params['ca_path'], timeout=params['timeout'],
        warn=module.warn)


def run_with_client(module, result: dict, work: t.Callable[[RocketChatClient], None]) -> None:
    """Connect, run `work` (which fills `result` in as each step ends), log out, and record the API calls made,
    whatever happened. A failure of any kind ends the task here, with what `result` holds by then."""
    client = client_from_module(module)
    failure = None
    try:
        with client:
            work(client)
    except CollectionError as error:
        failure = error
    finally:
        result['api_calls'] = dict(client.calls)
        result['rate_limit_waited'], limits = client.pacer.waited()
        warning = rate_limit_warning(result['rate_limit_waited'], limits)
        if warning:
            module.warn(warning)
    if failure is not None:
        fail_with(module, failure, **result)


def fail_with(module, error: CollectionError, **result) -> None:
    """The one place a failure of any kind (InvalidInput, PlanRefused, RocketChatError, LocalFileError) becomes a
    task failure: its sentence as msg, its details beside the result so far."""
    result.setdefault('changed', False)
    result.update(error.to_fail_kwargs())
    module.fail_json(**result)
