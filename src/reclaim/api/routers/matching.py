"""``/v1/match``: does a hash, or an upload's bytes, match the bank? For platforms."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from starlette.concurrency import run_in_threadpool

from reclaim.api.auth import PLATFORM_ROLES, guarded
from reclaim.errors import N_, MediaLimitError, UserInputError

router = APIRouter(prefix="/v1", tags=["match"])

_LOW_QUALITY_HELP = (
    "Also match low-quality PDQ entries (quality < 50: plain or tiny pictures; more false leads)."
)


@router.get("/match", summary="Match one hash against the bank.", **guarded(*PLATFORM_ROLES))
async def match_hash(
    request: Request,
    signal_type: Annotated[Literal["pdq", "md5", "sha256"], Query(description="The kind of hash.")],
    signal: Annotated[
        str, Query(description="The hash, in hex (64 digits for pdq and sha256, 32 for md5).", max_length=128)
    ],
    include_low_quality: Annotated[bool, Query(description=_LOW_QUALITY_HELP)] = False,
) -> dict[str, object]:
    from reclaim.services.platform import match_signal

    # On the event loop, not in a thread: the bank is in memory and the search takes well under a
    # millisecond, less than the hop to a thread would cost (benchmarks/bench_api.py).
    snapshot = request.app.state.live_bank.snapshot(include_low_quality=include_low_quality)
    return {"matches": [match.to_json() for match in match_signal(snapshot, signal_type, signal)]}


@router.post(
    "/match",
    summary="Match an upload (a photo or video, as the request body) against the bank.",
    description=(
        "The bytes are processed in memory and never stored. The answer carries the hashes "
        "computed (sha256, md5, pdq), so the platform can keep them instead of the upload."
    ),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
        },
        **guarded(*PLATFORM_ROLES)["openapi_extra"],
    },
    dependencies=guarded(*PLATFORM_ROLES)["dependencies"],
)
async def match_upload(
    request: Request, include_low_quality: Annotated[bool, Query(description=_LOW_QUALITY_HELP)] = False
) -> dict[str, object]:
    from reclaim.services.platform import match_media

    limits = request.app.state.settings.limits
    data = await read_body(request, limits.max_file_bytes)
    live_bank = request.app.state.live_bank
    snapshot = await run_in_threadpool(live_bank.snapshot, include_low_quality=include_low_quality)
    result = await run_in_threadpool(match_media, snapshot, data, limits)
    return result.to_json()


async def read_body(request: Request, limit: int) -> bytes:
    """The body, refused as soon as it passes ``limit`` bytes (before it is all received)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise _too_large(int(declared), limit)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _too_large(size, limit)
        chunks.append(chunk)
    if not size:
        raise UserInputError(
            N_("The request has no body."), hint=N_("Send the photo or video's bytes as the request body.")
        )
    return b"".join(chunks)


def _too_large(size: int, limit: int) -> MediaLimitError:
    return MediaLimitError(
        N_("{path} is {size} bytes, more than the limit of {limit} bytes."),
        path="upload",
        size=size,
        limit=limit,
    )
