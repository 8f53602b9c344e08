"""A bare page that loads the hashing modules in the browser, served by Playwright itself.

Requests to ``http://localhost/`` never reach a network: a route answers them from
``src/reclaim/web/static/js`` (and the harness page below), so the modules load as the web app
will load them, as ES modules over HTTP, with no server to start and no port to pick.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import Page, Route

import reclaim

JS_DIR = Path(reclaim.__file__).parent / "web" / "static" / "js"
ORIGIN = "http://localhost"  # a secure context (WebCrypto), yet never contacted

_HARNESS = """<!doctype html>
<html><head><meta charset="utf-8"><title>harness</title></head>
<body><input type="file" id="files" multiple>
<script type="module">
import * as pdq from "/js/pdq.js";
import * as hashing from "/js/hashing.js";
import * as vpdq from "/js/vpdq.js";
window.reclaim = { pdq, hashing, vpdq };
window.reclaimReady = true;
</script></body></html>"""


def _answer(route: Route) -> None:
    path = route.request.url.removeprefix(ORIGIN)
    if path in ("/", "/index.html"):
        route.fulfill(status=200, content_type="text/html", body=_HARNESS)
        return
    if path.startswith("/js/") and (JS_DIR / path[4:]).is_file() and "/" not in path[4:]:
        route.fulfill(status=200, content_type="text/javascript", body=(JS_DIR / path[4:]).read_text())
        return
    route.fulfill(status=404, body="")


def open_harness(page: Page) -> Page:
    """Load the harness page; ``window.reclaim`` then holds the pdq, hashing and vpdq modules."""
    page.route(f"{ORIGIN}/**", _answer)
    page.goto(f"{ORIGIN}/")
    page.wait_for_function("window.reclaimReady === true")
    return page


def choose_files(page: Page, paths: list[Path]) -> None:
    page.set_input_files("#files", [str(p) for p in paths])


def run_on_files(page: Page, script: str, paths: list[Path]) -> Any:
    """Choose ``paths`` in the file input and run ``script`` (an async function of the FileList)."""
    choose_files(page, paths)
    return page.evaluate(
        f"async () => {{ const run = {script}; return await run(document.getElementById('files').files); }}"
    )
