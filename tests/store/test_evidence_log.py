"""The evidence log's storage on SQLite and PostgreSQL: append-only, gap-free, signed after every append."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Engine

from reclaim.evidence.keys import public_key_bytes
from reclaim.evidence.log import (
    SignedTreeHead,
    TreeHead,
    leaf_hash,
    merkle_root,
    parse_tree_head,
    sign_tree_head,
    verify_tree_head,
)
from reclaim.store.cases import create_case
from reclaim.store.evidence import NewLogEntry, StoredTreeHead, append_entries, read_entries, read_tree_heads
from reclaim.store.migrate import upgrade_to_head

KEY = Ed25519PrivateKey.generate()


def signer(case_id: str):  # type: ignore[no-untyped-def]
    def sign(size: int, root: bytes) -> StoredTreeHead:
        head = TreeHead(case_id, size, root, 1_700_000_000_000)
        return StoredTreeHead(head.size, head.root, head.signed_bytes(), sign_tree_head(KEY, head).signature)

    return sign


def entry(text: str) -> NewLogEntry:
    body = ('{"n":"' + text + '"}').encode()
    return NewLogEntry("sighting", body, leaf_hash(body))


def test_concurrent_appends_get_distinct_gap_free_places_and_every_head_verifies(engine: Engine) -> None:
    upgrade_to_head(engine)
    create_case(engine, case_id="c1", title="t", created_at=datetime.now(UTC), actor="a")
    errors: list[BaseException] = []

    def writer(number: int) -> None:
        try:
            for i in range(8):
                batch = [entry(f"{number}-{i}-{j}") for j in range(1 + i % 3)]
                append_entries(
                    engine, "c1", batch, sign_head=signer("c1"), recorded_at=datetime.now(UTC), actor="test"
                )
        except BaseException as error:  # reported below, from the main thread
            errors.append(error)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    rows = read_entries(engine, "c1")
    assert [row.leaf_index for row in rows] == list(range(4 * (1 + 2 + 3 + 1 + 2 + 3 + 1 + 2)))
    leaves = [row.leaf_hash for row in rows]
    heads = read_tree_heads(engine, "c1")
    assert len(heads) == 32 and heads[-1].tree_size == len(rows)
    public_hex = public_key_bytes(KEY.public_key()).hex()
    for head in heads:
        parsed = parse_tree_head(head.body)
        assert parsed.root == merkle_root(leaves[: head.tree_size]) == head.root_hash
        assert verify_tree_head(public_hex, SignedTreeHead(parsed, head.signature))


def test_the_created_event_is_written_once_before_the_first_entry(engine: Engine) -> None:
    upgrade_to_head(engine)
    create_case(engine, case_id="c2", title="t", created_at=datetime.now(UTC), actor="a")
    for name in ("a", "b"):
        first, head = append_entries(
            engine,
            "c2",
            [entry(name)],
            sign_head=signer("c2"),
            recorded_at=datetime.now(UTC),
            actor="test",
            on_empty_log=lambda: [entry("created")],
        )
    assert (first, head.tree_size) == (2, 3)
    assert [row.body for row in read_entries(engine, "c2")] == [
        b'{"n":"created"}',
        b'{"n":"a"}',
        b'{"n":"b"}',
    ]
