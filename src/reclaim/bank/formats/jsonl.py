"""Reclaim's own JSON lines hash list: one JSON object per line, the fields of ``_own.FIELDS``.

```
{"signal_type": "pdq", "value": "f8f8…9b22", "quality": 93, "status": "active", "entry_id": "e-1", …}
{"signal_type": "vpdq", "value": ["f8f8…9b22,100,0.000", …], "quality": null, …}
```
Withdrawn entries are written too (``"status": "withdrawn"``), so a receiver deletes them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import TextIO

from reclaim.bank.formats._common import (
    TextSource,
    json_object_line,
    missing_field,
    open_text,
    problem_from_error,
)
from reclaim.bank.formats._own import fields_of, record_from_fields
from reclaim.bank.formats.problems import FormatProblem, ProblemHandler, report
from reclaim.bank.formats.records import ExchangeRecord, RecordError


def read_jsonl(source: TextSource, on_problem: ProblemHandler | None = None) -> Iterator[ExchangeRecord]:
    """Yield the records of a Reclaim JSON lines list; blank lines are skipped."""
    with open_text(source) as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            data = json_object_line(line, number)
            if isinstance(data, FormatProblem):
                report(data, on_problem)
                continue
            try:
                yield record_from_fields(data)
            except KeyError as missing:
                report(missing_field(str(missing.args[0]), number, "line"), on_problem)
            except RecordError as invalid:
                report(problem_from_error(invalid, number, "line"), on_problem)


def write_jsonl(records: Iterable[ExchangeRecord], stream: TextIO) -> int:
    """Write one line per record, withdrawn ones included; returns how many were written."""
    count = 0
    for record in records:
        stream.write(json.dumps(fields_of(record, vpdq_as_list=True), ensure_ascii=False) + "\n")
        count += 1
    return count
