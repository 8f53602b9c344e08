"""``/v1/cases``: open cases, see one, record and list its sightings, check its log, withdraw it.

For helplines' own tools (caseworker and admin tokens); the same services as `reclaim case`,
`reclaim evidence` and `reclaim withdraw`, with the token as the actor of every write.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from reclaim.api.auth import guarded
from reclaim.api.case_access import (
    CASE_ROLES,
    Caller,
    CaseInReach,
    acting_settings,
    engine_of,
    refuse_case_limited,
)
from reclaim.errors import N_, UserInputError

router = APIRouter(prefix="/v1/cases", tags=["cases"])


class NewCase(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str = Field(description="A name for the case, such as a pseudonym.", min_length=1, max_length=500)


class NewSighting(BaseModel):
    """The facts of a sighting. The server never fetches the URL: see docs/api.md."""

    model_config = ConfigDict(extra="forbid")
    url: str = Field(description="Where it was seen, such as https://t.me/channel/123.", max_length=2048)
    seen_at: str | None = Field(
        None, description="When it was seen, ISO 8601 with the time zone.", max_length=64
    )
    note: str | None = Field(
        None, description="A note for the record (who posted it, what it showed).", max_length=4000
    )
    channel: str | None = Field(
        None,
        description="The channel or account it was posted in, when the URL does not say.",
        max_length=200,
    )
    message_id: str | None = Field(None, description="The post's number in its channel.", max_length=40)


class WithdrawalRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    confirm: str = Field(
        description="The case's id again, so that a slip cannot withdraw a case.", max_length=64
    )


@router.get("", summary="The cases this token may see.", **guarded(*CASE_ROLES))
def list_cases(request: Request, record: Caller) -> dict[str, Any]:
    from reclaim.services.cases import all_cases
    from reclaim.store.cases import get_case

    if record.case_id is None:
        cases = all_cases(engine_of(request))
    else:
        limited = get_case(engine_of(request), record.case_id)
        cases = [limited] if limited is not None else []
    return {"cases": [case.to_json() for case in cases]}


@router.post("", status_code=201, summary="Open a case.", **guarded(*CASE_ROLES))
def open_case(request: Request, record: Caller, body: NewCase) -> dict[str, Any]:
    from reclaim.services.cases import new_case

    refuse_case_limited(record)
    settings = acting_settings(request, record)
    return new_case(engine_of(request), body.title, actor=settings.actor).to_json()


@router.get(
    "/{case_id}",
    summary="A case: what needs attention, its timeline and the signals it protects.",
    description="What `reclaim case show --json` prints, in one object (`entries`: the bank entries).",
    **guarded(*CASE_ROLES),
)
def show_case(
    request: Request,
    case: CaseInReach,
    withdrawn: Annotated[bool, Query(description="Also list withdrawn entries.")] = False,
) -> dict[str, Any]:
    from reclaim.services.case_timeline import case_overview
    from reclaim.store.banks import list_entries

    engine = engine_of(request)
    overview = case_overview(engine, case)
    entries = list_entries(engine, case_id=case.id, include_withdrawn=withdrawn)
    return {
        **case.to_json(),
        "flags": [flag.to_json() for flag in overview.flags],
        "timeline": [event.to_json() for event in overview.events],
        "entries": [entry.to_json() for entry in entries],
    }


@router.get(
    "/{case_id}/sightings",
    summary="The case's evidence log: sightings and chain-of-custody entries, oldest first.",
    **guarded(*CASE_ROLES),
)
def list_sightings(request: Request, case: CaseInReach) -> dict[str, Any]:
    from reclaim.services.evidence import list_entries

    return {"entries": [entry.to_json() for entry in list_entries(engine_of(request), case.id)]}


@router.post(
    "/{case_id}/sightings",
    status_code=201,
    summary="Record a sighting in the case's signed log.",
    description=(
        "Records the facts given (where, when, a note) and signs them into the log at once. The "
        "server does not fetch, archive or screenshot the URL for an API caller: that would let any "
        "token make the server reach private networks. Archive a page with `reclaim evidence add "
        "--archive` on the helpline's own computer."
    ),
    **guarded(*CASE_ROLES),
)
def add_sighting(request: Request, record: Caller, case: CaseInReach, body: NewSighting) -> dict[str, Any]:
    from reclaim.services.evidence import SightingRequest
    from reclaim.services.evidence import add_sighting as record_sighting

    settings = acting_settings(request, record)
    sighting = SightingRequest(
        url=body.url, note=body.note, seen_at=body.seen_at, source=_source(body), archive=False
    )
    return record_sighting(engine_of(request), settings, case.id, sighting, vault=None).to_json()


@router.get(
    "/{case_id}/verify",
    summary="Check the case's stored log: every signed tree head against the installation's key.",
    **guarded(*CASE_ROLES),
)
def verify_log(request: Request, case: CaseInReach) -> dict[str, Any]:
    from reclaim.services.evidence import verify_case_log
    from reclaim.store.evidence import latest_tree_head
    from reclaim.store.installations import get_installation

    engine = engine_of(request)
    installation = get_installation(engine)
    if installation is None:
        raise UserInputError(
            N_("This database records no installation yet."), hint=N_("Run `reclaim init` first.")
        )
    problems = verify_case_log(engine, installation.signing_public_key, case.id)
    head = latest_tree_head(engine, case.id)
    return {
        "case_id": case.id,
        "intact": not problems,
        "tree_size": head.tree_size if head else 0,
        "root_hash": head.root_hash.hex() if head else None,
        "key_fingerprint": installation.key_fingerprint,
        "problems": problems,
    }


@router.post(
    "/{case_id}/withdrawal",
    summary="Withdraw the case: everything it held is deleted for good.",
    description=(
        "She takes her case back, as with `reclaim withdraw`. The body must repeat the case id, "
        '{"confirm": "CASE_ID"}. Only the fact and time of the withdrawal are kept.'
    ),
    **guarded(*CASE_ROLES),
)
def withdraw(request: Request, record: Caller, case: CaseInReach, body: WithdrawalRequest) -> dict[str, Any]:
    from reclaim.services.withdraw import withdraw_case

    if body.confirm.strip() != case.id:
        raise UserInputError(
            N_("Withdrawing a case deletes it for good, so it must be confirmed. Nothing was deleted."),
            hint=N_('Send {{"confirm": "{case}"}}: the case\'s id again.'),
            case=case.id,
        )
    return withdraw_case(engine_of(request), acting_settings(request, record), case.id).to_json()


def _source(body: NewSighting) -> Any:
    """Where it was seen: what the URL tells, with the channel and post the caller gave."""
    from reclaim.evidence.entries import SourceRef, parse_source_url

    parsed = parse_source_url(body.url)
    return SourceRef(
        parsed.url,
        parsed.platform,
        (body.channel or "").strip() or parsed.channel,
        parsed.channel_id,
        (body.message_id or "").strip() or parsed.message_id,
    )
