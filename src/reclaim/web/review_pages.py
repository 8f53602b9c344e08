"""The review queue: each lead with a blurred thumbnail of the found file, shown clear on request,
and accept or reject (the same service as `reclaim review` and /v1/review)."""

from __future__ import annotations

import hashlib
from typing import Annotated

from fastapi import APIRouter, Depends, Path
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from reclaim.api.case_access import MAX_ROW_ID, server_vault
from reclaim.errors import N_, NotFoundError
from reclaim.services.accounts import CASE_ROLES, WebSession
from reclaim.store.scans import StoredReview
from reclaim.web.access import lead_in_reach
from reclaim.web.case_pages import acting_settings
from reclaim.web.page_route import PageRoute
from reclaim.web.rendering import render
from reclaim.web.sessions import CheckedForm, engine_of, signed_in

router = APIRouter(include_in_schema=False, route_class=PageRoute)

Caseworker = Annotated[WebSession, Depends(signed_in(*CASE_ROLES))]
ReviewId = Annotated[int, Path(ge=1, le=MAX_ROW_ID)]


@router.get("/review")
def review_page(request: Request, session: Caseworker) -> Response:
    from reclaim.services.review import list_leads
    from reclaim.store.scans import PENDING

    leads = list_leads(engine_of(request), statuses=(PENDING,), case_id=session.account.case_id)
    return render(request, "review.html", session=session, csrf_token=session.csrf_token, leads=leads)


@router.get("/review/{review_id}/blurred")
def blurred_lead(request: Request, session: Caseworker, review_id: ReviewId) -> Response:
    from reclaim.web.pictures import blurred_picture

    return blurred_picture(_found_file(lead_in_reach(engine_of(request), session.account, review_id)))


@router.get("/review/{review_id}/clear")
def clear_lead(request: Request, session: Caseworker, review_id: ReviewId) -> Response:
    from reclaim.web.pictures import clear_picture

    return clear_picture(_found_file(lead_in_reach(engine_of(request), session.account, review_id)))


@router.get("/review/{review_id}/revealed")
def revealed_lead(request: Request, session: Caseworker, review_id: ReviewId) -> Response:
    """The fragment htmx puts in place of the blurred thumbnail once she asks to see it."""
    lead = lead_in_reach(engine_of(request), session.account, review_id)
    return render(request, "revealed.html", src=f"/review/{lead.id}/clear", lead=lead)


@router.post("/review/{review_id}/accept")
def accept(request: Request, session: Caseworker, review_id: ReviewId, fields: CheckedForm) -> Response:
    from reclaim.services.review import accept_lead

    engine = engine_of(request)
    lead_in_reach(engine, session.account, review_id)
    settings = acting_settings(request, session)
    decision = accept_lead(
        engine,
        settings,
        review_id,
        open_vault=lambda: server_vault(settings),
        possible_minor=fields.get("possible_minor") == "yes",
        note=fields.get("note", "").strip() or None,
    )
    return _decided(request, session, decision.review)


@router.post("/review/{review_id}/reject")
def reject(request: Request, session: Caseworker, review_id: ReviewId, fields: CheckedForm) -> Response:
    from reclaim.services.review import reject_lead

    del fields  # checked
    engine = engine_of(request)
    lead_in_reach(engine, session.account, review_id)
    decision = reject_lead(engine, acting_settings(request, session), review_id)
    return _decided(request, session, decision.review)


def _decided(request: Request, session: WebSession, lead: StoredReview) -> Response:
    if request.headers.get("hx-request") == "true":
        return render(request, "decided.html", session=session, csrf_token=session.csrf_token, lead=lead)
    return RedirectResponse("/review", status_code=303)


def _found_file(lead: StoredReview) -> bytes:
    """The scan's copy of the found file, when it is still there and unchanged."""
    from pathlib import Path as FilePath

    if lead.kind == "media" and lead.media_path:
        try:
            data = FilePath(lead.media_path).read_bytes()
        except OSError:
            data = b""
        if data and hashlib.sha256(data).hexdigest() == lead.media_sha256:
            return data
    raise NotFoundError(
        N_("The found file of lead {review_id} is no longer where the scan read it."), review_id=lead.id
    )
