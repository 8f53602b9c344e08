"""Cases, protection and matching through the real entry point, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from skimage import data

from tests.e2e.test_cli_hash import reclaim


def save_jpeg(array: np.ndarray, path: Path, size: tuple[int, int] | None = None, quality: int = 90) -> Path:
    image = Image.fromarray(array).convert("RGB")
    if size:
        image = image.resize(size)
    image.save(path, "JPEG", quality=quality)
    return path


@pytest.fixture
def home_env(database_url: str, tmp_path: Path) -> dict[str, str]:
    env = {"RECLAIM_HOME": str(tmp_path / "home"), "RECLAIM_ACTOR": "helpline-wang"}
    if not database_url.startswith("sqlite"):
        env["RECLAIM_DATABASE_URL"] = database_url
    assert reclaim("init", env=env).returncode == 0
    return env


def lines(stdout: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in stdout.splitlines()]


def new_case(env: dict[str, str], title: str) -> str:
    run = reclaim("case", "new", title, "--json", env=env)
    assert run.returncode == 0, run.stderr
    case_id = lines(run.stdout)[0]["case_id"]
    assert isinstance(case_id, str)
    return case_id


def test_protect_then_match_a_reshared_copy_then_withdraw(home_env: dict[str, str], tmp_path: Path) -> None:
    mine = tmp_path / "mine"
    mine.mkdir()
    save_jpeg(data.astronaut(), mine / "a.jpg")
    save_jpeg(data.coffee(), mine / "b.jpg")
    case_id = new_case(home_env, "小美")

    run = reclaim("protect", case_id, mine, "--attest", "self", "--json", env=home_env)

    assert run.returncode == 0, run.stderr
    items = lines(run.stdout)
    assert [Path(str(item["path"])).name for item in items] == ["a.jpg", "b.jpg"]
    assert all({e["signal"] for e in item["entries"]} == {"sha256", "md5", "pdq"} for item in items)  # type: ignore[union-attr]
    assert sorted(os.listdir(mine)) == ["a.jpg", "b.jpg"]  # nothing copied or moved

    reshared = save_jpeg(data.astronaut(), tmp_path / "reshared.jpg", size=(300, 300), quality=40)
    unrelated = save_jpeg(data.rocket(), tmp_path / "unrelated.jpg")
    run = reclaim("match", reshared, unrelated, "--json", env=home_env)
    assert run.returncode == 0, run.stderr
    by_query = {Path(str(r["query"])).name: r["matches"] for r in lines(run.stdout)}
    [hit] = by_query["reshared.jpg"]  # type: ignore[misc]
    assert hit["case_id"] == case_id and hit["signal"] == "pdq" and hit["distance"] <= 31
    assert by_query["unrelated.jpg"] == []

    exact = reclaim("match", mine / "b.jpg", "--json", env=home_env)
    assert {m["signal"] for m in lines(exact.stdout)[0]["matches"]} == {"sha256", "md5", "pdq"}  # type: ignore[union-attr]

    run = reclaim("bank", "withdraw", str(hit["entry_id"]), "--yes", "--reason", "her request", env=home_env)
    assert run.returncode == 0, run.stderr
    assert lines(reclaim("match", reshared, "--json", env=home_env).stdout)[0]["matches"] == []
    shown = lines(reclaim("case", "show", case_id, "--json", "--withdrawn", env=home_env).stdout)
    withdrawn = [e for e in shown[1:] if e["status"] == "withdrawn"]
    assert [(e["entry_id"], e["value"], e["submitted_by"]) for e in withdrawn] == [
        (hit["entry_id"], None, "helpline-wang")
    ]


def test_a_found_copy_protects_every_further_reshare(home_env: dict[str, str], tmp_path: Path) -> None:
    found = save_jpeg(data.chelsea(), tmp_path / "found-on-channel.jpg", quality=75)
    case_id = new_case(home_env, "voyeur case")

    run = reclaim("protect", case_id, "--from-found", found, "--attest", "on-behalf", "--json", env=home_env)

    assert run.returncode == 0, run.stderr
    assert lines(run.stdout)[0]["source_kind"] == "found-copy"
    reshare = save_jpeg(np.asarray(Image.open(found)), tmp_path / "reshare.jpg", size=(240, 180), quality=35)
    [result] = lines(reclaim("match", reshare, "--json", env=home_env).stdout)
    assert [m["case_id"] for m in result["matches"]] == [case_id]  # type: ignore[union-attr]
    entries = lines(reclaim("bank", "entries", "--json", env=home_env).stdout)
    assert {(e["source_kind"], e["attestation"]) for e in entries} == {("found-copy", "on-behalf")}


def test_low_quality_photos_are_kept_flagged_and_matched_only_on_request(
    home_env: dict[str, str], tmp_path: Path
) -> None:
    plain = np.full((400, 400, 3), 128, np.uint8)
    plain[:, 200:] = 131
    photo = save_jpeg(plain, tmp_path / "plain.jpg")
    case_id = new_case(home_env, "plain")

    run = reclaim("protect", case_id, photo, "--attest", "self", "--json", env=home_env)

    assert run.returncode == 0, run.stderr
    assert lines(run.stdout)[0]["low_quality"] is True
    assert "warning" in run.stderr
    assert lines(reclaim("match", photo, "--json", env=home_env).stdout)[0]["matches"] != []  # digests
    pdq = [
        e for e in lines(reclaim("bank", "entries", "--json", env=home_env).stdout) if e["signal"] == "pdq"
    ]
    assert pdq[0]["low_quality"] is True
    by_default = lines(reclaim("match", pdq[0]["value"], "--json", env=home_env).stdout)[0]["matches"]
    on_request = reclaim("match", pdq[0]["value"], "--include-low-quality", "--json", env=home_env)
    assert by_default == []
    assert [m["entry_id"] for m in lines(on_request.stdout)[0]["matches"]] == [pdq[0]["entry_id"]]  # type: ignore[index]


def test_protect_without_an_attestation_is_refused_in_plain_words(
    home_env: dict[str, str], tmp_path: Path
) -> None:
    photo = save_jpeg(data.coffee(), tmp_path / "c.jpg")
    case_id = new_case(home_env, "x")

    english = reclaim("protect", case_id, photo, env=home_env)
    chinese = reclaim("protect", case_id, photo, env=home_env, lang="zh")
    unknown = reclaim("protect", "no-such-case", photo, "--attest", "self", env=home_env)

    assert english.returncode == 1 and "--attest self" in english.stderr
    assert chinese.returncode == 1 and "--attest self" in chinese.stderr and "Say who" not in chinese.stderr
    assert unknown.returncode == 1 and "no-such-case" in unknown.stderr and "Traceback" not in unknown.stderr
    assert lines(reclaim("case", "list", "--json", env=home_env).stdout)[0]["active_entries"] == 0


def test_match_names_what_is_neither_a_file_nor_a_hash(home_env: dict[str, str]) -> None:
    run = reclaim("match", "not-a-file-or-hash", env=home_env)

    assert run.returncode == 1
    assert "not-a-file-or-hash" in run.stderr and "Traceback" not in run.stderr
