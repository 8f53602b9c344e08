"""``reclaim hash`` through the installed entry point, as a user or a script runs it."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image
from skimage import data

from tests.shared_data import CONFORMANCE

HASH_KEYS = {"path", "kind", "sha256", "md5", "pdq", "vpdq"}


def reclaim(
    *args: str | Path, lang: str = "en", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "LANG": "C.UTF-8", **(env or {})}
    environment.pop("RECLAIM_LANG", None)
    command = [sys.executable, "-m", "reclaim", "--lang", lang, *map(str, args)]
    return subprocess.run(command, capture_output=True, text=True, env=environment, timeout=300, check=False)


def jpeg_bytes(name: str, size: tuple[int, int] = (640, 480)) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(getattr(data, name)()).convert("RGB").resize(size).save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


@pytest.fixture
def mixed_folder(tmp_path: Path) -> Path:
    """Two good photos among every kind of broken file the issue names."""
    folder = tmp_path / "found"
    (folder / "sub").mkdir(parents=True)
    (folder / "astronaut.jpg").write_bytes(jpeg_bytes("astronaut"))
    (folder / "sub" / "coffee.jpg").write_bytes(jpeg_bytes("coffee"))
    good = jpeg_bytes("rocket", (2000, 1500))
    (folder / "truncated.jpg").write_bytes(good[: len(good) // 2])
    (folder / "empty.jpg").write_bytes(b"")
    (folder / "note.jpg").write_text("this is not a photo\n")
    video = (CONFORMANCE / "video" / "chair-22-sd-grey-bar.mp4").read_bytes()
    (folder / "corrupt.mp4").write_bytes(video[:4096] + bytes(20000))
    from tests.media.test_image_decoding import png_bomb

    (folder / "bomb.png").write_bytes(png_bomb(50_000, 50_000))
    (folder / "dangling.jpg").symlink_to(folder / "gone.jpg")
    (folder / "readme.txt").write_text("not media, not named like media: skipped and counted\n")
    return folder


def test_folder_with_broken_files_hashes_the_rest_and_names_each_problem(mixed_folder: Path) -> None:
    run = reclaim("hash", "--json", mixed_folder)
    assert run.returncode == 0, run.stderr
    records = [json.loads(line) for line in run.stdout.splitlines()]
    assert sorted(Path(r["path"]).name for r in records) == ["astronaut.jpg", "coffee.jpg"]
    assert all(set(r) == HASH_KEYS and r["kind"] == "image" for r in records)
    assert all(len(r["pdq"]["hash"]) == 64 and 0 <= r["pdq"]["quality"] <= 100 for r in records)
    errors = [line for line in run.stderr.splitlines() if line.startswith("error:")]
    for name in ["truncated.jpg", "empty.jpg", "note.jpg", "corrupt.mp4", "bomb.png", "dangling.jpg"]:
        assert sum(name in line for line in errors) == 1, f"{name}: {run.stderr}"
    assert "Traceback" not in run.stderr
    assert "Skipped 1 file" in run.stderr


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("truncated.jpg", "is damaged or cut short"),
        ("empty.jpg", "is empty"),
        ("note.jpg", "is not a photo or a video (it looks like text)"),
        ("corrupt.mp4", "corrupt.mp4"),
        ("bomb.png", "decompression bomb"),
        ("dangling.jpg", "does not exist"),
    ],
)
def test_a_single_bad_file_fails_with_one_clear_line_and_exit_1(
    mixed_folder: Path, name: str, message: str
) -> None:
    run = reclaim("hash", mixed_folder / name)
    assert run.returncode == 1
    assert run.stdout == ""
    lines = run.stderr.splitlines()
    assert len(lines) == 2 and lines[0].startswith("error: ") and lines[1].startswith("hint: ")
    assert message in lines[0] and name in lines[0]


def test_unreadable_file_is_reported_and_the_rest_hashed(tmp_path: Path) -> None:
    (tmp_path / "readable.jpg").write_bytes(jpeg_bytes("coffee"))
    locked = tmp_path / "locked.jpg"
    locked.write_bytes(jpeg_bytes("astronaut"))
    locked.chmod(0)
    command = [sys.executable, "-m", "reclaim", "--lang", "en", "hash", "--json", str(tmp_path)]
    if os.geteuid() == 0:
        # root reads any file; drop the capabilities that let it, as an ordinary user has none
        setpriv = shutil.which("setpriv")
        assert setpriv, "setpriv (util-linux) is needed to test unreadable files as root"
        command = [setpriv, "--bounding-set", "-dac_override,-dac_read_search", *command]
    run = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert run.returncode == 0
    assert [Path(json.loads(line)["path"]).name for line in run.stdout.splitlines()] == ["readable.jpg"]
    assert "locked.jpg cannot be read (Permission denied)" in run.stderr


def test_fifo_is_refused_instead_of_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.jpg"
    os.mkfifo(fifo)
    run = reclaim("hash", fifo)
    assert run.returncode == 1 and "is not a regular file" in run.stderr


def test_errors_are_in_chinese_with_lang_zh(mixed_folder: Path) -> None:
    run = reclaim("hash", mixed_folder / "note.jpg", lang="zh")
    assert run.returncode == 1
    assert "错误" in run.stderr and "note.jpg" in run.stderr
    assert "error:" not in run.stderr


def test_chinese_locale_is_picked_up_from_lang(mixed_folder: Path) -> None:
    environment = {**os.environ, "LANG": "zh_CN.UTF-8"}
    run = subprocess.run(
        [sys.executable, "-m", "reclaim", "hash", str(mixed_folder / "empty.jpg")],
        capture_output=True,
        text=True,
        env=environment,
        timeout=60,
        check=False,
    )
    assert "错误" in run.stderr


def test_json_output_is_only_json_lines_and_matches_the_contract() -> None:
    run = reclaim("hash", "--json", CONFORMANCE / "pdq" / "misc")
    assert run.returncode == 0, run.stderr
    records = [json.loads(line) for line in run.stdout.splitlines()]
    assert len(records) == 3
    for record in records:
        assert set(record) == HASH_KEYS
        assert len(record["sha256"]) == 64 and len(record["md5"]) == 32
        assert record["vpdq"] is None


def test_video_is_hashed_frame_by_frame() -> None:
    run = reclaim("hash", "--json", CONFORMANCE / "video" / "pattern-sd-grey-bar.mp4")
    assert run.returncode == 0, run.stderr
    (record,) = [json.loads(line) for line in run.stdout.splitlines()]
    assert record["kind"] == "video" and record["pdq"] is None
    frames = record["vpdq"]
    assert len(frames) >= 2
    assert set(frames[0]) == {"frame", "timestamp", "hash", "quality"}
    assert [f["timestamp"] for f in frames] == sorted(f["timestamp"] for f in frames)


def test_parallel_and_single_worker_give_identical_output(mixed_folder: Path) -> None:
    one = reclaim("hash", "--json", "--workers", "1", mixed_folder)
    two = reclaim("hash", "--json", "--workers", "2", mixed_folder)
    assert one.stdout == two.stdout and one.stdout


def test_version_and_help() -> None:
    assert reclaim("--version").stdout.startswith("reclaim ")
    helped = reclaim("hash", "--help", lang="zh")
    assert helped.returncode == 0 and "照片" in helped.stdout
