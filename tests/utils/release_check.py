# Copyright (c) 2026 chatops.rocketchat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What Galaxy would say of the release: build the artifact and run galaxy-importer on it, offline.

    python release_check.py COLLECTION_DIR WORK_DIR        (what `make release-check` calls)

galaxy-importer refuses a galaxy.yml without `repository`, and the project has no public home yet, so galaxy.yml
names none. The URL comes from GALAXY_REPOSITORY when it is set; otherwise a clearly marked test value goes into a
temporary copy of galaxy.yml only, which builds the artifact checked here and nothing else: the artifact users
install (`make integration` builds it) comes from the real galaxy.yml. Publishing needs the three URLs in galaxy.yml
(docs/CONTRIBUTING.md, "Releasing").
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys

TEST_REPOSITORY = 'https://release-check.invalid/chatops.rocketchat'
URL_KEYS = ('repository', 'documentation', 'issues')
IMPORTER_CONFIG = """[galaxy-importer]
RUN_ANSIBLE_TEST = False
RUN_ANSIBLE_LINT = True
LOG_LEVEL_MAIN = INFO
"""


def galaxy_text_with_repository(text: str, repository: str, marked: bool) -> str:
    """galaxy.yml's text with a repository line added (it must have none of its own)."""
    if any(line.startswith(key + ':') for line in text.splitlines() for key in URL_KEYS):
        raise SystemExit('release-check: galaxy.yml already names %s; remove GALAXY_REPOSITORY or the key'
                         % ', '.join(key for key in URL_KEYS if ('\n%s:' % key) in '\n' + text))
    note = '  # TEST VALUE injected by make release-check; not a real URL' if marked else ''
    return text.rstrip('\n') + '\nrepository: %s%s\n' % (repository, note)


def main(collection_dir: str, work_dir: str) -> int:
    repository = os.environ.get('GALAXY_REPOSITORY', '').strip()
    marked = not repository
    if marked:
        repository = TEST_REPOSITORY
        print('release-check: GALAXY_REPOSITORY is not set: injecting the TEST VALUE repository: %s into a temporary '
              'copy of galaxy.yml only (never into the artifact users install)' % repository)
    else:
        print('release-check: repository from GALAXY_REPOSITORY: %s (temporary copy of galaxy.yml only)' % repository)
    shutil.rmtree(work_dir, ignore_errors=True)
    tree = os.path.join(work_dir, 'ansible_collections', 'chatops', 'rocketchat')
    shutil.copytree(collection_dir, tree, ignore=shutil.ignore_patterns('.git', 'tests/output'))
    galaxy_file = os.path.join(tree, 'galaxy.yml')
    with open(galaxy_file, encoding='utf-8') as handle:
        text = handle.read()
    with open(galaxy_file, 'w', encoding='utf-8') as handle:
        handle.write(galaxy_text_with_repository(text, repository, marked))
    artifacts = os.path.join(work_dir, 'artifact')
    subprocess.run(['ansible-galaxy', 'collection', 'build', '--output-path', artifacts, tree], check=True)
    artifact = glob.glob(os.path.join(artifacts, 'chatops-rocketchat-*.tar.gz'))[0]
    config = os.path.join(work_dir, 'galaxy-importer.cfg')
    with open(config, 'w', encoding='utf-8') as handle:
        handle.write(IMPORTER_CONFIG)
    completed = subprocess.run([sys.executable, '-m', 'galaxy_importer.main', artifact],
                               env=dict(os.environ, GALAXY_IMPORTER_CONFIG=config), capture_output=True, text=True,
                               check=False, cwd=work_dir)  # it writes importer_result.json into its working directory
    output = completed.stdout + completed.stderr
    print(output)
    problems = [line for line in output.splitlines() if line.startswith(('ERROR', 'WARNING'))]
    if completed.returncode != 0 or 'Importer processing completed successfully' not in output or problems:
        print('release-check: galaxy-importer did not accept the artifact%s' % (
            ': ' + '; '.join(problems) if problems else ''))
        return 1
    print('release-check: galaxy-importer accepted %s%s' % (
        os.path.basename(artifact), ' (built with the TEST VALUE repository)' if marked else ''))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1], sys.argv[2]))
