# Copyright (c) 2026 chatops.rocketchat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The ansible-core version matrix: the versions the collection supports, the Python each row runs on, and each
row's virtualenv, pinned in tests/matrix/ansible-core-<version>.txt (make pins-matrix writes those).

Run from the collection's copy (ansible_collections/chatops/rocketchat/), as the Makefile does:

    matrix.py python VERSION                  the interpreter the row uses ('' when this machine has none)
    matrix.py venv VERSION...                 build the rows' virtualenvs (a stamp skips an unchanged one)
    matrix.py units VERSION...                ansible-test units on each row
    matrix.py sanity VERSION...               ansible-test sanity on each row
    matrix.py integration VERSION [--dialect D] [--request-schemas DIR]
                                              the integration targets on one row, against the double
    matrix.py support [--request-schemas DIR] (make matrix) sanity and the integration targets on every row; prints
                                              the support table and writes it into README.md
    matrix.py pins VERSION...                 re-pin the rows from tests/matrix/requirements.in

A row whose Python this machine lacks is skipped with a note; under CI (CI=true) that is a failure.
"""

from __future__ import annotations

import argparse
import datetime
import glob
import hashlib
import os
import re
import shutil
import subprocess
import sys
import time

# ansible-core minor version -> the Python its row runs on: the newest ansible-core pip serves on that Python is
# what a team on it gets (2.16-2.19 on 3.11; 2.20 on 3.12; the newest, 2.21, needs 3.12 or later: 3.13).
ROWS = {'2.16': '3.11', '2.17': '3.11', '2.18': '3.11', '2.19': '3.11', '2.20': '3.12', '2.21': '3.13'}
FLOOR, NEWEST = '2.16', '2.21'
# The controller Pythons of each ansible-core (its setup.cfg's python_requires and classifiers): tests/config.yml says
# the modules run on the controller's Python, so sanity's compile and import tests run on each this machine has.
CONTROLLER_PYTHONS = {'2.16': ('3.10', '3.11', '3.12'), '2.17': ('3.10', '3.11', '3.12'),
                      '2.18': ('3.11', '3.12', '3.13'), '2.19': ('3.11', '3.12', '3.13'),
                      '2.20': ('3.12', '3.13', '3.14'), '2.21': ('3.12', '3.13', '3.14')}
HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.dirname(os.path.dirname(HERE))  # the tree this script is in (the work tree or its copy)
README_START, README_END = '<!-- support-table:start -->', '<!-- support-table:end -->'
ALSO_ON: dict[str, list[str]] = {}  # row -> the other controller Pythons its compile and import tests ran on


def repository() -> str:
    """The contributor's work tree (where the virtualenvs and README.md are), also when run from the copy."""
    return os.environ.get('MATRIX_ROOT') or SOURCE


def pins(version: str) -> str:
    return os.path.join(SOURCE, 'tests', 'matrix', 'ansible-core-%s.txt' % version)


def venv_dir(version: str) -> str:
    return os.path.join(repository(), '.venv-core', version)


def runs(candidate: str) -> bool:
    """A pyenv shim for a version that is installed but not active is found on PATH and then exits 127."""
    try:
        return subprocess.run([candidate, '-c', ''], capture_output=True, check=False).returncode == 0
    except OSError:
        return False


def python_for(version: str) -> str:
    """The first interpreter of the row's Python that runs: pyenv's versions, then PATH; '' when none does."""
    return interpreter(ROWS[version])


def interpreter(minor: str) -> str:
    """The first python<minor> that runs: pyenv's versions, then PATH; '' when none does."""
    roots = [os.environ.get('PYENV_ROOT') or '', os.path.join(os.path.expanduser('~'), '.pyenv')]
    candidates = []
    for root in roots:
        if root:
            candidates += sorted(glob.glob(os.path.join(root, 'versions', minor + '*', 'bin', 'python' + minor)))
    on_path = shutil.which('python' + minor)
    if on_path:
        candidates.append(on_path)
    return next((candidate for candidate in candidates if runs(candidate)), '')


def missing(version: str) -> int:
    """A row this machine cannot run: a note, or under CI a failure."""
    if os.environ.get('CI'):
        print('matrix: Python %s (for ansible-core %s) not found; CI must run every row' % (ROWS[version], version))
        return 1
    print('matrix: SKIPPED ansible-core %s, Python %s not found on this machine' % (version, ROWS[version]))
    return 0


def ensure_venv(version: str) -> str | None:
    """The row's virtualenv (built from its pins when they changed), or None when its Python is missing."""
    python = python_for(version)
    if not python:
        return None
    target = venv_dir(version)
    with open(pins(version), 'rb') as handle:
        stamp = os.path.join(target, '.installed-' + hashlib.sha256(handle.read() + python.encode()).hexdigest()[:16])
    if os.path.exists(stamp):
        return target
    shutil.rmtree(target, ignore_errors=True)
    subprocess.run([python, '-m', 'venv', target], check=True)
    subprocess.run([os.path.join(target, 'bin', 'python'), '-m', 'pip', 'install', '--quiet',
                    '--disable-pip-version-check', '-r', pins(version)], check=True)
    open(stamp, 'w', encoding='utf-8').close()
    return target


def in_row(version: str, command: list[str], extra_path: str = '') -> int:
    """Run `command` with the row's virtualenv first on PATH (ansible-test, ansible-galaxy and python3.x from it),
    then `extra_path` (another interpreter's directory)."""
    target = ensure_venv(version)
    if target is None:
        return missing(version)
    environment = dict(os.environ)
    environment['PATH'] = os.pathsep.join(part for part in (os.path.join(target, 'bin'), extra_path,
                                                            environment.get('PATH', '')) if part)
    environment.pop('VIRTUAL_ENV', None)
    # ansible-test bootstraps pip in its own virtualenvs from a cached script (tests/utils/ansible_test_get_pip.py)
    subprocess.run([os.path.join(target, 'bin', 'python'), os.path.join(HERE, 'ansible_test_get_pip.py')],
                   check=True, env=environment)
    print('matrix: ansible-core %s on Python %s: %s' % (version, ROWS[version], ' '.join(command)), flush=True)
    return subprocess.call(command, env=environment)


def each_row(command: str, versions: list[str]) -> int:
    """`ansible-test <command>` on each row in turn, stopping at the first that fails."""
    for version in versions:
        code = in_row(version, ['ansible-test', command, '--python', ROWS[version], '--color', 'no'])
        if code:
            return code
    return 0


def sanity(versions: list[str]) -> int:
    """Every sanity test on the row's Python, then compile and import on the row's other controller Pythons."""
    for version in versions:
        code = each_row('sanity', [version])
        if code:
            return code
        for minor in CONTROLLER_PYTHONS[version]:
            if minor == ROWS[version]:
                continue
            found = interpreter(minor)
            if not found:
                print('matrix: ansible-core %s: no Python %s here, its compile and import tests skipped'
                      % (version, minor))
                continue
            code = in_row(version, ['ansible-test', 'sanity', '--test', 'compile', '--test', 'import', '--python',
                                    minor, '--color', 'no'], extra_path=os.path.dirname(found))
            if code:
                return code
            ALSO_ON.setdefault(version, []).append(minor)
    return 0


def integration(version: str, dialect: str, request_schemas: str | None, config_written: bool = False) -> int:
    if not config_written:
        command = [sys.executable, os.path.join(HERE, 'write_integration_config.py'), '--dialect', dialect]
        if request_schemas:
            command += ['--request-schemas', request_schemas]
        subprocess.run(command + [os.path.join('tests', 'integration', 'integration_config.yml')], check=True)
    return in_row(version, ['ansible-test', 'integration', '--python', ROWS[version], '--color', 'no'])


def support(request_schemas: str | None) -> int:
    """Sanity and the integration targets on every row, then the table of what passed (README.md's)."""
    results = []
    for version in ROWS:
        begin = time.monotonic()
        if not python_for(version):
            results.append((version, 'not run (no Python %s here)' % ROWS[version], 0.0))
            if missing(version):
                return 1
            continue
        outcome = 'passed'
        for step, run in (('sanity', lambda: sanity([version])),
                          ('integration', lambda: integration(version, 'v-b', request_schemas))):
            if run() != 0:
                outcome = '%s FAILED' % step
                break
        results.append((version, outcome, time.monotonic() - begin))
    table = support_table(results, datetime.date.today())
    print(table)
    write_into_readme(table)
    return 0 if all(outcome in ('passed',) or outcome.startswith('not run') for _v, outcome, _s in results) else 1


def support_table(results: list[tuple[str, str, float]], day: datetime.date) -> str:
    lines = ['| ansible-core | Python | sanity and integration targets (`make matrix`, %s) | sanity\'s compile and '
             'import also on |' % day.isoformat(), '|---|---|---|---|']
    for version, outcome, _seconds in results:
        lines.append('| %s | %s | %s | %s |' % (version, ROWS[version], outcome,
                                                ', '.join(ALSO_ON.get(version, [])) or '-'))
    return '\n'.join(lines)


def write_into_readme(table: str) -> None:
    path = os.path.join(repository(), 'README.md')
    with open(path, encoding='utf-8') as handle:
        text = handle.read()
    pattern = re.compile(re.escape(README_START) + '.*?' + re.escape(README_END), re.S)
    if not pattern.search(text):
        print('matrix: README.md has no %s ... %s block; the table is above' % (README_START, README_END))
        return
    text = pattern.sub(lambda _match: '%s\n%s\n%s' % (README_START, table, README_END), text)
    with open(path, 'w', encoding='utf-8') as handle:
        handle.write(text)
    print('matrix: README.md support table updated')


def repin(versions: list[str]) -> int:
    """Each row's pins: its ansible-core minor version and tests/matrix/requirements.in, as pip resolves them on the
    row's Python ('pip freeze' in a throwaway virtualenv)."""
    for version in versions:
        python = python_for(version)
        if not python:
            return missing(version) or 1
        scratch = os.path.join(repository(), 'build', 'pins-core-%s' % version)
        shutil.rmtree(scratch, ignore_errors=True)
        subprocess.run([python, '-m', 'venv', scratch], check=True)
        pip = [os.path.join(scratch, 'bin', 'python'), '-m', 'pip']
        subprocess.run(pip + ['install', '--quiet', '--disable-pip-version-check', 'ansible-core==%s.*' % version,
                              '-r', os.path.join(SOURCE, 'tests', 'matrix', 'requirements.in')], check=True)
        frozen = subprocess.run(pip + ['freeze', '--disable-pip-version-check'], check=True, capture_output=True,
                                text=True).stdout
        with open(os.path.join(repository(), 'tests', 'matrix', 'ansible-core-%s.txt' % version), 'w',
                  encoding='utf-8') as handle:
            handle.write('# ansible-core %s on Python %s: tests/matrix/requirements.in pinned with pip freeze '
                         '(make pins-matrix).\n%s' % (version, ROWS[version], frozen))
    return 0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('command', choices=('python', 'venv', 'units', 'sanity', 'integration', 'support', 'pins'))
    parser.add_argument('versions', nargs='*', help='ansible-core minor versions: %s (default: all)' % ', '.join(ROWS))
    parser.add_argument('--dialect', default='v-b', choices=('v-a', 'v-b', 'v-c'))
    parser.add_argument('--request-schemas')
    parser.add_argument('--config-written', action='store_true',
                        help='integration: tests/integration/integration_config.yml is already written (make integration)')
    options = parser.parse_args(argv)
    unknown = [version for version in options.versions if version not in ROWS]
    if unknown:
        parser.error('not a row of the matrix: %s (the rows: %s)' % (', '.join(unknown), ', '.join(ROWS)))
    versions = options.versions or list(ROWS)
    if options.command == 'python':
        print(python_for(versions[0]))
        return 0
    if options.command == 'venv':
        for version in versions:
            if ensure_venv(version) is None and missing(version):
                return 1
        return 0
    if options.command == 'integration':
        return integration(versions[0], options.dialect, options.request_schemas, options.config_written)
    if options.command == 'support':
        return support(options.request_schemas)
    if options.command == 'pins':
        return repin(versions)
    return sanity(versions) if options.command == 'sanity' else each_row('units', versions)


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
