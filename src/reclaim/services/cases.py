"""Cases: open one for a person, find it again by id or title, list them."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Final

from reclaim.errors import N_, UserInputError

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from reclaim.store.cases import CaseRecord

# Short ids people can read out on the phone: no 0/o, 1/l/i.
_ID_ALPHABET: Final = "23456789abcdefghjkmnpqrstuvwxyz"
_ID_LENGTH: Final = 8
MAX_TITLE_LENGTH: Final = 500


def new_case(engine: Engine, title: str, *, actor: str) -> CaseRecord:
    """Open a case (and its bank). The title is hers to choose: a pseudonym is normal."""
    from reclaim.store.cases import create_case, get_case

    title = title.strip()
    if not title:
        raise UserInputError(
            N_("A case needs a title."), hint=N_("A pseudonym or a reference number is enough.")
        )
    if len(title) > MAX_TITLE_LENGTH:
        raise UserInputError(N_("The title is longer than {limit} characters."), limit=MAX_TITLE_LENGTH)
    case_id = "".join(secrets.choice(_ID_ALPHABET) for _ in range(_ID_LENGTH))
    create_case(engine, case_id=case_id, title=title, created_at=datetime.now(UTC), actor=actor)
    record = get_case(engine, case_id)
    assert record is not None
    return record


def resolve_case(engine: Engine, reference: str) -> CaseRecord:
    """The case with this id, or with exactly this title; a clear error when none or several."""
    from reclaim.store.cases import find_case_ids, get_case

    ids = find_case_ids(engine, reference)
    if not ids:
        _refuse_withdrawn(engine, reference)
        raise UserInputError(
            N_("There is no case {case}."),
            hint=N_("`reclaim case list` shows the cases and their ids."),
            case=reference,
        )
    if len(ids) > 1:
        raise UserInputError(
            N_("Several cases are titled {case}: {ids}."),
            hint=N_("Name the case by its id instead."),
            case=reference,
            ids=", ".join(ids),
        )
    record = get_case(engine, ids[0])
    assert record is not None
    return record


def all_cases(engine: Engine) -> list[CaseRecord]:
    from reclaim.store.cases import list_cases

    return list_cases(engine)


def _refuse_withdrawn(engine: Engine, reference: str) -> None:
    """A withdrawn case's id gets its own answer: it was withdrawn, when, and nothing is kept."""
    from reclaim.store.withdrawals import find_withdrawal

    withdrawal = find_withdrawal(engine, reference.strip())
    if withdrawal is not None:
        raise UserInputError(
            N_("Case {case} was withdrawn on {date}: nothing of it is kept."),
            hint=N_("Only the fact and time of the withdrawal are recorded."),
            case=reference,
            date=withdrawal.at.strftime("%Y-%m-%d %H:%M UTC"),
        )
