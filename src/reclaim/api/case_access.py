"""Who may reach which case: the caseworker roles, a token's case limit, the acting caller, the vault.

A caseworker token can be limited to one case (``reclaim token create --role caseworker --case``).
Such a token must not learn that other cases exist, so every case, lead or notice outside its
limit answers exactly as one that does not exist: 404, with the same message.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Annotated, Final

from fastapi import Depends, Path, Request

from reclaim.api.auth import caller
from reclaim.config import Settings
from reclaim.errors import N_, NotFoundError, PermissionDeniedError, VaultUnavailableError
from reclaim.store.cases import CaseRecord
from reclaim.store.tokens import TokenRecord

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from reclaim.evidence.vault import Vault

CASE_ROLES: Final = ("caseworker", "admin")
# Case ids are 8 characters of services.cases' alphabet; a little slack, never unbounded.
CASE_ID_PATTERN: Final = r"^[0-9a-z]{1,32}$"
NOTICE_ID_PATTERN: Final = r"^RC-[0-9a-z]{1,32}-[0-9]{1,9}$"
# Review ids are database integers: a larger number would overflow PostgreSQL's column (a 500).
MAX_ROW_ID: Final = 2**31 - 1


class CaseNotFoundError(NotFoundError):
    """No such case, lead or notice, or one outside the token's case limit (the same answer)."""

    default_hint = N_("GET /v1/cases lists the cases this token may see.")


Caller = Annotated[TokenRecord, Depends(caller)]


def actor_of(record: TokenRecord) -> str:
    """How the audit trail and the evidence log name an API caller."""
    return f"token:{record.token_id}"


def acting_settings(request: Request, record: TokenRecord) -> Settings:
    """The server's settings with the caller as actor: the services record who did each write."""
    settings: Settings = request.app.state.settings
    return dataclasses.replace(settings, actor=actor_of(record))


def engine_of(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


def no_such_case(case_id: str) -> CaseNotFoundError:
    return CaseNotFoundError(N_("There is no case {case}."), case=case_id)


def check_reach(record: TokenRecord, case_id: str) -> None:
    """404 when the token is limited to another case."""
    if record.case_id is not None and record.case_id != case_id:
        raise no_such_case(case_id)


def refuse_case_limited(record: TokenRecord) -> None:
    """A token for one case may not open others."""
    if record.case_id is not None:
        raise PermissionDeniedError(
            N_("A token limited to one case may not open new cases."),
            hint=N_("Ask the administrator for a caseworker token without --case."),
        )


def case_in_reach(
    request: Request,
    record: Caller,
    case_id: Annotated[str, Path(description="The case's id.", pattern=CASE_ID_PATTERN, max_length=32)],
) -> CaseRecord:
    """The case of the path, when it exists and the token may see it; 404 otherwise."""
    from reclaim.store.cases import get_case
    from reclaim.store.withdrawals import find_withdrawal

    check_reach(record, case_id)
    case = get_case(engine_of(request), case_id)
    if case is not None:
        return case
    withdrawal = find_withdrawal(engine_of(request), case_id)
    if withdrawal is not None and record.case_id is None:
        raise CaseNotFoundError(
            N_("Case {case} was withdrawn on {date}: nothing of it is kept."),
            hint=N_("Only the fact and time of the withdrawal are recorded."),
            case=case_id,
            date=withdrawal.at.strftime("%Y-%m-%d %H:%M UTC"),
        )
    raise no_such_case(case_id)


CaseInReach = Annotated[CaseRecord, Depends(case_in_reach)]


def server_vault(settings: Settings) -> Vault:
    """The vault, opened with the server's passphrase (RECLAIM_PASSPHRASE); 503 when it has none."""
    from reclaim.evidence.vault import Vault

    if not settings.passphrase:
        raise VaultUnavailableError(
            N_("The server has no vault passphrase, so the evidence vault is closed.")
        )
    return Vault(settings.vault_path, settings.passphrase)
