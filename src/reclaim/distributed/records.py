"""A found file's signals and hits as output rows, and stored hash rows back as query signals.

The conversions are exact both ways: `bulk match` on a `--hash-only` output rebuilds the very
views the scan would have searched with, so it finds what the scan finds without the media.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, Literal

import numpy as np

from reclaim.bank.matcher import ViewBatch
from reclaim.bank.snapshot import BankHit
from reclaim.signals.pdq import PdqHash
from reclaim.signals.query_signals import QuerySignals
from reclaim.signals.robust import PLAIN_VIA, View
from reclaim.signals.video_views import QueryFrame

NO_MATCH: Final[Mapping[str, None]] = {
    "match_bank": None,
    "match_entry": None,
    "match_signal": None,
    "distance": None,
    "via": None,
}
NO_HASHES: Final[Mapping[str, None]] = {
    "kind": None,
    "sha256": None,
    "md5": None,
    "pdq": None,
    "pdq_quality": None,
    "vpdq": None,
}


def hash_record(signals: QuerySignals) -> dict[str, Any]:
    """The file's own hashes (as `reclaim hash` names them) and every view it is searched by."""
    pdq = signals.pdq
    if signals.kind == "image":
        views = [_view(view.via, None, view.hash) for view in signals.views]
        vpdq = None
    else:
        views = [_view(frame.view, frame.timestamp, frame.pdq) for frame in signals.frames]
        vpdq = [
            {"timestamp": frame.timestamp, "hash": frame.pdq.hex, "quality": frame.pdq.quality}
            for frame in signals.frames
            if frame.view == PLAIN_VIA
        ]
    return {
        "kind": signals.kind,
        "sha256": signals.sha256,
        "md5": signals.md5,
        "pdq": pdq.hex if pdq is not None else None,
        "pdq_quality": pdq.quality if pdq is not None else None,
        "vpdq": vpdq,
        "views": views,
    }


def signals_of_record(record: Mapping[str, Any]) -> QuerySignals:
    """Query signals from a stored hash row; a row without views is searched by its PDQ alone."""
    kind: Literal["image", "video"] = "video" if record.get("kind") == "video" else "image"
    stored = record.get("views")
    views: list[View] = []
    frames: list[QueryFrame] = []
    if stored is not None and len(stored):
        for view in stored:
            pdq = PdqHash(_hash_bytes([view["hash"]]), int(view["quality"]))
            if kind == "video":
                frames.append(QueryFrame(float(view["timestamp"]), view["via"], pdq))
            else:
                views.append(View(view["via"], pdq))
    elif (own := _own_pdq(record)) is not None:
        views.append(View(PLAIN_VIA, own))
    return QuerySignals(
        Path(str(record.get("id", ""))),
        kind,
        _text(record.get("sha256")),
        _text(record.get("md5")),
        views=tuple(views),
        frames=tuple(frames),
    )


@dataclass
class StoredPhotos:
    """Stored photo rows gathered for one search (``Matcher.match_batch``) instead of one each.

    Parsing goes straight from the rows' stored hashes to arrays: a photo has about a thousand
    views, and a ``View`` object per view cost more than the search.
    """

    digests: list[tuple[str, str]] = field(default_factory=list)
    _bits: list[bytes] = field(default_factory=list)
    _vias: list[str] = field(default_factory=list)
    _qualities: list[int] = field(default_factory=list)
    _counts: list[int] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.digests)

    def add(self, record: Mapping[str, Any]) -> None:
        """Add one `--hash-only` photo row (query ``len(self)``); raises ValueError, KeyError or
        TypeError, adding nothing, when the row is malformed."""
        bits, vias, qualities = _stored_views(record)
        self.digests.append((_text(record.get("sha256")), _text(record.get("md5"))))
        self._bits.append(bits)
        self._vias += vias
        self._qualities += qualities
        self._counts.append(len(vias))

    def view_batch(self) -> ViewBatch:
        return ViewBatch(
            np.frombuffer(b"".join(self._bits), np.uint8).reshape(-1, 32),
            self._vias,
            np.asarray(self._qualities, np.int64),
            np.repeat(np.arange(len(self._counts), dtype=np.int64), self._counts),
            len(self._counts),
        )


def _stored_views(record: Mapping[str, Any]) -> tuple[bytes, list[str], list[int]]:
    """A photo row's views as raw hash bytes, names and qualities; without views, its PDQ alone."""
    stored = record.get("views")
    if stored is not None and len(stored):
        hashes, vias, qualities = [], [], []
        for view in stored:
            hashes.append(view["hash"])
            vias.append(str(view["via"]))
            qualities.append(int(view["quality"]))
        return _hash_bytes(hashes), vias, qualities
    own = _own_pdq(record)
    return (own.bits, [PLAIN_VIA], [own.quality]) if own is not None else (b"", [], [])


def _own_pdq(record: Mapping[str, Any]) -> PdqHash | None:
    """A row's whole-photo PDQ (what a row without views is searched by); a list that gives no
    quality vouches for its hash."""
    if not _present(record.get("pdq")):
        return None
    quality = record.get("pdq_quality")
    return PdqHash.from_hex(record["pdq"], int(quality) if quality is not None and _present(quality) else 100)


def _hash_bytes(hashes: list[Any]) -> bytes:
    """Stored view hashes as one run of 32-byte hashes; a hash may also be 64 hex digits (what
    `--hash-only` wrote before it wrote raw bytes)."""
    raw = [bytes.fromhex(value) if isinstance(value, str) else bytes(value) for value in hashes]
    if set(map(len, raw)) != {32}:
        raise ValueError("a view's hash is not 32 bytes")
    return b"".join(raw)


def match_records(hits: Iterable[BankHit]) -> list[dict[str, Any]]:
    """One row per matched entry, by its best hit: an exact digest first, then the nearest view.

    The order of preference is the scan's (services/scan.py), so choosing per case among these
    rows gives the lead `reclaim scan` would queue.
    """
    best: dict[int, BankHit] = {}
    for hit in hits:
        current = best.get(hit.entry_id)
        if current is None or hit.rank < current.rank:
            best[hit.entry_id] = hit
    return [
        {
            "match_bank": hit.bank,
            "match_entry": hit.entry_id,
            "match_signal": hit.signal,
            "distance": hit.distance,
            "via": hit.via,
        }
        for _, hit in sorted(best.items())
    ]


def _view(via: str, timestamp: float | None, pdq: PdqHash) -> dict[str, Any]:
    return {"via": via, "timestamp": timestamp, "hash": pdq.bits, "quality": pdq.quality}


def _present(value: object) -> bool:
    # pandas gives NaN or None for a missing value, depending on the column's type.
    return value is not None and value == value  # noqa: PLR0124 - NaN is the one value unequal to itself


def _text(value: object) -> str:
    return str(value) if _present(value) else ""
