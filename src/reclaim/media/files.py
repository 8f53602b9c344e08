"""Opening an untrusted file: one place for the checks every decoder needs first."""

from __future__ import annotations

import stat
from pathlib import Path

from reclaim.config import MediaLimits
from reclaim.errors import N_, MediaError, MediaLimitError
from reclaim.media.sniff import HEAD_BYTES


def read_checked_head(path: Path, limits: MediaLimits) -> bytes:
    """The first bytes of a plain file within the size limit; a MediaError naming it otherwise."""
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            # A pipe or device would block or never end; only plain files are media.
            raise MediaError(N_("{path} is not a regular file."), path=str(path))
        if info.st_size > limits.max_file_bytes:
            raise MediaLimitError(
                N_("{path} is {size} bytes, more than the limit of {limit} bytes."),
                path=str(path),
                size=info.st_size,
                limit=limits.max_file_bytes,
            )
        with path.open("rb") as handle:
            return handle.read(HEAD_BYTES)
    except FileNotFoundError:
        raise MediaError(N_("{path} does not exist."), path=str(path)) from None
    except OSError as error:
        raise unreadable(path, error) from None


def unreadable(path: Path, error: OSError) -> MediaError:
    return MediaError(
        N_("{path} cannot be read ({reason})."), path=str(path), reason=error.strerror or str(error)
    )
