"""Speed of the evidence log beside its floors, in one run.

    python benchmarks/bench_evidence.py                 # SQLite in a temporary home
    python benchmarks/bench_evidence.py --appends 20000 --bundle 2000   # a quicker look

Parts:
  append   100,000 sightings appended durably in batches of 500, as a scan produces them
           (canonical JSON, leaf hash, signed tree head per batch, one committed transaction
           per batch). Floor: the same bodies inserted in the same batches into a bare SQLite
           table with the same durability (WAL, synchronous=FULL), with no hashing or signing.
  proofs   inclusion proofs in the 100,000-entry tree: all of them at once (the tree built once)
           and one alone. Peer: PATH(m, D[n]) written recursively as RFC 6962 section 2.1.1
           defines it, for the same leaves.
  verify   `reclaim evidence export` and `reclaim verify` of a 10,000-entry bundle, in process.
           Floor: opening the zip and hashing every member with SHA-256, which any check of
           the bundle must do.

Timings are wall-clock (time.perf_counter), one run each: the appends are durable writes, so
the page cache and the disk are part of what is measured.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sqlite3
import sys
import tempfile
import time
import zipfile
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))

from reclaim.config import Settings  # noqa: E402
from reclaim.evidence.entries import parse_source_url, sighting_entry  # noqa: E402
from reclaim.evidence.log import inclusion_proof, inclusion_proofs, leaf_hash, merkle_root  # noqa: E402


def sightings(case_id: str, installation_id: str, count: int) -> list[dict[str, object]]:
    now = datetime.now(UTC)
    return [
        sighting_entry(
            case_id=case_id,
            installation_id=installation_id,
            recorded_by="scan",
            recorded_at=now,
            source=parse_source_url(f"https://t.me/maskpark_{n % 97}/{n}"),
            seen_at=None,
            capture={
                "sha256": hashlib.sha256(n.to_bytes(8, "big")).hexdigest(),
                "md5": hashlib.md5(n.to_bytes(8, "big"), usedforsecurity=False).hexdigest(),
                "size": 100_000 + n,
                "kind": "image",
                "pdq": {"hash": hashlib.sha256(str(n).encode()).hexdigest(), "quality": 90},
            },
            note=None,
            match={"entry_id": n % 5000, "distance": n % 32},
        )
        for n in range(count)
    ]


def append_log(settings: Settings, count: int, batch: int) -> tuple[str, float, list[bytes]]:
    """Append ``count`` sightings in batches through the service a scan uses; (case, seconds, bodies)."""
    from reclaim.services.cases import new_case
    from reclaim.services.evidence import record_entries
    from reclaim.services.home import open_store
    from reclaim.store.evidence import read_entries

    engine = open_store(settings)
    try:
        case = new_case(engine, f"bench {count}", actor="bench")
        entries = sightings(case.id, "bench-installation", count)
        start = time.perf_counter()
        for first in range(0, count, batch):
            record_entries(engine, settings, case.id, entries[first : first + batch])
        seconds = time.perf_counter() - start
        bodies = [row.body for row in read_entries(engine, case.id)]
    finally:
        engine.dispose()
    return case.id, seconds, bodies


def bare_inserts(folder: Path, bodies: list[bytes], batch: int) -> float:
    connection = sqlite3.connect(folder / "floor.sqlite3", isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=FULL")
    connection.execute("CREATE TABLE entries (id INTEGER PRIMARY KEY, case_id TEXT, body TEXT)")
    start = time.perf_counter()
    for first in range(0, len(bodies), batch):
        connection.execute("BEGIN")
        connection.executemany(
            "INSERT INTO entries (case_id, body) VALUES (?, ?)",
            [("c", body.decode()) for body in bodies[first : first + batch]],
        )
        connection.execute("COMMIT")
    seconds = time.perf_counter() - start
    connection.close()
    return seconds


def recursive_path(index: int, leaves: list[bytes]) -> list[bytes]:
    n = len(leaves)
    if n == 1:
        return []
    k = 1 << ((n - 1).bit_length() - 1)
    if index < k:
        return [*recursive_path(index, leaves[:k]), merkle_root(leaves[k:])]
    return [*recursive_path(index - k, leaves[k:]), merkle_root(leaves[:k])]


def bench_append(
    settings: Settings, folder: Path, args: argparse.Namespace
) -> tuple[dict[str, object], list[bytes]]:
    _, seconds, bodies = append_log(settings, args.appends, args.batch)
    floor = bare_inserts(folder, bodies, args.batch)
    print(
        f"append  {args.appends:,} entries in batches of {args.batch}: {seconds:.2f} s "
        f"({args.appends / seconds:,.0f}/s); bare durable inserts {floor:.2f} s; "
        f"ratio {seconds / floor:.1f}x"
    )
    return {"entries": args.appends, "batch": args.batch, "seconds": seconds, "floor_seconds": floor}, bodies


def bench_proofs(bodies: list[bytes], sample_size: int) -> dict[str, object]:
    leaves = [leaf_hash(body) for body in bodies]
    start = time.perf_counter()
    inclusion_proofs(leaves, range(len(leaves)))
    all_seconds = time.perf_counter() - start
    step = max(1, len(leaves) // sample_size)
    sample = list(range(0, len(leaves), step))[:sample_size]
    start = time.perf_counter()
    ours = [inclusion_proof(leaves, index) for index in sample]
    one_seconds = (time.perf_counter() - start) / len(sample)
    start = time.perf_counter()
    reference = [recursive_path(index, leaves) for index in sample]
    peer_seconds = (time.perf_counter() - start) / len(sample)
    assert ours == reference
    print(
        f"proofs  all {len(leaves):,} at once: {all_seconds:.2f} s "
        f"({all_seconds / len(leaves) * 1e6:.1f} µs each); one alone {one_seconds * 1000:.0f} ms "
        f"vs RFC recursive {peer_seconds * 1000:.0f} ms ({peer_seconds / one_seconds:.1f}x)"
    )
    return {
        "tree_size": len(leaves),
        "all_seconds": all_seconds,
        "one_seconds": one_seconds,
        "peer_one_seconds": peer_seconds,
    }


def bench_verify(settings: Settings, folder: Path, args: argparse.Namespace) -> dict[str, object]:
    from reclaim.evidence.verify import verify_bundle
    from reclaim.services.cases import new_case
    from reclaim.services.evidence import export_bundle, record_entries
    from reclaim.services.home import open_store

    engine = open_store(settings)
    try:
        case = new_case(engine, "bundle", actor="bench")
        # With the log's "created" event and the export's own entry, the bundle has args.bundle entries.
        entries = sightings(case.id, "bench-installation", args.bundle - 2)
        for first in range(0, len(entries), args.batch):
            record_entries(engine, settings, case.id, entries[first : first + args.batch])
        bundle = folder / "bundle.zip"
        start = time.perf_counter()
        export_bundle(engine, settings, case.id, bundle, redact=True, vault=None)
        export_seconds = time.perf_counter() - start
    finally:
        engine.dispose()
    start = time.perf_counter()
    report = verify_bundle(bundle)
    verify_seconds = time.perf_counter() - start
    assert report.intact and report.tree_size == args.bundle, report.problems
    start = time.perf_counter()
    with zipfile.ZipFile(bundle) as archive:
        for info in archive.infolist():
            hashlib.sha256(archive.read(info)).hexdigest()
    floor_seconds = time.perf_counter() - start
    size_mb = bundle.stat().st_size / 1e6
    print(
        f"verify  {args.bundle:,}-entry bundle ({size_mb:.1f} MB): export {export_seconds:.2f} s, "
        f"verify {verify_seconds:.2f} s; unzip + SHA-256 floor {floor_seconds:.3f} s "
        f"({verify_seconds / floor_seconds:.0f}x)"
    )
    return {
        "entries": args.bundle,
        "bundle_bytes": bundle.stat().st_size,
        "export_seconds": export_seconds,
        "verify_seconds": verify_seconds,
        "floor_seconds": floor_seconds,
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--appends", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--bundle", type=int, default=10_000)
    parser.add_argument("--sample", type=int, default=20, help="leaves for the recursive peer")
    parser.add_argument("--json-out", type=Path, default=HERE / "data" / "bench_evidence_results.json")
    args = parser.parse_args()

    from reclaim.services.home import initialize_home

    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        home = folder / "home"
        settings = replace(
            Settings(home=home, database_url=f"sqlite:///{home / 'reclaim.sqlite3'}"), actor="bench"
        )
        initialize_home(settings)
        append, bodies = bench_append(settings, folder, args)
        results = {"append": append, "proofs": bench_proofs(bodies, args.sample)}
        results["verify"] = bench_verify(settings, folder, args)
    args.json_out.parent.mkdir(parents=True, exist_ok=True)
    args.json_out.write_text(json.dumps(results, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
