# Copyright (c) 2026 chatops.rocketchat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The one file writer: private, whole or not at all."""

from __future__ import annotations

import concurrent.futures
import os
import re
import stat

import pytest

from ansible_collections.chatops.rocketchat.plugins.module_utils._errors import LocalFileError
from ansible_collections.chatops.rocketchat.plugins.module_utils._files import remove_stale_temporaries, write_private


def test_writes_a_private_file_in_a_private_new_directory(tmp_path):
    path = tmp_path / 'new' / 'report.md'
    assert write_private(str(path), 'hello\n') == str(path)
    assert path.read_text() == 'hello\n'
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(path.parent).st_mode) == 0o700


def test_a_directory_another_worker_creates_meanwhile_is_no_failure(tmp_path, monkeypatch):
    # Parallel removals write their backups into one directory that may not exist yet: between one worker seeing
    # it missing and creating it, another creates it. Reproduced here without threads, so it cannot be flaky.
    directory = tmp_path / 'backups'
    real_makedirs = os.makedirs

    def another_worker_first(name, *args, **kwargs):
        if not os.path.isdir(name):
            real_makedirs(name, 0o700)
        return real_makedirs(name, *args, **kwargs)
    monkeypatch.setattr(os, 'makedirs', another_worker_first)
    write_private(str(directory / 'one.json'), '{}')
    assert (directory / 'one.json').read_text() == '{}'


def test_many_threads_writing_into_one_missing_directory(tmp_path):
    directory = tmp_path / 'backups'
    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        written = list(pool.map(lambda n: write_private(str(directory / ('%d.json' % n)), str(n)), range(64)))
    assert sorted(os.listdir(directory)) == sorted(os.path.basename(path) for path in written)


def test_replaces_a_file_whole_and_leaves_no_temporary_file(tmp_path):
    path = tmp_path / 'backup.json'
    path.write_text('old')
    write_private(str(path), 'new')
    assert path.read_text() == 'new' and os.listdir(tmp_path) == ['backup.json']


def test_a_failure_names_the_path_and_leaves_nothing(tmp_path, monkeypatch):
    path = tmp_path / 'backup.json'

    def broken_replace(source, target):
        raise OSError(28, 'No space left on device')
    monkeypatch.setattr(os, 'replace', broken_replace)
    with pytest.raises(LocalFileError, match='Could not write %s: No space left on device' % path):
        write_private(str(path), 'x' * 100)
    assert os.listdir(tmp_path) == []


def test_a_killed_runs_temporaries_are_removed_and_nothing_else(tmp_path):
    backup = re.compile(r'^webhook-incoming-[a-z0-9]+\.json$')
    (tmp_path / 'webhook-incoming-abc.json').write_text('{"whole": true}\n')
    (tmp_path / '.webhook-incoming-def.json.k2j4_x.tmp').write_text('{"half')
    (tmp_path / '.notes.txt.abc123.tmp').write_text('someone else\'s')
    (tmp_path / 'webhook-incoming-ghi.json.tmp').write_text('not ours either')
    assert remove_stale_temporaries(str(tmp_path), backup) == ['.webhook-incoming-def.json.k2j4_x.tmp']
    assert sorted(path.name for path in tmp_path.iterdir()) == [
        '.notes.txt.abc123.tmp', 'webhook-incoming-abc.json', 'webhook-incoming-ghi.json.tmp']
    assert remove_stale_temporaries(str(tmp_path / 'missing'), backup) == []
