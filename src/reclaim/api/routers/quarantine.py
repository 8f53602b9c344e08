"""``/v1/quarantine``: bank entries held back from matching, for a person at the helpline to review."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request

from reclaim.api.auth import caller, guarded
from reclaim.api.routers.bank import MAX_ENTRY_ID
from reclaim.errors import N_, NotFoundError
from reclaim.store.tokens import TokenRecord

router = APIRouter(prefix="/v1/quarantine", tags=["quarantine"])
_REVIEWERS = ("caseworker", "admin")


@router.get(
    "",
    summary="Entries held back from matching: they flooded, or a platform said not NCII.",
    **guarded(*_REVIEWERS),
)
def quarantine_list(request: Request, record: Annotated[TokenRecord, Depends(caller)]) -> dict[str, object]:
    from reclaim.services.quarantine import held_entries

    held = held_entries(request.app.state.engine, request.app.state.settings, case_id=record.case_id)
    return {"entries": [entry.to_json() for entry in held]}


@router.post(
    "/{entry_id}/clear",
    summary="Let a held entry match again: a person looked and it is hers.",
    **guarded(*_REVIEWERS),
)
def quarantine_clear(
    request: Request,
    entry_id: Annotated[int, Path(ge=1, le=MAX_ENTRY_ID)],
    record: Annotated[TokenRecord, Depends(caller)],
) -> dict[str, object]:
    from reclaim.services.quarantine import clear_held_entry
    from reclaim.store.quarantine import entry_standing

    engine = request.app.state.engine
    standing = entry_standing(engine, entry_id)
    if record.case_id is not None and (standing is None or standing.case_id != record.case_id):
        # A token for one case does not learn whether another case's entry exists.
        raise NotFoundError(N_("There is no entry {entry_id} in the bank."), entry_id=entry_id)
    clear_held_entry(engine, entry_id, actor=f"token:{record.token_id}")
    return {"entry_id": entry_id, "quarantined": False}
