# Copyright (c) 2026 chatops.rocketchat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Write ansible-test's integration_config.yml from ROCKETCHAT_* variables, when ROCKETCHAT_URL is set.

ansible-test hands the targets a filtered environment, so a real server's address and credentials reach them
as variables (rocketchat_real_*) in this file instead. Without ROCKETCHAT_URL nothing is written and the
targets start the local API double.
"""

from __future__ import annotations

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


def main() -> int:
    target = sys.argv[1]
    if not os.environ.get('ROCKETCHAT_URL'):
        if os.path.exists(target):
            os.remove(target)
        print('integration tests: no ROCKETCHAT_URL, the targets start the local Rocket.Chat API double')
        return 0
    token_pair = os.environ.get('ROCKETCHAT_USER_ID') and os.environ.get('ROCKETCHAT_AUTH_TOKEN')
    login_pair = os.environ.get('ROCKETCHAT_USERNAME') and os.environ.get('ROCKETCHAT_PASSWORD')
    if not (token_pair or login_pair):
        sys.exit('ROCKETCHAT_URL is set, but neither ROCKETCHAT_USER_ID + ROCKETCHAT_AUTH_TOKEN nor '
                 'ROCKETCHAT_USERNAME + ROCKETCHAT_PASSWORD are')
    config = {name: os.environ.get(env, '') for env, name in VARIABLES.items()}
    descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, 'w') as handle:
        json.dump(config, handle)  # JSON is YAML
    print('integration tests: against the real server %s' % config['rocketchat_real_url'])
    return 0


if __name__ == '__main__':
    sys.exit(main())
