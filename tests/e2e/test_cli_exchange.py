"""Hash lists through the CLI: import with provenance, withdrawal at the source, safe exports."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from skimage import data

from tests.e2e.test_cli_bank import lines, new_case, save_jpeg
from tests.e2e.test_cli_hash import reclaim

PDQ_A = "f" * 32 + "0" * 32
PDQ_B = "0f" * 32


def stopncii_feed(path: Path, statuses: dict[str, str]) -> Path:
    records = [
        {"hashValue": value, "signalType": "ImagePDQ", "hashStatus": status, "lastModtimestamp": 1764000000}
        for value, status in statuses.items()
    ]
    path.write_text(json.dumps({"count": len(records), "hashRecords": records}))
    return path


@pytest.fixture
def home(tmp_path: Path) -> dict[str, str]:
    env = {"RECLAIM_HOME": str(tmp_path / "home"), "RECLAIM_ACTOR": "helpline-wang"}
    assert reclaim("init", env=env).returncode == 0
    return env


def test_a_feed_that_withdraws_a_hash_removes_it_here(home: dict[str, str], tmp_path: Path) -> None:
    first = stopncii_feed(tmp_path / "feed1.json", {PDQ_A: "Active", PDQ_B: "Active"})
    run = reclaim("bank", "import", first, "--bank", "stopncii", "--json", env=home)
    assert run.returncode == 0, run.stderr
    assert lines(run.stdout)[0]["added"] == 2
    assert lines(reclaim("match", PDQ_A, "--json", env=home).stdout)[0]["matches"] != []

    later = stopncii_feed(tmp_path / "feed2.json", {PDQ_A: "Withdrawn"})
    run = reclaim("bank", "import", later, "--bank", "stopncii", "--json", env=home)

    assert lines(run.stdout)[0]["withdrawn_by_list"] == 1
    assert lines(reclaim("match", PDQ_A, "--json", env=home).stdout)[0]["matches"] == []
    assert lines(reclaim("match", PDQ_B, "--json", env=home).stdout)[0]["matches"] != []
    entries = lines(reclaim("bank", "entries", "--withdrawn", "--json", env=home).stdout)
    assert {(e["status"], e["source_kind"], e["attestation"]) for e in entries} == {
        ("withdrawn", "import", "list"),
        ("active", "import", "list"),
    }


def test_an_import_never_undoes_a_withdrawal_made_here(home: dict[str, str], tmp_path: Path) -> None:
    feed = stopncii_feed(tmp_path / "feed.json", {PDQ_A: "Active"})
    reclaim("bank", "import", feed, "--bank", "partner", env=home)
    [entry] = lines(reclaim("bank", "entries", "--json", env=home).stdout)
    reclaim("bank", "withdraw", str(entry["entry_id"]), "--yes", env=home)

    run = reclaim("bank", "import", feed, "--bank", "another-partner", "--json", env=home)

    assert lines(run.stdout)[0]["kept_withdrawn"] == 1
    assert lines(reclaim("match", PDQ_A, "--json", env=home).stdout)[0]["matches"] == []


def test_bad_lines_are_named_and_the_rest_imported(home: dict[str, str], tmp_path: Path) -> None:
    listing = tmp_path / "list.txt"
    listing.write_text(f"pdq {PDQ_A}\npdq not-a-hash\nvideo_md5 {'a' * 32}\n")

    run = reclaim("bank", "import", listing, "--json", env=home)

    assert run.returncode == 0, run.stderr
    summary = lines(run.stdout)[0]
    assert summary["added"] == 2 and summary["bank"] == "list-list"
    assert [p["position"] for p in summary["problems"]] == [2]  # type: ignore[union-attr]
    assert "2" in run.stderr and "warning" in run.stderr


@pytest.mark.parametrize(
    "list_format",
    ["reclaim-jsonl", "reclaim-csv", "threatexchange-signals", "hma-bank-requests", "stopncii-json"],
)
def test_exports_round_trip_and_carry_no_names(
    home: dict[str, str], tmp_path: Path, list_format: str
) -> None:
    case_id = new_case(home, "Xiao Mei Zhang, 13800138000")
    photo = save_jpeg(data.astronaut(), tmp_path / "mine.jpg")
    reclaim("protect", case_id, photo, "--attest", "self", env=home)
    exported = tmp_path / f"export.{list_format}"

    run = reclaim("bank", "export", f"case-{case_id}", "--format", list_format, "-o", exported, env=home)

    assert run.returncode == 0, run.stderr
    text = exported.read_text()
    assert "Xiao" not in text and "13800138000" not in text and "helpline-wang" not in text
    assert "mine.jpg" not in text and case_id not in text
    pdq = next(
        e for e in lines(reclaim("bank", "entries", "--json", env=home).stdout) if e["signal"] == "pdq"
    )
    assert pdq["value"] in text
    run = reclaim("bank", "import", exported, "--bank", "copy", "--format", list_format, "--json", env=home)
    assert run.returncode == 0, run.stderr
    assert lines(run.stdout)[0]["added"] >= 2  # pdq and md5 travel in every format


def test_protect_from_a_hashes_file_records_where_they_came_from(
    home: dict[str, str], tmp_path: Path
) -> None:
    case_id = new_case(home, "offline")
    hashes = tmp_path / "hashes.jsonl"
    hashes.write_text(json.dumps({"signal_type": "pdq", "value": PDQ_B, "quality": 90}) + "\n")

    run = reclaim("protect", case_id, "--hashes", hashes, "--attest", "self", "--json", env=home)

    assert run.returncode == 0, run.stderr
    assert lines(run.stdout)[0]["added"] == 1
    [entry] = lines(reclaim("case", "show", case_id, "--json", env=home).stdout)[1:]
    assert (entry["source_kind"], entry["value"], entry["case_id"]) == ("hashes-file", PDQ_B, case_id)
    both = reclaim("protect", case_id, tmp_path, "--hashes", hashes, "--attest", "self", env=home)
    assert both.returncode == 1 and "--hashes" in both.stderr
