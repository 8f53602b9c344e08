"""Downloads of a case: its report (PDF or HTML) and its evidence bundle (zip).

Each is written by the same service as `reclaim report` and `reclaim evidence export`, into a
private temporary folder (0700) that is deleted once the answer has been sent
(``api.downloads``): nothing of the case stays outside the home. Neither holds media in the
clear: the report shows blurred thumbnails only, and a bundle's captures are sealed with a new
bundle key (or blurred, with ``redact``).
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import Response

from reclaim.api.auth import guarded
from reclaim.api.case_access import (
    CASE_ROLES,
    Caller,
    CaseInReach,
    acting_settings,
    engine_of,
    server_vault,
)
from reclaim.api.downloads import write_privately
from reclaim.api.language import preferred_language

router = APIRouter(prefix="/v1/cases", tags=["cases"])

_MEDIA_TYPES = {"pdf": "application/pdf", "html": "text/html; charset=utf-8"}


@router.get(
    "/{case_id}/report",
    summary="The case's report for the police, a court or a lawyer, as a download.",
    description=(
        "PDF by default, or one self-contained HTML file with `format=html`; in `lang`, or the "
        "language of Accept-Language. Thumbnails of captures need the server's vault passphrase "
        "(RECLAIM_PASSPHRASE): without it a case with captures answers 503."
    ),
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}, "text/html": {}}}},
    **guarded(*CASE_ROLES),
)
def download_report(
    request: Request,
    record: Caller,
    case: CaseInReach,
    *,
    fmt: Annotated[Literal["pdf", "html"], Query(alias="format", description="pdf or html.")] = "pdf",
    lang: Annotated[Literal["zh", "en"] | None, Query(description="The report's language.")] = None,
    accept_language: Annotated[str, Header(description="The language when `lang` is not given.")] = "",
) -> Response:
    from reclaim.services.report import report_needs_vault, write_report

    settings = acting_settings(request, record)
    engine = engine_of(request)
    vault = server_vault(settings) if report_needs_vault(engine, case.id) else None
    name = f"reclaim-report-{case.id}.{fmt}"
    report = write_privately(
        name,
        lambda path: write_report(
            engine,
            settings,
            case.id,
            path,
            lang=lang or preferred_language(accept_language),
            fmt=fmt,
            vault=vault,
        ),
    )
    verified = str(report.written.log_verified).lower()
    return report.response(_MEDIA_TYPES[fmt], {**_download_headers(name), "X-Reclaim-Log-Verified": verified})


@router.get(
    "/{case_id}/bundle",
    summary="The case's evidence bundle (zip), verifiable offline with `reclaim verify`.",
    description=(
        "The export is logged in the case's chain of custody. Captures are sealed with a new bundle "
        "key, sent once in the `X-Reclaim-Bundle-Key` header: give it to the recipient separately, "
        "never with the bundle. With `redact=true` the captures are blurred instead and there is no "
        "key. A case with captures needs the server's vault passphrase (RECLAIM_PASSPHRASE), or 503."
    ),
    response_class=Response,
    responses={200: {"content": {"application/zip": {}}}},
    **guarded(*CASE_ROLES),
)
def download_bundle(
    request: Request,
    record: Caller,
    case: CaseInReach,
    redact: Annotated[bool, Query(description="Blur the captures instead of sealing them.")] = False,
) -> Response:
    from reclaim.services.evidence import export_bundle
    from reclaim.store.evidence import read_captures

    settings = acting_settings(request, record)
    engine = engine_of(request)
    vault = server_vault(settings) if read_captures(engine, case.id) else None
    name = f"reclaim-bundle-{case.id}.zip"
    bundle = write_privately(
        name, lambda path: export_bundle(engine, settings, case.id, path, redact=redact, vault=vault)
    )
    exported = bundle.written
    headers = {**_download_headers(name), "X-Reclaim-Key-Fingerprint": exported.key_fingerprint}
    if exported.bundle_key is not None:
        headers["X-Reclaim-Bundle-Key"] = exported.bundle_key
    return bundle.response("application/zip", headers)


def _download_headers(name: str) -> dict[str, str]:
    # no-store: a shared proxy or browser cache must not keep a copy of her case.
    return {"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"}
