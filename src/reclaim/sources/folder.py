"""A folder of found files (a download, a seized phone's gallery) as the items a scan reads."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

from reclaim.sources.found import FoundItem

PLATFORM = "folder"


def found_items(files: Sequence[Path]) -> Iterator[FoundItem]:
    """One item per media file; a file changed since an earlier scan gets a new key and is read again."""
    for path in files:
        resolved = path.resolve()
        try:
            stat = resolved.stat()
            version = f"{stat.st_size}:{stat.st_mtime_ns}"
        except OSError:
            version = "unreadable"  # the hashing step reports why
        yield FoundItem(
            key=f"{PLATFORM}:{resolved}:{version}",
            platform=PLATFORM,
            channel=None,
            message_id=None,
            url=resolved.as_uri(),
            posted_at=None,
            media_path=resolved,
        )
