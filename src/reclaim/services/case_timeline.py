"""A case's timeline and flags, read from its evidence log and its notices."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from reclaim.cases.timeline import CaseFlag, TimelineEvent
    from reclaim.store.cases import CaseRecord


@dataclass(frozen=True, slots=True)
class CaseOverview:
    events: list[TimelineEvent]
    flags: list[CaseFlag]


def case_overview(engine: Engine, case: CaseRecord, now: datetime | None = None) -> CaseOverview:
    from reclaim.cases.timeline import case_flags, case_timeline
    from reclaim.services.notices import case_sightings
    from reclaim.store.notices import list_notices

    sightings = case_sightings(engine, case.id)
    notices = list_notices(engine, case.id)
    return CaseOverview(
        case_timeline(case.created_at, sightings, notices),
        case_flags(sightings, notices, now or datetime.now(UTC)),
    )
