"""The HTTP API under load: `GET /v1/match` on a large bank in PostgreSQL, from another process.

    python benchmarks/bench_api.py                          # 10 M entries (loaded once, ~3 min)
    python benchmarks/bench_api.py --entries 100000 --duration 10    # a quick look
    python benchmarks/bench_api.py --hma                    # beside HMA's GET /m/raw_lookup

Set-up, reused between runs (keyed by size): a Reclaim home in `benchmarks/data/bench_api/`
(`reclaim init` against PostgreSQL schema `bench_api_<size>` of database `test`, so the real
migrations run), 1,000 cases made through the store code, then N bank entries bulk-loaded with
COPY through psycopg: random PDQ hashes (95 % of quality 60-100, 5 % under 50, matched only on
request) with provenance as `reclaim protect` writes it, and for one item in 50 its MD5 and
SHA-256 as well.

The run: the real `reclaim serve --workers 2` as a subprocess (the machine's 2 cores), ready once
every worker holds the bank (`/readyz`); a platform token from `reclaim token create`; a
correctness check (matching queries return the expected entry at the expected distance, others
return nothing, PDQ and digests); then load from `wrk` (Debian's, `apt-get install wrk`) with a
Lua script that cycles through 20,000 queries: 45 % near copies of bank hashes (0-24 bits
flipped), 45 % random PDQ hashes, 10 % MD5/SHA-256 (half of them in the bank). Without wrk, a
Python load generator (processes of raw keep-alive HTTP/1.1 connections) takes its place. The
load is bounded by `--requests` and `--duration`, after a warm-up that is not counted.

Reported: requests/s, p50 and p99 latency, errors, the server's CPU per request, memory (RSS)
per worker, and the time until every worker had the bank loaded. `--hma` does the same against
HMA (OpenMediaMatch) installed in `--hma-venv`, over the same hashes (see benchmarks/README.md).
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import itertools
import json
import multiprocessing
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

import numpy as np

HERE = Path(__file__).resolve().parent
DATA = HERE / "data" / "bench_api"
sys.path.insert(0, str(HERE.parent / "src"))

CONNINFO = "host=127.0.0.1 port=5432 user=postgres dbname=test"
CASES = 1000
DIGEST_EVERY = 50  # one item in 50 also has its MD5 and SHA-256 in the bank
LOW_QUALITY_SHARE = 0.05
QUERIES = 20_000
MAX_FLIPPED_BITS = 24  # near copies stay well inside the 31-bit threshold
WRK = shutil.which("wrk")
MIN_AVAILABLE_MIB = 2048


@dataclass(frozen=True)
class BankPlace:
    """Where a bank of ``entries`` lives: its PostgreSQL schema and the Reclaim home over it."""

    entries: int
    schema: str
    url: str
    home: Path

    @property
    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "RECLAIM_HOME": str(self.home),
            "RECLAIM_DATABASE_URL": self.url,
            "RECLAIM_ACTOR": "bench-api",
            "RECLAIM_PASSPHRASE": "bench-api-passphrase",
            "LANG": "C.UTF-8",
        }


@dataclass(frozen=True)
class Query:
    path: str  # /v1/match?signal_type=...&signal=...
    signal_type: str
    signal: str
    expected: int | None  # the entry id it must match, None for no match
    distance: int


def size_label(entries: int) -> str:
    for unit, scale in (("m", 1_000_000), ("k", 1_000)):
        if entries >= scale and entries % scale == 0:
            return f"{entries // scale}{unit}"
    return str(entries)


def bank_place(entries: int, conninfo: str) -> BankPlace:
    import psycopg

    schema = f"bench_api_{size_label(entries)}"
    with psycopg.connect(conninfo) as probe:
        info = probe.info
        url = (
            f"postgresql+psycopg://{info.user}@{info.host}:{info.port}/{info.dbname}"
            f"?options=-csearch_path%3D{schema}"
        )
    return BankPlace(entries, schema, url, DATA / schema / "home")


# --- the bank ---------------------------------------------------------------------------------


def ensure_bank(place: BankPlace, conninfo: str, seed: int) -> None:
    """Reuse the bank when a finished load of this size is there; otherwise build it afresh."""
    import psycopg
    from psycopg import sql

    marker = place.home.parent / "loaded.json"
    with psycopg.connect(conninfo, autocommit=True) as admin:
        if marker.is_file() and json.loads(marker.read_text())["entries"] == place.entries:
            present = admin.execute(
                "SELECT count(*) FROM information_schema.tables WHERE table_schema = %s "
                "AND table_name = 'bank_entries'",
                (place.schema,),
            ).fetchone()
            if present and present[0]:
                count = admin.execute(
                    sql.SQL("SELECT count(*) FROM {}.bank_entries").format(sql.Identifier(place.schema))
                ).fetchone()
                if count and count[0] == place.entries:
                    print(
                        f"reusing the {place.entries:,}-entry bank in schema {place.schema}", file=sys.stderr
                    )
                    # Upgrades the schema when the code has new migrations since the load.
                    run_reclaim(place, "init", "--json")
                    return
        print(f"building a {place.entries:,}-entry bank in schema {place.schema}", file=sys.stderr)
        admin.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(place.schema)))
        admin.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(place.schema)))
    marker.unlink(missing_ok=True)
    shutil.rmtree(place.home, ignore_errors=True)
    place.home.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    # `reclaim init` runs the migrations, makes the signing key and the installation row.
    run_reclaim(place, "init", "--json")
    bank_ids = create_cases(place)
    copy_entries(place, conninfo, bank_ids, seed)
    load_s = time.perf_counter() - started
    marker.write_text(json.dumps({"entries": place.entries, "seed": seed, "load_s": round(load_s, 1)}))
    print(f"  bank ready in {load_s:.0f} s", file=sys.stderr)


def create_cases(place: BankPlace) -> list[int]:
    """CASES cases through the store code (each with its bank and its audit event)."""
    from sqlalchemy import select

    from reclaim.store.cases import case_bank_name, create_case
    from reclaim.store.database import create_database_engine
    from reclaim.store.models import Bank

    engine = create_database_engine(place.url)
    now = datetime.now(UTC)
    try:
        for number in range(CASES):
            create_case(
                engine, case_id=f"bench{number:04d}", title="bench", created_at=now, actor="bench-api"
            )
        with engine.connect() as connection:
            names = {name: bank_id for name, bank_id in connection.execute(select(Bank.name, Bank.id))}
    finally:
        engine.dispose()
    return [names[case_bank_name(f"bench{number:04d}")] for number in range(CASES)]


def copy_entries(place: BankPlace, conninfo: str, bank_ids: Sequence[int], seed: int) -> None:
    """Stream the entries into bank_entries with COPY, in the order the ids will be given."""
    import psycopg
    from psycopg import sql

    from reclaim.bank.entries import value_fingerprint

    rng = np.random.default_rng(seed)
    now = datetime.now(UTC).isoformat()
    columns = (
        "bank_id case_id item_id signal_type value value_fingerprint quality status submitted_by "
        "submitted_at attestation source_kind source updated_at"
    ).split()
    copy = sql.SQL("COPY {}.bank_entries ({}) FROM STDIN").format(
        sql.Identifier(place.schema), sql.SQL(", ").join(map(sql.Identifier, columns))
    )
    batch = 100_000
    written = 0
    item = 0
    started = time.perf_counter()
    with psycopg.connect(conninfo) as connection, connection.cursor() as cursor:
        # The secondary indexes are dropped for the load and made again from their own
        # definitions afterwards: one sorted build each instead of 10 M random inserts.
        indexes = cursor.execute(
            "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x "
            "JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid "
            "JOIN pg_namespace n ON n.oid = t.relnamespace "
            "WHERE n.nspname = %s AND t.relname = 'bank_entries' "
            "AND NOT x.indisprimary AND NOT x.indisunique",
            (place.schema,),
        ).fetchall()
        for name, _ in indexes:
            cursor.execute(
                sql.SQL("DROP INDEX {}.{}").format(sql.Identifier(place.schema), sql.Identifier(name))
            )
        with cursor.copy(copy) as stream:
            while written < place.entries:
                count = min(batch, place.entries - written)
                hashes = rng.integers(0, 256, size=(count, 32), dtype=np.uint8)
                qualities = np.where(
                    rng.random(count) < LOW_QUALITY_SHARE,
                    rng.integers(0, 50, count),
                    rng.integers(60, 101, count),
                )
                item_bytes = rng.integers(0, 256, size=(count, 16), dtype=np.uint8)
                lines: list[str] = []
                for row in range(count):
                    if len(lines) + written >= place.entries:
                        break
                    case = item % CASES
                    item_hex = item_bytes[row].tobytes().hex()
                    item_id = (
                        f"{item_hex[:8]}-{item_hex[8:12]}-{item_hex[12:16]}-{item_hex[16:20]}-{item_hex[20:]}"
                    )
                    provenance = (
                        f"active\tcaseworker-{case % 37}\t{now}\t{'self' if case % 3 else 'on-behalf'}\t"
                        f"{'own-file' if case % 4 else 'found-copy'}\tthis device\t{now}"
                    )
                    signals = [("pdq", hashes[row].tobytes().hex(), str(qualities[row]))]
                    if item % DIGEST_EVERY == 0:
                        digest = hashes[row].tobytes()[::-1]
                        signals += [("md5", digest[:16].hex(), "\\N"), ("sha256", digest.hex(), "\\N")]
                    for signal_type, value, quality in signals:
                        lines.append(
                            f"{bank_ids[case]}\tbench{case:04d}\t{item_id}\t{signal_type}\t{value}\t"
                            f"{value_fingerprint(signal_type, value)}\t{quality}\t{provenance}\n"
                        )
                    item += 1
                lines = lines[: place.entries - written]
                stream.write("".join(lines))
                written += len(lines)
                rate = written / (time.perf_counter() - started)
                print(
                    f"  copied {written:,} / {place.entries:,} ({rate:,.0f}/s)", file=sys.stderr, flush=True
                )
        print(f"  indexing ({len(indexes)} indexes) ...", file=sys.stderr, flush=True)
        cursor.execute("SET maintenance_work_mem = '1GB'")
        for _, definition in indexes:
            cursor.execute(definition)
        cursor.execute(sql.SQL("ANALYZE {}.bank_entries").format(sql.Identifier(place.schema)))
        connection.commit()
    record_load(place)


def record_load(place: BankPlace) -> None:
    """The bulk load, on the audit trail like every write (not a bank.* event: followers skip it)."""
    from sqlalchemy.orm import Session

    from reclaim.store.audit import record_audit_event
    from reclaim.store.database import create_database_engine

    engine = create_database_engine(place.url)
    try:
        with Session(engine) as session, session.begin():
            record_audit_event(
                session,
                actor="bench-api",
                action="bench.bulk-load",
                case_id=None,
                detail={"entries": place.entries},
            )
    finally:
        engine.dispose()


# --- queries ----------------------------------------------------------------------------------


def make_queries(place: BankPlace, conninfo: str, seed: int) -> list[Query]:
    """QUERIES queries over entries sampled from the database: near copies, strangers, digests."""
    import psycopg
    from psycopg import sql

    rng = np.random.default_rng(seed + 1)
    with psycopg.connect(conninfo) as connection:
        top = connection.execute(
            sql.SQL("SELECT max(id) FROM {}.bank_entries").format(sql.Identifier(place.schema))
        ).fetchone()
        assert top and top[0]
        ids = np.unique(rng.integers(1, top[0] + 1, size=min(QUERIES * 2, place.entries)))
        rows = connection.execute(
            sql.SQL(
                "SELECT id, signal_type, value, quality FROM {}.bank_entries WHERE id = ANY(%s) AND "
                "status = 'active' AND (signal_type <> 'pdq' OR quality >= 50) ORDER BY id"
            ).format(sql.Identifier(place.schema)),
            (ids.tolist(),),
        ).fetchall()
        if len([row for row in rows if row[1] != "pdq"]) < 20:
            rows += connection.execute(
                sql.SQL(
                    "SELECT id, signal_type, value, quality FROM {}.bank_entries "
                    "WHERE signal_type <> 'pdq' ORDER BY id LIMIT 200"
                ).format(sql.Identifier(place.schema))
            ).fetchall()
    pdq = [(entry_id, value) for entry_id, kind, value, _ in rows if kind == "pdq"]
    digests = [(entry_id, kind, value) for entry_id, kind, value, _ in rows if kind != "pdq"]
    queries: list[Query] = []
    for number in range(QUERIES):
        share = number % 20
        if share < 9:  # a near copy of a bank entry
            entry_id, value = pdq[int(rng.integers(len(pdq)))]
            flipped = int(rng.integers(0, MAX_FLIPPED_BITS + 1))
            queries.append(pdq_query(flip_bits(value, flipped, rng), entry_id, flipped))
        elif share < 18:  # a stranger
            queries.append(pdq_query(rng.integers(0, 256, 32, dtype=np.uint8).tobytes().hex(), None, 0))
        else:
            entry_id, kind, value = digests[int(rng.integers(len(digests)))]
            if share == 19:
                value, entry_id = rng.integers(0, 256, len(value) // 2, dtype=np.uint8).tobytes().hex(), None
            queries.append(Query(match_path(kind, value), kind, value, entry_id, 0))
    order = rng.permutation(len(queries))
    return [queries[i] for i in order]


def flip_bits(value: str, count: int, rng: np.random.Generator) -> str:
    bits = np.unpackbits(np.frombuffer(bytes.fromhex(value), dtype=np.uint8))
    bits[rng.choice(256, size=count, replace=False)] ^= 1
    return np.packbits(bits).tobytes().hex()


def pdq_query(value: str, expected: int | None, distance: int) -> Query:
    return Query(match_path("pdq", value), "pdq", value, expected, distance)


def match_path(signal_type: str, value: str) -> str:
    return "/v1/match?" + urlencode({"signal_type": signal_type, "signal": value})


# --- the server -------------------------------------------------------------------------------


def run_reclaim(place: BankPlace, *args: str) -> str:
    run = subprocess.run(
        [sys.executable, "-m", "reclaim", *args], env=place.env, capture_output=True, text=True, check=False
    )
    if run.returncode:
        raise SystemExit(f"reclaim {' '.join(args)} failed:\n{run.stderr}")
    return run.stdout


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    port: int
    ready_s: float

    def workers(self) -> list[int]:
        """The uvicorn worker processes (multiprocessing spawns them; its resource tracker is not one)."""
        pids = []
        for child in children(self.process.pid):
            cmdline = Path(f"/proc/{child}/cmdline").read_bytes().replace(b"\0", b" ")
            if b"resource_tracker" not in cmdline:
                pids.append(child)
        return pids


def children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        found += [int(child) for child in text]
    return found


def start_server(
    command: Sequence[str], env: dict[str, str], *, port: int, ready_path: str, workers: int, log: Path
) -> Server:
    """Start ``command``; ready when ``ready_path`` answered 200 on 4 x workers fresh connections in a row."""
    started = time.perf_counter()
    with log.open("wb") as sink:
        # A session of its own, so that the memory guard can stop the server with its workers.
        process = subprocess.Popen(
            command, env=env, stdout=sink, stderr=subprocess.STDOUT, start_new_session=True
        )
    threading.Thread(target=guard_memory, args=(process,), daemon=True).start()
    in_a_row = 0
    deadline = time.monotonic() + 1800
    while in_a_row < 4 * workers:
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise SystemExit(f"the server did not become ready:\n{log.read_text()[-3000:]}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", ready_path)
            status = connection.getresponse().status
            connection.close()
        except OSError:
            status = 0
        in_a_row = in_a_row + 1 if status == 200 else 0
        if status != 200:
            time.sleep(0.2)
    return Server(process, port, time.perf_counter() - started)


def available_mib() -> float:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemAvailable:"):
            return int(line.split()[1]) / 1024
    return float("inf")


def guard_memory(process: subprocess.Popen[bytes]) -> None:
    """Stop the server, workers and all, before the machine runs out of memory (it is shared)."""
    while process.poll() is None:
        if available_mib() < MIN_AVAILABLE_MIB:
            print(
                f"\nless than {MIN_AVAILABLE_MIB:,} MiB of memory left: stopping the server", file=sys.stderr
            )
            os.killpg(process.pid, signal.SIGKILL)
            return
        time.sleep(0.25)


def stop_server(server: Server) -> None:
    if server.process.poll() is not None:
        return
    os.killpg(server.process.pid, signal.SIGTERM)
    try:
        server.process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(server.process.pid, signal.SIGKILL)


def memory_mib(pid: int) -> tuple[float, float]:
    """(VmRSS, VmHWM) of ``pid`` in MiB."""
    fields = dict(
        line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line
    )
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def cpu_seconds(pids: Sequence[int]) -> float:
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


# --- correctness --------------------------------------------------------------------------------


def check_answers(port: int, token: str, queries: Sequence[Query], *, hma: bool = False) -> int:
    """Every sampled query gets the answer the bank implies; returns how many were checked."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {} if hma else {"Authorization": f"Bearer {token}"}
    checked = 0
    for query in queries:
        if hma and query.signal_type != "pdq":
            continue
        path = hma_path(query) if hma else query.path
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        body = response.read()
        assert response.status == 200, (path, response.status, body[:300])
        found = (
            hma_found(body) if hma else {m["entry_id"]: m["distance"] for m in json.loads(body)["matches"]}
        )
        if query.expected is None:
            assert not found, (path, found)
        else:
            assert query.expected in found, (path, query.expected, found)
            assert hma or found[query.expected] == query.distance, (path, query.distance, found)
        checked += 1
    connection.close()
    return checked


# --- load ---------------------------------------------------------------------------------------

WRK_SCRIPT = r"""
-- Cycles through the query paths (one per line of the file given as first argument);
-- a thread stops after its share of the request budget (second argument).
local threads = {}
local paths = {}
local position = 0
local limit = 0
local answered = 0

function setup(thread)
  thread:set("offset", #threads * 7919)
  table.insert(threads, thread)
end

function init(args)
  for line in io.lines(args[1]) do paths[#paths + 1] = line end
  limit = tonumber(args[2])
  position = offset % #paths
  if args[3] ~= nil and args[3] ~= "" then wrk.headers["Authorization"] = "Bearer " .. args[3] end
end

function request()
  position = position % #paths + 1
  return wrk.format("GET", paths[position])
end

function response(status, headers, body)
  answered = answered + 1
  if answered >= limit then wrk.thread:stop() end
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '\nRESULT {"requests": %d, "duration_s": %.3f, "connect": %d, "read": %d, "write": %d, ' ..
    '"status": %d, "timeout": %d, "p50_ms": %.3f, "p90_ms": %.3f, "p99_ms": %.3f, "max_ms": %.3f}\n',
    summary.requests, summary.duration / 1e6, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000))
end
"""


@dataclass
class LoadResult:
    requests: int
    seconds: float
    errors: int
    p50_ms: float
    p99_ms: float
    client_cpu_s: float
    tool: str

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds


def run_load(
    port: int, paths: Sequence[str], token: str, *, connections: int, duration: float, requests: int
) -> LoadResult:
    if WRK:
        return wrk_load(port, paths, token, connections=connections, duration=duration, requests=requests)
    return python_load(port, paths, token, connections=connections, duration=duration, requests=requests)


def wrk_load(
    port: int, paths: Sequence[str], token: str, *, connections: int, duration: float, requests: int
) -> LoadResult:
    assert WRK
    with tempfile.TemporaryDirectory(prefix="bench_api_") as work:
        script, queries = Path(work) / "match.lua", Path(work) / "paths.txt"
        script.write_text(WRK_SCRIPT)
        queries.write_text("\n".join(paths) + "\n")
        threads = 1  # one client thread: the client shares the server's 2 cores
        before = os.times()
        run = subprocess.run(
            [
                WRK,
                "-t",
                str(threads),
                "-c",
                str(connections),
                "-d",
                f"{duration:.0f}s",
                "--timeout",
                "5s",
                "-s",
                str(script),
                f"http://127.0.0.1:{port}",
                "--",
                str(queries),
                str(requests // threads),
                token,
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        after = os.times()
    [line] = [line for line in run.stdout.splitlines() if line.startswith("RESULT ")]
    result = json.loads(line.removeprefix("RESULT "))
    errors = sum(result[key] for key in ("connect", "read", "write", "status", "timeout"))
    client_cpu = (after.children_user + after.children_system) - (
        before.children_user + before.children_system
    )
    return LoadResult(
        result["requests"],
        result["duration_s"],
        errors,
        result["p50_ms"],
        result["p99_ms"],
        client_cpu,
        "wrk",
    )


def python_load(
    port: int, paths: Sequence[str], token: str, *, connections: int, duration: float, requests: int
) -> LoadResult:
    """The fallback: 2 processes of asyncio keep-alive connections, each parsing Content-Length."""
    processes = 2
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    before = time.perf_counter()
    workers = [
        context.Process(
            target=python_load_worker,
            kwargs={
                "port": port,
                "paths": list(paths),
                "offset": number * 104_729,
                "token": token,
                "connections": max(1, connections // processes),
                "duration": duration,
                "requests": requests // processes,
                "results": results,
            },
        )
        for number in range(processes)
    ]
    for worker in workers:
        worker.start()
    answers = [results.get(timeout=duration + 300) for _ in workers]
    for worker in workers:
        worker.join()
    seconds = max(answer["seconds"] for answer in answers) or (time.perf_counter() - before)
    latencies = np.concatenate([np.frombuffer(answer["latencies"], dtype=np.float64) for answer in answers])
    return LoadResult(
        len(latencies),
        seconds,
        sum(answer["errors"] for answer in answers),
        float(np.percentile(latencies, 50)) * 1000 if len(latencies) else 0.0,
        float(np.percentile(latencies, 99)) * 1000 if len(latencies) else 0.0,
        sum(answer["cpu_s"] for answer in answers),
        "python",
    )


def python_load_worker(
    *,
    port: int,
    paths: list[str],
    offset: int,
    token: str,
    connections: int,
    duration: float,
    requests: int,
    results: multiprocessing.Queue[dict[str, object]],
) -> None:
    latencies: list[float] = []
    errors = 0
    auth = f"Authorization: Bearer {token}\r\n" if token else ""
    encoded = [f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{auth}\r\n".encode() for path in paths]
    deadline = time.perf_counter() + duration

    async def connection(offset: int) -> None:
        nonlocal errors
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        position = offset
        while len(latencies) < requests and time.perf_counter() < deadline:
            position = (position + 1) % len(encoded)
            sent = time.perf_counter()
            writer.write(encoded[position])
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                if line[:15].lower() == b"content-length:":
                    length = int(line[15:])
            await reader.readexactly(length)
            latencies.append(time.perf_counter() - sent)
            if not head.startswith(b"HTTP/1.1 200"):
                errors += 1
        writer.close()

    async def main() -> None:
        await asyncio.gather(*(connection(offset + number * 7919) for number in range(connections)))

    started = time.perf_counter()
    asyncio.run(main())
    seconds = time.perf_counter() - started
    usage = os.times()
    results.put(
        {
            "latencies": np.array(latencies, dtype=np.float64).tobytes(),
            "errors": errors,
            "seconds": seconds,
            "cpu_s": usage.user + usage.system,
        }
    )


# --- one side of the race -----------------------------------------------------------------------


@dataclass
class Run:
    label: str
    load: LoadResult
    server_cpu_s: float


@dataclass
class SideResult:
    name: str
    runs: list[Run]
    rss_mib: list[float]
    peak_mib: list[float]
    ready_s: float
    primed_s: float
    checked: int
    note: str = ""


def measure(
    name: str,
    server: Server,
    loads: Sequence[tuple[str, Sequence[str], str]],
    args: argparse.Namespace,
    check: Callable[[], int],
) -> SideResult:
    """Each of ``loads`` (label, paths, token) after a warm-up, with the answers checked before and after."""
    workers = server.workers()
    primed_s = prime(server.port, loads[0][1], loads[0][2])
    print(f"  first searches done (index tables built) after {primed_s:.1f} s more", file=sys.stderr)
    checked = check()
    runs = []
    for label, paths, token in loads:
        warm_up(server.port, paths, token, args)
        cpu_before = cpu_seconds(workers)
        load = run_load(
            server.port,
            paths,
            token,
            connections=args.connections,
            duration=args.duration,
            requests=args.requests,
        )
        runs.append(Run(label, load, cpu_seconds(workers) - cpu_before))
        print(f"  {name} {label}: {load.per_second:,.0f} req/s, p99 {load.p99_ms:.2f} ms", file=sys.stderr)
    checked += check()
    memory = [memory_mib(pid) for pid in workers]
    return SideResult(
        name,
        runs,
        [rss for rss, _ in memory],
        [peak for _, peak in memory],
        server.ready_s,
        primed_s,
        checked,
    )


def prime(port: int, paths: Sequence[str], token: str) -> float:
    """One request at a time, on fresh connections, until the last 20 took alike (none over
    3x their median). Returns the seconds it took.

    Each worker builds its index tables on its first search, and today every search that comes
    before they are built builds them too (no lock in `HammingIndex._tables`): under load at
    10 M entries that is a GiB per request in flight. One at a time, each worker builds once.
    """
    started = time.perf_counter()
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    recent: list[float] = []
    for path in itertools.cycle(paths):
        if len(recent) >= 20 and max(recent[-20:]) < 3 * float(np.median(recent[-20:])):
            break
        if time.perf_counter() - started > 900:
            break
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=900)
        sent = time.perf_counter()
        connection.request("GET", path, headers=headers)
        connection.getresponse().read()
        connection.close()
        recent.append(time.perf_counter() - sent)
    return time.perf_counter() - started


def warm_up(port: int, paths: Sequence[str], token: str, args: argparse.Namespace) -> None:
    """Load, not counted, until two windows in a row agree within 15 %."""
    previous = 0.0
    for _ in range(8):
        rate = run_load(
            port, paths, token, connections=args.connections, duration=args.warmup, requests=10**9
        ).per_second
        if previous and abs(rate - previous) <= 0.15 * max(rate, previous):
            return
        previous = rate


def reclaim_side(place: BankPlace, queries: Sequence[Query], args: argparse.Namespace) -> SideResult:
    issued = run_reclaim(place, "token", "create", "--role", "platform", "--name", "bench-api", "--json")
    token = json.loads(issued)["token"]
    port = free_port()
    command = [sys.executable, "-m", "reclaim", "serve", "--port", str(port), "--workers", str(args.workers)]
    print(f"starting reclaim serve --workers {args.workers} ...", file=sys.stderr)
    server = start_server(
        command,
        place.env,
        port=port,
        ready_path="/readyz",
        workers=args.workers,
        log=DATA / "reclaim-serve.log",
    )
    print(f"  ready in {server.ready_s:.1f} s", file=sys.stderr)
    sample = list(queries[: args.check])
    paths = [query.path for query in queries]
    loads = [("GET /v1/match, mixed", paths, token)]
    if args.hma:
        loads.append(("GET /v1/match, PDQ only", [q.path for q in queries if q.signal_type == "pdq"], token))
    loads.append(("GET /healthz (floor: no token, no bank)", ["/healthz"], ""))
    try:
        if args.profile:
            profile(server, paths, token, args)
        return measure("reclaim", server, loads, args, lambda: check_answers(port, token, sample))
    finally:
        stop_server(server)


def profile(server: Server, paths: Sequence[str], token: str, args: argparse.Namespace) -> None:
    """py-spy on one worker under load: where a request's time goes."""
    spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    worker = server.workers()[0]
    output = DATA / "profile.txt"
    prime(server.port, paths, token)
    warm_up(server.port, paths, token, args)
    recorder = subprocess.Popen(
        [
            spy,
            "record",
            "-p",
            str(worker),
            "-d",
            str(int(args.duration)),
            "-r",
            "250",
            "-f",
            "raw",
            "-o",
            str(output),
            "--nonblocking",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(1)
    run_load(server.port, paths, token, connections=args.connections, duration=args.duration, requests=10**9)
    recorder.wait()
    summarize_profile(output)


# Leaves where a thread waits for work (the thread pool's idle threads, the loop's poll).
IDLE_LEAVES = ("Condition.wait", "EpollSelector.select", "WorkerThread.run")


def summarize_profile(path: Path) -> None:
    own: dict[str, int] = {}
    inside: dict[str, int] = {}
    total = 0
    for line in path.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        frames = stack.split(";")
        if frames[-1].startswith(IDLE_LEAVES):
            continue
        count = int(count_text)
        total += count
        name, _, place = frames[-1].partition(" (")
        leaf = f"{name} ({place.rsplit('/', 1)[-1]}"
        own[leaf] = own.get(leaf, 0) + count
        for function in {frame.split(" (")[0] for frame in frames}:
            inside[function] = inside.get(function, 0) + count
    print(f"\nprofile of one worker under load, busy samples only ({total:,}; {path}):")
    print("\n| own time | function |\n|---:|---|")
    for name, count in sorted(own.items(), key=lambda item: -item[1])[:15]:
        print(f"| {100 * count / total:.1f} % | `{name}` |")
    print("\n| inclusive | function |\n|---:|---|")
    for name in (
        "caller",
        "valid_token",
        "check",
        "match_hash",
        "match_signal",
        "LiveBank.snapshot",
        "BankSnapshot.match_pdq",
        "HammingIndex.search",
        "serialize_response",
        "run_endpoint_function",
        "run_in_threadpool",
        "solve_dependencies",
        "RequestResponseCycle.send",
        "HTTPConnection.__call__",
    ):
        if name in inside:
            print(f"| {100 * inside[name] / total:.1f} % | `{name}` |")


# --- HMA ----------------------------------------------------------------------------------------

HMA_CONFIG = """
# Written by benchmarks/bench_api.py: HMA as a matcher only, on the benchmark's schema.
from OpenMediaMatch.storage.postgres.impl import DefaultOMMStore
from threatexchange.content_type.photo import PhotoContent
from threatexchange.signal_type.pdq.signal import PdqSignal

DATABASE_URI = {url!r}
PRODUCTION = True
UI_ENABLED = False
ROLE_HASHER = False
ROLE_MATCHER = True
ROLE_CURATOR = False
TASK_FETCHER = False
TASK_INDEXER = False
TASK_INDEX_CACHE = True
INDEX_CACHE_MAX_STALE_SEC = 0
STORAGE_IFACE_INSTANCE = DefaultOMMStore(signal_types=[PdqSignal], content_types=[PhotoContent])
"""


def hma_side(place: BankPlace, queries: Sequence[Query], args: argparse.Namespace) -> SideResult:
    """HMA over the same PDQ entries (content id = our entry id): its own index build and lookup."""
    import psycopg
    from psycopg import sql

    schema = f"bench_hma_{size_label(place.entries)}"
    work = DATA / schema
    work.mkdir(parents=True, exist_ok=True)
    with psycopg.connect(args.conninfo) as probe:
        info = probe.info
        url = (
            f"postgresql+psycopg2://{info.user}@{info.host}:{info.port}/{info.dbname}"
            f"?options=-csearch_path%3D{schema}"
        )
    config = work / "omm_config.py"
    config.write_text(HMA_CONFIG.format(url=url))
    source = args.hma_src / "src"
    env = {**os.environ, "OMM_CONFIG": str(config), "PYTHONPATH": str(source)}
    venv = args.hma_venv / "bin"
    marker = work / "loaded.json"
    if not (marker.is_file() and json.loads(marker.read_text()).get("entries") == place.entries):
        marker.unlink(missing_ok=True)
        with psycopg.connect(args.conninfo, autocommit=True) as admin:
            admin.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))
            admin.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
        subprocess.run(
            [
                str(venv / "flask"),
                "--app",
                "OpenMediaMatch.app",
                "db",
                "upgrade",
                "--directory",
                str(source / "OpenMediaMatch" / "migrations"),
            ],
            env={**env, "MIGRATION_COMMAND": "1"},
            check=True,
            cwd=source,
            capture_output=True,
        )
        started = time.perf_counter()
        with psycopg.connect(args.conninfo) as connection:
            ours, theirs = sql.Identifier(place.schema), sql.Identifier(schema)
            connection.execute(
                sql.SQL("INSERT INTO {}.bank (id, name, enabled_ratio) VALUES (1, 'BENCH', 1.0)").format(
                    theirs
                )
            )
            connection.execute(
                sql.SQL(
                    "INSERT INTO {}.bank_content (id, bank_id, disable_until_ts) "
                    "SELECT id, 1, -1 FROM {}.bank_entries WHERE signal_type = 'pdq' AND status = 'active'"
                ).format(theirs, ours)
            )
            connection.execute(
                sql.SQL(
                    "INSERT INTO {}.content_signal (content_id, signal_type, signal_val) "
                    "SELECT id, 'pdq', value FROM {}.bank_entries "
                    "WHERE signal_type = 'pdq' AND status = 'active'"
                ).format(theirs, ours)
            )
        print(
            f"  HMA tables filled in {time.perf_counter() - started:.0f} s; building its index",
            file=sys.stderr,
        )
        started = time.perf_counter()
        subprocess.run(
            [str(venv / "flask"), "--app", "OpenMediaMatch.app", "build_indices"],
            env=env,
            check=True,
            cwd=source,
            capture_output=True,
        )
        build_s = time.perf_counter() - started
        marker.write_text(json.dumps({"entries": place.entries, "index_build_s": round(build_s, 1)}))
    build_s = json.loads(marker.read_text())["index_build_s"]
    print(f"  HMA index built in {build_s:.0f} s", file=sys.stderr)
    port = free_port()
    command = [
        str(venv / "gunicorn"),
        "--workers",
        str(args.workers),
        "--bind",
        f"127.0.0.1:{port}",
        "--chdir",
        str(source),
        "OpenMediaMatch.app:create_app()",
    ]
    print(f"starting HMA on gunicorn --workers {args.workers} ...", file=sys.stderr)
    server = start_server(
        command, env, port=port, ready_path="/status", workers=args.workers, log=work / "gunicorn.log"
    )
    print(f"  ready in {server.ready_s:.1f} s", file=sys.stderr)
    pdq = [query for query in queries if query.signal_type == "pdq"]
    sample = pdq[: args.check]
    loads = [("GET /m/raw_lookup, PDQ only", [hma_path(query) for query in pdq], "")]
    try:
        result = measure("HMA", server, loads, args, lambda: check_answers(port, "", sample, hma=True))
    finally:
        stop_server(server)
    result.note = f"index build {build_s:.0f} s (`flask build_indices`)"
    return result


def hma_path(query: Query) -> str:
    return "/m/raw_lookup?" + urlencode({"signal_type": "pdq", "signal": query.signal})


def hma_found(body: bytes) -> dict[int, int]:
    """Content ids of a raw_lookup answer (ids alone, or with distances)."""
    matches = json.loads(body)["matches"]
    return {int(m) if isinstance(m, int) else int(m["bank_content_id"]): 0 for m in matches}


# --- the report ---------------------------------------------------------------------------------


def report(
    results: Sequence[SideResult], place: BankPlace, args: argparse.Namespace, loads: tuple[float, float]
) -> None:
    print(
        f"\n{place.entries:,} entries in PostgreSQL, {args.workers} workers, {args.connections} connections, "
        f"load average {loads[0]:.2f} before, {loads[1]:.2f} after\n"
    )
    print(
        "| server | load | client | requests | req/s | p50 ms | p99 ms | errors | server CPU µs/req | "
        "client CPU µs/req |"
    )
    print("|---|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for side in results:
        for run in side.runs:
            load = run.load
            done = max(load.requests, 1)
            print(
                f"| {side.name} | {run.label} | {load.tool} | {load.requests:,} | {load.per_second:,.0f} | "
                f"{load.p50_ms:.2f} | {load.p99_ms:.2f} | {load.errors} | "
                f"{1e6 * run.server_cpu_s / done:,.0f} | {1e6 * load.client_cpu_s / done:,.0f} |"
            )
    print(
        "\n| server | RSS per worker after the run, MiB (peak) | ready after start | then first searches | "
        "answers checked | |"
    )
    print("|---|---|---:|---:|---:|---|")
    for side in results:
        rss = ", ".join(
            f"{rss:,.0f} ({peak:,.0f})" for rss, peak in zip(side.rss_mib, side.peak_mib, strict=True)
        )
        print(
            f"| {side.name} | {rss} | {side.ready_s:.1f} s | {side.primed_s:.1f} s | {side.checked} | "
            f"{side.note} |"
        )
    if len(results) == 2:
        ours = next(run.load for run in results[0].runs if "PDQ only" in run.label)
        peer = results[1].runs[0].load
        print(
            f"\nreclaim / {results[1].name}, PDQ only: {ours.per_second / peer.per_second:.1f}x the "
            f"requests/s, p99 {peer.p99_ms / ours.p99_ms:.1f}x lower"
        )
    goal = results[0].runs[0].load
    met = goal.per_second >= 5000 and goal.p99_ms < 20 and goal.errors == 0
    print(f"\ngoal for GET /v1/match (>= 5,000 req/s, p99 < 20 ms, no errors): {'met' if met else 'NOT met'}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--entries", type=int, default=10_000_000)
    parser.add_argument("--conninfo", default=CONNINFO, help="libpq connection string of the database")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--duration", type=float, default=30, help="seconds of load at most")
    parser.add_argument("--requests", type=int, default=1_000_000, help="requests at most")
    parser.add_argument("--warmup", type=float, default=5, help="seconds of load before measuring")
    parser.add_argument("--check", type=int, default=400, help="queries whose answers are checked")
    parser.add_argument("--profile", action="store_true", help="py-spy one worker under load first")
    parser.add_argument("--hma", action="store_true", help="also run HMA's /m/raw_lookup on the same bank")
    parser.add_argument("--hma-venv", type=Path, default=Path("/work/hma-venv"), help="HMA's virtual env")
    parser.add_argument(
        "--hma-src",
        type=Path,
        default=Path("/work/hma-src/hasher-matcher-actioner"),
        help="HMA's source tree",
    )
    args = parser.parse_args()

    # Killed (by `timeout`, say): unwind, so that the servers, in sessions of their own, stop too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    DATA.mkdir(parents=True, exist_ok=True)
    place = bank_place(args.entries, args.conninfo)
    print(f"load average {os.getloadavg()[0]:.2f}; client: {WRK or 'python (no wrk)'}", file=sys.stderr)
    ensure_bank(place, args.conninfo, args.seed)
    queries = make_queries(place, args.conninfo, args.seed)
    loads = os.getloadavg()[0]
    results = [reclaim_side(place, queries, args)]
    if args.hma:
        results.append(hma_side(place, queries, args))
    report(results, place, args, (loads, os.getloadavg()[0]))


if __name__ == "__main__":
    main()
