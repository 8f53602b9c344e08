"""How much of one channel's media near-duplicates another's, by PDQ Hamming distance."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

PDQ_BYTES = 32
NEAR_DUPLICATE_DISTANCE = 31  # the PDQ authors' threshold for "same image"


def count_shared_media(
    earlier: tuple[bytes, ...], later: tuple[bytes, ...], *, max_distance: int = NEAR_DUPLICATE_DISTANCE
) -> int:
    """How many hashes in `later` lie within `max_distance` bits of some hash in `earlier`."""
    from reclaim.bank.index import HammingIndex

    if not earlier or not later:
        return 0
    query_rows, _, _ = HammingIndex(_as_matrix(earlier)).search(_as_matrix(later), max_distance=max_distance)
    return int(np.unique(query_rows).size)


def _as_matrix(hashes: tuple[bytes, ...]) -> npt.NDArray[np.uint8]:
    for value in hashes:
        if len(value) != PDQ_BYTES:
            raise ValueError(f"a PDQ hash is {PDQ_BYTES} bytes, got {len(value)}")
    return np.frombuffer(b"".join(hashes), dtype=np.uint8).reshape(len(hashes), PDQ_BYTES)
