"""Which cases an account reaches: all of them, the one a limited caseworker has, or her own.

As with a limited API token (api/case_access.py), a case outside the account's reach answers
exactly as one that does not exist, so the account does not learn that other cases exist.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from reclaim.errors import N_, NotFoundError

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from reclaim.store.accounts import AccountRecord
    from reclaim.store.cases import CaseRecord
    from reclaim.store.notices import NoticeRecord
    from reclaim.store.scans import StoredReview


class OutOfReachError(NotFoundError):
    default_hint = N_("The cases page lists the cases you may see.")


def cases_in_reach(engine: Engine, account: AccountRecord) -> list[CaseRecord]:
    from reclaim.services.cases import all_cases
    from reclaim.store.cases import get_case

    if account.case_id is None:
        return all_cases(engine)
    own = get_case(engine, account.case_id)
    return [own] if own is not None else []


def case_in_reach(engine: Engine, account: AccountRecord, case_id: str) -> CaseRecord:
    from reclaim.store.cases import get_case

    case = None if not _reaches(account, case_id) else get_case(engine, case_id)
    if case is None:
        raise OutOfReachError(N_("There is no case {case}."), case=case_id)
    return case


def lead_in_reach(engine: Engine, account: AccountRecord, review_id: int) -> StoredReview:
    from reclaim.store.scans import get_review

    lead = get_review(engine, review_id)
    if lead is None or not _reaches(account, lead.case_id):
        raise OutOfReachError(N_("There is no lead {review_id} in the review queue."), review_id=review_id)
    return lead


def notice_in_reach(engine: Engine, account: AccountRecord, notice_id: str) -> NoticeRecord:
    from reclaim.store.notices import get_notice

    notice = get_notice(engine, notice_id)
    if notice is None or not _reaches(account, notice.case_id):
        raise OutOfReachError(N_("There is no notice {notice}."), notice=notice_id)
    return notice


def _reaches(account: AccountRecord, case_id: str) -> bool:
    return account.case_id is None or account.case_id == case_id
