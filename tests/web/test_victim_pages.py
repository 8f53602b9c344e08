"""A victim's own pages in Debian's Chromium, against the real server over a real home.

On SQLite and PostgreSQL.

She protects her photos (hashed inside the browser: the test records every request body, in the
browser and at the server, and finds no byte of the photos in any), reports a sighting with a
screenshot (sealed into the vault), sees her case in plain words, and withdraws it.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, Request, expect
from skimage import data

from reclaim.config import Settings, load_settings
from reclaim.locale import load_translator
from reclaim.services.accounts import all_accounts, create_account
from reclaim.services.home import open_store
from reclaim.store.banks import list_entries
from reclaim.store.cases import get_case
from tests.api.test_cases import PASSPHRASE
from tests.e2e.test_cli_bank import home_env, lines, new_case, save_jpeg
from tests.e2e.test_cli_hash import reclaim
from tests.web import live_server
from tests.web.live_server import serving

__all__ = ["home_env"]

PASSWORD = "plum tree at dawn"
ZH = load_translator("zh")
EN = load_translator("en")


class BodyRecorder:
    """ASGI middleware that keeps every request body the app was sent, as the app read it."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.state = app.state
        self.bodies: list[bytes] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []

        async def recording() -> Any:
            message = await receive()
            if message["type"] == "http.request":
                chunks.append(message.get("body", b""))
            return message

        try:
            await self.app(scope, recording, send)
        finally:
            self.bodies.append(b"".join(chunks))


@dataclass
class Site:
    url: str
    case_id: str  # 小美's case; her account is "xiaomei"
    other_case_id: str
    settings: Settings
    home: Path
    env: dict[str, str]  # for the CLI over the same home
    server_bodies: list[bytes] = field(default_factory=list)


@pytest.fixture
def site(home_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Iterator[Site]:
    yield from _site(home_env, monkeypatch, passphrase=PASSPHRASE)


def _site(
    home_env: dict[str, str], monkeypatch: pytest.MonkeyPatch, passphrase: str | None
) -> Iterator[Site]:
    case_id = new_case(home_env, "小美")
    other = new_case(home_env, "小红")
    settings = dataclasses.replace(load_settings(home_env), passphrase=passphrase, secure_cookies=False)
    engine = open_store(settings)
    create_account(engine, "xiaomei", PASSWORD, role="victim", actor="test-admin", case_id=case_id)
    create_account(engine, "wang", PASSWORD, role="caseworker", actor="test-admin")
    engine.dispose()
    recorders: list[BodyRecorder] = []
    real_create_app = live_server.create_app

    def recorded_app(*args: Any, **kwargs: Any) -> Any:
        recorders.append(BodyRecorder(real_create_app(*args, **kwargs)))
        return recorders[-1]

    monkeypatch.setattr(live_server, "create_app", recorded_app)
    with serving(settings) as url:
        yield Site(
            url, case_id, other, settings, Path(home_env["RECLAIM_HOME"]), home_env, recorders[0].bodies
        )


def log_in(page: Page, site: Site, login: str = "xiaomei", translate: Any = ZH) -> None:
    page.goto(f"{site.url}/login")
    page.get_by_label(translate("Login name"), exact=True).fill(login)
    page.get_by_label(translate("Password"), exact=True).fill(PASSWORD)
    page.get_by_role("button", name=translate("Log in")).click()


def her_photos(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    return [
        save_jpeg(data.astronaut(), folder / "astronaut.jpg"),
        save_jpeg(data.coffee(), folder / "coffee.jpg"),
    ]


def slices(content: bytes, count: int = 24, size: int = 64) -> list[bytes]:
    """``count`` slices of ``size`` bytes from the middle half of ``content``."""
    start, span = len(content) // 4, len(content) // 2
    return [content[start + i * span // count :][:size] for i in range(count)]


def choose_files(page: Page, files: list[Path]) -> None:
    """Choose files once protect.js listens (a module loads after the page is shown)."""
    expect(page.locator("#files[data-ready]")).to_have_count(1)
    page.locator("#files").set_input_files([str(f) for f in files])


def hash_the_photos_and_send(page: Page, photos: list[Path], translate: Any = ZH) -> None:
    choose_files(page, photos)
    expect(page.locator("#status")).to_have_text(translate.format("Done: {count} files hashed.", count=2))
    page.get_by_label(translate("I am the person shown in these photos and videos.")).check()
    page.get_by_role("button", name=translate("Send the hashes to my case")).click()
    expect(page.locator("#outcome")).to_contain_text(
        translate.format(
            "Done. Hashes added to your case: {added}. Already there: {present}.", added=6, present=0
        )
    )


def test_she_protects_two_photos_and_no_byte_of_them_reaches_the_server(
    site: Site, page: Page, tmp_path: Path
) -> None:
    photos = her_photos(tmp_path / "photos")
    sent: list[tuple[str, bytes]] = []

    def keep(request: Request) -> None:
        sent.append((request.url, request.post_data_buffer or b""))

    page.on("request", keep)
    log_in(page, site)
    expect(page).to_have_url(f"{site.url}/cases/{site.case_id}")
    page.get_by_role("link", name=ZH("Protect my photos")).first.click()
    expect(page).to_have_url(f"{site.url}/protect")
    hash_the_photos_and_send(page, photos)

    # The hashes she was shown are those that left; no slice of either photo left with them,
    # as bytes or base64, as the browser sent them or as the server read them.
    shown = page.locator("#results code.pdq").all_inner_texts()
    [posted] = [body for url, body in sent if url == f"{site.url}/protect" and body]
    assert {r["value"] for r in json.loads(posted)["records"] if r["signal_type"] == "pdq"} == set(shown)
    bodies = [body for _, body in sent] + site.server_bodies
    assert any(b'"records"' in body for body in site.server_bodies)
    for photo in photos:
        content = photo.read_bytes()
        encoded = base64.b64encode(content)
        for piece in slices(content) + slices(encoded):
            assert not any(piece in body for body in bodies), f"a piece of {photo.name} was sent"

    # In her bank, with her account as the submitter, the PDQ of Python's `reclaim hash`.
    engine = open_store(site.settings)
    try:
        entries = list_entries(engine, case_id=site.case_id)
        [account] = [a for a in all_accounts(engine) if a.login == "xiaomei"]
    finally:
        engine.dispose()
    assert {e.provenance.submitted_by for e in entries} == {account.actor}
    assert {e.provenance.attestation.value for e in entries} == {"self"}
    hashed = lines(reclaim("hash", *photos, "--json").stdout)
    python_pdq = {str(r["pdq"]["hash"]) for r in hashed}  # type: ignore[index]
    assert {e.value for e in entries if e.signal_type == "pdq"} == python_pdq == set(shown)
    assert {e.value for e in entries if e.signal_type == "sha256"} == {str(r["sha256"]) for r in hashed}

    # An edited copy (smaller, recompressed) is found in her case.
    edited = save_jpeg(data.astronaut(), tmp_path / "edited.jpg", size=(300, 300), quality=40)
    [result] = lines(reclaim("match", edited, "--json", env=site.env).stdout)
    assert [m["case_id"] for m in result["matches"]] == [site.case_id]  # type: ignore[union-attr]

    # Her case page counts the two photos.
    page.goto(f"{site.url}/cases/{site.case_id}")
    expect(page.locator("#main")).to_contain_text(
        ZH.format(
            "Photos and videos protected: {count}. Only their hashes are kept, never the pictures.",
            count=2,
        )
    )


def test_a_post_to_protect_without_the_pages_token_is_refused(site: Site, page: Page) -> None:
    log_in(page, site)
    expect(page).to_have_url(f"{site.url}/cases/{site.case_id}")
    record = {"signal_type": "sha256", "value": "ab" * 32}
    forged = page.request.post(f"{site.url}/protect", data={"attestation": "self", "records": [record]})
    assert forged.status == 403
    engine = open_store(site.settings)
    try:
        assert list_entries(engine, case_id=site.case_id) == []
    finally:
        engine.dispose()


def test_she_reports_a_sighting_with_a_screenshot_that_is_sealed(
    site: Site, page: Page, tmp_path: Path
) -> None:
    screenshot = tmp_path / "screenshot.png"
    from PIL import Image

    Image.fromarray(data.chelsea()).save(screenshot, "PNG")
    log_in(page, site)
    expect(page).to_have_url(f"{site.url}/cases/{site.case_id}")
    page.get_by_role("link", name=ZH("Report a sighting")).first.click()
    page.get_by_label(ZH("Link to the post"), exact=True).fill("https://t.me/somechannel/123")
    page.get_by_label(ZH("When you saw it (optional)"), exact=True).fill("2026-11-25T21:30")
    page.get_by_label(ZH("Group, channel or account it was in (optional)"), exact=True).fill("somechannel")
    page.get_by_label(ZH("Anything else the helpline should know (optional)"), exact=True).fill("转发很多")
    page.get_by_label(ZH("A screenshot of the post (optional)"), exact=True).set_input_files(str(screenshot))
    page.get_by_role("button", name=ZH("Send the report")).click()
    expect(page.get_by_role("status")).to_contain_text(ZH("Your report is saved in your case."))

    # In her case's signed log, with the screenshot's digest and the time she gave, in UTC.
    log = lines(reclaim("evidence", "list", site.case_id, "--json", env=site.env).stdout)
    [sighting] = [e["entry"] for e in log if e["entry"]["type"] == "sighting"]  # type: ignore[index]
    assert sighting["source"]["url"] == "https://t.me/somechannel/123"  # type: ignore[index]
    assert sighting["capture"]["sha256"] == hashlib.sha256(screenshot.read_bytes()).hexdigest()  # type: ignore[index]
    assert sighting["seen_at"].startswith("2026-11-25T13:30")  # type: ignore[index,union-attr]
    assert sighting["recorded_by"].startswith("account:")  # type: ignore[index,union-attr]

    # Nowhere in the home in the clear: database, vault, anything else written there.
    pieces = slices(screenshot.read_bytes())
    for path in site.home.rglob("*"):
        if path.is_file():
            stored = path.read_bytes()
            assert not any(piece in stored for piece in pieces), f"the screenshot is in {path} in the clear"

    # Her case page lists it, and says a screenshot was kept without showing it.
    page.get_by_role("link", name=ZH("Back to my case")).click()
    expect(page.locator("#main")).to_contain_text("https://t.me/somechannel/123")
    expect(page.locator("#main")).to_contain_text(ZH("screenshot kept, locked"))
    assert page.locator("#main img").count() == 0


@pytest.fixture
def site_without_vault(home_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Iterator[Site]:
    yield from _site(home_env, monkeypatch, passphrase=None)


def test_a_screenshot_is_refused_with_a_clear_page_when_the_server_has_no_passphrase(
    site_without_vault: Site, page: Page, tmp_path: Path
) -> None:
    site = site_without_vault
    screenshot = save_jpeg(data.chelsea(), tmp_path / "screenshot.jpg")
    log_in(page, site)
    expect(page).to_have_url(f"{site.url}/cases/{site.case_id}")
    page.goto(f"{site.url}/sightings/new")
    page.get_by_label(ZH("Link to the post"), exact=True).fill("https://t.me/somechannel/124")
    page.get_by_label(ZH("A screenshot of the post (optional)"), exact=True).set_input_files(str(screenshot))
    with page.expect_response(f"{site.url}/sightings") as answer:
        page.get_by_role("button", name=ZH("Send the report")).click()
    assert answer.value.status == 503
    expect(page.get_by_role("alert")).to_contain_text(
        ZH("The screenshot cannot be stored safely on this server now.")
    )
    log = lines(reclaim("evidence", "list", site.case_id, "--json", env=site.env).stdout)
    assert [e for e in log if e["entry"]["type"] == "sighting"] == []  # type: ignore[index]

    # Without a screenshot the link is recorded all the same.
    page.goto(f"{site.url}/sightings/new")
    page.get_by_label(ZH("Link to the post"), exact=True).fill("https://t.me/somechannel/124")
    page.get_by_role("button", name=ZH("Send the report")).click()
    expect(page.get_by_role("status")).to_contain_text(ZH("Your report is saved in your case."))


def test_she_sees_her_case_and_nothing_else(site: Site, page: Page) -> None:
    log_in(page, site)
    expect(page).to_have_url(f"{site.url}/cases/{site.case_id}")
    expect(page.get_by_role("heading", name=ZH("What happens next"))).to_be_visible()
    expect(page.locator("#main")).to_contain_text(
        ZH("Protect your photos and videos, so that copies of them can be recognised.")
    )
    assert page.get_by_role("link", name=ZH("Review queue")).count() == 0
    other = page.goto(f"{site.url}/cases/{site.other_case_id}")
    review = page.goto(f"{site.url}/review")
    cases = page.goto(f"{site.url}/cases")
    assert other is not None and review is not None and cases is not None
    assert (other.status, review.status) == (404, 403)
    assert page.url == f"{site.url}/cases/{site.case_id}"  # the cases list sends her to hers

    # A caseworker does not get her pages, and her case page stays theirs.
    page.get_by_role("button", name=ZH("Log out")).click()
    log_in(page, site, login="wang")
    expect(page).to_have_url(f"{site.url}/cases")
    for path in ("/protect", "/sightings/new", "/withdraw"):
        answer = page.goto(f"{site.url}{path}")
        assert answer is not None and answer.status == 403, path
    page.goto(f"{site.url}/cases/{site.case_id}")
    expect(page.get_by_role("button", name=ZH("Draft the notice"))).to_be_visible()


def test_she_withdraws_and_everything_goes_with_her_account_and_session(
    site: Site, page: Page, tmp_path: Path
) -> None:
    log_in(page, site)
    expect(page).to_have_url(f"{site.url}/cases/{site.case_id}")
    page.goto(f"{site.url}/protect")
    hash_the_photos_and_send(page, her_photos(tmp_path / "photos"))
    [cookie] = [c for c in page.context.cookies() if c["name"] == "reclaim_session"]

    page.goto(f"{site.url}/cases/{site.case_id}")
    page.get_by_role("link", name=ZH("Delete my case")).click()
    expect(page).to_have_url(f"{site.url}/withdraw")
    page.get_by_label(re.compile(re.escape(ZH("To confirm, type the word: {word}").split("{")[0]))).fill("不")
    page.get_by_role("button", name=ZH("Delete my case for good")).click()
    expect(page.get_by_role("alert")).to_contain_text(
        ZH("Nothing was deleted: the word you typed does not match.")
    )
    engine = open_store(site.settings)
    try:
        assert get_case(engine, site.case_id) is not None
    finally:
        engine.dispose()

    page.goto(f"{site.url}/withdraw")
    page.get_by_label(re.compile(re.escape(ZH("To confirm, type the word: {word}").split("{")[0]))).fill(
        ZH("delete")
    )
    page.get_by_role("button", name=ZH("Delete my case for good")).click()
    expect(page).to_have_url(f"{site.url}/withdrawn")
    expect(page.get_by_role("heading", name=ZH("Your case is deleted"))).to_be_visible()
    assert [c for c in page.context.cookies() if c["name"] == "reclaim_session"] == []

    engine = open_store(site.settings)
    try:
        assert get_case(engine, site.case_id) is None
        assert list_entries(engine, case_id=site.case_id, include_withdrawn=True) == []
        assert [a.login for a in all_accounts(engine)] == ["wang"]
        assert get_case(engine, site.other_case_id) is not None
    finally:
        engine.dispose()
    replayed = page.request.get(
        f"{site.url}/cases/{site.case_id}",
        headers={"Cookie": f"reclaim_session={cookie['value']}"},
        max_redirects=0,
    )
    assert replayed.status == 303 and replayed.headers["location"].startswith("/login")


def test_protect_works_with_the_keyboard_alone(site: Site, page: Page, tmp_path: Path) -> None:
    photos = her_photos(tmp_path / "photos")
    log_in(page, site)
    expect(page).to_have_url(f"{site.url}/cases/{site.case_id}")
    page.goto(f"{site.url}/protect")
    expect(page.locator("#files[data-ready]")).to_have_count(1)  # protect.js listens
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name=ZH("Skip to the content"))).to_be_focused()
    page.locator("#files").focus()
    with page.expect_file_chooser() as chooser:
        page.keyboard.press("Space")
    chooser.value.set_files([str(p) for p in photos])
    expect(page.locator("#status")).to_have_text(ZH.format("Done: {count} files hashed.", count=2))
    page.keyboard.press("Tab")
    expect(page.locator("#attest-self")).to_be_focused()
    page.keyboard.press("Space")
    expect(page.locator("#attest-self")).to_be_checked()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name=ZH("Send the hashes to my case"))).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#outcome")).to_contain_text(
        ZH.format("Done. Hashes added to your case: {added}. Already there: {present}.", added=6, present=0)
    )


@pytest.mark.parametrize("locale", ["zh-CN", "en-GB"])
def test_her_pages_pass_axe_with_no_serious_problem(
    site: Site, browser: Browser, locale: str, tmp_path: Path
) -> None:
    from tests.web.accessibility import serious_violations

    translate = ZH if locale.startswith("zh") else EN
    # bypass_csp: axe is injected as a script of its own, which the pages' policy (rightly) refuses.
    context = browser.new_context(locale=locale, viewport={"width": 1280, "height": 800}, bypass_csp=True)
    elsewhere: list[str] = []
    try:
        page = context.new_page()
        page.on("request", lambda r: None if r.url.startswith(site.url) else elsewhere.append(r.url))
        log_in(page, site, translate=translate)
        expect(page).to_have_url(f"{site.url}/cases/{site.case_id}")
        problems = {"case": serious_violations(page)}
        page.goto(f"{site.url}/protect")
        hash_the_photos_and_send(page, her_photos(tmp_path / "photos"), translate)
        problems["protect"] = serious_violations(page)
        page.goto(f"{site.url}/sightings/new")
        problems["sighting"] = serious_violations(page)
        page.get_by_label(translate("Link to the post"), exact=True).fill("https://t.me/somechannel/125")
        page.get_by_role("button", name=translate("Send the report")).click()
        expect(page.get_by_role("status")).to_be_visible()
        problems["sighting done"] = serious_violations(page)
        page.goto(f"{site.url}/withdraw")
        problems["withdraw"] = serious_violations(page)
        page.goto(f"{site.url}/withdrawn")
        problems["withdrawn"] = serious_violations(page)
    finally:
        context.close()
    assert problems == {
        "case": [],
        "protect": [],
        "sighting": [],
        "sighting done": [],
        "withdraw": [],
        "withdrawn": [],
    }
    assert elsewhere == []


def test_a_photo_with_little_detail_is_warned_about(site: Site, page: Page, tmp_path: Path) -> None:
    import numpy as np

    plain = save_jpeg(np.full((256, 256, 3), 128, dtype=np.uint8), tmp_path / "plain.jpg")
    log_in(page, site)
    expect(page).to_have_url(f"{site.url}/cases/{site.case_id}")
    page.goto(f"{site.url}/protect")
    choose_files(page, [plain])
    expect(page.locator("#status")).to_have_text(ZH.format("Done: {count} files hashed.", count=1))
    expect(page.locator("#results .warning")).to_have_text(
        ZH.format(
            "This picture has little detail (quality {quality} of 100): matches on it are less sure.",
            quality=0,
        )
    )
