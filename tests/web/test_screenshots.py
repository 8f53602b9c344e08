"""The screenshots of docs/web.md, in both languages; written only with RECLAIM_SCREENSHOTS=1.

RECLAIM_SCREENSHOTS=1 pytest -n 0 tests/web/test_screenshots.py -k sqlite
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect
from skimage import data

from reclaim.config import load_settings
from reclaim.evidence.vault import Vault
from reclaim.locale import load_translator
from reclaim.services.accounts import create_account
from reclaim.services.home import open_store
from reclaim.services.notices import IdentitySource, draft_notices
from reclaim.services.review import accept_lead, list_leads
from tests.api.test_cases import PASSPHRASE, protect_and_find
from tests.e2e.test_cli_bank import home_env, new_case, save_jpeg
from tests.web.live_server import serving

__all__ = ["home_env"]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PASSWORD = "plum tree at dawn"

pytestmark = pytest.mark.skipif(
    not os.environ.get("RECLAIM_SCREENSHOTS"), reason="writes docs/screenshots/ only when asked"
)


def test_write_the_main_pages_in_both_languages(
    home_env: dict[str, str], tmp_path: Path, browser: Browser
) -> None:
    shown = new_case(home_env, "小美")
    waiting = new_case(home_env, "小红")
    protect_and_find(home_env, tmp_path / "media", shown)
    protect_and_find(home_env, tmp_path / "media", waiting, picture=data.coffee())
    settings = dataclasses.replace(load_settings(home_env), passphrase=PASSPHRASE, secure_cookies=False)
    engine = open_store(settings)
    create_account(engine, "wang", PASSWORD, role="caseworker", actor="helpline-admin")
    create_account(engine, "xiaomei", PASSWORD, role="victim", actor="helpline-admin", case_id=shown)
    [lead] = list_leads(engine, statuses=("pending",), case_id=shown)
    vault = Vault(settings.vault_path, PASSPHRASE)
    accept_lead(engine, settings, lead.id, open_vault=lambda: vault)
    draft_notices(
        engine,
        shown,
        "12377",
        "zh",
        actor="helpline-wang",
        identity=IdentitySource(lambda: vault, lambda: None),  # type: ignore[arg-type,return-value]
    )
    engine.dispose()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    photos = [
        save_jpeg(data.astronaut(), tmp_path / "astronaut.jpg"),
        save_jpeg(data.coffee(), tmp_path / "coffee.jpg"),
    ]

    with serving(settings) as url:
        for lang, locale in (("en", "en-GB"), ("zh", "zh-CN")):
            translate = load_translator(lang)
            context = browser.new_context(locale=locale, viewport={"width": 1280, "height": 800})
            page = context.new_page()
            page.goto(f"{url}/login")
            page.screenshot(path=str(SCREENSHOTS / f"login-{lang}.png"))
            page.get_by_label(translate("Login name"), exact=True).fill("wang")
            page.get_by_label(translate("Password"), exact=True).fill(PASSWORD)
            page.get_by_role("button", name=translate("Log in")).click()
            expect(page).to_have_url(f"{url}/cases")
            page.screenshot(path=str(SCREENSHOTS / f"cases-{lang}.png"))
            page.goto(f"{url}/cases/{shown}")
            page.screenshot(path=str(SCREENSHOTS / f"case-{lang}.png"))
            page.goto(f"{url}/review")
            page.screenshot(path=str(SCREENSHOTS / f"review-{lang}.png"))
            context.close()
            victim_pages(browser, url, lang, locale, photos)


def victim_pages(browser: Browser, url: str, lang: str, locale: str, photos: list[Path]) -> None:
    """Her case and the protect page, with two photos hashed and not yet sent (the whole page)."""
    translate = load_translator(lang)
    context = browser.new_context(locale=locale, viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.goto(f"{url}/login")
    page.get_by_label(translate("Login name"), exact=True).fill("xiaomei")
    page.get_by_label(translate("Password"), exact=True).fill(PASSWORD)
    page.get_by_role("button", name=translate("Log in")).click()
    expect(page.get_by_role("heading", name=translate("What happens next"))).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / f"my-case-{lang}.png"))
    page.goto(f"{url}/protect")
    page.locator("#files").set_input_files([str(photo) for photo in photos])
    expect(page.locator("#status")).to_have_text(translate.format("Done: {count} files hashed.", count=2))
    page.get_by_label(translate("I am the person shown in these photos and videos.")).check()
    page.screenshot(path=str(SCREENSHOTS / f"protect-{lang}.png"), full_page=True)
    context.close()
