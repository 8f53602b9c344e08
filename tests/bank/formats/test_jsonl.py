"""Reclaim's JSON lines list: round trip, only shareable fields out, bad lines named, good lines kept."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from reclaim.bank.formats import ExchangeRecord, FormatProblem, read_jsonl, write_jsonl
from reclaim.errors import UserInputError

PDQ = "f8f8f0cce0f4e84d0e370a22028f67f0b36e2ed596623e1d33e6339c4e9c9b22"
EXPORT_KEYS = {
    "signal_type",
    "value",
    "quality",
    "status",
    "entry_id",
    "submitted_at",
    "updated_at",
    "attestation",
    "source",
}


def test_round_trip_keeps_every_record_withdrawn_ones_included(
    records: list[ExchangeRecord], tmp_path: Path
) -> None:
    path = tmp_path / "bank.jsonl"
    with path.open("w", encoding="utf-8") as handle:
        assert write_jsonl(records, handle) == len(records)
    assert list(read_jsonl(path)) == records


def test_export_holds_only_the_shareable_fields(records: list[ExchangeRecord]) -> None:
    out = io.StringIO()
    write_jsonl(records, out)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert all(set(line) == EXPORT_KEYS for line in lines)
    vpdq = next(line for line in lines if line["signal_type"] == "vpdq")
    assert isinstance(vpdq["value"], list)
    assert all(value.count(",") == 2 for value in vpdq["value"])


def test_names_and_notes_in_an_imported_list_are_dropped_not_kept() -> None:
    line = {"signal_type": "pdq", "value": PDQ, "name": "Li Na", "note": "her ex", "title": "beach"}
    (record,) = read_jsonl(io.StringIO(json.dumps(line)))
    out = io.StringIO()
    write_jsonl([record], out)
    assert "Li Na" not in out.getvalue() and "her ex" not in out.getvalue() and "beach" not in out.getvalue()


def test_bad_lines_are_reported_with_their_line_numbers_and_good_lines_kept() -> None:
    text = "\n".join(
        [
            json.dumps({"signal_type": "pdq", "value": PDQ}),
            "{not json",
            json.dumps({"value": PDQ}),
            "",
            json.dumps({"signal_type": "pdq", "value": PDQ[:10]}),
            json.dumps({"signal_type": "tmk", "value": PDQ}),
            json.dumps({"signal_type": "pdq", "value": PDQ, "quality": "high"}),
            json.dumps(["pdq", PDQ]),
            json.dumps(
                {"signal_type": "md5", "value": "d41d8cd98f00b204e9800998ecf8427e", "status": "withdrawn"}
            ),
        ]
    )
    found: list[FormatProblem] = []
    kept = list(read_jsonl(io.StringIO(text), found.append))
    assert [(r.signal_type, r.status) for r in kept] == [("pdq", "active"), ("md5", "withdrawn")]
    assert [(p.position, str(p)) for p in found] == [
        (2, "Line 2 is not a JSON object."),
        (3, "Line 3 has no signal_type."),
        (5, f"Line 5: '{PDQ[:10]}' is not a valid pdq hash."),
        (6, "Line 6: Reclaim cannot use signal type 'tmk'."),
        (7, "Line 7: quality 'high' is not usable."),
        (8, "Line 8 is not a JSON object."),
    ]


def test_without_a_handler_the_first_bad_line_is_a_user_error() -> None:
    text = (
        json.dumps({"signal_type": "pdq", "value": PDQ})
        + "\n"
        + json.dumps({"signal_type": "pdq", "value": "x"})
    )
    reading = read_jsonl(io.StringIO(text))
    assert next(reading).value == PDQ
    with pytest.raises(UserInputError) as refused:
        next(reading)
    assert str(refused.value) == "Line 2: 'x' is not a valid pdq hash."
    assert refused.value.params["line"] == 2


def test_vpdq_is_read_from_the_cli_frame_objects_too() -> None:
    frames = [{"frame": 0, "timestamp": 0.0, "hash": PDQ, "quality": 88}]
    (record,) = read_jsonl(io.StringIO(json.dumps({"signal_type": "vpdq", "value": frames})))
    assert record.value == f'["{PDQ},88,0.000"]'
