"""The Merkle log against RFC 6962's published test vectors, and its proofs against tampering."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reclaim.evidence.canonical import NotCanonicalError, canonical_json, is_canonical
from reclaim.evidence.keys import public_key_bytes
from reclaim.evidence.log import (
    TreeHead,
    consistency_proof,
    extend_frontier,
    frontier_root,
    inclusion_proof,
    inclusion_proofs,
    leaf_hash,
    merkle_root,
    parse_tree_head,
    sign_tree_head,
    verify_consistency,
    verify_inclusion,
    verify_tree_head,
)

# Certificate Transparency's reference leaves and the root of each tree size 0..8 (the
# merkle tree tests of certificate-transparency and transparency-dev/merkle), used as data.
CT_LEAVES = [
    bytes.fromhex(h)
    for h in (
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    )
]
CT_ROOTS = [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
# (leaf index, tree size, audit path)
CT_INCLUSION = [
    (
        0,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        5,
        8,
        [
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (
        1,
        5,
        [
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
]
# (old size, new size, proof)
CT_CONSISTENCY = [
    (
        1,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        6,
        8,
        [
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (
        2,
        5,
        [
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
]
CT_HASHES = [leaf_hash(leaf) for leaf in CT_LEAVES]


def test_roots_of_every_size_match_rfc_6962_vectors() -> None:
    for size, expected in enumerate(CT_ROOTS):
        assert merkle_root(CT_HASHES[:size]).hex() == expected


@pytest.mark.parametrize(("index", "size", "path"), CT_INCLUSION)
def test_inclusion_proofs_match_ct_vectors_and_verify(index: int, size: int, path: list[str]) -> None:
    leaves = CT_HASHES[:size]
    proof = inclusion_proof(leaves, index)
    assert [node.hex() for node in proof] == path
    assert verify_inclusion(leaves[index], index, size, proof, merkle_root(leaves))


@pytest.mark.parametrize(("old", "new", "path"), CT_CONSISTENCY)
def test_consistency_proofs_match_ct_vectors_and_verify(old: int, new: int, path: list[str]) -> None:
    proof = consistency_proof(CT_HASHES[:new], old)
    assert [node.hex() for node in proof] == path
    assert verify_consistency(old, new, merkle_root(CT_HASHES[:old]), merkle_root(CT_HASHES[:new]), proof)


def _recursive_path(index: int, leaves: list[bytes]) -> list[bytes]:
    # PATH(m, D[n]) exactly as RFC 6962 section 2.1.1 writes it, to check the level-by-level version.
    n = len(leaves)
    if n == 1:
        return []
    k = 1 << ((n - 1).bit_length() - 1)
    if index < k:
        return [*_recursive_path(index, leaves[:k]), merkle_root(leaves[k:])]
    return [*_recursive_path(index - k, leaves[k:]), merkle_root(leaves[:k])]


def test_every_proof_in_small_trees_verifies_and_no_tampered_one_does() -> None:
    leaves = [leaf_hash(bytes([i, i * 7 % 256])) for i in range(40)]
    for size in range(1, len(leaves) + 1):
        tree = leaves[:size]
        root = merkle_root(tree)
        proofs = inclusion_proofs(tree, range(size))
        for index, proof in enumerate(proofs):
            assert proof == _recursive_path(index, tree)
            assert verify_inclusion(tree[index], index, size, proof, root)
            if size > 1:
                assert not verify_inclusion(tree[index], (index + 1) % size, size, proof, root)
                assert not verify_inclusion(tree[(index + 1) % size], index, size, proof, root)
                assert not verify_inclusion(tree[index], index, size, proof[:-1], root)
                assert not verify_inclusion(tree[index], index, size, [*proof, root], root)
        for old in range(1, size + 1):
            proof = consistency_proof(tree, old)
            old_root = merkle_root(tree[:old])
            assert verify_consistency(old, size, old_root, root, proof)
            assert not verify_consistency(old, size, leaf_hash(old_root), root, proof)
            if old < size:
                assert not verify_consistency(
                    old, size, old_root, merkle_root([*tree[:-1], leaves[0]]), proof
                )
                assert not verify_consistency(old, size, old_root, root, proof[:-1])


@settings(max_examples=50, deadline=None)
@given(st.lists(st.binary(max_size=20), min_size=1, max_size=70), st.data())
def test_a_changed_entry_changes_the_root_and_fails_its_proof(
    entries: list[bytes], data: st.DataObject
) -> None:
    leaves = [leaf_hash(entry) for entry in entries]
    index = data.draw(st.integers(0, len(entries) - 1))
    changed = entries[index] + b"x"
    root = merkle_root(leaves)
    assert merkle_root([*leaves[:index], leaf_hash(changed), *leaves[index + 1 :]]) != root
    assert not verify_inclusion(leaf_hash(changed), index, len(leaves), inclusion_proof(leaves, index), root)


def test_a_frontier_extended_in_any_batches_gives_the_rfc_root() -> None:
    leaves = [leaf_hash(bytes([i])) for i in range(70)]
    for cut in (0, 1, 5, 32, 33, 69):
        frontier = extend_frontier([], 0, leaves[:cut])
        assert frontier_root(frontier) == merkle_root(leaves[:cut])
        assert len(frontier) == bin(cut).count("1")
        frontier = extend_frontier(frontier, cut, leaves[cut:])
        assert frontier_root(frontier) == merkle_root(leaves)
    assert frontier_root(extend_frontier([], 0, CT_HASHES)).hex() == CT_ROOTS[8]


def test_leaf_and_node_hashes_differ_for_the_same_bytes() -> None:
    # The 0x00/0x01 prefixes stop a second-preimage attack that passes an interior node off as a leaf.
    left, right = leaf_hash(b"a"), leaf_hash(b"b")
    assert leaf_hash(left + right) != merkle_root([left, right])


def test_tree_head_signature_round_trip_and_tampering() -> None:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = Ed25519PrivateKey.generate()
    public_hex = public_key_bytes(key.public_key()).hex()
    head = TreeHead(case_id="abc", size=8, root=bytes.fromhex(CT_ROOTS[8]), timestamp_ms=1_700_000_000_000)
    signed = sign_tree_head(key, head)
    assert verify_tree_head(public_hex, signed)
    assert parse_tree_head(head.signed_bytes()) == head
    assert head.signed_bytes() == (
        b'{"case_id":"abc","root_hash":"' + CT_ROOTS[8].encode() + b'","timestamp_ms":1700000000000,'
        b'"tree_size":8,"type":"reclaim-tree-head/1"}'
    )
    moved = type(signed)(TreeHead("abc", 7, head.root, head.timestamp_ms), signed.signature)
    assert not verify_tree_head(public_hex, moved)
    with pytest.raises(ValueError, match="canonical"):
        parse_tree_head(head.signed_bytes().replace(b",", b", ", 1))


def test_canonical_json_sorts_keys_keeps_utf8_and_refuses_floats() -> None:
    assert (
        canonical_json({"b": 1, "a": "小美", "c": [True, None]})
        == '{"a":"小美","b":1,"c":[true,null]}'.encode()
    )
    assert is_canonical(canonical_json({"z": {"y": 1, "x": 2}}))
    assert not is_canonical(b'{"b":1,"a":2}')
    assert not is_canonical(b'{"a":1,"a":1}')
    assert not is_canonical(b'{"a":1.0}')
    for bad in (1.5, {"a": float("nan")}, {1: "x"}, 2**60, {"a": {1, 2}}):
        with pytest.raises(NotCanonicalError):
            canonical_json(bad)
