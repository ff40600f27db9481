# Copyright (c) 2026 chatops.rocketchat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Run a command with the ROCKETCHAT_* variables from a private JSON file added to its environment.

    python with_connection.py CONNECTION_JSON COMMAND [ARG ...]
"""

from __future__ import annotations

import json
import os
import sys


def main() -> int:
    with open(sys.argv[1], encoding='utf-8') as handle:
        os.environ.update(json.load(handle))
    os.execvp(sys.argv[2], sys.argv[2:])
    return 1


if __name__ == '__main__':
    sys.exit(main())
