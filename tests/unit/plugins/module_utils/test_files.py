# Copyright (c) 2026 chatops.rocketchat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The one file writer: private, whole or not at all."""

from __future__ import annotations

import os
import stat

import pytest

from ansible_collections.chatops.rocketchat.plugins.module_utils._errors import LocalFileError
from ansible_collections.chatops.rocketchat.plugins.module_utils._files import write_private


def test_writes_a_private_file_in_a_private_new_directory(tmp_path):
    path = tmp_path / 'new' / 'report.md'
    assert write_private(str(path), 'hello\n') == str(path)
    assert path.read_text() == 'hello\n'
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(path.parent).st_mode) == 0o700


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
