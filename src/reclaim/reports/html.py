"""A report as one self-contained HTML file: styles inline, thumbnails as data: URIs, no scripts.

The same page is what WeasyPrint prints (``reports/pdf.py``), so both formats state the same
facts. Jinja2 escapes every value: channel titles and notes are text written by strangers.
"""

from __future__ import annotations

import base64
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING

from markupsafe import Markup

from reclaim.reports.fonts import FontStacks, browser_stacks

if TYPE_CHECKING:
    from jinja2 import Environment

    from reclaim.reports.document import Document

# BCP 47 tags for the page's lang attribute: Pango picks Simplified Chinese glyph forms by it.
HTML_LANG = {"zh": "zh-Hans-CN", "en": "en"}


def render_html(document: Document, fonts: FontStacks | None = None) -> str:
    """The page for ``document``; ``fonts`` defaults to the families a reader's browser may have."""
    stacks = fonts or browser_stacks()
    css = _template_text("report.css").replace("__SANS__", stacks.sans).replace("__MONO__", stacks.mono)
    template = _environment().get_template("report.html.j2")
    # The stylesheet is ours, not data: it goes in unescaped (escaping would break its quotes).
    return template.render(document=document, css=Markup(css), html_lang=HTML_LANG.get(document.lang, "en"))


def data_uri(jpeg: bytes) -> str:
    return "data:image/jpeg;base64," + base64.b64encode(jpeg).decode("ascii")


@lru_cache(maxsize=1)
def _environment() -> Environment:
    from jinja2 import DictLoader, Environment, StrictUndefined, select_autoescape

    environment = Environment(
        loader=DictLoader({"report.html.j2": _template_text("report.html.j2")}),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=False,
        lstrip_blocks=False,
    )
    environment.filters["data_uri"] = data_uri
    return environment


def _template_text(name: str) -> str:
    return resources.files("reclaim.reports").joinpath("templates").joinpath(name).read_text(encoding="utf-8")
