"""Reclaim's own CSV hash list: a header line with the fields of ``_own.FIELDS``, one row each.

For spreadsheets and scripts. vPDQ values are their signal string (a JSON list, quoted);
empty cells are absent values. Columns may come in any order; unknown columns are ignored.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from typing import TextIO

from reclaim.bank.formats import problems
from reclaim.bank.formats._common import TextSource, missing_field, open_text, problem_from_error
from reclaim.bank.formats._own import FIELDS, REQUIRED, fields_of, record_from_fields
from reclaim.bank.formats.problems import FormatProblem, ProblemHandler, report
from reclaim.bank.formats.records import ExchangeRecord, RecordError


def read_csv(source: TextSource, on_problem: ProblemHandler | None = None) -> Iterator[ExchangeRecord]:
    """Yield the records of a Reclaim CSV list; a header without a required column stops the read."""
    with open_text(source, newline="") as handle:
        rows = csv.DictReader(handle)
        header = [name.strip() for name in rows.fieldnames or []]
        for name in REQUIRED:
            if name not in header:
                report(FormatProblem(1, problems.MISSING_COLUMN, {"field": name}), on_problem)
                return
        rows.fieldnames = header
        for row in rows:
            number = rows.line_num
            if not any((cell or "").strip() for cell in row.values() if isinstance(cell, str)):
                continue
            try:
                yield record_from_fields({key: (cell or "").strip() for key, cell in row.items() if key})
            except KeyError as missing:
                report(missing_field(str(missing.args[0]), number, "line"), on_problem)
            except RecordError as invalid:
                report(problem_from_error(invalid, number, "line"), on_problem)


def write_csv(records: Iterable[ExchangeRecord], stream: TextIO) -> int:
    """Write the header and one row per record, withdrawn ones included; returns the row count."""
    writer = csv.DictWriter(stream, FIELDS, lineterminator="\n")
    writer.writeheader()
    count = 0
    for record in records:
        writer.writerow(fields_of(record, vpdq_as_list=False))
        count += 1
    return count
