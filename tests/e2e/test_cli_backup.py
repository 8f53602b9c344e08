"""Backup and restore through the real entry point, on SQLite and PostgreSQL: nothing in the clear,
and a restored home's evidence logs verify and keep growing."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.test_cli_bank import home_env, lines, new_case  # noqa: F401 - home_env is a fixture
from tests.e2e.test_cli_hash import jpeg_bytes, reclaim

PASSPHRASE = "her long passphrase"


@pytest.fixture
def source_env(home_env: dict[str, str]) -> dict[str, str]:  # noqa: F811
    return {**home_env, "RECLAIM_PASSPHRASE": PASSPHRASE}


@pytest.fixture
def target_env(database_url: str, tmp_path: Path, request: pytest.FixtureRequest) -> dict[str, str]:
    env = {
        "RECLAIM_HOME": str(tmp_path / "restored"),
        "RECLAIM_PASSPHRASE": PASSPHRASE,
        "RECLAIM_ACTOR": "helpline-li",
    }
    if not database_url.startswith("sqlite"):
        env["RECLAIM_DATABASE_URL"] = request.getfixturevalue("postgres_url")
    return env


def test_backup_restores_into_a_new_home_whose_logs_verify_and_continue(
    source_env: dict[str, str], target_env: dict[str, str], tmp_path: Path
) -> None:
    case_id = new_case(source_env, "小美的案件")
    shot = tmp_path / "shot.jpg"
    capture = jpeg_bytes("astronaut", (320, 240))
    shot.write_bytes(capture)
    run = reclaim("evidence", "add", case_id, "--url", "t.me/maskpark/9", "--capture", shot, env=source_env)
    assert run.returncode == 0, run.stderr
    first = tmp_path / "first.zip"
    assert reclaim("evidence", "export", case_id, "-o", first, env=source_env).returncode == 0
    backup = tmp_path / "home.reclaim-backup"
    run = reclaim("backup", "-o", backup, "--json", env=source_env)
    assert run.returncode == 0, run.stderr
    [summary] = lines(run.stdout)
    assert summary["vault_files"] == 2  # the case key and the capture

    sealed = backup.read_bytes()
    key_pem = (Path(source_env["RECLAIM_HOME"]) / "keys" / "signing-ed25519.pem").read_bytes()
    for secret in (
        capture[len(capture) // 2 : len(capture) // 2 + 24],
        "小美的案件".encode(),
        key_pem[40:80],
        case_id.encode(),
    ):
        assert secret not in sealed

    wrong = reclaim("restore", backup, env={**target_env, "RECLAIM_PASSPHRASE": "guess"})
    assert wrong.returncode == 1 and "passphrase" in wrong.stderr
    assert not any(Path(target_env["RECLAIM_HOME"]).iterdir())  # nothing left behind but the empty home
    run = reclaim("restore", backup, "--json", env=target_env)
    assert run.returncode == 0, run.stderr
    [restored] = lines(run.stdout)
    assert restored["problems"] == {} and restored["cases_checked"] == 1
    assert restored["key_fingerprint"] == summary["key_fingerprint"]
    again = reclaim("restore", backup, env=target_env)
    assert again.returncode == 1 and "not empty" in again.stderr

    # The restored home goes on: new entries take the next places (sequences continue on PostgreSQL).
    run = reclaim("evidence", "add", case_id, "--url", "t.me/maskpark_2/1", env=target_env)
    assert run.returncode == 0, run.stderr
    later = tmp_path / "later.zip"
    run = reclaim("evidence", "export", case_id, "-o", later, "--json", env=target_env)
    assert run.returncode == 0, run.stderr
    key = str(lines(run.stdout)[0]["bundle_key"])
    run = reclaim(
        "verify",
        later,
        "--extends",
        first,
        "--bundle-key",
        key,
        "--fingerprint",
        str(summary["key_fingerprint"]),
    )
    assert run.returncode == 0, run.stderr


def test_an_altered_backup_is_refused(
    source_env: dict[str, str], target_env: dict[str, str], tmp_path: Path
) -> None:
    backup = tmp_path / "b"
    assert reclaim("backup", "-o", backup, env=source_env).returncode == 0
    data = bytearray(backup.read_bytes())
    data[len(data) // 2] ^= 0x20
    backup.write_bytes(bytes(data))
    run = reclaim("restore", backup, env=target_env)
    assert run.returncode == 1 and "altered" in run.stderr
