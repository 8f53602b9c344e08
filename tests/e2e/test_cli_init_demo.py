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


def test_demo_finds_the_reshared_copy_and_keeps_no_photo_in_the_database(tmp_path: Path) -> None:
    home = tmp_path / "demo"
    run = reclaim("demo", "--home", home, "--json", env={})
    assert run.returncode == 0, run.stderr
    lines = [json.loads(line) for line in run.stdout.splitlines()]
    hashed = [line for line in lines if "kind" in line]
    pairs = [line for line in lines if "near_duplicate" in line]
    assert len(hashed) == 5 and all(line["pdq"]["quality"] >= 50 for line in hashed)
    assert [sorted(Path(p).name for p in pair["near_duplicate"]) for pair in pairs] == [
        ["chelsea-reshared.jpg", "chelsea.jpg"]
    ]
    database = (home / "reclaim.sqlite3").read_bytes()
    assert b"\xff\xd8\xff" not in database  # no JPEG data stored


def test_demo_speaks_chinese(tmp_path: Path) -> None:
    run = reclaim("--lang", "zh", "demo", "--home", tmp_path / "d", env={})
    assert run.returncode == 0, run.stderr
    assert "转发" in run.stdout or "副本" in run.stdout
