"""The evidence log: an RFC 6962 / RFC 9162 Merkle tree of canonical JSON entries, and signed tree heads.

Leaves hash as SHA-256(0x00 || entry) and interior nodes as SHA-256(0x01 || left || right), the
Certificate Transparency construction, so that any CT tool or a shell with ``openssl dgst``
reproduces our roots. A tree of n leaves splits at the largest power of two below n. Inclusion
proofs show that an entry is in the tree a head signs; consistency proofs show that a later
head's tree begins with an earlier head's tree, so nothing logged was changed or dropped.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from reclaim.evidence.canonical import canonical_json
from reclaim.evidence.keys import verify_signature

LEAF_PREFIX: Final = b"\x00"
NODE_PREFIX: Final = b"\x01"
HASH_SIZE: Final = 32
TREE_HEAD_TYPE: Final = "reclaim-tree-head/1"


def leaf_hash(entry: bytes) -> bytes:
    """RFC 6962 leaf hash of one entry's bytes."""
    return hashlib.sha256(LEAF_PREFIX + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """RFC 6962 hash of an interior node from its two children."""
    return hashlib.sha256(NODE_PREFIX + left + right).digest()


def merkle_root(leaves: Sequence[bytes]) -> bytes:
    """The Merkle Tree Hash of leaf hashes; SHA-256 of nothing for the empty tree."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    return _levels(leaves)[-1][0]


def extend_frontier(frontier: Sequence[bytes], size: int, leaves: Sequence[bytes]) -> list[bytes]:
    """The frontier of the tree after appending ``leaves`` to a tree of ``size`` with ``frontier``.

    The frontier is the roots of the perfect subtrees that make up the tree, largest first (one
    per set bit of its size): enough to compute its root and to extend it, so an append costs
    O(batch + log n) instead of re-reading every leaf of a large log.
    """
    result = list(frontier)
    for leaf in leaves:
        result.append(leaf)
        carry = size
        while carry & 1:  # two subtrees of equal size merge, as binary addition carries
            right = result.pop()
            result.append(node_hash(result.pop(), right))
            carry >>= 1
        size += 1
    return result


def frontier_root(frontier: Sequence[bytes]) -> bytes:
    """The Merkle Tree Hash of the tree a frontier describes."""
    if not frontier:
        return hashlib.sha256(b"").digest()
    root = frontier[-1]
    for subtree in reversed(frontier[:-1]):
        root = node_hash(subtree, root)
    return root


def inclusion_proof(leaves: Sequence[bytes], index: int) -> list[bytes]:
    """The audit path of leaf ``index`` in the tree of ``leaves`` (RFC 9162 section 2.1.3.1)."""
    return inclusion_proofs(leaves, [index])[0]


def inclusion_proofs(leaves: Sequence[bytes], indices: Sequence[int]) -> list[list[bytes]]:
    """Audit paths of many leaves at once: the tree is built once, each path costs log n."""
    size = len(leaves)
    for index in indices:
        if not 0 <= index < size:
            raise ValueError(f"leaf {index} is not in a tree of {size}")
    levels = _levels(leaves)
    proofs = []
    for index in indices:
        path = []
        position = index
        for level in levels[:-1]:
            sibling = position ^ 1
            # The last node of a level without a right sibling is carried up unchanged: that is the
            # RFC 6962 split at the largest power of two, seen bottom-up.
            if sibling < len(level):
                path.append(level[sibling])
            position //= 2
        proofs.append(path)
    return proofs


def verify_inclusion(leaf: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes) -> bool:
    """True when ``proof`` shows leaf hash ``leaf`` at ``index`` in the tree of ``size`` with ``root``."""
    # RFC 9162 section 2.1.3.2, step by step.
    if not 0 <= index < size:
        return False
    fn, sn = index, size - 1
    result = leaf
    for sibling in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            result = node_hash(sibling, result)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            result = node_hash(result, sibling)
        fn >>= 1
        sn >>= 1
    return sn == 0 and result == root


def consistency_proof(leaves: Sequence[bytes], old_size: int) -> list[bytes]:
    """Proof that the tree of the first ``old_size`` leaves is a prefix of the tree of all of them."""
    if not 0 < old_size <= len(leaves):
        raise ValueError(f"no consistency proof from size {old_size} to {len(leaves)}")
    return _subproof(old_size, leaves, complete=True)


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> bool:
    """True when ``proof`` shows the tree (old_size, old_root) is a prefix of (new_size, new_root)."""
    # RFC 9162 section 2.1.4.2.
    if not 0 < old_size <= new_size:
        return False
    if old_size == new_size:
        return not proof and old_root == new_root
    if not proof:
        return False
    path = list(proof)
    if old_size & (old_size - 1) == 0:  # a power of two: the old root is the first node itself
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for node in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(node, fr)
            sr = node_hash(node, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, node)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == old_root and sr == new_root


@dataclass(frozen=True, slots=True)
class TreeHead:
    """What a signature vouches for: the case's log had ``size`` entries with ``root`` at that time."""

    case_id: str
    size: int
    root: bytes
    timestamp_ms: int  # milliseconds since the Unix epoch, UTC: an integer, never a float

    def to_json(self) -> dict[str, Any]:
        return {
            "case_id": self.case_id,
            "root_hash": self.root.hex(),
            "timestamp_ms": self.timestamp_ms,
            "tree_size": self.size,
            "type": TREE_HEAD_TYPE,
        }

    def signed_bytes(self) -> bytes:
        """The exact bytes that are signed: the head as canonical JSON, as stored in a bundle."""
        return canonical_json(self.to_json())


@dataclass(frozen=True, slots=True)
class SignedTreeHead:
    head: TreeHead
    signature: bytes  # Ed25519 over head.signed_bytes()


def sign_tree_head(key: Ed25519PrivateKey, head: TreeHead) -> SignedTreeHead:
    return SignedTreeHead(head, key.sign(head.signed_bytes()))


def verify_tree_head(public_key_hex: str, signed: SignedTreeHead) -> bool:
    return verify_signature(public_key_hex, signed.signature, signed.head.signed_bytes())


def parse_tree_head(data: bytes) -> TreeHead:
    """A tree head from its signed bytes; ValueError when they are not one, exactly and canonically."""
    import json

    try:
        value = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise ValueError(f"not JSON: {error}") from None
    if not isinstance(value, dict) or set(value) != {
        "case_id",
        "root_hash",
        "timestamp_ms",
        "tree_size",
        "type",
    }:
        raise ValueError("not a tree head")
    if value["type"] != TREE_HEAD_TYPE:
        raise ValueError(f"unknown tree head type {value['type']!r}")
    case_id, root_hex, timestamp, size = (
        value["case_id"],
        value["root_hash"],
        value["timestamp_ms"],
        value["tree_size"],
    )
    if not isinstance(case_id, str) or not _is_count(timestamp) or not _is_count(size):
        raise ValueError("a tree head field has the wrong type")
    root = _hash_from_hex(root_hex)
    head = TreeHead(case_id=case_id, size=size, root=root, timestamp_ms=timestamp)
    if head.signed_bytes() != data:
        raise ValueError("the tree head is not in canonical form")
    return head


def hashes_from_hex(values: object) -> list[bytes]:
    """A list of hex SHA-256 values as bytes; ValueError for anything else."""
    if not isinstance(values, list):
        raise ValueError("expected a list of hashes")
    return [_hash_from_hex(value) for value in values]


def _hash_from_hex(value: object) -> bytes:
    if not isinstance(value, str) or len(value) != 2 * HASH_SIZE:
        raise ValueError("expected a SHA-256 value as 64 hex characters")
    try:
        return bytes.fromhex(value)
    except ValueError:
        raise ValueError("expected a SHA-256 value as 64 hex characters") from None


def _is_count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _levels(leaves: Sequence[bytes]) -> list[list[bytes]]:
    """Every level of the tree, leaves first, root last; an odd last node is carried up as it is."""
    levels = [list(leaves)]
    while len(levels[-1]) > 1:
        below = levels[-1]
        above = [node_hash(below[i], below[i + 1]) for i in range(0, len(below) - 1, 2)]
        if len(below) % 2:
            above.append(below[-1])
        levels.append(above)
    return levels


def _subproof(m: int, leaves: Sequence[bytes], *, complete: bool) -> list[bytes]:
    # SUBPROOF(m, D[n], b) of RFC 6962 section 2.1.2.
    n = len(leaves)
    if m == n:
        return [] if complete else [merkle_root(leaves)]
    k = _split(n)
    if m <= k:
        return [*_subproof(m, leaves[:k], complete=complete), merkle_root(leaves[k:])]
    return [*_subproof(m - k, leaves[k:], complete=False), merkle_root(leaves[:k])]


def _split(n: int) -> int:
    """The largest power of two smaller than n (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)
