"""Notices: draft one per platform for a case's open sightings, track it, escalate it when overdue.

A notice covers sightings a person has reviewed (evidence entries), never raw scan leads:
no notice is drafted for an unreviewed match. One notice per set of sightings and addressee,
drafted on request; nothing here sends anything.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final

from reclaim.cases.drafting import (
    NoticeDraft,
    NoticeSighting,
    RightsHolder,
    fill_identity,
    needs_identity,
    render_notice,
)
from reclaim.cases.notice_states import ESCALATABLE, LIVE, NoticeStatus, is_overdue, transition
from reclaim.cases.routes import (
    STEPS,
    RouteStep,
    check_platform,
    content_platform,
    covers,
    first_step,
    next_step,
)
from reclaim.errors import N_, UserInputError
from reclaim.evidence.entries import parse_entry_time

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from reclaim.evidence.vault import Vault
    from reclaim.store.notices import NoticeRecord

IDENTITY_VAULT_NAME: Final = "rights-holder"
MAX_NOTE_LENGTH: Final = 2000


@dataclass(frozen=True, slots=True)
class DraftedNotice:
    """A notice as the caseworker gets it: the stored record and the text to send."""

    record: NoticeRecord
    text: str  # with her identity filled in where the route needs it

    def to_json(self) -> dict[str, Any]:
        return {**notice_json(self.record), "text": self.text}


def notice_json(record: NoticeRecord) -> dict[str, Any]:
    step = STEPS[record.route]
    return {
        "notice_id": record.id,
        "case_id": record.case_id,
        "platform": record.platform,
        "lang": record.lang,
        "route": record.route,
        "address": step.address,
        "status": record.status,
        "due": record.due_at.isoformat(),
        "overdue": is_overdue(NoticeStatus(record.status), record.due_at, datetime.now(UTC)),
        "sightings": record.sighting_leaves,
        "possible_minor": record.possible_minor,
        "escalated_from": record.escalated_from,
        "created_at": record.created_at.isoformat(),
        "sent_at": record.sent_at.isoformat() if record.sent_at else None,
        "closed_at": record.closed_at.isoformat() if record.closed_at else None,
    }


# Opens the vault when (and only when) her identity is needed; asks for the identity when the
# vault holds none yet.
VaultOpener = Callable[[], "Vault"]
IdentityAsker = Callable[[], RightsHolder]


@dataclass(frozen=True, slots=True)
class IdentitySource:
    open_vault: VaultOpener
    ask: IdentityAsker


def case_sightings(engine: Engine, case_id: str) -> list[NoticeSighting]:
    """The case's sightings from its evidence log, as notices describe them."""
    from reclaim.store.evidence import read_entries

    sightings = []
    for stored in read_entries(engine, case_id):
        if stored.kind != "sighting":
            continue
        sightings.append(sighting_of_entry(stored.leaf_index, json.loads(stored.body)))
    return sightings


def sighting_of_entry(leaf_index: int, entry: dict[str, Any]) -> NoticeSighting:
    source = entry.get("source") or {}
    match = entry.get("match") or {}
    capture = entry.get("capture") or {}
    url = str(source.get("url") or "")
    channel = match.get("channel_title") or source.get("channel") or source.get("channel_id")
    return NoticeSighting(
        leaf_index=leaf_index,
        url=url,
        platform=content_platform(url, source.get("platform")),
        seen_at=parse_entry_time(entry.get("seen_at")) or parse_entry_time(entry.get("recorded_at")),
        posted_at=parse_entry_time(match.get("posted_at")),
        channel=str(channel) if channel else None,
        message_id=str(source["message_id"]) if source.get("message_id") else None,
        kind=str(match.get("kind") or "reported"),
        signal=match.get("signal"),
        distance=match.get("distance"),
        capture_sha256=capture.get("sha256"),
        possible_minor=bool(match.get("possible_minor")),
        matched_entry=match.get("entry_id"),
        media_sha256=match.get("media_sha256"),
    )


def draft_notices(
    engine: Engine,
    case_id: str,
    platform: str,
    lang: str,
    *,
    actor: str,
    identity: IdentitySource,
    now: datetime | None = None,
) -> list[DraftedNotice]:
    """Notices for the case's open sightings on ``platform``: one to the platform's first route
    step, and one to the child-protection hotlines for sightings that may show a minor."""
    from reclaim.store.notices import list_notices, next_notice_number

    check_platform(platform)
    _check_lang(lang)
    now = now or datetime.now(UTC)
    notices = list_notices(engine, case_id)
    candidates = [s for s in case_sightings(engine, case_id) if covers(platform, s.platform)]
    plans: list[tuple[RouteStep, list[NoticeSighting], bool]] = []
    for minor in (False, True):
        step = first_step(platform, possible_minor=minor)
        wanted = [s for s in candidates if s.possible_minor == minor]
        open_ = _uncovered(wanted, notices, step.addressee)
        if open_:
            plans.append((step, open_, minor))
    if not plans:
        raise UserInputError(
            N_("Case {case} has no sighting on {platform} that still needs a notice."),
            hint=N_(
                "Accept leads with `reclaim review accept ID` or add sightings with `reclaim evidence add`; "
                "`reclaim notice list` shows the notices already drafted."
            ),
            case=case_id,
            platform=platform,
        )
    number = next_notice_number(engine, case_id)
    drafts = []
    for offset, (step, sightings, minor) in enumerate(plans):
        draft = NoticeDraft(
            reference=_reference(case_id, number + offset),
            platform=platform,
            step=step,
            lang=lang,
            drafted_at=now,
            due_at=now + step.wait,
            sightings=tuple(sightings),
        )
        drafts.append((draft, minor))
    return _store_drafts(engine, case_id, drafts=drafts, number=number, actor=actor, identity=identity)


def escalate_notice(
    engine: Engine,
    notice_id: str,
    *,
    actor: str,
    identity: IdentitySource,
    lang: str | None = None,
    now: datetime | None = None,
) -> DraftedNotice:
    """The next step of the route for a notice that was refused or not answered in time.

    A notice still waiting past its due date is first marked "no-response". On the last step
    (the police) the same route is drafted again, as a reminder.
    """
    from reclaim.store.notices import list_notices, next_notice_number

    now = now or datetime.now(UTC)
    notice = get_notice_or_fail(engine, notice_id)
    status = NoticeStatus(notice.status)
    if status not in ESCALATABLE:
        raise UserInputError(
            N_("Notice {notice} is {status}: only a sent, refused or unanswered notice is escalated."),
            hint=N_("Record that it was sent with `reclaim notice update {notice} --status sent`."),
            notice=notice.id,
            status=notice.status,
        )
    if status in (NoticeStatus.SENT, NoticeStatus.ACKNOWLEDGED):
        if not is_overdue(status, notice.due_at, now):
            raise UserInputError(
                N_("Notice {notice} is not due until {due}."),
                hint=N_("Wait for the answer, or record it with `reclaim notice update`."),
                notice=notice.id,
                due=notice.due_at.strftime("%Y-%m-%d %H:%M UTC"),
            )
        update_notice(engine, notice.id, NoticeStatus.NO_RESPONSE, actor=actor, at=now)
    step = (
        next_step(notice.platform, notice.route, possible_minor=notice.possible_minor) or STEPS[notice.route]
    )
    sightings = [s for s in case_sightings(engine, notice.case_id) if s.leaf_index in notice.sighting_leaves]
    earlier = list_notices(engine, notice.case_id)
    attempt = 1 + sum(
        1 for n in earlier if n.route == step.id and set(n.sighting_leaves) & set(notice.sighting_leaves)
    )
    number = next_notice_number(engine, notice.case_id)
    draft = NoticeDraft(
        reference=_reference(notice.case_id, number),
        platform=notice.platform,
        step=step,
        lang=lang or notice.lang,
        drafted_at=now,
        due_at=now + step.wait,
        sightings=tuple(sightings),
        attempt=attempt,
        escalated_from=notice.id,
    )
    [drafted] = _store_drafts(
        engine,
        notice.case_id,
        drafts=[(draft, notice.possible_minor)],
        number=number,
        actor=actor,
        identity=identity,
    )
    return drafted


def update_notice(
    engine: Engine,
    notice_id: str,
    status: NoticeStatus,
    *,
    actor: str,
    at: datetime | None = None,
    note: str | None = None,
) -> NoticeRecord:
    """Record what happened to a notice, and when (``at``: when it happened; default now)."""
    from reclaim.store.notices import record_status

    recorded_at = datetime.now(UTC)
    at = at or recorded_at
    if at > recorded_at:
        raise UserInputError(N_("That time is in the future."), hint=N_("Give the time it happened."))
    if note is not None and len(note) > MAX_NOTE_LENGTH:
        raise UserInputError(N_("The note is longer than {limit} characters."), limit=MAX_NOTE_LENGTH)
    notice = get_notice_or_fail(engine, notice_id)
    moved = transition(
        NoticeStatus(notice.status),
        status,
        at=at,
        sent_at=notice.sent_at,
        due_at=notice.due_at,
        wait=STEPS[notice.route].wait,
    )
    record_status(
        engine,
        notice.id,
        status=moved.status.value,
        at=at,
        sent_at=moved.sent_at,
        due_at=moved.due_at,
        closed_at=moved.closed_at,
        actor=actor,
        recorded_at=recorded_at,
        note=note.strip() or None if note else None,
    )
    return get_notice_or_fail(engine, notice.id)


def notice_text(record: NoticeRecord, identity: IdentitySource | None, missing: str) -> str:
    """The notice to send: its stored text with her identity from the vault put back."""
    if not needs_identity(record.text) or identity is None:
        return record.text
    vault = identity.open_vault()
    return fill_identity(record.text, _stored_identity(vault, record.case_id), missing=missing)


def get_notice_or_fail(engine: Engine, notice_id: str) -> NoticeRecord:
    from reclaim.store.notices import get_notice

    notice = get_notice(engine, notice_id.strip())
    if notice is None:
        raise UserInputError(
            N_("There is no notice {notice}."),
            hint=N_("`reclaim notice list` shows the notices and their ids."),
            notice=notice_id,
        )
    return notice


def overdue_notices(engine: Engine, case_id: str | None, now: datetime) -> list[NoticeRecord]:
    from reclaim.store.notices import list_notices

    return [n for n in list_notices(engine, case_id) if is_overdue(NoticeStatus(n.status), n.due_at, now)]


def save_identity(vault: Vault, case_id: str, holder: RightsHolder) -> None:
    vault.store(
        case_id, json.dumps(holder.to_json(), ensure_ascii=False).encode("utf-8"), name=IDENTITY_VAULT_NAME
    )


def _stored_identity(vault: Vault, case_id: str) -> RightsHolder | None:
    if not vault.contains(case_id, IDENTITY_VAULT_NAME):
        return None
    values = json.loads(vault.load(case_id, IDENTITY_VAULT_NAME))
    return RightsHolder(values["name"], values.get("id_number"), values["contact"])


def _store_drafts(
    engine: Engine,
    case_id: str,
    *,
    drafts: Sequence[tuple[NoticeDraft, bool]],
    number: int,
    actor: str,
    identity: IdentitySource,
) -> list[DraftedNotice]:
    from reclaim.store.notices import NewNotice, create_notices, get_notice

    holder = None
    if any(draft.step.needs_identity for draft, _ in drafts):
        # Asked before anything is stored: a draft without the identity it needs is no use.
        vault = identity.open_vault()
        holder = _stored_identity(vault, case_id)
        if holder is None:
            holder = identity.ask()
            save_identity(vault, case_id, holder)
    texts = [render_notice(draft) for draft, _ in drafts]
    create_notices(
        engine,
        case_id,
        [
            (
                number + offset,
                NewNotice(
                    platform=draft.platform,
                    route=draft.step.id,
                    lang=draft.lang,
                    text=text,
                    sighting_leaves=[s.leaf_index for s in draft.sightings],
                    possible_minor=minor,
                    escalated_from=draft.escalated_from,
                    created_at=draft.drafted_at,
                    due_at=draft.due_at,
                ),
            )
            for offset, ((draft, minor), text) in enumerate(zip(drafts, texts, strict=True))
        ],
        actor=actor,
    )
    drafted = []
    for draft, text in zip((d for d, _ in drafts), texts, strict=True):
        record = get_notice(engine, draft.reference)
        assert record is not None
        drafted.append(DraftedNotice(record, fill_identity(text, holder, missing="-")))
    return drafted


def _uncovered(
    sightings: Sequence[NoticeSighting], notices: Sequence[NoticeRecord], addressee: str
) -> list[NoticeSighting]:
    """The sightings no live notice to the same addressee covers yet."""
    covered = {
        leaf
        for notice in notices
        if NoticeStatus(notice.status) in LIVE and STEPS[notice.route].addressee == addressee
        for leaf in notice.sighting_leaves
    }
    return [s for s in sightings if s.leaf_index not in covered]


def _reference(case_id: str, number: int) -> str:
    from reclaim.store.notices import notice_reference

    return notice_reference(case_id, number)


def _check_lang(lang: str) -> None:
    if lang not in ("zh", "en"):
        raise UserInputError(N_("Notices are written in zh or en, not {lang}."), lang=lang)
