# Copyright (c) 2026 chatops.rocketchat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

"""The one way the collection writes a file (backups, reports): private (0600, directories 0700), and whole or
not at all, so that a run killed at any moment leaves no half-written file."""

from __future__ import annotations

import os
import re
import tempfile
import typing as t

from ansible_collections.chatops.rocketchat.plugins.module_utils._errors import LocalFileError


def write_private(path: str, text: str) -> str:
    """Write `text` to `path` (mode 0600): to a temporary name in the same directory, flushed to disk, then renamed
    over `path`. Returns the path; raises LocalFileError naming it."""
    directory = os.path.dirname(path) or '.'
    temporary = None
    try:
        os.makedirs(directory, mode=0o700, exist_ok=True)  # workers may race to create it: both must succeed
        descriptor, temporary = tempfile.mkstemp(prefix='.%s.' % os.path.basename(path), suffix='.tmp', dir=directory)
        with os.fdopen(descriptor, 'w', encoding='utf-8') as handle:  # mkstemp creates it 0600
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
        temporary = None
    except OSError as error:
        raise LocalFileError('Could not write %s: %s.' % (path, error.strerror or error)) from None
    finally:
        if temporary is not None and os.path.exists(temporary):
            os.unlink(temporary)
    return path


def remove_stale_temporaries(directory: str, final_name: t.Pattern) -> list[str]:
    """Remove what a run killed inside write_private left behind: temporary files (never renamed, so never a
    backup or a report) whose final name `final_name` matches. Returns the names removed."""
    removed: list[str] = []
    try:
        names = os.listdir(directory)
    except OSError:
        return removed
    for name in names:
        match = TEMPORARY.match(name)
        if match and final_name.match(match.group(1)):
            try:
                os.unlink(os.path.join(directory, name))
            except OSError:
                continue
            removed.append(name)
    return removed


TEMPORARY = re.compile(r'^\.(.+)\.[A-Za-z0-9_]+\.tmp$')  # mkstemp(prefix='.<final name>.', suffix='.tmp')
