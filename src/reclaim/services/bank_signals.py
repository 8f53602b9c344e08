"""Hashes sent over the API into a bank (HMA's add-signal route), each with its provenance.

HMA adds whatever hash it is sent and records nothing of who sent it or why. Here a hash goes
into a case bank only with her attestation (she is the person shown, or the caller acts for her
with her consent), from a token for that case or an administrator's; a list bank, whose
operator vouches for it, takes hashes from an administrator only. The entry names the token
as its submitter, so the audit trail and the provenance say who put it there.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Final

from reclaim.bank.entries import Attestation, NewEntry, Provenance, SourceKind
from reclaim.errors import N_, NotFoundError, PermissionDeniedError, UserInputError

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from reclaim.store.tokens import TokenRecord

API_SIGNAL_TYPES: Final = ("pdq", "md5", "sha256", "vpdq")
CASE_ATTESTATIONS: Final = (Attestation.SELF.value, Attestation.ON_BEHALF.value)
MAX_SIGNALS: Final = 8


@dataclass(frozen=True, slots=True)
class AddedSignals:
    """HMA's answer (``id``, ``signals``) and which entries were new."""

    entry_ids: dict[str, int]
    signals: dict[str, str]
    already_present: list[str]

    def to_json(self) -> dict[str, object]:
        return {
            # HMA answers one content id per request; here the signals of one request share an
            # item, and the id given is its first entry's.
            "id": min(self.entry_ids.values()),
            "signals": self.signals,
            "entry_ids": self.entry_ids,
            "already_present": self.already_present,
        }


def add_signals(
    engine: Engine,
    bank_name: str,
    signals: Mapping[str, str],
    *,
    token: TokenRecord,
    attestation: str | None,
) -> AddedSignals:
    """Add ``signals`` (type -> value) to ``bank_name`` as one item, for ``token``."""
    from reclaim.store.banks import add_entries, bank_by_name

    bank = bank_by_name(engine, bank_name)
    if bank is None or (token.case_id is not None and bank.case_id != token.case_id):
        raise NotFoundError(
            N_("There is no bank {bank}."), hint=N_("`reclaim bank list` shows the banks."), bank=bank_name
        )
    if bank.case_id is None and token.role != "admin":
        raise PermissionDeniedError(N_("Only an administrator adds hashes to a list bank."))
    if bank.case_id is not None and attestation not in CASE_ATTESTATIONS:
        raise UserInputError(
            N_("A hash goes into a case's bank only with her attestation."),
            hint=N_(
                'Add "attestation": "self" (she is the person shown and sends it) or '
                '"attestation": "on-behalf" (you act for her, with her consent) to the body.'
            ),
        )
    values = _valid_signals(signals)
    vouched = Attestation.LIST if bank.case_id is None or attestation is None else Attestation(attestation)
    provenance = Provenance(
        submitted_by=f"token:{token.token_id}",
        submitted_at=datetime.now(UTC),
        attestation=vouched,
        source_kind=SourceKind.HASHES_FILE if bank.case_id is not None else SourceKind.IMPORT,
        source=f"api:{token.token_id}",
    )
    item_id = str(uuid.uuid4())
    entries = [
        NewEntry(signal_type=kind, value=value, quality=None, provenance=provenance, item_id=item_id)
        for kind, value in values.items()
    ]
    added = add_entries(
        engine,
        bank_name,
        entries,
        actor=provenance.submitted_by,
        action="bank.protect" if bank.case_id is not None else "bank.import",
        # Her own new decision replaces an old withdrawal; a list does not bring one back.
        respect_withdrawals=bank.case_id is None,
    )
    refused = [entry.signal_type for entry in added if entry.withdrawn_here]
    if refused:
        raise UserInputError(
            N_("{signals} was withdrawn from this installation before and is not added again."),
            hint=N_("Only the person herself can protect it again, in her case's bank."),
            signals=", ".join(refused),
        )
    return AddedSignals(
        entry_ids={entry.signal_type: entry.entry_id for entry in added},
        signals=values,
        already_present=[entry.signal_type for entry in added if entry.already_present],
    )


def _valid_signals(signals: Mapping[str, str]) -> dict[str, str]:
    from reclaim.bank.formats.records import ExchangeRecord, RecordError

    if not signals:
        raise UserInputError(
            N_("No signals given."), hint=N_('Send them as JSON: {{"pdq": "HEX", "md5": "HEX"}}.')
        )
    if len(signals) > MAX_SIGNALS:
        raise UserInputError(N_("At most {limit} signals at once."), limit=MAX_SIGNALS)
    values: dict[str, str] = {}
    for kind, value in signals.items():
        name = "md5" if kind == "video_md5" else kind
        if name not in API_SIGNAL_TYPES or not isinstance(value, str):
            raise UserInputError(
                N_("{signal_type} is not a signal type."),
                hint=N_("Use pdq, md5, sha256 or vpdq."),
                signal_type=kind,
            )
        try:
            values[name] = ExchangeRecord(signal_type=name, value=value).value  # type: ignore[arg-type]
        except RecordError as invalid:
            raise UserInputError(
                N_("The {signal_type} signal is not valid: {problem}"), signal_type=kind, problem=str(invalid)
            ) from None
    return values
