"""Reading a report PDF as an officer's tools would: poppler's pdftotext, pdffonts and pdfimages.

``is_sharp_copy`` is the check that no picture in a report shows a capture clearly: a blurred
thumbnail keeps well under a tenth of the capture's fine detail (measured: 0.06-0.3 % for the
scikit-image samples), a sharp downscaled copy keeps over 90 %.
"""

from __future__ import annotations

import io
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageFilter

# Share of the capture's high-frequency energy above which a picture counts as a sharp copy.
SHARP_RATIO = 0.25


@dataclass(frozen=True)
class PdfFont:
    name: str
    type: str
    embedded: bool


def pdf_text(pdf: Path) -> str:
    """The PDF's text in drawing order (-raw): a table cell's wrapped lines stay together."""
    return _run("pdftotext", "-raw", "-enc", "UTF-8", pdf, "-")


def squeezed(text: str) -> str:
    """Text without whitespace, to find a hash or URL that the layout wrapped over lines."""
    return re.sub(r"\s+", "", text)


def pdf_fonts(pdf: Path) -> list[PdfFont]:
    lines = _run("pdffonts", pdf).splitlines()
    header, rule = lines[0], lines[1]
    columns = [match.span() for match in re.finditer(r"-+", rule)]
    names = [header[start:end].strip() for start, end in columns]
    fonts = []
    for line in lines[2:]:
        values = dict(zip(names, (line[start:end].strip() for start, end in columns), strict=True))
        fonts.append(PdfFont(values["name"], values["type"], values["emb"] == "yes"))
    return fonts


def pdf_images(pdf: Path, folder: Path) -> list[Image.Image]:
    """Every image in the PDF as stored (-all keeps JPEGs as they are)."""
    folder.mkdir(parents=True, exist_ok=True)
    _run("pdfimages", "-all", pdf, folder / "image")
    images = []
    for path in sorted(folder.iterdir()):
        with Image.open(path) as image:
            images.append(image.convert("RGB"))
    return images


def page_count(pdf: Path) -> int:
    match = re.search(r"^Pages:\s+(\d+)", _run("pdfinfo", pdf), re.MULTILINE)
    assert match is not None
    return int(match.group(1))


def high_frequency_ratio(image: Image.Image, capture: Image.Image) -> float:
    """The picture's fine detail as a share of the capture's, both at the picture's size."""
    reference = capture.convert("RGB").resize(image.size, Image.Resampling.LANCZOS)
    return _detail(image) / max(_detail(reference), 1e-9)


def is_sharp_copy(image: Image.Image, capture: Image.Image) -> bool:
    return high_frequency_ratio(image, capture) >= SHARP_RATIO


def open_image(data: bytes) -> Image.Image:
    with Image.open(io.BytesIO(data)) as image:
        return image.convert("RGB")


def _detail(image: Image.Image) -> float:
    """Mean energy of what a 1.5-pixel Gaussian blur removes: the edges and texture that identify."""
    grey = image.convert("L")
    sharp = np.asarray(grey, dtype=np.float64)
    smooth = np.asarray(grey.filter(ImageFilter.GaussianBlur(1.5)), dtype=np.float64)
    return float(np.mean((sharp - smooth) ** 2))


def _run(*command: str | Path) -> str:
    done = subprocess.run([str(part) for part in command], capture_output=True, check=True, timeout=60)
    return done.stdout.decode("utf-8")
