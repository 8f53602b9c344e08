"""The columns a bulk job reads and writes, as Arrow schemas (Spark's are derived from them).

A match row names its entry and bank; a photo with no match has one row with null match
columns; a file that could not be hashed has one row with ``error`` set and nothing else.
"""

from __future__ import annotations

from typing import Final

import pyarrow as pa

ID: Final = "id"
PATH: Final = "path"  # a local path, file: URI or any URI pyarrow's file systems read (s3://, hdfs://)
CONTENT: Final = "content"  # the media's bytes, for callers whose media is already in a table

FRAME: Final = pa.struct([("timestamp", pa.float64()), ("hash", pa.string()), ("quality", pa.int32())])
# Every hashed view (photo) or view of a sampled frame (video): what `bulk match` searches with,
# so that stored hashes match exactly as the media itself would, robust views included.
# The hash is its 32 raw bytes, not hex: views are nearly all of a `--hash-only` output (about a
# thousand per photo), and raw bytes halve it (65 to 34 KB a photo, snappy-compressed).
VIEW: Final = pa.struct(
    [("via", pa.string()), ("timestamp", pa.float64()), ("hash", pa.binary()), ("quality", pa.int32())]
)

HASH_FIELDS: Final = (
    pa.field("kind", pa.string()),
    pa.field("sha256", pa.string()),
    pa.field("md5", pa.string()),
    pa.field("pdq", pa.string()),
    pa.field("pdq_quality", pa.int32()),
    pa.field("vpdq", pa.list_(FRAME)),
)
VIEWS_FIELD: Final = pa.field("views", pa.list_(VIEW))
MATCH_FIELDS: Final = (
    pa.field("match_bank", pa.string()),
    pa.field("match_entry", pa.int64()),
    pa.field("match_signal", pa.string()),
    pa.field("distance", pa.int32()),
    pa.field("via", pa.string()),
)
ERROR_FIELD: Final = pa.field("error", pa.string())


def hash_schema(id_type: pa.DataType) -> pa.Schema:
    """`--hash-only` rows: the caller's id, the file's hashes and every view it is searched by."""
    return pa.schema([pa.field(ID, id_type), *HASH_FIELDS, VIEWS_FIELD, ERROR_FIELD])


def match_schema(id_type: pa.DataType) -> pa.Schema:
    """Scan and `bulk match` rows: the hashes, then one matched entry per row (or nulls)."""
    return pa.schema([pa.field(ID, id_type), *HASH_FIELDS, *MATCH_FIELDS, ERROR_FIELD])
