# Copyright (c) 2026 chatops.rocketchat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Write the pip bootstrap script that ansible-test would otherwise download.

ansible-test creates each sanity virtualenv without pip, then runs get-pip-<version>.py, which it downloads
from a host this machine cannot reach. Before downloading it looks for a cached copy at
~/.ansible/test/cache/get_pip_<version>.py. We write that copy: a small script that takes pip from the new
virtualenv's own ensurepip wheel and uses it to install the exact pip ansible-test asks for from the package
index. It accepts the same arguments as get-pip.py (--no-setuptools, --no-wheel, then pip install arguments).
"""

from __future__ import annotations

import os
import re
import sys

BOOTSTRAP = r'''# Written by chatops.rocketchat's Makefile (tests/utils/ansible_test_get_pip.py); safe to delete.
import glob
import os
import runpy
import sys

import ensurepip

wheels = glob.glob(os.path.join(os.path.dirname(ensurepip.__file__), '_bundled', 'pip-*.whl'))
if not wheels:
    sys.exit('ensurepip has no bundled pip wheel for %s' % sys.executable)
sys.path.insert(0, sorted(wheels)[-1])
arguments = [arg for arg in sys.argv[1:] if arg not in ('--no-setuptools', '--no-wheel')]
sys.argv = ['pip', 'install', '--upgrade', '--force-reinstall'] + arguments
runpy.run_module('pip', run_name='__main__', alter_sys=True)
'''


def required_pip_version() -> str:
    import ansible_test  # pylint: disable=import-outside-toplevel
    path = os.path.join(os.path.dirname(ansible_test.__file__), '_internal', 'python_requirements.py')
    with open(path, encoding='utf-8') as handle:
        match = re.search(r"pip='([0-9.]+)'", handle.read())
    if not match:
        sys.exit('cannot find the pip version ansible-test wants in %s' % path)
    return match.group(1)


def main() -> int:
    version = required_pip_version()
    cache = os.path.expanduser('~/.ansible/test/cache')
    os.makedirs(cache, exist_ok=True)
    target = os.path.join(cache, 'get_pip_%s.py' % version.replace('.', '_'))
    # whole or not at all: suites side by side may write it at the same time, and ansible-test may be reading it
    temporary = '%s.%d.tmp' % (target, os.getpid())
    with open(temporary, 'w', encoding='utf-8') as handle:
        handle.write(BOOTSTRAP)
    os.replace(temporary, target)
    print('ansible-test pip %s bootstrap: %s' % (version, target))
    return 0


if __name__ == '__main__':
    sys.exit(main())
