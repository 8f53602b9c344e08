"""Her case, as she sees it: what is protected, what was seen where, what platforms did, what next.

In plain words, not the caseworker's flags: she is not technical, and the page must not read
like a file about her. Captures are not shown again; the page says one was kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Final

from starlette.requests import Request
from starlette.responses import Response

from reclaim.errors import N_
from reclaim.services.accounts import WebSession
from reclaim.web.rendering import page_translator, render
from reclaim.web.sessions import engine_of

if TYPE_CHECKING:
    from reclaim.store.cases import CaseRecord

# What each state of a notice means for her, in her words.
NOTICE_STATES: Final = {
    "draft": N_("The helpline is preparing a request to {platform} to take it down."),
    "sent": N_("A request was sent to {platform}. It should answer by {day}."),
    "acknowledged": N_("{platform} has received the request and is looking at it."),
    "removed": N_("{platform} took it down."),
    "refused": N_("{platform} refused. The helpline will look at other ways."),
    "no-response": N_("{platform} did not answer in time. The helpline will follow it up."),
}
WAITING: Final = ("sent", "acknowledged", "no-response")
PERCEPTUAL: Final = ("pdq", "vpdq")  # one per photo or video; the exact digests ride along


@dataclass(frozen=True, slots=True)
class NoticeLine:
    id: str
    text: str


def my_case_page(request: Request, session: WebSession, case: CaseRecord) -> Response:
    from reclaim.services.notices import case_sightings
    from reclaim.services.review import list_leads
    from reclaim.store.banks import list_entries
    from reclaim.store.evidence import read_captures
    from reclaim.store.notices import list_notices
    from reclaim.store.scans import PENDING

    engine = engine_of(request)
    translate = page_translator(request)
    protected = sum(1 for entry in list_entries(engine, case_id=case.id) if entry.signal_type in PERCEPTUAL)
    notices = list_notices(engine, case.id)
    pending = len(list_leads(engine, statuses=(PENDING,), case_id=case.id))
    lines = [
        NoticeLine(
            notice.id,
            translate.format(
                NOTICE_STATES.get(notice.status, NOTICE_STATES["sent"]),
                platform=notice.platform,
                day=_day(notice.due_at),
            ),
        )
        for notice in notices
    ]
    return render(
        request,
        "my_case.html",
        session=session,
        csrf_token=session.csrf_token,
        case=case,
        protected=protected,
        sightings=case_sightings(engine, case.id),
        captured={capture.leaf_index for capture in read_captures(engine, case.id)},
        notices=lines,
        next_steps=_next_steps(protected, pending, [n.status for n in notices]),
    )


def _next_steps(protected: int, pending: int, statuses: list[str]) -> list[str]:
    steps = []
    if not protected:
        steps.append(N_("Protect your photos and videos, so that copies of them can be recognised."))
    if pending:
        steps.append(N_("Possible copies were found. The helpline checks each one before anything is done."))
    if any(status in WAITING for status in statuses):
        steps.append(N_("The helpline is waiting for platforms to answer. You do not need to do anything."))
    if "draft" in statuses:
        steps.append(N_("The helpline is preparing requests to platforms."))
    steps.append(N_("Reclaim keeps looking for copies. If you see one somewhere, report it here."))
    return steps


def _day(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d")
