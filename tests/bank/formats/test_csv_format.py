"""Reclaim's CSV list: round trip, header checks, bad rows named by line, good rows kept."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from reclaim.bank.formats import ExchangeRecord, FormatProblem, read_csv, write_csv
from reclaim.errors import UserInputError

PDQ = "f8f8f0cce0f4e84d0e370a22028f67f0b36e2ed596623e1d33e6339c4e9c9b22"


def test_round_trip_keeps_every_record(records: list[ExchangeRecord], tmp_path: Path) -> None:
    path = tmp_path / "bank.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        assert write_csv(records, handle) == len(records)
    assert list(read_csv(path)) == records


def test_export_header_is_exactly_the_shareable_fields(records: list[ExchangeRecord]) -> None:
    out = io.StringIO()
    write_csv(records, out)
    header = next(csv.reader(io.StringIO(out.getvalue())))
    assert header == [
        "signal_type",
        "value",
        "quality",
        "status",
        "entry_id",
        "submitted_at",
        "updated_at",
        "attestation",
        "source",
    ]


def test_a_spreadsheet_file_with_bom_other_column_order_and_extra_columns_reads(tmp_path: Path) -> None:
    path = tmp_path / "from-excel.csv"
    path.write_text(f"name,value,signal_type,quality\r\nLi Na,{PDQ.upper()},pdq,77\r\n", encoding="utf-8-sig")
    (record,) = read_csv(path)
    assert (record.signal_type, record.value, record.quality) == ("pdq", PDQ, 77)


def test_bad_rows_are_reported_by_line_and_good_rows_kept() -> None:
    text = (
        "signal_type,value,quality,status\n"
        f"pdq,{PDQ},90,active\n"
        f"pdq,{PDQ},ninety,active\n"
        "md5,not-a-digest,,\n"
        ",,,\n"
        f"pdq,{PDQ},,paused\n"
        "sha256,,,\n"
        f"pdq,{PDQ},,withdrawn\n"
    )
    found: list[FormatProblem] = []
    kept = list(read_csv(io.StringIO(text), found.append))
    assert [(r.quality, r.status) for r in kept] == [(90, "active"), (None, "withdrawn")]
    assert [str(p) for p in found] == [
        "Line 3: quality 'ninety' is not usable.",
        "Line 4: 'not-a-digest' is not a valid md5 hash.",
        "Line 6: status 'paused' is not usable.",
        "Line 7 has no value.",
    ]


def test_a_header_without_a_value_column_is_one_problem_not_one_per_row() -> None:
    found: list[FormatProblem] = []
    assert list(read_csv(io.StringIO(f"signal_type,hash\npdq,{PDQ}\n"), found.append)) == []
    assert [str(p) for p in found] == ["The header line has no value column."]
    with pytest.raises(UserInputError):
        list(read_csv(io.StringIO(f"signal_type,hash\npdq,{PDQ}\n")))
