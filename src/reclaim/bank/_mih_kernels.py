"""Compiled loops of the Hamming index: table building, table probing, scanning.

numba compiles these to machine code on first use and caches the result next to this file (or in
numba's user-wide cache when the package directory is read-only), so only the first search on a
machine pays for compiling. Every kernel releases the GIL, so ``HammingIndex`` runs several at once
on threads. Hashes arrive as (N, 4) uint64 words; distances are popcounts of their XOR (the
bit-twiddling ``popcount`` below compiles to the POPCNT instruction).

Results are buffers that double when full; each kernel returns (query row, entry row, distance)
sorted by query row, then entry row.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

import numba
import numpy as np
import numpy.typing as npt

_Function = TypeVar("_Function", bound=Callable[..., Any])

Words = npt.NDArray[np.uint64]
Rows = npt.NDArray[np.uint32]
Found = tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int32]]


def _compiled(function: _Function) -> _Function:
    return cast(_Function, numba.njit(cache=True, nogil=True)(function))


def _inlined(function: _Function) -> _Function:
    return cast(_Function, numba.njit(cache=True, nogil=True, inline="always")(function))


@_inlined
def popcount(word: np.uint64) -> np.uint64:
    word = word - ((word >> np.uint64(1)) & np.uint64(0x5555555555555555))
    word = (word & np.uint64(0x3333333333333333)) + ((word >> np.uint64(2)) & np.uint64(0x3333333333333333))
    word = (word + (word >> np.uint64(4))) & np.uint64(0x0F0F0F0F0F0F0F0F)
    return np.uint64((word * np.uint64(0x0101010101010101)) >> np.uint64(56))


@_inlined
def distance(left: Words, right: Words) -> int:
    return int(
        popcount(left[0] ^ right[0])
        + popcount(left[1] ^ right[1])
        + popcount(left[2] ^ right[2])
        + popcount(left[3] ^ right[3])
    )


@_inlined
def substring(words: Words, start: int, bits: int) -> np.uint64:
    """Bits start .. start + bits - 1 of the hash (bit i is bit i % 64 of word i // 64)."""
    word = start >> 6
    offset = np.uint64(start & 63)
    value = words[word] >> offset
    if (start & 63) + bits > 64:
        value |= words[word + 1] << (np.uint64(64) - offset)
    return np.uint64(value & ((np.uint64(1) << np.uint64(bits)) - np.uint64(1)))


@_inlined
def grown(buffer: npt.NDArray[Any], used: int) -> npt.NDArray[Any]:
    if used < buffer.shape[0]:
        return buffer
    larger = np.empty(buffer.shape[0] * 2, buffer.dtype)
    larger[:used] = buffer[:used]
    return larger


@_compiled
def build_table(  # noqa: PLR0917 (numba compiles no keyword-only arguments)
    words: Words, row_count: int, withdrawn: npt.NDArray[np.bool_], start: int, bits: int,
    offsets: Rows, rows: Rows,
) -> None:  # fmt: skip
    """Fill one table: ``rows`` lists the live rows grouped by substring key (a counting sort),
    and the rows with key k are rows[offsets[k]:offsets[k + 1]]."""
    keys = np.empty(row_count, np.uint32)
    offsets[:] = 0
    for row in range(row_count):
        if not withdrawn[row]:
            key = np.uint32(substring(words[row], start, bits))
            keys[row] = key
            offsets[key + 1] += 1
    for bucket in range(1, offsets.shape[0]):
        offsets[bucket] += offsets[bucket - 1]
    cursor = offsets[:-1].copy()
    for row in range(row_count):
        if not withdrawn[row]:
            row_key = keys[row]
            rows[cursor[row_key]] = row
            cursor[row_key] += 1


@_inlined
def first_table_to_find(  # noqa: PLR0917
    query: Words, entry: Words, tables: int, starts: npt.NDArray[np.int64],
    lengths: npt.NDArray[np.int64], radii: npt.NDArray[np.int64],
) -> int:  # fmt: skip
    """The first table whose probes reach this entry; only that table reports the pair, so each
    pair is reported once without a set of seen rows."""
    for table in range(tables):
        if radii[table] >= 0:
            near = popcount(
                substring(query, starts[table], lengths[table])
                ^ substring(entry, starts[table], lengths[table])
            )
            if near <= radii[table]:
                return table
    return tables


# Candidates are verified in batches of this many: large enough that the loads of one batch
# overlap in the memory system, small enough to stay in L1 whatever a bucket holds.
CANDIDATE_BATCH = 1024


@_inlined
def record(
    found: tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int32]],
    used: int, query_row: int, row: int, gap: int,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int32]]:  # fmt: skip
    found_queries, found_rows, found_distances = (
        grown(found[0], used),
        grown(found[1], used),
        grown(found[2], used),
    )
    found_queries[used] = query_row
    found_rows[used] = row
    found_distances[used] = gap
    return found_queries, found_rows, found_distances


@_inlined
def verify_batch(  # noqa: PLR0917
    words: Words, withdrawn: npt.NDArray[np.bool_], query: Words, query_row: int, max_distance: int,
    candidate_rows: Rows, candidate_tables: Rows, count: int,
    starts: npt.NDArray[np.int64], lengths: npt.NDArray[np.int64], radii: npt.NDArray[np.int64],
    found: tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int32]], used: int,
) -> tuple[tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int32]], int]:  # fmt: skip
    """Keep the candidates within ``max_distance`` that are live and were found by the first
    table that reaches them."""
    tables = starts.shape[0]
    for candidate in range(count):
        row = candidate_rows[candidate]
        gap = distance(query, words[row])
        if gap > max_distance or withdrawn[row]:
            continue
        if (
            first_table_to_find(query, words[row], tables, starts, lengths, radii)
            != candidate_tables[candidate]
        ):
            continue
        found = record(found, used, query_row, row, gap)
        used += 1
    return found, used


@_compiled
def search_tables(  # noqa: PLR0917
    words: Words, row_count: int, built_rows: int, withdrawn: npt.NDArray[np.bool_],
    queries: Words, max_distance: int,
    starts: npt.NDArray[np.int64], lengths: npt.NDArray[np.int64], radii: npt.NDArray[np.int64],
    offsets: Rows, offset_bases: npt.NDArray[np.int64], rows: Rows, row_bases: npt.NDArray[np.int64],
    masks: Rows, mask_bases: npt.NDArray[np.int64], mask_counts: npt.NDArray[np.int64],
) -> Found:  # fmt: skip
    """Every (query, entry) pair within ``max_distance``: probe the tables for rows below
    ``built_rows``, scan the rows added since (the delta).

    Each query runs in three passes, each a loop of independent loads (bucket bounds, then row
    numbers, then hashes), rather than one loop that follows every probe to its hashes: that
    chain is three dependent cache misses, and in separate passes the CPU overlaps the misses.
    """
    tables = starts.shape[0]
    probe_count = int(mask_counts.sum())
    probe_first = np.empty(probe_count, np.int64)
    probe_stop = np.empty(probe_count, np.int64)
    probe_tables = np.empty(probe_count, np.uint32)
    candidate_rows = np.empty(CANDIDATE_BATCH, np.uint32)
    candidate_tables = np.empty(CANDIDATE_BATCH, np.uint32)
    found = (np.empty(1024, np.int64), np.empty(1024, np.int64), np.empty(1024, np.int32))
    used = 0
    for query_row in range(queries.shape[0]):
        query = queries[query_row]
        first = used
        probes = 0
        for table in range(tables):
            if radii[table] < 0:
                continue
            key = np.uint32(substring(query, starts[table], lengths[table]))
            offset_base = offset_bases[table]
            row_base = row_bases[table]
            for mask in masks[mask_bases[table] : mask_bases[table] + mask_counts[table]]:
                bucket = offset_base + (key ^ mask)
                probe_first[probes] = row_base + offsets[bucket]
                probe_stop[probes] = row_base + offsets[bucket + 1]
                probe_tables[probes] = table
                probes += 1
        count = 0
        for probe in range(probes):
            for slot in range(probe_first[probe], probe_stop[probe]):
                candidate_rows[count] = rows[slot]
                candidate_tables[count] = probe_tables[probe]
                count += 1
                if count == CANDIDATE_BATCH:
                    found, used = verify_batch(
                        words, withdrawn, query, query_row, max_distance, candidate_rows, candidate_tables,
                        count, starts, lengths, radii, found, used,
                    )  # fmt: skip
                    count = 0
        found, used = verify_batch(
            words, withdrawn, query, query_row, max_distance, candidate_rows, candidate_tables,
            count, starts, lengths, radii, found, used,
        )  # fmt: skip
        for row in range(built_rows, row_count):
            gap = distance(query, words[row])
            if gap <= max_distance and not withdrawn[row]:
                found = record(found, used, query_row, row, gap)
                used += 1
        if used - first > 1:
            order = np.argsort(found[1][first:used]) + first
            found[1][first:used] = found[1][order]
            found[2][first:used] = found[2][order]
    return found[0][:used].copy(), found[1][:used].copy(), found[2][:used].copy()


@_compiled
def scan(
    words: Words, row_count: int, withdrawn: npt.NDArray[np.bool_], queries: Words, max_distance: int
) -> Found:
    """Every (query, entry) pair within ``max_distance``, comparing each query with every row."""
    found = (np.empty(1024, np.int64), np.empty(1024, np.int64), np.empty(1024, np.int32))
    used = 0
    for query_row in range(queries.shape[0]):
        query = queries[query_row]
        for row in range(row_count):
            gap = distance(query, words[row])
            if gap <= max_distance and not withdrawn[row]:
                found = record(found, used, query_row, row, gap)
                used += 1
    return found[0][:used].copy(), found[1][:used].copy(), found[2][:used].copy()
