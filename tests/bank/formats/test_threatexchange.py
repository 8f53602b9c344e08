"""python-threatexchange's signal lines and dataset CSV, as our readers and writers see them."""

from __future__ import annotations

import io

from reclaim.bank.formats import (
    ExchangeRecord,
    FormatProblem,
    read_threatexchange_dataset_csv,
    read_threatexchange_signals,
    write_threatexchange_signals,
)

PDQ = "f8f8f0cce0f4e84d0e370a22028f67f0b36e2ed596623e1d33e6339c4e9c9b22"
MD5 = "d41d8cd98f00b204e9800998ecf8427e"


def test_signal_lines_use_threatexchange_names_and_leave_withdrawn_out(records: list[ExchangeRecord]) -> None:
    out = io.StringIO()
    written = write_threatexchange_signals(records, out)
    lines = out.getvalue().splitlines()
    assert written == len(lines) == sum(not r.is_withdrawn for r in records)
    assert sorted(line.partition(" ")[0] for line in lines) == ["pdq", "video_md5", "video_sha256", "vpdq"]
    back = list(read_threatexchange_signals(io.StringIO(out.getvalue())))
    assert [(r.signal_type, r.value) for r in back] == [
        (r.signal_type, r.value) for r in records if not r.is_withdrawn
    ]
    assert all(r.source == "import" and r.attestation == "list" for r in back)


def test_a_collaboration_signal_type_reads_bare_signals() -> None:
    (record,) = read_threatexchange_signals(io.StringIO(f"\n{PDQ}\n"), signal_type="pdq")
    assert record.value == PDQ


def test_bad_signal_lines_are_named_and_the_rest_read() -> None:
    text = f"pdq {PDQ}\nurl https://example.com/x\npdq\nvideo_md5 {MD5[:-2]}\nvideo_md5 {MD5}\n"
    found: list[FormatProblem] = []
    kept = list(read_threatexchange_signals(io.StringIO(text), found.append))
    assert [r.signal_type for r in kept] == ["pdq", "md5"]
    assert [str(p) for p in found] == [
        "Line 2: Reclaim cannot use signal type 'url'.",
        "Line 3 has no signal.",
        f"Line 4: '{MD5[:-2]}' is not a valid md5 hash.",
    ]


def test_dataset_csv_drops_collab_and_tags_and_reads_negative_rows_as_withdrawn() -> None:
    text = (
        "signal_type,signal_str,collab,category,tags\n"
        f"pdq,{PDQ},Victim Support Group,POSITIVE_CLASS,name:Li Na\n"
        f"video_md5,{MD5},Victim Support Group,NEGATIVE_CLASS,\n"
        "raw_text,hello,Other,INVESTIGATION_SEED,\n"
    )
    found: list[FormatProblem] = []
    kept = list(read_threatexchange_dataset_csv(io.StringIO(text), found.append))
    assert [(r.signal_type, r.status) for r in kept] == [("pdq", "active"), ("md5", "withdrawn")]
    assert [p.position for p in found] == [4]
