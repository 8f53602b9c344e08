"""The cases list, a case's page (flags, timeline, sightings, notices), its captures and downloads."""

from __future__ import annotations

import dataclasses
from typing import Annotated, Any, Final

from fastapi import APIRouter, Depends, Path, Query
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from reclaim.api.case_access import CASE_ID_PATTERN, server_vault
from reclaim.config import Settings
from reclaim.errors import N_, NotFoundError
from reclaim.services.accounts import CASE_ROLES, ROLES, WebSession
from reclaim.web.access import case_in_reach, cases_in_reach
from reclaim.web.page_route import PageRoute
from reclaim.web.rendering import page_language, page_translator, render
from reclaim.web.sessions import CheckedForm, engine_of, settings_of, signed_in

router = APIRouter(include_in_schema=False, route_class=PageRoute)

Caseworker = Annotated[WebSession, Depends(signed_in(*CASE_ROLES))]
Anyone = Annotated[WebSession, Depends(signed_in(*ROLES))]
CaseId = Annotated[str, Path(pattern=CASE_ID_PATTERN, max_length=32)]
LeafIndex = Annotated[int, Path(ge=0, le=2**31 - 1)]
DOWNLOAD_HEADERS: Final = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}


def acting_settings(request: Request, session: WebSession) -> Settings:
    """The server's settings with the account as actor: the services record who did each write."""
    return dataclasses.replace(settings_of(request), actor=session.account.actor)


@router.get("/cases")
def cases_page(request: Request, session: Anyone) -> Response:
    from reclaim.services.case_timeline import case_overview
    from reclaim.services.review import list_leads
    from reclaim.store.scans import PENDING

    if session.account.role == "victim" and session.account.case_id:
        return RedirectResponse(f"/cases/{session.account.case_id}", status_code=303)
    engine = engine_of(request)
    pending: dict[str, int] = {}
    for lead in list_leads(engine, statuses=(PENDING,), case_id=session.account.case_id):
        pending[lead.case_id] = pending.get(lead.case_id, 0) + 1
    rows = []
    for case in cases_in_reach(engine, session.account):
        flags = case_overview(engine, case).flags
        rows.append(
            {
                "case": case,
                "overdue": sum(1 for flag in flags if flag.kind == "overdue"),
                "flags": _flag_texts(request, flags),
                "pending": pending.get(case.id, 0),
            }
        )
    return render(request, "cases.html", session=session, csrf_token=session.csrf_token, rows=rows)


@router.get("/cases/{case_id}")
def case_page(request: Request, session: Anyone, case_id: CaseId) -> Response:
    from reclaim.cases.routes import PLATFORMS
    from reclaim.cli.case_flags import describe_event
    from reclaim.cli.notice import STATUS_LABELS
    from reclaim.services.case_timeline import case_overview
    from reclaim.services.notices import case_sightings
    from reclaim.store.evidence import read_captures
    from reclaim.store.notices import list_notices

    engine = engine_of(request)
    case = case_in_reach(engine, session.account, case_id)
    if session.account.role == "victim":
        from reclaim.web.my_case import my_case_page

        return my_case_page(request, session, case)  # her own words for it, not the flags
    overview = case_overview(engine, case)
    translate = page_translator(request)
    captured = {capture.leaf_index for capture in read_captures(engine, case.id)}
    return render(
        request,
        "case.html",
        session=session,
        csrf_token=session.csrf_token,
        case=case,
        flags=_flag_texts(request, overview.flags),
        timeline=[(event.at, describe_event(translate, event)) for event in overview.events],
        sightings=case_sightings(engine, case.id),
        captured=captured,
        notices=list_notices(engine, case.id),
        status_labels=STATUS_LABELS,
        platforms=PLATFORMS,
        may_act=session.account.role in CASE_ROLES,
        page_lang=page_language(request),
    )


@router.get("/cases/{case_id}/captures/{leaf_index}/blurred")
def blurred_capture(request: Request, session: Anyone, case_id: CaseId, leaf_index: LeafIndex) -> Response:
    from reclaim.web.pictures import blurred_picture

    return blurred_picture(_capture_bytes(request, session, case_id, leaf_index))


@router.get("/cases/{case_id}/captures/{leaf_index}/clear")
def clear_capture(request: Request, session: Caseworker, case_id: CaseId, leaf_index: LeafIndex) -> Response:
    from reclaim.web.pictures import clear_picture

    return clear_picture(_capture_bytes(request, session, case_id, leaf_index))


@router.get("/cases/{case_id}/report")
def download_report(
    request: Request,
    session: Caseworker,
    case_id: CaseId,
    lang: Annotated[str | None, Query(pattern="^(zh|en)$")] = None,
) -> Response:
    from reclaim.api.downloads import write_privately
    from reclaim.services.report import report_needs_vault, write_report

    engine = engine_of(request)
    case = case_in_reach(engine, session.account, case_id)
    settings = acting_settings(request, session)
    vault = server_vault(settings) if report_needs_vault(engine, case.id) else None
    name = f"reclaim-report-{case.id}.pdf"
    report = write_privately(
        name,
        lambda path: write_report(
            engine, settings, case.id, path, lang=lang or page_language(request), fmt="pdf", vault=vault
        ),
    )
    return report.response("application/pdf", {**DOWNLOAD_HEADERS, **_attachment(name)})


@router.post("/cases/{case_id}/bundle")
def download_bundle(request: Request, session: Caseworker, case_id: CaseId, fields: CheckedForm) -> Response:
    """The redacted bundle (captures blurred): a sealed one needs its key handed over apart from
    the file, which one browser download cannot do; `reclaim evidence export` or the API can."""
    from reclaim.api.downloads import write_privately
    from reclaim.services.evidence import export_bundle
    from reclaim.store.evidence import read_captures

    del fields  # checked: the export is a write to the case's chain of custody
    engine = engine_of(request)
    case = case_in_reach(engine, session.account, case_id)
    settings = acting_settings(request, session)
    vault = server_vault(settings) if read_captures(engine, case.id) else None
    name = f"reclaim-bundle-{case.id}.zip"
    bundle = write_privately(
        name, lambda path: export_bundle(engine, settings, case.id, path, redact=True, vault=vault)
    )
    return bundle.response("application/zip", {**DOWNLOAD_HEADERS, **_attachment(name)})


def _capture_bytes(request: Request, session: WebSession, case_id: str, leaf_index: int) -> bytes:
    """The capture of a sighting, decrypted in memory with the server's passphrase."""
    from reclaim.store.evidence import read_captures

    engine = engine_of(request)
    case = case_in_reach(engine, session.account, case_id)
    capture = next((c for c in read_captures(engine, case.id) if c.leaf_index == leaf_index), None)
    if capture is None:
        raise NotFoundError(N_("Sighting {leaf} has no capture."), leaf=leaf_index)
    return server_vault(settings_of(request)).load(case.id, capture.vault_name)


def _flag_texts(request: Request, flags: Any) -> list[str]:
    from reclaim.cli.case_flags import describe_flag

    translate = page_translator(request)
    return [describe_flag(translate, flag) for flag in flags]


def _attachment(name: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{name}"'}
