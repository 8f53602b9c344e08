"""The bulk job on Apache Spark: read the media table, broadcast the bank, hash and match per partition.

Only paths travel through the shuffle (files are listed with Spark's ``binaryFile`` source,
whose content column is never read here): each executor reads its own files, so a photo's
bytes cross the network once, from storage to the executor that hashes it.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Final

from reclaim.distributed.columns import CONTENT, ID, PATH, hash_schema, match_schema
from reclaim.distributed.partition import BankSource, JobOptions, match_partition, scan_partition
from reclaim.errors import N_, UserInputError

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa
    from pyspark.sql import DataFrame, SparkSession
    from pyspark.sql.types import StructType

    from reclaim.bank.snapshot import SignalTable

# Arrow batches of a few dozen photos: a batch is what one Python worker holds at once.
ARROW_BATCH_ROWS: Final = 64
# Partitions per core when Reclaim spreads a file listing itself: enough that a slow partition
# (a few long videos) does not hold a whole job back.
PARTITIONS_PER_CORE: Final = 4
_POLL_SECONDS: Final = 0.5


def spark_session(master: str | None, *, extra_conf: dict[str, str] | None = None) -> SparkSession:
    """A session for one bulk job; ``master`` None keeps what spark-submit configured."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise UserInputError(
            N_("The Spark engine needs PySpark, which is not installed."),
            hint=N_("Install it with: pip install 'reclaim[spark]' (or use --engine local)."),
        ) from None
    builder = SparkSession.builder.appName("reclaim bulk")
    if master:
        builder = builder.master(master)
    conf = {
        "spark.sql.execution.arrow.maxRecordsPerBatch": str(ARROW_BATCH_ROWS),
        # Progress comes from the status tracker (write_with_progress), not Spark's own console bar.
        "spark.ui.showConsoleProgress": "false",
        **(extra_conf or {}),
    }
    for key, value in conf.items():
        builder = builder.config(key, value)
    return builder.getOrCreate()


def files_frame(spark: SparkSession, pattern: str) -> DataFrame:
    """One row per file the glob (or folder) names: ``id`` and ``path`` are its path."""
    from pyspark.errors import AnalysisException
    from pyspark.sql import functions

    listing = spark.read
    if not any(char in pattern for char in "*?["):
        listing = listing.option("recursiveFileLookup", "true")
    try:
        files = listing.load(pattern, format="binaryFile")
    except AnalysisException:  # Spark's "Path does not exist"
        raise UserInputError(
            N_("No files found at {path}."), hint=N_("Check the glob or folder."), path=pattern
        ) from None
    paths = files.select(functions.regexp_replace("path", "^file:", "").alias(PATH))
    partitions = spark.sparkContext.defaultParallelism * PARTITIONS_PER_CORE
    return paths.select(functions.col(PATH).alias(ID), PATH).repartition(partitions)


def media_frame(spark: SparkSession, table_path: str, id_column: str) -> DataFrame:
    """A Parquet table of media: the caller's id column and a ``path`` or ``content`` column."""
    from pyspark.sql import functions

    frame = read_parquet(spark, table_path)
    media = [name for name in (CONTENT, PATH) if name in frame.columns]
    if id_column not in frame.columns or not media:
        raise UserInputError(
            N_("{path} needs an id column {column} and a path or content column."),
            hint=N_("Name the id column with --id-column."),
            path=table_path,
            column=id_column,
        )
    return frame.select(functions.col(id_column).alias(ID), functions.col(media[0]))


def read_parquet(spark: SparkSession, location: str) -> DataFrame:
    from pyspark.errors import AnalysisException

    try:
        return spark.read.parquet(location)
    except AnalysisException as error:
        raise UserInputError(
            N_("{path} cannot be read as Parquet ({reason})."),
            path=location,
            reason=str(error).splitlines()[0],
        ) from None


def scan_media(
    media: DataFrame, table: SignalTable | None, options: JobOptions, *, allow_low_quality: bool = False
) -> DataFrame:
    """Rows of hashes and matches (or, with ``options.hash_only``, hashes only) per media row."""
    spark = media.sparkSession
    bank = (
        _broadcast(spark, table, allow_low_quality) if table is not None and not options.hash_only else None
    )
    schema = hash_schema if options.hash_only else match_schema

    def run(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        return scan_partition(batches, bank, options)

    return media.mapInPandas(run, _spark_schema(media, schema))


def match_hashes(
    hashes: DataFrame, table: SignalTable, options: JobOptions, *, allow_low_quality: bool = False
) -> DataFrame:
    """Stored hash rows (a `--hash-only` output) matched against the bank, media untouched."""
    bank = _broadcast(hashes.sparkSession, table, allow_low_quality)

    def run(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        return match_partition(batches, bank, options)

    return hashes.mapInPandas(run, _spark_schema(hashes, match_schema))


def write_with_progress(frame: DataFrame, output: str, on_progress: Callable[[int, int], None]) -> None:
    """Write ``frame`` as Parquet, telling ``on_progress(done, total)`` tasks from Spark's status tracker."""
    context = frame.sparkSession.sparkContext
    group = f"reclaim-bulk-{uuid.uuid4().hex}"
    failure: list[BaseException] = []

    def write() -> None:
        context.setJobGroup(group, "reclaim bulk")
        try:
            frame.write.parquet(output)
        except BaseException as error:  # re-raised in the calling thread
            failure.append(error)

    writer = threading.Thread(target=write, name="reclaim-bulk-write")
    writer.start()
    while writer.is_alive():
        writer.join(_POLL_SECONDS)
        on_progress(*_task_counts(context, group))
    if failure:
        raise failure[0]


def written_rows(spark: SparkSession, output: str) -> int:
    """Rows of a Parquet output, from its footers (no data is read)."""
    return int(spark.read.parquet(output).count())


def _task_counts(context: object, group: str) -> tuple[int, int]:
    tracker = context.statusTracker()  # type: ignore[attr-defined]
    done = total = 0
    for job_id in tracker.getJobIdsForGroup(group):
        job = tracker.getJobInfo(job_id)
        for stage_id in job.stageIds if job else ():
            stage = tracker.getStageInfo(stage_id)
            if stage is not None:
                done += stage.numCompletedTasks
                total += stage.numTasks
    return done, total


def _broadcast(spark: SparkSession, table: SignalTable, allow_low_quality: bool) -> BankSource:
    shared = spark.sparkContext.broadcast(table)
    # A key made once here, on the driver, names this broadcast in every worker's cache, so each
    # worker builds one snapshot per job (PySpark gives a broadcast no public id).
    return BankSource(f"spark-{uuid.uuid4().hex}", lambda: shared.value, allow_low_quality)


def _spark_schema(frame: DataFrame, schema_of: Callable[[pa.DataType], pa.Schema]) -> StructType:
    import pyarrow as pa
    from pyspark.sql.pandas.types import from_arrow_schema
    from pyspark.sql.types import StructType

    rest = from_arrow_schema(schema_of(pa.string()))
    return StructType([frame.schema[ID], *rest.fields[1:]])
