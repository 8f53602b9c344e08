"""A report as PDF: the HTML page printed by WeasyPrint, with the CJK font it uses embedded.

WeasyPrint was chosen over reportlab (which cannot embed the CFF outlines of Debian's Noto Sans
CJK collection) and fpdf2 (which would need its own layout code beside the HTML format): it lays
the one HTML page out with Pango and HarfBuzz, so Chinese line breaking and shaping are right,
and it embeds a subset of every font it uses. It needs Pango from the system's packages
(Debian: libpango-1.0-0, libpangoft2-1.0-0) and nothing at run time from the network.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from reclaim.errors import N_, ReclaimError
from reclaim.reports.fonts import needs_cjk, print_stacks
from reclaim.reports.html import render_html

if TYPE_CHECKING:
    from reclaim.reports.document import Document


def render_pdf(document: Document) -> bytes:
    """The PDF bytes of ``document``; refuses when Chinese text has no font to draw it."""
    draft = render_html(document)
    fonts = print_stacks(require_cjk=document.lang == "zh" or needs_cjk(draft))
    page = render_html(document, fonts)
    html_class, fetcher_class = _weasyprint()
    # Only data: URIs may load: the page refers to nothing outside itself, and a report never
    # reaches the network or the file system (thumbnails are inline).
    fetcher = fetcher_class(allowed_protocols={"data"})
    pdf: bytes = html_class(string=page, url_fetcher=fetcher).write_pdf()
    return pdf


def _weasyprint() -> tuple[type, type]:
    try:
        from weasyprint import HTML
        from weasyprint.urls import URLFetcher
    except (ImportError, OSError) as error:  # OSError: Pango's shared library is missing
        raise ReclaimError(
            N_("Writing a PDF needs WeasyPrint and the Pango library: {reason}"),
            hint=N_(
                "On Debian or Ubuntu: apt install libpango-1.0-0 libpangoft2-1.0-0. Or write the report "
                "with --format html."
            ),
            reason=str(error).splitlines()[0] if str(error) else type(error).__name__,
        ) from error
    return HTML, URLFetcher
