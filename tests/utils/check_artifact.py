# Copyright (c) 2026 chatops.rocketchat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Check a built collection artifact: what a user needs is in it; test output, venvs, caches and secrets are not.

    python check_artifact.py ARTIFACT.tar.gz COLLECTION_ROOT

Every module, module_util, doc fragment and role file of the source tree must be in it: the list comes from
COLLECTION_ROOT, so a new module needs no change here."""

from __future__ import annotations

import os
import re
import sys
import tarfile

REQUIRED = ('MANIFEST.json', 'FILES.json', 'README.md', 'LICENSE', 'meta/runtime.yml',
            'meta/execution-environment.yml', 'requirements.txt', 'docs/docsite/extra-docs.yml')
SHIPPED_TREES = ('plugins', 'roles')  # every file under these, except molecule scenarios and caches


def shipped_files(root: str) -> list[str]:
    found = []
    for tree in SHIPPED_TREES:
        for directory, subdirectories, files in os.walk(os.path.join(root, tree)):
            subdirectories[:] = [name for name in subdirectories if name not in ('__pycache__', 'molecule')]
            found += [os.path.relpath(os.path.join(directory, name), root) for name in files
                      if not name.endswith('.pyc')]
    return sorted(found)


FORBIDDEN = re.compile(r'(^|/)(tests/output|\.venv[^/]*|__pycache__|\.pytest_cache|\.hypothesis|\.git|build|\.cache)(/|$)'
                       r'|\.pyc$|\.tar\.gz$|(^|/)(integration_config\.yml|credentials\.json|connection\.json)$')


def main() -> int:
    with tarfile.open(sys.argv[1]) as artifact:
        names = [name[2:] if name.startswith('./') else name for name in artifact.getnames()]
    problems = ['unexpected in the artifact: %s' % name for name in names if FORBIDDEN.search(name)]
    required = list(REQUIRED) + shipped_files(sys.argv[2])
    problems += ['missing from the artifact: %s' % name for name in required if name not in names]
    if not any(name.startswith('plugins/modules/') for name in required):
        problems.append('no modules found under %s/plugins/modules' % sys.argv[2])
    for problem in problems:
        print(problem)
    print('artifact %s: %d files, %s' % (sys.argv[1], len(names), 'FAILED' if problems else 'ok'))
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
