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
        return self.match_batch(ViewBatch.of_views([views]))[0]

    def match_batch(self, batch: ViewBatch) -> list[list[Match]]:
        """``match_views`` for each query of ``batch`` at once: one index search per kind of view
        for the whole batch, so that `bulk match` pays the search's fixed costs per batch of rows."""
        results: list[list[Match]] = [[] for _ in range(batch.queries)]
        usable = np.ones(len(batch), bool) if self._allow_low_quality else batch.qualities >= MIN_GOOD_QUALITY
        if not usable.any() or self._rows.size == 0:
            return results
        kinds = {via: (threshold_for(via), only_meets(via)) for via in set(batch.vias)}
        limits = np.fromiter((kinds[via][0] for via in batch.vias), np.int32, len(batch))
        groups: dict[str | None, list[int]] = {}
        for position in np.nonzero(usable)[0].tolist():
            groups.setdefault(kinds[batch.vias[position]][1], []).append(position)
        found = [
            self._search(batch, limits, np.asarray(positions, np.int64), part)
            for only, positions in groups.items()
            if (part := self._all if only is None else self._only.get(only)) is not None
        ]
        if not found:
            return results
        views, rows, distances = (np.concatenate(column) for column in zip(*found, strict=True))
        owners, entries = batch.owners[views], self._entry_ids[rows]
        # Per query and entry the nearest pair; on a tie the earlier view, since views come
        # plainest first (the index may return pairs in any order), then the lower bank row.
        order = np.lexsort((rows, views, distances, entries, owners))
        owner_run, entry_run = owners[order], entries[order]
        first = np.ones(order.size, bool)
        first[1:] = (owner_run[1:] != owner_run[:-1]) | (entry_run[1:] != entry_run[:-1])
        for pick in order[first].tolist():
            view = int(views[pick])
            results[int(owners[pick])].append(
                Match(
                    int(entries[pick]),
                    int(distances[pick]),
                    batch.vias[view],
                    self._vias[int(rows[pick])],
                    PdqHash(batch.hashes[view].tobytes(), int(batch.qualities[view])),
                    int(rows[pick]),
                )
            )
        for matches in results:
            matches.sort(key=lambda m: (m.distance, m.entry_id))
        return results

    def _search(
        self, batch: ViewBatch, limits: npt.NDArray[np.int32], positions: npt.NDArray[np.int64], part: _Part
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """The pairs within both sides' limits of the views at ``positions`` in ``part``, as
        (view position, row of the matcher's arrays, distance). Costs nothing in proportion to
        the bank but the index."""
        query_limits = limits[positions]
        # No pair can match beyond the smaller of the two sides' widest limits.
        widest = min(int(query_limits.max()), part.widest)
        query_rows, index_rows, distances = part.index.search(batch.hashes[positions], max_distance=widest)
        within = distances <= np.minimum(query_limits[query_rows], part.limits[index_rows])
        index_rows = index_rows[within]
        positions_in_part = index_rows if part.rows is None else part.rows[index_rows]
        return (
            positions[query_rows[within]],
            self._rows[positions_in_part].astype(np.int64),
            distances[within].astype(np.int64),
        )


@dataclass(frozen=True)
class ViewBatch:
    """The views of many found files as arrays, in each file's order (plainest first).

    View i belongs to query ``owners[i]``; queries are numbered 0 to ``queries - 1``. `bulk match`
    builds one from stored rows without making a ``View`` per hash.
    """

    hashes: npt.NDArray[np.uint8]  # (n, 32)
    vias: Sequence[str]
    qualities: npt.NDArray[np.int64]
    owners: npt.NDArray[np.int64]
    queries: int

    def __len__(self) -> int:
        return len(self.vias)

    @classmethod
    def of_views(cls, per_query: Sequence[Sequence[View]]) -> ViewBatch:
        views = [view for query in per_query for view in query]
        hashes = np.frombuffer(b"".join(v.hash.bits for v in views), np.uint8).reshape(-1, 32)
        return cls(
            hashes,
            [v.via for v in views],
            np.fromiter((v.hash.quality for v in views), np.int64, len(views)),
            np.repeat(np.arange(len(per_query), dtype=np.int64), [len(query) for query in per_query]),
            len(per_query),
        )
