"""Scanning a Telegram export end to end: photos per second with matching and writes, beside hashing alone.

    python benchmarks/bench_scan.py                          # 10,000 messages, 5,000 photos, 2 workers
    python benchmarks/bench_scan.py --quick                  # 500 messages, 250 photos: a smoke run
    python benchmarks/bench_scan.py --work benchmarks/data/scan   # keep the export between runs

Builds a channel export as Telegram Desktop writes it (``tests/telegram_builder.py``) from
scikit-image's sample photos, seeded and deterministic: every photo a distinct JPEG of Telegram's
size (longest side up to 1280 px, quality 87, as Telegram re-encodes), cut from a source at a
random place and zoom, turned or mirrored, colour-shifted and given mild sensor-like noise (so
that it is photo-sized, ~100-250 KB, not a smooth upscale); one in seven is a collage of two.
Between the photos, text posts (ads with phone numbers, handles, t.me links). 2 % of the photos
are edited copies of the victim's photos (re-encoded, watermarked, bordered, cropped, chat
screenshots) and a few texts carry her phone number, name or handle, obfuscated.

The bank is a real installation's: ``reclaim init`` in a fresh RECLAIM_HOME (SQLite), her case
protecting 100 photos (``reclaim protect``) and three identifiers, and nine more cases holding
900 other PDQ hashes (``reclaim protect --hashes``, random values) with a phone and a name each.
Her photos come from other scikit-image samples than the rest of the export, so every media
lead is one of the edited copies.

Then, on the same photos and the same number of workers (one run, page cache warm):
1. ``reclaim hash EXPORT/photos --json``: hashing alone (digests + PDQ);
2. ``query_signals_of_file`` through ``map_files``: the robust query views the scan computes;
3. ``reclaim scan telegram-export EXPORT --json``: parse, views, matching every bank, the text
   scan for identifiers and mentions, and the database writes;
4. the same scan again: every item is already finished (the cost of resuming).
``--profile`` adds a scan of the same export into another fresh home under cProfile (the
main process: parse, matching, text, writes; workers are the views of step 2).
"""

from __future__ import annotations

import os

# One BLAS thread, as `reclaim` sets it (cli/main.py), before numpy loads: step 2 runs in here.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import argparse
import io
import json
import multiprocessing
import platform
import pstats
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageOps

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))  # tests.telegram_builder, tests.robust_edits

from tests import robust_edits  # noqa: E402
from tests.telegram_builder import ChannelExport  # noqa: E402

GENERATOR_VERSION = 1  # bump when the recipe changes, so a kept --work folder is rebuilt
SEED = 20260301
CHANNEL_ID, CHANNEL_TITLE = 1811000001, "同城分享 · 每日更新"
START = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
# Her photos and the rest of the export come from different samples: any media lead is a copy.
VICTIM_SOURCES = ("astronaut", "coffee", "chelsea", "rocket", "motorcycle_left")
OTHER_SOURCES = (
    "camera", "hubble_deep_field", "retina", "immunohistochemistry", "coins", "moon", "cell",
    "brick", "grass", "gravel", "page", "clock", "colorwheel", "logo", "microaneurysms", "text",
)  # fmt: skip
# Telegram keeps the longest side at 1280 px at most; these are the shapes a channel is full of.
TELEGRAM_SIZES = (
    ((1280, 960), 5), ((960, 1280), 5), ((1280, 720), 3), ((720, 1280), 3), ((1280, 853), 2),
    ((853, 1280), 2), ((800, 600), 2), ((1024, 768), 1), ((1280, 1280), 1), ((600, 800), 1),
)  # fmt: skip
TELEGRAM_QUALITY = 87
VICTIM_PHONE, VICTIM_NAME, VICTIM_HANDLE = "13812345678", "林小美", "xiaomei_lin"
EDITS = ("reencode", "watermark", "border", "crop", "screenshot")


# ---------------------------------------------------------------- the photos


@dataclass(frozen=True)
class PhotoJob:
    path: str
    seed: int
    sources: tuple[str, ...]
    size: tuple[int, int]
    quality: int
    edit: str = ""  # an edited copy of the protected photo at ``original``
    original: str = ""


_SOURCES: dict[str, Image.Image] = {}


def _source(name: str) -> Image.Image:
    if name not in _SOURCES:
        import skimage.data

        if name.startswith("motorcycle_"):
            left, right, _ = skimage.data.stereo_motorcycle()  # type: ignore[no-untyped-call]
            array = left if name.endswith("left") else right
        else:
            array = getattr(skimage.data, name)()
        if array.ndim == 2:
            array = np.stack([array] * 3, axis=-1)
        _SOURCES[name] = Image.fromarray(np.asarray(array)[..., :3].astype(np.uint8))
    return _SOURCES[name]


def _cut(image: Image.Image, size: tuple[int, int], rng: np.random.Generator) -> Image.Image:
    """A random window of the image, of ``size``'s aspect, zoomed 1-2.2x, resized to ``size``."""
    turn = rng.integers(0, 8)  # the 8 rotations and mirrors
    if turn & 1:
        image = ImageOps.mirror(image)
    if turn & 6:
        image = image.rotate(90 * int(turn >> 1), expand=True)
    w, h = image.size
    aspect = size[0] / size[1]
    cw, ch = (w, w / aspect) if w / h < aspect else (h * aspect, h)
    zoom = rng.uniform(1.0, 2.2)
    cw, ch = cw / zoom, ch / zoom
    x0, y0 = rng.uniform(0, w - cw), rng.uniform(0, h - ch)
    return image.resize(size, Image.Resampling.BILINEAR, box=(x0, y0, x0 + cw, y0 + ch))


def _colour_and_noise(image: Image.Image, rng: np.random.Generator, sigma: float) -> Image.Image:
    """Per-channel gain, offset and gamma (one lookup table), and sensor-like noise: luma per
    pixel, chroma at half resolution."""
    if rng.random() < 0.3:
        image = Image.merge("RGB", [image.getchannel(int(c)) for c in rng.permutation(3)])
    levels = np.arange(256, dtype=np.float32) / 255
    gamma = rng.uniform(0.75, 1.35)
    tables = [
        np.clip(levels * rng.uniform(0.75, 1.2) + rng.uniform(-0.1, 0.1), 0, 1) ** gamma * 255 + 0.5
        for _ in range(3)
    ]
    array = np.asarray(image.point(np.concatenate(tables).astype(np.uint8).tolist()), dtype=np.int16)
    h, w = array.shape[:2]
    noise = (rng.standard_normal((h, w, 1), dtype=np.float32) * sigma).astype(np.int16)
    chroma = (rng.standard_normal(((h + 1) // 2, (w + 1) // 2, 2), dtype=np.float32) * sigma * 0.6).astype(
        np.int16
    )
    chroma = np.repeat(np.repeat(chroma, 2, axis=0), 2, axis=1)[:h, :w]
    array += noise
    array[..., 0] += chroma[..., 0]
    array[..., 2] += chroma[..., 1]
    return Image.fromarray(np.clip(array, 0, 255).astype(np.uint8))


def _telegram_size(image: Image.Image) -> Image.Image:
    scale = 1280 / max(image.size)
    if scale >= 1:
        return image
    size = (round(image.width * scale), round(image.height * scale))
    return image.resize(size, Image.Resampling.LANCZOS)


def _edited(original: Image.Image, edit: str, rng: np.random.Generator) -> Image.Image:
    if edit == "watermark":
        return robust_edits.watermarked(_telegram_size(original))
    if edit == "border":
        return robust_edits.bordered(original.resize((original.width // 2, original.height // 2)))
    if edit == "crop":
        return robust_edits.centre_crop(original, float(rng.uniform(0.82, 0.92)))
    if edit == "screenshot":
        return robust_edits.screenshot(original)
    return original


def make_photo(job: PhotoJob) -> tuple[str, int, int, int]:
    """Write one photo; returns (path, width, height, bytes)."""
    rng = np.random.default_rng(job.seed)
    if job.edit:
        with Image.open(job.original) as opened:
            image = _telegram_size(_edited(opened.convert("RGB"), job.edit, rng))
    else:
        image = _cut(_source(job.sources[0]), job.size, rng)
        if len(job.sources) > 1:  # a collage of two, side by side or one above the other
            w, h = job.size
            wide = w >= h
            first, second = (w // 2, h) if wide else (w, h // 2), (w - w // 2, h) if wide else (w, h - h // 2)
            canvas = Image.new("RGB", job.size)
            canvas.paste(_cut(image, first, rng), (0, 0))
            canvas.paste(_cut(_source(job.sources[1]), second, rng), (w // 2, 0) if wide else (0, h // 2))
            image = canvas
        image = _colour_and_noise(image, rng, float(rng.uniform(2.0, 4.0)))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=job.quality)
    Path(job.path).write_bytes(buffer.getvalue())
    return job.path, image.width, image.height, len(buffer.getvalue())


def _run_all(jobs: list[PhotoJob], processes: int) -> dict[str, tuple[int, int, int]]:
    with multiprocessing.get_context("fork").Pool(processes) as pool:
        made = pool.imap_unordered(make_photo, jobs, chunksize=8)
        return {path: (w, h, size) for path, w, h, size in made}


# ---------------------------------------------------------------- the texts


def _phone(rng: np.random.Generator) -> str:
    return str(rng.choice([13, 18])) + "".join(str(d) for d in rng.integers(0, 10, 9))


def _spaced(number: str, rng: np.random.Generator) -> str:
    """A phone number as people write it to dodge filters: spaces, dashes, +86, Chinese numerals."""
    style = rng.integers(0, 5)
    if style == 0:
        return number
    if style == 1:
        return f"{number[:3]} {number[3:7]} {number[7:]}"
    if style == 2:
        return f"+86 {number[:3]}-{number[3:7]}-{number[7:]}"
    if style == 3:
        digits = "零一二三四五六七八九"
        return "".join(digits[int(d)] for d in number[:3]) + f" {number[3:7]} {number[7:]}"
    return ".".join((number[:3], number[3:7], number[7:]))


_WORDS = (
    "今日更新", "新人福利", "老司机带路", "本群禁止广告", "每日一图", "周末活动", "同城交友", "限时免费",
    "daily drop", "new here? read the pinned post", "backup channel below", "VIP only",
)  # fmt: skip
_HANDLE_PARTS = ("lucky", "night", "city", "club", "share", "vip", "bak", "admin", "daily", "pics")


def _handle(rng: np.random.Generator) -> str:
    a, b = rng.choice(len(_HANDLE_PARTS), 2, replace=False)
    return f"{_HANDLE_PARTS[a]}_{_HANDLE_PARTS[b]}{rng.integers(1, 999)}"


def _victim_post(index: int, rng: np.random.Generator) -> str | list[Any]:
    """A post that names her: her phone, her name or her handle (doxxing), in turn."""
    posts: tuple[Callable[[], str | list[Any]], ...] = (
        lambda: f"她叫{VICTIM_NAME}，电话 {_spaced(VICTIM_PHONE, rng)}，随便打",
        lambda: f"认识{VICTIM_NAME}的私聊 @{_handle(rng)}",
        lambda: ["本人账号 ", {"type": "mention", "text": f"@{VICTIM_HANDLE.upper()}"}, " 快去看"],
    )
    return posts[index % len(posts)]()


def _text_post(number: int, rng: np.random.Generator) -> str | list[Any]:
    """Text as channels post it: ads with other people's numbers, handles, links."""
    word = _WORDS[rng.integers(len(_WORDS))]
    posts: tuple[Callable[[], str | list[Any]], ...] = (
        lambda: f"{word}：代办业务 {_spaced(_phone(rng), rng)} 联系王先生",
        lambda: [f"{word}，备用频道 ", {"type": "link", "text": f"t.me/{_handle(rng)}"}],
        lambda: [f"{word} 投稿找 ", {"type": "mention", "text": f"@{_handle(rng)}"}],
        lambda: f"{word} #{number}：点赞过百继续更新，微信 {_phone(rng)}",
        lambda: f"{word}。第 {number} 期，明晚 8 点见",
        lambda: f"{word} https://example.org/p/{number}",
    )
    return posts[rng.integers(len(posts))]()


def _plain(part: str | dict[str, str]) -> str:
    return part if isinstance(part, str) else part["text"]


# ---------------------------------------------------------------- the data set


@dataclass(frozen=True)
class DataSet:
    export: Path
    protected: Path
    photos: int
    messages: int
    edited: int  # edited copies of her photos among the export's photos
    victim_texts: int  # texts that name her
    photo_bytes: int


def _pick_size(rng: np.random.Generator) -> tuple[int, int]:
    weights = np.array([w for _, w in TELEGRAM_SIZES], dtype=float)
    return TELEGRAM_SIZES[rng.choice(len(TELEGRAM_SIZES), p=weights / weights.sum())][0]


def build_data(work: Path, messages: int, photos: int, protected: int, processes: int) -> DataSet:
    """The export and her photos under ``work``, reused when already built with the same sizes."""
    manifest = work / "manifest.json"
    wanted = {"version": GENERATOR_VERSION, "messages": messages, "photos": photos, "protected": protected}
    if manifest.exists():
        kept = json.loads(manifest.read_text())
        if {k: kept.get(k) for k in wanted} == wanted:
            print(f"reusing the data set in {work}", file=sys.stderr)
            edited, victim_texts = kept["counts"]
            return DataSet(
                work / "export",
                work / "protected",
                photos,
                messages,
                edited,
                victim_texts,
                kept["photo_bytes"],
            )
    for old in ("export", "protected", "staging", "manifest.json"):
        path = work / old
        shutil.rmtree(path, ignore_errors=True) if path.is_dir() else path.unlink(missing_ok=True)
    rng = np.random.default_rng(SEED)
    started = time.perf_counter()
    jobs, made, edited = _make_photos(work, photos, protected, processes, rng)
    print(f"  {photos + protected} photos in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    victim_texts = _write_channel(work / "export", messages, jobs, made, rng)
    (work / "staging").rmdir()
    photo_bytes = sum(size for _, _, size in made.values())
    manifest.write_text(json.dumps({**wanted, "counts": [edited, victim_texts], "photo_bytes": photo_bytes}))
    print(f"  export written in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return DataSet(work / "export", work / "protected", photos, messages, edited, victim_texts, photo_bytes)


def _make_photos(
    work: Path, photos: int, protected: int, processes: int, rng: np.random.Generator
) -> tuple[list[PhotoJob], dict[str, tuple[int, int, int]], int]:
    """Her originals (phone photos, bigger than Telegram keeps them), then the export's photos:
    2 % edited copies of hers, spread evenly, the rest distinct photos of other samples."""
    mine = work / "protected"
    mine.mkdir(parents=True)
    jobs = [
        PhotoJob(
            str(mine / f"her-{i:04d}.jpg"),
            SEED + 1_000_000 + i,
            (VICTIM_SOURCES[i % len(VICTIM_SOURCES)],),
            (1600, 1200) if rng.random() < 0.6 else (1200, 1600),
            92,
        )
        for i in range(protected)
    ]
    _run_all(jobs, processes)
    staging = work / "staging"
    staging.mkdir()
    edited = max(1, photos // 50)
    copy_slots = set(np.linspace(0, photos - 1, edited).round().astype(int).tolist())
    jobs = []
    copies = 0
    for i in range(photos):
        path = str(staging / f"{i:05d}.jpg")
        if i in copy_slots:
            original = str(mine / f"her-{copies % protected:04d}.jpg")
            edit = EDITS[copies % len(EDITS)]
            jobs.append(PhotoJob(path, SEED + i, (), (0, 0), TELEGRAM_QUALITY, edit, original))
            copies += 1
            continue
        first = OTHER_SOURCES[rng.integers(len(OTHER_SOURCES))]
        second = OTHER_SOURCES[rng.integers(len(OTHER_SOURCES))]
        sources = (first, second) if rng.random() < 1 / 7 else (first,)
        jobs.append(PhotoJob(path, SEED + i, sources, _pick_size(rng), TELEGRAM_QUALITY))
    return jobs, _run_all(jobs, processes), edited


def _write_channel(
    root: Path,
    messages: int,
    jobs: list[PhotoJob],
    made: dict[str, tuple[int, int, int]],
    rng: np.random.Generator,
) -> int:
    """The channel: photos at random places among the messages, captions on one in five.
    Returns how many texts name her (one message in 500, at least 3, spread over the texts)."""
    export = ChannelExport(root, CHANNEL_TITLE, CHANNEL_ID)
    photo_at = set(rng.choice(messages, size=len(jobs), replace=False).tolist())
    victim_every = max(1, (messages - len(jobs)) // max(3, messages // 500))
    next_photo = next_text = victim_texts = 0
    for number in range(1, messages + 1):
        when = START + timedelta(minutes=7 * number + int(rng.integers(0, 5)))
        if number - 1 in photo_at:
            job = jobs[next_photo]
            w, h, _ = made[job.path]
            caption = _text_post(number, rng) if rng.random() < 0.2 else ""
            plain = caption if isinstance(caption, str) else "".join(_plain(part) for part in caption)
            export.photo(when, Path(job.path), text=plain, width=w, height=h)
            Path(job.path).unlink()  # the export holds its own copy
            next_photo += 1
        else:
            if next_text % victim_every == victim_every // 2:
                export.post(when, _victim_post(victim_texts, rng))
                victim_texts += 1
            else:
                export.post(when, _text_post(number, rng))
            next_text += 1
    export.write()
    return victim_texts


# ---------------------------------------------------------------- the installation


def reclaim_env(home: Path) -> dict[str, str]:
    env = {**os.environ, "RECLAIM_HOME": str(home), "RECLAIM_ACTOR": "bench", "LANG": "C.UTF-8"}
    for name in ("RECLAIM_DATABASE_URL", "RECLAIM_LANG"):
        env.pop(name, None)  # SQLite in the home, messages in English
    return env


def reclaim(env: dict[str, str], *args: str | Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "reclaim", "--lang", "en", *map(str, args)]
    run = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    if run.returncode != 0:
        raise SystemExit(f"{' '.join(command[2:])} failed:\n{run.stderr}")
    return run


def json_lines(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def install_bank(home: Path, data: DataSet, bank_pdq: int, workers: int) -> dict[str, Any]:
    """A fresh home: her case (photos and details) and nine other cases of imported hashes."""
    shutil.rmtree(home, ignore_errors=True)
    env = reclaim_env(home)
    reclaim(env, "init", "--json")
    started = time.perf_counter()
    [her] = json_lines(reclaim(env, "case", "new", "小美", "--json").stdout)
    protected = json_lines(
        reclaim(
            env, "protect", her["case_id"], data.protected, "--attest", "on-behalf", "--json",
            "--workers", str(workers),
        ).stdout
    )  # fmt: skip
    protect_s = time.perf_counter() - started
    reclaim(
        env, "identifiers", "add", her["case_id"], "--phone", VICTIM_PHONE, "--name", VICTIM_NAME,
        "--handle", VICTIM_HANDLE, "--json",
    )  # fmt: skip
    rng = np.random.default_rng(SEED + 7)
    others = 9
    synthetic = max(0, bank_pdq - len(protected))
    for case in range(others):
        [other] = json_lines(reclaim(env, "case", "new", f"case {case + 1}", "--json").stdout)
        count = synthetic // others + (case < synthetic % others)
        hashes = home / f"hashes-{case}.jsonl"
        with hashes.open("w") as out:
            for value in rng.integers(0, 256, size=(count, 32), dtype=np.uint8):
                out.write(json.dumps({"signal_type": "pdq", "value": value.tobytes().hex(), "quality": 100}))
                out.write("\n")
        if count:
            reclaim(env, "protect", other["case_id"], "--hashes", hashes, "--attest", "on-behalf", "--json")
        name = "".join("赵钱孙李周吴郑王冯陈"[d] for d in rng.integers(0, 10, 3))
        reclaim(env, "identifiers", "add", other["case_id"], "--phone", _phone(rng), "--name", name)
    cases = json_lines(reclaim(env, "case", "list", "--json").stdout)
    return {
        "cases": len(cases),
        "protected_photos": len(protected),
        "pdq_entries": len(protected) + synthetic,
        "active_entries": sum(int(case["active_entries"]) for case in cases),
        "protect_s": protect_s,
    }


# ---------------------------------------------------------------- the measurements


@dataclass
class Timed:
    wall_s: float
    cpu_s: float  # this process and its children, user + system
    load: float  # 1-minute load average when the step ended: other work on the machine shows here
    result: Any = None


def timed(step: Callable[[], Any]) -> Timed:
    def cpu() -> float:
        own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime

    cpu0, start = cpu(), time.perf_counter()
    result = step()
    return Timed(time.perf_counter() - start, cpu() - cpu0, os.getloadavg()[0], result)


def hash_alone(env: dict[str, str], photos: Path, workers: int) -> tuple[int, int]:
    """(files, photos too plain for PDQ matching: quality under 50)."""
    lines = json_lines(reclaim(env, "hash", photos, "--json", "--workers", str(workers)).stdout)
    return len(lines), sum(line["pdq"]["quality"] < 50 for line in lines)


def query_signals_alone(photos: Path, workers: int) -> tuple[int, int]:
    """(files, views) through the very pool the scan uses."""
    from reclaim.config import MediaLimits
    from reclaim.services.hashing import HashFailure, map_files
    from reclaim.signals.query_signals import query_signals_of_file

    paths = sorted(photos.glob("*.jpg"))
    files = views = 0
    for outcome in map_files(query_signals_of_file, paths, MediaLimits(), workers):
        if isinstance(outcome, HashFailure):
            raise SystemExit(f"{outcome.path}: {outcome.error}")
        files += 1
        views += len(outcome.views)
    return files, views


def scan(env: dict[str, str], export: Path, workers: int) -> dict[str, Any]:
    [summary] = json_lines(
        reclaim(env, "scan", "telegram-export", export, "--json", "--workers", str(workers)).stdout
    )
    return summary


# `python -m reclaim` leaves with os._exit (no teardown), so cProfile wraps main() instead.
PROFILED_SCAN = """
import cProfile, sys
from reclaim.cli.main import main
profiler = cProfile.Profile()
profiler.enable()
try:
    main(sys.argv[2:])
except SystemExit:
    pass
profiler.disable()
profiler.dump_stats(sys.argv[1])
"""


# Where the scan's main process spends its time: (label, file suffix, function name).
PHASES = (
    ("waiting for the workers' views", "~", "<method 'acquire' of '_thread.lock' objects>"),
    ("matching every bank (BankSnapshot.match)", "bank/snapshot.py", "match"),
    ("  of which the index search", "bank/index.py", "brute_force_search"),
    ("identifier text scan (TextScanner.hits)", "services/identifiers.py", "hits"),
    ("mentions (handles, links)", "network/mentions.py", "mentioned_handles"),
    ("", "network/mentions.py", "mentioned_links"),
    ("database writes (record_items)", "store/scans.py", "record_items"),
    ("resume check (finished_keys)", "store/scans.py", "finished_keys"),
    ("parsing the export (parse_export)", "sources/telegram_export.py", "parse_export"),
    ("loading the bank (load_bank)", "services/matching.py", "load_bank"),
)


def profile_scan(home: Path, data: DataSet, bank_pdq: int, workers: int, out: Path) -> dict[str, float]:
    """The scan's main process under cProfile, in a fresh home: seconds per phase (cumulative)."""
    install_bank(home, data, bank_pdq, workers)
    env = reclaim_env(home)
    command = [sys.executable, "-c", PROFILED_SCAN, str(out), "--lang", "en", "scan", "telegram-export"]
    command += [str(data.export), "--json", "--workers", str(workers)]
    started = time.perf_counter()
    subprocess.run(command, capture_output=True, text=True, env=env, check=True)
    wall = time.perf_counter() - started
    stats: dict[tuple[str, int, str], tuple[Any, ...]] = pstats.Stats(str(out)).stats  # type: ignore[attr-defined]
    phases: dict[str, float] = {"profiled scan, wall": wall}
    label = ""
    for name, suffix, function in PHASES:
        label = name or label
        seconds = sum(
            row[3] for (file, _, func), row in stats.items() if func == function and file.endswith(suffix)
        )
        phases[label] = phases.get(label, 0.0) + seconds
    phases["main process, all"] = max(row[3] for row in stats.values())
    return phases


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--photos", type=int, default=5_000)
    parser.add_argument("--protected", type=int, default=100, help="her photos, protected from files")
    parser.add_argument("--bank-pdq", type=int, default=1_000, help="PDQ hashes in all banks")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--work", type=Path, help="keep the generated data here (default: a temporary folder)"
    )
    parser.add_argument("--quick", action="store_true", help="500 messages, 250 photos")
    parser.add_argument("--profile", action="store_true", help="also profile a scan's main process")
    args = parser.parse_args()
    if args.quick:
        args.messages, args.photos = 500, 250
    if args.photos > args.messages:
        parser.error("--photos cannot be more than --messages")

    temporary = None if args.work else tempfile.TemporaryDirectory(prefix="bench-scan-")
    work = (args.work or Path(temporary.name)).resolve()  # type: ignore[union-attr]
    work.mkdir(parents=True, exist_ok=True)
    load_start = os.getloadavg()[0]
    try:
        data = build_data(work, args.messages, args.photos, args.protected, os.cpu_count() or 1)
        bank = install_bank(work / "home", data, args.bank_pdq, args.workers)
        env = reclaim_env(work / "home")
        photos_dir = data.export / "photos"
        # Hashing first also brings every photo into the page cache for the steps after it.
        hashed = timed(lambda: hash_alone(env, photos_dir, args.workers))
        views = timed(lambda: query_signals_alone(photos_dir, args.workers))
        scanned = timed(lambda: scan(env, data.export, args.workers))
        resumed = timed(lambda: scan(env, data.export, args.workers))
        report(
            args=args,
            data=data,
            bank=bank,
            hashed=hashed,
            views=views,
            scanned=scanned,
            resumed=resumed,
            load_start=load_start,
        )
        if args.profile:
            phases = profile_scan(
                work / "home-profile", data, args.bank_pdq, args.workers, work / "scan.prof"
            )
            print("\nscan's main process under cProfile (cumulative seconds; workers compute the views):")
            for name, seconds in phases.items():
                print(f"  {name:<44} {seconds:>8.2f} s  {1000 * seconds / data.photos:>7.1f} ms/photo")
            print(json.dumps({"profile": {k: round(v, 2) for k, v in phases.items()}}, ensure_ascii=False))
    finally:
        if temporary is not None:
            temporary.cleanup()


def report(
    *,
    args: argparse.Namespace,
    data: DataSet,
    bank: dict[str, Any],
    hashed: Timed,
    views: Timed,
    scanned: Timed,
    resumed: Timed,
    load_start: float,
) -> None:
    summary, again = scanned.result, resumed.result
    assert hashed.result[0] == data.photos, f"reclaim hash gave {hashed.result[0]} lines for {data.photos}"
    assert views.result[0] == data.photos
    assert summary["media"] == data.photos and summary["items"] == data.messages, summary
    assert again["already_scanned"] == data.messages and again["queued"] == 0, again
    assert summary["queued"] > 0, "the scan queued no lead"
    cpu_model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        platform.processor(),
    )
    steps = {
        "hash": ("reclaim hash --json (digests + PDQ)", hashed),
        "query_signals": ("query signals (digests + robust views)", views),
        "scan": ("reclaim scan telegram-export --json", scanned),
        "resume": ("same scan again (all already scanned)", resumed),
    }
    print(
        f"\n{data.messages} messages, {data.photos} photos "
        f"({data.photo_bytes / data.photos / 1024:.0f} KB mean, {hashed.result[1]} with PDQ quality < 50), "
        f"{args.workers} workers; {os.cpu_count()} cores ({cpu_model}); load {load_start:.1f} at the start"
    )
    print(
        f"bank: {bank['cases']} cases, {bank['active_entries']} active entries "
        f"({bank['pdq_entries']} PDQ hashes: {bank['protected_photos']} protected photos + imported); "
        f"protecting her {bank['protected_photos']} photos took {bank['protect_s']:.1f} s\n"
    )
    header = ("step", "seconds", "photos/s", "CPU ms/photo", "vs hash", "load")
    print(f"| {header[0]:<42} | " + " | ".join(f"{h:>12}" for h in header[1:]) + " |")
    print(f"|{'-' * 44}|" + "|".join(f"{'-' * 13}:" for _ in header[1:]) + "|")
    for name, step in steps.values():
        cells = (
            f"{step.wall_s:.2f}",
            f"{data.photos / step.wall_s:.1f}",
            f"{1000 * step.cpu_s / data.photos:.1f}",
            f"{step.wall_s / hashed.wall_s:.1f}x",
            f"{step.load:.1f}",
        )
        print(f"| {name:<42} | " + " | ".join(f"{c:>12}" for c in cells) + " |")
    print(
        f"\nscan: {data.messages / scanned.wall_s:.1f} messages/s; {summary['queued']} leads queued "
        f"({summary['hits']['media']} media hits for {data.edited} edited copies of her photos, "
        f"{summary['hits']['identifier']} identifier hits in {data.victim_texts} texts naming her); "
        f"{views.result[1] / data.photos:.0f} views per photo; "
        f"scan / hash {scanned.wall_s / hashed.wall_s:.1f}x, scan / query signals "
        f"{scanned.wall_s / views.wall_s:.2f}x; resume {resumed.wall_s:.2f} s"
    )

    def figures(step: Timed) -> dict[str, float]:
        return {
            "s": round(step.wall_s, 3),
            "cpu_s": round(step.cpu_s, 2),
            "photos_per_s": round(data.photos / step.wall_s, 2),
            "load": round(step.load, 2),
        }

    print(
        json.dumps(
            {
                "messages": data.messages,
                "photos": data.photos,
                "workers": args.workers,
                "cores": os.cpu_count(),
                "cpu": cpu_model,
                "load_start": round(load_start, 2),
                "photo_kb_mean": round(data.photo_bytes / data.photos / 1024, 1),
                "low_quality_photos": hashed.result[1],
                "bank": {k: round(v, 2) if isinstance(v, float) else v for k, v in bank.items()},
                **{key: figures(step) for key, (_, step) in steps.items()},
                "views_per_photo": round(views.result[1] / data.photos, 1),
                "messages_per_s": round(data.messages / scanned.wall_s, 2),
                "queued": summary["queued"],
                "hits": summary["hits"],
                "edited_copies": data.edited,
                "victim_texts": data.victim_texts,
                "scan_over_hash": round(scanned.wall_s / hashed.wall_s, 2),
                "scan_over_query_signals": round(scanned.wall_s / views.wall_s, 3),
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
