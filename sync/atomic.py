"""Small files written whole or not at all: the device token, the staff PIN, ward settings.

The new content goes to a temporary file beside the old one, reaches the disk, then replaces
it in one rename. A crash or a full disk leaves the old file as it was, and no temporary file.
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path
from typing import Any


def write_json(path: Path, data: Any, *, indent: int | None = None) -> None:
    """Replace *path* with *data* as UTF-8 JSON, readable by its owner only where the OS has
    modes (tokens and PIN hashes live in these files).

    :raises OSError: it could not be written; the old file stands.
    """
    content = json.dumps(data, ensure_ascii=False, indent=indent).encode("utf-8")
    temporary = path.with_suffix(".tmp")
    try:
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            handle = os.fdopen(fd, "wb")
        except BaseException:
            os.close(fd)
            raise
        with handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    _sync_folder(path.parent)


def _sync_folder(folder: Path) -> None:
    # The rename is only durable once the folder is synced (POSIX); best effort, since the
    # new file is already complete either way.
    if os.name != "posix":
        return
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
