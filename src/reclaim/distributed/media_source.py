"""A media row's signals: from its bytes, or from its path or URI as the executor reads it.

A local path goes through exactly what `reclaim scan folder` runs (``query_signals_of_file``);
any other URI (s3://, gs://, hdfs://) is read with pyarrow's file systems, which the `[spark]`
extra already installs, and hashed in memory: nothing is written to the executor's disk.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlparse

from reclaim.config import MediaLimits
from reclaim.errors import N_, MediaError, MediaLimitError
from reclaim.signals.query_signals import QuerySignals, query_signals_of_bytes, query_signals_of_file

_HADOOP_S3 = frozenset({"s3a", "s3n"})


def signals_of_media(
    path: str | None, content: bytes | None, label: str, limits: MediaLimits
) -> QuerySignals:
    """Raises a ReclaimError naming the file when it is not media or cannot be read."""
    if content is not None:
        return query_signals_of_bytes(bytes(content), label, limits)
    if not path:
        raise MediaError(N_("{path} has neither a path nor the media's bytes."), path=label)
    local = _local_path(path)
    if local is not None:
        return query_signals_of_file(local, limits)
    return query_signals_of_bytes(_read_uri(path, limits), path, limits)


def _local_path(path: str) -> Path | None:
    parsed = urlparse(path)
    if parsed.scheme == "file":
        return Path(unquote(parsed.path))
    # A bare path, or a Windows drive letter that urlparse takes for a scheme.
    return Path(path) if len(parsed.scheme) <= 1 else None


def _read_uri(uri: str, limits: MediaLimits) -> bytes:
    from pyarrow import fs

    # Hadoop names S3 s3a:// (and once s3n://); pyarrow's S3 file system reads the same objects.
    scheme, rest = uri.split("://", 1)
    readable = f"s3://{rest}" if scheme in _HADOOP_S3 else uri
    try:
        filesystem, inner = fs.FileSystem.from_uri(readable)
        size = filesystem.get_file_info(inner).size
        if size is not None and size > limits.max_file_bytes:
            raise MediaLimitError(
                N_("{path} is {size} bytes, more than the limit of {limit} bytes."),
                path=uri,
                size=size,
                limit=limits.max_file_bytes,
            )
        with filesystem.open_input_stream(inner) as stream:
            return bytes(stream.read())
    except (OSError, ValueError) as error:  # pyarrow raises both for missing or unknown files
        raise MediaError(N_("{path} cannot be read ({reason})."), path=uri, reason=str(error)) from None
