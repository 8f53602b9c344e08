"""How a report writes times, platform names and notice statuses, the same in every section."""

from __future__ import annotations

from datetime import datetime
from typing import Final

from reclaim.errors import N_
from reclaim.locale import Translator
from reclaim.reports.content import utc

NOTICE_STATUSES: Final = {
    "draft": N_("draft, not sent"),
    "sent": N_("sent, no answer yet"),
    "acknowledged": N_("acknowledged"),
    "removed": N_("removed"),
    "refused": N_("refused"),
    "no-response": N_("no response"),
}
PLATFORMS: Final = {
    "telegram": N_("Telegram"),
    "web": N_("web page"),
    "wechat": N_("WeChat"),
    "weibo": N_("Weibo"),
    "xiaohongshu": N_("Xiaohongshu"),
    "douyin": N_("Douyin"),
    "unknown": N_("unknown"),
}


def when(moment: datetime | None) -> str:
    """A time as the report prints it: UTC, to the minute, with its zone written out."""
    return utc(moment).strftime("%Y-%m-%d %H:%M UTC") if moment is not None else "—"


def day(moment: datetime) -> str:
    return utc(moment).strftime("%Y-%m-%d")


def list_separator(translate: Translator) -> str:
    """Between the items of a list in running text: Chinese uses the enumeration comma."""
    return "、" if translate.lang == "zh" else ", "


def platform_name(translate: Translator, platform: str) -> str:
    return translate(PLATFORMS[platform]) if platform in PLATFORMS else platform
