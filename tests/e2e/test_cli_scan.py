"""`reclaim scan` and `reclaim review` through the real entry point, on SQLite and PostgreSQL."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.scan_scenario import NAME, PHONE, PROTECTED_VIDEO, Scenario, build_scenario
from tests.e2e.test_cli_bank import home_env, lines, new_case
from tests.e2e.test_cli_hash import reclaim

__all__ = ["home_env"]


@pytest.fixture
def scenario(tmp_path: Path) -> Scenario:
    return build_scenario(tmp_path / "scenario")


def protect_victim(env: dict[str, str], scenario: Scenario) -> str:
    case_id = new_case(env, "小美")
    run = reclaim("protect", case_id, scenario.protected_photo, PROTECTED_VIDEO, "--attest", "self", env=env)
    assert run.returncode == 0, run.stderr
    run = reclaim("identifiers", "add", case_id, "--phone", PHONE, "--name", NAME, env=env)
    assert run.returncode == 0, run.stderr
    return case_id


def scan_all(env: dict[str, str], exports: tuple[Path, ...]) -> list[dict[str, object]]:
    summaries = []
    for export in exports:
        run = reclaim("scan", "telegram-export", export, "--json", env=env)
        assert run.returncode == 0, run.stderr
        [summary] = lines(run.stdout)
        summaries.append(summary)
    return summaries


def queue(env: dict[str, str], status: str = "pending") -> list[dict[str, object]]:
    run = reclaim("review", "list", "--status", status, "--json", env=env)
    assert run.returncode == 0, run.stderr
    return lines(run.stdout)


def lead_key(lead: dict[str, object]) -> tuple[str, int, str, str]:
    source = lead["source"]
    assert isinstance(source, dict)
    return (source["channel_id"], source["message_id"], str(lead["kind"]), str(lead["signal"]))


def test_a_scan_queues_every_hit_and_nothing_else(home_env: dict[str, str], scenario: Scenario) -> None:
    case_id = protect_victim(home_env, scenario)

    leak, successor, unrelated = scan_all(home_env, scenario.exports)

    assert leak["skipped"] == {"not_included": 1}
    assert (leak["media"], leak["queued"], successor["queued"], unrelated["queued"]) == (5, 4, 2, 0)
    leads = queue(home_env)
    assert {lead_key(lead) for lead in leads} == scenario.expected
    assert len(leads) == len(scenario.expected)
    assert {lead["case_id"] for lead in leads} == {case_id}
    first = leads[0]
    assert set(first) >= {"review_id", "case_id", "kind", "source", "signal", "distance", "via"}
    assert set(first["source"]) == {
        "platform",
        "channel_id",
        "channel_title",
        "message_id",
        "url",
        "posted_at",
    }  # type: ignore[arg-type]
    assert first["source"]["channel_title"] == "面具公园"  # type: ignore[index]
    assert first["source"]["url"] == "https://t.me/c/1700000001/2"  # type: ignore[index]

    # Scanning the same exports again finds every item finished and queues nothing twice.
    again = scan_all(home_env, scenario.exports)
    assert [s["already_scanned"] for s in again] == [9, 5, 3]
    assert [s["queued"] for s in again] == [0, 0, 0]
    assert len(queue(home_env)) == len(scenario.expected)

    # The successor is named as the leak channel's continuation; the unrelated channel is not,
    # though it shares one common picture with the leak channel.
    run = reclaim("network", "reincarnations", "--json", env=home_env)
    assert run.returncode == 0, run.stderr
    [named] = lines(run.stdout)
    assert named["channel"] == {"id": "1700000002", "title": "面具公园2.0 备用"}
    assert named["predecessor"] == {"id": "1700000001", "title": "面具公园"}
    assert {"forwards", "shared_handles", "similar_title"} <= {r["kind"] for r in named["reasons"]}  # type: ignore[union-attr]
    picture = Path(home_env["RECLAIM_HOME"]).parent / "network.png"
    run = reclaim("network", "show", "-o", picture, "--json", env=home_env)
    assert run.returncode == 0, run.stderr
    [shown] = lines(run.stdout)
    assert (shown["channels"], shown["chains"]) == (
        3,
        [
            [
                {"id": "1700000001", "title": "面具公园"},
                {"id": "1700000002", "title": "面具公园2.0 备用"},
            ]
        ],
    )
    assert picture.read_bytes().startswith(b"\x89PNG")

    home = Path(home_env["RECLAIM_HOME"])
    for path in home.rglob("*"):
        if path.is_file():
            content = path.read_bytes()
            assert PHONE.encode() not in content and NAME.encode() not in content
    if (home / "reclaim.sqlite3").exists():
        with sqlite3.connect(home / "reclaim.sqlite3") as db:
            dump = "\n".join(db.iterdump())
        assert PHONE not in dump and NAME not in dump and "maskpark" not in dump


def test_accepting_records_evidence_rejecting_is_remembered_and_minors_are_never_kept(
    home_env: dict[str, str], scenario: Scenario, tmp_path: Path
) -> None:
    env = {**home_env, "RECLAIM_PASSPHRASE": "correct horse battery"}
    case_id = protect_victim(env, scenario)
    scan_all(env, scenario.exports[:2])
    by_key = {lead_key(lead): lead for lead in queue(env)}
    screenshot = by_key[("1700000001", 2, "media", "pdq")]
    video = by_key[("1700000001", 4, "media", "vpdq")]
    phone = by_key[("1700000001", 5, "identifier", "phone")]
    bordered = by_key[("1700000002", 3, "media", "pdq")]
    vault = Path(env["RECLAIM_HOME"]) / "vault"

    accepted = reclaim("review", "accept", str(screenshot["review_id"]), "--json", env=env)
    assert accepted.returncode == 0, accepted.stderr
    [decision] = lines(accepted.stdout)
    assert decision["status"] == "accepted" and decision["capture"] is True
    sealed = {p for p in vault.rglob("*") if p.is_file() and p.name != "case-key.json"}
    assert len(sealed) == 1
    [photo] = (scenario.exports[0] / "photos").glob("photo_2@*.jpg")
    assert photo.read_bytes()[:4096] not in next(iter(sealed)).read_bytes()  # sealed, not copied

    minor = reclaim("review", "accept", str(video["review_id"]), "--minor", "--json", env=env)
    assert minor.returncode == 0, minor.stderr
    [decision] = lines(minor.stdout)
    assert decision["possible_minor"] is True and decision["capture"] is False
    assert {route["name"] for route in decision["route"]} >= {"12377"}  # type: ignore[union-attr]
    assert {p for p in vault.rglob("*") if p.is_file() and p.name != "case-key.json"} == sealed  # none kept

    assert reclaim("review", "accept", str(phone["review_id"]), env=env).returncode == 0
    rejected = reclaim("review", "reject", str(bordered["review_id"]), "--json", env=env)
    assert rejected.returncode == 0, rejected.stderr
    assert lines(rejected.stdout)[0]["status"] == "rejected"

    log = lines(reclaim("evidence", "list", case_id, "--json", env=env).stdout)
    sightings = [e["entry"] for e in log if e["entry"]["type"] == "sighting"]  # type: ignore[index]
    assert [s["match"]["review_id"] for s in sightings] == [  # type: ignore[index]
        screenshot["review_id"],
        video["review_id"],
        phone["review_id"],
    ]
    assert sightings[0]["source"]["url"] == "https://t.me/c/1700000001/2"  # type: ignore[index]
    assert sightings[0]["capture"]["sha256"] == screenshot_sha(scenario)  # type: ignore[index]
    assert sightings[1]["capture"] is None and sightings[1]["match"]["possible_minor"] is True  # type: ignore[index]

    check_notices_cover_accepted_sightings_only(env, case_id, log, sightings)

    # The same file posted again elsewhere is not queued again for the case that rejected it.
    repost = tmp_path / "repost"
    shutil.copytree(scenario.exports[1], repost)
    (repost / "result.json").write_text(
        (repost / "result.json").read_text(encoding="utf-8").replace("1700000002", "1700000009"),
        encoding="utf-8",
    )
    [summary] = scan_all(env, (repost,))
    assert summary["hits"] == {"media": 2, "identifier": 0}
    requeued = [lead_key(lead) for lead in queue(env)]
    assert ("1700000009", 2, "media", "pdq") in requeued
    assert ("1700000009", 3, "media", "pdq") not in requeued

    twice = reclaim("review", "accept", str(screenshot["review_id"]), env=env)
    assert twice.returncode == 1 and "already been decided" in twice.stderr
    missing = reclaim("review", "reject", "9999", env=env)
    assert missing.returncode == 1 and "reclaim review list" in missing.stderr


def screenshot_sha(scenario: Scenario) -> str:
    import hashlib

    [photo] = (scenario.exports[0] / "photos").glob("photo_2@*.jpg")
    return hashlib.sha256(photo.read_bytes()).hexdigest()


def test_scan_folder_queues_matches_with_file_links(home_env: dict[str, str], scenario: Scenario) -> None:
    protect_victim(home_env, scenario)
    found = scenario.exports[1] / "photos"

    run = reclaim("scan", "folder", found, "--json", env=home_env)

    assert run.returncode == 0, run.stderr
    [summary] = lines(run.stdout)
    assert (summary["source"], summary["media"], summary["queued"]) == ("folder", 3, 2)
    leads = queue(home_env)
    assert {lead["source"]["platform"] for lead in leads} == {"folder"}  # type: ignore[index]
    assert all(str(lead["source"]["url"]).startswith("file://") for lead in leads)  # type: ignore[index]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "Cannot read the Telegram export"),
        ('{"messages": [', "not valid JSON"),
        ("[1]", "not a Telegram"),
    ],
)
def test_a_bad_export_is_a_clear_error(
    home_env: dict[str, str], tmp_path: Path, content: str | None, message: str
) -> None:
    export = tmp_path / "export"
    export.mkdir()
    if content is not None:
        (export / "result.json").write_text(content)

    run = reclaim("scan", "telegram-export", export, env=home_env)

    assert run.returncode == 1
    assert message in run.stderr and "hint:" in run.stderr and "Traceback" not in run.stderr


def check_notices_cover_accepted_sightings_only(
    env: dict[str, str], case_id: str, log: list[dict[str, Any]], sightings: list[dict[str, Any]]
) -> None:
    """Notices cover the accepted sightings only; the one that may show a minor goes to the hotlines."""
    drafted = reclaim("notice", "draft", case_id, "--platform", "telegram", "--json", env=env)
    assert drafted.returncode == 0, drafted.stderr
    platform, hotline = lines(drafted.stdout)
    leaves = [e["leaf_index"] for e in log if e["entry"]["type"] == "sighting"]
    assert (platform["route"], platform["sightings"], platform["possible_minor"]) == (
        "telegram-in-app",
        [leaves[0], leaves[2]],
        False,
    )
    assert (hotline["route"], hotline["sightings"], hotline["possible_minor"]) == (
        "child-protection",
        [leaves[1]],
        True,
    )
    assert "https://t.me/c/1700000001/4" in str(hotline["text"]) and "t.me/c/1700000001/4" not in str(
        platform["text"]
    )
    accepted_urls = {s["source"]["url"] for s in sightings}  # type: ignore[index]
    unreviewed = {lead["source"]["url"] for lead in queue(env)} - accepted_urls  # type: ignore[index]
    assert unreviewed and not any(str(url) in str(platform["text"]) for url in unreviewed)
