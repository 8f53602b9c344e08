"""vpdq.js in Chromium: the browser's own video decoding gives the Python vPDQ's frames and hashes
close enough that each conformance clip matches its Python vPDQ, and no other clip's."""

from __future__ import annotations

from functools import cache

import pytest
from playwright.sync_api import Browser, Page

from reclaim.config import MediaLimits
from reclaim.signals.video_match import VideoBank
from reclaim.signals.video_views import QueryFrame
from reclaim.signals.vpdq import VpdqFrame, frames_from_signal_string, hash_video, is_vpdq_match
from tests.shared_data import VIDEOS
from tests.web.browser_harness import open_harness, run_on_files

CLIPS = sorted(p.name for p in VIDEOS.glob("*.mp4"))

HASH_VIDEOS = """async (files) => {
  const out = {};
  for (const file of files) {
    const started = performance.now();
    const frames = await window.reclaim.vpdq.vpdqOfVideoFile(file);
    out[file.name] = { frames, signal: window.reclaim.vpdq.toSignalString(frames),
                       ms: performance.now() - started };
  }
  return out;
}"""


def family(name: str) -> str:
    return name.split("-", maxsplit=1)[0]


@cache
def python_vpdq(name: str) -> tuple[VpdqFrame, ...]:
    return tuple(hash_video(VIDEOS / name, MediaLimits()))


@pytest.fixture(scope="module")
def browser_vpdq(browser: Browser) -> dict[str, dict[str, object]]:
    """Every clip hashed once in one page (seeking a video frame by frame takes a while)."""
    context = browser.new_context()
    try:
        page: Page = open_harness(context.new_page())
        hashed: dict[str, dict[str, object]] = run_on_files(page, HASH_VIDEOS, [VIDEOS / n for n in CLIPS])
    finally:
        context.close()
    return hashed


def frames_of(hashed: dict[str, object]) -> list[VpdqFrame]:
    return [VpdqFrame.from_json(f) for f in hashed["frames"]]  # type: ignore[attr-defined]


@pytest.mark.parametrize("name", CLIPS)
def test_the_browser_samples_the_python_frames(browser_vpdq: dict[str, dict[str, object]], name: str) -> None:
    got = frames_of(browser_vpdq[name])
    expected = python_vpdq(name)
    assert [(f.frame, f.timestamp) for f in got] == [(f.frame, round(f.timestamp, 3)) for f in expected]
    in_order = [g.pdq.distance(e.pdq) for g, e in zip(got, expected, strict=True)]
    distances = sorted(in_order)
    print(
        f"\n{name}: {len(got)} frames, browser-Python frame distances in order {in_order}, "
        f"{float(str(browser_vpdq[name]['ms'])) / 1000:.1f} s in the browser"
    )
    # The browser decodes with its own codec and colour matrix; frames stay well inside vPDQ's 31.
    assert distances[len(distances) // 2] <= 16


@pytest.mark.parametrize("name", CLIPS)
def test_a_clip_matches_its_python_vpdq_and_no_other_clip(
    browser_vpdq: dict[str, dict[str, object]], name: str
) -> None:
    got = frames_of(browser_vpdq[name])
    assert is_vpdq_match(got, python_vpdq(name))
    for other in CLIPS:
        if family(other) != family(name):
            assert not is_vpdq_match(got, python_vpdq(other)), other


def test_the_video_matcher_finds_each_clip_from_the_browser_hashes(
    browser_vpdq: dict[str, dict[str, object]],
) -> None:
    bank = VideoBank([python_vpdq(name) for name in CLIPS])
    for name in CLIPS:
        query = [QueryFrame(f.timestamp, "whole", f.pdq) for f in frames_of(browser_vpdq[name])]
        found = {CLIPS[m.clip] for m in bank.match(query)}
        assert name in found, (name, found)
        assert {family(f) for f in found} == {family(name)}, (name, found)


def test_the_signal_string_is_what_reclaim_reads(browser_vpdq: dict[str, dict[str, object]]) -> None:
    for name in CLIPS:
        parsed = frames_from_signal_string(str(browser_vpdq[name]["signal"]))
        got = frames_of(browser_vpdq[name])
        assert [(f.timestamp, f.pdq) for f in parsed] == [(f.timestamp, f.pdq) for f in got]
