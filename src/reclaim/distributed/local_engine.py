"""The bulk job on one machine without Spark: the same partition function over a process pool.

The table is handed to each worker process once, when it starts (as Spark broadcasts it once
per executor), and the rows go to the workers in chunks, the local form of partitions.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from typing import TYPE_CHECKING, Final

import pandas as pd

from reclaim.distributed.partition import BankSource, JobOptions, match_partition, scan_partition

if TYPE_CHECKING:
    from reclaim.bank.snapshot import SignalTable

# Rows per chunk: small enough that the last chunks keep every core busy, large enough that
# sending a chunk costs nothing next to hashing it (a photo takes ~0.1 s to hash, a stored row
# ~0.1-1 ms to match).
CHUNK_ROWS: Final = 32
MATCH_CHUNK_ROWS: Final = 2_000
_WORKER_TABLE: list[SignalTable] = []  # the table this worker process was started with


def run_local(
    media: pd.DataFrame,
    table: SignalTable | None,
    options: JobOptions,
    *,
    workers: int | None = None,
    allow_low_quality: bool = False,
    match_only: bool = False,
    advance: Callable[[int], None] = lambda rows: None,
) -> pd.DataFrame:
    """Scan ``media`` (or, with ``match_only``, match stored hash rows); ``advance`` hears rows done."""
    bank = BankSource(f"local-{uuid.uuid4().hex}", _worker_table, allow_low_quality) if table else None
    rows = MATCH_CHUNK_ROWS if match_only else CHUNK_ROWS
    chunks = [media.iloc[start : start + rows] for start in range(0, len(media), rows)]
    count = min(workers or os.cpu_count() or 1, max(len(chunks), 1))
    frames: list[pd.DataFrame] = []
    for chunk, frame in zip(
        chunks, _results(chunks, table, bank, options, match_only=match_only, count=count), strict=True
    ):
        frames.append(frame)
        advance(len(chunk))
    if not frames:
        frames = list(_run_chunk(media, bank, options, match_only))
    return pd.concat(frames, ignore_index=True)


def _results(
    chunks: list[pd.DataFrame],
    table: SignalTable | None,
    bank: BankSource | None,
    options: JobOptions,
    *,
    match_only: bool,
    count: int,
) -> Iterator[pd.DataFrame]:
    if count <= 1:
        _keep_table(table)
        try:
            for chunk in chunks:
                yield from _run_chunk(chunk, bank, options, match_only)
        finally:
            _WORKER_TABLE.clear()
        return
    from reclaim.media.image import load_decoders

    load_decoders()  # once here, so that forked workers start with the decoders loaded
    with ProcessPoolExecutor(max_workers=count, initializer=_keep_table, initargs=(table,)) as pool:
        for frames in pool.map(_run_chunk_list, chunks, *_repeat(bank, options, match_only, len(chunks))):
            yield from frames


def _repeat(
    bank: BankSource | None, options: JobOptions, match_only: bool, times: int
) -> tuple[list[BankSource | None], list[JobOptions], list[bool]]:
    return [bank] * times, [options] * times, [match_only] * times


def _run_chunk_list(
    chunk: pd.DataFrame, bank: BankSource | None, options: JobOptions, match_only: bool
) -> list[pd.DataFrame]:
    return list(_run_chunk(chunk, bank, options, match_only))


def _run_chunk(
    chunk: pd.DataFrame, bank: BankSource | None, options: JobOptions, match_only: bool
) -> Iterator[pd.DataFrame]:
    if match_only:
        assert bank is not None
        return match_partition(iter([chunk]), bank, options)
    return scan_partition(iter([chunk]), bank, options)


def _keep_table(table: SignalTable | None) -> None:
    _WORKER_TABLE[:] = [table] if table is not None else []


def _worker_table() -> SignalTable:
    return _WORKER_TABLE[0]
