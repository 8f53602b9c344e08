"""Evidence through the real entry point, on SQLite and PostgreSQL: add, list, export, verify."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from tests.e2e.test_cli_bank import home_env, lines, new_case  # noqa: F401 - home_env is a fixture
from tests.e2e.test_cli_hash import jpeg_bytes, reclaim


@pytest.fixture
def evidence_env(home_env: dict[str, str]) -> dict[str, str]:  # noqa: F811
    return {**home_env, "RECLAIM_PASSPHRASE": "her passphrase"}


def test_add_list_export_verify_and_tamper(evidence_env: dict[str, str], tmp_path: Path) -> None:
    case_id = new_case(evidence_env, "小美")
    screenshot = tmp_path / "shot.jpg"
    screenshot.write_bytes(jpeg_bytes("astronaut", (320, 240)))
    run = reclaim(
        "evidence",
        "add",
        case_id,
        "--url",
        "t.me/c/1234567/89",
        "--capture",
        screenshot,
        "--note",
        "频道在新闻报道后被删除",
        "--seen-at",
        "2026-11-25T08:00:00Z",
        "--json",
        env=evidence_env,
    )
    assert run.returncode == 0, run.stderr
    [added] = lines(run.stdout)
    entry = added["entry"]
    assert isinstance(entry, dict)
    assert entry["source"]["channel_id"] == "1234567" and entry["source"]["message_id"] == "89"
    assert entry["capture"]["pdq"] is not None and entry["recorded_by"] == "helpline-wang"
    assert added["tree_size"] == 2  # the log's "created" event, then this sighting

    listed = lines(reclaim("evidence", "list", case_id, "--json", env=evidence_env).stdout)
    assert [item["entry"]["type"] for item in listed] == ["custody", "sighting"]  # type: ignore[index]

    bundle = tmp_path / "bundle.zip"
    run = reclaim("evidence", "export", case_id, "-o", bundle, "--json", env=evidence_env)
    assert run.returncode == 0, run.stderr
    [exported] = lines(run.stdout)
    key = str(exported["bundle_key"])
    run = reclaim(
        "verify", bundle, "--bundle-key", key, "--fingerprint", str(exported["key_fingerprint"]), "--json"
    )
    assert run.returncode == 0, run.stderr
    [verdict] = lines(run.stdout)
    assert verdict["intact"] is True and verdict["captures_decrypted"] == 1 and verdict["tree_size"] == 3

    with zipfile.ZipFile(bundle) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    files["entries.jsonl"] = files["entries.jsonl"].replace(b"1234567", b"7654321")
    tampered = tmp_path / "tampered.zip"
    with zipfile.ZipFile(tampered, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    run = reclaim("verify", tampered, lang="zh")
    assert run.returncode == 3
    assert "entries.jsonl" in run.stderr and "条目 1" in run.stderr


def test_a_wrong_passphrase_and_bad_input_are_user_errors(
    evidence_env: dict[str, str], tmp_path: Path
) -> None:
    case_id = new_case(evidence_env, "A")
    shot = tmp_path / "shot.jpg"
    shot.write_bytes(jpeg_bytes("coffee", (200, 150)))
    assert (
        reclaim(
            "evidence", "add", case_id, "--url", "t.me/x_channel/1", "--capture", shot, env=evidence_env
        ).returncode
        == 0
    )
    wrong = {**evidence_env, "RECLAIM_PASSPHRASE": "not hers"}
    run = reclaim("evidence", "export", case_id, "-o", tmp_path / "b.zip", env=wrong)
    assert run.returncode == 1 and "passphrase" in run.stderr
    assert not (tmp_path / "b.zip").exists()
    run = reclaim(
        "evidence", "add", case_id, "--url", "t.me/x/1", "--seen-at", "2026-11-25 08:00", env=evidence_env
    )
    assert run.returncode == 1 and "time zone" in run.stderr
    run = reclaim("evidence", "add", case_id, "--url", "ftp://x y", env=evidence_env)
    assert run.returncode == 1


def test_verify_a_hostile_zip_exits_3_with_a_reason(tmp_path: Path) -> None:
    hostile = tmp_path / "hostile.zip"
    with zipfile.ZipFile(hostile, "w") as archive:
        archive.writestr("../../outside.txt", b"x")
    run = reclaim("verify", hostile, "--json")
    assert run.returncode == 3
    assert "forbidden name" in json.loads(run.stdout)["problems"][0]
    assert not (tmp_path.parent / "outside.txt").exists()
    (tmp_path / "junk.zip").write_bytes(b"PK\x03\x04 not really")
    assert reclaim("verify", tmp_path / "junk.zip").returncode == 3
