"""Every route's notice in both languages: every link, time, digest, reference and due date in it,
her identity only where the route needs it, and never stored in the text."""

from __future__ import annotations

from datetime import timedelta

import pytest

from reclaim.cases.drafting import (
    LANGUAGES,
    NoticeDraft,
    RightsHolder,
    fill_identity,
    needs_identity,
    render_notice,
)
from reclaim.cases.routes import STEPS
from tests.cases.notices_fixtures import T0, sighting

SIGHTINGS = (
    sighting(3, "https://t.me/c/1700000001/2"),
    sighting(
        5, "https://t.me/c/1700000001/5", days=0.5, kind="identifier", signal="phone", capture_sha256=None
    ),
)
HER = RightsHolder("林小美", "110101199003074514", "xiaomei@example.org")


def draft(step_id: str, lang: str, sightings: tuple = SIGHTINGS, **fields: object) -> NoticeDraft:  # type: ignore[type-arg]
    step = STEPS[step_id]
    return NoticeDraft(
        reference="RC-k2m4p6q8-003",
        platform="telegram",
        step=step,
        lang=lang,
        drafted_at=T0,
        due_at=T0 + step.wait,
        sightings=sightings,
        **fields,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("step_id", sorted(STEPS))
def test_every_route_names_every_link_the_reference_and_asks_by_the_due_date(step_id: str, lang: str) -> None:
    notice = draft(step_id, lang)
    text = render_notice(notice)
    for s in SIGHTINGS:
        assert s.url in text
    assert "RC-k2m4p6q8-003" in text
    if step_id != "telegram-in-app":  # the in-app report's comment box is short: links and reference
        assert notice.due_at.strftime("%Y-%m-%d") in text
        assert SIGHTINGS[0].capture_sha256 in text  # type: ignore[operator]
        assert "2026-03-01 09:00 UTC" in text  # when it was seen
    assert needs_identity(text) == STEPS[step_id].needs_identity
    assert "{{" not in text and "{%" not in text and "\n\n\n" not in text


def test_the_stored_text_holds_placeholders_and_the_sent_text_her_identity() -> None:
    text = render_notice(draft("xiaohongshu-complaint", "zh"))
    assert HER.name not in text and HER.id_number not in text  # type: ignore[operator]
    sent = fill_identity(text, HER, missing="-")
    assert f"权利人（通知人）：{HER.name}" in sent and HER.id_number in sent and HER.contact in sent  # type: ignore[operator]
    assert "身份证正反面" in sent and not needs_identity(sent)


def test_chinese_notices_cite_the_notice_article_and_name_doxxing_only_when_there_is_some() -> None:
    with_details = render_notice(draft("weibo-report", "zh"))
    media_only = render_notice(draft("weibo-report", "zh", sightings=SIGHTINGS[:1]))
    assert "第一千一百九十五条" in with_details and "第一千一百九十五条" in media_only
    assert "第二百五十三条之一" in with_details and "第二百五十三条之一" not in media_only
    assert "电话号码" in with_details


def test_the_dsa_notice_carries_the_good_faith_statement_and_the_notifier() -> None:
    text = fill_identity(render_notice(draft("telegram-dsa", "en")), HER, missing="-")
    assert "Regulation (EU) 2022/2065" in text and "bona fide" in text and HER.contact in text


def test_a_possible_minor_is_reported_by_link_only() -> None:
    minor = sighting(4, "https://t.me/c/1700000001/4", possible_minor=True, capture_sha256=None)
    for lang in LANGUAGES:
        text = render_notice(draft("child-protection", lang, sightings=(minor,)))
        assert minor.url in text
        assert ("未保存" if lang == "zh" else "No copy") in text


def test_a_resent_or_escalated_notice_says_so() -> None:
    text = render_notice(draft("police", "en", attempt=3, escalated_from="RC-k2m4p6q8-001"))
    assert "3rd time" in text and "RC-k2m4p6q8-001" in text
    assert "第 2 次" in render_notice(draft("police", "zh", attempt=2))


def test_due_dates_follow_each_steps_wait() -> None:
    assert STEPS["telegram-in-app"].wait == timedelta(days=2)
    assert all(step.wait >= timedelta(days=2) for step in STEPS.values())
