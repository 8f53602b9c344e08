"""Notices through the real entry point, on SQLite and PostgreSQL: drafted for reviewed sightings,
tracked to removal, escalated when unanswered, re-uploads flagged, her identity only in the vault."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.e2e.test_cli_bank import home_env, lines, new_case  # noqa: F401 - home_env is a fixture
from tests.e2e.test_cli_hash import jpeg_bytes, reclaim

TELEGRAM_URL = "https://t.me/maskpark/12"
WEIBO_URL = "https://weibo.com/7001234567/PqRsTuv"
HER_NAME = "林晓梅真名"
HER_ID = "110101199003074514"


@pytest.fixture
def env(home_env: dict[str, str]) -> dict[str, str]:  # noqa: F811
    return {**home_env, "RECLAIM_PASSPHRASE": "her passphrase"}


def add_sighting(env: dict[str, str], case_id: str, url: str, seen_at: str, capture: Path | None) -> int:
    extra = ["--capture", capture] if capture else []
    run = reclaim("evidence", "add", case_id, "--url", url, "--seen-at", seen_at, *extra, "--json", env=env)
    assert run.returncode == 0, run.stderr
    leaf = lines(run.stdout)[0]["leaf_index"]
    assert isinstance(leaf, int)
    return leaf


def ok(*args: str | Path, env: dict[str, str], lang: str = "en") -> list[dict[str, object]]:
    run = reclaim(*args, "--json", env=env, lang=lang)
    assert run.returncode == 0, run.stderr
    return lines(run.stdout)


def test_draft_send_escalate_remove_and_flag_the_reupload(env: dict[str, str], tmp_path: Path) -> None:
    case_id = new_case(env, "小美")
    shot = tmp_path / "shot.jpg"
    shot.write_bytes(jpeg_bytes("astronaut", (320, 240)))
    first = add_sighting(env, case_id, TELEGRAM_URL, "2026-11-20T08:00:00Z", shot)
    add_sighting(env, case_id, WEIBO_URL, "2026-11-21T08:00:00Z", shot)

    [drafted] = ok("notice", "draft", case_id, "--platform", "telegram", env=env, lang="zh")
    assert (drafted["route"], drafted["lang"], drafted["status"], drafted["sightings"]) == (
        "telegram-in-app",
        "zh",
        "draft",
        [first],
    )
    assert TELEGRAM_URL in str(drafted["text"]) and WEIBO_URL not in str(drafted["text"])
    notice_id = str(drafted["notice_id"])

    again = reclaim("notice", "draft", case_id, "--platform", "telegram", env=env)
    assert again.returncode == 1 and "no sighting on telegram" in again.stderr
    wrong = reclaim("notice", "update", notice_id, "--status", "removed", env=env)
    assert wrong.returncode == 1 and "cannot become removed" in wrong.stderr

    [sent] = ok("notice", "update", notice_id, "--status", "sent", "--at", "2026-11-22T10:00+08:00", env=env)
    assert sent["due"] == "2026-11-24T02:00:00+00:00"  # two days for an in-app report
    assert [n["notice_id"] for n in ok("notice", "list", "--overdue", env=env)] == [notice_id]
    [shown] = ok("case", "show", case_id, env=env)
    assert {
        "kind": "overdue",
        "at": "2026-11-24T02:00:00+00:00",
        "notice_id": notice_id,
        "route": "telegram-in-app",
    } in shown["flags"]  # type: ignore[operator]

    [escalated] = ok("notice", "escalate", notice_id, env=env)
    assert (escalated["route"], escalated["escalated_from"], escalated["sightings"]) == (
        "telegram-abuse",
        notice_id,
        [first],
    )
    assert "abuse@telegram.org" in str(escalated["address"])
    assert ok("notice", "show", notice_id, env=env)[0]["status"] == "no-response"
    second = str(escalated["notice_id"])
    ok("notice", "update", second, "--status", "sent", "--at", "2026-11-25T10:00+08:00", env=env)
    ok(
        "notice",
        "update",
        second,
        "--status",
        "removed",
        "--at",
        "2026-11-26T10:00+08:00",
        "--note",
        "工单 8812",
        env=env,
    )

    reupload = add_sighting(env, case_id, TELEGRAM_URL, "2026-11-28T09:00:00Z", None)
    [shown] = ok("case", "show", case_id, env=env)
    flags = {flag["kind"]: flag for flag in shown["flags"]}  # type: ignore[union-attr]
    assert flags["re-upload"]["leaf_index"] == reupload and flags["re-upload"]["removed_by"] == second
    assert flags["police-deadline"]["at"] == "2027-05-20T08:00:00+00:00"  # six months from the first post
    statuses = [e["status"] for e in shown["timeline"] if e["kind"] == "notice"]  # type: ignore[union-attr]
    # In the order things happened: the sendings were recorded afterwards with --at.
    assert statuses == ["sent", "sent", "removed", "draft", "no-response", "draft"]

    [telegram] = ok("stats", env=env)
    assert (
        telegram["platform"],
        telegram["sent"],
        telegram["removed"],
        telegram["median_hours_to_removal"],
    ) == (
        "telegram",
        2,
        1,
        24.0,
    )
    people = reclaim("case", "show", case_id, env=env)
    assert "Re-uploaded" in people.stdout and "Report to the police before 2027-05-20" in people.stdout


def test_chinese_platforms_get_her_real_identity_which_stays_in_the_vault(
    env: dict[str, str], tmp_path: Path
) -> None:
    case_id = new_case(env, "小美")
    shot = tmp_path / "shot.jpg"
    shot.write_bytes(jpeg_bytes("coffee", (320, 240)))
    add_sighting(env, case_id, WEIBO_URL, "2026-11-21T08:00:00Z", shot)

    refused = reclaim("notice", "draft", case_id, "--platform", "weibo", env=env)
    assert refused.returncode == 1 and "--identity-file" in refused.stderr
    identity = tmp_path / "identity.json"
    identity.write_text(json.dumps({"name": HER_NAME, "id_number": HER_ID, "contact": "138 0000 0000"}))
    [drafted] = ok(
        "notice", "draft", case_id, "--platform", "weibo", "--identity-file", identity, env=env, lang="zh"
    )
    notice_text = str(drafted["text"])
    assert f"权利人（通知人）：{HER_NAME}" in notice_text and HER_ID in notice_text
    assert WEIBO_URL in notice_text and hashlib.sha256(shot.read_bytes()).hexdigest() in notice_text
    identity.unlink()  # kept in the vault: showing it again needs no file
    [shown] = ok("notice", "show", str(drafted["notice_id"]), env=env)
    assert HER_NAME in str(shown["text"])

    home = Path(env["RECLAIM_HOME"])
    for path in home.rglob("*"):
        if path.is_file():
            content = path.read_bytes()
            assert HER_NAME.encode() not in content and HER_ID.encode() not in content, path
    url = env.get("RECLAIM_DATABASE_URL")
    if url is None:
        with sqlite3.connect(home / "reclaim.sqlite3") as db:
            dump = "\n".join(db.iterdump())
    else:
        engine = create_engine(url)
        with engine.connect() as connection:
            rows = connection.execute(
                text("SELECT text FROM notices UNION ALL SELECT CAST(detail AS TEXT) FROM audit_events")
            )
            dump = "\n".join(str(row[0]) for row in rows)
        engine.dispose()
    assert "⟦name⟧" in dump and HER_NAME not in dump and HER_ID not in dump


def test_bad_input_is_a_clear_error(env: dict[str, str]) -> None:
    case_id = new_case(env, "小美")
    unknown = reclaim("notice", "draft", case_id, "--platform", "myspace", env=env)
    assert unknown.returncode == 1 and "telegram, wechat" in unknown.stderr
    missing = reclaim("notice", "update", "RC-nope-001", "--status", "sent", env=env)
    assert missing.returncode == 1 and "There is no notice RC-nope-001" in missing.stderr
    status = reclaim("notice", "update", "RC-nope-001", "--status", "gone", env=env)
    assert status.returncode == 1 and "Unknown status gone" in status.stderr
    empty = reclaim("notice", "draft", case_id, "--platform", "telegram", env=env)
    assert empty.returncode == 1 and "reclaim review accept" in empty.stderr


def test_a_broken_identity_file_is_a_clear_error_and_nothing_is_drafted(
    env: dict[str, str], tmp_path: Path
) -> None:
    case_id = new_case(env, "小美")
    add_sighting(env, case_id, WEIBO_URL, "2026-11-21T08:00:00Z", None)
    broken = tmp_path / "identity.json"
    for content, message in (
        ("{not json", "is not a JSON file"),
        (json.dumps({"name": HER_NAME}), "must hold a name and a contact"),
        (json.dumps(["a", "b"]), "must hold a name and a contact"),
    ):
        broken.write_text(content, encoding="utf-8")
        run = reclaim("notice", "draft", case_id, "--platform", "weibo", "--identity-file", broken, env=env)
        assert run.returncode == 1 and message in run.stderr and "Traceback" not in run.stderr
    missing = reclaim(
        "notice", "draft", case_id, "--platform", "weibo", "--identity-file", tmp_path / "no.json", env=env
    )
    assert missing.returncode == 1 and "Cannot read" in missing.stderr
    assert lines(reclaim("notice", "list", "--json", env=env).stdout) == []  # nothing half-drafted
