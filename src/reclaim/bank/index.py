"""Exact Hamming search over PDQ hashes: every (query, entry) pair within a distance.

The contract (DESIGN.md, "Library contracts") is what benchmarks, the matcher and the Spark job use:

    index = HammingIndex(hashes)                        # numpy uint8 (N, 32): PDQ hashes as bytes
    qi, ei, d = index.search(queries, max_distance=31)  # all pairs within distance, exactly

This first version is brute force over 64-bit words; it is the reference the faster index is
tested against.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import numpy.typing as npt

HASH_BYTES: Final = 32
HASH_BITS: Final = HASH_BYTES * 8

SearchResult = tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int32]]


def as_hash_matrix(hashes: npt.ArrayLike) -> npt.NDArray[np.uint8]:
    """Validate and return hashes as a C-contiguous uint8 (N, 32) array."""
    matrix = np.ascontiguousarray(hashes, dtype=np.uint8)
    if matrix.ndim == 1 and matrix.size == 0:
        matrix = matrix.reshape(0, HASH_BYTES)
    if matrix.ndim != 2 or matrix.shape[1] != HASH_BYTES:
        raise ValueError(f"hashes must have shape (N, {HASH_BYTES}), not {matrix.shape}")
    return matrix


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


class HammingIndex:
    """Exact Hamming search over 256-bit hashes."""

    def __init__(self, hashes: npt.ArrayLike) -> None:
        self._entries = as_hash_matrix(hashes)

    def __len__(self) -> int:
        return int(self._entries.shape[0])

    def search(self, queries: npt.ArrayLike, max_distance: int = 31) -> SearchResult:
        """Return (query row, entry row, distance) for every pair within ``max_distance``."""
        if not 0 <= max_distance <= HASH_BITS:
            raise ValueError(f"max_distance must be within 0..{HASH_BITS}, not {max_distance}")
        return brute_force_search(self._entries, as_hash_matrix(queries), max_distance)
