"""What a found file is searched with: its digests, and its robust photo views or video frames.

This is the query side of matching, the same for `reclaim match`, a scan, the HTTP API and a
Spark executor: computed from the file alone (no bank, no database), so it runs in worker
processes, and its views cost no privacy because the found file is already public.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from reclaim.config import MediaLimits
from reclaim.errors import N_
from reclaim.media.files import read_checked_head, unreadable
from reclaim.media.sniff import HEAD_BYTES, not_media_error, sniff_media_kind
from reclaim.signals.digests import digests_of_bytes, digests_of_chunks
from reclaim.signals.pdq import PdqHash

if TYPE_CHECKING:
    from reclaim.signals.robust import View
    from reclaim.signals.video_views import QueryFrame

_CHUNK = 1 << 20


@dataclass(frozen=True, slots=True)
class QuerySignals:
    """A found file's signals: ``views`` for a photo (plainest first), ``frames`` for a video."""

    path: Path
    kind: Literal["image", "video"]
    sha256: str
    md5: str
    views: tuple[View, ...] = ()
    frames: tuple[QueryFrame, ...] = ()

    @property
    def pdq(self) -> PdqHash | None:
        """The photo's own (whole) hash, as the platform would store it."""
        return self.views[0].hash if self.views else None


def query_signals_of_file(path: Path, limits: MediaLimits) -> QuerySignals:
    """Digests and robust views (photo) or per-frame views (video) of one found file.

    Raises MediaError (a ReclaimError naming the file) when it is not media or cannot be read.
    """
    head = read_checked_head(path, limits)
    kind = sniff_media_kind(head)
    if kind is None:
        raise not_media_error(head, path)
    if kind == "image":
        return _image_signals(path, limits)
    return _video_signals(path, limits)


def _image_signals(path: Path, limits: MediaLimits) -> QuerySignals:
    from reclaim.media.image import decode_rgb
    from reclaim.signals.robust import query_views

    try:
        data = path.read_bytes()
    except OSError as error:
        raise unreadable(path, error) from None
    digests = digests_of_bytes(data)
    views = query_views(decode_rgb(data, path, limits))
    return QuerySignals(path, "image", digests.sha256, digests.md5, views=tuple(views))


def _video_signals(path: Path, limits: MediaLimits) -> QuerySignals:
    from reclaim.signals.video_views import query_frames

    try:
        with path.open("rb") as handle:
            digests = digests_of_chunks(iter(lambda: handle.read(_CHUNK), b""))
    except OSError as error:
        raise unreadable(path, error) from None
    frames = query_frames(path, limits)
    return QuerySignals(path, "video", digests.sha256, digests.md5, frames=tuple(frames))


def query_signals_of_bytes(data: bytes, name: str, limits: MediaLimits) -> QuerySignals:
    """The same as :func:`query_signals_of_file` for media held in memory only (a live download).

    ``name`` only labels errors and the result; nothing is written to disk.
    """
    from reclaim.errors import MediaLimitError

    label = Path(name)
    if len(data) > limits.max_file_bytes:
        raise MediaLimitError(
            N_("{path} is {size} bytes, more than the limit of {limit} bytes."),
            path=name,
            size=len(data),
            limit=limits.max_file_bytes,
        )
    kind = sniff_media_kind(data[:HEAD_BYTES])
    if kind is None:
        raise not_media_error(data[:HEAD_BYTES], label)
    digests = digests_of_bytes(data)
    if kind == "image":
        from reclaim.media.image import decode_rgb
        from reclaim.signals.robust import query_views

        views = query_views(decode_rgb(data, label, limits))
        return QuerySignals(label, "image", digests.sha256, digests.md5, views=tuple(views))
    from reclaim.signals.video_views import query_frames_of_bytes

    frames = query_frames_of_bytes(data, name, limits)
    return QuerySignals(label, "video", digests.sha256, digests.md5, frames=tuple(frames))
