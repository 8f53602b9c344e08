"""``/v1/bank/entries``: the bank's entries added and withdrawn since a cursor, and platforms'
feedback on an entry. For platforms."""

from __future__ import annotations

from typing import Annotated, Final, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from reclaim.api.auth import PLATFORM_ROLES, caller, guarded
from reclaim.services.platform import MAX_PAGE
from reclaim.store.tokens import TokenRecord

# Entry ids are 32-bit integers in the database: a larger one would fail in PostgreSQL (a 500).
MAX_ENTRY_ID: Final = 2**31 - 1

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


class Feedback(BaseModel):
    verdict: Literal["blocked", "not_ncii"] = Field(
        description="blocked: it was NCII and you acted on it; not_ncii: the match was not NCII."
    )
    note: str | None = Field(default=None, max_length=1000, description="What you saw, for the reviewer.")


@router.post(
    "/entries/{entry_id}/feedback",
    summary="Say what an entry's match turned out to be.",
    description=(
        "not_ncii holds the entry back from matching until a person at the helpline has looked "
        "(once per platform: after she clears it, the same platform saying so again is recorded "
        "but holds nothing)."
    ),
    **guarded(*PLATFORM_ROLES),
)
def entry_feedback(
    request: Request,
    entry_id: Annotated[int, Path(ge=1, le=MAX_ENTRY_ID, description="The entry_id of a match.")],
    feedback: Feedback,
    record: Annotated[TokenRecord, Depends(caller)],
) -> dict[str, object]:
    from reclaim.services.quarantine import give_feedback

    result = give_feedback(request.app.state.engine, record, entry_id, feedback.verdict, feedback.note)
    return result.to_json()
