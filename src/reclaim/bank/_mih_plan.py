"""How multi-index hashing splits a 256-bit hash into substrings, and how far each is probed.

Multi-index hashing (Norouzi, Punjani and Fleet, "Fast Search in Hamming Space with Multi-Index
Hashing", CVPR 2012) cuts every hash into m disjoint substrings and keeps one table per substring.
Two hashes within distance r differ in at most r bits, spread over the m substrings, so by
pigeonhole some substring differs in few bits. The paper's sharper form (its Proposition 2): write
r = s*m + a with 0 <= a < m; then one of the first a + 1 substrings differs in at most s bits, or
one of the others in at most s - 1. Probing table t with every key within ``radius[t]`` of the
query's substring therefore finds every pair, and nothing here is approximate.

This module is plain arithmetic: which substring lengths to use for a bank of a given size, which
radius each table is probed at for a given distance, what that costs, and the bit masks to probe.
"""

from __future__ import annotations

from functools import lru_cache
from math import comb
from typing import Final

import numpy as np
import numpy.typing as npt

HASH_BITS: Final = 256

# Substrings shorter than this make tables whose buckets hold most of the bank; longer ones make
# offset arrays of 4 * 2**bits bytes per table (26 bits: 256 MiB), which no bank size repays.
MIN_SUBSTRING_BITS: Final = 8
MAX_SUBSTRING_BITS: Final = 26

# The distance the default plan is tuned for: PDQ's usual match threshold (ThreatExchange's and
# HMA's PDQ index match at <= 31 of 256 bits).
DESIGN_DISTANCE: Final = 31

# A scan reads the bank in order, a table probe jumps to a random bucket and a random hash; on the
# project machine a probe or candidate costs about as much as scanning this many entries. Above
# that the search scans instead (large distances, tiny banks).
SCAN_ENTRIES_PER_PROBE: Final = 8


def table_radii(lengths: tuple[int, ...], max_distance: int) -> tuple[int, ...]:
    """How many bits each table is probed at so that no pair within ``max_distance`` is missed.

    The first a + 1 tables get s bits, the rest s - 1 (Norouzi et al., Proposition 2), where
    max_distance = s * m + a. A radius of -1 means the table is not probed at all.
    """
    per_table, remainder = divmod(max_distance, len(lengths))
    return tuple(per_table if table <= remainder else per_table - 1 for table in range(len(lengths)))


def keys_within(bits: int, radius: int) -> int:
    """How many keys of ``bits`` bits lie within ``radius`` bit flips of one key."""
    return sum(comb(bits, flips) for flips in range(min(radius, bits) + 1)) if radius >= 0 else 0


def search_cost(lengths: tuple[int, ...], max_distance: int, entry_count: int) -> float:
    """Expected probes plus candidates per query, for hashes spread evenly over the keys."""
    cost = 0.0
    for bits, radius in zip(lengths, table_radii(lengths, max_distance), strict=True):
        probes = keys_within(bits, radius)
        cost += probes * (1.0 + entry_count / 2.0**bits)
    return cost


@lru_cache(maxsize=256)
def tables_beat_scan(lengths: tuple[int, ...], max_distance: int, entry_count: int) -> bool:
    """Whether probing the tables is expected to be cheaper than scanning every entry.

    Cached: a server asks it on every lookup, with the same three numbers until the bank changes,
    and the cost model's sums took a tenth of a single lookup's time."""
    return search_cost(lengths, max_distance, entry_count) * SCAN_ENTRIES_PER_PROBE < entry_count


def plan_substring_lengths(entry_count: int, design_distance: int = DESIGN_DISTANCE) -> tuple[int, ...]:
    """The substring lengths (summing to 256) with the lowest expected cost at ``design_distance``.

    The paper's rule of thumb is m = 256 / log2(N) substrings; searching the cost model instead
    also picks which tables get the larger radius. For 10 million hashes and distance 31 it gives
    11 substrings of 23 and 24 bits.
    """
    count = max(entry_count, 1)
    best: tuple[float, tuple[int, ...]] | None = None
    for tables in range(HASH_BITS // MAX_SUBSTRING_BITS + 1, HASH_BITS // MIN_SUBSTRING_BITS + 1):
        short, longer = divmod(HASH_BITS, tables)
        split = [short + 1] * longer + [short] * (tables - longer)
        for lengths in (tuple(split), tuple(reversed(split))):
            cost = search_cost(lengths, design_distance, count)
            if best is None or cost < best[0]:
                best = (cost, lengths)
    assert best is not None
    return best[1]


def substring_starts(lengths: tuple[int, ...]) -> npt.NDArray[np.int64]:
    """The first bit of each substring; substrings are consecutive runs of the 256 bits."""
    return np.concatenate(([0], np.cumsum(lengths[:-1]))).astype(np.int64)


def flip_masks(bits: int, radius: int) -> npt.NDArray[np.uint32]:
    """Every ``bits``-bit mask with at most ``radius`` ones, fewest ones first."""
    masks: list[int] = []
    for flips in range(min(radius, bits) + 1):
        if flips == 0:
            masks.append(0)
            continue
        # Gosper's hack: the next larger integer with the same number of ones.
        mask = (1 << flips) - 1
        while mask < 1 << bits:
            masks.append(mask)
            lowest = mask & -mask
            ripple = mask + lowest
            mask = (((ripple ^ mask) >> 2) // lowest) | ripple
    return np.asarray(masks, dtype=np.uint32)
