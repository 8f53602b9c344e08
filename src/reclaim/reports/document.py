"""A report as laid-out blocks of already translated text, which the HTML and PDF writers draw.

Keeping the words (``compose``) apart from the layout (``html``) lets both formats show exactly
the same facts, and lets tests read a report's structure without parsing a PDF.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Cell:
    text: str
    code: bool = False  # hashes, ids and links: monospaced and broken anywhere; links are never clickable,
    # so that nobody opens the abusive content by a stray click, and no hostile URL becomes a live link


@dataclass(frozen=True, slots=True)
class Paragraph:
    text: str
    tone: str = ""  # "" | "note" | "warning"


@dataclass(frozen=True, slots=True)
class Bullets:
    items: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Facts:
    """Label and value pairs, as on a form."""

    rows: tuple[tuple[str, Cell], ...]


@dataclass(frozen=True, slots=True)
class Table:
    headers: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    widths: tuple[int, ...] = ()  # per cent of the page width, one per column
    empty: str = ""  # shown instead of a table without rows


@dataclass(frozen=True, slots=True)
class Code:
    """Commands to type, shown as they must be typed."""

    text: str


@dataclass(frozen=True, slots=True)
class Item:
    """One sighting's detail: its facts beside its blurred thumbnail (or why there is none)."""

    title: str
    facts: Facts
    thumbnail: bytes | None
    caption: str


Block = Paragraph | Bullets | Facts | Table | Code | Item


@dataclass(frozen=True, slots=True)
class Section:
    anchor: str
    title: str
    blocks: tuple[Block, ...]
    new_page: bool = False


@dataclass(frozen=True, slots=True)
class Cover:
    kicker: str  # what kind of document this is
    title: str  # the case's display name
    facts: Facts
    notes: tuple[Paragraph, ...] = ()


@dataclass(frozen=True, slots=True)
class Document:
    lang: str  # "zh" or "en"
    title: str  # the document's title (PDF metadata, browser tab)
    cover: Cover
    sections: tuple[Section, ...]
    footer: str
    contents_title: str = ""
    keywords: tuple[str, ...] = field(default=())
