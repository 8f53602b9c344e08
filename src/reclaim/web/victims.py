"""The victim's own pages: who may open them (her account) and the one case they are about (hers)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from fastapi import Depends
from starlette.requests import Request

from reclaim.errors import N_, PermissionDeniedError
from reclaim.services.accounts import WebSession
from reclaim.web.access import case_in_reach
from reclaim.web.sessions import engine_of, signed_in

if TYPE_CHECKING:
    from reclaim.store.cases import CaseRecord

Victim = Annotated[WebSession, Depends(signed_in("victim"))]


def her_case(request: Request, session: WebSession) -> CaseRecord:
    """Her case; a victim account tied to no case has none to act on."""
    if session.account.case_id is None:
        raise PermissionDeniedError(N_("This account is not tied to a case."))
    return case_in_reach(engine_of(request), session.account, session.account.case_id)
