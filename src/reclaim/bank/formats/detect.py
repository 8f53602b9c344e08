"""Tell the hash-list formats apart by their first lines, and read any of them by name."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Final

from reclaim.bank.format_names import HashListFormat
from reclaim.bank.formats.csv_format import read_csv
from reclaim.bank.formats.hma import read_hma_bank_requests
from reclaim.bank.formats.jsonl import read_jsonl
from reclaim.bank.formats.problems import ProblemHandler
from reclaim.bank.formats.records import ExchangeRecord
from reclaim.bank.formats.stopncii import read_stopncii
from reclaim.bank.formats.threatexchange import (
    FROM_THREATEXCHANGE,
    read_threatexchange_dataset_csv,
    read_threatexchange_signals,
)
from reclaim.errors import N_, UserInputError

# Enough of the file to see the first record of any of the formats.
_SNIFF_BYTES: Final = 64 * 1024


READERS: Final[dict[HashListFormat, Callable[[Path, ProblemHandler | None], Iterator[ExchangeRecord]]]] = {
    HashListFormat.RECLAIM_JSONL: read_jsonl,
    HashListFormat.RECLAIM_CSV: read_csv,
    HashListFormat.THREATEXCHANGE_SIGNALS: read_threatexchange_signals,
    HashListFormat.THREATEXCHANGE_DATASET_CSV: read_threatexchange_dataset_csv,
    HashListFormat.HMA_BANK_REQUESTS: read_hma_bank_requests,
    HashListFormat.STOPNCII_JSON: read_stopncii,
}


def detect_format(path: Path | str) -> HashListFormat:
    """The format of a hash-list file, from its first line; UserInputError when it is none of ours."""
    path = Path(path)
    try:
        with path.open("rb") as handle:
            head = handle.read(_SNIFF_BYTES).decode("utf-8-sig", errors="replace")
    except OSError as failure:
        raise UserInputError(
            N_("{path} cannot be read: {reason}"), path=str(path), reason=failure.strerror or str(failure)
        ) from None
    found = sniff_format(head)
    if found is None:
        raise UserInputError(
            N_("{path} is not a hash list Reclaim can read."),
            N_("Use Reclaim's JSON lines or CSV, a python-threatexchange or HMA list, or a StopNCII feed."),
            path=str(path),
        )
    return found


def sniff_format(head: str) -> HashListFormat | None:
    """The format that the start of a file is written in, or None."""
    lines = [line.strip() for line in head.splitlines() if line.strip()]
    if not lines:
        return None
    first = lines[0]
    if first.startswith(("{", "[")):
        return _sniff_json(head, first)
    header = {cell.strip().strip('"').lower() for cell in first.split(",")}
    if {"signal_type", "signal_str"} <= header:
        return HashListFormat.THREATEXCHANGE_DATASET_CSV
    if {"signal_type", "value"} <= header:
        return HashListFormat.RECLAIM_CSV
    if first.partition(" ")[0].lower() in FROM_THREATEXCHANGE:
        return HashListFormat.THREATEXCHANGE_SIGNALS
    return None


def _sniff_json(head: str, first: str) -> HashListFormat | None:
    if '"hashRecords"' in head or '"hashValue"' in head:
        return HashListFormat.STOPNCII_JSON
    try:
        data = json.loads(first)
    except json.JSONDecodeError:
        return None
    if not isinstance(data, dict):
        return None
    if "signal_type" in data and "value" in data:
        return HashListFormat.RECLAIM_JSONL
    if data and all(key == "note" or key in FROM_THREATEXCHANGE for key in data):
        return HashListFormat.HMA_BANK_REQUESTS
    return None


def read_hash_list(
    path: Path | str, format: HashListFormat | None = None, on_problem: ProblemHandler | None = None
) -> Iterator[ExchangeRecord]:
    """Read a hash-list file in the given format, or the one ``detect_format`` finds."""
    chosen = format or detect_format(path)
    return READERS[chosen](Path(path), on_problem)
