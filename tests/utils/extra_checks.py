# Copyright (c) 2026 chatops.rocketchat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""antsibull-nox's extra checks, run without nox: the scripts it ships (antsibull_nox/data/) with the data its
sessions would give them, on the files git lists. Run from the collection's copy (make extra-checks).

    no-unwanted-files   only Python files under plugins/ (and modules' own extensions under plugins/modules/)
    action-groups       every module named rocketchat_* is in meta/runtime.yml's action group `rocketchat`, carries
                        the doc fragment that documents the membership, and no other module does
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile

import antsibull_nox

CHECKS = {
    'no-unwanted-files': {'allow_symlinks': False},
    'action-groups': {'config': [{'name': 'rocketchat', 'pattern': '^rocketchat_.*$',
                                  'doc_fragment': 'chatops.rocketchat._attributes.ACTIONGROUP_ROCKETCHAT',
                                  'exclusions': []}]},
}


def main() -> int:
    paths = subprocess.run(['git', 'ls-files', '--cached', '--others', '--exclude-standard'], check=True,
                           capture_output=True, text=True).stdout.splitlines()
    scripts = os.path.join(os.path.dirname(antsibull_nox.__file__), 'data')
    failed = []
    for name, data in CHECKS.items():
        with tempfile.NamedTemporaryFile('w', suffix='.json', delete=False) as handle:
            json.dump(dict(data, paths=paths), handle)
        try:
            completed = subprocess.run([sys.executable, os.path.join(scripts, name + '.py'), '--data', handle.name],
                                       capture_output=True, text=True, check=False)
        finally:
            os.unlink(handle.name)
        try:
            messages = json.loads(completed.stdout)['messages']
        except (ValueError, KeyError, TypeError):
            messages = [{'file': '-', 'message': (completed.stdout + completed.stderr).strip() or 'no report'}]
        for message in messages:
            print('%s: %s (%s)' % (message.get('file'), message.get('message'), name))
        print('extra check %s: %s' % (name, 'ok' if completed.returncode == 0 else 'FAILED'))
        if completed.returncode:
            failed.append(name)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
