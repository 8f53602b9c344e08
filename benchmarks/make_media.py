"""Make the benchmark media in benchmarks/data/ from public sources only.

    python benchmarks/make_media.py            # phone40/, mixed/, video/ (skips what exists)
    python benchmarks/make_media.py --force    # rebuild everything

Sources (public, nothing personal):
- Debian wallpaper packages, fetched with `apt-get download` and unpacked with `dpkg -x`
  into benchmarks/data/wallpapers/: plasma-workspace-wallpapers (KDE; the photographs
  Autumn, BytheWater, ColdRipple, DarkestHour, EveningGlow, FallenLeaf, Grey, Kite,
  OneStandsOut, Path, summer_1am, ColorfulCups), gnome-backgrounds (wood textures),
  ukui-wallpapers and lomiri-wallpapers (a few illustrations for the screenshots).
  Licences: see usr/share/doc/<package>/copyright inside the unpacked tree.
- scikit-image's bundled sample images (`skimage.data`), public domain or CC0.

Why the processing: a 12 MP phone JPEG at quality 90 is 2.5-5 MB because of sensor noise
and fine texture. Upscaled wallpapers are smooth and would compress to < 1 MB, which makes
entropy decoding (the floor of any JPEG hasher) unrealistically cheap. So every photo gets
mild, slightly correlated luminance noise plus coarser chroma noise, with the noise level
searched per photo until the file lands in that size range. Textures (grass, gravel, brick,
wood) are kept at native scale by mirrored tiling: they are the hard case for hash drift,
because a PDQ hash of a near-uniform texture has many bits close to the median.

Everything is seeded: the same inputs give the same files (manifest.json lists sha256s).
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import math
import shutil
import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont
from scipy.ndimage import gaussian_filter

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
WALL = DATA / "wallpapers"
DEBS = ["plasma-workspace-wallpapers", "gnome-backgrounds", "ukui-wallpapers", "lomiri-wallpapers"]

PLASMA = WALL / "usr/share/wallpapers"
GNOME = WALL / "usr/share/backgrounds/gnome"
UKUI = WALL / "usr/share/backgrounds"

# Real photographs among the Plasma wallpapers (checked by eye; the rest are illustrations).
PLASMA_PHOTOS = [
    "Autumn", "BytheWater", "ColdRipple", "DarkestHour", "EveningGlow", "FallenLeaf",
    "Grey", "Kite", "OneStandsOut", "Path", "summer_1am", "ColorfulCups",
]  # fmt: skip
SKIMAGE_PHOTOS = [
    "astronaut", "coffee", "chelsea", "rocket", "retina", "hubble_deep_field",
    "immunohistochemistry", "camera", "stereo_motorcycle", "coins",
]  # fmt: skip
TEXTURES = ["grass", "gravel", "brick"]
LOREM = ["lorem", "ipsum", "dolor", "sit", "amet", "consectetur"]

MB = 1_000_000
PHONE_SIZE = (4000, 3000)
TARGET_BYTES = (2.5 * MB, 4.8 * MB)


# ---------------------------------------------------------------- sources


def fetch_wallpapers() -> None:
    """apt-get download + dpkg -x the wallpaper packages (once)."""
    if (PLASMA / "Path").exists() and GNOME.exists():
        return
    debs = DATA / "debs"
    debs.mkdir(parents=True, exist_ok=True)
    subprocess.run(["apt-get", "download", *DEBS], cwd=debs, check=True)
    for deb in sorted(debs.glob("*.deb")):
        subprocess.run(["dpkg", "-x", str(deb), str(WALL)], check=True)


def plasma_image(name: str) -> Image.Image:
    files = sorted((PLASMA / name / "contents/images").glob("*"))
    biggest = max(files, key=lambda p: Image.open(p).size[0] * Image.open(p).size[1])
    return Image.open(biggest).convert("RGB")


def skimage_image(name: str) -> Image.Image:
    import skimage.data

    arr = getattr(skimage.data, name)()
    if isinstance(arr, tuple):  # stereo_motorcycle returns (left, right, disparity)
        arr = arr[0]
    if arr.ndim == 2:
        arr = np.stack([arr] * 3, axis=-1)
    return Image.fromarray(arr[..., :3].astype(np.uint8))


def source_image(kind: str, name: str) -> Image.Image:
    if kind == "plasma":
        return plasma_image(name)
    if kind == "gnome":
        return Image.open(GNOME / name).convert("RGB")
    if kind == "ukui":
        return Image.open(UKUI / name).convert("RGB")
    return skimage_image(name)


# ---------------------------------------------------------------- processing


def crop_to(im: Image.Image, size: tuple[int, int], zoom: float, rng: np.random.Generator) -> Image.Image:
    """Crop im to size's aspect ratio (zoom > 1 crops tighter at a seeded offset), resize."""
    w, h = im.size
    aspect = size[0] / size[1]
    cw, ch = (w, w / aspect) if w / h < aspect else (h * aspect, h)
    cw, ch = cw / zoom, ch / zoom
    x0 = rng.uniform(0, w - cw)
    y0 = rng.uniform(0, h - ch)
    return im.resize(size, Image.Resampling.LANCZOS, box=(x0, y0, x0 + cw, y0 + ch))


def texture_image(name: str, size: tuple[int, int], rng: np.random.Generator) -> Image.Image:
    """A grey skimage texture at native scale, mirror-tiled (no seams), tinted, mildly lit."""
    import skimage.data

    t = getattr(skimage.data, name)().astype(np.float32)
    scale = rng.uniform(1.2, 1.8)  # a phone sees the ground closer than the scanner did
    t = np.asarray(Image.fromarray(t).resize((int(512 * scale),) * 2, Image.Resampling.BICUBIC))
    tile = np.block([[t, t[:, ::-1]], [t[::-1, :], t[::-1, ::-1]]])
    reps = (math.ceil(size[1] / tile.shape[0]), math.ceil(size[0] / tile.shape[1]))
    g = np.tile(tile, reps)[: size[1], : size[0]]
    tint = {"grass": (0.75, 1.0, 0.55), "gravel": (1.0, 0.95, 0.85), "brick": (1.0, 0.7, 0.55)}[name]
    yy, xx = np.mgrid[0 : size[1], 0 : size[0]].astype(np.float32)
    angle = rng.uniform(0, 2 * math.pi)
    light = 1.0 + 0.18 * ((xx / size[0] - 0.5) * math.cos(angle) + (yy / size[1] - 0.5) * math.sin(angle))
    rgb = np.stack([g * c * light for c in tint], axis=-1)
    return Image.fromarray(np.clip(rgb, 0, 255).astype(np.uint8))


def add_sensor_noise(im: Image.Image, sigma: float, seed: int) -> Image.Image:
    """Luminance noise correlated over ~1 px (demosaicing) plus chroma noise at half size."""
    rng = np.random.default_rng(seed)
    w, h = im.size
    arr = np.asarray(im, dtype=np.float32)
    lum = rng.standard_normal((h, w), dtype=np.float32) * sigma
    lum = gaussian_filter(lum, 0.6)
    lum *= sigma / max(float(lum.std()), 1e-6)
    chroma = rng.standard_normal((h // 2, w // 2, 2), dtype=np.float32) * (sigma * 0.6)
    chroma = np.repeat(np.repeat(chroma, 2, axis=0), 2, axis=1)[:h, :w]
    arr = arr + lum[..., None]
    arr[..., 0] += chroma[..., 0]
    arr[..., 2] += chroma[..., 1]
    return Image.fromarray(np.clip(arr + 0.5, 0, 255).astype(np.uint8))


def phone_exif(orientation: int = 1, model: str = "Pixel 7") -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "Google" if model.startswith("Pixel") else "Apple"  # Make
    exif[0x0110] = model  # Model
    exif[0x0112] = orientation  # Orientation
    exif[0x0131] = "reclaim benchmarks/make_media.py"  # Software
    return exif.tobytes()


def encode_jpeg(im: Image.Image, quality: int, exif: bytes) -> bytes:
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=quality, exif=exif)
    return buf.getvalue()


def noisy_jpeg_in_range(base: Image.Image, seed: int, quality: int, exif: bytes) -> tuple[bytes, float]:
    """Search the noise level until the JPEG is phone-sized (TARGET_BYTES), at most 6 tries."""
    lo_b, hi_b = TARGET_BYTES
    lo, hi = 0.5, 14.0
    sigma = 3.0
    data = b""
    for _ in range(6):
        data = encode_jpeg(add_sensor_noise(base, sigma, seed), quality, exif)
        if len(data) < lo_b:
            lo = sigma
        elif len(data) > hi_b:
            hi = sigma
        else:
            break
        sigma = (lo + hi) / 2
    return data, sigma


# ---------------------------------------------------------------- phone40


@dataclass(frozen=True)
class PhotoSpec:
    name: str
    kind: str  # plasma | gnome | skimage | texture
    source: str
    zoom: float
    seed: int


def phone40_specs() -> list[PhotoSpec]:
    specs: list[PhotoSpec] = []
    seed = 1000
    for src in PLASMA_PHOTOS:  # 12 full frames
        specs.append(PhotoSpec(f"plasma-{src}-full", "plasma", src, 1.0, seed := seed + 1))
    for src in PLASMA_PHOTOS:  # 12 tighter crops of the same scenes
        specs.append(PhotoSpec(f"plasma-{src}-crop", "plasma", src, 1.6, seed := seed + 1))
    for src in SKIMAGE_PHOTOS[:8]:  # 8 upscaled sample photos
        specs.append(PhotoSpec(f"skimage-{src}", "skimage", src, 1.0, seed := seed + 1))
    for src in ("wood-l.webp", "wood-d.webp"):  # 2 wood textures
        specs.append(PhotoSpec(f"gnome-{src.split('.')[0]}", "gnome", src, 1.3, seed := seed + 1))
    for src in TEXTURES:  # 6 ground/wall textures, two each
        for k in range(2):
            specs.append(PhotoSpec(f"texture-{src}-{k}", "texture", src, 1.0, seed := seed + 1))
    assert len(specs) == 40, len(specs)
    return specs


def base_image(spec: PhotoSpec, size: tuple[int, int]) -> Image.Image:
    rng = np.random.default_rng(spec.seed)
    if spec.kind == "texture":
        return texture_image(spec.source, size, rng)
    return crop_to(source_image(spec.kind, spec.source), size, spec.zoom, rng)


def make_phone_photo(spec: PhotoSpec, out_dir: Path) -> dict[str, object]:
    im = base_image(spec, PHONE_SIZE)
    data, sigma = noisy_jpeg_in_range(im, spec.seed, 90, phone_exif())
    path = out_dir / f"{spec.name}.jpg"
    path.write_bytes(data)
    return {"file": path.name, "source": f"{spec.kind}:{spec.source}", "noise_sigma": round(sigma, 2)}


# ---------------------------------------------------------------- mixed


def make_screenshot(i: int, seed: int) -> Image.Image:
    """A 1920x1080 desktop-like screenshot: wallpaper, windows, text, a photo thumbnail."""
    rng = np.random.default_rng(seed)
    walls = ["goldfish.png", "2004default.jpg", "rhythm.jpg", "the-mouse.jpg", "calla.png"]
    im = (
        Image.open(UKUI / walls[i % len(walls)]).convert("RGB").resize((1920, 1080), Image.Resampling.LANCZOS)
    )
    d = ImageDraw.Draw(im)
    font = ImageFont.load_default(size=18)
    d.rectangle((0, 1040, 1920, 1080), fill=(30, 30, 36))
    for k in range(int(rng.integers(1, 4))):
        x0, y0 = int(rng.integers(40, 900)), int(rng.integers(30, 400))
        x1, y1 = x0 + int(rng.integers(600, 950)), y0 + int(rng.integers(400, 600))
        d.rectangle((x0, y0, x1, y1), fill=(250, 250, 250), outline=(120, 120, 120), width=2)
        d.rectangle((x0, y0, x1, y0 + 32), fill=(225, 228, 235))
        d.text((x0 + 12, y0 + 6), f"Window {k + 1} - notes.txt", fill=(20, 20, 20), font=font)
        for line in range(int((y1 - y0 - 60) / 26)):
            words = " ".join(LOREM[: int(rng.integers(2, 7))])
            d.text((x0 + 14, y0 + 44 + line * 26), f"{line + 1:3d}  {words}", fill=(40, 40, 60), font=font)
    thumb = skimage_image(SKIMAGE_PHOTOS[i % 4]).resize((320, 240))
    im.paste(thumb, (1560, 760))
    return im


@dataclass(frozen=True)
class MixedSpec:
    name: str
    fmt: str  # jpeg | png | heic | webp
    kind: str
    source: str
    size: tuple[int, int]  # as displayed (after EXIF orientation)
    seed: int
    orientation: int = 1
    model: str = "Pixel 7"
    quality: int = 90
    index: int = 0


def mixed_specs() -> list[MixedSpec]:
    """40 files as a phone gallery has them: JPEG landscape/portrait, iPhone size, PNG, HEIC, WebP."""
    specs: list[MixedSpec] = []
    srcs = [("plasma", s) for s in PLASMA_PHOTOS] + [("skimage", s) for s in SKIMAGE_PHOTOS]

    def add(
        fmt: str, size: tuple[int, int], orientation: int = 1, model: str = "Pixel 7", q: int = 90
    ) -> None:
        kind, src = srcs[len(specs) % len(srcs)]
        k = len(specs) + 1
        prefix = "Screenshot" if fmt == "png" else "IMG"
        specs.append(MixedSpec(f"{prefix}_{k:04d}", fmt, kind, src, size, 5000 + k, orientation, model, q))

    for _ in range(10):  # landscape 4000x3000
        add("jpeg", (4000, 3000))
    for i in range(8):  # portrait: 4 stored upright 3000x4000, 4 stored landscape with Orientation 6/8
        if i < 4:
            add("jpeg", (3000, 4000))
        else:
            add("jpeg", (3000, 4000), 6 if i % 2 == 0 else 8, "iPhone 13")
    for _ in range(8):  # iPhone 12 MP 4032x3024
        add("jpeg", (4032, 3024), model="iPhone 13", q=92)
    for i in range(6):  # desktop screenshots
        add("png", (1920, 1080))
        specs[-1] = replace(specs[-1], index=i)
    for _ in range(4):  # HEIC as iPhones save them
        add("heic", (4032, 3024))
    for _ in range(4):  # WebP, as messengers re-save them
        add("webp", (2048, 1536))
    return specs


def make_mixed(spec: MixedSpec, out: Path) -> dict[str, object]:
    row: dict[str, object] = {"source": f"{spec.kind}:{spec.source}"}
    if spec.fmt == "png":
        make_screenshot(spec.index, spec.seed).save(out / f"{spec.name}.png", optimize=False)
        return {"file": f"{spec.name}.png", "source": "ukui wallpaper + drawing"}
    if spec.fmt == "jpeg":
        im = base_image(PhotoSpec(spec.name, spec.kind, spec.source, 1.2, spec.seed), spec.size)
        # Phones store portraits sideways and say so in EXIF: Orientation 6 means "rotate 90
        # degrees clockwise to show", so the stored pixels are the picture turned anticlockwise.
        if spec.orientation == 6:
            im = im.transpose(Image.Transpose.ROTATE_90)
        elif spec.orientation == 8:
            im = im.transpose(Image.Transpose.ROTATE_270)
        exif = phone_exif(spec.orientation, spec.model)
        data, _ = noisy_jpeg_in_range(im, spec.seed, spec.quality, exif)
        (out / f"{spec.name}.jpg").write_bytes(data)
        return {**row, "file": f"{spec.name}.jpg", "orientation": spec.orientation}
    base = base_image(PhotoSpec(spec.name, spec.kind, spec.source, 1.1, spec.seed), spec.size)
    if spec.fmt == "heic":
        import pillow_heif

        pillow_heif.register_heif_opener()
        # ~2 MB for 12 MP, like an iPhone's HEIC; x265 smooths noise, so less of it than JPEG gets
        im = add_sensor_noise(base, 2.0, spec.seed)
        im.save(out / f"{spec.name}.heic", quality=60)
        return {**row, "file": f"{spec.name}.heic"}
    im = add_sensor_noise(base, 2.5, spec.seed)
    im.save(out / f"{spec.name}.webp", quality=85, method=4)
    return {**row, "file": f"{spec.name}.webp"}


# ---------------------------------------------------------------- video


def make_video(path: Path, seconds: int = 60, fps: int = 30, seed: int = 7000) -> dict[str, object]:
    """720p H.264 yuv420p: six 10 s scenes, each a slow pan/zoom over a public photo, plus
    fresh per-frame noise so the encoder cannot make it trivially small."""
    import av

    rng = np.random.default_rng(seed)
    scenes = ["EveningGlow", "Path", "BytheWater", "FallenLeaf", "OneStandsOut", "Kite"]
    w, h = 1280, 720
    per_scene = seconds * fps // len(scenes)
    with av.open(str(path), "w") as container:
        stream = container.add_stream(
            "libx264", rate=fps, options={"crf": "20", "preset": "medium", "threads": "2"}
        )
        stream.width, stream.height, stream.pix_fmt = w, h, "yuv420p"
        for name in scenes:
            src = plasma_image(name)
            sw, sh = src.size
            z0, z1 = rng.uniform(1.0, 1.15), rng.uniform(1.3, 1.6)
            if rng.random() < 0.5:
                z0, z1 = z1, z0
            for f in range(per_scene):
                t = f / (per_scene - 1)
                z = z0 + (z1 - z0) * t
                cw, ch = sw / z, sw / z * h / w
                ch = min(ch, sh)
                cx = (sw - cw) * (0.2 + 0.6 * t)
                cy = (sh - ch) * 0.5
                frame = src.resize((w, h), Image.Resampling.BILINEAR, box=(cx, cy, cx + cw, cy + ch))
                arr = np.asarray(frame, dtype=np.int16) + rng.integers(-6, 7, size=(h, w, 1), dtype=np.int16)
                vf = av.VideoFrame.from_ndarray(np.clip(arr, 0, 255).astype(np.uint8), format="rgb24")
                for packet in stream.encode(vf):
                    container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return {"file": path.name, "seconds": seconds, "fps": fps, "size": [w, h], "scenes": scenes}


# ---------------------------------------------------------------- main


def _run_phone(args: tuple[PhotoSpec, str]) -> dict[str, object]:
    return make_phone_photo(args[0], Path(args[1]))


def _run_mixed(args: tuple[MixedSpec, str]) -> dict[str, object]:
    return make_mixed(args[0], Path(args[1]))


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--force", action="store_true", help="rebuild even when the folder exists")
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args()
    fetch_wallpapers()
    manifest: dict[str, object] = {}

    for folder, n, runner, items in (
        ("phone40", 40, _run_phone, [(s, "") for s in phone40_specs()]),
        ("mixed", 40, _run_mixed, [(s, "") for s in mixed_specs()]),
    ):
        out = DATA / folder
        if out.exists() and len(list(out.iterdir())) == n and not args.force:
            print(f"{folder}: exists ({n} files)")
        else:
            shutil.rmtree(out, ignore_errors=True)
            out.mkdir(parents=True)
            with ProcessPoolExecutor(args.jobs) as ex:
                rows = list(ex.map(runner, [(a, str(out)) for a, _ in items]))
            print(f"{folder}: wrote {len(rows)} files")
        files = sorted(out.iterdir())
        sizes = [p.stat().st_size for p in files]
        print(f"  sizes {min(sizes) / MB:.2f}-{max(sizes) / MB:.2f} MB, mean {np.mean(sizes) / MB:.2f} MB")
        manifest[folder] = {p.name: {"bytes": p.stat().st_size, "sha256": sha256_of(p)} for p in files}

    vdir = DATA / "video"
    vdir.mkdir(exist_ok=True)
    clip = vdir / "clip720p.mp4"
    if clip.exists() and not args.force:
        print("video: exists")
    else:
        make_video(clip)
        print(f"video: wrote {clip.name}, {clip.stat().st_size / MB:.1f} MB")
    manifest["video"] = {clip.name: {"bytes": clip.stat().st_size, "sha256": sha256_of(clip)}}
    (DATA / "manifest.json").write_text(json.dumps(manifest, indent=1, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
