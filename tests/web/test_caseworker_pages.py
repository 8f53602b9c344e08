"""A caseworker's day in Debian's Chromium, against the real server over a real home (SQLite and PostgreSQL).

The case, the protected photo and the lead come from the real CLI (protect, then scan a folder
holding a re-encoded copy), as a helpline would make them.
"""

from __future__ import annotations

import dataclasses
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from PIL import Image, ImageFilter, ImageStat
from playwright.sync_api import Browser, BrowserContext, Page, expect

from reclaim.config import load_settings
from reclaim.locale import load_translator
from reclaim.services.accounts import MAX_FAILURES_PER_LOGIN, create_account
from reclaim.services.home import open_store
from tests.api.test_cases import PASSPHRASE, protect_and_find
from tests.e2e.test_cli_bank import home_env, new_case
from tests.web.live_server import serving

__all__ = ["home_env"]

PASSWORD = "plum tree at dawn"
ZH = load_translator("zh")


@dataclass(frozen=True)
class Helpline:
    url: str
    case_id: str  # 小美's case, with one lead waiting in the review queue
    other_case_id: str  # the case the limited caseworker "li" may see


@pytest.fixture
def helpline(home_env: dict[str, str], tmp_path: Path) -> Iterator[Helpline]:
    case_id = new_case(home_env, "小美")
    protect_and_find(home_env, tmp_path / "media", case_id)
    other = new_case(home_env, "小红")
    settings = dataclasses.replace(load_settings(home_env), passphrase=PASSPHRASE, secure_cookies=False)
    engine = open_store(settings)
    create_account(engine, "wang", PASSWORD, role="caseworker", actor="test-admin")
    create_account(engine, "li", PASSWORD, role="caseworker", actor="test-admin", case_id=other)
    engine.dispose()
    with serving(settings) as url:
        yield Helpline(url, case_id, other)


def log_in(page: Page, helpline: Helpline, login: str = "wang", password: str = PASSWORD) -> None:
    page.goto(f"{helpline.url}/login")
    page.get_by_label(ZH("Login name"), exact=True).fill(login)
    page.get_by_label(ZH("Password"), exact=True).fill(password)
    page.get_by_role("button", name=ZH("Log in")).click()


def edge_energy(jpeg: bytes, size: tuple[int, int]) -> float:
    """How much fine detail a picture has: the mean of its edges at a common size."""
    with Image.open(io.BytesIO(jpeg)) as image:
        grey = image.convert("L").resize(size)
    return float(ImageStat.Stat(grey.filter(ImageFilter.FIND_EDGES)).mean[0])


def test_a_caseworker_reviews_a_hit_drafts_a_notice_downloads_the_report_and_logs_out(
    helpline: Helpline, page: Page, context: BrowserContext
) -> None:
    page.goto(f"{helpline.url}/cases")
    expect(page).to_have_url(re.compile(r"/login\?next=/cases$"))

    log_in(page, helpline, password="not the password")
    expect(page.get_by_role("alert")).to_contain_text(ZH("The login name or the password is wrong."))
    page.get_by_label(ZH("Password"), exact=True).fill(PASSWORD)
    page.get_by_role("button", name=ZH("Log in")).click()
    expect(page).to_have_url(f"{helpline.url}/cases")
    expect(page.get_by_role("link", name="小美")).to_be_visible()

    # The review queue: the found file is blurred until she asks to see it.
    page.get_by_role("link", name=ZH("Review queue")).click()
    blurred = page.get_by_role("img", name=ZH("Blurred picture of the found file"))
    expect(blurred).to_be_visible()
    assert page.locator("img.clear").count() == 0
    source = blurred.get_attribute("src")
    assert source is not None and source.endswith("/blurred")
    lead_id = source.split("/")[2]
    thumbnail = page.request.get(f"{helpline.url}{source}")
    clear = page.request.get(f"{helpline.url}/review/{lead_id}/clear")
    assert thumbnail.headers["cache-control"] == clear.headers["cache-control"] == "no-store"
    assert edge_energy(thumbnail.body(), (256, 256)) < edge_energy(clear.body(), (256, 256)) / 3

    page.get_by_role("link", name=ZH("Show the picture")).click()
    shown = page.locator("img.clear")
    expect(shown).to_be_visible()
    assert shown.evaluate("image => image.complete && image.naturalWidth > 0")
    assert page.get_by_role("img", name=ZH("Blurred picture of the found file")).count() == 0

    page.get_by_role("button", name=ZH("Accept: it shows her")).click()
    expect(page.get_by_role("status")).to_contain_text(f"{lead_id}")
    page.get_by_role("link", name=ZH("Open the case")).click()
    expect(page).to_have_url(f"{helpline.url}/cases/{helpline.case_id}")
    expect(
        page.get_by_role(
            "img",
            name=re.compile(
                re.escape(ZH("Blurred capture of sighting {leaf}; open to see it").split("{")[0])
            ),
        )
    ).to_be_visible()

    draft_and_record_a_notice(page)
    download_the_report_and_the_bundle(page)
    log_out_and_replay_the_cookie(page, context, helpline)


def draft_and_record_a_notice(page: Page) -> None:
    # A notice to 12377, which takes every platform's content, then what happened to it.
    page.get_by_label(ZH("Platform"), exact=True).select_option("12377")
    page.get_by_label(ZH("Language of the notice"), exact=True).select_option("zh")
    page.get_by_role("button", name=ZH("Draft the notice")).click()
    expect(page).to_have_url(re.compile(r"/notices/RC-"))
    expect(page.locator("pre.notice")).to_contain_text("12377")
    page.get_by_label(ZH("What happened"), exact=True).select_option("sent")
    page.get_by_role("button", name=ZH("Record it")).click()
    expect(page.locator("dl")).to_contain_text(ZH("sent"))


def download_the_report_and_the_bundle(page: Page) -> None:
    # The report is a real PDF; the bundle a zip with its manifest.
    page.get_by_role("link", name=re.compile(ZH("Back to case {case}").split("{")[0])).click()
    with page.expect_download() as report:
        page.get_by_role("link", name=ZH("Report (PDF, English)")).click()
    assert Path(report.value.path()).read_bytes().startswith(b"%PDF-")
    with page.expect_download() as bundle:
        page.get_by_role("button", name=ZH("Evidence bundle (zip, pictures blurred)")).click()
    with zipfile.ZipFile(bundle.value.path()) as archive:
        assert "manifest.json" in archive.namelist()


def log_out_and_replay_the_cookie(page: Page, context: BrowserContext, helpline: Helpline) -> None:
    # Logging out ends the session on the server, not only in this browser.
    [session_cookie] = [c for c in context.cookies() if c["name"] == "reclaim_session"]
    assert session_cookie["httpOnly"] and session_cookie["sameSite"] == "Strict"
    page.get_by_role("button", name=ZH("Log out")).click()
    expect(page).to_have_url(f"{helpline.url}/login")
    replayed = page.request.get(
        f"{helpline.url}/cases",
        headers={"Cookie": f"reclaim_session={session_cookie['value']}"},
        max_redirects=0,
    )
    assert replayed.status == 303 and replayed.headers["location"].startswith("/login")


def test_too_many_wrong_passwords_make_her_wait(helpline: Helpline, page: Page) -> None:
    for attempt in range(MAX_FAILURES_PER_LOGIN):
        log_in(page, helpline, password=f"guess number {attempt}")
        expect(page.get_by_role("alert")).to_contain_text(ZH("The login name or the password is wrong."))

    log_in(page, helpline)  # the right password, too late

    expect(page.get_by_role("alert")).to_contain_text(
        ZH.format("Too many wrong passwords. Wait {minutes} minutes, then try again.", minutes=15)
    )
    expect(page).to_have_url(f"{helpline.url}/login")


def test_a_form_post_without_the_pages_token_is_refused(helpline: Helpline, page: Page) -> None:
    login_form = page.request.post(
        f"{helpline.url}/login", form={"login": "wang", "password": PASSWORD}, max_redirects=0
    )
    assert login_form.status == 403
    log_in(page, helpline)
    expect(page).to_have_url(f"{helpline.url}/cases")
    page.goto(f"{helpline.url}/review")
    lead_id = page.locator("li.lead").first.get_attribute("id", timeout=5000)
    assert lead_id is not None
    number = lead_id.removeprefix("lead-")

    forged = page.request.post(f"{helpline.url}/review/{number}/accept", form={"note": "forged"})
    wrong = page.request.post(f"{helpline.url}/review/{number}/accept", form={"csrf_token": "0" * 64})

    assert forged.status == wrong.status == 403
    page.reload()
    expect(page.locator(f"#{lead_id}")).to_be_visible()  # still pending


def test_a_caseworker_limited_to_one_case_cannot_open_another(helpline: Helpline, page: Page) -> None:
    log_in(page, helpline, login="li")
    expect(page).to_have_url(f"{helpline.url}/cases")
    expect(page.get_by_role("link", name="小红")).to_be_visible()
    assert page.get_by_role("link", name="小美").count() == 0

    other = page.goto(f"{helpline.url}/cases/{helpline.case_id}")
    missing = page.goto(f"{helpline.url}/cases/zzzzzzzz")
    assert other is not None and missing is not None
    assert other.status == missing.status == 404
    page.goto(f"{helpline.url}/review")
    assert page.locator("li.lead").count() == 0
    assert page.request.get(f"{helpline.url}/cases/{helpline.case_id}/report").status == 404


def test_a_victim_sees_only_her_own_case_read_only(
    helpline: Helpline, page: Page, home_env: dict[str, str]
) -> None:
    settings = load_settings(home_env)
    engine = open_store(settings)
    create_account(engine, "xiaomei", PASSWORD, role="victim", actor="test-admin", case_id=helpline.case_id)
    engine.dispose()

    log_in(page, helpline, login="xiaomei")

    expect(page).to_have_url(f"{helpline.url}/cases/{helpline.case_id}")
    assert page.get_by_role("button", name=ZH("Draft the notice")).count() == 0
    other = page.goto(f"{helpline.url}/cases/{helpline.other_case_id}")
    review = page.goto(f"{helpline.url}/review")
    assert other is not None and review is not None
    assert (other.status, review.status) == (404, 403)
    assert page.request.get(f"{helpline.url}/cases/{helpline.case_id}/report").status == 403


def test_login_and_review_work_with_the_keyboard_alone(helpline: Helpline, page: Page) -> None:
    page.goto(f"{helpline.url}/login")
    page.keyboard.press("Tab")  # the skip link comes first
    expect(page.get_by_role("link", name=ZH("Skip to the content"))).to_be_focused()
    page.get_by_label(ZH("Login name"), exact=True).focus()
    page.keyboard.type("wang")
    page.keyboard.press("Tab")
    expect(page.get_by_label(ZH("Password"), exact=True)).to_be_focused()
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{helpline.url}/cases")

    page.goto(f"{helpline.url}/review")
    page.get_by_role("link", name=ZH("Show the picture")).focus()
    page.keyboard.press("Enter")
    expect(page.locator("img.clear")).to_be_visible()


@pytest.mark.parametrize("locale", ["zh-CN", "en-GB"])
def test_main_pages_pass_axe_with_no_serious_problem(
    helpline: Helpline, browser: Browser, locale: str
) -> None:
    from tests.web.accessibility import serious_violations

    # bypass_csp: axe is injected as a script of its own, which the pages' policy (rightly) refuses.
    context = browser.new_context(locale=locale, viewport={"width": 1280, "height": 800}, bypass_csp=True)
    elsewhere: list[str] = []
    try:
        page = context.new_page()
        page.on("request", lambda r: None if r.url.startswith(helpline.url) else elsewhere.append(r.url))
        first = page.goto(f"{helpline.url}/login")
        assert first is not None and "default-src 'none'" in first.headers["content-security-policy"]
        problems = {"login": serious_violations(page)}
        translate = load_translator("zh" if locale.startswith("zh") else "en")
        page.get_by_label(translate("Login name"), exact=True).fill("wang")
        page.get_by_label(translate("Password"), exact=True).fill(PASSWORD)
        page.get_by_role("button", name=translate("Log in")).click()
        expect(page).to_have_url(f"{helpline.url}/cases")
        problems["cases"] = serious_violations(page)
        page.goto(f"{helpline.url}/review")
        problems["review"] = serious_violations(page)
        page.goto(f"{helpline.url}/cases/{helpline.case_id}")
        problems["case"] = serious_violations(page)
    finally:
        context.close()
    assert problems == {"login": [], "cases": [], "review": [], "case": []}
    assert elsewhere == []  # no CDN, no font service: no third party learns who visited
