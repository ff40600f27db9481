# Copyright (c) 2026 chatops.rocketchat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Check a built collection artifact: what a user needs is in it; test output, venvs, caches and secrets are not."""

from __future__ import annotations

import re
import sys
import tarfile

REQUIRED = ('MANIFEST.json', 'FILES.json', 'README.md', 'LICENSE', 'meta/runtime.yml',
            'meta/execution-environment.yml', 'requirements.txt', 'plugins/module_utils/_client.py',
            'plugins/modules/rocketchat_integration.py', 'plugins/modules/rocketchat_integration_info.py',
            'plugins/modules/rocketchat_integration_prune.py', 'roles/prune_webhooks/tasks/main.yml',
            'roles/prune_webhooks/meta/argument_specs.yml', 'docs/docsite/extra-docs.yml')
FORBIDDEN = re.compile(r'(^|/)(tests/output|\.venv[^/]*|__pycache__|\.pytest_cache|\.hypothesis|\.git|build|\.cache)(/|$)'
                       r'|\.pyc$|\.tar\.gz$|(^|/)(integration_config\.yml|credentials\.json|connection\.json)$')


def main() -> int:
    with tarfile.open(sys.argv[1]) as artifact:
        names = [name[2:] if name.startswith('./') else name for name in artifact.getnames()]
    problems = ['unexpected in the artifact: %s' % name for name in names if FORBIDDEN.search(name)]
    problems += ['missing from the artifact: %s' % name for name in REQUIRED if name not in names]
    for problem in problems:
        print(problem)
    print('artifact %s: %d files, %s' % (sys.argv[1], len(names), 'FAILED' if problems else 'ok'))
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
