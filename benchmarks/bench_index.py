"""Speed, exactness and memory of reclaim's HammingIndex beside faiss, in one run.

    pip install -e '.[bench]'
    python benchmarks/bench_index.py                    # 1M and 10M hashes, 1 and 2 threads
    python benchmarks/bench_index.py --sizes 100000 --threads 1      # a quick look

Bank: random 256-bit hashes (numpy, seeded, in memory; nothing is written but the results).
Queries: --near copies of bank hashes with 0 to 31 random bits flipped (uniformly), and
--random random hashes; all pairs within --max-distance (31, PDQ's usual threshold) are asked.

Peers (faiss-cpu, same process, same thread count through OpenMP):
- IndexBinaryFlat: exact brute force; its result is the ground truth (checked against numpy
  brute force on a sample of queries).
- IndexBinaryMultiHash configured as Meta's HMA / python-threatexchange PDQ index does
  (PDQMultiHashIndex): 16 tables of 16 bits, nflip = threshold // 16 (1 at 31), queried with
  range_search(queries, threshold + 1) since faiss's binary range search keeps distance < radius.

Flat and ours are timed --rounds times, alternating, and the best of each kept; MultiHash once.
Reported per size and thread count: queries per second (wall clock) and CPU time per query of
each, our speed-up over each,
recall of each against the ground truth (and whether ours returns exactly the same triples),
build seconds, memory per hash, first-call compile time of our kernels (cold and warm cache),
and how our query time grows from the smallest to the largest size.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import faiss
import numpy as np
import numpy.typing as npt

from reclaim.bank import _mih_plan
from reclaim.bank.index import HammingIndex, brute_force_search

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
HMA_TABLES = 16  # python-threatexchange PDQMultiHashIndex(nhash=16): 16 tables of 256 / 16 bits

Pairs = tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int32]]


def resident_bytes() -> int:
    """This process's resident memory (VmRSS), for memory deltas around builds."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def make_data(
    size: int, near: int, random: int, seed: int
) -> tuple[npt.NDArray[np.uint8], npt.NDArray[np.uint8]]:
    rng = np.random.default_rng(seed)
    bank = rng.integers(0, 256, (size, 32), dtype=np.uint8)
    near_queries = bank[rng.integers(0, size, near)].copy()
    bits = np.unpackbits(near_queries, axis=1)
    for row, flips in enumerate(rng.integers(0, 32, near)):
        bits[row, rng.choice(256, flips, replace=False)] ^= 1
    near_queries = np.packbits(bits, axis=1)
    return bank, np.concatenate([near_queries, rng.integers(0, 256, (random, 32), dtype=np.uint8)])


def faiss_pairs(index: Any, queries: npt.NDArray[np.uint8], max_distance: int) -> Pairs:
    limits, distances, labels = index.range_search(queries, max_distance + 1)
    query_rows = np.repeat(np.arange(len(queries), dtype=np.int64), np.diff(limits).astype(np.int64))
    order = np.lexsort((labels, query_rows))
    return query_rows[order], labels.astype(np.int64)[order], distances.astype(np.int32)[order]


def pair_keys(pairs: Pairs) -> set[tuple[int, int, int]]:
    return set(zip(pairs[0].tolist(), pairs[1].tolist(), pairs[2].tolist(), strict=True))


def recall(found: Pairs, truth: Pairs) -> float:
    expected = pair_keys(truth)
    return len(pair_keys(found) & expected) / len(expected) if expected else 1.0


def timed(function: Any, *args: Any) -> tuple[Any, float]:
    start = time.perf_counter()
    result = function(*args)
    return result, time.perf_counter() - start


def timed_cpu(function: Any, *args: Any) -> tuple[Any, float, float]:
    """Result, wall seconds and this process's CPU seconds (all its threads)."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = function(*args)
    return result, time.perf_counter() - wall, time.process_time() - cpu


def compile_seconds() -> dict[str, float]:
    """First search in a fresh process with an empty numba cache, then again with it filled."""
    code = (
        "import time, numpy as np; t = time.perf_counter();"
        "from reclaim.bank.index import HammingIndex;"
        "h = np.random.default_rng(0).integers(0, 256, (1000, 32), dtype=np.uint8);"
        "HammingIndex(h, threads=1).search(h[:10], 31, strategy='tables');"
        "HammingIndex(h, threads=1).search(h[:10], 31, strategy='scan');"
        "print(time.perf_counter() - t)"
    )
    seconds = {}
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "NUMBA_CACHE_DIR": cache}
        for name in ("cold cache", "warm cache"):
            done = subprocess.run(
                [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
            )
            seconds[name] = float(done.stdout.strip())
    return seconds


def bench_size(size: int, args: argparse.Namespace) -> dict[str, Any]:
    bank, queries = make_data(size, args.near, args.random, args.seed)
    distance = args.max_distance
    result: dict[str, Any] = {"entries": size, "queries": len(queries), "builds": {}, "runs": {}}
    print(
        f"\n== {size:,} hashes, {len(queries):,} queries"
        f" ({args.near} near, {args.random} random), distance <= {distance}"
    )

    faiss.omp_set_num_threads(max(args.threads))
    before = resident_bytes()
    (flat, seconds) = timed(lambda: _built(faiss.IndexBinaryFlat(256), bank))
    result["builds"]["faiss Flat"] = {
        "seconds": seconds,
        "bytes_per_hash": (resident_bytes() - before) / size,
    }
    before = resident_bytes()
    (multihash, seconds) = timed(lambda: _built(_hma_multihash(distance), bank))
    result["builds"]["faiss MultiHash (HMA)"] = {
        "seconds": seconds,
        "bytes_per_hash": (resident_bytes() - before) / size,
    }
    before = resident_bytes()
    (ours, seconds) = timed(lambda: HammingIndex(bank, threads=max(args.threads)))
    result["builds"]["reclaim"] = {
        "seconds": seconds,
        "bytes_per_hash": ours.nbytes() / size,
        "rss_bytes_per_hash": (resident_bytes() - before) / size,
        "substring_bits": list(ours.substring_bits),
    }
    for name, build in result["builds"].items():
        print(f"build {name:24s} {build['seconds']:7.2f} s  {build['bytes_per_hash']:6.1f} B/hash")
    print(f"reclaim plan: {len(ours.substring_bits)} substrings of {sorted(set(ours.substring_bits))} bits")

    # Ground truth for a sample of queries, from numpy, to check how faiss's range is bounded.
    sample_rows = set(range(0, len(queries), max(1, len(queries) // 20)))
    picked = np.array(sorted(sample_rows), dtype=np.int64)
    found_in_sample = brute_force_search(bank, queries[picked], distance)
    sample = pair_keys((picked[found_in_sample[0]], found_in_sample[1], found_in_sample[2]))
    for threads in args.threads:
        faiss.omp_set_num_threads(threads)
        ours.threads = threads
        # Flat and ours run --rounds times, alternating, best of each kept: the machine is shared,
        # and a burst of someone else's work should not land on one side only. MultiHash,
        # far slower, runs once.
        flat_runs, our_runs = [], []
        ours.search(queries[:8], distance)  # compiled already; loads the cache into this process
        for _ in range(args.rounds):
            truth, *flat_time = timed_cpu(faiss_pairs, flat, queries, distance)
            flat_runs.append(flat_time)
            found, *our_time = timed_cpu(ours.search, queries, distance)
            our_runs.append(our_time)
        multi, *multi_time = timed_cpu(faiss_pairs, multihash, queries, distance)
        flat_seconds, flat_cpu = min(flat_runs)
        our_seconds, our_cpu = min(our_runs)
        multi_seconds, multi_cpu = multi_time
        truth_keys = pair_keys(truth)
        assert sample == {key for key in truth_keys if key[0] in sample_rows}, "Flat differs from numpy"
        exact = all(np.array_equal(a, b) for a, b in zip(found, truth, strict=True))
        run = {
            "faiss Flat": {"seconds": flat_seconds, "cpu_seconds": flat_cpu, "recall": 1.0},
            "faiss MultiHash (HMA)": {
                "seconds": multi_seconds,
                "cpu_seconds": multi_cpu,
                "recall": recall(multi, truth),
            },
            "reclaim": {
                "seconds": our_seconds,
                "cpu_seconds": our_cpu,
                "recall": recall(found, truth),
                "exact": exact,
            },
            "pairs": len(truth_keys),
        }
        for name in ("faiss Flat", "faiss MultiHash (HMA)", "reclaim"):
            run[name]["qps"] = len(queries) / run[name]["seconds"]
            run[name]["us_per_query"] = run[name]["seconds"] / len(queries) * 1e6
            run[name]["cpu_us_per_query"] = run[name]["cpu_seconds"] / len(queries) * 1e6
        run["speedup vs Flat"] = run["reclaim"]["qps"] / run["faiss Flat"]["qps"]
        run["speedup vs MultiHash"] = run["reclaim"]["qps"] / run["faiss MultiHash (HMA)"]["qps"]
        result["runs"][threads] = run
        print(f"-- {threads} thread(s); {len(truth_keys):,} pairs within {distance}")
        for name in ("faiss Flat", "faiss MultiHash (HMA)", "reclaim"):
            row = run[name]
            print(
                f"{name:24s} {row['qps']:10.0f} q/s {row['us_per_query']:9.1f} us/query"
                f" (CPU {row['cpu_us_per_query']:9.1f})  recall {row['recall']:.4f}"
            )
        print(f"reclaim exactly equal to Flat (same triples, same order): {exact}")
        print(f"speed-up: {run['speedup vs Flat']:.1f}x Flat, {run['speedup vs MultiHash']:.1f}x MultiHash")
        cpu_ratio = run["faiss Flat"]["cpu_seconds"] / run["reclaim"]["cpu_seconds"]
        print(f"CPU time per query, Flat / reclaim: {cpu_ratio:.1f}x")
    return result


def _built(index: Any, bank: npt.NDArray[np.uint8]) -> Any:
    index.add(bank)
    return index


def _hma_multihash(max_distance: int) -> Any:
    index = faiss.IndexBinaryMultiHash(256, HMA_TABLES, 256 // HMA_TABLES)
    index.nflip = max_distance // HMA_TABLES
    return index


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--near", type=int, default=1000)
    parser.add_argument("--random", type=int, default=1000)
    parser.add_argument("--max-distance", type=int, default=31)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--rounds", type=int, default=2, help="timed runs of Flat and ours (best kept)")
    parser.add_argument("--json-out", type=Path, default=DATA / "bench_index_results.json")
    args = parser.parse_args()
    print("load average before: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    print(f"numpy {np.__version__}, faiss {faiss.__version__}, python {sys.version.split()[0]}")
    results: dict[str, Any] = {"compile_seconds": compile_seconds(), "sizes": []}
    print("first search in a new process: {cold cache:.1f} s cold cache, {warm cache:.1f} s warm".format(
        **results["compile_seconds"]))  # fmt: skip
    for size in args.sizes:
        results["sizes"].append(bench_size(size, args))
    small, large = results["sizes"][0], results["sizes"][-1]
    if len(results["sizes"]) > 1:
        print(f"\n== growth from {small['entries']:,} to {large['entries']:,} hashes (us/query)")
        for threads in args.threads:
            for name in ("faiss Flat", "faiss MultiHash (HMA)", "reclaim"):
                before, after = small["runs"][threads][name], large["runs"][threads][name]
                print(f"{threads} thread(s) {name:24s} x{after['us_per_query'] / before['us_per_query']:.2f}")

        # The cost model (probes + candidates per query) with the plan each size would get.
        def model(entries: int) -> float:
            return _mih_plan.search_cost(
                _mih_plan.plan_substring_lengths(entries), args.max_distance, entries
            )

        for entries in (small["entries"], large["entries"], 100_000_000):
            print(f"model cost at {entries:>11,}: {model(entries):8.0f} probes + candidates per query")
        results["model_cost"] = {str(n): model(n) for n in (small["entries"], large["entries"], 100_000_000)}
    print("load average after: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    args.json_out.parent.mkdir(parents=True, exist_ok=True)
    args.json_out.write_text(json.dumps(results, indent=1, default=str))


if __name__ == "__main__":
    main()
