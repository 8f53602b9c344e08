"""StopNCII.org hash feeds: the records its FetchHashes call returns, read and written.

The shape is python-threatexchange's client (``exchanges/clients/stopncii/api.py``:
FetchHashesResponse, StopNCIIHashRecord, StopNCIICaseStatus, StopNCIISignalType):

```
{"count": 1, "nextPageToken": null, "nextSetTimestamp": 1700000000, "hasMoreRecords": false,
 "hashRecords": [{"lastModtimestamp": 1700000000, "signalType": "ImagePDQ", "hashValue": "f8f8…",
                  "hashStatus": "Active", "caseNumbers": {"<case>": "Active"}, "CSPFeedbacks": []}]}
```

``hashStatus`` is the aggregate of the per-case statuses in ``caseNumbers``; Received and
Active are live, Withdrawn and Deleted mean the person took the hash back and every client
must delete it. A record is read as withdrawn when its aggregate status says so, or when it
lists cases and every one of them is Withdrawn or Deleted: a withdrawal must never be lost.

python-threatexchange's StopNCII exchange gets this wrong (``exchanges/impl/stop_ncii_api.py``
_get_delta_mapping): it tests ``record.hashValue in (Withdrawn, Deleted)``, comparing the hash
string with the status enum, which is never true, instead of ``record.hashStatus``. So it
always returns metadata and never ``None`` (python-threatexchange's "delete this signal"), and
HMA, which runs that exchange, keeps matching withdrawn and deleted hashes forever.

Case numbers, CSP feedback sources and tags are not read: they identify cases and companies,
and our record has no place for them. Only ImagePDQ (pdq) and VideoMD5 (md5) map to our
signal types; VideoTMK, Text and URL records are reported and skipped.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime
from typing import Final, Literal, TextIO

from reclaim.bank.formats import problems
from reclaim.bank.formats._common import (
    TextSource,
    json_object_line,
    missing_field,
    open_text,
    problem_from_error,
)
from reclaim.bank.formats.problems import FormatProblem, ProblemHandler, report
from reclaim.bank.formats.records import ExchangeRecord, RecordError, SignalName, Status

FROM_STOPNCII: Final[Mapping[str, SignalName]] = {"ImagePDQ": "pdq", "VideoMD5": "md5"}
TO_STOPNCII: Final[Mapping[str, str]] = {ours: theirs for theirs, ours in FROM_STOPNCII.items()}
LIVE: Final = frozenset({"Received", "Active"})
GONE: Final = frozenset({"Withdrawn", "Deleted"})

Unit = Literal["line", "record"]


def read_stopncii(source: TextSource, on_problem: ProblemHandler | None = None) -> Iterator[ExchangeRecord]:
    """Yield the records of a StopNCII feed; withdrawn and deleted hashes come as ``status="withdrawn"``.

    Accepts one FetchHashes response, a JSON list of responses or of hash records, or JSON
    lines of either. Problems name the record number in a JSON document, the line in JSON lines.
    """
    with open_text(source) as handle:
        text = handle.read()
    try:
        document = json.loads(text)
    except json.JSONDecodeError as invalid:
        if "\n" not in text.strip():
            report(FormatProblem(1, problems.NOT_JSON, {"reason": invalid.msg}, str(invalid)), on_problem)
            return
        yield from _read_lines(text, on_problem)
        return
    items = document if isinstance(document, list) else [document]
    number = 0
    for item in items:
        for record in _hash_records(item):
            number += 1
            converted = _convert(record, number, "record", on_problem)
            if converted is not None:
                yield converted


def write_stopncii(
    records: Iterable[ExchangeRecord], stream: TextIO, *, next_set_timestamp: int | None = None
) -> int:
    """Write one FetchHashes response holding the PDQ and MD5 records; returns how many it holds.

    Withdrawn records are written with ``hashStatus`` Withdrawn so that a receiver deletes
    them. ``caseNumbers`` is always empty: case numbers are not ours to share.
    """
    selected = [record for record in records if record.signal_type in TO_STOPNCII]
    latest = max((_epoch(record) for record in selected), default=0)
    hash_records: list[dict[str, object]] = [
        {
            "lastModtimestamp": _epoch(record),
            "signalType": TO_STOPNCII[record.signal_type],
            "hashValue": record.value,
            "hashStatus": "Withdrawn" if record.is_withdrawn else "Active",
            "caseNumbers": {},
            "CSPFeedbacks": [],
        }
        for record in selected
    ]
    json.dump(
        {
            "count": len(hash_records),
            "nextPageToken": None,
            "nextSetTimestamp": latest if next_set_timestamp is None else next_set_timestamp,
            "hasMoreRecords": False,
            "hashRecords": hash_records,
        },
        stream,
        indent=1,
    )
    stream.write("\n")
    return len(hash_records)


def _read_lines(text: str, on_problem: ProblemHandler | None) -> Iterator[ExchangeRecord]:
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        item = json_object_line(line, number)
        if isinstance(item, FormatProblem):
            report(item, on_problem)
            continue
        for record in _hash_records(item):
            converted = _convert(record, number, "line", on_problem)
            if converted is not None:
                yield converted


def _hash_records(item: object) -> list[object]:
    """The hash records of a response, or the item itself when it is a record."""
    if isinstance(item, dict) and "hashRecords" in item:
        records = item["hashRecords"]
        return records if isinstance(records, list) else [records]
    return [item]


def _convert(
    data: object, number: int, unit: Unit, on_problem: ProblemHandler | None
) -> ExchangeRecord | None:
    if not isinstance(data, dict):
        report(missing_field("hashValue", number, unit), on_problem)
        return None
    for name in ("signalType", "hashValue"):
        if not data.get(name):
            report(missing_field(name, number, unit), on_problem)
            return None
    status = _status(data)
    if status is None:
        message = problems.UNKNOWN_STATUS if unit == "line" else problems.RECORD_UNKNOWN_STATUS
        value = problems.excerpt(data.get("hashStatus"))
        report(FormatProblem(number, message, {unit: number, "value": value}), on_problem)
        return None
    try:
        signal_type = FROM_STOPNCII.get(str(data["signalType"]))
        if signal_type is None:
            raise RecordError("signal_type", data["signalType"], "StopNCII type without a Reclaim signal")
        value = data["hashValue"]
        if not isinstance(value, str):
            raise RecordError("value", value, "is not text", signal_type)
        return ExchangeRecord(
            signal_type=signal_type,
            value=value,
            status=status,
            updated_at=_modified(data.get("lastModtimestamp")),
            source="import",
            attestation="list",
        )
    except RecordError as invalid:
        report(problem_from_error(invalid, number, unit), on_problem)
        return None


def _status(data: Mapping[str, object]) -> Status | None:
    aggregate = data.get("hashStatus")
    cases = data.get("caseNumbers")
    case_statuses = list(cases.values()) if isinstance(cases, dict) else []
    if aggregate in GONE or (case_statuses and all(status in GONE for status in case_statuses)):
        return "withdrawn"
    if aggregate in LIVE or any(status in LIVE for status in case_statuses):
        return "active"
    return None


def _modified(value: object) -> datetime | None:
    # 0 is what a writer without a time puts there (ours does), not 1 January 1970.
    if value is None or value == 0:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise RecordError("lastModtimestamp", value, "is not a Unix time in seconds")
    return datetime.fromtimestamp(value, UTC)


def _epoch(record: ExchangeRecord) -> int:
    moment = record.updated_at or record.submitted_at
    return int(moment.timestamp()) if moment else 0
