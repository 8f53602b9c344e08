"""The reader's language for an HTTP answer, from Accept-Language."""

from __future__ import annotations

from starlette.requests import Request

from reclaim.locale import DEFAULT_LANGUAGE, Translator, load_translator, normalize_language


def request_translator(request: Request) -> Translator:
    """The catalog of the first language the reader accepts (by q-value) that we have."""
    return load_translator(preferred_language(request.headers.get("accept-language", "")))


def preferred_language(header: str) -> str:
    """``zh`` or ``en`` from an Accept-Language value such as ``zh-CN,zh;q=0.9,en;q=0.8``."""
    ranked: list[tuple[float, int, str]] = []
    for order, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        tag = tag.strip().lower()
        if tag and quality > 0 and (tag.startswith(("zh", "en")) or tag == "*"):
            ranked.append((-quality, order, tag))
    for _, _, tag in sorted(ranked):
        return DEFAULT_LANGUAGE if tag == "*" else normalize_language(tag)
    return DEFAULT_LANGUAGE
