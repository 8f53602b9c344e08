"""Reincarnation scoring names the channel that continues a closed one, and not its namesakes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from reclaim.network import (
    ChannelActivity,
    ChannelRef,
    build_graph,
    count_shared_media,
    find_reincarnations,
    to_json,
)

RNG_SEED = 20240301
START = datetime(2024, 1, 1, tzinfo=UTC)
CLOSED = datetime(2024, 3, 31, tzinfo=UTC)


def random_hashes(rng: np.random.Generator, count: int) -> tuple[bytes, ...]:
    return tuple(rng.integers(0, 256, size=32, dtype=np.uint8).tobytes() for _ in range(count))


def flip_bits(rng: np.random.Generator, value: bytes, bits: int) -> bytes:
    unpacked = np.unpackbits(np.frombuffer(value, dtype=np.uint8))
    positions = rng.choice(256, size=bits, replace=False)
    unpacked[positions] ^= 1
    return np.packbits(unpacked).tobytes()


@pytest.fixture
def channels() -> dict[str, ChannelActivity]:
    rng = np.random.default_rng(RNG_SEED)
    leak_media = random_hashes(rng, 20)
    reposted = tuple(flip_bits(rng, value, 6) for value in leak_media[:8])
    leak = ChannelActivity(
        ChannelRef("100", "面具公园"),
        first_seen=START,
        last_seen=CLOSED,
        media_pdq=leak_media,
        handles=frozenset({"@mask_admin", "@mask_park"}),
        links=frozenset({"t.me/maskpark"}),
    )
    return {
        "leak": leak,
        "reincarnation": ChannelActivity(
            ChannelRef("200", "面具公园2.0 备用"),
            first_seen=CLOSED + timedelta(days=2),
            last_seen=CLOSED + timedelta(days=30),
            forwards_from=frozenset({"100"}),
            media_pdq=reposted + random_hashes(rng, 4),
            handles=frozenset({"@mask_admin", "@other"}),
        ),
        "weather": ChannelActivity(
            ChannelRef("300", "天气预报"),
            first_seen=CLOSED + timedelta(days=1),
            last_seen=CLOSED + timedelta(days=40),
            media_pdq=random_hashes(rng, 30),
        ),
        "decoy": ChannelActivity(
            ChannelRef("400", "面具公园粉丝"),
            first_seen=CLOSED + timedelta(days=3),
            last_seen=CLOSED + timedelta(days=20),
            media_pdq=random_hashes(rng, 10),
        ),
        # Shares everything with the leak, but was posting long before it: a source, not a successor.
        "older": ChannelActivity(
            ChannelRef("500", "面具公园 官方"),
            first_seen=START - timedelta(days=200),
            last_seen=CLOSED + timedelta(days=5),
            forwards_from=frozenset({"100"}),
            media_pdq=leak_media[:10],
            handles=frozenset({"@mask_admin"}),
        ),
    }


def test_only_the_reincarnation_is_named(channels: dict[str, ChannelActivity]) -> None:
    found = find_reincarnations(list(channels.values()))
    named = [(item.channel.id, item.predecessor.id) for item in found]
    assert ("200", "100") in named
    assert all(channel not in {"300", "400"} for channel, _ in named)
    assert all(not (channel == "500" and predecessor == "100") for channel, predecessor in named)


def test_reincarnation_carries_its_evidence(channels: dict[str, ChannelActivity]) -> None:
    found = find_reincarnations(list(channels.values()))
    reincarnation = next(item for item in found if item.channel.id == "200")
    kinds = {reason.kind for reason in reincarnation.reasons}
    assert {"forwards", "shared_media", "similar_title", "shared_handles", "timing"} <= kinds
    media = next(reason for reason in reincarnation.reasons if reason.kind == "shared_media")
    assert media.detail["count"] == 8
    assert reincarnation.score > 0.9


def test_a_similar_title_alone_never_reaches_the_threshold() -> None:
    earlier = ChannelActivity(ChannelRef("1", "面具公园"), START, CLOSED)
    namesake = ChannelActivity(ChannelRef("2", "面具公园 backup"), CLOSED + timedelta(days=1), CLOSED)
    assert find_reincarnations([earlier, namesake]) == []
    assert find_reincarnations([earlier, namesake], min_score=0.3) != []


def test_a_successor_must_appear_around_or_after_the_predecessor_goes_quiet() -> None:
    earlier = ChannelActivity(ChannelRef("1", "A"), START, CLOSED, handles=frozenset({"@x", "@y"}))
    overlap = ChannelActivity(
        ChannelRef("2", "B"), CLOSED - timedelta(days=5), CLOSED + timedelta(days=9), handles=earlier.handles
    )
    too_early = ChannelActivity(
        ChannelRef("3", "C"), CLOSED - timedelta(days=30), CLOSED + timedelta(days=9), handles=earlier.handles
    )
    named = {item.channel.id for item in find_reincarnations([earlier, overlap, too_early])}
    assert "2" in named
    assert not any(
        item.channel.id == "3" and item.predecessor.id == "1"
        for item in find_reincarnations([earlier, overlap, too_early])
    )


def test_each_channel_keeps_its_best_predecessor_ties_to_the_latest() -> None:
    first = ChannelActivity(ChannelRef("1", "A"), START, CLOSED - timedelta(days=20), links=frozenset({"l"}))
    second = ChannelActivity(ChannelRef("2", "B"), START, CLOSED, links=frozenset({"l"}))
    later = ChannelActivity(ChannelRef("3", "C"), CLOSED + timedelta(days=1), CLOSED, links=frozenset({"l"}))
    found = [item for item in find_reincarnations([first, second, later]) if item.channel.id == "3"]
    assert len(found) == 1
    assert found[0].predecessor.id == "2"


def test_results_are_deterministic_and_sorted(channels: dict[str, ChannelActivity]) -> None:
    activities = list(channels.values())
    found = find_reincarnations(activities)
    assert found == find_reincarnations(list(reversed(activities)))
    assert [item.score for item in found] == sorted((item.score for item in found), reverse=True)


def test_to_json_matches_the_contract(channels: dict[str, ChannelActivity]) -> None:
    found = find_reincarnations(list(channels.values()))
    document = to_json(next(item for item in found if item.channel.id == "200"))
    assert set(document) == {"channel", "predecessor", "score", "reasons"}
    assert document["channel"] == {"id": "200", "title": "面具公园2.0 备用"}
    assert document["predecessor"] == {"id": "100", "title": "面具公园"}
    assert isinstance(document["score"], float)
    reasons = document["reasons"]
    assert isinstance(reasons, list)
    assert {"kind": "forwards", "count": 1} in reasons
    for reason in reasons:
        assert all(isinstance(value, int | str) for value in reason.values())


def test_shared_media_tolerates_flipped_bits_but_not_random_hashes() -> None:
    rng = np.random.default_rng(RNG_SEED)
    original = random_hashes(rng, 5)
    assert count_shared_media(original, tuple(flip_bits(rng, value, 31) for value in original)) == 5
    assert count_shared_media(original, random_hashes(rng, 50)) == 0
    assert count_shared_media((), original) == 0
    with pytest.raises(ValueError, match="32 bytes"):
        count_shared_media(original, (b"short",))


def test_graph_links_forwards_media_and_reincarnations(channels: dict[str, ChannelActivity]) -> None:
    graph = build_graph(list(channels.values()))
    edge = graph.edges["100", "200"]
    assert edge["forwards"] is True
    assert edge["shared_media"] == 8
    assert edge["reincarnation"] == pytest.approx(edge["weight"])
    assert graph.nodes["300"]["title"] == "天气预报"
    assert not graph.has_edge("100", "300")
