# Copyright (c) 2026 chatops.rocketchat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

"""The one way the collection writes a file (backups, reports): private (0600, directories 0700), and whole or
not at all, so that a run killed at any moment leaves no half-written file."""

from __future__ import annotations

import os
import tempfile

from ansible_collections.chatops.rocketchat.plugins.module_utils._errors import LocalFileError


def write_private(path: str, text: str) -> str:
    """Write `text` to `path` (mode 0600): to a temporary name in the same directory, flushed to disk, then renamed
    over `path`. Returns the path; raises LocalFileError naming it."""
    directory = os.path.dirname(path) or '.'
    temporary = None
    try:
        if not os.path.isdir(directory):
            os.makedirs(directory, mode=0o700)
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
