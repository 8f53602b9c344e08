"""The offline page: written by the real CLI, run from file:// with every request blocked,
its saved hashes imported by the real `reclaim protect --hashes` and matched by `reclaim match`."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Browser, Page, Route
from skimage import data as samples

from reclaim.config import MediaLimits
from reclaim.locale import load_translator
from reclaim.services.hashing import pdq_of_image_bytes
from reclaim.web.offline_page import TEXTS, render_offline_page
from tests.e2e.test_cli_bank import lines, new_case
from tests.e2e.test_cli_hash import reclaim


@pytest.fixture
def home(database_url: str, tmp_path: Path) -> dict[str, str]:
    env = {"RECLAIM_HOME": str(tmp_path / "home"), "RECLAIM_ACTOR": "helpline-wang"}
    if not database_url.startswith("sqlite"):
        env["RECLAIM_DATABASE_URL"] = database_url
    assert reclaim("init", env=env).returncode == 0
    return env


def private_photos(folder: Path) -> list[Path]:
    """Two photos whose names say who is in them, as a victim's own files might."""
    folder.mkdir()
    photos = []
    for name, sample in (("li-na-bedroom", samples.astronaut), ("li-na-2", samples.coffee)):
        path = folder / f"{name}.png"
        Image.fromarray(sample()).convert("RGB").save(path)
        photos.append(path)
    return photos


def open_offline(browser: Browser, page_file: Path) -> tuple[Page, list[str], list[str]]:
    """The page from file:// in a context that aborts every request but the page itself."""
    context = browser.new_context(locale="zh-CN", accept_downloads=True)
    page_url = page_file.resolve().as_uri()
    blocked: list[str] = []
    requested: list[str] = []

    def only_the_page(route: Route) -> None:
        if route.request.url == page_url:
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    context.route("**/*", only_the_page)
    context.on("request", lambda request: requested.append(request.url))
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto(page_url)
    assert not errors, errors
    return page, blocked, [url for url in requested if url != page_url]


def test_the_page_hashes_photos_offline_and_its_file_protects_them(
    browser: Browser, home: dict[str, str], tmp_path: Path
) -> None:
    page_file = tmp_path / "reclaim-protect.html"
    written = reclaim("export-page", "-o", page_file)
    assert written.returncode == 0, written.stderr
    photos = private_photos(tmp_path / "camera-roll")
    page, blocked, other_requests = open_offline(browser, page_file)
    zh, en = load_translator("zh"), load_translator("en")

    # Chinese first, with a switch to English.
    assert page.locator("h1").inner_text() == zh(TEXTS["title"])
    assert page.locator("#switch-language").inner_text() == "English"
    page.set_input_files("#files", [str(p) for p in photos])
    # A locator, not wait_for_function: the page's CSP forbids the eval that one would need.
    page.locator("body[data-hashed='2']").wait_for(timeout=60_000)

    shown_pdq = page.locator("code.pdq").all_inner_texts()
    assert shown_pdq == [pdq_of_image_bytes(p.read_bytes(), p, MediaLimits()).hex for p in photos]
    assert page.locator("code.sha256").all_inner_texts() == [
        hashlib.sha256(p.read_bytes()).hexdigest() for p in photos
    ]
    assert page.locator("code.md5").all_inner_texts() == [
        hashlib.md5(p.read_bytes()).hexdigest() for p in photos
    ]
    assert not any(p.stem in page.content() for p in photos)  # her file names are not shown back

    page.click("#switch-language")
    assert page.locator("h1").inner_text() == en(TEXTS["title"])
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("#save").is_disabled()  # not before she says who she is
    page.check("#attest-self")
    with page.expect_download() as started:
        page.click("#save")
    download = started.value
    assert re.fullmatch(r"reclaim-hashes-\d{4}-\d{2}-\d{2}\.jsonl", download.suggested_filename)
    hashes_file = tmp_path / download.suggested_filename
    download.save_as(hashes_file)
    saved = hashes_file.read_text()
    assert not any(p.stem in saved or p.name in saved for p in photos)
    records = [json.loads(line) for line in saved.splitlines()]
    assert {(r["signal_type"], r["attestation"], r["source"]) for r in records} == {
        ("pdq", "self", "own-file"),
        ("sha256", "self", "own-file"),
        ("md5", "self", "own-file"),
    }
    assert page.locator("#saved").inner_text().startswith("Saved " + download.suggested_filename)

    # Nothing but the page itself was ever requested; nothing had to be blocked.
    assert blocked == []
    assert all(url.startswith(("blob:", "data:")) for url in other_requests), other_requests
    page.context.close()

    case_id = new_case(home, "offline page")
    protected = reclaim("protect", case_id, "--hashes", hashes_file, "--attest", "self", "--json", env=home)
    assert protected.returncode == 0, protected.stderr
    entries = lines(reclaim("case", "show", case_id, "--json", env=home).stdout)[1:]
    assert {e["value"] for e in entries} == {r["value"] for r in records}
    assert {e["source_kind"] for e in entries} == {"hashes-file"}
    for photo in photos:
        found = lines(reclaim("match", photo, "--json", env=home).stdout)
        assert found[0]["matches"], found


def test_the_page_allows_only_its_own_inline_script_and_style() -> None:
    html = render_offline_page()
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html)
    assert policy is not None
    directives = dict(d.strip().split(" ", 1) for d in policy.group(1).replace("&#39;", "'").split(";"))
    assert directives["default-src"] == "'none'"
    assert directives["connect-src"] == "'none'"
    assert directives["script-src"].startswith("'sha256-") and "unsafe" not in policy.group(1)
    assert "http" not in policy.group(1)
    # No address anywhere in the page that a browser would load.
    assert not re.search(r'(src|href)="(https?:)?//', html)
