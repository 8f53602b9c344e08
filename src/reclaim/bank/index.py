"""Exact Hamming search over PDQ hashes: every (query, entry) pair within a distance.

The contract (DESIGN.md, "Library contracts") is what benchmarks, the matcher and the Spark job use:

    index = HammingIndex(hashes)                        # numpy uint8 (N, 32): PDQ hashes as bytes
    qi, ei, d = index.search(queries, max_distance=31)  # all pairs within distance, exactly
    rows = index.add(more_hashes)                       # rows of the new entries
    index.remove(rows)                                  # withdrawn: never returned again

Results are sorted by query row, then entry row. The index is multi-index hashing (Norouzi,
Punjani and Fleet, CVPR 2012; ``_mih_plan`` explains it) over compiled kernels (``_mih_kernels``,
imported on first use so that code which only hashes never loads numba). ``brute_force_search`` is
the plain reference the index is tested against.
"""

from __future__ import annotations

import itertools
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from typing import Final, Literal

import numpy as np
import numpy.typing as npt

from reclaim.bank import _mih_plan

HASH_BYTES: Final = 32
HASH_BITS: Final = HASH_BYTES * 8

# Row numbers are stored as uint32 in the tables.
MAX_ROWS: Final = 2**32 - 1

# Entries added since the tables were built are scanned on every search; past this share of the
# bank (or this many, for small banks) they are merged into fresh tables. At 10 million entries a
# scan of 1/256 of the bank costs each query about a quarter of its table probes.
DELTA_SHARE: Final = 1 / 256
DELTA_MIN_ROWS: Final = 4096
# Withdrawn rows stay in the tables, skipped when found, until this share of them is withdrawn.
WITHDRAWN_SHARE: Final = 1 / 4

OFFSETS_PER_LINE: Final = 16  # uint32 bucket offsets in a 64-byte cache line

# Below this many queries per thread, starting threads costs more than it saves.
QUERIES_PER_THREAD: Final = 16
# Up to this many rows, and this many (query, row) pairs in one search, "auto" compares every
# entry with numpy instead of the compiled kernels: a victim's or a helpline's bank answers a
# photo's views in a few tens of milliseconds, and the command never waits for numba to load
# (~0.3 s). numpy takes ~10 ns a pair against ~1 for the kernels, so a batch of many queries
# (`bulk match`: a thousand views per stored row) goes to the kernels however small the bank.
NUMPY_SCAN_ROWS: Final = 50_000
NUMPY_SCAN_PAIRS: Final = 20_000_000

SearchResult = tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int32]]
Strategy = Literal["auto", "tables", "scan"]


def as_hash_matrix(hashes: npt.ArrayLike) -> npt.NDArray[np.uint8]:
    """Validate and return hashes as a C-contiguous uint8 (N, 32) array."""
    if not isinstance(hashes, np.ndarray):
        raise ValueError(f"hashes must be a numpy uint8 array of shape (N, {HASH_BYTES}), not {type(hashes)}")
    if hashes.dtype != np.uint8:
        raise ValueError(f"hashes must be uint8 bytes (PDQ in hex order), not {hashes.dtype}")
    matrix = np.ascontiguousarray(hashes)
    if matrix.ndim == 1 and matrix.size == 0:
        matrix = matrix.reshape(0, HASH_BYTES)
    if matrix.ndim != 2 or matrix.shape[1] != HASH_BYTES:
        raise ValueError(f"hashes must have shape (N, {HASH_BYTES}), not {matrix.shape}")
    return matrix


def check_max_distance(max_distance: int) -> int:
    """Return ``max_distance`` as an int, or raise ValueError when it is not one in 0..256."""
    if isinstance(max_distance, bool) or not isinstance(max_distance, int | np.integer):
        raise ValueError(f"max_distance must be an integer within 0..{HASH_BITS}, not {max_distance!r}")
    if not 0 <= max_distance <= HASH_BITS:
        raise ValueError(f"max_distance must be within 0..{HASH_BITS}, not {max_distance}")
    return int(max_distance)


def brute_force_search(
    entries: npt.NDArray[np.uint8], queries: npt.NDArray[np.uint8], max_distance: int
) -> SearchResult:
    """All pairs within ``max_distance``, by comparing every query with every entry."""
    entry_words = entries.view(np.uint64)
    query_rows: list[npt.NDArray[np.int64]] = []
    entry_rows: list[npt.NDArray[np.int64]] = []
    distances: list[npt.NDArray[np.int32]] = []
    for row, query in enumerate(queries.view(np.uint64)):
        distance = np.bitwise_count(entry_words ^ query).sum(axis=1, dtype=np.int32)
        (hits,) = np.nonzero(distance <= max_distance)
        query_rows.append(np.full(hits.size, row, dtype=np.int64))
        entry_rows.append(hits.astype(np.int64))
        distances.append(distance[hits])
    if not query_rows:
        return np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0, np.int32)
    return np.concatenate(query_rows), np.concatenate(entry_rows), np.concatenate(distances)


def usable_cpus() -> int:
    """The CPUs this process may run on (its affinity mask where the OS has one)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


@lru_cache(maxsize=64)
def _probe_masks(
    lengths: tuple[int, ...], radii: tuple[int, ...]
) -> tuple[npt.NDArray[np.uint32], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """The flip masks of every table, concatenated: (masks, first of each table, count of each)."""
    per_table = [_mih_plan.flip_masks(bits, radius) for bits, radius in zip(lengths, radii, strict=True)]
    counts = np.array([masks.size for masks in per_table], dtype=np.int64)
    bases = np.concatenate(([0], np.cumsum(counts)[:-1])).astype(np.int64)
    return np.concatenate([*per_table, np.empty(0, np.uint32)]), bases, counts


class _Tables:
    """The substring tables over rows 0 .. built_rows - 1 (withdrawn ones left out)."""

    def __init__(
        self,
        words: npt.NDArray[np.uint64],
        built_rows: int,
        withdrawn: npt.NDArray[np.bool_],
        lengths: tuple[int, ...],
        threads: int,
    ) -> None:
        self.lengths = lengths
        self.built_rows = built_rows
        self.starts = _mih_plan.substring_starts(lengths)
        self.length_array = np.asarray(lengths, dtype=np.int64)
        live = built_rows - int(np.count_nonzero(withdrawn[:built_rows]))
        sizes = np.array([2**bits + 1 for bits in lengths], dtype=np.int64)
        # Each table starts on a 64-byte line, so that probes differing only in a key's low 4
        # bits read the same line: a radius-2 probe set touches ~30% fewer lines.
        padded = -(-sizes // OFFSETS_PER_LINE) * OFFSETS_PER_LINE
        self.offset_bases = np.concatenate(([0], np.cumsum(padded)[:-1])).astype(np.int64)
        self.row_bases = np.arange(len(lengths), dtype=np.int64) * live
        self.offsets = np.empty(int(padded.sum()), dtype=np.uint32)
        self.rows = np.empty(live * len(lengths), dtype=np.uint32)
        # Imported here, not at the top: numba loads only when an index is built.
        from reclaim.bank._mih_kernels import build_table

        def build(table: int) -> None:
            first = int(self.offset_bases[table])
            build_table(
                words,
                built_rows,
                withdrawn,
                int(self.starts[table]),
                lengths[table],
                self.offsets[first : first + int(sizes[table])],
                self.rows[table * live : (table + 1) * live],
            )

        with ThreadPoolExecutor(max_workers=max(1, threads)) as pool:
            list(pool.map(build, range(len(lengths))))

    def nbytes(self) -> int:
        return int(self.offsets.nbytes + self.rows.nbytes)


class HammingIndex:
    """Exact Hamming search over 256-bit hashes, with entries added and withdrawn in place.

    Rows are numbered in the order entries were given (the constructor's first, then each
    ``add``'s) and never change; a withdrawn row is never returned again. ``len(index)`` counts the
    entries that can still match. ``threads`` (default: every usable CPU) splits a search's
    queries and a build's tables. ``substring_bits`` fixes the multi-index plan, for tuning and
    tests; by default it is chosen for the bank's size at each (re)build.
    """

    def __init__(
        self,
        hashes: npt.ArrayLike,
        *,
        threads: int | None = None,
        substring_bits: tuple[int, ...] | None = None,
    ) -> None:
        matrix = as_hash_matrix(hashes)
        if substring_bits is not None and (
            sum(substring_bits) != HASH_BITS
            or not all(
                _mih_plan.MIN_SUBSTRING_BITS <= bits <= _mih_plan.MAX_SUBSTRING_BITS
                for bits in substring_bits
            )
        ):
            raise ValueError(
                f"substring_bits must sum to {HASH_BITS}, each within"
                f" {_mih_plan.MIN_SUBSTRING_BITS}..{_mih_plan.MAX_SUBSTRING_BITS}, not {substring_bits}"
            )
        if threads is not None and threads < 1:
            raise ValueError(f"threads must be at least 1, not {threads}")
        self._threads = threads or usable_cpus()
        self._fixed_lengths = substring_bits
        self._row_count = 0
        self._words = np.empty((max(matrix.shape[0], 1024), 4), dtype=np.uint64)
        self._withdrawn = np.zeros(self._words.shape[0], dtype=np.bool_)
        self._withdrawn_count = 0
        self._append(matrix)
        self._built: _Tables | None = None  # built on the first search that needs them
        # A server's threads search at once: without it, each search that arrives before the
        # tables exist builds its own copy (gigabytes each at ten million rows).
        self._building = threading.Lock()

    @property
    def _tables(self) -> _Tables:
        if self._built is None:
            with self._building:
                if self._built is None:
                    self._built = self._build_tables()
        return self._built

    def __len__(self) -> int:
        return self._row_count - self._withdrawn_count

    @property
    def threads(self) -> int:
        """How many threads a search or build may use."""
        return self._threads

    @threads.setter
    def threads(self, threads: int) -> None:
        if threads < 1:
            raise ValueError(f"threads must be at least 1, not {threads}")
        self._threads = threads

    @property
    def row_count(self) -> int:
        """Rows ever added, withdrawn ones included: the next ``add`` starts at this row."""
        return self._row_count

    @property
    def substring_bits(self) -> tuple[int, ...]:
        """The lengths of the substrings the tables are keyed on."""
        return self._tables.lengths

    def nbytes(self) -> int:
        """Memory held by the hashes, the withdrawn flags and the tables."""
        tables = self._built.nbytes() if self._built is not None else 0
        return int(self._words.nbytes + self._withdrawn.nbytes + tables)

    def add(self, hashes: npt.ArrayLike) -> npt.NDArray[np.int64]:
        """Add entries and return their rows. They are searched at once; tables are rebuilt only
        when the entries added since the last build pass a share of the bank."""
        matrix = as_hash_matrix(hashes)
        first = self._row_count
        self._append(matrix)
        self._rebuild_if_due()
        return np.arange(first, self._row_count, dtype=np.int64)

    def remove(self, rows: npt.ArrayLike) -> None:
        """Withdraw entries: their rows are never returned again. Withdrawing twice is harmless."""
        row_array = np.asarray(rows)
        if row_array.size and not np.issubdtype(row_array.dtype, np.integer):
            raise ValueError(f"rows must be integers, not {row_array.dtype}")
        row_array = row_array.astype(np.int64).ravel()
        outside = row_array[(row_array < 0) | (row_array >= self._row_count)]
        if outside.size:
            raise ValueError(f"rows must be within 0..{self._row_count - 1}; {outside[0]} is not")
        self._withdrawn[row_array] = True
        self._withdrawn_count = int(np.count_nonzero(self._withdrawn[: self._row_count]))
        self._rebuild_if_due()

    def search(
        self, queries: npt.ArrayLike, max_distance: int = 31, *, strategy: Strategy = "auto"
    ) -> SearchResult:
        """Return (query row, entry row, distance) for every pair within ``max_distance``.

        Sorted by query row, then entry row. ``strategy`` "auto" probes the tables unless scanning
        every entry is expected to be cheaper (large distances, small banks); "tables" and "scan"
        force one, with the same result.
        """
        query_words = as_hash_matrix(queries).view(np.uint64)
        distance = check_max_distance(max_distance)
        if strategy not in ("auto", "tables", "scan"):
            raise ValueError(f'strategy must be "auto", "tables" or "scan", not {strategy!r}')
        if query_words.shape[0] == 0:
            return np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0, np.int32)
        pairs = self._row_count * query_words.shape[0]
        if strategy == "auto" and self._row_count <= NUMPY_SCAN_ROWS and pairs <= NUMPY_SCAN_PAIRS:
            return self._numpy_scan(query_words, distance)
        if strategy == "auto":
            use_tables = _mih_plan.tables_beat_scan(self._tables.lengths, distance, len(self))
            strategy = "tables" if use_tables else "scan"
        from reclaim.bank._mih_kernels import scan, search_tables

        chunks = self._query_chunks(query_words.shape[0])
        if strategy == "scan":

            def search_chunk(first: int, stop: int) -> SearchResult:
                return scan(self._words, self._row_count, self._withdrawn, query_words[first:stop], distance)

        else:
            tables = self._tables
            radii = _mih_plan.table_radii(tables.lengths, distance)
            masks, mask_bases, mask_counts = _probe_masks(tables.lengths, radii)
            radius_array = np.asarray(radii, dtype=np.int64)

            def search_chunk(first: int, stop: int) -> SearchResult:
                return search_tables(
                    self._words, self._row_count, tables.built_rows, self._withdrawn,
                    query_words[first:stop], distance,
                    tables.starts, tables.length_array, radius_array,
                    tables.offsets, tables.offset_bases, tables.rows, tables.row_bases,
                    masks, mask_bases, mask_counts,
                )  # fmt: skip

        if len(chunks) == 1:
            return search_chunk(*chunks[0])
        with ThreadPoolExecutor(max_workers=self._threads) as pool:
            parts = list(pool.map(lambda chunk: search_chunk(*chunk), chunks))
        return (
            np.concatenate([found[0] + first for found, (first, _) in zip(parts, chunks, strict=True)]),
            np.concatenate([found[1] for found in parts]),
            np.concatenate([found[2] for found in parts]),
        )

    def _numpy_scan(self, query_words: npt.NDArray[np.uint64], distance: int) -> SearchResult:
        entries = self._words[: self._row_count].view(np.uint8).reshape(-1, HASH_BYTES)
        query_rows, entry_rows, distances = brute_force_search(
            entries, query_words.view(np.uint8).reshape(-1, HASH_BYTES), distance
        )
        live = ~self._withdrawn[entry_rows]
        return query_rows[live], entry_rows[live], distances[live]

    def _query_chunks(self, query_count: int) -> list[tuple[int, int]]:
        """Query ranges for the threads: a few per thread, so one slow range does not hold all."""
        threads = min(self._threads, max(1, query_count // QUERIES_PER_THREAD))
        if threads == 1:
            return [(0, query_count)]
        bounds = np.linspace(0, query_count, threads * 4 + 1).astype(np.int64)
        return [(int(first), int(stop)) for first, stop in itertools.pairwise(bounds) if stop > first]

    def _append(self, matrix: npt.NDArray[np.uint8]) -> None:
        needed = self._row_count + matrix.shape[0]
        if needed > MAX_ROWS:
            raise ValueError(f"an index holds at most {MAX_ROWS} rows, not {needed}")
        if needed > self._words.shape[0]:
            # Double, so that adding one hash at a time copies each hash O(1) times.
            capacity = max(needed, 2 * self._words.shape[0])
            words = np.empty((capacity, 4), dtype=np.uint64)
            words[: self._row_count] = self._words[: self._row_count]
            withdrawn = np.zeros(capacity, dtype=np.bool_)
            withdrawn[: self._row_count] = self._withdrawn[: self._row_count]
            self._words, self._withdrawn = words, withdrawn
        self._words[self._row_count : needed] = matrix.view(np.uint64)
        self._row_count = needed

    def _build_tables(self) -> _Tables:
        lengths = self._fixed_lengths or _mih_plan.plan_substring_lengths(len(self))
        return _Tables(self._words, self._row_count, self._withdrawn, lengths, self._threads)

    def _rebuild_if_due(self) -> None:
        if self._built is None:
            return  # nothing built yet: the first search that needs tables builds them fresh
        tables = self._built
        delta = self._row_count - tables.built_rows
        withdrawn_in_tables = int(np.count_nonzero(self._withdrawn[: tables.built_rows]))
        built_live = tables.rows.size // max(1, len(tables.lengths))
        stale = withdrawn_in_tables - (tables.built_rows - built_live)
        if delta > max(DELTA_MIN_ROWS, DELTA_SHARE * tables.built_rows) or stale > WITHDRAWN_SHARE * max(
            built_live, DELTA_MIN_ROWS
        ):
            self._built = self._build_tables()
