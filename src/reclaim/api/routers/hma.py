"""The routes of Meta's Hasher-Matcher-Actioner (OpenMediaMatch) its clients call, behind our tokens.

Same paths, parameter names and answer shapes as HMA's ``matching``, ``hashing`` and
``curation`` blueprints, so a platform's HMA client can point at Reclaim. What differs is in
docs/api.md: a token is needed, no URL is ever fetched, and a hash added to a bank needs an attestation.
"""

from __future__ import annotations

import json
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Annotated, Any, Final

from fastapi import APIRouter, Depends, Path, Query, Request
from starlette.concurrency import run_in_threadpool

from reclaim.api.auth import PLATFORM_ROLES, caller, guarded
from reclaim.api.routers.matching import read_body
from reclaim.errors import N_, UserInputError
from reclaim.store.tokens import TokenRecord

router = APIRouter(tags=["hma"])

# Room for a multipart body's boundaries and part headers around a file of the size limit.
_MULTIPART_FRAMING: Final = 64 * 1024
_MAX_SIGNAL_BODY: Final = 256 * 1024  # a few hashes; vPDQ of a long video is the largest
_UPLOAD_BODY: Final = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {"photo": {"type": "string", "format": "binary"}},
                }
            },
            "application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
        },
    }
}
_BANKS_HELP = "Comma-separated bank names to search only (case banks are all named protected)."
_SIGNAL_TYPE_HELP = "pdq, md5 or sha256 (video_md5 is read as md5)."
_IGNORED_HELP = "Accepted for HMA's clients; Reclaim has no matching ratios, so every active entry matches."


def _upload_route(*roles: str) -> dict[str, Any]:
    route = guarded(*roles)
    return {**route, "openapi_extra": {**_UPLOAD_BODY, **route["openapi_extra"]}}


@router.get(
    "/m/raw_lookup",
    summary="HMA: the entry ids a hash matches.",
    **guarded(*PLATFORM_ROLES),
)
async def raw_lookup(
    request: Request,
    signal_type: Annotated[str, Query(description=_SIGNAL_TYPE_HELP, max_length=40)],
    signal: Annotated[str, Query(description="The hash, in hex.", max_length=128)],
    banks: Annotated[str | None, Query(description=_BANKS_HELP, max_length=2000)] = None,
    include_distance: Annotated[bool, Query(description="Give each match's distance too.")] = False,
) -> dict[str, object]:
    from reclaim.services import hma

    snapshot = request.app.state.live_bank.snapshot()
    return hma.raw_lookup(
        snapshot, signal_type, signal, banks=_bank_names(banks), include_distance=include_distance
    )


@router.get(
    "/m/lookup",
    summary="HMA: the banks, and their entries, a hash matches.",
    **guarded(*PLATFORM_ROLES),
)
async def lookup_get(
    request: Request,
    *,
    signal_type: Annotated[str | None, Query(description=_SIGNAL_TYPE_HELP, max_length=40)] = None,
    signal: Annotated[str | None, Query(description="The hash, in hex.", max_length=128)] = None,
    url: Annotated[str | None, Query(description="Refused: Reclaim fetches no URL.", max_length=4000)] = None,
    banks: Annotated[str | None, Query(description=_BANKS_HELP, max_length=2000)] = None,
    seed: Annotated[str | None, Query(description=_IGNORED_HELP, max_length=200)] = None,
    bypass_coinflip: Annotated[bool, Query(description=_IGNORED_HELP)] = False,
) -> dict[str, object]:
    from reclaim.services import hma

    if url is not None:
        raise _no_fetching()
    if not signal or not signal_type:
        raise UserInputError(
            N_("This route needs signal_type and signal."),
            hint=N_("Send the hash as signal_type=pdq&signal=HEX, or POST the file to /m/lookup."),
        )
    snapshot = request.app.state.live_bank.snapshot()
    return dict(hma.lookup_signal(snapshot, signal_type, signal, banks=_bank_names(banks)))


@router.post(
    "/m/lookup",
    summary="HMA: the banks, and their entries, an upload matches, by signal type.",
    description="The file as multipart/form-data (field photo or video) or as the raw body; never stored.",
    **_upload_route(*PLATFORM_ROLES),
)
async def lookup_post(
    request: Request,
    banks: Annotated[str | None, Query(description=_BANKS_HELP, max_length=2000)] = None,
    seed: Annotated[str | None, Query(description=_IGNORED_HELP, max_length=200)] = None,
    bypass_coinflip: Annotated[bool, Query(description=_IGNORED_HELP)] = False,
) -> dict[str, object]:
    from reclaim.services import hma

    limits = request.app.state.settings.limits
    data = await _uploaded_file(request, limits.max_file_bytes)
    snapshot = await run_in_threadpool(request.app.state.live_bank.snapshot)
    found = await run_in_threadpool(hma.lookup_media, snapshot, data, limits, banks=_bank_names(banks))
    return dict(found)


@router.get(
    "/h/hash",
    summary="HMA: hash the media at a URL. Refused: Reclaim fetches no URL.",
    **guarded(*PLATFORM_ROLES),
)
def hash_get(
    url: Annotated[str | None, Query(description="Refused: Reclaim fetches no URL.", max_length=4000)] = None,
) -> dict[str, str]:
    raise _no_fetching()


@router.post(
    "/h/hash",
    summary="HMA: the hashes of an upload, by signal type.",
    description="The file as multipart/form-data (field photo or video) or as the raw body; never stored.",
    **_upload_route(*PLATFORM_ROLES),
)
async def hash_post(request: Request) -> dict[str, str]:
    from reclaim.services import hma

    limits = request.app.state.settings.limits
    data = await _uploaded_file(request, limits.max_file_bytes)
    return await run_in_threadpool(hma.hash_media, data, limits)


@router.post(
    "/c/bank/{bank_name}/signal",
    summary="HMA: add hashes to a bank, with her attestation.",
    description=(
        'HMA\'s body, {"pdq": "HEX", "md5": "HEX", "note": "..."}, plus Reclaim\'s "attestation": '
        '"self" or "on-behalf", which a case\'s bank requires. The token is recorded as the '
        "submitter. Case banks take hashes from an administrator or that case's caseworker; "
        "list banks from an administrator. The note is not stored."
    ),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "additionalProperties": {"type": "string"},
                        "example": {"pdq": "f8f8" * 16, "attestation": "on-behalf"},
                    }
                }
            },
        },
        **guarded("admin", "caseworker")["openapi_extra"],
    },
    dependencies=guarded("admin", "caseworker")["dependencies"],
)
async def bank_add_signal(
    request: Request,
    bank_name: Annotated[str, Path(max_length=200)],
    record: Annotated[TokenRecord, Depends(caller)],
) -> dict[str, object]:
    from reclaim.services.bank_signals import add_signals

    body = await _json_object(request)
    attestation = body.pop("attestation", None)
    body.pop("note", None)  # free text about her picture: not kept
    added = await run_in_threadpool(
        add_signals,
        request.app.state.engine,
        bank_name,
        body,
        token=record,
        attestation=attestation if isinstance(attestation, str) else None,
    )
    return added.to_json()


async def _json_object(request: Request) -> dict[str, Any]:
    body = await read_body(request, _MAX_SIGNAL_BODY)
    try:
        parsed = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        parsed = None
    if not isinstance(parsed, dict):
        raise UserInputError(
            N_("The body is not a JSON object."),
            hint=N_('Send the hashes as JSON: {{"pdq": "HEX", "attestation": "self"}}.'),
        )
    return parsed


def _bank_names(banks: str | None) -> frozenset[str] | None:
    if banks is None:
        return None
    return frozenset(name.strip() for name in banks.split(",") if name.strip())


def _no_fetching() -> UserInputError:
    return UserInputError(
        N_("Reclaim does not fetch URLs: send the photo or video itself."),
        hint=N_(
            "A server that fetches any address it is sent can be made to reach private networks "
            "(SSRF), and the fetch would tell the address's owner who looked. POST the file to "
            "this route as multipart/form-data (field photo or video) or as the request body."
        ),
    )


async def _uploaded_file(request: Request, limit: int) -> bytes:
    """The one file of a multipart/form-data body, as HMA's clients send it, or the raw body.

    Parsed in memory: a form parser that spools large files to a temporary file would leave
    the upload on disk.
    """
    content_type = request.headers.get("content-type", "")
    if not content_type.lower().startswith("multipart/form-data"):
        return await read_body(request, limit)
    body = await read_body(request, limit + _MULTIPART_FRAMING)
    return await run_in_threadpool(_one_file, content_type, body)


def _one_file(content_type: str, body: bytes) -> bytes:
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode("latin-1", "replace")
    message = BytesParser(policy=policy.HTTP).parsebytes(head + body)
    # Files only, as HMA counts them (request.files): form fields beside them are ignored.
    multipart = isinstance(message, EmailMessage) and message.is_multipart()
    parts = [part for part in (message.iter_parts() if multipart else ()) if part.get_filename() is not None]
    if len(parts) != 1:
        raise UserInputError(
            N_("The form has {count} files; this route takes one."),
            hint=N_("Send one photo or video, in the field photo or video."),
            count=len(parts),
        )
    payload = parts[0].get_payload(decode=True)
    if not isinstance(payload, bytes) or not payload:
        raise UserInputError(
            N_("The form's file is empty."), hint=N_("Send one photo or video, in the field photo or video.")
        )
    return payload
