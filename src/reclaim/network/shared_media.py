"""How much of one channel's media near-duplicates another's, by PDQ Hamming distance."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

PDQ_BYTES = 32
NEAR_DUPLICATE_DISTANCE = 31  # the PDQ authors' threshold for "same image"


def count_shared_media(
    earlier: tuple[bytes, ...], later: tuple[bytes, ...], *, max_distance: int = NEAR_DUPLICATE_DISTANCE
) -> int:
    """How many hashes in `later` lie within `max_distance` bits of some hash in `earlier`.

    Brute force over all pairs, one row of `later` at a time: fine for a few thousand hashes a channel.
    """
    if not earlier or not later:
        return 0
    earlier_bits = _as_matrix(earlier)
    shared = 0
    for row in _as_matrix(later):
        distances = np.unpackbits(np.bitwise_xor(earlier_bits, row), axis=1).sum(axis=1)
        if int(distances.min()) <= max_distance:
            shared += 1
    return shared


def _as_matrix(hashes: tuple[bytes, ...]) -> npt.NDArray[np.uint8]:
    for value in hashes:
        if len(value) != PDQ_BYTES:
            raise ValueError(f"a PDQ hash is {PDQ_BYTES} bytes, got {len(value)}")
    return np.frombuffer(b"".join(hashes), dtype=np.uint8).reshape(len(hashes), PDQ_BYTES)
