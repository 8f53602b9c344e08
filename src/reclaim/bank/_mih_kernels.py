"""Compiled loops of the Hamming index: table building, table probing, scanning.

numba compiles these to machine code on first use and caches the result next to this file (or in
numba's user-wide cache when the package directory is read-only), so only the first search on a
machine pays for compiling. Every kernel releases the GIL, so ``HammingIndex`` runs several at once
on threads. Hashes arrive as (N, 4) uint64 words; distances are popcounts of their XOR (the
bit-twiddling ``popcount`` below compiles to the POPCNT instruction).

Hot loops prefetch (``prefetch``: LLVM's prefetch intrinsic, a hint that cannot fault). They
index the 2-D arrays by (row, word), never take a row as a view and never replace a buffer:
either makes numba count references with locked instructions, which act as memory fences and
stop the CPU from overlapping cache misses (they cost a quarter of the search time).

Each kernel returns (query row, entry row, distance) sorted by query row, then entry row.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

import numba
import numpy as np
import numpy.typing as npt
from llvmlite import ir
from numba.core import cgutils, types
from numba.extending import intrinsic

_Function = TypeVar("_Function", bound=Callable[..., Any])

Words = npt.NDArray[np.uint64]
Rows = npt.NDArray[np.uint32]
Indices = npt.NDArray[np.int64]
Found = tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int32]]

# The scan appends hits after each block of this many rows, so its buffers grow outside the loop.
SCAN_BLOCK = 4096


# Each pass asks for the line it will need this many iterations later. Out-of-order execution
# alone keeps too few misses in flight (the reorder buffer fills behind the oldest one); with the
# prefetches a 10-million-hash search took 145 instead of 230 us of CPU per query (16 and 32
# ahead measured alike).
PREFETCH_AHEAD = 16
_cgutils: Any = cgutils  # numba's code-generation helpers carry no type hints


def _prefetch_intrinsic(typing_context: Any, array: Any, index: Any) -> Any:
    """Ask the CPU to start loading the line of array[index] (array[index, 0] for a matrix)."""
    signature = types.void(array, index)

    def codegen(context: Any, builder: Any, signature: Any, arguments: Any) -> Any:
        array_type = signature.args[0]
        array_value = context.make_array(array_type)(context, builder, arguments[0])
        index_value = context.cast(builder, arguments[1], signature.args[1], types.intp)
        indices = [index_value] + [context.get_constant(types.intp, 0)] * (array_type.ndim - 1)
        pointer = _cgutils.get_item_pointer(
            context, builder, array_type, array_value, indices, wraparound=False
        )
        byte_pointer = ir.IntType(8).as_pointer()
        int32 = ir.IntType(32)
        function_type = ir.FunctionType(ir.VoidType(), [byte_pointer, int32, int32, int32])
        prefetch = _cgutils.get_or_insert_function(builder.module, function_type, "llvm.prefetch.p0")
        # read, keep in all cache levels, data cache
        arguments = [builder.bitcast(pointer, byte_pointer), int32(0), int32(3), int32(1)]
        builder.call(prefetch, arguments)
        return context.get_dummy_value()

    return signature, codegen


prefetch = cast(Callable[[Any, Any], None], intrinsic(_prefetch_intrinsic))


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
def distance_to(
    words: Words, row: int, word0: np.uint64, word1: np.uint64, word2: np.uint64, word3: np.uint64
) -> int:
    """Hamming distance from row ``row`` to the query whose words are given (held in registers:
    re-reading them from the query array adds loads to the hottest loop)."""
    return int(
        popcount(words[row, 0] ^ word0)
        + popcount(words[row, 1] ^ word1)
        + popcount(words[row, 2] ^ word2)
        + popcount(words[row, 3] ^ word3)
    )


@_inlined
def substring(words: Words, row: int, start: int, bits: int) -> np.uint64:
    """Bits start .. start + bits - 1 of a hash (bit i is bit i % 64 of word i // 64)."""
    word = start >> 6
    offset = np.uint64(start & 63)
    value = words[row, word] >> offset
    if (start & 63) + bits > 64:
        value |= words[row, word + 1] << (np.uint64(64) - offset)
    return np.uint64(value & ((np.uint64(1) << np.uint64(bits)) - np.uint64(1)))


def _with_room(buffer: npt.NDArray[Any], needed: int) -> npt.NDArray[Any]:
    if needed <= buffer.shape[0]:
        return buffer
    larger = np.empty(max(needed, 2 * buffer.shape[0]), buffer.dtype)
    larger[: buffer.shape[0]] = buffer
    return larger


with_room = _compiled(_with_room)


@_compiled
def build_table(
    words: Words, row_count: int, withdrawn: npt.NDArray[np.bool_], start: int, bits: int,
    offsets: Rows, rows: Rows,
) -> None:  # fmt: skip
    """Fill one table: ``rows`` lists the live rows grouped by substring key (a counting sort),
    and the rows with key k are rows[offsets[k]:offsets[k + 1]]."""
    keys = np.empty(row_count, np.uint32)
    offsets[:] = 0
    for row in range(row_count):
        if not withdrawn[row]:
            key = np.uint32(substring(words, row, start, bits))
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
def first_table_to_find(
    words: Words, row: int, queries: Words, query_row: int,
    starts: Indices, lengths: Indices, radii: Indices,
) -> int:  # fmt: skip
    """The first table whose probes reach this entry; only that table reports the pair, so each
    pair is reported once without a set of seen rows."""
    for table in range(starts.shape[0]):
        if radii[table] >= 0:
            near = popcount(
                substring(queries, query_row, starts[table], lengths[table])
                ^ substring(words, row, starts[table], lengths[table])
            )
            if near <= radii[table]:
                return table
    return int(starts.shape[0])


@_inlined
def probe_buckets(
    queries: Words, query_row: int, starts: Indices, lengths: Indices, radii: Indices,
    offsets: Rows, offset_bases: Indices, row_bases: Indices,
    masks: Rows, mask_bases: Indices, mask_counts: Indices,
    probe_first: Indices, probe_stop: Indices, table_probes: Indices,
) -> int:  # fmt: skip
    """Pass 1: the slot range of every bucket within each table's radius. Table t's probes are
    table_probes[t] .. table_probes[t + 1] - 1; returns how many slots they hold in all."""
    probes = 0
    for table in range(starts.shape[0]):
        table_probes[table] = probes
        if radii[table] < 0:
            continue
        key = np.uint32(substring(queries, query_row, starts[table], lengths[table]))
        offset_base = offset_bases[table]
        row_base = row_bases[table]
        table_end = mask_bases[table] + mask_counts[table]
        for probe in range(mask_bases[table], table_end):
            if probe + PREFETCH_AHEAD < table_end:
                prefetch(offsets, offset_base + (key ^ masks[probe + PREFETCH_AHEAD]))
            bucket = offset_base + (key ^ masks[probe])
            probe_first[probes] = row_base + offsets[bucket]
            probe_stop[probes] = row_base + offsets[bucket + 1]
            probes += 1
    table_probes[starts.shape[0]] = probes
    # Summed in a loop of its own, so that no instruction in the loop above waits on its loads.
    return int((probe_stop[:probes] - probe_first[:probes]).sum())


@_inlined
def gather_rows(
    rows: Rows, table_probes: Indices, probe_first: Indices, probe_stop: Indices,
    candidate_rows: Rows, candidate_tables: Rows,
) -> None:  # fmt: skip
    """Pass 2: the rows in those buckets, and the table each was found in."""
    filled = 0
    probes = table_probes[table_probes.shape[0] - 1]
    for table in range(table_probes.shape[0] - 1):
        for probe in range(table_probes[table], table_probes[table + 1]):
            if probe + PREFETCH_AHEAD < probes:
                prefetch(rows, probe_first[probe + PREFETCH_AHEAD])
            for slot in range(probe_first[probe], probe_stop[probe]):
                candidate_rows[filled] = rows[slot]
                candidate_tables[filled] = table
                filled += 1


@_inlined
def keep_within(
    words: Words, queries: Words, query_row: int, max_distance: int, candidates: int,
    candidate_rows: Rows, candidate_tables: Rows, candidate_distances: npt.NDArray[np.int32],
) -> int:  # fmt: skip
    """Pass 3: read the candidates' hashes; move those within distance to the front."""
    hits = 0
    word0, word1 = queries[query_row, 0], queries[query_row, 1]
    word2, word3 = queries[query_row, 2], queries[query_row, 3]
    for candidate in range(candidates):
        if candidate + PREFETCH_AHEAD < candidates:
            prefetch(words, candidate_rows[candidate + PREFETCH_AHEAD])
        row = candidate_rows[candidate]
        gap = distance_to(words, row, word0, word1, word2, word3)
        if gap <= max_distance:
            candidate_rows[hits] = row
            candidate_tables[hits] = candidate_tables[candidate]
            candidate_distances[hits] = gap
            hits += 1
    return hits


@_inlined
def report_hits(
    words: Words, withdrawn: npt.NDArray[np.bool_], queries: Words, query_row: int, hits: int,
    candidate_rows: Rows, candidate_tables: Rows, candidate_distances: npt.NDArray[np.int32],
    starts: Indices, lengths: Indices, radii: Indices, found: Found, used: int,
) -> int:  # fmt: skip
    """Append the live hits, each from the one table that reports it; return the new count."""
    for hit in range(hits):
        row = candidate_rows[hit]
        if withdrawn[row]:
            continue
        if (
            first_table_to_find(words, row, queries, query_row, starts, lengths, radii)
            != candidate_tables[hit]
        ):
            continue
        found[0][used] = query_row
        found[1][used] = row
        found[2][used] = candidate_distances[hit]
        used += 1
    return used


@_inlined
def scan_rows(
    words: Words, withdrawn: npt.NDArray[np.bool_], first_row: int, stop_row: int,
    queries: Words, query_row: int, max_distance: int, found: Found, used: int,
) -> int:  # fmt: skip
    """Append the live rows in first_row .. stop_row - 1 within distance; return the new count."""
    word0, word1 = queries[query_row, 0], queries[query_row, 1]
    word2, word3 = queries[query_row, 2], queries[query_row, 3]
    for row in range(first_row, stop_row):
        gap = distance_to(words, row, word0, word1, word2, word3)
        if gap <= max_distance and not withdrawn[row]:
            found[0][used] = query_row
            found[1][used] = row
            found[2][used] = gap
            used += 1
    return used


@_inlined
def sort_by_row(found: Found, first: int, used: int) -> None:
    """Order one query's results by entry row."""
    if used - first > 1:
        order = np.argsort(found[1][first:used]) + first
        found[1][first:used] = found[1][order]
        found[2][first:used] = found[2][order]


@_compiled
def search_tables(
    words: Words, row_count: int, built_rows: int, withdrawn: npt.NDArray[np.bool_],
    queries: Words, max_distance: int,
    starts: Indices, lengths: Indices, radii: Indices,
    offsets: Rows, offset_bases: Indices, rows: Rows, row_bases: Indices,
    masks: Rows, mask_bases: Indices, mask_counts: Indices,
) -> Found:  # fmt: skip
    """Every (query, entry) pair within ``max_distance``: probe the tables for rows below
    ``built_rows``, scan the rows added since (the delta).

    Each query runs in passes, each a loop of independent loads (bucket bounds, then row
    numbers, then hashes), rather than one loop that follows every probe to its hashes: that
    chain is three dependent cache misses, and in separate passes the CPU overlaps the misses.
    Buffers are enlarged between passes, never inside one.
    """
    probe_count = int(mask_counts.sum())
    probe_first = np.empty(probe_count, np.int64)
    probe_stop = np.empty(probe_count, np.int64)
    table_probes = np.empty(starts.shape[0] + 1, np.int64)
    candidate_rows = np.empty(4096, np.uint32)
    candidate_tables = np.empty(4096, np.uint32)
    candidate_distances = np.empty(4096, np.int32)
    found = (np.empty(1024, np.int64), np.empty(1024, np.int64), np.empty(1024, np.int32))
    used = 0
    for query_row in range(queries.shape[0]):
        candidates = probe_buckets(
            queries, query_row, starts, lengths, radii, offsets, offset_bases, row_bases,
            masks, mask_bases, mask_counts, probe_first, probe_stop, table_probes,
        )  # fmt: skip
        candidate_rows = with_room(candidate_rows, candidates)
        candidate_tables = with_room(candidate_tables, candidates)
        candidate_distances = with_room(candidate_distances, candidates)
        gather_rows(rows, table_probes, probe_first, probe_stop, candidate_rows, candidate_tables)
        hits = keep_within(
            words,
            queries,
            query_row,
            max_distance,
            candidates,
            candidate_rows,
            candidate_tables,
            candidate_distances,
        )
        room = used + hits + row_count - built_rows
        found = (with_room(found[0], room), with_room(found[1], room), with_room(found[2], room))
        first = used
        used = report_hits(
            words, withdrawn, queries, query_row, hits, candidate_rows, candidate_tables, candidate_distances,
            starts, lengths, radii, found, used,
        )  # fmt: skip
        used = scan_rows(
            words, withdrawn, built_rows, row_count, queries, query_row, max_distance, found, used
        )
        sort_by_row(found, first, used)
    return found[0][:used].copy(), found[1][:used].copy(), found[2][:used].copy()


@_compiled
def scan(
    words: Words, row_count: int, withdrawn: npt.NDArray[np.bool_], queries: Words, max_distance: int
) -> Found:
    """Every (query, entry) pair within ``max_distance``, comparing each query with every row."""
    found = (np.empty(1024, np.int64), np.empty(1024, np.int64), np.empty(1024, np.int32))
    used = 0
    for query_row in range(queries.shape[0]):
        for block in range(0, row_count, SCAN_BLOCK):
            room = used + SCAN_BLOCK
            found = (with_room(found[0], room), with_room(found[1], room), with_room(found[2], room))
            stop = min(block + SCAN_BLOCK, row_count)
            used = scan_rows(words, withdrawn, block, stop, queries, query_row, max_distance, found, used)
    return found[0][:used].copy(), found[1][:used].copy(), found[2][:used].copy()
