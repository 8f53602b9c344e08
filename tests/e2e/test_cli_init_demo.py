"""``reclaim init`` and ``reclaim demo`` through the real entry point, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path


def reclaim(*args: str | Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "LANG": "C.UTF-8", **env}
    command = [sys.executable, "-m", "reclaim", *map(str, args)]
    return subprocess.run(command, capture_output=True, text=True, env=environment, timeout=300, check=False)


def test_init_creates_a_private_home_and_is_idempotent(tmp_path: Path, database_url: str) -> None:
    home = tmp_path / "home"
    env = {"RECLAIM_HOME": str(home), "RECLAIM_DATABASE_URL": database_url}
    first = reclaim("init", "--json", env=env)
    assert first.returncode == 0, first.stderr
    created = json.loads(first.stdout)
    assert created["created_home"] and created["created_key"] and created["created_database"]
    key = home / "keys" / "signing-ed25519.pem"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert stat.S_IMODE(home.stat().st_mode) == 0o700
    key_bytes = key.read_bytes()

    second = reclaim("init", "--json", env=env)
    again = json.loads(second.stdout)
    assert not (again["created_home"] or again["created_key"] or again["created_database"])
    assert again["key_fingerprint"] == created["key_fingerprint"]
    assert again["installation_id"] == created["installation_id"]
    assert key.read_bytes() == key_bytes


def test_init_in_chinese_says_where_the_home_is(tmp_path: Path) -> None:
    run = reclaim("--lang", "zh", "init", env={"RECLAIM_HOME": str(tmp_path / "h")})
    assert run.returncode == 0, run.stderr
    assert str(tmp_path / "h") in run.stdout and "主目录" in run.stdout


def test_unreachable_database_is_one_clear_error(tmp_path: Path) -> None:
    env = {
        "RECLAIM_HOME": str(tmp_path / "h"),
        "RECLAIM_DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none",
    }
    run = reclaim("init", env=env)
    assert run.returncode == 1
    assert "Traceback" not in run.stderr
    assert run.stderr.startswith("error: ") and "hint: " in run.stderr


def test_demo_protects_the_samples_and_finds_each_reshared_copy_but_not_a_strangers(tmp_path: Path) -> None:
    home = tmp_path / "demo"
    run = reclaim("demo", "--home", home, "--json", env={})
    assert run.returncode == 0, run.stderr
    lines = [json.loads(line) for line in run.stdout.splitlines()]
    protected = [line for line in lines if "item_id" in line]
    found = {Path(line["query"]).name: line["matches"] for line in lines if "query" in line}
    assert sorted(Path(p["path"]).name for p in protected) == ["astronaut.jpg", "chelsea.jpg", "coffee.jpg"]
    assert all(p["pdq_quality"] >= 50 for p in protected)
    pdq_entries = {
        e["entry_id"]: Path(p["path"]).name for p in protected for e in p["entries"] if e["signal"] == "pdq"
    }
    matched = {name: [pdq_entries.get(m["entry_id"]) for m in hits] for name, hits in found.items()}
    assert matched == {
        "chelsea-forwarded.jpg": ["chelsea.jpg"],
        "astronaut-in-a-chat.png": ["astronaut.jpg"],
        "coffee-mirrored-with-bars.jpg": ["coffee.jpg"],
        "strangers-photo.jpg": [],
    }
    [scan] = [line for line in lines if "scan_id" in line]
    assert (scan["media"], scan["texts"], scan["queued"]) == (4, 2, 4)
    leads = sorted(
        (lead["source"]["message_id"], lead["kind"], lead["signal"]) for lead in lines if "review_id" in lead
    )
    # The three copies of hers and her number in Chinese numerals; not the stranger's photo
    # (message 4) nor another person's number (message 6).
    assert [(m, k) for m, k, _ in leads] == [(1, "media"), (2, "media"), (3, "media"), (5, "identifier")]
    assert leads[-1][2] == "phone"
    # Then the takedown: the leads accepted, the Telegram notice sent, the report and bundle written.
    [notice] = [line for line in lines if "notice_id" in line]
    assert (notice["route"], notice["status"], len(notice["sightings"])) == ("telegram-in-app", "sent", 4)
    assert all(f"https://t.me/c/1000000001/{m}" in notice["text"] for m in (1, 2, 3, 5))
    [report] = [line for line in lines if "report" in line]
    assert (report["lang"], report["sightings"], report["notices"]) == ("zh", 4, 1)
    assert Path(report["report"]).read_bytes().startswith(b"%PDF")
    [bundle] = [line for line in lines if "bundle" in line]
    assert bundle["intact"] is True and bundle["entries"] >= 5
    verified = reclaim("verify", bundle["bundle"], "--fingerprint", bundle["key_fingerprint"], env={})
    assert verified.returncode == 0, verified.stdout + verified.stderr
    database = (home / "reclaim.sqlite3").read_bytes()
    assert b"13812345678" not in database
    assert b"\xff\xd8\xff" not in database and b"\x89PNG" not in database  # no photo stored


def test_demo_speaks_chinese(tmp_path: Path) -> None:
    run = reclaim("--lang", "zh", "demo", "--home", tmp_path / "d", env={})
    assert run.returncode == 0, run.stderr
    assert "已保护" in run.stdout and "匹配" in run.stdout
