"""`reclaim bulk scan|match` on Spark (local[2]) and on the local engine, held to `reclaim scan folder`.

The Spark jobs run in this process through the real entry point, so they reuse the session's
SparkSession; the local engine and the other commands run as the `reclaim` a user types.
"""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.parquet as pq
import pytest

from reclaim.cli.main import main
from tests.distributed.conftest import EDITS, Corpus, Home, cli_lines

_EXACT = {"sha256", "md5"}


def bulk_in_process(home: Home, *args: str | Path) -> dict[str, Any]:
    """A `reclaim ... --json` run in this process (the Spark session is this process's)."""
    stdout = io.StringIO()
    with pytest.MonkeyPatch.context() as patch, contextlib.redirect_stdout(stdout):
        for name, value in home.env.items():
            patch.setenv(name, value)
        with pytest.raises(SystemExit) as finished:
            main(["--lang", "en", *map(str, args), "--json"])
    assert finished.value.code in (0, None), stdout.getvalue()
    [summary] = [json.loads(line) for line in stdout.getvalue().splitlines()]
    return summary


class Outputs:
    """Each way of running the job, run the first time a test asks for it (once per database)."""

    def __init__(self, home: Home, corpus: Corpus) -> None:
        self.home, self.corpus = home, corpus
        self.folder = home.root / "out"
        self.folder.mkdir(exist_ok=True)
        self._read: dict[str, pd.DataFrame] = {}

    def path(self, name: str) -> Path:
        return self.folder / f"{name}.parquet"

    def __getitem__(self, name: str) -> pd.DataFrame:
        if name not in self._read:
            self._run(name)
            self._read[name] = read(self.path(name))
        return self._read[name]

    def _run(self, name: str) -> None:
        found, output, env = self.home.found, self.path(name), self.home.env
        if name == "spark":
            bulk_in_process(
                self.home, "bulk", "scan", "--engine", "spark", "--master", "local[2]",
                "--input", found, "--output", output,
            )  # fmt: skip
        elif name == "hashes":  # on the local engine
            cli_lines("bulk", "scan", "--input", found, "--output", output, "--hash-only", env=env)
        elif name == "matched-local":
            self["hashes"]
            cli_lines("bulk", "match", "--hashes", self.path("hashes"), "--output", output, env=env)
        elif name == "matched-spark":
            self["hashes"]
            bulk_in_process(
                self.home, "bulk", "match", "--engine", "spark", "--hashes", self.path("hashes"),
                "--output", output,
            )  # fmt: skip


@pytest.fixture(scope="module")
def outputs(home: Home, corpus: Corpus, spark: Any) -> Outputs:
    return Outputs(home, corpus)


def read(path: Path) -> pd.DataFrame:
    frame = pq.read_table(path).to_pandas()
    return frame.sort_values(["id", "match_entry"] if "match_entry" in frame else ["id"]).reset_index(
        drop=True
    )


def leads_from_rows(rows: pd.DataFrame) -> set[tuple[str, int, str, int, str]]:
    """What a scan would queue from these rows: per file (one case here), its best match."""
    best: dict[str, tuple[tuple[int, int, int], tuple[str, int, str, int, str]]] = {}
    for row in rows[rows["match_entry"].notna()].itertuples():
        rank = (0 if row.match_signal in _EXACT else 1, int(row.distance), int(row.match_entry))
        lead = (
            Path(str(row.id)).as_uri(),
            int(row.match_entry),
            str(row.match_signal),
            int(row.distance),
            str(row.via),
        )
        if row.id not in best or rank < best[row.id][0]:
            best[row.id] = (rank, lead)
    return {lead for _, lead in best.values()}


def queued(leads: list[dict[str, Any]], platform: str) -> set[tuple[str, int, str, int, str]]:
    return {
        (lead["source"]["url"], lead["entry_id"], lead["signal"], lead["distance"], lead["via"])
        for lead in leads
        if lead["source"]["platform"] == platform
    }


def test_spark_job_finds_what_scan_folder_finds(home: Home, corpus: Corpus, outputs: Outputs) -> None:
    expected = queued(home.scan_leads, "folder")

    assert len(expected) >= (60 if home.found == corpus.found else 20)  # most copies and edits
    assert leads_from_rows(outputs["spark"]) == expected
    if home.found == corpus.found:  # every kind of edit is among what both find
        found_files = {Path(url.removeprefix("file://")).stem for url, *_ in expected}
        kinds = {name.split("-", 1)[1] if "-" in name else "original" for name in found_files}
        assert kinds >= {"copy", "q40", *EDITS}


@pytest.mark.parametrize("home", ["sqlite"], indirect=True)
def test_a_malformed_stored_row_is_an_error_row_and_the_rest_match(home: Home, outputs: Outputs) -> None:
    hashes = outputs["hashes"].copy()
    broken = hashes.index[hashes["error"].isna()][:2]
    hashes.loc[broken[0], "pdq"] = "not a hash"
    hashes.at[broken[0], "views"] = None  # searched by its PDQ alone, which is not hexadecimal
    views = list(hashes.at[broken[1], "views"])
    hashes.at[broken[1], "views"] = [{**views[0], "hash": views[0]["hash"][:30]}, *views[1:]]
    table = home.root / "malformed.parquet"
    hashes.to_parquet(table)

    cli_lines("bulk", "match", "--hashes", table, "--output", outputs.path("malformed"), env=home.env)

    rows = read(outputs.path("malformed"))
    bad_ids = set(hashes.loc[broken, "id"])
    for row in rows[rows["id"].isin(bad_ids)].to_dict("records"):
        assert "malformed hash" in row["error"] and pd.isna(row["match_entry"])
    good = rows[~rows["id"].isin(bad_ids)].reset_index(drop=True)
    expected = outputs["spark"][~outputs["spark"]["id"].isin(bad_ids)].reset_index(drop=True)
    pd.testing.assert_frame_equal(good, expected, check_dtype=False)


def test_every_file_has_a_row_and_a_corrupt_one_an_error(home: Home, outputs: Outputs) -> None:
    rows = outputs["spark"]
    files = sorted(str(path) for path in home.found.iterdir())

    assert sorted(set(rows["id"])) == files
    [broken] = rows[rows["id"] == str(home.found / "corrupt.jpg")].to_dict("records")
    assert "corrupt.jpg" in broken["error"]
    assert pd.isna(broken["sha256"]) and pd.isna(broken["match_entry"])
    unmatched = rows[rows["match_entry"].isna() & rows["error"].isna()]
    assert len(unmatched) > 5  # the decoys: one row each, hashes but no match
    assert unmatched["sha256"].str.len().eq(64).all() and unmatched["pdq"].str.len().eq(64).all()


def test_platform_output_names_no_case(home: Home, outputs: Outputs) -> None:
    matched = outputs["spark"].dropna(subset=["match_entry"])

    assert set(matched["match_bank"]) == {"protected"}
    assert (
        not outputs["spark"].astype(str).apply(lambda column: column.str.contains(home.case_id)).any().any()
    )


# Which engine ran a job does not depend on the database: these run on SQLite only. Media is
# hashed once per engine (hashing is what costs): Spark scans it, the local engine hashes it.
@pytest.mark.parametrize("home", ["sqlite"], indirect=True)
def test_local_engine_hashes_as_the_spark_engine_does(outputs: Outputs) -> None:
    hash_columns = ["id", "kind", "sha256", "md5", "pdq", "pdq_quality", "vpdq", "error"]
    scanned = outputs["spark"][hash_columns].drop_duplicates("id").reset_index(drop=True)

    pd.testing.assert_frame_equal(outputs["hashes"][hash_columns], scanned, check_dtype=False)


@pytest.mark.parametrize("home", ["sqlite"], indirect=True)
@pytest.mark.parametrize("engine", ["local", "spark"])
def test_hashes_then_bulk_match_gives_the_direct_scan(outputs: Outputs, engine: str) -> None:
    hashes = outputs["hashes"]

    assert "match_entry" not in hashes
    assert hashes["views"].map(lambda views: views is None or len(views) > 0).all()
    pd.testing.assert_frame_equal(outputs[f"matched-{engine}"], outputs["spark"], check_dtype=False)


@pytest.mark.parametrize("home", ["sqlite"], indirect=True)
def test_hashes_stored_as_hex_by_an_earlier_version_still_match(home: Home, outputs: Outputs) -> None:
    hashes = outputs["hashes"].copy()
    stored = [view["hash"] for views in hashes["views"].dropna() for view in views]
    assert stored and all(isinstance(h, bytes) and len(h) == 32 for h in stored)  # raw bytes now
    hashes["views"] = hashes["views"].map(
        lambda views: None if views is None else [{**view, "hash": view["hash"].hex()} for view in views]
    )
    table = home.root / "hex-hashes.parquet"
    hashes.to_parquet(table)

    cli_lines("bulk", "match", "--hashes", table, "--output", outputs.path("hex-matched"), env=home.env)

    pd.testing.assert_frame_equal(read(outputs.path("hex-matched")), outputs["spark"], check_dtype=False)


@pytest.mark.parametrize("home", ["sqlite"], indirect=True)
def test_a_table_of_media_bytes_with_its_own_ids_gives_the_same_rows(home: Home, outputs: Outputs) -> None:
    files = sorted(home.found.iterdir())[::8]  # some thirty: photos, edits, decoys and the corrupt one
    table = home.root / "media.parquet"
    media = pd.DataFrame(
        {"media_id": range(100, 100 + len(files)), "content": [p.read_bytes() for p in files]}
    )
    media.to_parquet(table)

    cli_lines(
        "bulk",
        "scan",
        "--input",
        table,
        "--id-column",
        "media_id",
        "--output",
        outputs.path("table"),
        env=home.env,
    )

    rows = read(outputs.path("table"))
    assert rows["id"].dtype.kind == "i"  # the caller's ids, in their own type
    by_path = outputs["spark"].set_index("id")
    for media_id, path in zip(media["media_id"], files, strict=True):
        mine = rows[rows["id"] == media_id].drop(columns="id").reset_index(drop=True)
        theirs = by_path.loc[[str(path)]].reset_index(drop=True)
        if path.name == "corrupt.jpg":  # the error names the row, not a file
            assert mine["error"].notna().all() and mine["sha256"].isna().all()
            continue
        pd.testing.assert_frame_equal(mine, theirs, check_dtype=False)


def test_review_import_queues_the_leads_scan_folder_queued(home: Home, outputs: Outputs) -> None:
    outputs["spark"]
    spark_output = outputs.path("spark")

    [summary] = cli_lines("review", "import", spark_output, env=home.env)
    [again] = cli_lines("review", "import", spark_output, env=home.env)

    leads = cli_lines("review", "list", env=home.env)
    assert queued(leads, "bulk") == queued(home.scan_leads, "folder")
    assert {lead["case_id"] for lead in leads} == {home.case_id}
    assert summary["queued"] == len(queued(home.scan_leads, "folder"))
    assert again["queued"] == 0  # the same output twice queues nothing twice
