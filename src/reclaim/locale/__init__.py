"""The reader's language: gettext catalogs (managed with Babel) in Simplified Chinese and English.

Catalogs are compiled to ``.mo`` when the package is built; running from a source tree, a
missing or stale ``.mo`` is compiled from its ``.po`` in memory, so the two never disagree.
"""

from __future__ import annotations

import contextlib
import gettext
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Final

DOMAIN: Final = "reclaim"
LOCALE_DIR: Final = Path(__file__).parent
LANGUAGES: Final = {"zh": "zh_CN", "en": "en"}
DEFAULT_LANGUAGE: Final = "en"


@dataclass(frozen=True)
class Translator:
    """Translates message ids for one language; ``format`` fills in named values."""

    lang: str
    catalog: gettext.NullTranslations

    def __call__(self, message: str) -> str:
        return self.catalog.gettext(message)

    def format(self, message: str, /, **params: Any) -> str:
        text = self.catalog.gettext(message)
        return text.format(**params) if params else text

    def plural(self, singular: str, plural: str, count: int, /, **params: Any) -> str:
        return self.catalog.ngettext(singular, plural, count).format(count=count, **params)


def detect_language(argv: Sequence[str], environ: Mapping[str, str]) -> str:
    """``--lang zh|en`` anywhere on the command line, else RECLAIM_LANG, else the locale."""
    for index, arg in enumerate(argv):
        if arg == "--lang" and index + 1 < len(argv):
            return normalize_language(argv[index + 1])
        if arg.startswith("--lang="):
            return normalize_language(arg.split("=", 1)[1])
    if environ.get("RECLAIM_LANG"):
        return normalize_language(environ["RECLAIM_LANG"])
    for name in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        value = environ.get(name, "")
        if value:
            return "zh" if value.lower().startswith("zh") else DEFAULT_LANGUAGE
    return DEFAULT_LANGUAGE


def normalize_language(value: str) -> str:
    """Map zh, zh_CN, zh-Hans, en_US ... to one of our languages; unknown gives English."""
    return "zh" if value.lower().replace("-", "_").startswith("zh") else DEFAULT_LANGUAGE


@lru_cache(maxsize=4)
def load_translator(lang: str) -> Translator:
    code = LANGUAGES.get(lang, LANGUAGES[DEFAULT_LANGUAGE])
    return Translator(lang if lang in LANGUAGES else DEFAULT_LANGUAGE, _load_catalog(code))


def catalog_path(code: str, suffix: str) -> Path:
    return LOCALE_DIR / code / "LC_MESSAGES" / f"{DOMAIN}.{suffix}"


def _load_catalog(code: str) -> gettext.NullTranslations:
    po, mo = catalog_path(code, "po"), catalog_path(code, "mo")
    if mo.exists() and (not po.exists() or mo.stat().st_mtime >= po.stat().st_mtime):
        with mo.open("rb") as handle:
            return gettext.GNUTranslations(handle)
    if not po.exists():
        return gettext.NullTranslations()
    compiled = compile_catalog(po)
    with contextlib.suppress(OSError):  # a read-only install compiles again next time
        mo.write_bytes(compiled)
    return gettext.GNUTranslations(io.BytesIO(compiled))


def compile_catalog(po: Path) -> bytes:
    """The ``.mo`` bytes for a ``.po`` file (Babel's reader and writer)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po.open("rb") as handle:
        catalog = read_po(handle)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    return buffer.getvalue()
