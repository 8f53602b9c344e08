"""Reclaim's own record layout, shared by the JSON lines and the CSV format."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Final

from reclaim.bank.formats.records import ExchangeRecord, RecordError, format_timestamp, parse_timestamp
from reclaim.signals.vpdq import VpdqFrame, to_signal_string

# Every field an export holds, in the order written. Nothing else is ever written.
FIELDS: Final = (
    "signal_type",
    "value",
    "quality",
    "status",
    "entry_id",
    "submitted_at",
    "updated_at",
    "attestation",
    "source",
)
REQUIRED: Final = ("signal_type", "value")


def fields_of(record: ExchangeRecord, *, vpdq_as_list: bool) -> dict[str, object]:
    """The record as export fields; vPDQ as a JSON list in JSON, as its signal string in CSV."""
    value: object = record.value
    if record.signal_type == "vpdq" and vpdq_as_list:
        value = json.loads(record.value)
    return {
        "signal_type": record.signal_type,
        "value": value,
        "quality": record.quality,
        "status": record.status,
        "entry_id": record.external_id,
        "submitted_at": format_timestamp(record.submitted_at),
        "updated_at": format_timestamp(record.updated_at),
        "attestation": record.attestation,
        "source": record.source,
    }


def record_from_fields(data: Mapping[str, object]) -> ExchangeRecord:
    """Build a record from export fields (JSON values or CSV text; empty text is absent).

    Unknown fields are ignored, never kept: a list from elsewhere may carry names or notes.
    Raises KeyError for a missing required field, RecordError for an unusable one.
    """
    present = {key: data[key] for key in FIELDS if key in data and data[key] not in (None, "")}
    for key in REQUIRED:
        if key not in present:
            raise KeyError(key)
    signal_type = present["signal_type"]
    if not isinstance(signal_type, str):
        raise RecordError("signal_type", signal_type, "is not text")
    return ExchangeRecord(
        signal_type=signal_type.strip().lower(),  # type: ignore[arg-type]  # validated on construction
        value=_value_text(signal_type, present["value"]),
        quality=_quality(present.get("quality")),
        status=_text(present, "status", "active"),  # type: ignore[arg-type]
        external_id=_optional_text(present, "entry_id"),
        submitted_at=_time(present, "submitted_at"),
        updated_at=_time(present, "updated_at"),
        attestation=_optional_text(present, "attestation"),  # type: ignore[arg-type]
        source=_text(present, "source", "import"),  # type: ignore[arg-type]
    )


def _value_text(signal_type: str, value: object) -> str:
    """vPDQ may come as the signal string, a list of its frame strings or the CLI's frame objects."""
    if isinstance(value, str):
        return value
    if signal_type.strip().lower() == "vpdq" and isinstance(value, list):
        if all(isinstance(item, str) for item in value):
            return json.dumps(value)
        if all(isinstance(item, dict) for item in value):
            try:
                return to_signal_string(VpdqFrame.from_json(item) for item in value)
            except ValueError as invalid:
                raise RecordError("value", value, str(invalid), "vpdq") from None
    raise RecordError("value", value, "is not text", signal_type)


def _quality(value: object) -> int | None:
    if value is None or isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    raise RecordError("quality", value, "is not a whole number from 0 to 100")


def _text(present: Mapping[str, object], key: str, default: str) -> str:
    text = _optional_text(present, key)
    return default if text is None else text


def _optional_text(present: Mapping[str, object], key: str) -> str | None:
    value = present.get(key)
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool) and key == "entry_id":
        return str(value)
    if not isinstance(value, str):
        raise RecordError(key, value, "is not text")
    return value.strip()


def _time(present: Mapping[str, object], key: str) -> datetime | None:
    value = present.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise RecordError(key, value, "is not an ISO 8601 time")
    return parse_timestamp(key, value)
