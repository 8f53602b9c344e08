"""ExchangeRecord holds only shareable fields, and only valid, canonical values."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta, timezone

import pytest

from reclaim.bank.formats import ExchangeRecord, RecordError

PDQ = "f8f8f0cce0f4e84d0e370a22028f67f0b36e2ed596623e1d33e6339c4e9c9b22"
SHAREABLE = {
    "signal_type",
    "value",
    "quality",
    "status",
    "external_id",
    "submitted_at",
    "updated_at",
    "attestation",
    "source",
}


def test_record_has_no_field_that_could_hold_a_name_title_or_note() -> None:
    assert {field.name for field in dataclasses.fields(ExchangeRecord)} == SHAREABLE
    with pytest.raises(TypeError):
        ExchangeRecord(signal_type="pdq", value=PDQ, note="her name")  # type: ignore[call-arg]


def test_values_are_made_canonical_by_the_signal_validators() -> None:
    record = ExchangeRecord(signal_type="pdq", value=f"  {PDQ.upper()}\n")
    assert record.value == PDQ
    video = ExchangeRecord(signal_type="vpdq", value=f'["{PDQ},90,1.5"]')
    assert video.value == f'["{PDQ},90,1.500"]'
    assert [frame.pdq.hex for frame in video.frames] == [PDQ]


@pytest.mark.parametrize(
    ("fields", "bad_field"),
    [
        ({"signal_type": "tmk", "value": PDQ}, "signal_type"),
        ({"signal_type": "pdq", "value": PDQ[:-1]}, "value"),
        ({"signal_type": "md5", "value": PDQ}, "value"),
        ({"signal_type": "vpdq", "value": "[1, 2]"}, "value"),
        ({"signal_type": "pdq", "value": PDQ, "quality": 101}, "quality"),
        ({"signal_type": "pdq", "value": PDQ, "quality": True}, "quality"),
        ({"signal_type": "sha256", "value": PDQ, "quality": 90}, "quality"),
        ({"signal_type": "pdq", "value": PDQ, "status": "deleted"}, "status"),
        ({"signal_type": "pdq", "value": PDQ, "source": "rumour"}, "source"),
        ({"signal_type": "pdq", "value": PDQ, "attestation": "anyone"}, "attestation"),
        ({"signal_type": "pdq", "value": PDQ, "external_id": "Li Na, photo 3"}, "entry_id"),
        ({"signal_type": "pdq", "value": PDQ, "submitted_at": datetime(2026, 1, 1)}, "submitted_at"),
    ],
)
def test_unusable_fields_are_refused_and_named(fields: dict[str, object], bad_field: str) -> None:
    with pytest.raises(RecordError) as refused:
        ExchangeRecord(**fields)  # type: ignore[arg-type]
    assert refused.value.field == bad_field


def test_times_become_utc_whole_seconds() -> None:
    beijing = timezone(timedelta(hours=8))
    record = ExchangeRecord(
        signal_type="pdq", value=PDQ, submitted_at=datetime(2026, 1, 1, 8, 0, 0, 999, beijing)
    )
    assert record.submitted_at is not None
    assert record.submitted_at.isoformat() == "2026-01-01T00:00:00+00:00"


def test_records_are_frozen_and_compare_by_value() -> None:
    record = ExchangeRecord(signal_type="pdq", value=PDQ.upper())
    assert record == ExchangeRecord(signal_type="pdq", value=PDQ)
    with pytest.raises(dataclasses.FrozenInstanceError):
        record.value = PDQ  # type: ignore[misc]
