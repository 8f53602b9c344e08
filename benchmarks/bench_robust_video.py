"""Robust video matching: recall per edit and false matches, ours beside Meta's vPDQ rule.

Builds its own set (seeded, deterministic) in benchmarks/data/robust_video/:

- protected clips: 12-14 s pan/zoom scenes over public photographs (Debian's
  plasma-workspace-wallpapers, fetched with apt-get as make_media.py does), some opening
  on black, a fade and a channel title card that the decoys share;
- for each protected clip, the edits a leak channel makes: a low-bitrate re-encode, a trim,
  3 s and 5 s excerpts, a 1.2x zoom, a mirror, letterbox and pillarbox bars, a screen
  recording inside a synthetic chat app, and a compilation that holds the clip between
  unrelated clips;
- unrelated decoys (scikit-image's sample photos and Plasma illustrations), shown on
  their own and in compilations of decoys only, with the same black frames, fades and
  title card;
- Meta's conformance clips (../shared/conformance/video): every ordered pair of variants
  of one clip (bars, logos) as query and protected clip.

Every query is matched against every protected clip by ``VideoBank`` (ours) and by the
vPDQ rule (80% of unique frames on both sides within 31 bits, ``signals.vpdq``).

    python benchmarks/bench_robust_video.py   # ~3 min on 2 cores, plus ~3 min once to make the media
"""

from __future__ import annotations

import os

# As `reclaim` itself (cli/main.py): one BLAS thread, set before numpy loads. OpenBLAS threads
# spin-wait beside other work and made the views 10x slower on this 2-core machine.
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable, Iterable, Iterator  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from fractions import Fraction  # noqa: E402
from pathlib import Path  # noqa: E402

import av  # noqa: E402
import numpy as np  # noqa: E402
from PIL import Image, ImageDraw, ImageFont  # noqa: E402

from reclaim.config import MediaLimits  # noqa: E402
from reclaim.signals.video_match import VideoBank, VideoMatch  # noqa: E402
from reclaim.signals.video_views import query_frames  # noqa: E402
from reclaim.signals.vpdq import VpdqFrame, hash_video, is_vpdq_match  # noqa: E402

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
OUT = DATA / "robust_video"
WALL = DATA / "wallpapers"
PLASMA = WALL / "usr/share/wallpapers"
CONFORMANCE = HERE.parent.parent / "shared" / "conformance" / "video"
if not CONFORMANCE.is_dir():
    CONFORMANCE = Path("/work/shared/conformance/video")
FPS = 30
LIMITS = MediaLimits()

# Two photographs per protected clip (checked by eye to be photographs), and its frame size:
# landscape 16:9, old 4:3 and portrait phone video, as victims' phones and cameras make them.
PROTECTED = [
    ("Autumn", "BytheWater", (640, 360)),
    ("ColdRipple", "DarkestHour", (640, 360)),
    ("EveningGlow", "FallenLeaf", (480, 360)),
    ("Grey", "Kite", (640, 360)),
    ("OneStandsOut", "Path", (360, 640)),
    ("summer_1am", "ColorfulCups", (640, 360)),
]
DECOYS = [
    ("astronaut", "Altai"),
    ("coffee", "Canopee"),
    ("chelsea", "Cascade"),
    ("rocket", "Elarun"),
    ("hubble_deep_field", "Flow"),
    ("immunohistochemistry", "Opal"),
    ("retina", "PastelHills"),
    ("camera", "Volna"),
]
TITLE = "CHANNEL 1024  ·  NEW UPLOADS DAILY"


# ---------------------------------------------------------------- sources


def fetch_wallpapers() -> None:
    """apt-get download + dpkg -x Plasma's wallpapers (once), as make_media.py does."""
    if (PLASMA / "Path").exists():
        return
    debs = DATA / "debs"
    debs.mkdir(parents=True, exist_ok=True)
    subprocess.run(["apt-get", "download", "plasma-workspace-wallpapers"], cwd=debs, check=True)
    for deb in sorted(debs.glob("plasma-workspace-wallpapers*.deb")):
        subprocess.run(["dpkg", "-x", str(deb), str(WALL)], check=True)


def source_image(name: str) -> Image.Image:
    """A Plasma wallpaper (its largest file) or a scikit-image sample, at most 1600 px wide."""
    folder = PLASMA / name / "contents/images"
    if folder.is_dir():
        files = sorted(folder.glob("*"))
        image = Image.open(max(files, key=lambda p: p.stat().st_size)).convert("RGB")
    else:
        import skimage.data

        array = getattr(skimage.data, name)()
        if array.ndim == 2:
            array = np.stack([array] * 3, axis=-1)
        image = Image.fromarray(array[..., :3].astype(np.uint8))
    if image.width > 1600:
        image = image.resize((1600, round(image.height * 1600 / image.width)), Image.Resampling.LANCZOS)
    return image


# ---------------------------------------------------------------- rendering


def pan_scene(image: Image.Image, size: tuple[int, int], seconds: float, rng: np.random.Generator):
    """A slow pan and zoom over the photo with fresh sensor noise per frame."""
    w, h = size
    sw, sh = image.size
    frames = round(seconds * FPS)
    z0, z1 = rng.uniform(1.0, 1.15), rng.uniform(1.3, 1.6)
    if rng.random() < 0.5:
        z0, z1 = z1, z0
    x_from, x_to = rng.uniform(0.0, 0.4), rng.uniform(0.6, 1.0)
    if rng.random() < 0.5:
        x_from, x_to = x_to, x_from
    for f in range(frames):
        t = f / max(1, frames - 1)
        z = z0 + (z1 - z0) * t
        ch = min(sh / z, sw / z * h / w)
        cw = ch * w / h
        cx = (sw - cw) * (x_from + (x_to - x_from) * t)
        cy = (sh - ch) * 0.5
        frame = image.resize(size, Image.Resampling.BILINEAR, box=(cx, cy, cx + cw, cy + ch))
        noisy = np.asarray(frame, dtype=np.int16) + rng.integers(-5, 6, size=(h, w, 1), dtype=np.int16)
        yield np.clip(noisy, 0, 255).astype(np.uint8)


def title_card(size: tuple[int, int], seconds: float) -> Iterator[np.ndarray]:
    """White text on black, held: the channel's card that many unrelated clips share."""
    image = Image.new("RGB", size, (0, 0, 0))
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=max(14, size[0] // 26))
    draw.text((size[0] // 2, size[1] // 2), TITLE, fill=(240, 240, 240), font=font, anchor="mm")
    draw.text(
        (size[0] // 2, size[1] // 2 + size[1] // 8),
        "t.me/+xxxx",
        fill=(180, 180, 180),
        font=font,
        anchor="mm",
    )
    card = np.asarray(image)
    for _ in range(round(seconds * FPS)):
        yield card


def black(size: tuple[int, int], seconds: float) -> Iterator[np.ndarray]:
    for _ in range(round(seconds * FPS)):
        yield np.zeros((size[1], size[0], 3), dtype=np.uint8)


def fade_in(frames: Iterable[np.ndarray], seconds: float) -> Iterator[np.ndarray]:
    """The first ``seconds`` of the frames rise from black."""
    ramp = round(seconds * FPS)
    for i, frame in enumerate(frames):
        yield (frame * min(1.0, (i + 1) / ramp)).astype(np.uint8) if i < ramp else frame


def write_video(path: Path, frames: Iterable[np.ndarray], crf: int = 20, fps: int = FPS) -> None:
    """H.264 yuv420p, as phones and Telegram's re-encodes are."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".part.mp4")  # renamed when complete, so a killed run redoes it
    with av.open(str(partial), "w") as container:
        stream = container.add_stream(
            "libx264", rate=fps, options={"crf": str(crf), "preset": "veryfast", "threads": "1"}
        )
        stream.pix_fmt = "yuv420p"
        started = False
        for picture in frames:
            if not started:
                stream.height, stream.width = picture.shape[0] // 2 * 2, picture.shape[1] // 2 * 2
                started = True
            even = picture[: stream.height, : stream.width]  # yuv420p needs even sides
            for packet in stream.encode(
                av.VideoFrame.from_ndarray(np.ascontiguousarray(even), format="rgb24")
            ):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    partial.rename(path)


def read_video(
    path: Path, start: float = 0.0, end: float = float("inf"), fps: int = FPS
) -> Iterator[np.ndarray]:
    """Decoded RGB frames shown in [start, end), resampled to ``fps`` by nearest frame."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        rate = float(stream.average_rate or Fraction(FPS))
        step = rate / fps
        wanted = start * rate
        for index, frame in enumerate(container.decode(stream)):
            time_s = index / rate
            if time_s >= end:
                break
            if index + 1e-6 >= wanted:
                wanted += step
                if time_s >= start:
                    yield frame.to_ndarray(format="rgb24")


# ---------------------------------------------------------------- edits


def fit(frame: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """The frame scaled to fit inside ``size``, centred on black bars."""
    h, w = frame.shape[:2]
    scale = min(size[0] / w, size[1] / h)
    inner = (max(2, round(w * scale)), max(2, round(h * scale)))
    canvas = np.zeros((size[1], size[0], 3), dtype=np.uint8)
    x, y = (size[0] - inner[0]) // 2, (size[1] - inner[1]) // 2
    canvas[y : y + inner[1], x : x + inner[0]] = np.asarray(
        Image.fromarray(frame).resize(inner, Image.Resampling.BILINEAR)
    )
    return canvas


def scaled(frame: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    return np.asarray(Image.fromarray(frame).resize(size, Image.Resampling.BILINEAR))


def zoomed(frame: np.ndarray, zoom: float) -> np.ndarray:
    h, w = frame.shape[:2]
    cw, ch = w / zoom, h / zoom
    box = ((w - cw) / 2, (h - ch) / 2, (w + cw) / 2, (h + ch) / 2)
    return np.asarray(Image.fromarray(frame).resize((w, h), Image.Resampling.BILINEAR, box=box))


class ChatScreen:
    """A phone chat app (360x640) playing a video inside a message bubble, screen-recorded."""

    size = (360, 640)

    def __init__(self, seed: int) -> None:
        rng = np.random.default_rng(seed)
        image = Image.new("RGB", self.size, (236, 229, 221))
        draw = ImageDraw.Draw(image)
        font = ImageFont.load_default(size=14)
        draw.rectangle((0, 0, 360, 24), fill=(20, 20, 20))
        draw.text((8, 5), "9:41", fill=(255, 255, 255), font=font)
        draw.rectangle((0, 24, 360, 76), fill=(82, 136, 193))
        draw.ellipse((10, 32, 46, 68), fill=(200, 200, 220))
        draw.text((56, 34), "Leak channel 1024", fill=(255, 255, 255), font=font)
        draw.text((56, 54), "23,412 subscribers", fill=(220, 230, 255), font=font)
        for y in (90, 470, 530):
            width = int(rng.integers(160, 300))
            draw.rounded_rectangle((10, y, 10 + width, y + 44), radius=10, fill=(255, 255, 255))
            draw.text(
                (20, y + 8),
                " ".join(["lorem", "ipsum", "dolor", "sit"][: 2 + y % 3]),
                fill=(30, 30, 30),
                font=font,
            )
        draw.rectangle((0, 596, 360, 640), fill=(250, 250, 250))
        draw.text((16, 610), "Message", fill=(150, 150, 150), font=font)
        self.background = np.asarray(image).copy()
        self.video_box = (20, 150, 340, 330)  # left, top, right, bottom: the bubble's player

    def frame(self, video_frame: np.ndarray, progress: float) -> np.ndarray:
        screen = self.background.copy()
        left, top, right, bottom = self.video_box
        screen[top:bottom, left:right] = fit(video_frame, (right - left, bottom - top))
        # The player's progress bar under the video moves too, as real players' do.
        screen[bottom + 4 : bottom + 8, left:right] = 200
        screen[bottom + 4 : bottom + 8, left : left + round((right - left) * progress)] = (52, 120, 246)
        return screen


@dataclass
class Query:
    name: str
    edit: str
    path: Path
    clip: int | None  # the protected clip it shows, None for unrelated videos
    query_range: tuple[float, float] | None = None  # where it shows it, in query seconds
    found: dict[str, list[int]] = field(default_factory=dict)


def render_protected(index: int, seed: int) -> tuple[Path, float]:
    first, second, size = PROTECTED[index]
    rng = np.random.default_rng(seed)
    path = OUT / f"protected-{index}.mp4"
    opening: Iterable[np.ndarray] = []
    lead = 0.0
    if index % 2 == 0:
        # Half open like a channel's upload: black, the shared card, then a fade in.
        opening = [*black(size, 0.5), *title_card(size, 2.0)]
        lead = 2.5
    if not path.exists():
        scenes = [
            *pan_scene(source_image(first), size, 6.0, rng),
            *pan_scene(source_image(second), size, 6.0, rng),
        ]
        write_video(path, [*opening, *fade_in(scenes, 0.7)])
    return path, lead + 12.0


def render_decoy(index: int, seed: int, size: tuple[int, int] = (640, 360)) -> Path:
    first, second = DECOYS[index]
    rng = np.random.default_rng(seed)
    path = OUT / f"decoy-{index}.mp4"
    if not path.exists():
        frames = [
            *black(size, 0.5),
            *title_card(size, 2.0),
            *fade_in(
                [
                    *pan_scene(source_image(first), size, 5.0, rng),
                    *pan_scene(source_image(second), size, 5.0, rng),
                ],
                0.7,
            ),
            *black(size, 0.5),
        ]
        write_video(path, frames)
    return path


def make_edits(index: int, source: Path, duration: float, decoys: list[Path]) -> list[Query]:
    """Every edit of one protected clip, rendered from its encoded file (generation loss included)."""
    w, h = PROTECTED[index][2]
    queries: list[Query] = []

    def add(
        edit: str,
        frames: Callable[[], Iterable[np.ndarray]],
        crf: int = 23,
        rng: tuple[float, float] | None = None,
    ) -> None:
        path = OUT / f"query-{index}-{edit}.mp4"
        if not path.exists():
            write_video(path, frames(), crf=crf)
        queries.append(Query(path.stem, edit, path, index, rng))

    small = (w * 3 // 4 // 2 * 2, h * 3 // 4 // 2 * 2)
    add("re-encode", lambda: (scaled(f, small) for f in read_video(source)), crf=38)
    add("trim", lambda: read_video(source, 2.3, duration - 1.7), rng=(0.0, duration - 4.0))
    add("excerpt-3s", lambda: read_video(source, duration - 7.2, duration - 4.2))
    add("excerpt-5s", lambda: read_video(source, duration - 9.6, duration - 4.6))
    add("zoom-1.2x", lambda: (zoomed(f, 1.2) for f in read_video(source)))
    add("mirror", lambda: (np.ascontiguousarray(f[:, ::-1]) for f in read_video(source)))
    # Bars the other way round from the clip's own shape: a landscape clip in a portrait
    # player (letterbox), a narrower one in a wide player (pillarbox).
    landscape = w > h
    add("letterbox", lambda: (fit(f, (360, 640) if landscape else (640, 270)) for f in read_video(source)))
    add("pillarbox", lambda: (fit(f, (840, 360) if w >= 1.7 * h else (640, 360)) for f in read_video(source)))
    screen = ChatScreen(seed=100 + index)
    add(
        "screen-recording",
        lambda: (screen.frame(f, i / (duration * FPS)) for i, f in enumerate(read_video(source))),
        crf=28,
    )
    # A compilation: card, someone else's clip, 7 s of hers, another clip, all in one 16:9
    # frame, joined with fades from black as compilation editors do.
    other_a, other_b = decoys[index % len(decoys)], decoys[(index + 3) % len(decoys)]
    canvas = (640, 360)

    def compilation() -> Iterator[np.ndarray]:
        yield from title_card(canvas, 2.0)
        yield from fade_in((fit(f, canvas) for f in read_video(other_a, 3.0, 9.0)), 0.5)
        yield from fade_in((fit(f, canvas) for f in read_video(source, duration - 10.0, duration - 3.0)), 0.5)
        yield from fade_in((fit(f, canvas) for f in read_video(other_b, 3.0, 9.0)), 0.5)

    add("compilation", compilation, crf=26, rng=(8.0, 15.0))
    return queries


def make_unrelated(decoys: list[Path]) -> list[Query]:
    """Decoys on their own (re-encoded) and compilations of decoys only."""
    queries = []
    for i, decoy in enumerate(decoys):
        path = OUT / f"unrelated-{i}.mp4"
        if not path.exists():
            write_video(path, read_video(decoy), crf=30)
        queries.append(Query(path.stem, "unrelated", path, None))
    for i in range(2):
        path = OUT / f"unrelated-compilation-{i}.mp4"
        if not path.exists():
            parts = [decoys[(i * 3 + k) % len(decoys)] for k in range(3)]
            frames = [*title_card((640, 360), 2.0)]
            for part in parts:
                frames.extend(fade_in((fit(f, (640, 360)) for f in read_video(part, 2.0, 8.0)), 0.5))
            write_video(path, frames, crf=26)
        queries.append(Query(path.stem, "unrelated", path, None))
    return queries


# ---------------------------------------------------------------- run


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json-out", type=Path, default=DATA / "bench_robust_video_results.json")
    args = parser.parse_args()
    fetch_wallpapers()
    OUT.mkdir(parents=True, exist_ok=True)

    started = time.perf_counter()
    protected = [render_protected(i, seed=1000 + i) for i in range(len(PROTECTED))]
    decoys = [render_decoy(i, seed=2000 + i) for i in range(len(DECOYS))]
    queries = [
        q for i, (path, duration) in enumerate(protected) for q in make_edits(i, path, duration, decoys)
    ]
    queries += make_unrelated(decoys)
    conformance = sorted(CONFORMANCE.glob("*.mp4"))
    print(f"built {len(queries)} queries in {time.perf_counter() - started:.0f} s", file=sys.stderr)

    # The bank: our protected clips, then every conformance clip (each its own entry).
    bank_frames = [hash_video(p, LIMITS) for p, _ in protected] + [hash_video(p, LIMITS) for p in conformance]
    family = {len(protected) + k: p.name.split("-")[0] for k, p in enumerate(conformance)}
    for k, path in enumerate(conformance):
        queries.append(Query(path.stem, "conformance", path, len(protected) + k))

    rows, seconds = run_queries(queries, bank_frames)
    edits, false_matches = score(queries, family)
    print(f"{'edit':<18} {'ours':>9} {'vPDQ rule':>10}")
    for edit, stats in edits.items():
        ours, vpdq = stats["ours"], stats["vpdq"]
        print(f"{edit:<18} {ours[0]:>4}/{ours[1]:<4} {vpdq[0]:>5}/{vpdq[1]:<4}")
    unrelated = sum(1 for q in queries if q.clip is None)
    print(
        f"false matches (any query, any wrong clip; {unrelated} unrelated queries among "
        f"{len(queries)}): ours {false_matches['ours']}, vPDQ rule {false_matches['vpdq']}"
    )
    per_second = {k: v / seconds["video"] * 1000 for k, v in seconds.items()}
    print(
        f"cost per second of query video: ours {per_second['ours']:.0f} ms "
        f"(decode, views at 10 fps, search, alignment), vPDQ {per_second['vpdq']:.0f} ms "
        f"(decode, 1 fps hash, rule); ratio {seconds['ours'] / seconds['vpdq']:.2f}x"
    )
    args.json_out.write_text(
        json.dumps({"edits": edits, "false_matches": false_matches, "queries": rows}, indent=1)
    )
    return 0


def run_queries(
    queries: list[Query], bank_frames: list[list[VpdqFrame]]
) -> tuple[list[dict[str, object]], dict[str, float]]:
    """Match every query by both methods; fills ``query.found``, returns rows and timings."""
    bank = VideoBank(bank_frames)
    seconds = {"ours": 0.0, "vpdq": 0.0, "video": 0.0}
    rows: list[dict[str, object]] = []
    for query in queries:
        t0 = time.perf_counter()
        matches = bank.match(query_frames(query.path, LIMITS))
        t1 = time.perf_counter()
        frames = hash_video(query.path, LIMITS)
        vpdq_hits = [row for row, target in enumerate(bank_frames) if is_vpdq_match(frames, target)]
        t2 = time.perf_counter()
        seconds["ours"] += t1 - t0
        seconds["vpdq"] += t2 - t1
        seconds["video"] += (frames[-1].timestamp + 1.0) if frames else 0.0
        # The right clip counts only where the query shows it; a wrong clip counts anywhere.
        ours_hits = sorted(
            {m.clip for m in matches if m.clip != query.clip or _found_where_expected(query, m)}
        )
        query.found = {"ours": ours_hits, "vpdq": vpdq_hits}
        rows.append(
            {
                "query": query.name,
                "edit": query.edit,
                "clip": query.clip,
                "ours": [_describe(m) for m in matches],
                "vpdq": vpdq_hits,
            }
        )
    return rows, seconds


def score(
    queries: list[Query], family: dict[int, str]
) -> tuple[dict[str, dict[str, list[int]]], dict[str, int]]:
    """Found/total per edit and method, and false matches per method."""

    def expected(query: Query) -> set[int]:
        if query.clip is None:
            return set()
        if query.edit == "conformance":
            # A conformance clip should find its own entry and its family's other variants.
            return {row for row, name in family.items() if name == family[query.clip]}
        return {query.clip}

    edits: dict[str, dict[str, list[int]]] = {}
    false_matches = {"ours": 0, "vpdq": 0}
    for query in queries:
        wanted = expected(query)
        for method in ("ours", "vpdq"):
            hits = set(query.found[method])
            false_matches[method] += len(hits - wanted)
            if not wanted:
                continue
            stats = edits.setdefault(query.edit, {"ours": [0, 0], "vpdq": [0, 0]})
            if query.edit == "conformance":
                others = wanted - {query.clip}
                stats[method][0] += len(hits & others)
                stats[method][1] += len(others)
            else:
                stats[method][0] += int(bool(hits & wanted))
                stats[method][1] += 1
    return edits, false_matches


def _found_where_expected(query: Query, match: VideoMatch) -> bool:
    if query.query_range is None:
        return True
    start, end = query.query_range
    return match.query_range.start <= end and start <= match.query_range.end


def _describe(match: VideoMatch) -> dict[str, object]:
    return {
        "clip": match.clip,
        "query": [round(match.query_range.start, 2), round(match.query_range.end, 2)],
        "protected": [round(match.protected_range.start, 2), round(match.protected_range.end, 2)],
        "frames": match.frames,
        "distance": match.distance,
        "via": match.via,
    }


if __name__ == "__main__":
    raise SystemExit(main())
