"""The report's words, read from the composed document: every fact, both languages, the legal parts."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from reclaim.locale import load_translator
from reclaim.reports.compose import compose_report
from reclaim.reports.content import add_months
from reclaim.reports.document import Bullets, Code, Document, Facts, Item, Paragraph, Table
from tests.reports.sample_content import ASTRONAUT_SHA, COFFEE_SHA, MADE, sample_content, sighting


def document_text(document: Document) -> str:
    """Every string the document shows, one per line."""
    parts = [document.title, document.footer, document.cover.kicker, document.cover.title]
    parts += [f"{label} {value.text}" for label, value in document.cover.facts.rows]
    parts += [note.text for note in document.cover.notes]
    for section in document.sections:
        parts.append(section.title)
        for block in section.blocks:
            parts += _block_text(block)
    return "\n".join(parts)


def _block_text(block: object) -> list[str]:
    if isinstance(block, Paragraph):
        return [block.text]
    if isinstance(block, Bullets):
        return list(block.items)
    if isinstance(block, Code):
        return [block.text]
    if isinstance(block, Facts):
        return [f"{label} {value.text}" for label, value in block.rows]
    if isinstance(block, Table):
        return [
            " | ".join(block.headers),
            *(" | ".join(c.text for c in row) for row in block.rows),
            block.empty,
        ]
    if isinstance(block, Item):
        return [block.title, block.caption, *_block_text(block.facts)]
    raise AssertionError(f"unknown block {block!r}")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_link_hash_and_notice_is_in_the_report(lang: str) -> None:
    content = sample_content()
    text = document_text(compose_report(content, load_translator(lang)))

    assert "小美" in text and "k7m2x9pq" in text
    for item in content.sightings:
        assert item.url in text and item.leaf_hash in text
    assert ASTRONAUT_SHA in text and COFFEE_SHA in text
    assert "RCL-k7m2x9pq-1" in text and "RCL-k7m2x9pq-2" in text
    assert "f1" * 32 in text and "e7" * 32 in text  # key fingerprint and root hash
    assert "user5550001" in text  # a sender the source showed
    assert "reclaim verify bundle.zip --fingerprint " + "f1" * 32 in text
    assert "holds her identity" not in text  # a notice's text never enters a report


def test_both_languages_have_the_same_structure_and_say_it_in_their_own_words() -> None:
    content = sample_content()
    zh = compose_report(content, load_translator("zh"))
    en = compose_report(content, load_translator("en"))

    assert [len(s.blocks) for s in zh.sections] == [len(s.blocks) for s in en.sections]
    assert [s.anchor for s in zh.sections] == [s.anchor for s in en.sections]
    zh_text, en_text = document_text(zh), document_text(en)
    assert "复议" in zh_text and "第一百一十二条" in zh_text and "第一百一十三条" in zh_text
    assert "art. 112" in en_text and "art. 113" in en_text and "reconsideration" in en_text
    assert "第二十五条" in zh_text and "art. 25" in en_text
    assert "第 8.3 条" in zh_text and "section 8.3" in en_text
    assert "已删除" in zh_text and "removed" in en_text  # the first notice's outcome


def test_a_sighting_that_may_show_a_minor_has_no_capture_and_names_the_child_protection_route() -> None:
    content = sample_content()
    document = compose_report(content, load_translator("en"))
    items = [block for s in document.sections for block in s.blocks if isinstance(block, Item)]

    minor = items[2]
    assert minor.thumbnail is None
    assert "may show a minor" in minor.caption and "https://www.12377.cn" in minor.caption
    assert "art. 52" in minor.caption
    assert all(item.thumbnail is not None for item in items[:2])
    assert "1 sighting may show a minor" in document_text(document)  # said in the summary too


def test_notices_show_route_escalation_and_dates_with_statuses_in_words() -> None:
    document = compose_report(sample_content(), load_translator("zh"))
    [table] = [
        b for s in document.sections if s.anchor == "notices" for b in s.blocks if isinstance(b, Table)
    ]

    first, second = table.rows
    assert [cell.text for cell in first][:4] == ["RCL-k7m2x9pq-1", "Telegram", "telegram-in-app", "已删除"]
    assert "由 RCL-k7m2x9pq-1 升级" in second[2].text and second[3].text == "已发送，尚无答复"
    assert second[6].text == "—" and second[7].text == "2"  # not closed; covers sighting 2


def test_a_case_without_notices_or_sightings_says_so() -> None:
    content = sample_content(sightings=(), notices=(), head=None)
    text = document_text(compose_report(content, load_translator("en")))

    assert "No takedown notice has been recorded for this case yet." in text
    assert "No sighting has been recorded yet, so no date can be given." in text


def test_the_deadline_is_six_months_after_the_first_sighting_and_warns_once_it_passed() -> None:
    early = document_text(compose_report(sample_content(), load_translator("en")))
    assert "Six months after it 2026-09-30" in early  # 31 March + 6 months: the month's last day
    assert "before 2026-09-30 at the latest" in early

    late = document_text(
        compose_report(sample_content(generated_at=datetime(2026, 11, 1, tzinfo=UTC)), load_translator("en"))
    )
    assert "More than six months have passed since the earliest sighting (2026-03-31)" in late


def test_add_months_keeps_the_day_or_takes_the_last_day_of_a_shorter_month() -> None:
    assert add_months(datetime(2026, 8, 31, tzinfo=UTC), 6) == datetime(2027, 2, 28, tzinfo=UTC)
    assert add_months(datetime(2027, 8, 31, tzinfo=UTC), 6) == datetime(2028, 2, 29, tzinfo=UTC)
    assert add_months(datetime(2026, 1, 15, 8, 30, tzinfo=UTC), 6) == datetime(2026, 7, 15, 8, 30, tzinfo=UTC)
    assert add_months(MADE, 12) == MADE.replace(year=2027)


def test_telegram_disclosure_is_explained_only_when_telegram_is_among_the_platforms() -> None:
    web_only = (sighting(1, platform="web", url="https://example.org/a", channel_id=None, message_id=None),)
    with_telegram = document_text(compose_report(sample_content(), load_translator("en")))
    without = document_text(compose_report(sample_content(sightings=web_only), load_translator("en")))

    assert "IP address and phone number" in with_telegram
    assert "IP address and phone number" not in without


def test_a_log_that_no_longer_matches_its_signed_head_is_flagged() -> None:
    content = sample_content()
    assert content.head is not None
    broken = replace(content, head=replace(content.head, root_matches_entries=False))
    text = document_text(compose_report(broken, load_translator("en")))

    assert "NO: the stored log does not match its signed head" in text
