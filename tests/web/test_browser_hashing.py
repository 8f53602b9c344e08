"""hashing.js in Chromium: SHA-256 and the hand-written MD5 equal hashlib's; each file gets its hashes."""

from __future__ import annotations

import hashlib
import random
from pathlib import Path

import pytest
from playwright.sync_api import Page

from tests.shared_data import CONFORMANCE
from tests.web.browser_harness import open_harness, run_on_files

# Around MD5's padding edges (55/56 bytes fit one block or spill into two; 64 fills one).
SIZES = [0, 1, 3, 55, 56, 57, 63, 64, 65, 119, 120, 127, 128, 1000, 1 << 20, 3 * (1 << 20) + 7]

DIGEST_FILES = """async (files) => {
  const out = [];
  for (const file of files) {
    const bytes = new Uint8Array(await file.arrayBuffer());
    out.push({ name: file.name, md5: window.reclaim.hashing.md5Hex(bytes),
               sha256: await window.reclaim.hashing.sha256Hex(bytes) });
  }
  return out;
}"""

HASH_FILES = """async (files) => {
  const progress = [];
  const results = await window.reclaim.hashing.hashFiles(files, { onProgress: (p) => progress.push(p) });
  return { results, progress };
}"""


@pytest.fixture
def harness(page: Page) -> Page:
    return open_harness(page)


def test_md5_and_sha256_equal_hashlib(harness: Page, tmp_path: Path) -> None:
    rng = random.Random(9)
    paths = []
    for size in SIZES:
        path = tmp_path / f"bytes-{size}.bin"
        path.write_bytes(rng.randbytes(size))
        paths.append(path)
    text = tmp_path / "text.txt"
    text.write_bytes(b"The quick brown fox jumps over the lazy dog")
    paths.append(text)
    for got in run_on_files(harness, DIGEST_FILES, paths):
        data = (tmp_path / got["name"]).read_bytes()
        assert got["md5"] == hashlib.md5(data).hexdigest(), got["name"]
        assert got["sha256"] == hashlib.sha256(data).hexdigest(), got["name"]


def test_files_get_digests_and_their_perceptual_hash_and_no_name(harness: Page, tmp_path: Path) -> None:
    photo = CONFORMANCE / "pdq" / "misc" / "c.png"
    video = CONFORMANCE / "video" / "doorknob-hd-no-bar.mp4"
    other = tmp_path / "notes.txt"
    other.write_text("not a photo")
    answer = run_on_files(harness, HASH_FILES, [photo, video, other])
    image_result, video_result, other_result = answer["results"]

    assert image_result["kind"] == "image"
    assert image_result["sha256"] == hashlib.sha256(photo.read_bytes()).hexdigest()
    assert image_result["md5"] == hashlib.md5(photo.read_bytes()).hexdigest()
    assert len(image_result["pdq"]["hash"]) == 64
    assert video_result["kind"] == "video"
    assert video_result["md5"] == hashlib.md5(video.read_bytes()).hexdigest()
    assert video_result["vpdq"]["frames"]
    assert other_result == {"index": 2, "kind": None, "error": "not-media"}
    # Nothing in a result names the file: a name can say who is in the photo.
    assert photo.name not in repr(answer["results"])
    stages = {(p["index"], p["stage"]) for p in answer["progress"]}
    assert {(0, "pdq"), (1, "frames"), (2, "done")} <= stages
