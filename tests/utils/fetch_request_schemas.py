# Copyright (c) 2026 chatops.rocketchat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fetch Rocket.Chat's published request validators into DEST, once (a stamp keyed by the pins skips a second run).

    python fetch_request_schemas.py DEST

DEST gets node_modules/ (ajv, from tests/request_schemas/package-lock.json with `npm ci`) and rest-typings-<line>/v1/
for each release pinned in tests/request_schemas/rest-typings.json: `npm pack` fetches the tarball, its sha512
must equal the pinned integrity, and only the runtime validators are kept (v1/Ajv.js, v1/integrations/*.js, users.info's, rooms.info's and chat.postMessage's).

Why not the three releases as npm aliases in one package.json: their type-only dependencies
(@rocket.chat/core-typings 7.x, @rocket.chat/ui-kit 0.38) are not all on the registry these machines reach, and
`npm install` then fails; the validators themselves import nothing but ajv and ajv-formats.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
PINS_DIR = os.path.join(os.path.dirname(HERE), 'request_schemas')
PINNED_FILES = ('package.json', 'package-lock.json', 'rest-typings.json', 'validate.mjs')
# Besides v1/integrations/*.js: the shared Ajv instances, and the validators of the lookups the prune's facts use.
KEPT_FILES = ('v1/Ajv.js', 'v1/users/UsersInfoParamsGet.js', 'v1/rooms.js', 'v1/chat.js')


def fail(reason: str) -> None:
    sys.exit('request schemas: %s' % reason)


def run(command: list[str], cwd: str) -> str:
    try:
        completed = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        fail('%s is not installed; Node.js and npm are needed to check requests against Rocket.Chat\'s schemas'
             % command[0])
    if completed.returncode != 0:
        last = (completed.stderr.strip().splitlines() or ['no output'])[-1]
        fail('`%s` failed (is the npm registry reachable?): %s' % (' '.join(command), last))
    return completed.stdout


def pins_digest() -> str:
    digest = hashlib.sha256()
    for name in PINNED_FILES:
        with open(os.path.join(PINS_DIR, name), 'rb') as handle:
            digest.update(handle.read())
    digest.update(repr(KEPT_FILES).encode())  # another set of files kept is another fetch
    return digest.hexdigest()[:16]


def main() -> int:
    dest = os.path.abspath(sys.argv[1])
    stamp = os.path.join(dest, '.fetched-%s' % pins_digest())
    if os.path.exists(stamp):
        return 0
    shutil.rmtree(dest, ignore_errors=True)
    os.makedirs(dest)
    for name in PINNED_FILES:
        shutil.copy(os.path.join(PINS_DIR, name), dest)
    run(['npm', 'ci', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error'], dest)
    with open(os.path.join(PINS_DIR, 'rest-typings.json'), encoding='utf-8') as handle:
        releases = json.load(handle)['releases']
    with tempfile.TemporaryDirectory() as packs:
        for line, pin in sorted(releases.items()):
            spec = '@rocket.chat/rest-typings@%s' % pin['version']
            filename = json.loads(run(['npm', 'pack', spec, '--json', '--loglevel=error'], packs))[0]['filename']
            with open(os.path.join(packs, filename), 'rb') as handle:
                integrity = 'sha512-' + base64.b64encode(hashlib.sha512(handle.read()).digest()).decode()
            if integrity != pin['integrity']:
                fail('%s does not match its pinned integrity in tests/request_schemas/rest-typings.json' % spec)
            target = os.path.join(dest, 'rest-typings-%s' % line)
            with tarfile.open(os.path.join(packs, filename)) as archive:
                for member in archive.getmembers():
                    inside = member.name[len('package/dist/'):]
                    if member.isfile() and member.name.startswith('package/dist/v1/') and inside.endswith('.js') and (
                            inside in KEPT_FILES or inside.startswith('v1/integrations/')):
                        os.makedirs(os.path.dirname(os.path.join(target, inside)), exist_ok=True)
                        with archive.extractfile(member) as source:
                            code = source.read().decode('utf-8')
                        # Built for bundlers: file imports without an extension (relative ones, and ajv/dist/2020),
                        # which Node's ESM loader refuses. Nothing else of the published code is changed.
                        code = re.sub(r"from '(\.{1,2}/[^']+?|ajv/dist/[^']+?)(?<!\.js)'", r"from '\1.js'", code)
                        with open(os.path.join(target, inside), 'w', encoding='utf-8') as out:
                            out.write(code)
            # The published files are ES modules in a package that does not say so.
            with open(os.path.join(target, 'package.json'), 'w', encoding='utf-8') as handle:
                json.dump({'type': 'module', 'version': pin['version']}, handle)
            print('request schemas: @rocket.chat/rest-typings %s for the %s.x line' % (pin['version'], line))
    open(stamp, 'w', encoding='utf-8').close()
    return 0


if __name__ == '__main__':
    sys.exit(main())
