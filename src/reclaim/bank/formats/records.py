"""The one record every hash-list format reads into and writes from.

``ExchangeRecord`` holds only what is safe to hand to another system: the hash, its
status, an opaque entry id and coarse provenance. It has no field for a name, a title, a
note, a case or a personal identifier, so no writer can export one by mistake: a format
module can only write what this type holds. Values are validated and made canonical by
the signal modules on construction, so a record that exists is a usable hash.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final, Literal, get_args

from reclaim.signals.digests import Md5Signal, Sha256Signal
from reclaim.signals.pdq import validate_pdq_hex
from reclaim.signals.vpdq import VpdqFrame, VpdqSignal, frames_from_signal_string

SignalName = Literal["pdq", "vpdq", "md5", "sha256"]
Status = Literal["active", "withdrawn"]
# Where the bank got the hash: the victim's own media, a found copy that shows her, or
# another system's list.
SourceKind = Literal["own-file", "found-copy", "hashes-file", "import"]
# Who vouched that the hash is of intimate imagery shared without consent: the person
# herself, a caseworker on her behalf, or the exchange the hash came from.
AttestationKind = Literal["self", "on-behalf", "list"]

SIGNAL_NAMES: Final[tuple[SignalName, ...]] = get_args(SignalName)
STATUSES: Final[tuple[Status, ...]] = get_args(Status)
SOURCE_KINDS: Final[tuple[SourceKind, ...]] = get_args(SourceKind)
ATTESTATION_KINDS: Final[tuple[AttestationKind, ...]] = get_args(AttestationKind)

_VALIDATORS: Final[dict[str, Callable[[str], str]]] = {
    "pdq": validate_pdq_hex,
    "vpdq": VpdqSignal.validate,
    "md5": Md5Signal.validate,
    "sha256": Sha256Signal.validate,
}
# An entry id is an opaque token (a UUID, a number, another system's id), never free text:
# no spaces, so a title or a name cannot ride along in it.
_ENTRY_ID: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")


class RecordError(ValueError):
    """A field of a record is unusable; ``field`` and ``value`` say which and what."""

    def __init__(self, field: str, value: object, reason: str, signal_type: str = "") -> None:
        super().__init__(f"{field} {value!r}: {reason}")
        self.field = field
        self.value = value
        self.reason = reason
        self.signal_type = signal_type


@dataclass(frozen=True, slots=True, kw_only=True)
class ExchangeRecord:
    """One hash as banks exchange it. Construction validates and canonicalises every field.

    ``quality`` is PDQ's 0-100 quality where the list carries it (vPDQ keeps one per frame
    in its value). Times are made UTC and cut to whole seconds: finer times say nothing
    useful to a receiver and help line entries up across lists.
    """

    signal_type: SignalName
    value: str
    quality: int | None = None
    status: Status = "active"
    external_id: str | None = None
    submitted_at: datetime | None = None
    updated_at: datetime | None = None
    attestation: AttestationKind | None = None
    source: SourceKind = "import"

    def __post_init__(self) -> None:
        validator = _VALIDATORS.get(self.signal_type)
        if validator is None:
            raise RecordError("signal_type", self.signal_type, f"is not one of {', '.join(SIGNAL_NAMES)}")
        if not isinstance(self.value, str):
            raise RecordError("value", self.value, "is not text", self.signal_type)
        try:
            object.__setattr__(self, "value", validator(self.value))
        except (ValueError, TypeError, AttributeError) as invalid:
            raise RecordError("value", self.value, str(invalid), self.signal_type) from None
        _check_quality(self.signal_type, self.quality)
        _check_choice("status", self.status, STATUSES)
        _check_choice("source", self.source, SOURCE_KINDS)
        if self.attestation is not None:
            _check_choice("attestation", self.attestation, ATTESTATION_KINDS)
        if self.external_id is not None and not (
            isinstance(self.external_id, str) and _ENTRY_ID.fullmatch(self.external_id)
        ):
            raise RecordError("entry_id", self.external_id, "is not an opaque id (letters, digits, ._:-)")
        for name in ("submitted_at", "updated_at"):
            object.__setattr__(self, name, _utc_seconds(name, getattr(self, name)))

    @property
    def frames(self) -> list[VpdqFrame]:
        """The vPDQ frames (frame numbers unknown, -1); empty for other signal types."""
        return frames_from_signal_string(self.value) if self.signal_type == "vpdq" else []

    @property
    def is_withdrawn(self) -> bool:
        return self.status == "withdrawn"


def parse_timestamp(field: str, text: str) -> datetime:
    """An ISO 8601 time with a zone ("Z" or an offset); a time without one is ambiguous."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise RecordError(field, text, "is not an ISO 8601 time") from None
    return moment


def format_timestamp(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat().replace("+00:00", "Z")


def _check_quality(signal_type: str, quality: object) -> None:
    if quality is None:
        return
    if signal_type != "pdq":
        raise RecordError("quality", quality, f"only PDQ hashes carry a quality, not {signal_type}")
    if isinstance(quality, bool) or not isinstance(quality, int) or not 0 <= quality <= 100:
        raise RecordError("quality", quality, "is not a whole number from 0 to 100")


def _check_choice(field: str, value: object, choices: tuple[str, ...]) -> None:
    if value not in choices:
        raise RecordError(field, value, f"is not one of {', '.join(choices)}")


def _utc_seconds(field: str, moment: object) -> datetime | None:
    if moment is None:
        return None
    if not isinstance(moment, datetime):
        raise RecordError(field, moment, "is not a time")
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise RecordError(field, moment.isoformat(), "has no time zone")
    return moment.astimezone(UTC).replace(microsecond=0)
