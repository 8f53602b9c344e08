"""Reporting routes: which platform a link is on, and the order a notice climbs."""

from __future__ import annotations

import pytest

from reclaim.cases.routes import LADDERS, STEPS, content_platform, covers, first_step, next_step
from reclaim.errors import UserInputError


@pytest.mark.parametrize(
    ("url", "recorded", "platform"),
    [
        ("https://t.me/c/1700000001/2", "telegram", "telegram"),
        ("t.me/maskpark/12", "web", "telegram"),
        ("https://weibo.com/1234/abcd", "web", "weibo"),
        ("https://m.weibo.cn/status/1", None, "weibo"),
        ("https://www.xiaohongshu.com/explore/65f", "web", "xiaohongshu"),
        ("http://xhslink.com/a/b", "web", "xiaohongshu"),
        ("https://www.douyin.com/video/7", "web", "douyin"),
        ("https://mp.weixin.qq.com/s/abc", "web", "wechat"),
        ("https://example.org/leak", "web", "generic"),
        ("https://notweibo.com/x", "web", "generic"),  # a look-alike host is not the platform
    ],
)
def test_the_platform_comes_from_the_scan_or_the_links_host(
    url: str, recorded: str | None, platform: str
) -> None:
    assert content_platform(url, recorded) == platform


def test_telegram_climbs_from_the_app_to_the_police_and_the_police_is_the_last_step() -> None:
    step = first_step("telegram", possible_minor=False)
    climbed = [step.id]
    while (step := next_step("telegram", step.id, possible_minor=False)) is not None:  # type: ignore[assignment]
        climbed.append(step.id)
    assert climbed == ["telegram-in-app", "telegram-abuse", "telegram-dsa", "12377", "police"]


def test_content_that_may_show_a_minor_goes_to_the_hotlines_first() -> None:
    for platform in LADDERS:
        step = first_step(platform, possible_minor=True)
        assert step.id == "child-protection"
        assert next_step(platform, step.id, possible_minor=True) == STEPS["police"]


def test_chinese_platforms_and_the_dsa_form_need_her_real_identity_the_others_do_not() -> None:
    needing = {step.id for step in STEPS.values() if step.needs_identity}
    assert {
        "wechat-complaint",
        "weibo-report",
        "xiaohongshu-complaint",
        "douyin-complaint",
        "telegram-dsa",
    } <= needing
    assert not needing & {"telegram-in-app", "telegram-abuse", "12377", "police", "child-protection"}


def test_12377_and_the_police_take_every_platforms_content() -> None:
    assert covers("12377", "weibo") and covers("police", "telegram")
    assert covers("weibo", "weibo") and not covers("weibo", "telegram")


def test_an_unknown_platform_is_a_user_error() -> None:
    from reclaim.cases.routes import check_platform

    with pytest.raises(UserInputError):
        check_platform("myspace")
