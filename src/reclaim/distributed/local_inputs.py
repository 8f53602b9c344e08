"""What the local engine reads and writes: a glob or folder of files, or Parquet tables.

A folder or glob gives the same rows as Spark's listing (``spark_engine.files_frame``):
every plain file, recursively for a folder, hidden ones (``.``, ``_``) left out as Hadoop
leaves them out, each with its absolute path as ``id``.
"""

from __future__ import annotations

import glob
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from reclaim.distributed.columns import CONTENT, ID, PATH
from reclaim.errors import N_, UserInputError

PARQUET_SUFFIX = ".parquet"


def is_parquet(location: str) -> bool:
    return location.rstrip("/").endswith(PARQUET_SUFFIX)


def listed_files(pattern: str) -> pd.DataFrame:
    folder = Path(pattern)
    found = folder.rglob("*") if folder.is_dir() else (Path(p) for p in glob.glob(pattern, recursive=True))
    paths = sorted(
        str(path.resolve()) for path in found if path.is_file() and not path.name.startswith((".", "_"))
    )
    return pd.DataFrame({ID: paths, PATH: paths})


def media_table(location: str, id_column: str) -> pd.DataFrame:
    frame = read_table(location)
    media = [name for name in (CONTENT, PATH) if name in frame.columns]
    if id_column not in frame.columns or not media:
        raise UserInputError(
            N_("{path} needs an id column {column} and a path or content column."),
            hint=N_("Name the id column with --id-column."),
            path=location,
            column=id_column,
        )
    return pd.DataFrame({ID: frame[id_column], media[0]: frame[media[0]]})


def read_table(location: str) -> pd.DataFrame:
    """A Parquet file, or a folder of them as Spark writes it."""
    try:
        return pq.read_table(location).to_pandas()
    except (OSError, pa.ArrowInvalid) as error:
        raise UserInputError(
            N_("{path} cannot be read as Parquet ({reason})."), path=location, reason=str(error)
        ) from None


def write_table(frame: pd.DataFrame, schema_of: type | object, location: str) -> None:
    """Write rows with the job's schema (``columns.hash_schema`` or ``match_schema``)."""
    id_type = pa.array(frame[ID]).type if len(frame) else pa.string()
    schema = schema_of(id_type)  # type: ignore[operator]
    pq.write_table(pa.Table.from_pandas(frame, schema=schema, preserve_index=False), location)
