"""``/healthz`` (the process answers) and ``/readyz`` (database reachable, bank loaded): no token."""

from __future__ import annotations

from fastapi import APIRouter, Request

from reclaim.errors import N_, StorageError

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="The server process is up.")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get(
    "/readyz",
    summary="The database answers and the bank is loaded (503 until then).",
    responses={503: {"description": "Not ready yet"}},
)
def readyz(request: Request) -> dict[str, object]:
    from reclaim.store.health import database_answers

    if not database_answers(request.app.state.engine):
        raise StorageError(N_("The database does not answer."))
    live_bank = request.app.state.live_bank
    if not live_bank.loaded:
        raise StorageError(N_("The bank is still loading."), hint=N_("Wait a few seconds and ask again."))
    return {"status": "ready", "entries": len(live_bank.snapshot())}
