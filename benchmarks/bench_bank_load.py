"""Start-up of a matcher over a large bank: read N PDQ entries from the database and index them.

    python benchmarks/bench_bank_load.py --entries 10000000            # SQLite file in benchmarks/data
    python benchmarks/bench_bank_load.py --entries 1000000 --database-url postgresql+psycopg://...

Fills a bank with N random PDQ hashes (with provenance, as `reclaim protect` writes them) once,
then times, in a fresh process each: reading the active entries column by column
(`store.banks.active_signal_table`), and building the `HammingIndex` over them. This is what
`reclaim match`, `reclaim serve` workers and the Spark driver pay before the first query.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"

MEASURE = """
import json, resource, sys, time
start = time.perf_counter()
from reclaim.store.database import create_database_engine
from reclaim.store.banks import active_signal_table
engine = create_database_engine(sys.argv[1])
table = active_signal_table(engine)
read = time.perf_counter()
from reclaim.bank.index import HammingIndex
index = HammingIndex(table.pdq_hashes)
built = time.perf_counter()
index.search(table.pdq_hashes[:1], max_distance=31)
first = time.perf_counter()
print(json.dumps({"entries": len(table.entry_ids), "read_s": read - start, "build_s": built - read,
                  "first_query_s": first - built,
                  "max_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def fill(url: str, entries: int, seed: int = 7) -> None:
    from sqlalchemy import insert

    from reclaim.store.cases import create_case
    from reclaim.store.database import create_database_engine
    from reclaim.store.migrate import upgrade_to_head
    from reclaim.store.models import Bank, BankEntry

    engine = create_database_engine(url)
    upgrade_to_head(engine)
    now = datetime.now(UTC)
    create_case(engine, case_id="bench", title="bench", created_at=now, actor="bench")
    rng = np.random.default_rng(seed)
    batch = 200_000
    with engine.begin() as connection:
        bank_id = connection.execute(Bank.__table__.select().where(Bank.case_id == "bench")).one().id
    for start in range(0, entries, batch):
        count = min(batch, entries - start)
        hashes = rng.integers(0, 256, size=(count, 32), dtype=np.uint8)
        rows = [
            {
                "bank_id": bank_id,
                "case_id": "bench",
                "item_id": str(uuid.UUID(int=start + i)),
                "signal_type": "pdq",
                "value": row.tobytes().hex(),
                "value_fingerprint": f"{start + i:064x}",
                "quality": 100,
                "status": "active",
                "submitted_by": "bench",
                "submitted_at": now,
                "attestation": "self",
                "source_kind": "own-file",
                "source": "bench",
                "updated_at": now,
            }
            for i, row in enumerate(hashes)
        ]
        with engine.begin() as connection:
            connection.execute(insert(BankEntry), rows)
        print(f"  filled {start + count:,} / {entries:,}", file=sys.stderr, flush=True)
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--entries", type=int, default=10_000_000)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    url = args.database_url
    if not url:
        DATA.mkdir(exist_ok=True)
        path = DATA / f"bank-{args.entries}.sqlite3"
        url = f"sqlite:///{path}"
        if not path.exists():
            print(f"filling {path} ...", file=sys.stderr)
            fill(url, args.entries)
    results = []
    for _ in range(args.repeat):
        run = subprocess.run(
            [sys.executable, "-c", MEASURE, url], capture_output=True, text=True, check=True, env=os.environ
        )
        results.append(json.loads(run.stdout))
    best = min(results, key=lambda r: r["read_s"] + r["build_s"])
    per_entry_ns = (best["read_s"] + best["build_s"]) / best["entries"] * 1e9
    print(json.dumps({**best, "per_entry_ns": round(per_entry_ns), "runs": results}, indent=1))


if __name__ == "__main__":
    main()
