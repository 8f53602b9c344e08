"""The whole bank in memory, searched by every kind of query: the one matcher services call.

Built from a ``SignalTable`` (columns of active entries, as the store reads them, or as a Spark
driver broadcasts them), it answers digests exactly, photos through their robust views
(``bank.matcher``), videos by temporal alignment of frames (``signals.video_match``), and bare
hashes. Pure: no database and no printing, so `reclaim match`, the API and Spark share it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from reclaim.bank.exact import DIGEST_TYPES, DigestLookup
from reclaim.bank.matcher import Match, Matcher, ViewBatch
from reclaim.signals.pdq import PdqHash
from reclaim.signals.robust import PLAIN_VIA, View

if TYPE_CHECKING:
    from reclaim.signals.query_signals import QuerySignals
    from reclaim.signals.video_match import TimeRange, VideoBank, VideoMatch


@dataclass
class SignalTable:
    """Every active entry, column by column, for building a matcher over millions of entries.

    Rows are in no particular order. PDQ hashes (the entries' own and their extra views) come
    as one (M, 32) uint8 matrix with the entry row and view of each hash beside it.
    """

    entry_ids: npt.NDArray[np.int64]
    bank_ids: npt.NDArray[np.int32]
    banks: dict[int, tuple[str, str | None]]  # bank id -> (name, case id)
    signal_types: list[str]
    qualities: npt.NDArray[np.int16]  # -1 where the signal has no quality
    pdq_rows: npt.NDArray[np.int64]
    pdq_hashes: npt.NDArray[np.uint8]
    pdq_vias: list[str]
    texts: dict[int, str]  # row -> value, for digests and vPDQ


def hit_rank(signal: str, distance: int, entry_id: int) -> tuple[int, int, int]:
    """How good a hit is, smaller first: an exact digest, then the nearest, then the older entry.

    A scan, a bulk job and a review import each keep a case's best hit by it, so all three
    queue the same lead for the same file."""
    return (0 if signal in DIGEST_TYPES else 1, distance, entry_id)


@dataclass(frozen=True, slots=True)
class BankHit:
    """A bank entry a query matched: which, how near, and through which view of the query.

    Video hits also say which stretch of the query shows which stretch of the protected clip.
    """

    entry_id: int
    bank: str
    case_id: str | None
    signal: str
    distance: int
    via: str
    query_range: TimeRange | None = None
    protected_range: TimeRange | None = None

    @property
    def rank(self) -> tuple[int, int, int]:
        return hit_rank(self.signal, self.distance, self.entry_id)

    def to_json(self) -> dict[str, object]:
        record: dict[str, object] = {
            "case_id": self.case_id,
            "bank": self.bank,
            "entry_id": self.entry_id,
            "signal": self.signal,
            "distance": self.distance,
            "via": self.via,
        }
        if self.query_range is not None and self.protected_range is not None:
            record["query_range"] = [round(self.query_range.start, 3), round(self.query_range.end, 3)]
            record["protected_range"] = [
                round(self.protected_range.start, 3),
                round(self.protected_range.end, 3),
            ]
        return record


class BankSnapshot:
    """Active entries ready to search; build once per command, worker or Spark executor."""

    def __init__(
        self,
        table: SignalTable,
        *,
        allow_low_quality: bool = False,
        on_hits: Callable[[Sequence[BankHit]], None] | None = None,
    ) -> None:
        """``on_hits`` hears of every query's hits (a server counts them to spot floods)."""
        self._table = table
        self._on_hits = on_hits
        self._by_id = np.argsort(table.entry_ids, kind="stable")
        self._digests = DigestLookup(
            (row, table.signal_types[row], value)
            for row, value in table.texts.items()
            if table.signal_types[row] in DIGEST_TYPES
        )
        pdq_qualities = table.qualities[table.pdq_rows] if table.pdq_rows.size else np.empty(0, np.int16)
        # A list that gives no quality vouches for its hashes; only a known low quality holds one back.
        pdq_qualities = np.where(pdq_qualities < 0, 100, pdq_qualities)
        self._photos = Matcher(
            table.entry_ids[table.pdq_rows],
            table.pdq_hashes,
            table.pdq_vias,
            pdq_qualities.astype(np.int64),
            allow_low_quality=allow_low_quality,
        )
        self._video_rows = [row for row, value in table.texts.items() if table.signal_types[row] == "vpdq"]
        self._videos: VideoBank | None = None

    def __len__(self) -> int:
        return int(self._table.entry_ids.size)

    def match(self, query: QuerySignals) -> list[BankHit]:
        """Every entry a found file matches: digests first, then its photo views or video frames."""
        hits = self._digest_hits("sha256", query.sha256) + self._digest_hits("md5", query.md5)
        if query.views:
            hits += [self._photo_hit(match) for match in self._photos.match_views(query.views)]
        if query.frames and self._video_rows:
            hits += [self._video_hit(match) for match in self._video_bank().match(query.frames)]
        return self._heard(hits)

    def match_photos(self, digests: Sequence[tuple[str, str]], views: ViewBatch) -> list[list[BankHit]]:
        """``match`` for many photos at once: photo i has the digests ``digests[i]`` (sha256,
        md5) and the views of ``views`` that it owns. One search for all, as `bulk match` needs."""
        found = self._photos.match_batch(views)
        results = []
        for (sha256, md5), matches in zip(digests, found, strict=True):
            hits = self._digest_hits("sha256", sha256) + self._digest_hits("md5", md5)
            results.append(self._heard(hits + [self._photo_hit(match) for match in matches]))
        return results

    def match_digest(self, signal_type: str, value: str) -> list[BankHit]:
        return self._heard(self._digest_hits(signal_type, value))

    def match_pdq(self, pdq: PdqHash) -> list[BankHit]:
        """A bare PDQ hash (no image to take views of): against every bank hash, within PDQ's reach."""
        return self._heard(
            [self._photo_hit(match) for match in self._photos.match_views([View(PLAIN_VIA, pdq)])]
        )

    def _heard(self, hits: list[BankHit]) -> list[BankHit]:
        if hits and self._on_hits is not None:
            self._on_hits(hits)
        return hits

    def _digest_hits(self, signal_type: str, value: str) -> list[BankHit]:
        return [self._hit(row, 0, "exact") for row in self._digests.find(signal_type, value)]

    def _video_bank(self) -> VideoBank:
        if self._videos is None:
            from reclaim.signals.video_match import VideoBank
            from reclaim.signals.vpdq import frames_from_signal_string

            clips = [frames_from_signal_string(self._table.texts[row]) for row in self._video_rows]
            self._videos = VideoBank(clips)
        return self._videos

    def _row(self, entry_id: int) -> int:
        position = int(np.searchsorted(self._table.entry_ids, entry_id, sorter=self._by_id))
        return int(self._by_id[position])

    def _hit(self, row: int, distance: int, via: str) -> BankHit:
        table = self._table
        bank, case_id = table.banks[int(table.bank_ids[row])]
        return BankHit(
            entry_id=int(table.entry_ids[row]),
            bank=bank,
            case_id=case_id,
            signal=table.signal_types[row],
            distance=distance,
            via=via,
        )

    def _photo_hit(self, match: Match) -> BankHit:
        via = match.via if match.bank_via == PLAIN_VIA else f"{match.via}~{match.bank_via}"
        # The matcher was built from the table's PDQ rows, in order: its row names the table's.
        row = int(self._table.pdq_rows[match.bank_row]) if match.bank_row >= 0 else self._row(match.entry_id)
        return self._hit(row, match.distance, via)

    def _video_hit(self, match: VideoMatch) -> BankHit:
        hit = self._hit(self._video_rows[match.clip], round(match.distance), match.via)
        return BankHit(
            entry_id=hit.entry_id,
            bank=hit.bank,
            case_id=hit.case_id,
            signal=hit.signal,
            distance=hit.distance,
            via=hit.via,
            query_range=match.query_range,
            protected_range=match.protected_range,
        )
