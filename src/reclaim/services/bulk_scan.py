"""`reclaim bulk scan|match`: hash a whole corpus, or stored hashes, against the bank, on Spark or here.

The bank is read once, its case ids are stripped (``bank_without_cases``), and the job
(``reclaim.distributed``) runs on that table alone; the output is a Parquet file of hashes
and matched entries that says nothing of cases, so it may stay on the cluster that made it.
A helpline brings the matches into its review queue with `reclaim review import`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Final

from reclaim.config import Settings
from reclaim.errors import N_, UserInputError

if TYPE_CHECKING:
    import pandas as pd
    from sqlalchemy import Engine

    from reclaim.bank.snapshot import SignalTable
    from reclaim.distributed.partition import JobOptions

ENGINES: Final = ("local", "spark")
# Progress: (done, total) in rows for the local engine, in Spark tasks for Spark.
Progress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class BulkRequest:
    engine: str  # "local" or "spark"
    input: str  # a glob, a folder, or a Parquet table
    output: str
    id_column: str = "id"
    hash_only: bool = False
    master: str | None = None  # Spark's master URL; None: what spark-submit set
    workers: int | None = None  # local engine: processes (default every core)
    include_low_quality: bool = False
    lang: str = "en"


@dataclass(frozen=True, slots=True)
class BulkSummary:
    output: str
    engine: str
    rows: int
    bank_entries: int

    def to_json(self) -> dict[str, object]:
        return {
            "output": self.output,
            "engine": self.engine,
            "rows": self.rows,
            "bank_entries": self.bank_entries,
        }


def bank_without_cases(table: SignalTable) -> SignalTable:
    """The same entries with every case bank named ``protected`` and no case id anywhere.

    What platforms see over HTTP (services/platform.py); executors and output files never
    need more, since `reclaim review import` finds each entry's case in the helpline's database.
    """
    from reclaim.services.platform import PUBLIC_CASE_BANK

    banks: dict[int, tuple[str, str | None]] = {
        bank_id: ((PUBLIC_CASE_BANK if case_id is not None else name), None)
        for bank_id, (name, case_id) in table.banks.items()
    }
    return replace(table, banks=banks)


def run_bulk_scan(
    engine: Engine, settings: Settings, request: BulkRequest, progress: Progress
) -> BulkSummary:
    """Hash (and unless ``hash_only``, match) every file or row of ``request.input``."""
    from reclaim.distributed.columns import hash_schema, match_schema
    from reclaim.distributed.local_inputs import is_parquet, listed_files, media_table, write_table
    from reclaim.distributed.partition import JobOptions

    _check(request)
    table = None if request.hash_only else _bank(engine, settings, request, "bulk.scan")
    options = JobOptions(limits=settings.limits, lang=request.lang, hash_only=request.hash_only)
    if request.engine == "spark":
        return _on_spark(request, table, options, progress, match_only=False)

    media = (
        media_table(request.input, request.id_column)
        if is_parquet(request.input)
        else listed_files(request.input)
    )
    if media.empty and not is_parquet(request.input):
        raise UserInputError(
            N_("No files found at {path}."), hint=N_("Check the glob or folder."), path=request.input
        )
    rows = _local(media, table, options, request, progress, match_only=False)
    write_table(rows, hash_schema if request.hash_only else match_schema, request.output)
    return BulkSummary(request.output, "local", len(rows), _size(table))


def run_bulk_match(
    engine: Engine, settings: Settings, request: BulkRequest, progress: Progress
) -> BulkSummary:
    """Match stored hashes (a `--hash-only` output) against today's bank, without the media."""
    from reclaim.distributed.columns import match_schema
    from reclaim.distributed.local_inputs import read_table, write_table
    from reclaim.distributed.partition import JobOptions

    _check(request)
    table = _bank(engine, settings, request, "bulk.match")
    options = JobOptions(limits=settings.limits, lang=request.lang)
    if request.engine == "spark":
        return _on_spark(request, table, options, progress, match_only=True)
    rows = _local(read_table(request.input), table, options, request, progress, match_only=True)
    write_table(rows, match_schema, request.output)
    return BulkSummary(request.output, "local", len(rows), _size(table))


def _local(
    media: pd.DataFrame,
    table: SignalTable | None,
    options: JobOptions,
    request: BulkRequest,
    progress: Progress,
    *,
    match_only: bool,
) -> pd.DataFrame:
    from reclaim.distributed.local_engine import run_local

    done = [0]

    def advance(rows: int) -> None:
        done[0] += rows
        progress(done[0], len(media))

    return run_local(
        media,
        table,
        options,
        workers=request.workers,
        allow_low_quality=request.include_low_quality,
        match_only=match_only,
        advance=advance,
    )


def _on_spark(
    request: BulkRequest,
    table: SignalTable | None,
    options: JobOptions,
    progress: Progress,
    *,
    match_only: bool,
) -> BulkSummary:
    from reclaim.distributed.local_inputs import is_parquet
    from reclaim.distributed.spark_engine import (
        files_frame,
        match_hashes,
        media_frame,
        read_parquet,
        scan_media,
        spark_session,
        write_with_progress,
        written_rows,
    )

    spark = spark_session(request.master)
    if match_only:
        assert table is not None
        result = match_hashes(
            read_parquet(spark, request.input), table, options, allow_low_quality=request.include_low_quality
        )
    else:
        media = (
            media_frame(spark, request.input, request.id_column)
            if is_parquet(request.input)
            else files_frame(spark, request.input)
        )
        result = scan_media(media, table, options, allow_low_quality=request.include_low_quality)
    write_with_progress(result, request.output, progress)
    return BulkSummary(request.output, "spark", written_rows(spark, request.output), _size(table))


def _bank(engine: Engine, settings: Settings, request: BulkRequest, action: str) -> SignalTable:
    """The active bank without cases; reading all of it for a bulk job is on the audit trail."""
    from sqlalchemy.orm import Session

    from reclaim.store.audit import record_audit_event
    from reclaim.store.banks import active_signal_table

    table = bank_without_cases(active_signal_table(engine))
    with Session(engine) as session, session.begin():
        record_audit_event(
            session,
            actor=settings.actor,
            action=action,
            case_id=None,
            detail={
                "engine": request.engine,
                "input": request.input,
                "output": request.output,
                "entries": int(table.entry_ids.size),
            },
        )
    return table


def _check(request: BulkRequest) -> None:
    if request.engine not in ENGINES:
        raise UserInputError(
            N_("{engine} is not an engine."),
            hint=N_("Use --engine local or --engine spark."),
            engine=request.engine,
        )
    if Path(request.output).exists():
        raise UserInputError(
            N_("{path} already exists."),
            hint=N_("Choose another --output, or remove the old one first."),
            path=request.output,
        )


def _size(table: SignalTable | None) -> int:
    return int(table.entry_ids.size) if table is not None else 0
