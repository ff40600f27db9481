# Copyright (c) 2026 chatops.rocketchat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Note that this doc fragment is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

from __future__ import annotations


class ModuleDocFragment:

    # Connection options: plugins/module_utils/_connection.py connection_argument_spec()
    DOCUMENTATION = r"""
options:
  server_url:
    description:
      - Base URL of the Rocket.Chat server, for example V(https://chat.example.com).
      - A path prefix works, for example V(https://example.com/chat).
      - If not set, the value of the E(ROCKETCHAT_URL) environment variable is used. One of the two is required.
    type: str
  user_id:
    description:
      - User id for token authentication, used together with O(auth_token).
      - If not set, the value of the E(ROCKETCHAT_USER_ID) environment variable is used.
      - Give exactly one credential pair, O(user_id) and O(auth_token), or O(login_user) and O(login_password).
      - A pair given as options wins over a pair from the environment variables; the environment only completes a
        pair the options began. White space around any credential (a trailing newline from a file) is stripped.
      - A personal access token is the recommended credential. It needs no login (which Rocket.Chat rate-limits, 10
        per minute by default) and no second factor.
    type: str
  auth_token:
    description:
      - Personal access token (or login token) of O(user_id).
      - If not set, the value of the E(ROCKETCHAT_AUTH_TOKEN) environment variable is used.
    type: str
  login_user:
    description:
      - User name or e-mail to log in with through C(/api/v1/login), used together with O(login_password).
      - The module logs out again when it is done.
      - If not set, the value of the E(ROCKETCHAT_USERNAME) environment variable is used.
      - A user with two-factor authentication cannot log in this way; use a personal access token.
      - Named so that it never clashes with an integration's own O(ignore:username), the user it posts as.
    type: str
  login_password:
    description:
      - Password of O(login_user).
      - If not set, the value of the E(ROCKETCHAT_PASSWORD) environment variable is used.
    type: str
  validate_certs:
    description:
      - Verify the server's TLS certificate.
      - Set to V(false) only for a test server with a self-signed certificate; prefer O(ca_path).
    type: bool
    default: true
  ca_path:
    description:
      - Path to a PEM bundle of CA certificates that signed the server's certificate.
    type: path
  timeout:
    description:
      - Seconds to wait for each HTTP request.
    type: int
    default: 30
requirements:
  - requests
notes:
  - The user needs one of the permissions C(manage-incoming-integrations), C(manage-own-incoming-integrations),
    C(manage-outgoing-integrations) or C(manage-own-outgoing-integrations). With only the C(manage-own-*) ones the
    server shows and changes only the integrations that user created.
  - Reads are retried on connection errors and HTTP 502, 503 and 504; so is C(integrations.remove), which is
    idempotent. Creates and updates are not retried.
  - The modules read the C(X-RateLimit-*) headers and wait before the server would refuse a call; on HTTP 429 they
    wait until the limit resets and try again. Waits are computed on the server's clock (its C(Date) header), so a
    controller whose clock is off still waits as long as the server asks, and no longer.
  - Redirects are not followed; a O(server_url) that redirects (an C(http://) address in front of C(https://))
    fails with the address to use instead.
  - Supported servers are Rocket.Chat 6.4 and later.
"""
