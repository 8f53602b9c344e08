"""Robust matching: recall per edit and false matches, ours beside plain PDQ and its dihedral variants.

    python benchmarks/bench_robust.py                 # builds benchmarks/data/robust/ once, then measures
    python benchmarks/bench_robust.py --force         # rebuild the media
    python benchmarks/bench_robust.py --no-bank-crops # ours without the bank's extra centred crops

The set, built here from public photos only (seeded, deterministic):
- 20 protected photos: the left half of 12 photographs among Debian's Plasma wallpapers and
  8 of scikit-image's sample photos, saved as JPEG q92 (the victim's originals).
- every protected photo under each edit below (and 3 combinations), re-encoded as a chat app
  would (JPEG q60-90, q15-30 where the edit is the codec). The edits draw their layout at
  random, so that the matcher is not fitted to one generator: chat screenshots of 4 screen
  widths and 3 aspects, bubble colours of 3 apps per mode, margins, padding (0-12 px), corner
  radius (0-36 px), caption or none, or the photo shown edge to edge; collages of 2-4 tiles of
  random aspect (1x2, 2x1, 2x2, 1x3, 3x1), gutters of 0-40 px with or without an outer border,
  tiles cut about the centre or (30 %) off it; text and logo watermarks anywhere, of random
  size and opacity; crops about the centre, off one side, off a corner (each side its own
  amount), or anywhere; turns of 1-10 degrees;
- decoys: the right half of the same 12 wallpapers (same scene and light, other content),
  the other Plasma, Ubuntu Kylin and GNOME wallpapers, scikit-image's other images (text
  scans, textures, microscopy, the moon), darkened photos and chat screenshots of text only,
  each shown whole and under three random edits (so a decoy photo appears in screenshots,
  collages and letterboxes as often as a protected one).

A query "finds" its photo when the photo's entry is among its matches; a false match is any
match to another entry, from a query or a decoy. Plain PDQ compares the found image's hash
with the bank's at distance 31, as StopNCII and HMA do; "dihedral" adds the 8 rotations and
mirrors of the found image. Ours decodes the found image to RGB (``decode_rgb``) and searches
all its ``query_views``; the bank holds each photo's ``protected_views``.
"""

from __future__ import annotations

import os

# One BLAS thread: a scan runs one worker per core, and on a shared 2-core machine threaded
# BLAS spends more time waiting for the other core than multiplying (7x slower measured).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse
import io
import json
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont, ImageOps

from make_media import fetch_wallpapers
from reclaim.bank.index import HammingIndex
from reclaim.bank.matcher import Matcher
from reclaim.config import MediaLimits
from reclaim.media.image import decode_luma, decode_rgb
from reclaim.signals.pdq import PdqHash, pdq_dihedral_from_luma, pdq_from_luma
from reclaim.signals.robust import View, only_meets, protected_views, query_views

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
OUT = DATA / "robust"
PLASMA = DATA / "wallpapers/usr/share/wallpapers"
UKUI = DATA / "wallpapers/usr/share/backgrounds"
GNOME = UKUI / "gnome"

PROTECTED_PLASMA = [
    "Autumn", "BytheWater", "ColdRipple", "DarkestHour", "EveningGlow", "FallenLeaf",
    "Grey", "Kite", "OneStandsOut", "Path", "summer_1am", "ColorfulCups",
]  # fmt: skip
PROTECTED_SKIMAGE = [
    "astronaut", "coffee", "chelsea", "rocket", "camera", "stereo_motorcycle",
    "immunohistochemistry", "retina",
]  # fmt: skip
DECOY_SKIMAGE = [
    "hubble_deep_field", "moon", "page", "text", "clock", "cell", "grass", "gravel", "brick", "coins",
    "colorwheel", "logo",
]  # fmt: skip
WORDS = (
    "ok see you tomorrow haha lol what is this send more where did you get it 好的 not funny delete".split()
)


# ---------------------------------------------------------------- sources


def plasma(name: str) -> Image.Image:
    files = sorted((PLASMA / name / "contents/images").glob("*"))
    sized = [(abs(Image.open(p).size[0] - 1920), p) for p in files]
    return Image.open(min(sized)[1]).convert("RGB")


def skimage_photo(name: str) -> Image.Image:
    import skimage.data

    array = getattr(skimage.data, name)()
    if isinstance(array, tuple):
        array = array[0]
    if array.ndim == 2:
        array = np.stack([array] * 3, axis=-1)
    image = Image.fromarray(np.asarray(array)[..., :3].astype(np.uint8))
    if max(image.size) < 800:  # the sample photos are small; a phone photo is not
        scale = 800 / max(image.size)
        image = image.resize(
            (round(image.width * scale), round(image.height * scale)), Image.Resampling.LANCZOS
        )
    return image


def halves(image: Image.Image) -> tuple[Image.Image, Image.Image]:
    w, h = image.size
    return image.crop((0, 0, w // 2, h)), image.crop((w // 2, 0, w, h))


def protected_photos() -> dict[str, Image.Image]:
    photos = {f"plasma-{n}": halves(plasma(n))[0] for n in PROTECTED_PLASMA}
    photos.update({f"skimage-{n}": skimage_photo(n) for n in PROTECTED_SKIMAGE})
    return photos


def decoy_photos(rng: np.random.Generator) -> dict[str, Image.Image]:
    decoys = {f"same-scene-{n}": halves(plasma(n))[1] for n in PROTECTED_PLASMA}
    others = sorted(p.name for p in PLASMA.iterdir() if p.name not in PROTECTED_PLASMA)
    decoys.update({f"plasma-{n}": plasma(n) for n in others})
    for path in sorted(UKUI.glob("*.*")) + sorted(GNOME.glob("*.webp"))[::2]:
        decoys[f"wall-{path.stem}"] = Image.open(path).convert("RGB")
    decoys.update({f"skimage-{n}": skimage_photo(n) for n in DECOY_SKIMAGE})
    for name in ("Altai", "Canopee", "MilkyWay", "IceCold"):  # dark photos: the hard case for PDQ
        if name in others:
            dark = np.asarray(decoys[f"plasma-{name}"], dtype=np.float32) / 255.0
            decoys[f"dark-{name}"] = Image.fromarray((dark**2.5 * 60).astype(np.uint8))
    for k in range(4):
        decoys[f"text-chat-{k}"] = chat_screenshot(None, rng, dark=k % 2 == 1)
    return {name: fit(image, 1600) for name, image in decoys.items()}


def fit(image: Image.Image, longest: int) -> Image.Image:
    scale = longest / max(image.size)
    if scale >= 1:
        return image
    return image.resize((round(image.width * scale), round(image.height * scale)), Image.Resampling.LANCZOS)


# ---------------------------------------------------------------- edits


def font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def jpeg(image: Image.Image, quality: int) -> bytes:
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()


def rounded(image: Image.Image, radius: int) -> Image.Image:
    mask = Image.new("L", image.size, 0)
    ImageDraw.Draw(mask).rounded_rectangle((0, 0, image.width - 1, image.height - 1), radius, fill=255)
    image = image.copy()
    image.putalpha(mask)
    return image


def chat_screenshot(photo: Image.Image | None, rng: np.random.Generator, dark: bool = False) -> Image.Image:  # noqa: PLR0915
    """A phone chat screenshot: status bar, header, text bubbles, the photo in a bubble (or shown
    edge to edge, as feeds do), with or without a caption; screen size, margins, padding, corner
    radius and colours vary, as they do between apps and phones."""
    width = int(rng.choice([720, 1080, 1170, 1440]))
    height = round(width * float(rng.choice([16 / 9, 19.5 / 9, 20 / 9])))
    ui = width / 1080
    background = (
        tuple(int(v) for v in rng.choice([[14, 22, 33], [0, 0, 0], [30, 30, 30]]))
        if dark
        else tuple(
            int(v) for v in rng.choice([[255, 255, 255], [230, 221, 212], [238, 238, 238], [220, 232, 245]])
        )
    )
    ink = (235, 235, 235) if dark else (20, 20, 20)
    palettes = (
        [((43, 82, 120), (24, 37, 51)), ((0, 92, 75), (32, 44, 51)), ((10, 132, 255), (38, 38, 40))]
        if dark
        else [
            ((220, 248, 198), (255, 255, 255)),
            ((0, 122, 255), (229, 229, 234)),
            ((239, 255, 222), (255, 255, 255)),
        ]
    )
    mine, theirs = palettes[int(rng.integers(0, len(palettes)))]
    canvas = Image.new("RGB", (width, height), background)
    draw = ImageDraw.Draw(canvas)
    bar, header = round(70 * ui), round(230 * ui)
    draw.rectangle((0, 0, width, bar), fill=(0, 0, 0) if dark else (245, 245, 245))
    draw.text(
        (40 * ui, 18 * ui),
        f"{int(rng.integers(0, 24)):02d}:{int(rng.integers(0, 60)):02d}",
        fill=ink,
        font=font(round(34 * ui)),
    )
    draw.text((width - 200 * ui, 18 * ui), "5G  87%", fill=ink, font=font(round(34 * ui)))
    header_colour = tuple(
        int(v) for v in rng.choice([[7, 94, 84], [23, 33, 43], [245, 245, 245], [81, 123, 167]])
    )
    draw.rectangle((0, bar, width, header), fill=header_colour)
    draw.ellipse((110 * ui, 95 * ui, 210 * ui, 195 * ui), fill=(200, 120, 90))
    draw.text(
        (240 * ui, 110 * ui),
        "Mask Park 💬 group" if not dark else "channel",
        fill=(128, 128, 128),
        font=font(round(44 * ui)),
    )
    margin = round(float(rng.choice([16, 24, 40])) * ui)
    pad = int(rng.choice([0, 4, 8, 12]))
    radius = round(float(rng.choice([0, 12, 22, 36])) * ui)
    y = header + round(30 * ui)
    photo_slot = int(rng.integers(1, 3)) if photo is not None else -1
    edge_to_edge = rng.random() < 0.2
    for turn in range(6):
        side = int(rng.integers(0, 2))
        if turn == photo_slot and photo is not None:
            shown_width = width if edge_to_edge else int(width * rng.uniform(0.55, 0.85))
            shown = photo.resize(
                (shown_width, round(photo.height * shown_width / photo.width)), Image.Resampling.LANCZOS
            )
            shown = shown.crop((0, 0, shown.width, min(shown.height, int(height * 0.6))))
            caption = rng.random() < 0.6
            caption_height = round(70 * ui) if caption else 0
            if edge_to_edge:
                canvas.paste(shown, (0, y))
                bubble = (0, y, width, y + shown.height + caption_height)
            else:
                x = margin if side == 0 else width - margin - shown.width - 2 * pad
                bubble = (x, y, x + shown.width + 2 * pad, y + shown.height + 2 * pad + caption_height)
                draw.rounded_rectangle(bubble, radius + pad, fill=theirs if side == 0 else mine)
                if radius:
                    canvas.paste(rounded(shown, radius), (x + pad, y + pad), rounded(shown, radius))
                else:
                    canvas.paste(shown, (x + pad, y + pad))
            if caption:
                text = " ".join(rng.choice(WORDS, 3))
                draw.text(
                    (bubble[0] + 24 * ui, bubble[3] - caption_height + 14 * ui),
                    text,
                    fill=ink,
                    font=font(round(38 * ui)),
                )
            y = bubble[3] + round(30 * ui)
        else:
            text = " ".join(rng.choice(WORDS, int(rng.integers(2, 7))))
            lines = int(rng.integers(1, 3))
            box_width = int(rng.integers(300, 820) * ui)
            x = margin if side == 0 else width - margin - box_width
            bubble = (x, y, x + box_width, y + round((40 + 52 * lines) * ui))
            draw.rounded_rectangle(bubble, round(28 * ui), fill=theirs if side == 0 else mine)
            for line in range(lines):
                draw.text((x + 26 * ui, y + (20 + 52 * line) * ui), text, fill=ink, font=font(round(38 * ui)))
            y = bubble[3] + round(26 * ui)
        if y > height - 300 * ui:
            break
    draw.rectangle((0, height - 140 * ui, width, height), fill=(23, 33, 43) if dark else (246, 246, 246))
    draw.rounded_rectangle(
        (30 * ui, height - 120 * ui, width - 160 * ui, height - 30 * ui),
        40 * ui,
        fill=(40, 50, 60) if dark else (255, 255, 255),
    )
    return canvas


def collage(
    photo: Image.Image, others: list[Image.Image], rng: np.random.Generator, fill: bool
) -> Image.Image:
    """2 to 4 photos in a grid of tiles of random aspect, with or without gutters and an outer
    border; ``fill`` cuts each to its tile as collage apps do (mostly about the centre, sometimes
    off it), else fits it."""
    layout = [(1, 2), (2, 1), (2, 2), (1, 3), (3, 1)][int(rng.integers(0, 5))]
    rows, cols = layout
    tile_w, tile_h = int(rng.integers(500, 1000)), int(rng.integers(500, 1000))
    gutter = int(rng.choice([0, 0, 4, 10, 20, 40]))
    outer = gutter if rng.random() < 0.7 else 0
    color = tuple(int(v) for v in rng.choice([[255, 255, 255], [0, 0, 0], [250, 220, 230], [40, 40, 40]]))
    canvas = Image.new(
        "RGB",
        (cols * tile_w + (cols - 1) * gutter + 2 * outer, rows * tile_h + (rows - 1) * gutter + 2 * outer),
        color,
    )
    tiles = [photo, *others][: rows * cols]
    order = rng.permutation(len(tiles))
    for slot, k in enumerate(order):
        r, c = divmod(slot, cols)
        x, y = outer + c * (tile_w + gutter), outer + r * (tile_h + gutter)
        image = tiles[k]
        if fill:
            centring = (
                (0.5, 0.5) if rng.random() < 0.7 else (float(rng.uniform(0, 1)), float(rng.uniform(0, 1)))
            )
            shown = ImageOps.fit(image, (tile_w, tile_h), Image.Resampling.LANCZOS, centering=centring)
            canvas.paste(shown, (x, y))
        else:
            shown = ImageOps.contain(image, (tile_w, tile_h), Image.Resampling.LANCZOS)
            canvas.paste(shown, (x + (tile_w - shown.width) // 2, y + (tile_h - shown.height) // 2))
    return canvas


def text_watermark(image: Image.Image, rng: np.random.Generator) -> Image.Image:
    """A handle or a site name anywhere on the photo, small or large, faint or solid, sometimes turned."""
    layer = Image.new("RGBA", image.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    size = max(16, int(image.width * rng.uniform(0.04, 0.09)))
    label = str(
        rng.choice(["@maskpark_leaks", "t.me/vipchannel", "FREE PREVIEW", "MP-0427", "onlyleaks.example"])
    )
    colour = (255, 255, 255) if rng.random() < 0.7 else (0, 0, 0)
    alpha = int(rng.integers(110, 230))
    position = (image.width * rng.uniform(0.02, 0.5), image.height * rng.uniform(0.03, 0.9))
    draw.text(position, label, fill=(*colour, alpha), font=font(size))
    if rng.random() < 0.4:
        layer = layer.rotate(float(rng.uniform(-35, 35)), resample=Image.Resampling.BILINEAR)
    return Image.alpha_composite(image.convert("RGBA"), layer).convert("RGB")


def logo_watermark(image: Image.Image, rng: np.random.Generator) -> Image.Image:
    import skimage.data

    logo = Image.fromarray(skimage.data.logo())
    side = int(min(image.size) * rng.uniform(0.10, 0.25))
    logo = logo.resize((side, side))
    alpha = logo.getchannel("A").point(lambda a: int(a * 0.8))
    if rng.random() < 0.6:  # in a corner
        x = int(rng.choice([10, image.width - side - 10]))
        y = int(rng.choice([10, image.height - side - 10]))
    else:  # anywhere
        x, y = int(rng.integers(0, image.width - side)), int(rng.integers(0, image.height - side))
    out = image.copy()
    out.paste(logo.convert("RGB"), (x, y), alpha)
    return out


def border(image: Image.Image, rng: np.random.Generator) -> Image.Image:
    color = tuple(int(v) for v in rng.integers(0, 256, 3))
    w, h = image.size
    sides = [int(rng.uniform(0.03, 0.15) * (w if k % 2 == 0 else h)) for k in range(4)]
    canvas = Image.new("RGB", (w + sides[0] + sides[2], h + sides[1] + sides[3]), color)
    canvas.paste(image, (sides[0], sides[1]))
    return canvas


def letterbox(image: Image.Image, rng: np.random.Generator, blurred: bool) -> Image.Image:
    w, h = image.size
    aspect = w / h
    target = 9 / 16 if aspect > 0.8 else 16 / 9
    cw, ch = (w, round(w / target)) if target < aspect else (round(h * target), h)
    if blurred:
        back = ImageOps.fit(image, (cw, ch)).filter(ImageFilter.GaussianBlur(max(cw, ch) / 30))
    else:
        back = Image.new("RGB", (cw, ch), (0, 0, 0) if rng.random() < 0.7 else (255, 255, 255))
    back.paste(image, ((cw - w) // 2, (ch - h) // 2))
    return back


def crop(image: Image.Image, rng: np.random.Generator, how: str) -> Image.Image:
    """Cut 4-24 % off: about the centre, off one side, off two sides at a corner (each its own
    amount), or a window of 76-96 % of each side anywhere in the photo."""
    w, h = image.size
    if how == "centred":
        keep = rng.uniform(0.76, 0.96)
        cw, ch = round(w * keep), round(h * keep)
        x, y = (w - cw) // 2, (h - ch) // 2
    elif how == "side":
        cut = rng.uniform(0.04, 0.25)
        side = int(rng.integers(0, 4))
        cw, ch = (round(w * (1 - cut)), h) if side < 2 else (w, round(h * (1 - cut)))
        x, y = (w - cw if side == 0 else 0), (h - ch if side == 2 else 0)
    elif how == "corner":
        cw, ch = round(w * (1 - rng.uniform(0.04, 0.25))), round(h * (1 - rng.uniform(0.04, 0.25)))
        x, y = int(rng.choice([0, w - cw])), int(rng.choice([0, h - ch]))
    else:
        cw, ch = round(w * rng.uniform(0.76, 0.96)), round(h * rng.uniform(0.76, 0.96))
        x, y = int(rng.integers(0, w - cw + 1)), int(rng.integers(0, h - ch + 1))
    return image.crop((x, y, x + cw, y + ch))


def tilt(image: Image.Image, rng: np.random.Generator, expand: bool) -> Image.Image:
    angle = float(rng.choice([-1, 1]) * rng.uniform(1, 10))
    fill = (0, 0, 0) if rng.random() < 0.6 else (255, 255, 255)
    return image.rotate(angle, resample=Image.Resampling.BICUBIC, expand=expand, fillcolor=fill)


Edit = Callable[[Image.Image, np.random.Generator, list[Image.Image]], tuple[Image.Image, int]]

EDITS: dict[str, Edit] = {
    "jpeg-q20": lambda im, rng, _: (im, int(rng.integers(15, 30))),
    "resize-small": lambda im, rng, _: (fit(im, int(rng.integers(240, 480))), 85),
    "grayscale": lambda im, rng, _: (ImageOps.grayscale(im).convert("RGB"), 85),
    "blur": lambda im, rng, _: (im.filter(ImageFilter.GaussianBlur(float(rng.uniform(1.5, 3.5)))), 85),
    "watermark-text": lambda im, rng, _: (text_watermark(im, rng), 85),
    "watermark-logo": lambda im, rng, _: (logo_watermark(im, rng), 85),
    "border": lambda im, rng, _: (border(im, rng), 85),
    "letterbox": lambda im, rng, _: (letterbox(im, rng, blurred=False), 85),
    "blurred-fill": lambda im, rng, _: (letterbox(im, rng, blurred=True), 85),
    "crop-centred": lambda im, rng, _: (crop(im, rng, "centred"), 85),
    "crop-side": lambda im, rng, _: (crop(im, rng, "side"), 85),
    "crop-corner": lambda im, rng, _: (crop(im, rng, "corner"), 85),
    "crop-anywhere": lambda im, rng, _: (crop(im, rng, "anywhere"), 85),
    "collage-fit": lambda im, rng, others: (collage(im, others, rng, fill=False), 85),
    "collage-fill": lambda im, rng, others: (collage(im, others, rng, fill=True), 85),
    "screenshot": lambda im, rng, _: (chat_screenshot(im, rng, dark=bool(rng.random() < 0.3)), 80),
    "mirror": lambda im, rng, _: (ImageOps.mirror(im), 85),
    "rotate90": lambda im, rng, _: (im.transpose(Image.Transpose.ROTATE_90), 85),
    "rotate180": lambda im, rng, _: (im.transpose(Image.Transpose.ROTATE_180), 85),
    "rotate270": lambda im, rng, _: (im.transpose(Image.Transpose.ROTATE_270), 85),
    "tilt-on-canvas": lambda im, rng, _: (tilt(im, rng, expand=True), 85),
    "tilt-in-frame": lambda im, rng, _: (tilt(im, rng, expand=False), 85),
    # Re-shared twice: edits on top of each other, and the codec at its worst.
    "border+jpeg-q30": lambda im, rng, _: (border(im, rng), 30),
    "screenshot-small": lambda im, rng, _: (fit(chat_screenshot(im, rng), 1000), 60),
    "mirror+letterbox": lambda im, rng, _: (letterbox(ImageOps.mirror(im), rng, blurred=False), 70),
}


# ---------------------------------------------------------------- build


def build(force: bool) -> dict[str, list[dict[str, str]]]:
    manifest_path = OUT / "manifest.json"
    if manifest_path.exists() and not force:
        manifest: dict[str, list[dict[str, str]]] = json.loads(manifest_path.read_text())
        return manifest
    rng = np.random.default_rng(20260425)
    fetch_wallpapers()  # the Debian wallpaper packages, as make_media.py unpacks them (once)
    for folder in ("originals", "queries", "decoys"):
        (OUT / folder).mkdir(parents=True, exist_ok=True)
    photos = {name: fit(image, 1600) for name, image in protected_photos().items()}
    decoys = decoy_photos(rng)
    decoy_pool = list(decoys.values())
    manifest = {"originals": [], "queries": [], "decoys": []}
    for name, photo in photos.items():
        path = OUT / "originals" / f"{name}.jpg"
        path.write_bytes(jpeg(photo, 92))
        manifest["originals"].append({"file": str(path.relative_to(OUT)), "name": name})
        for edit, apply in EDITS.items():
            others = [decoy_pool[int(k)] for k in rng.choice(len(decoy_pool), 3, replace=False)]
            edited, quality = apply(photo, rng, others)
            path = OUT / "queries" / f"{name}--{edit}.jpg"
            path.write_bytes(jpeg(edited, quality))
            manifest["queries"].append({"file": str(path.relative_to(OUT)), "name": name, "edit": edit})
    edit_names = list(EDITS)
    for name, decoy in decoys.items():
        chosen = ["none", *(str(e) for e in rng.choice(edit_names, 3, replace=False))]
        for edit in chosen:
            others = [decoy_pool[int(k)] for k in rng.choice(len(decoy_pool), 3, replace=False)]
            edited, quality = (decoy, 88) if edit == "none" else EDITS[edit](decoy, rng, others)
            path = OUT / "decoys" / f"{name}--{edit}.jpg"
            path.write_bytes(jpeg(edited, quality))
            manifest["decoys"].append({"file": str(path.relative_to(OUT)), "name": name, "edit": edit})
    manifest_path.write_text(json.dumps(manifest, indent=1))
    return manifest


# ---------------------------------------------------------------- measure


def luma_of(path: Path) -> tuple[np.ndarray, tuple[int, int]]:
    decoded = decode_luma(path.read_bytes(), path, MediaLimits())
    return decoded.luma, decoded.full_size


@dataclass
class Bank:
    """The protected photos as a service would hold them: own hashes, extra views, the matcher."""

    names: list[str]
    plain: HammingIndex
    matcher: Matcher
    rows_of: dict[int, list[tuple[PdqHash, str]]]
    size: int

    @property
    def all_hashes(self) -> list[PdqHash]:
        return [h for rows in self.rows_of.values() for h, _ in rows]

    @property
    def all_vias(self) -> list[str]:
        return [via for rows in self.rows_of.values() for _, via in rows]

    @property
    def all_qualities(self) -> list[int]:
        return [h.quality for h in self.all_hashes]


def build_bank(manifest: dict[str, list[dict[str, str]]], bank_crops: bool) -> Bank:
    names = [row["name"] for row in manifest["originals"]]
    plain: list[bytes] = []
    ids: list[int] = []
    hashes: list[bytes] = []
    vias: list[str] = []
    qualities: list[int] = []
    rows_of: dict[int, list[tuple[PdqHash, str]]] = defaultdict(list)
    for k, row in enumerate(manifest["originals"]):
        luma, full_size = luma_of(OUT / row["file"])
        own = View("whole", pdq_from_luma(luma, full_size))
        plain.append(own.hash.bits)
        for view in protected_views(luma, full_size) if bank_crops else [own]:
            ids.append(k)
            hashes.append(view.hash.bits)
            vias.append(view.via)
            qualities.append(view.hash.quality)
            rows_of[k].append((view.hash, view.via))
    matcher = Matcher(ids, as_matrix(hashes), vias, qualities)
    return Bank(names, HammingIndex(as_matrix(plain)), matcher, rows_of, len(hashes))


_POPCOUNT = np.array([bin(v).count("1") for v in range(256)], dtype=np.int32)


def distance_matrix(views: list[View], hashes: list[PdqHash]) -> np.ndarray:
    """Hamming distances, (len(views), len(hashes))."""
    left = as_matrix([v.hash.bits for v in views]) if views else np.zeros((0, 32), np.uint8)
    right = as_matrix([h.bits for h in hashes]) if hashes else np.zeros((0, 32), np.uint8)
    return np.asarray(_POPCOUNT[left[:, None, :] ^ right[None, :, :]].sum(axis=2))


def as_matrix(rows: list[bytes]) -> np.ndarray:
    return np.frombuffer(b"".join(rows), np.uint8).reshape(-1, 32)


@dataclass
class Tally:
    found: dict[str, dict[str, list[bool]]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(list))
    )
    false_matches: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    view_ms: list[float] = field(default_factory=list)
    decode_ms: list[float] = field(default_factory=list)
    view_counts: list[int] = field(default_factory=list)
    vias_used: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    nearest: dict[str, list[object]] = field(default_factory=dict)
    decoy_nearest: dict[str, int] = field(default_factory=dict)


METHODS = ["plain", "dihedral", "ours"]


def measure(bank: Bank, row: dict[str, str], target: int, tally: Tally) -> None:
    """Search one found image three ways; ``target`` is its photo's entry, -1 for a decoy."""
    luma, full_size = luma_of(OUT / row["file"])
    own = pdq_from_luma(luma, full_size)
    dihedral = pdq_dihedral_from_luma(luma, full_size)
    started = time.perf_counter()
    path = OUT / row["file"]
    pixels = decode_rgb(path.read_bytes(), path, MediaLimits())
    decoded = time.perf_counter()
    views = query_views(pixels)
    tally.decode_ms.append((decoded - started) * 1000)
    tally.view_ms.append((time.perf_counter() - decoded) * 1000)
    tally.view_counts.append(len(views))
    matches = bank.matcher.match_views(views)
    results = {
        "plain": _plain_hits(bank.plain, [own]),
        "dihedral": _plain_hits(bank.plain, list(dihedral.values())),
        "ours": {m.entry_id for m in matches},
    }
    for method, hits in results.items():
        if target >= 0:
            tally.found[row["edit"]][method].append(target in hits)
        tally.false_matches[method] += [f"{row['file']} -> {bank.names[e]}" for e in sorted(hits - {target})]
    usable = [v for v in views if not v.is_low_quality]
    if target < 0 and usable:  # how close a decoy came, per kind of view: the margin the thresholds leave
        hashes, vias = bank.all_hashes, bank.all_vias
        near = distance_matrix(usable, hashes)
        good = np.array([h.quality >= 50 for h in hashes])
        kinds = np.array([via.split("+")[0] for via in vias])
        only_of = [only_meets(v.via) for v in usable]
        for k, v in enumerate(usable):
            allowed = good if only_of[k] is None else good & (np.array(vias) == only_of[k])
            for kind in set(kinds[allowed]):
                key = f"{v.kind} ~ {kind}"
                nearest = int(near[k, allowed & (kinds == kind)].min())
                tally.decoy_nearest[key] = min(tally.decoy_nearest.get(key, 256), nearest)
    if target >= 0:
        own_rows = bank.rows_of[target]
        near = distance_matrix(views, [h for h, _ in own_rows])
        k, j = np.unravel_index(int(np.argmin(near)), near.shape) if near.size else (0, 0)
        best = (int(near[k, j]), views[k].via, own_rows[j][1]) if near.size else (256, "", "")
        tally.nearest[row["file"]] = [*best, len(views)]
    for m in matches:
        if m.entry_id == target:
            tally.vias_used[f"{m.via} ~ {m.bank_via}"] += 1


def report(bank: Bank, tally: Tally, bank_crops: bool) -> None:
    print(f"\nbank: {len(bank.names)} photos, {bank.size} hashes ({'' if bank_crops else 'no '}bank crops)")
    print(f"{'edit':<16}" + "".join(f"{m:>10}" for m in METHODS))
    totals = {m: [0, 0] for m in METHODS}
    for edit in EDITS:
        cells = []
        for m in METHODS:
            hits = tally.found[edit][m]
            totals[m][0] += sum(hits)
            totals[m][1] += len(hits)
            cells.append(f"{sum(hits):>4}/{len(hits):<3} ")
        print(f"{edit:<16}" + "".join(f"{c:>10}" for c in cells))
    print(f"{'all edits':<16}" + "".join(f"{100 * totals[m][0] / totals[m][1]:>9.1f}%" for m in METHODS))
    print(f"{'false matches':<16}" + "".join(f"{len(tally.false_matches[m]):>10}" for m in METHODS))
    for m in METHODS:
        for line in tally.false_matches[m][:10]:
            print(f"  false ({m}): {line}")
    counts, ms = tally.view_counts, tally.view_ms
    print(f"\nquery views: {statistics.median(counts):.0f} per image (max {max(counts)}), "
          f"{statistics.median(ms):.0f} ms median, {np.percentile(ms, 90):.0f} ms p90 "
          f"per image (load average {os.getloadavg()[0]:.1f})")  # fmt: skip
    print(f"decoding to RGB (decode_rgb): {statistics.median(tally.decode_ms):.0f} ms median per image")
    print("nearest decoy per view kind (query ~ bank):", dict(sorted(tally.decoy_nearest.items())))
    print("views that found the photo:", dict(sorted(tally.vias_used.items(), key=lambda kv: -kv[1])))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--force", action="store_true", help="rebuild the media")
    parser.add_argument("--no-bank-crops", action="store_true", help="leave the bank's extra crops out")
    parser.add_argument("--json-out", type=Path, default=DATA / "bench_robust_results.json")
    args = parser.parse_args()
    started = time.perf_counter()
    manifest = build(args.force)
    print(f"media: {len(manifest['originals'])} originals, {len(manifest['queries'])} queries, "
          f"{len(manifest['decoys'])} decoy images ({time.perf_counter() - started:.0f} s)")  # fmt: skip
    bank = build_bank(manifest, not args.no_bank_crops)
    entry_of = {name: k for k, name in enumerate(bank.names)}
    tally = Tally()
    for row in manifest["queries"]:
        measure(bank, row, entry_of[row["name"]], tally)
    for row in manifest["decoys"]:
        measure(bank, row, -1, tally)
    report(bank, tally, not args.no_bank_crops)
    recall = {e: {m: [sum(tally.found[e][m]), len(tally.found[e][m])] for m in METHODS} for e in EDITS}
    result = {
        "recall": recall,
        "false_matches": tally.false_matches,
        "view_ms": tally.view_ms,
        "vias": tally.vias_used,
        "nearest": tally.nearest,
        "decoy_nearest": tally.decoy_nearest,
    }
    args.json_out.write_text(json.dumps(result, indent=1))
    return 0


def _plain_hits(index: HammingIndex, hashes: list[PdqHash]) -> set[int]:
    usable = [h for h in hashes if not h.is_low_quality]
    if not usable:
        return set()
    queries = np.frombuffer(b"".join(h.bits for h in usable), np.uint8).reshape(-1, 32)
    _, entries, _ = index.search(queries, max_distance=31)
    return {int(e) for e in entries}


if __name__ == "__main__":
    sys.exit(main())
