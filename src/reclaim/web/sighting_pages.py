"""Report a sighting: where she saw it (a link, when, where), and a screenshot she took of it.

The server never opens her link: fetching a URL a visitor typed would let anyone with an
account make the server reach private networks (the API's sightings route refuses it for the
same reason). The screenshot is sealed into the vault with the server's passphrase by the same
service as `reclaim evidence add`, before anything is stored; no passphrase, no screenshot.
"""

from __future__ import annotations

from typing import Final

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from reclaim.errors import N_, UserInputError, VaultUnavailableError
from reclaim.services.accounts import WebSession
from reclaim.services.evidence import RecordedEntry, SightingRequest
from reclaim.web.case_pages import acting_settings
from reclaim.web.page_route import PageRoute
from reclaim.web.rendering import render
from reclaim.web.sessions import CSRF_FIELD, engine_of, require_token
from reclaim.web.victims import Victim, her_case

router = APIRouter(include_in_schema=False, route_class=PageRoute)

MAX_CAPTURE_BYTES: Final = 25 * 1024 * 1024
MAX_URL: Final = 2048
MAX_CHANNEL: Final = 200
# Offsets she can choose for the time she saw it; China's first. A browser's datetime-local
# field has no zone, and a time without one names no moment (evidence/entries.parse_seen_at).
ZONES: Final = (
    ("+08:00", N_("China, Hong Kong, Macao, Taiwan, Singapore (UTC+8)")),
    ("+09:00", N_("Japan, Korea (UTC+9)")),
    ("+07:00", N_("Thailand, Vietnam, Indonesia (UTC+7)")),
    ("+00:00", N_("UTC, London in winter (UTC+0)")),
    ("+01:00", N_("Central Europe in winter (UTC+1)")),
    ("-05:00", N_("New York in winter (UTC-5)")),
    ("-08:00", N_("Los Angeles, Vancouver in winter (UTC-8)")),
)


class CaptureVaultClosedError(VaultUnavailableError):
    default_hint = N_(
        "Nothing was saved. Tell your helpline that screenshots cannot be locked away right now. "
        "You can still report the link without the screenshot."
    )


@router.get("/sightings/new")
def sighting_page(request: Request, session: Victim) -> Response:
    case = her_case(request, session)
    return render(
        request, "sighting.html", session=session, csrf_token=session.csrf_token, case=case, zones=ZONES
    )


@router.post("/sightings")
async def sighting_posted(request: Request, session: Victim) -> Response:
    from starlette.concurrency import run_in_threadpool

    from reclaim.web.multipart_form import multipart_form

    form = await multipart_form(request, MAX_CAPTURE_BYTES + 64 * 1024)
    require_token(session, form.fields.get(CSRF_FIELD))
    url = form.fields.get("url", "").strip()
    if not url or len(url) > MAX_URL:
        raise UserInputError(
            N_("Paste the link where you saw it."), hint=N_("Copy it from the browser's address bar.")
        )
    if len(form.fields.get("channel", "")) > MAX_CHANNEL:
        raise UserInputError(N_("The name of the group or channel is too long."))
    capture = form.files.get("capture")
    if capture is not None and len(capture) > MAX_CAPTURE_BYTES:
        raise UserInputError(
            N_("The screenshot is too large: at most {megabytes} MB."), megabytes=MAX_CAPTURE_BYTES // 2**20
        )
    sighting = _sighting(url, form.fields, capture)
    recorded = await run_in_threadpool(_record, request, session, sighting)
    return render(
        request, "sighting_done.html", session=session, csrf_token=session.csrf_token, recorded=recorded
    )


def _sighting(url: str, fields: dict[str, str], capture: bytes | None) -> SightingRequest:
    from reclaim.evidence.entries import SourceRef, parse_source_url

    parsed = parse_source_url(url)
    channel = fields.get("channel", "").strip() or parsed.channel
    source = SourceRef(parsed.url, parsed.platform, channel, parsed.channel_id, parsed.message_id)
    note = fields.get("note", "").strip() or None
    return SightingRequest(url=url, capture_bytes=capture, note=note, seen_at=_seen_at(fields), source=source)


def _record(request: Request, session: WebSession, sighting: SightingRequest) -> RecordedEntry:
    """The sighting in her case's log; its screenshot sealed with the server's passphrase."""
    from reclaim.api.case_access import server_vault
    from reclaim.services.evidence import add_sighting

    case = her_case(request, session)
    settings = acting_settings(request, session)
    vault = None
    if sighting.capture_bytes is not None:
        if not settings.passphrase:
            raise CaptureVaultClosedError(N_("The screenshot cannot be stored safely on this server now."))
        vault = server_vault(settings)
    return add_sighting(engine_of(request), settings, case.id, sighting, vault=vault)


def _seen_at(fields: dict[str, str]) -> str | None:
    """The time as ISO 8601 with the zone she chose; None when she left it empty."""
    moment = fields.get("seen_at", "").strip()
    if not moment:
        return None
    zone = fields.get("zone", "")
    if zone not in {offset for offset, _ in ZONES}:
        raise UserInputError(N_("Choose the time zone of the time you gave."))
    return moment + zone
