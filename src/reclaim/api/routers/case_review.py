"""``/v1/review``: the leads scans found, for a person to accept (evidence) or reject.

The same service as `reclaim review`; a token limited to one case sees and decides only its leads.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from reclaim.api.auth import guarded
from reclaim.api.case_access import (
    CASE_ID_PATTERN,
    CASE_ROLES,
    MAX_ROW_ID,
    Caller,
    CaseNotFoundError,
    acting_settings,
    check_reach,
    engine_of,
    server_vault,
)
from reclaim.errors import N_
from reclaim.store.tokens import TokenRecord

router = APIRouter(prefix="/v1/review", tags=["review"])

ReviewId = Annotated[int, Path(description="The lead's number.", ge=1, le=MAX_ROW_ID)]


class Acceptance(BaseModel):
    model_config = ConfigDict(extra="forbid")
    possible_minor: bool = Field(
        False,
        description=(
            "The content may show a minor: only its hashes and link are kept, never the file, and "
            "the answer names the child-protection routes to report it to."
        ),
    )
    note: str | None = Field(None, description="A note for the evidence log.", max_length=4000)


@router.get("", summary="The review queue.", **guarded(*CASE_ROLES))
def review_queue(
    request: Request,
    record: Caller,
    status: Annotated[
        Literal["pending", "accepted", "rejected", "all"], Query(description="Which leads to list.")
    ] = "pending",
    case_id: Annotated[
        str | None, Query(description="Only this case's leads.", pattern=CASE_ID_PATTERN, max_length=32)
    ] = None,
) -> dict[str, Any]:
    from reclaim.services.review import list_leads
    from reclaim.store.scans import REVIEW_STATUSES

    if case_id is not None:
        check_reach(record, case_id)
    statuses = REVIEW_STATUSES if status == "all" else (status,)
    leads = list_leads(engine_of(request), statuses=statuses, case_id=case_id or record.case_id)
    return {"leads": [lead.to_json() for lead in leads]}


@router.post(
    "/{review_id}/accept",
    summary="Accept a lead: it becomes a sighting in its case's evidence log.",
    description=(
        "The found file, when the scan's copy is still there, is sealed in the vault as the capture: "
        "that needs the server's vault passphrase (RECLAIM_PASSPHRASE), or the answer is 503."
    ),
    **guarded(*CASE_ROLES),
)
def accept(
    request: Request, record: Caller, review_id: ReviewId, body: Acceptance | None = None
) -> dict[str, Any]:
    from reclaim.services.review import accept_lead

    _lead_in_reach(request, record, review_id)
    settings = acting_settings(request, record)
    decision = accept_lead(
        engine_of(request),
        settings,
        review_id,
        open_vault=lambda: server_vault(settings),
        possible_minor=body.possible_minor if body else False,
        note=body.note if body else None,
    )
    return decision.to_json()


@router.post(
    "/{review_id}/reject",
    summary="Reject a lead: it is not her, or not a match. It is not queued again.",
    **guarded(*CASE_ROLES),
)
def reject(request: Request, record: Caller, review_id: ReviewId) -> dict[str, Any]:
    from reclaim.services.review import reject_lead

    _lead_in_reach(request, record, review_id)
    return reject_lead(engine_of(request), acting_settings(request, record), review_id).to_json()


def _lead_in_reach(request: Request, record: TokenRecord, review_id: int) -> None:
    """404 for a lead that does not exist or belongs to a case outside the token's limit."""
    from reclaim.store.scans import get_review

    lead = get_review(engine_of(request), review_id)
    if lead is None or (record.case_id is not None and lead.case_id != record.case_id):
        raise CaseNotFoundError(
            N_("There is no lead {review_id} in the review queue."),
            hint=N_("GET /v1/review lists the leads."),
            review_id=review_id,
        )
