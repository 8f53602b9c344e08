"""Where a notice goes: each platform's reporting route, step by step, and how long to wait at each.

A notice that gets no answer by its due date is escalated to the next step, as Project Arachnid
re-sends its notices until removal; the last step (the police) is re-sent rather than left.
Addresses are from ../shared/legal/REFERENCE.md and docs/legal-basis.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Final
from urllib.parse import urlsplit

from reclaim.errors import N_, UserInputError


@dataclass(frozen=True, slots=True)
class RouteStep:
    id: str
    addressee: str  # which template writes the notice, and which notices cover the same ground
    address: str  # where to send it: an address, a page, or the in-app path
    wait: timedelta  # how long to wait for an answer before escalating
    needs_identity: bool  # Civil Code art. 1195 (and Telegram's DSA form) need her real identity


def _step(step_id: str, addressee: str, address: str, days: int, *, identity: bool = False) -> RouteStep:
    return RouteStep(step_id, addressee, address, timedelta(days=days), identity)


STEPS: Final = {
    step.id: step
    for step in (
        _step("telegram-in-app", "telegram", "Telegram app: message → Report → reason, with a comment", 2),
        _step("telegram-abuse", "telegram", "abuse@telegram.org", 3),
        _step("telegram-dsa", "telegram", "https://telegram.org/dsa-report", 7, identity=True),
        _step("wechat-complaint", "wechat", "微信：聊天或朋友圈 “…” → 投诉 → 存在侵权行为", 3, identity=True),
        _step("tencent-110", "wechat", "https://110.qq.com", 5, identity=True),
        _step("weibo-report", "weibo", "微博：“…” → 举报 → 侵犯隐私", 3, identity=True),
        _step("weibo-kefu", "weibo", "https://kefu.weibo.com", 5, identity=True),
        _step(
            "xiaohongshu-complaint",
            "xiaohongshu",
            "小红书：侵权投诉（权利人本人，附身份证正反面）",
            3,
            identity=True,
        ),
        _step(
            "douyin-complaint",
            "douyin",
            "抖音：分享 → 举报 → 侵犯名誉隐私肖像等权 → 侵权投诉 → 我是权利人",
            3,
            identity=True,
        ),
        _step("generic-abuse", "generic", "the platform's abuse or legal contact", 5),
        _step("12377", "12377", "https://www.12377.cn · jubao@12377.cn · 电话 12377", 7),
        _step("police", "police", "110 · https://www.cyberpolice.cn · 当地派出所", 7),
        _step(
            "child-protection",
            "child-protection",
            "https://report.iwf.org.uk · https://takeitdown.ncmec.org · https://www.12377.cn",
            3,
        ),
    )
}  # fmt: skip

# Each platform's route, in order. Telegram: in-app report, abuse address, EU DSA form, then the
# national reporting centre and the police.
LADDERS: Final = {
    "telegram": ("telegram-in-app", "telegram-abuse", "telegram-dsa", "12377", "police"),
    "wechat": ("wechat-complaint", "tencent-110", "12377", "police"),
    "weibo": ("weibo-report", "weibo-kefu", "12377", "police"),
    "xiaohongshu": ("xiaohongshu-complaint", "12377", "police"),
    "douyin": ("douyin-complaint", "12377", "police"),
    "generic": ("generic-abuse", "12377", "police"),
    "12377": ("12377", "police"),
    "police": ("police",),
}
PLATFORMS: Final = tuple(LADDERS)
# Content that may show a minor goes to the child-protection hotlines instead, then the police.
CHILD_PROTECTION_LADDER: Final = ("child-protection", "police")

# Platforms known by the host of a link; anything else is "generic".
_HOSTS: Final = {
    "t.me": "telegram",
    "telegram.me": "telegram",
    "telegram.org": "telegram",
    "weixin.qq.com": "wechat",
    "mp.weixin.qq.com": "wechat",
    "weibo.com": "weibo",
    "weibo.cn": "weibo",
    "xiaohongshu.com": "xiaohongshu",
    "xhslink.com": "xiaohongshu",
    "douyin.com": "douyin",
    "iesdouyin.com": "douyin",
}


def content_platform(url: str, recorded_platform: str | None) -> str:
    """The platform a sighting is on: what the scan recorded, else what its link's host tells."""
    if recorded_platform in LADDERS and recorded_platform not in ("generic", "12377", "police"):
        return recorded_platform
    host = (urlsplit(url if "://" in url else "https://" + url).hostname or "").lower()
    parts = host.split(".")
    for start in range(len(parts) - 1):
        platform = _HOSTS.get(".".join(parts[start:]))
        if platform:
            return platform
    return "generic"


def first_step(platform: str, *, possible_minor: bool) -> RouteStep:
    return STEPS[_ladder(platform, possible_minor)[0]]


def next_step(platform: str, current: str, *, possible_minor: bool) -> RouteStep | None:
    """The step after ``current`` on the platform's route; None when ``current`` is the last."""
    ladder = _ladder(platform, possible_minor)
    if current not in ladder:
        return STEPS[ladder[0]]
    position = ladder.index(current)
    return STEPS[ladder[position + 1]] if position + 1 < len(ladder) else None


def covers(platform: str, sighting_platform: str) -> bool:
    """Whether a notice for ``platform`` is about a sighting on ``sighting_platform``.

    The national reporting centre and the police take every platform's content in one notice.
    """
    return platform in ("12377", "police") or platform == sighting_platform


def check_platform(platform: str) -> str:
    if platform not in LADDERS:
        raise UserInputError(
            N_("There is no reporting route for {platform}."),
            hint=N_("Choose one of: {platforms}."),
            platform=platform,
            platforms=", ".join(PLATFORMS),
        )
    return platform


def _ladder(platform: str, possible_minor: bool) -> tuple[str, ...]:
    return CHILD_PROTECTION_LADDER if possible_minor else LADDERS[platform]
