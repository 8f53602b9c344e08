"""Drafting a case's notices, reading one as it is to be sent, recording what the platform did."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from reclaim.api.case_access import CASE_ID_PATTERN, NOTICE_ID_PATTERN, server_vault
from reclaim.config import Settings
from reclaim.errors import N_, UserInputError
from reclaim.services.accounts import CASE_ROLES, WebSession
from reclaim.services.notices import IdentitySource
from reclaim.web.access import case_in_reach, notice_in_reach
from reclaim.web.case_pages import acting_settings
from reclaim.web.page_route import PageRoute
from reclaim.web.rendering import page_language, render
from reclaim.web.sessions import CheckedForm, engine_of, signed_in

router = APIRouter(include_in_schema=False, route_class=PageRoute)

Caseworker = Annotated[WebSession, Depends(signed_in(*CASE_ROLES))]
CaseId = Annotated[str, Path(pattern=CASE_ID_PATTERN, max_length=32)]
NoticeId = Annotated[str, Path(pattern=NOTICE_ID_PATTERN, max_length=48)]


@router.post("/cases/{case_id}/notices")
def draft(request: Request, session: Caseworker, case_id: CaseId, fields: CheckedForm) -> Response:
    from reclaim.services.notices import draft_notices

    engine = engine_of(request)
    case = case_in_reach(engine, session.account, case_id)
    settings = acting_settings(request, session)
    drafted = draft_notices(
        engine,
        case.id,
        fields.get("platform", ""),
        fields.get("lang") or page_language(request),
        actor=settings.actor,
        identity=_identity_source(settings, fields),
    )
    return RedirectResponse(f"/notices/{drafted[0].record.id}", status_code=303)


@router.get("/notices/{notice_id}")
def notice_page(request: Request, session: Caseworker, notice_id: NoticeId) -> Response:
    from reclaim.cli.notice import STATUS_LABELS
    from reclaim.services.notices import notice_text

    settings = acting_settings(request, session)
    notice = notice_in_reach(engine_of(request), session.account, notice_id)
    identity = _identity_source(settings, {}) if settings.passphrase else None
    return render(
        request,
        "notice.html",
        session=session,
        csrf_token=session.csrf_token,
        notice=notice,
        text=notice_text(notice, identity, missing="-"),
        status_labels=STATUS_LABELS,
    )


@router.post("/notices/{notice_id}/events")
def record_event(request: Request, session: Caseworker, notice_id: NoticeId, fields: CheckedForm) -> Response:
    from reclaim.cases.notice_states import NoticeStatus
    from reclaim.services.notices import update_notice

    notice = notice_in_reach(engine_of(request), session.account, notice_id)
    try:
        status = NoticeStatus(fields.get("status", ""))
    except ValueError:
        raise UserInputError(N_("Choose what happened to the notice.")) from None
    update_notice(
        engine_of(request),
        notice.id,
        status,
        actor=session.account.actor,
        note=fields.get("note", "").strip() or None,
    )
    return RedirectResponse(f"/notices/{notice.id}", status_code=303)


def _identity_source(settings: Settings, fields: dict[str, str]) -> IdentitySource:
    """Her identity from the vault; from the form the first time a route needs it."""
    from reclaim.cases.drafting import RightsHolder

    def ask() -> RightsHolder:
        name, contact = fields.get("name", "").strip(), fields.get("contact", "").strip()
        if not name or not contact:
            raise UserInputError(
                N_("This notice needs her real name and a contact, and none is stored yet."),
                hint=N_("Fill in her name and contact on the case page; they are kept in the vault only."),
            )
        return RightsHolder(name, fields.get("id_number", "").strip() or None, contact)

    return IdentitySource(open_vault=lambda: server_vault(settings), ask=ask)
