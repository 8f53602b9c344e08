"""What every format module shares: opening a path or a stream, and naming a bad field."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Literal, TextIO

from reclaim.bank.formats import problems
from reclaim.bank.formats.problems import FormatProblem
from reclaim.bank.formats.records import RecordError

# A path (str or Path) or a stream opened in text mode.
TextSource = str | os.PathLike[str] | TextIO


@contextmanager
def open_text(source: TextSource, *, newline: str | None = None) -> Iterator[TextIO]:
    """Open a path as UTF-8 (a byte-order mark from a spreadsheet is dropped), or pass a stream on."""
    if not isinstance(source, str | os.PathLike):
        yield source
        return
    with open(source, encoding="utf-8-sig", newline=newline) as handle:
        yield handle


def problem_from_error(error: RecordError, position: int, unit: Literal["line", "record"]) -> FormatProblem:
    """The problem a person reads for a field the record type refused."""
    where: dict[str, str | int] = {unit: position}
    if error.field == "signal_type":
        message = problems.UNKNOWN_SIGNAL_TYPE if unit == "line" else problems.RECORD_UNKNOWN_SIGNAL_TYPE
        params = {**where, "signal_type": problems.excerpt(error.value)}
    elif error.field == "value":
        message = problems.BAD_HASH if unit == "line" else problems.RECORD_BAD_HASH
        params = {**where, "value": problems.excerpt(error.value), "signal_type": error.signal_type}
    else:
        message = problems.BAD_FIELD if unit == "line" else problems.RECORD_BAD_FIELD
        params = {**where, "field": error.field, "value": problems.excerpt(error.value)}
    return FormatProblem(position, message, params, error.reason)


def missing_field(field: str, position: int, unit: Literal["line", "record"]) -> FormatProblem:
    message = problems.MISSING_FIELD if unit == "line" else problems.RECORD_MISSING_FIELD
    return FormatProblem(position, message, {unit: position, "field": field})


def json_object_line(line: str, number: int) -> dict[str, object] | FormatProblem:
    """The JSON object on one line, or the problem that it is not one."""
    try:
        data = json.loads(line)
    except json.JSONDecodeError as invalid:
        return FormatProblem(number, problems.NOT_A_JSON_OBJECT, {"line": number}, str(invalid))
    if not isinstance(data, dict):
        return FormatProblem(number, problems.NOT_A_JSON_OBJECT, {"line": number}, "not an object")
    return data
