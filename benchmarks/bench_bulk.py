"""Bulk scans: photos/s on 1 and 2 executors against `reclaim scan folder`, and bank-match-only throughput.

    python benchmarks/bench_bulk.py --photos 5000                  # the issue's sizes (long)
    python benchmarks/bench_bulk.py --photos 200 --side 640 --bank-entries 100000 --stored-hashes 200000

Parts (``--parts scan,match,memory``):

- ``scan``: makes ``--photos`` photos from scikit-image's public samples (random crops, turns
  and scales, ``--side`` pixels on the long side; 0 keeps the crop's own size), protects a few in
  a fresh home, then times on the same photos: `reclaim scan folder --workers N` (the peer),
  `reclaim bulk scan --engine local --workers N` and `--engine spark --master local[N]`, N = 1, 2
  (``--runs`` picks some). Each run is its own `reclaim` process and gets a fresh copy of the
  home, so none resumes another; Spark's times include starting its JVM.
- ``match``: `bulk match` alone against ``--bank-entries`` random PDQ entries, through the
  job's own partition function on 1 and 2 processes (one core each): ``--stored-hashes`` rows
  holding a PDQ hash only (a platform's own store; one process matches ``1/--single-share`` of
  them, for its per-core rate), and ``--view-rows`` rows with as many views as a real photo has
  (a `--hash-only` output). 1 % of the rows are near copies of bank entries. Rows are made
  inside each worker and only the matching is timed.
- ``memory``: what one executor holds for a bank of ``--bank-entries``: the broadcast table
  (pickled, as Spark ships it) and the snapshot built from it (resident memory growth).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import pickle
import shutil
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
SAMPLES = ("astronaut", "coffee", "chelsea", "rocket", "hubble_deep_field", "retina", "immunohistochemistry",
           "camera", "moon", "brick", "grass", "gravel", "coins", "clock", "cell", "colorwheel")  # fmt: skip
PROTECTED = 5


def reclaim(*args: str | Path, env: dict[str, str]) -> float:
    """Run one `reclaim` command to its end; its wall time in seconds."""
    start = time.perf_counter()
    run = subprocess.run(
        [sys.executable, "-m", "reclaim", "--lang", "en", *map(str, args)],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=False,
    )
    if run.returncode != 0:
        raise SystemExit(f"reclaim {' '.join(map(str, args))} failed:\n{run.stderr}")
    return time.perf_counter() - start


def make_photos(folder: Path, count: int, side: int, seed: int = 7) -> None:
    from PIL import Image
    from skimage import data

    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    bases = []
    for name in SAMPLES:
        array = np.asarray(getattr(data, name)())
        array = np.stack([array] * 3, -1) if array.ndim == 2 else array[..., :3]
        bases.append(Image.fromarray(array.astype(np.uint8)))
    for number in range(count):
        base = bases[number % len(bases)]
        keep = rng.uniform(0.55, 1.0)
        width, height = round(base.width * keep), round(base.height * keep)
        left, top = (
            int(rng.integers(0, base.width - width + 1)),
            int(rng.integers(0, base.height - height + 1)),
        )
        photo = base.crop((left, top, left + width, top + height)).rotate(
            float(rng.uniform(-8, 8)), expand=True
        )
        if side:
            scale = side / max(photo.size)
            photo = photo.resize((round(photo.width * scale), round(photo.height * scale)))
        buffer = io.BytesIO()
        photo.convert("RGB").save(buffer, "JPEG", quality=int(rng.integers(70, 95)))
        (folder / f"photo-{number:06d}.jpg").write_bytes(buffer.getvalue())


def bench_scan(args: argparse.Namespace) -> dict[str, Any]:
    work = Path(args.work)
    photos = work / f"photos-{args.photos}-{args.side}"
    if not photos.exists():
        make_photos(photos, args.photos, args.side)
    count = len(list(photos.iterdir()))
    template = work / "home-template"
    shutil.rmtree(template, ignore_errors=True)
    env = {"RECLAIM_HOME": str(template), "RECLAIM_ACTOR": "bench", "OPENBLAS_NUM_THREADS": "1"}
    reclaim("init", env=env)
    case = subprocess.run(
        [sys.executable, "-m", "reclaim", "case", "new", "bench", "--json"],
        env={**os.environ, **env}, capture_output=True, text=True, check=True,
    )  # fmt: skip
    case_id = json.loads(case.stdout)["case_id"]
    reclaim("protect", case_id, *sorted(photos.iterdir())[:PROTECTED], "--attest", "self", env=env)
    results: dict[str, Any] = {"photos": count}
    runs = {
        "scan folder": lambda n, out: ("scan", "folder", photos, "--workers", n),
        "bulk local": lambda n, out: ("bulk", "scan", "--input", photos, "--output", out, "--workers", n),
        "bulk spark": lambda n, out: (
            "bulk",
            "scan",
            "--engine",
            "spark",
            "--master",
            f"local[{n}]",
            "--input",
            photos,
            "--output",
            out,
        ),
    }
    chosen = [name.strip() for name in args.runs.split(",")]
    for name, command in runs.items():
        if name not in chosen:
            continue
        for workers in args.workers:
            home = work / "home-run"
            shutil.rmtree(home, ignore_errors=True)
            shutil.copytree(template, home)
            out = work / "out.parquet"
            shutil.rmtree(out, ignore_errors=True) if out.is_dir() else out.unlink(missing_ok=True)
            seconds = reclaim(*command(str(workers), out), env={**env, "RECLAIM_HOME": str(home)})
            results[f"{name} x{workers}"] = {
                "seconds": round(seconds, 2),
                "photos_per_s": round(count / seconds, 2),
            }
            print(
                f"{name:12} {workers} worker(s): {seconds:7.1f} s  {count / seconds:7.2f} photos/s",
                flush=True,
            )
    for workers in args.workers:
        peer = results[f"scan folder x{workers}"]["photos_per_s"]
        for name in ("bulk local", "bulk spark"):
            if f"{name} x{workers}" not in results:
                continue
            ratio = results[f"{name} x{workers}"]["photos_per_s"] / peer
            print(f"{name} / scan folder, {workers} worker(s): {ratio:.2f}x")
    return results


def random_table(entries: int, case_share: float = 0.0, seed: int = 1) -> Any:
    """A bank of random PDQ entries; ``case_share`` of them are protected photos with the bank's
    own views beside their hash (18 crops each, as `reclaim protect` stores them), the rest list
    entries with their hash alone (as an imported StopNCII or ThreatExchange list)."""
    from reclaim.bank.snapshot import SignalTable
    from reclaim.signals.robust import PLAIN_VIA, bank_crops

    rng = np.random.default_rng(seed)
    crops = [name for name, _ in bank_crops(3000, 4000)]
    with_views = rng.random(entries) < case_share
    per_entry = np.where(with_views, 1 + len(crops), 1)
    pdq_rows = np.repeat(np.arange(entries, dtype=np.int64), per_entry)
    vias = [via for count in per_entry for via in ([PLAIN_VIA, *crops] if count > 1 else [PLAIN_VIA])]
    return SignalTable(
        entry_ids=np.arange(1, entries + 1, dtype=np.int64),
        bank_ids=np.ones(entries, np.int32),
        banks={1: ("protected", None)},
        signal_types=["pdq"] * entries,
        qualities=np.full(entries, 100, np.int16),
        pdq_rows=pdq_rows,
        pdq_hashes=rng.integers(0, 256, (pdq_rows.size, 32), dtype=np.uint8),
        pdq_vias=vias,
        texts={},
    )


def view_names() -> list[str]:
    """The views a real photo is stored with by `--hash-only` (their names; hashes are made up)."""
    from skimage import data

    from reclaim.signals.robust import query_views

    return [view.via for view in query_views(np.asarray(data.astronaut()))]


_TABLE: list[Any] = []


def _start_worker(entries: int, case_share: float, cpus: Any) -> None:
    # One core per process, so that "1 process" is one core: the index would otherwise search
    # with a thread per CPU.
    os.sched_setaffinity(0, {cpus.get()})
    _TABLE[:] = [random_table(entries, case_share)]


def _table() -> Any:
    return _TABLE[0]


def stored_rows(seed: int, rows: int, entries: int, vias: list[str]) -> Any:
    """``rows`` stored hash rows, 1 % of them near copies of bank entries (a few bits off).

    With ``vias``, each row has as many views as a real photo (a `--hash-only` output); without,
    only its PDQ, as a platform's own store of PDQ hashes holds it."""
    import pandas as pd

    rng = np.random.default_rng(seed)
    hashes = rng.integers(0, 256, (rows, max(1, len(vias)), 32), dtype=np.uint8)
    near = rng.random(rows) < 0.01
    table = _table()
    own = table.pdq_hashes[np.searchsorted(table.pdq_rows, np.arange(entries))]  # each entry's first row
    for row in np.nonzero(near)[0]:
        hashes[row, 0] = own[int(rng.integers(0, entries))] ^ (rng.random(32) < 0.02).astype(np.uint8)
    views = [
        [
            {"via": via, "timestamp": None, "hash": hashes[row, view].tobytes(), "quality": 100}
            for view, via in enumerate(vias)
        ]
        for row in range(rows)
    ] if vias else None  # fmt: skip
    return pd.DataFrame(
        {
            "id": np.arange(rows) + seed * rows,
            "kind": "image",
            "sha256": [row.tobytes().hex() for row in hashes[:, 0]],  # stands in for a digest
            "md5": None,
            "pdq": [row.tobytes().hex() for row in hashes[:, 0]],
            "pdq_quality": 100,
            "views": views,
            "error": None,
        }
    )


def _match_chunk(seed: int, rows: int, entries: int, vias: list[str]) -> tuple[float, int]:
    """Make ``rows`` stored hash rows here, then time matching them; (seconds, matched rows)."""
    from reclaim.distributed.partition import BankSource, JobOptions, match_partition

    frame = stored_rows(seed, rows, entries, vias)
    source = BankSource("bench", _table)
    start = time.perf_counter()
    [out] = list(match_partition(iter([frame]), source, JobOptions()))
    return time.perf_counter() - start, int(out.loc[out["match_entry"].notna(), "id"].nunique())


def _time_match(
    workers: int, rows: int, chunk: int, args: argparse.Namespace, vias: list[str]
) -> dict[str, Any]:
    import multiprocessing

    entries = args.bank_entries

    cpus = multiprocessing.get_context("fork").Queue()
    for cpu in sorted(os.sched_getaffinity(0))[:workers]:
        cpus.put(cpu)
    chunks = max(1, rows // chunk)
    start_args = (entries, args.case_share, cpus)
    with ProcessPoolExecutor(workers, initializer=_start_worker, initargs=start_args) as pool:
        # The first chunk on each worker also builds its snapshot: timed apart, as the start-up it is.
        warm = list(pool.map(_match_chunk, range(workers), [200] * workers, [entries] * workers,
                             [vias] * workers))  # fmt: skip
        start = time.perf_counter()
        timed = list(pool.map(_match_chunk, range(100, 100 + chunks), [chunk] * chunks,
                              [entries] * chunks, [vias] * chunks))  # fmt: skip
        wall = time.perf_counter() - start
    busy = sum(seconds for seconds, _ in timed)
    total = chunks * chunk
    return {
        "rows": total,
        "rows_per_s": round(total / max(busy / workers, 1e-9), 1),
        "rows_per_core_s": round(total / busy, 1),
        "matching_s": round(busy / workers, 1),
        "wall_with_row_making_s": round(wall, 1),
        "first_chunk_with_snapshot_s": round(max(seconds for seconds, _ in warm), 2),
        "matched_rows": sum(found for _, found in timed),
    }


def bench_match(args: argparse.Namespace) -> dict[str, Any]:
    """Stored PDQ rows (the issue's 10 million) and rows with every view (a `--hash-only` output)."""
    vias = view_names()
    results: dict[str, Any] = {
        "bank_entries": args.bank_entries,
        "case_share": args.case_share,
        "views_per_row": len(vias),
    }
    kinds = {
        "pdq rows": ([], args.stored_hashes, 100_000),
        "view rows": (vias, args.view_rows, 1_000),
    }
    for name, (row_vias, rows, chunk) in kinds.items():
        for workers in args.workers:
            # One process gets a tenth of the plain rows: it only gives the per-core rate.
            count = rows if workers > 1 or row_vias else max(chunk, rows // args.single_share)
            result = _time_match(workers, count, min(chunk, count), args, row_vias)
            results[f"{name} x{workers}"] = result
            print(
                f"bulk match, {name}, {workers} process(es): {result['rows']:,} rows in "
                f"{result['matching_s']:,.1f} s, {result['rows_per_s']:,.0f} rows/s "
                f"({result['rows_per_core_s']:,.0f}/core), {result['matched_rows']} rows matched",
                flush=True,
            )
    return results


def bench_memory(args: argparse.Namespace) -> dict[str, Any]:
    from reclaim.bank.snapshot import BankSnapshot

    def resident() -> int:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")

    table = random_table(args.bank_entries, args.case_share)
    shipped = len(pickle.dumps(table, protocol=pickle.HIGHEST_PROTOCOL))
    before = resident()
    start = time.perf_counter()
    snapshot = BankSnapshot(table)
    built = time.perf_counter() - start
    grown = resident() - before
    del snapshot
    per_million = 1_000_000 / args.bank_entries
    result = {
        "bank_entries": args.bank_entries,
        "broadcast_bytes": shipped,
        "snapshot_resident_growth_bytes": grown,
        "snapshot_build_s": round(built, 2),
        "per_million_entries_mib": {
            "broadcast": round(shipped * per_million / 2**20, 1),
            "snapshot": round(grown * per_million / 2**20, 1),
        },
    }
    mib = 2**20
    print(
        f"bank of {args.bank_entries:,}: broadcast {shipped / mib:.1f} MiB, snapshot +{grown / mib:.1f} MiB"
    )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--photos", type=int, default=5_000)
    parser.add_argument("--side", type=int, default=0, help="long side of the photos; 0: the crop's own size")
    parser.add_argument("--workers", type=lambda text: [int(n) for n in text.split(",")], default=[1, 2])
    parser.add_argument("--bank-entries", type=int, default=1_000_000)
    parser.add_argument("--stored-hashes", type=int, default=10_000_000, help="stored PDQ rows to match")
    parser.add_argument(
        "--case-share", type=float, default=0.0, help="share of bank entries stored with their bank views"
    )
    parser.add_argument("--view-rows", type=int, default=20_000, help="stored rows with every view")
    parser.add_argument("--single-share", type=int, default=10, help="1 process matches 1/N of the PDQ rows")
    parser.add_argument("--runs", default="scan folder,bulk local,bulk spark", help="which scans to time")
    parser.add_argument("--parts", default="scan,match,memory")
    parser.add_argument("--work", default=str(DATA / "bulk"))
    parser.add_argument("--json-out", default=str(DATA / "bench_bulk_results.json"))
    args = parser.parse_args()
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    Path(args.work).mkdir(parents=True, exist_ok=True)
    parts = {"scan": bench_scan, "match": bench_match, "memory": bench_memory}
    results = {name: parts[name](args) for name in args.parts.split(",")}
    results["load_average"] = os.getloadavg()
    Path(args.json_out).write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
