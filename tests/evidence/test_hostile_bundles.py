"""Damaged and hostile zips: verify_bundle reports what is wrong and never raises."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import pytest

from reclaim.evidence.verify import verify_bundle


def zip_of(path: Path, files: list[tuple[str, bytes]], compression: int = zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "w", compression) as archive:
        for name, content in files:
            archive.writestr(zipfile.ZipInfo(name), content, compress_type=compression)
    return path


def problems_of(path: Path) -> str:
    report = verify_bundle(path)
    assert not report.intact
    return " | ".join(p.message.format(**p.params) for p in report.problems)


def test_path_traversal_names_are_refused(tmp_path: Path) -> None:
    for name in ("../evil.sh", "/etc/passwd", "a/../../b", "tree-heads\\..\\x"):
        assert "forbidden name" in problems_of(zip_of(tmp_path / "t.zip", [(name, b"x")]))


def test_a_zip_bomb_is_refused_before_it_is_expanded(tmp_path: Path) -> None:
    bomb = zip_of(tmp_path / "bomb.zip", [("entries.jsonl", bytes(60 * 1024**2))])
    assert bomb.stat().st_size < 200_000
    assert "zip bomb" in problems_of(bomb)


def test_duplicate_names_are_refused(tmp_path: Path) -> None:
    with pytest.warns(UserWarning):
        path = zip_of(tmp_path / "dup.zip", [("manifest.json", b"{}"), ("manifest.json", b"{}")])
    assert "more than once" in problems_of(path)


def test_not_a_zip_empty_and_truncated_files(tmp_path: Path) -> None:
    (tmp_path / "text.zip").write_text("hello")
    (tmp_path / "empty.zip").write_bytes(b"")
    good = zip_of(tmp_path / "good.zip", [("manifest.json", b"{}" * 1000)])
    (tmp_path / "cut.zip").write_bytes(good.read_bytes()[:-30])
    for name in ("text.zip", "empty.zip", "cut.zip", "missing.zip"):
        assert "not a readable zip file" in problems_of(tmp_path / name)


def test_missing_and_invalid_json_files(tmp_path: Path) -> None:
    assert "has no manifest.json" in problems_of(zip_of(tmp_path / "a.zip", [("entries.jsonl", b"")]))
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = Ed25519PrivateKey.generate()
    pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    for manifest in (
        b"{not json",
        b"[1,2]",
        b'{"a":1,"a":2}',
        b"[" * 100_000 + b"]" * 100_000,
        b'{"x":"' + b"A" * 70 * 1024**2 + b'"}',
    ):
        files = [("manifest.json", manifest), ("manifest.sig", key.sign(manifest)), ("public-key.pem", pem)]
        text = problems_of(zip_of(tmp_path / "m.zip", files))
        assert "manifest.json" in text


def test_unknown_compression_and_garbage_members_do_not_crash(tmp_path: Path) -> None:
    path = zip_of(tmp_path / "l.zip", [("manifest.json", b"{}" * 100)], compression=zipfile.ZIP_LZMA)
    raw = bytearray(path.read_bytes())
    raw[8] = 99  # an unknown compression method in the local header...
    index = raw.find(b"PK\x01\x02")
    raw[index + 10] = 99  # ...and in the central directory
    (tmp_path / "odd.zip").write_bytes(bytes(raw))
    assert problems_of(tmp_path / "odd.zip")


def test_a_huge_field_in_a_self_consistent_forgery_is_refused_by_size(tmp_path: Path) -> None:
    # Signed with the forger's own key, so every signature and digest holds: only the limits stop it.
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from reclaim.evidence.bundle import BundleContents, BundleHead, write_bundle
    from reclaim.evidence.canonical import canonical_json
    from reclaim.evidence.log import TreeHead, inclusion_proofs, leaf_hash, merkle_root, sign_tree_head

    key = Ed25519PrivateKey.generate()
    entry = canonical_json({"case_id": "c", "note": os.urandom(1024**2).hex()})  # incompressible: no bomb
    leaves = [leaf_hash(entry)]
    head = TreeHead("c", 1, merkle_root(leaves), 0)
    signed = sign_tree_head(key, head)
    contents = BundleContents(
        case_id="c",
        installation_id="i",
        created_at="2026-11-25T00:00:00.000Z",
        entries=[entry],
        head=BundleHead(1, head.signed_bytes(), signed.signature),
        root=head.root,
        earlier_heads=[],
        inclusion=inclusion_proofs(leaves, [0]),
        consistency=[],
        leaf_hashes=leaves,
        redacted=True,
    )
    write_bundle(tmp_path / "forged.zip", contents, key)
    assert "Line 1 of entries.jsonl is too large" in problems_of(tmp_path / "forged.zip")
