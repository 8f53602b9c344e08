"""HMA's "add signals to a bank" bodies: threatexchange names, no notes, only enabled types."""

from __future__ import annotations

import io
import json

from reclaim.bank.formats import (
    ExchangeRecord,
    FormatProblem,
    read_hma_bank_requests,
    write_hma_bank_requests,
)

PDQ = "f8f8f0cce0f4e84d0e370a22028f67f0b36e2ed596623e1d33e6339c4e9c9b22"


def test_bodies_name_signals_as_hma_does_and_leave_out_withdrawn_and_sha256(
    records: list[ExchangeRecord],
) -> None:
    out = io.StringIO()
    written = write_hma_bank_requests(records, out)
    bodies = [json.loads(line) for line in out.getvalue().splitlines()]
    assert written == len(bodies)
    assert sorted(name for body in bodies for name in body) == ["pdq", "video_md5", "vpdq"]
    expected = [(r.signal_type, r.value) for r in records if not r.is_withdrawn and r.signal_type != "sha256"]
    assert [(r.signal_type, r.value) for r in read_hma_bank_requests(io.StringIO(out.getvalue()))] == expected


def test_a_receiver_with_sha256_enabled_gets_it(records: list[ExchangeRecord]) -> None:
    out = io.StringIO()
    write_hma_bank_requests(records, out, signal_types=("sha256",))
    assert [list(json.loads(line)) for line in out.getvalue().splitlines()] == [["video_sha256"]]


def test_notes_are_dropped_and_bad_signals_named() -> None:
    text = "\n".join(
        [
            json.dumps({"pdq": PDQ, "note": "Li Na's photo"}),
            json.dumps({"tmk": "abc", "pdq": PDQ[:-1]}),
            "[]",
        ]
    )
    found: list[FormatProblem] = []
    kept = list(read_hma_bank_requests(io.StringIO(text), found.append))
    assert [r.value for r in kept] == [PDQ]
    assert [str(p) for p in found] == [
        "Line 2: Reclaim cannot use signal type 'tmk'.",
        f"Line 2: '{PDQ[:-1]}' is not a valid pdq hash.",
        "Line 3 is not a JSON object.",
    ]
