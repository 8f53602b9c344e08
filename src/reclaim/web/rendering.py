"""Pages in the reader's language, with the headers every page of the web app carries."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from fastapi.responses import HTMLResponse
from starlette.requests import Request

from reclaim.api.language import preferred_language
from reclaim.locale import LANGUAGES, Translator, load_translator

if TYPE_CHECKING:
    from jinja2 import Environment

TEMPLATES: Final = Path(__file__).parent / "templates"
LANGUAGE_COOKIE: Final = "reclaim_lang"
LANGUAGE_NAMES: Final = {"zh": "中文", "en": "English"}
# Only this server's own scripts, styles and images; no inline script, no framing, no form
# posting elsewhere. htmx's own indicator styles are turned off in base.html to keep style-src.
CONTENT_SECURITY_POLICY: Final = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
# no-store: a case page in a shared browser's cache or a proxy would outlive the logout.
PAGE_HEADERS: Final = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}


def page_language(request: Request) -> str:
    """The switch's choice (a cookie) when there is one, else the browser's Accept-Language."""
    chosen = request.cookies.get(LANGUAGE_COOKIE, "")
    if chosen in LANGUAGES:
        return chosen
    return preferred_language(request.headers.get("accept-language", ""))


def page_translator(request: Request) -> Translator:
    return load_translator(page_language(request))


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """The template filled in for this request, in the reader's language."""
    lang = page_language(request)
    environment = _environment(lang)
    html = environment.get_template(template).render(
        request=request,
        lang=lang,
        html_lang="zh-CN" if lang == "zh" else "en",
        languages=LANGUAGE_NAMES,
        **context,
    )
    return HTMLResponse(html, status_code=status_code, headers=PAGE_HEADERS)


@lru_cache(maxsize=len(LANGUAGES))
def _environment(lang: str) -> Environment:
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    translate = load_translator(lang)
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    # The names the catalogs' extractor looks for (locale/catalog_tools.KEYWORDS): _("...") and
    # format("... {name}", name=...), so every string of a template is in both catalogs.
    environment.globals["_"] = translate
    environment.globals["format"] = translate.format
    return environment
