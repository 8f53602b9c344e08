"""Hash files and folders: digests, PDQ for photos, vPDQ for videos, in parallel across cores."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, TypeVar

from reclaim.config import MediaLimits
from reclaim.errors import ReclaimError
from reclaim.media.files import read_checked_head, unreadable
from reclaim.media.sniff import HEAD_BYTES, MediaKind, not_media_error, sniff_media_kind
from reclaim.signals.digests import digests_of_bytes, digests_of_chunks
from reclaim.signals.pdq import PdqHash

if TYPE_CHECKING:
    from reclaim.signals.vpdq import VpdqFrame

# Extensions that make a file in a folder worth trying even when its bytes are not
# recognised, so that a broken photo is reported instead of silently passed over.
IMAGE_EXTENSIONS: Final = frozenset(
    ".jpg .jpeg .jpe .jfif .png .gif .bmp .tif .tiff .webp .heic .heif .avif".split()
)
VIDEO_EXTENSIONS: Final = frozenset(".mp4 .m4v .mov .3gp .mkv .webm .avi .wmv .flv .mpg .mpeg .ts".split())
MEDIA_EXTENSIONS: Final = IMAGE_EXTENSIONS | VIDEO_EXTENSIONS
_CHUNK: Final = 1 << 20
T = TypeVar("T")
# At 1/8 scale a hash drifts 0-2 bits from the full-size one on ordinary photos (drift risk
# under 13), 4-8 bits on brick, gravel or grass (risk 45-80) and up to 18 on wood grain or
# fine stripes (risk over 100). Only those are decoded again, at 1/2 scale, where the drift
# falls to a few bits: a second decode costs as much as the first (benchmarks/README.md).
DRIFT_RISK_LIMIT: Final = 100.0
FINE_SCALE: Final = 2


@dataclass(frozen=True)
class HashResult:
    path: Path
    kind: MediaKind
    sha256: str
    md5: str
    pdq: PdqHash | None
    vpdq: tuple[VpdqFrame, ...] | None

    def to_json(self) -> dict[str, Any]:
        """The ``reclaim hash --json`` line (DESIGN.md)."""
        return {
            "path": str(self.path),
            "kind": self.kind,
            "sha256": self.sha256,
            "md5": self.md5,
            "pdq": {"hash": self.pdq.hex, "quality": self.pdq.quality} if self.pdq else None,
            "vpdq": [frame.to_json() for frame in self.vpdq] if self.vpdq is not None else None,
        }


@dataclass(frozen=True)
class HashFailure:
    path: Path
    error: ReclaimError


@dataclass(frozen=True)
class MediaFiles:
    """The files to hash, and how many files in the given folders were not media at all."""

    files: tuple[Path, ...]
    skipped: int


def find_media_files(paths: Sequence[Path]) -> MediaFiles:
    """Expand folders recursively (sorted); files named on the command line are always tried."""
    files: list[Path] = []
    skipped = 0
    for path in paths:
        if path.is_dir():
            # Broken links and other non-files stay in: named like media, they get reported.
            for found in sorted(p for p in path.rglob("*") if not p.is_dir() and not p.name.startswith(".")):
                if found.suffix.lower() in MEDIA_EXTENSIONS or _looks_like_media(found):
                    files.append(found)
                else:
                    skipped += 1
        else:
            files.append(path)
    return MediaFiles(tuple(files), skipped)


def hash_file(path: Path, limits: MediaLimits) -> HashResult:
    """Hash one file; raises a ReclaimError that names the file when it cannot."""
    head = read_checked_head(path, limits)
    kind = sniff_media_kind(head)
    if kind is None:
        raise not_media_error(head, path)
    if kind == "image":
        return _hash_image(path, limits)
    return _hash_video(path, limits)


def hash_files(
    paths: Iterable[Path], limits: MediaLimits, workers: int | None = None
) -> Iterator[HashResult | HashFailure]:
    """Hash files in order, using ``workers`` processes (default: every core)."""
    return map_files(hash_file, paths, limits, workers)


def map_files(
    work: Callable[[Path, MediaLimits], T],
    paths: Iterable[Path],
    limits: MediaLimits,
    workers: int | None = None,
) -> Iterator[T | HashFailure]:
    """``work(path, limits)`` for each file, in order, in ``workers`` processes (default: every core).

    ``work`` must be a module-level function (it is sent to the workers by name). A
    ReclaimError it raises becomes a HashFailure for that file; the others go on.
    """
    files = list(paths)
    count = min(workers or os.cpu_count() or 1, len(files))
    if count <= 1:
        yield from (_result_or_failure(work, p, limits) for p in files)
        return
    # Load the photo decoders once here, so forked workers start at once instead of each
    # importing Pillow's plugins and simplejpeg.
    from reclaim.media.image import load_decoders

    load_decoders()

    # Largest files first, so that no worker is left with a big video or photo at the end while
    # the others sit idle; results still come out in the order the files were given.
    with ProcessPoolExecutor(max_workers=count) as pool:
        futures = {
            index: pool.submit(_result_or_failure, work, files[index], limits)
            for index in sorted(range(len(files)), key=lambda index: -_size(files[index]))
        }
        for index in range(len(files)):
            yield futures.pop(index).result()


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0  # reported by the worker that tries to read it


def _result_or_failure(
    work: Callable[[Path, MediaLimits], T], path: Path, limits: MediaLimits
) -> T | HashFailure:
    try:
        return work(path, limits)
    except ReclaimError as error:
        return HashFailure(path, error)


def _hash_image(path: Path, limits: MediaLimits) -> HashResult:
    data = _read_all(path)
    digests = digests_of_bytes(data)
    return HashResult(
        path, "image", digests.sha256, digests.md5, pdq_of_image_bytes(data, path, limits), None
    )


def pdq_of_image_bytes(data: bytes, path: Path, limits: MediaLimits) -> PdqHash:
    """PDQ of an encoded image: fast reduced-scale decode, a finer one where the hash is fragile."""
    from reclaim.media.image import decode_luma
    from reclaim.signals.pdq import drift_risk, hash_from_grid, luma_grid

    decoded = decode_luma(data, path, limits)
    grid = luma_grid(decoded.luma, decoded.full_size, decoded.reversed_axes)
    if decoded.scale > FINE_SCALE and drift_risk(decoded.luma, grid) > DRIFT_RISK_LIMIT:
        decoded = decode_luma(data, path, limits, max_scale=FINE_SCALE)
        grid = luma_grid(decoded.luma, decoded.full_size, decoded.reversed_axes)
    return hash_from_grid(grid)


def _hash_video(path: Path, limits: MediaLimits) -> HashResult:
    # PyAV costs start-up time, so it is loaded only when a video turns up.
    from reclaim.signals.vpdq import hash_video

    digests = digests_of_chunks(_read_chunks(path))
    frames = hash_video(path, limits)
    return HashResult(path, "video", digests.sha256, digests.md5, None, tuple(frames))


def _read_all(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise unreadable(path, error) from None


def _read_chunks(path: Path) -> Iterator[bytes]:
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(_CHUNK):
                yield chunk
    except OSError as error:
        raise unreadable(path, error) from None


def _looks_like_media(path: Path) -> bool:
    if not path.is_file():
        return False  # never open a pipe or device to sniff it: it may block
    try:
        with path.open("rb") as handle:
            return sniff_media_kind(handle.read(HEAD_BYTES)) is not None
    except OSError:
        return True  # unreadable: try it, so the user hears why it failed
