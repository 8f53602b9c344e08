"""Protect my photos: her browser hashes them (static/js/protect.js); only the hashes are posted.

The page has no form that could carry a file: the file input has no name and sits outside any
form, and the post is JSON that the script builds from the hashes. The server adds them to her
case's bank through the same service as `reclaim protect CASE --hashes FILE`, with her account
as the submitter.
"""

from __future__ import annotations

import io
import json
from typing import Any, Final

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from reclaim.errors import N_, UserInputError
from reclaim.web.case_pages import acting_settings
from reclaim.web.hash_list_texts import HASH_LIST_TEXTS
from reclaim.web.page_route import PageRoute
from reclaim.web.rendering import page_translator, render
from reclaim.web.sessions import CSRF_HEADER, engine_of, require_token
from reclaim.web.victims import Victim, her_case

router = APIRouter(include_in_schema=False, route_class=PageRoute)

# A photo is three hashes of about 300 bytes; an hour of video, 3600 frames of about 90. Eight
# MiB holds hundreds of photos and hours of video, and nothing a browser sends here is bigger.
MAX_HASHES_BYTES: Final = 8 * 1024 * 1024
ATTESTATIONS: Final = ("self", "on-behalf")

# The words protect.js shows as it works, in the page's language. Plain words: she is not technical.
SCRIPT_TEXTS: Final = {
    **HASH_LIST_TEXTS,
    "sending": N_("Sending the hashes…"),
    "send_failed": N_("The hashes could not be sent. Check the connection and try again."),
}


@router.get("/protect")
def protect_page(request: Request, session: Victim) -> Response:
    case = her_case(request, session)
    translate = page_translator(request)
    texts = {key: translate(message) for key, message in SCRIPT_TEXTS.items()}
    return render(
        request,
        "protect.html",
        session=session,
        csrf_token=session.csrf_token,
        case=case,
        script_texts=texts,
    )


@router.post("/protect")
async def protect_posted(request: Request, session: Victim) -> Response:
    """The hashes her browser made: ``{"attestation": "self", "records": [...]}``, JSON lines fields."""
    from starlette.concurrency import run_in_threadpool

    from reclaim.bank.entries import Attestation
    from reclaim.services.exchange import protect_from_browser

    require_token(session, request.headers.get(CSRF_HEADER))
    posted = await _json_body(request)
    attestation = posted.get("attestation")
    records = posted.get("records")
    if attestation not in ATTESTATIONS:
        raise UserInputError(N_("Say who you are: the person shown, or acting for her with her consent."))
    if not isinstance(records, list) or not records:
        raise UserInputError(N_("Choose at least one photo or video first."))
    lines = io.StringIO("".join(json.dumps(record, ensure_ascii=False) + "\n" for record in records))

    def protect() -> Any:
        case = her_case(request, session)
        return protect_from_browser(
            engine_of(request),
            acting_settings(request, session),
            case,
            lines,
            attestation=Attestation(attestation),
        )

    summary = await run_in_threadpool(protect)
    return render(request, "protected.html", summary=summary)


async def _json_body(request: Request) -> dict[str, Any]:
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != "application/json":
        raise UserInputError(N_("This page takes only its own forms."))
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_HASHES_BYTES:
            raise UserInputError(N_("Too many hashes at once: send fewer files at a time."))
    try:
        posted = json.loads(body)
    except (UnicodeDecodeError, ValueError):
        raise UserInputError(N_("This page takes only its own forms.")) from None
    if not isinstance(posted, dict):
        raise UserInputError(N_("This page takes only its own forms."))
    return posted
