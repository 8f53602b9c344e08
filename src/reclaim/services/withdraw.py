"""Withdrawal: a person takes her case back, and nothing of it can be recovered from RECLAIM_HOME.

Her hashes, identifiers, sightings, captures, notices, leads and the found items only her leads
named are deleted from the database and the vault; SQLite's free pages and WAL are cleared
(secure_delete, VACUUM, checkpoint). One audit event keeps the fact: who, when, how many of
each. Other cases are untouched, and their evidence logs still verify.

Nothing of her values is kept, not even the one-way fingerprint a single withdrawn entry keeps
(``bank_entries.value_fingerprint``): a fingerprint confirms a guessed hash to whoever holds the
database, and only the fact and time of the withdrawal may remain. The cost: a hash list imported
later that holds one of her hashes is no longer stopped from adding it to that list's own bank.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from reclaim.config import Settings
    from reclaim.store.cases import CaseRecord
    from reclaim.store.withdrawals import CaseContents, WithdrawalRecord


@dataclass(frozen=True, slots=True)
class WithdrawalPlan:
    """What withdrawing a case would delete, for the person to confirm."""

    case: CaseRecord
    contents: CaseContents


@dataclass(frozen=True, slots=True)
class Withdrawal:
    """A finished withdrawal: all that is known of the case afterwards."""

    case_id: str
    withdrawn_at: datetime
    deleted: CaseContents
    already_withdrawn: bool = False  # withdrawn before; this run only cleared what could remain

    def to_json(self) -> dict[str, Any]:
        return {
            "case_id": self.case_id,
            "withdrawn_at": self.withdrawn_at.isoformat(),
            "deleted": self.deleted.to_json(),
            "already_withdrawn": self.already_withdrawn,
        }


def plan_withdrawal(engine: Engine, reference: str) -> WithdrawalPlan:
    """The case named by id or exact title, and what it holds; a clear error for an unknown one."""
    from reclaim.services.cases import resolve_case
    from reclaim.store.withdrawals import case_contents

    case = resolve_case(engine, reference)
    return WithdrawalPlan(case=case, contents=case_contents(engine, case.id))


def withdraw_case(engine: Engine, settings: Settings, case_id: str) -> Withdrawal:
    """Delete everything the case owned, from the vault and the database, and log the fact."""
    from reclaim.evidence.vault import erase_case
    from reclaim.store.withdrawals import delete_case_rows

    # The vault first: should the database step fail, running the withdrawal again finishes it,
    # where the other order could leave sealed files that no case names any more.
    erase_case(settings.vault_path, case_id)
    record = delete_case_rows(engine, case_id, actor=settings.actor, at=datetime.now(UTC))
    _clear_freed_space(engine)
    return _withdrawal(record, already_withdrawn=False)


def finish_earlier_withdrawal(engine: Engine, settings: Settings, reference: str) -> Withdrawal | None:
    """For the id of a case withdrawn before, clear again what a failed run may have left.

    A withdrawal whose last step failed (another program held the database) is finished by
    running it again, though the case no longer exists. None when ``reference`` names a case
    now, or no withdrawn case.
    """
    from reclaim.evidence.vault import erase_case
    from reclaim.store.cases import find_case_ids
    from reclaim.store.withdrawals import find_withdrawal

    if find_case_ids(engine, reference):
        return None
    record = find_withdrawal(engine, reference)
    if record is None:
        return None
    erase_case(settings.vault_path, record.case_id)
    _clear_freed_space(engine)
    return _withdrawal(record, already_withdrawn=True)


def _clear_freed_space(engine: Engine) -> None:
    from reclaim.store.database import vacuum_database
    from reclaim.store.withdrawals import touched_tables

    vacuum_database(engine, touched_tables())


def _withdrawal(record: WithdrawalRecord, *, already_withdrawn: bool) -> Withdrawal:
    return Withdrawal(record.case_id, record.at, record.deleted, already_withdrawn=already_withdrawn)
