# Copyright (c) 2026 chatops.rocketchat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Write ansible-test's integration_config.yml from ROCKETCHAT_* variables, when ROCKETCHAT_URL is set.

ansible-test hands the targets a filtered environment, so a real server's address and credentials reach them
as variables (rocketchat_real_*) in this file instead. Without ROCKETCHAT_URL the targets start the local
API double, in the dialect given here.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

VARIABLES = {
    'ROCKETCHAT_URL': 'rocketchat_real_url',
    'ROCKETCHAT_USER_ID': 'rocketchat_real_user_id',
    'ROCKETCHAT_AUTH_TOKEN': 'rocketchat_real_auth_token',
    'ROCKETCHAT_USERNAME': 'rocketchat_real_username',
    'ROCKETCHAT_PASSWORD': 'rocketchat_real_password',
}


def write_private(path: str, config: dict) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, 'w') as handle:
        json.dump(config, handle)  # JSON is YAML


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('target', help='path of the integration_config.yml to write')
    parser.add_argument('--dialect', choices=('v-a', 'v-b', 'v-c'), default='v-b',
                        help="the double's dialect: 6.4+ (v-a), 7.x (v-b) or 8.x (v-c)")
    parser.add_argument('--request-schemas', help="the double checks every request with Rocket.Chat's own validators "
                        'fetched into this directory (tests/utils/fetch_request_schemas.py)')
    args = parser.parse_args()
    target = args.target
    if not os.environ.get('ROCKETCHAT_URL'):
        config = {'rocketchat_double_dialect': args.dialect}
        if args.request_schemas:
            config['rocketchat_double_request_schemas'] = os.path.abspath(args.request_schemas)
        write_private(target, config)
        print('integration tests: no ROCKETCHAT_URL, the targets start the local Rocket.Chat API double (%s dialect%s)'
              % (args.dialect, ', requests checked by Rocket.Chat\'s schemas' if args.request_schemas else ''))
        return 0
    token_pair = os.environ.get('ROCKETCHAT_USER_ID') and os.environ.get('ROCKETCHAT_AUTH_TOKEN')
    login_pair = os.environ.get('ROCKETCHAT_USERNAME') and os.environ.get('ROCKETCHAT_PASSWORD')
    if not (token_pair or login_pair):
        sys.exit('ROCKETCHAT_URL is set, but neither ROCKETCHAT_USER_ID + ROCKETCHAT_AUTH_TOKEN nor '
                 'ROCKETCHAT_USERNAME + ROCKETCHAT_PASSWORD are')
    config = {name: os.environ.get(env, '') for env, name in VARIABLES.items()}
    write_private(target, config)
    print('integration tests: against the real server %s' % config['rocketchat_real_url'])
    return 0


if __name__ == '__main__':
    sys.exit(main())
