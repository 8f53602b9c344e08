"""Protected identifiers through the real entry point: kept only as keyed hashes, found in text."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tests.e2e.test_cli_bank import home_env, lines, new_case
from tests.e2e.test_cli_hash import reclaim

__all__ = ["home_env"]

PHONE = "13812345678"
NAME = "林小梅"


def test_identifiers_are_stored_as_keyed_hashes_and_found_through_obfuscation(
    home_env: dict[str, str], tmp_path: Path
) -> None:
    case_id = new_case(home_env, "小梅")
    added = reclaim(
        "identifiers",
        "add",
        case_id,
        "--phone",
        "138-1234-5678",
        "--name",
        NAME,
        "--handle",
        "@Lin_XiaoMei",
        "--json",
        env=home_env,
    )
    assert added.returncode == 0, added.stderr
    records = lines(added.stdout)
    assert [r["kind"] for r in records] == ["phone", "handle", "name"]
    assert all(r["added"] for r in records)

    again = reclaim("identifiers", "add", case_id, "--phone", "+86 138 1234 5678", "--json", env=home_env)
    assert [r["added"] for r in lines(again.stdout)] == [False]  # the same number, written another way

    listed = lines(reclaim("identifiers", "list", case_id, "--json", env=home_env).stdout)
    assert len(listed) == 3

    leak = tmp_path / "leak.txt"
    leak.write_text("爆料：这是林小梅，电话 一三八 一二三四 五六七八，tg @lin.xiaomei\n", encoding="utf-8")
    decoy = tmp_path / "decoy.txt"
    decoy.write_text("林小美 的电话 13812345679，另一个 2138123456789\n", encoding="utf-8")
    found = reclaim("identifiers", "find", str(leak), str(decoy), "--json", env=home_env)
    assert found.returncode == 0, found.stderr
    hits = lines(found.stdout)
    assert {(h["path"], h["kind"]) for h in hits} == {
        (str(leak), "phone"),
        (str(leak), "name"),
        (str(leak), "handle"),
    }
    text = leak.read_text(encoding="utf-8")
    name_hit = next(h for h in hits if h["kind"] == "name")
    assert text[int(name_hit["start"]) : int(name_hit["end"])] == NAME  # type: ignore[call-overload]

    home = Path(home_env["RECLAIM_HOME"])
    for path in home.rglob("*"):
        if path.is_file():
            content = path.read_bytes()
            assert PHONE.encode() not in content
            assert NAME.encode() not in content
    if (home / "reclaim.sqlite3").exists():
        with sqlite3.connect(home / "reclaim.sqlite3") as db:
            dump = "\n".join(db.iterdump())
        assert PHONE not in dump and NAME not in dump


def test_a_bad_identifier_is_a_user_error_and_nothing_is_stored(home_env: dict[str, str]) -> None:
    case_id = new_case(home_env, "case")
    bad = reclaim(
        "identifiers",
        "add",
        case_id,
        "--email",
        "a@example.org",
        "--id-number",
        "110105194912310021",
        env=home_env,
    )
    assert bad.returncode == 1
    assert "Traceback" not in bad.stderr
    assert lines(reclaim("identifiers", "list", case_id, "--json", env=home_env).stdout) == []
    empty = reclaim("identifiers", "add", case_id, env=home_env)
    assert empty.returncode == 1
