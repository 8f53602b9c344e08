"""Which installed font draws the report's Chinese: found on disk, never downloaded.

WeasyPrint asks fontconfig for fonts by family name and embeds a subset of each one it uses.
Without a CJK font, fontconfig would fall back to one without Chinese glyphs and the PDF would
show empty boxes without any error, so a report in Chinese refuses to render instead and says
which package to install (Debian: fonts-noto-cjk, the OpenType/CFF Noto Sans CJK collection).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Final

from reclaim.errors import N_, ReclaimError


@dataclass(frozen=True, slots=True)
class FontFamily:
    sans: str
    mono: str
    file_marks: tuple[str, ...]  # lower-case parts of the file names that hold it


# Most wanted first: Debian's and Fedora's Noto CJK, Adobe's Source Han (the same design), then
# WenQuanYi and Droid, which most Linux systems that draw Chinese at all have.
CJK_FAMILIES: Final = (
    FontFamily("Noto Sans CJK SC", "Noto Sans Mono CJK SC", ("notosanscjk", "notosansmonocjk")),
    FontFamily("Source Han Sans SC", "Source Han Mono SC", ("sourcehansans", "sourcehanmono")),
    FontFamily("Noto Sans SC", "Noto Sans Mono", ("notosanssc",)),
    FontFamily("WenQuanYi Zen Hei", "WenQuanYi Zen Hei Mono", ("wqy-zenhei",)),
    FontFamily("WenQuanYi Micro Hei", "WenQuanYi Micro Hei Mono", ("wqy-microhei",)),
    FontFamily("Droid Sans Fallback", "Droid Sans Mono", ("droidsansfallback",)),
)
_FALLBACK_SANS: Final = ('"DejaVu Sans"', '"Liberation Sans"', "sans-serif")
_FALLBACK_MONO: Final = ('"DejaVu Sans Mono"', '"Liberation Mono"', "monospace")
_FONT_SUFFIXES: Final = (".ttc", ".otf", ".ttf", ".otc")
# Han ideographs, CJK punctuation and full-width forms: text that needs a CJK font.
_CJK_TEXT: Final = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")


@dataclass(frozen=True, slots=True)
class FontStacks:
    """CSS font-family lists, the installed CJK family first when there is one."""

    sans: str
    mono: str
    cjk: FontFamily | None


def needs_cjk(text: str) -> bool:
    return _CJK_TEXT.search(text) is not None


def browser_stacks() -> FontStacks:
    """For an HTML file read elsewhere: every known CJK family, for whichever the reader has."""
    sans = [f'"{family.sans}"' for family in CJK_FAMILIES]
    mono = [f'"{family.mono}"' for family in CJK_FAMILIES]
    return FontStacks(", ".join([*sans, *_FALLBACK_SANS]), ", ".join([*mono, *sans, *_FALLBACK_MONO]), None)


def print_stacks(*, require_cjk: bool) -> FontStacks:
    """For a PDF made here: the CJK family installed on this machine, or an error when it must have one."""
    family = installed_cjk_family()
    if family is None and require_cjk:
        raise ReclaimError(
            N_("No font that draws Chinese is installed, so the report would show empty boxes."),
            hint=N_(
                "Install one from your system's packages: on Debian or Ubuntu `apt install "
                "fonts-noto-cjk`, on Fedora `dnf install google-noto-sans-cjk-fonts`. Or write the "
                "report with --format html."
            ),
        )
    if family is None:
        return FontStacks(", ".join(_FALLBACK_SANS), ", ".join(_FALLBACK_MONO), None)
    # Hashes and URLs fall back to the CJK sans family, so a Chinese channel title in a code cell
    # still has glyphs when the collection has no mono face.
    return FontStacks(
        ", ".join([f'"{family.sans}"', *_FALLBACK_SANS]),
        ", ".join([f'"{family.mono}"', f'"{family.sans}"', *_FALLBACK_MONO]),
        family,
    )


@lru_cache(maxsize=1)
def installed_cjk_family() -> FontFamily | None:
    names = {path.name.lower() for path in _font_files()}
    for family in CJK_FAMILIES:
        if any(mark in name for name in names for mark in family.file_marks):
            return family
    return None


def _font_files() -> list[Path]:
    found: list[Path] = []
    for folder in _font_dirs():
        for root, _dirs, files in os.walk(folder):
            found.extend(Path(root) / name for name in files if name.lower().endswith(_FONT_SUFFIXES))
    return found


def _font_dirs() -> list[Path]:
    """Where fontconfig looks by default on Linux, and the system folders of macOS and Windows."""
    home = Path.home()
    data_home = Path(os.environ.get("XDG_DATA_HOME") or home / ".local" / "share")
    candidates = [
        Path("/usr/share/fonts"),
        Path("/usr/local/share/fonts"),
        data_home / "fonts",
        home / ".fonts",
        Path("/Library/Fonts"),
        Path("/System/Library/Fonts"),
        home / "Library" / "Fonts",
        Path(os.environ.get("WINDIR", "C:\\Windows")) / "Fonts",
    ]
    return [folder for folder in candidates if folder.is_dir()]
