"""Takedown notices: draft them for a case, read one, record what the platform did, escalate.

The same service as `reclaim notice`. Nothing is sent for the caller: she or the caseworker
sends each notice and records it here. Her real identity, for the routes that need it, is kept
only in the vault, so those drafts need the server's vault passphrase.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Literal

from fastapi import APIRouter, Header, Path, Request
from pydantic import BaseModel, ConfigDict, Field

from reclaim.api.auth import guarded
from reclaim.api.case_access import (
    CASE_ROLES,
    NOTICE_ID_PATTERN,
    Caller,
    CaseInReach,
    CaseNotFoundError,
    acting_settings,
    actor_of,
    engine_of,
    server_vault,
)
from reclaim.api.language import preferred_language
from reclaim.config import Settings
from reclaim.errors import N_, UserInputError
from reclaim.store.tokens import TokenRecord

if TYPE_CHECKING:
    from reclaim.services.notices import IdentitySource
    from reclaim.store.notices import NoticeRecord

router = APIRouter(tags=["notices"])

NoticeId = Annotated[
    str,
    Path(description="The notice's id, such as RC-ab3k7mnp-001.", pattern=NOTICE_ID_PATTERN, max_length=48),
]
Platform = Literal["telegram", "wechat", "weibo", "xiaohongshu", "douyin", "generic", "12377", "police"]
Lang = Literal["zh", "en"]
AcceptLanguage = Annotated[str, Header(description="The notice's language when `lang` is not given.")]


class Identity(BaseModel):
    """Her real identity, for routes that act only on it (Civil Code art. 1195); kept in the vault."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=200)
    contact: str = Field(
        description="Phone or e-mail for the platform's answer.", min_length=1, max_length=200
    )
    id_number: str | None = Field(None, max_length=40)


class NewNotices(BaseModel):
    model_config = ConfigDict(extra="forbid")
    platform: Platform = Field(description="Where the content is, or 12377 or the police for all of it.")
    lang: Lang | None = Field(None, description="The notice's language; default from Accept-Language.")
    identity: Identity | None = Field(
        None, description="Needed once per case for the routes that need it, when the vault holds none."
    )


class NoticeEvent(BaseModel):
    model_config = ConfigDict(extra="forbid")
    status: Literal["sent", "acknowledged", "removed", "refused", "no-response"]
    at: str | None = Field(
        None, description="When it happened, ISO 8601 with the zone (default: now).", max_length=64
    )
    note: str | None = Field(None, description="What the platform said, a ticket number.", max_length=2000)


class Escalation(BaseModel):
    model_config = ConfigDict(extra="forbid")
    lang: Lang | None = Field(None, description="The new notice's language; default the notice's own.")
    identity: Identity | None = None


@router.get("/v1/cases/{case_id}/notices", summary="The case's notices.", **guarded(*CASE_ROLES))
def list_notices(request: Request, case: CaseInReach) -> dict[str, Any]:
    from reclaim.services.notices import notice_json
    from reclaim.store.notices import list_notices as stored_notices

    return {"notices": [notice_json(notice) for notice in stored_notices(engine_of(request), case.id)]}


@router.post(
    "/v1/cases/{case_id}/notices",
    status_code=201,
    summary="Draft notices for the case's sightings on a platform that no notice covers yet.",
    **guarded(*CASE_ROLES),
)
def draft(
    request: Request,
    record: Caller,
    case: CaseInReach,
    body: NewNotices,
    accept_language: AcceptLanguage = "",
) -> dict[str, Any]:
    from reclaim.services.notices import draft_notices

    settings = acting_settings(request, record)
    drafted = draft_notices(
        engine_of(request),
        case.id,
        body.platform,
        body.lang or preferred_language(accept_language),
        actor=settings.actor,
        identity=_identity_source(settings, body.identity),
    )
    return {"notices": [notice.to_json() for notice in drafted]}


@router.get(
    "/v1/notices/{notice_id}",
    summary="A notice as it is to be sent, and its history.",
    description="Her identity is filled in from the vault when the server has its passphrase; else `-`.",
    **guarded(*CASE_ROLES),
)
def show(request: Request, record: Caller, notice_id: NoticeId) -> dict[str, Any]:
    from reclaim.services.notices import DraftedNotice, notice_text

    notice = _notice_in_reach(request, record, notice_id)
    settings = acting_settings(request, record)
    identity = _identity_source(settings, None) if settings.passphrase else None
    shown = DraftedNotice(notice, notice_text(notice, identity, missing="-")).to_json()
    shown["events"] = [
        {
            "status": event.status,
            "at": event.at.isoformat(),
            "recorded_by": event.recorded_by,
            "note": event.note,
        }
        for event in notice.events
    ]
    return shown


@router.post(
    "/v1/notices/{notice_id}/events",
    summary="Record what happened to a notice: sent, acknowledged, removed, refused, no-response.",
    **guarded(*CASE_ROLES),
)
def record_event(request: Request, record: Caller, notice_id: NoticeId, body: NoticeEvent) -> dict[str, Any]:
    from datetime import UTC, datetime

    from reclaim.cases.notice_states import NoticeStatus
    from reclaim.evidence.entries import parse_seen_at
    from reclaim.services.notices import notice_json, update_notice

    notice = _notice_in_reach(request, record, notice_id)
    at = parse_seen_at(body.at, datetime.now(UTC)) if body.at else None
    updated = update_notice(
        engine_of(request),
        notice.id,
        NoticeStatus(body.status),
        actor=actor_of(record),
        at=at,
        note=body.note,
    )
    return notice_json(updated)


@router.post(
    "/v1/notices/{notice_id}/escalate",
    status_code=201,
    summary="Draft the next step of the route for a refused or unanswered notice.",
    **guarded(*CASE_ROLES),
)
def escalate(
    request: Request, record: Caller, notice_id: NoticeId, body: Escalation | None = None
) -> dict[str, Any]:
    from reclaim.services.notices import escalate_notice

    notice = _notice_in_reach(request, record, notice_id)
    settings = acting_settings(request, record)
    drafted = escalate_notice(
        engine_of(request),
        notice.id,
        actor=settings.actor,
        identity=_identity_source(settings, body.identity if body else None),
        lang=body.lang if body else None,
    )
    return drafted.to_json()


def _notice_in_reach(request: Request, record: TokenRecord, notice_id: str) -> NoticeRecord:
    """The notice, when it exists and belongs to a case the token may see; 404 otherwise."""
    from reclaim.store.notices import get_notice

    notice = get_notice(engine_of(request), notice_id)
    if notice is None or (record.case_id is not None and notice.case_id != record.case_id):
        raise CaseNotFoundError(
            N_("There is no notice {notice}."),
            hint=N_("GET /v1/cases/CASE/notices lists a case's notices."),
            notice=notice_id,
        )
    return notice


def _identity_source(settings: Settings, given: Identity | None) -> IdentitySource:
    from reclaim.cases.drafting import RightsHolder
    from reclaim.services.notices import IdentitySource

    def ask() -> RightsHolder:
        if given is None:
            raise UserInputError(
                N_("This notice needs her real identity (name and contact), and none is stored yet."),
                hint=N_('Send it once as "identity": {{"name": ..., "contact": ..., "id_number": ...}}.'),
            )
        id_number = (given.id_number or "").strip() or None
        return RightsHolder(given.name.strip(), id_number, given.contact.strip())

    return IdentitySource(open_vault=lambda: server_vault(settings), ask=ask)
