"""``reclaim report`` through the real entry point: a case built with the CLI, its PDF read with poppler.

The case protects nothing real: its captures are scikit-image's public sample photos, and the
"real identity" given for the notice is made up, so that the test can check it never shows.
"""

from __future__ import annotations

import json
import re
import sqlite3
import stat
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.e2e.test_cli_bank import home_env, lines, new_case  # noqa: F401 - home_env is a fixture
from tests.e2e.test_cli_hash import jpeg_bytes, reclaim
from tests.reports.pdf_checks import (
    is_sharp_copy,
    open_image,
    page_count,
    pdf_fonts,
    pdf_images,
    pdf_text,
    squeezed,
)

REAL_NAME = "王晓梅"
REAL_PHONE = "13812345678"
PICTURES = ("astronaut", "chelsea", "coffee")


@dataclass(frozen=True)
class ReportedCase:
    env: dict[str, str]
    case_id: str
    urls: list[str]
    capture_hashes: list[str]
    captures: list[bytes]
    notice_ids: list[str]
    folder: Path


@pytest.fixture(scope="module")
def reported_case(tmp_path_factory: pytest.TempPathFactory) -> ReportedCase:
    """A case with three sightings with photo captures, one link without, and a notice sent."""
    folder = tmp_path_factory.mktemp("report")
    env = {
        "RECLAIM_HOME": str(folder / "home"),
        "RECLAIM_ACTOR": "helpline-wang",
        "RECLAIM_PASSPHRASE": "her passphrase",
    }
    assert reclaim("init", env=env).returncode == 0
    case_id = new_case(env, "小美")
    run = reclaim("identifiers", "add", case_id, "--name", REAL_NAME, "--phone", REAL_PHONE, env=env)
    assert run.returncode == 0, run.stderr
    sources = ["t.me/c/1234567/89", "https://t.me/xiaomei_leaks/12", "https://example.org/forum/post/3"]
    urls, hashes, captures = [], [], []
    for index, (url, picture) in enumerate(zip(sources, PICTURES, strict=True)):
        data = jpeg_bytes(picture, (480, 360))
        shot = folder / f"{picture}.jpg"
        shot.write_bytes(data)
        run = reclaim(
            "evidence", "add", case_id, "--url", url, "--capture", shot,
            "--seen-at", f"2026-11-2{index + 1}T08:00:00+08:00", "--json", env=env,
        )  # fmt: skip
        assert run.returncode == 0, run.stderr
        [added] = lines(run.stdout)
        urls.append(added["entry"]["source"]["url"])  # type: ignore[index]
        hashes.append(added["entry"]["capture"]["sha256"])  # type: ignore[index]
        captures.append(data)
    run = reclaim("evidence", "add", case_id, "--url", "https://t.me/xiaomei_leaks/13", "--json", env=env)
    assert run.returncode == 0, run.stderr
    urls.append("https://t.me/xiaomei_leaks/13")
    identity = folder / "identity.json"
    identity.write_text(json.dumps({"name": REAL_NAME, "contact": REAL_PHONE}), encoding="utf-8")
    run = reclaim(
        "notice", "draft", case_id, "--platform", "telegram", "--identity-file", identity, "--json", env=env
    )
    assert run.returncode == 0, run.stderr
    notice_ids = [str(notice["notice_id"]) for notice in lines(run.stdout)]
    assert reclaim("notice", "update", notice_ids[0], "--status", "sent", env=env).returncode == 0
    return ReportedCase(env, case_id, urls, hashes, captures, notice_ids, folder)


def write_report(
    case: ReportedCase, name: str, *args: str, lang: str = "zh"
) -> tuple[Path, dict[str, object]]:
    path = case.folder / name
    run = reclaim("report", case.case_id, "-o", path, "--json", *args, lang=lang, env=case.env)
    assert run.returncode == 0, run.stderr
    [written] = lines(run.stdout)
    return path, written


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_pdf_report_states_the_case_every_link_and_capture_hash_in_embedded_fonts(
    reported_case: ReportedCase, lang: str
) -> None:
    pdf, written = write_report(reported_case, f"report-{lang}.pdf", lang=lang)

    assert written["format"] == "pdf" and written["lang"] == lang
    assert written["sightings"] == 4 and written["thumbnails"] == 3 and written["notices"] == 1
    text = squeezed(pdf_text(pdf))
    assert "小美" in text and reported_case.case_id in text
    for needle in [*reported_case.urls, *reported_case.capture_hashes, *reported_case.notice_ids]:
        assert needle in text, needle
    assert str(written["key_fingerprint"]) in text and str(written["root_hash"]) in text
    assert ("复议" if lang == "zh" else "reconsideration") in text
    fonts = pdf_fonts(pdf)
    assert fonts and all(font.embedded for font in fonts), fonts
    assert page_count(pdf) >= 5
    assert stat.S_IMODE(pdf.stat().st_mode) == 0o600  # it names where she was exposed


def test_no_picture_in_the_report_is_a_sharp_copy_and_no_real_identity_appears(
    reported_case: ReportedCase,
) -> None:
    pdf, _ = write_report(reported_case, "report-check.pdf")
    images = pdf_images(pdf, reported_case.folder / "images")
    captures = [open_image(data) for data in reported_case.captures]

    assert len(images) == 3
    assert not any(is_sharp_copy(image, capture) for image in images for capture in captures)
    text = squeezed(pdf_text(pdf))
    assert REAL_NAME not in text and REAL_PHONE not in text
    assert REAL_NAME.encode() not in pdf.read_bytes()


def test_html_report_holds_the_same_facts_in_one_file(reported_case: ReportedCase) -> None:
    page_path, written = write_report(reported_case, "report.html", "--format", "html")
    page = page_path.read_text(encoding="utf-8")

    assert written["format"] == "html"
    for needle in ["小美", *reported_case.urls, *reported_case.capture_hashes, *reported_case.notice_ids]:
        assert needle in page, needle
    assert len(re.findall(r'<img src="data:image/jpeg;base64,', page)) == 3
    assert not re.search(r'(?:src|href)="(?:https?:|file:|//)', page)
    assert REAL_NAME not in page and REAL_PHONE not in page


def test_report_in_words_and_its_errors(reported_case: ReportedCase) -> None:
    path = reported_case.folder / "plain.pdf"
    run = reclaim("report", "小美", "-o", path, lang="en", env=reported_case.env)  # the title names it too
    assert run.returncode == 0, run.stderr
    assert f"Wrote {path}" in run.stdout and "4 sightings" in run.stdout

    locked = {k: v for k, v in reported_case.env.items() if k != "RECLAIM_PASSPHRASE"}
    run = reclaim("report", reported_case.case_id, "-o", reported_case.folder / "x.pdf", env=locked)
    assert run.returncode == 1 and "passphrase" in run.stderr
    run = reclaim("report", reported_case.case_id, "-o", path, "--format", "docx", env=reported_case.env)
    assert run.returncode == 1 and "docx" in run.stderr
    run = reclaim(
        "report",
        reported_case.case_id,
        "-o",
        reported_case.folder / "nowhere" / "r.pdf",
        env=reported_case.env,
    )
    assert run.returncode == 1
    assert not (reported_case.folder / "x.pdf").exists()


def test_report_of_a_case_on_each_database(home_env: dict[str, str], tmp_path: Path) -> None:  # noqa: F811
    env = {**home_env, "RECLAIM_PASSPHRASE": "her passphrase"}
    case_id = new_case(env, "Case A")
    shot = tmp_path / "shot.jpg"
    shot.write_bytes(jpeg_bytes("coffee", (320, 240)))
    assert (
        reclaim(
            "evidence", "add", case_id, "--url", "t.me/a_channel/5", "--capture", shot, env=env
        ).returncode
        == 0
    )

    run = reclaim("report", case_id, "-o", tmp_path / "a.pdf", "--json", lang="en", env=env)

    assert run.returncode == 0, run.stderr
    [written] = lines(run.stdout)
    assert written["sightings"] == 1 and written["tree_size"] == 2
    assert "https://t.me/a_channel/5" in squeezed(pdf_text(tmp_path / "a.pdf"))


def test_an_entry_edited_in_the_database_is_flagged_in_the_report_and_on_stderr(tmp_path: Path) -> None:
    env = {"RECLAIM_HOME": str(tmp_path / "home")}
    assert reclaim("init", env=env).returncode == 0
    case_id = new_case(env, "Case B")
    assert reclaim("evidence", "add", case_id, "--url", "t.me/a_channel/5", env=env).returncode == 0
    with sqlite3.connect(tmp_path / "home" / "reclaim.sqlite3") as database:
        database.execute("UPDATE evidence_entries SET body = replace(body, 'a_channel', 'b_channel')")

    run = reclaim("report", case_id, "-o", tmp_path / "b.pdf", "--json", lang="en", env=env)

    assert run.returncode == 0, run.stderr  # the report is still made: it is the record of the damage
    assert lines(run.stdout)[0]["log_verified"] is False
    assert "does not match its signed head" in run.stderr
    assert "NO:thestoredlogdoesnotmatchitssignedhead" in squeezed(pdf_text(tmp_path / "b.pdf"))
