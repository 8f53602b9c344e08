"""Which new channel continues a closed one, scored from the evidence the two share."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

from reclaim.network.observations import ChannelActivity, ChannelRef
from reclaim.network.shared_media import count_shared_media
from reclaim.network.titles import title_similarity

ReasonKind = Literal["forwards", "shared_media", "shared_handles", "shared_links", "similar_title", "timing"]

# A successor appears around or after its predecessor goes quiet: at most this long before its last post.
OVERLAP_ALLOWED = timedelta(days=7)
# Starting within this long after the predecessor's last post earns the timing bonus.
TIMING_WINDOW = timedelta(days=14)
TIMING_BONUS = 0.1
TITLE_THRESHOLD = 0.6
# A title alone stays below the default min_score even when the cores are equal: a namesake is no successor.
TITLE_CAP = 0.45
MEDIA_CAP = 0.95
# One shared picture is weak: a meme or a stock photo turns up everywhere. Each shared picture
# adds this much evidence, and the share of the successor's media that is shared caps the total.
MEDIA_PER_ITEM = 0.3


@dataclass(frozen=True)
class Reason:
    """One piece of evidence: its kind and integer/string details such as {"count": 12}."""

    kind: ReasonKind
    detail: Mapping[str, int | str]


@dataclass(frozen=True)
class Reincarnation:
    """`channel` continues `predecessor`, with a score in [0, 1] and the evidence behind it."""

    channel: ChannelRef
    predecessor: ChannelRef
    score: float
    reasons: tuple[Reason, ...]


def find_reincarnations(activities: Sequence[ChannelActivity], min_score: float = 0.5) -> list[Reincarnation]:
    """Name each channel's most likely predecessor where the evidence scores at least `min_score`.

    Evidence combines by noisy-OR, 1 - Π(1 - p). Each channel keeps its best predecessor (ties go to
    the one that posted last); a predecessor may have several successors. Sorted by score, highest first.
    """
    found: list[Reincarnation] = []
    for later in activities:
        best: tuple[Reincarnation, ChannelActivity] | None = None
        for earlier in activities:
            if not _may_succeed(earlier, later):
                continue
            reasons, score = _score_pair(earlier, later)
            if score < min_score:
                continue
            candidate = Reincarnation(later.channel, earlier.channel, score, reasons)
            if best is None or _outranks(candidate, earlier, *best):
                best = (candidate, earlier)
        if best is not None:
            found.append(best[0])
    found.sort(key=lambda item: (-item.score, item.channel.id, item.predecessor.id))
    return found


def to_json(reincarnation: Reincarnation) -> dict[str, object]:
    """The JSON contract of `reclaim network reincarnations`: channel, predecessor, score, reasons."""
    return {
        "channel": {"id": reincarnation.channel.id, "title": reincarnation.channel.title},
        "predecessor": {"id": reincarnation.predecessor.id, "title": reincarnation.predecessor.title},
        "score": round(reincarnation.score, 3),
        "reasons": [{"kind": reason.kind, **reason.detail} for reason in reincarnation.reasons],
    }


def forwards_probability(count: int) -> float:
    """0.5 for one forward from the predecessor, rising by 0.1 a forward to 0.9 at five or more."""
    return 0.0 if count <= 0 else min(0.5 + 0.1 * (count - 1), 0.9)


def shared_media_probability(count: int, share: float) -> float:
    """0.3 for one shared picture, 0.51 for two, 0.66 for three..., never more than the share allows."""
    return min(1.0 - (1.0 - MEDIA_PER_ITEM) ** count, MEDIA_CAP * share, MEDIA_CAP)


def shared_mentions_probability(count: int) -> float:
    """0.6 for one shared handle or link, 0.8 for two or more."""
    return 0.0 if count <= 0 else (0.6 if count == 1 else 0.8)


def _may_succeed(earlier: ChannelActivity, later: ChannelActivity) -> bool:
    return (
        earlier.channel.id != later.channel.id
        and later.first_seen >= earlier.first_seen
        and later.first_seen >= earlier.last_seen - OVERLAP_ALLOWED
    )


def _score_pair(earlier: ChannelActivity, later: ChannelActivity) -> tuple[tuple[Reason, ...], float]:
    evidence: list[tuple[Reason, float]] = []
    if earlier.channel.id in later.forwards_from:
        count = max(later.forward_counts.get(earlier.channel.id, 1), 1)
        evidence.append((Reason("forwards", {"count": count}), forwards_probability(count)))
    near_duplicates = count_shared_media(earlier.media_pdq, later.media_pdq)
    protected = len(earlier.protected_matches & later.protected_matches)
    # A protected photo both posted is usually also a near-duplicate: count the larger, not both.
    shared = max(near_duplicates, protected)
    if shared:
        media_count = max(len(later.media_pdq), shared)
        share = shared / media_count
        detail = {
            "count": shared,
            "of": media_count,
            "share_percent": round(100 * share),
            "protected": protected,
        }
        evidence.append((Reason("shared_media", detail), shared_media_probability(shared, share)))
    mentions: tuple[tuple[ReasonKind, frozenset[str], frozenset[str]], ...] = (
        ("shared_handles", earlier.handles, later.handles),
        ("shared_links", earlier.links, later.links),
    )
    for kind, mine, theirs in mentions:
        common = sorted(mine & theirs)
        if common:
            # Only the count: the scan keys handles and links (a handle may be a victim's).
            mention = Reason(kind, {"count": len(common)})
            evidence.append((mention, shared_mentions_probability(len(common))))
    # Only what the two posted ties them; a similar title or good timing merely adds to that.
    substantive = bool(evidence)
    similarity = title_similarity(earlier.channel.title, later.channel.title)
    if similarity >= TITLE_THRESHOLD:
        title = Reason("similar_title", {"similarity_percent": round(100 * similarity)})
        evidence.append((title, min(0.5 * similarity, TITLE_CAP)))
    gap = later.first_seen - earlier.last_seen
    if substantive and gap <= TIMING_WINDOW:
        evidence.append((Reason("timing", {"days_after": gap.days}), TIMING_BONUS))
    missing = 1.0
    for _, probability in evidence:
        missing *= 1.0 - probability
    return tuple(reason for reason, _ in evidence), 1.0 - missing


def _outranks(
    candidate: Reincarnation, earlier: ChannelActivity, best: Reincarnation, best_earlier: ChannelActivity
) -> bool:
    if candidate.score != best.score:
        return candidate.score > best.score
    if earlier.last_seen != best_earlier.last_seen:
        return earlier.last_seen > best_earlier.last_seen
    return earlier.channel.id < best_earlier.channel.id
