"""The one matcher: a found image's views searched in the bank's PDQ hashes, giving ``Match`` values.

Built from plain arrays (entry ids, hashes, the view each hash was taken from), so a service
builds it from database rows and a Spark executor from a broadcast, and neither needs the
other's storage. Pure: no database, no printing.

A bank holds each protected photo's own PDQ hash (via "whole") and optionally the extra views
``signals.robust.bank_views`` makes (via "crop+centre88", ...). A query view and a bank hash
match when their distance is within the stricter of the two views' thresholds; low-quality
hashes on either side match only when the caller asks for them (DESIGN.md: quality < 50 is
not used without a warning).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from reclaim.bank.index import HammingIndex, as_hash_matrix
from reclaim.signals.pdq import MIN_GOOD_QUALITY, PdqHash
from reclaim.signals.robust import (
    ANCHORED_BANK_VIAS,
    PLAIN_VIA,
    View,
    only_meets,
    query_views,
    threshold_for,
)


@dataclass(frozen=True, slots=True)
class Match:
    """A bank entry that a view of the query matched, and how."""

    entry_id: int
    distance: int
    via: str  # the query's view, e.g. "region" or "whole+mirror"
    bank_via: str  # the bank hash's view: "whole" for the photo's own hash, else e.g. "crop+centre88"
    query_hash: PdqHash
    bank_row: int = -1  # the matched hash's row in the arrays the matcher was built from


@dataclass(frozen=True, slots=True)
class _Part:
    """A searchable part of the bank, with what a search needs of it made once, not per query."""

    rows: npt.NDArray[np.int64] | None  # positions in Matcher._rows; None: all of them, in order
    index: HammingIndex
    limits: npt.NDArray[np.int32]  # each row's own threshold
    widest: int  # no pair matches beyond this, whatever the query


def _part(rows: npt.NDArray[np.int64] | None, index: HammingIndex, limits: npt.NDArray[np.int32]) -> _Part:
    return _Part(rows, index, limits, int(limits.max()) if limits.size else 0)


class Matcher:
    """Search query views against a bank's hashes; reuse one matcher for many queries (or frames)."""

    def __init__(
        self,
        entry_ids: Sequence[int] | npt.NDArray[np.int64],
        hashes: npt.ArrayLike,
        vias: Sequence[str] | None = None,
        qualities: Sequence[int] | npt.NDArray[np.int64] | None = None,
        *,
        allow_low_quality: bool = False,
    ) -> None:
        """``hashes`` is (N, 32) uint8; row i belongs to ``entry_ids[i]``, taken via ``vias[i]``
        (default "whole") and of quality ``qualities[i]`` (default 100)."""
        matrix = as_hash_matrix(hashes)
        count = matrix.shape[0]
        self._entry_ids = np.asarray(entry_ids, dtype=np.int64).reshape(-1)
        self._vias = list(vias) if vias is not None else [PLAIN_VIA] * count
        quality = np.full(count, 100, np.int64) if qualities is None else np.asarray(qualities, np.int64)
        if not (self._entry_ids.size == len(self._vias) == quality.size == count):
            raise ValueError("entry_ids, hashes, vias and qualities must have one row per hash")
        self._allow_low_quality = allow_low_quality
        usable = np.ones(count, bool) if allow_low_quality else quality >= MIN_GOOD_QUALITY
        self._rows = np.nonzero(usable)[0]
        limit_of = {via: threshold_for(via) for via in set(self._vias)}
        bank_limits = np.fromiter(
            (limit_of[self._vias[row]] for row in self._rows), np.int32, self._rows.size
        )
        self._all = _part(None, HammingIndex(matrix[self._rows]), bank_limits)
        # Views that meet only one kind of bank view (``only_meets``) search only its rows.
        by_via: dict[str, list[int]] = {}
        for position, row in enumerate(self._rows):
            by_via.setdefault(self._vias[row], []).append(position)
        self._only: dict[str, _Part] = {}
        for via, positions in by_via.items():
            if via.startswith(ANCHORED_BANK_VIAS):
                chosen = np.asarray(positions, dtype=np.int64)
                self._only[via] = _part(chosen, HammingIndex(matrix[self._rows[chosen]]), bank_limits[chosen])

    def __len__(self) -> int:
        return int(self._entry_ids.size)

    def match_image(self, pixels: npt.NDArray[np.generic]) -> list[Match]:
        """Matches for a decoded image, luma (H, W) or RGB (H, W, 3) with values 0-255, through all
        its query views; RGB (``media.image.decode_rgb``) finds photos in screenshots more often."""
        return self.match_views(query_views(pixels))

    def match_views(self, views: Sequence[View]) -> list[Match]:
        """The best match per entry (smallest distance, then the plainest view), nearest first."""
        usable = [v for v in views if self._allow_low_quality or not v.is_low_quality]
        if not usable or self._rows.size == 0:
            return []
        best: dict[int, tuple[int, int, int]] = {}
        groups: dict[str | None, list[int]] = {}
        for position, view in enumerate(usable):
            groups.setdefault(only_meets(view.via), []).append(position)
        for only, positions in groups.items():
            if only is None:
                self._search(usable, positions, self._all, best)
            elif only in self._only:
                self._search(usable, positions, self._only[only], best)
        matches = [
            Match(entry, d, usable[q].via, self._vias[row], usable[q].hash, row)
            for entry, (d, q, row) in best.items()
        ]
        return sorted(matches, key=lambda m: (m.distance, m.entry_id))

    def _search(
        self,
        usable: Sequence[View],
        positions: list[int],
        part: _Part,
        best: dict[int, tuple[int, int, int]],
    ) -> None:
        """Search the views at ``positions`` in ``part`` (whose index row i is
        ``self._rows[part.rows[i]]``), keeping per entry the nearest pair in ``best`` as
        (distance, view position, bank row). Costs nothing in proportion to the bank but the index."""
        views = [usable[p] for p in positions]
        queries = np.frombuffer(b"".join(v.hash.bits for v in views), np.uint8).reshape(-1, 32)
        # No pair can match beyond the smaller of the two sides' widest limits.
        widest = min(max(v.threshold for v in views), part.widest)
        query_rows, index_rows, distances = part.index.search(queries, max_distance=widest)
        query_limits = np.array([v.threshold for v in views], dtype=np.int32)
        within = distances <= np.minimum(query_limits[query_rows], part.limits[index_rows])
        # Per entry the nearest pair; on a tie the earlier view, since views come plainest first
        # (the index may return pairs in any order).
        for q_row, i, d in zip(query_rows[within], index_rows[within], distances[within], strict=True):
            q = positions[int(q_row)]
            row = int(self._rows[int(i) if part.rows is None else part.rows[int(i)]])
            entry = int(self._entry_ids[row])
            candidate = (int(d), int(q), row)
            if entry not in best or candidate < best[entry]:
                best[entry] = candidate
