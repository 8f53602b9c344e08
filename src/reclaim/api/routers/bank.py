"""``/v1/bank/entries``: the bank's entries added and withdrawn since a cursor. For platforms."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.concurrency import run_in_threadpool

from reclaim.api.auth import PLATFORM_ROLES, guarded
from reclaim.services.platform import MAX_PAGE

router = APIRouter(prefix="/v1/bank", tags=["bank"])


@router.get(
    "/entries",
    summary="Entries added or withdrawn since a cursor.",
    description=(
        "Start with since=0 and pass each answer's next_cursor as the next since. A withdrawn "
        "entry comes with its id only: delete your copy of it."
    ),
    **guarded(*PLATFORM_ROLES),
)
async def bank_entries(
    request: Request,
    since: Annotated[
        str, Query(description="The next_cursor of the last answer; 0 at first.", max_length=40)
    ] = "0",
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE, description="Entries at most in this answer.")] = 1000,
) -> dict[str, object]:
    from reclaim.services.platform import bank_changes

    delta = await run_in_threadpool(bank_changes, request.app.state.engine, since, limit)
    return delta.to_json()
