"""Platform routes on a real bank: match by hash and by upload, follow new and withdrawn entries."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import os
import time
from pathlib import Path

from fastapi.testclient import TestClient
from PIL import Image
from skimage import data

from reclaim.api.app import create_app
from reclaim.config import MediaLimits, Settings
from reclaim.services.tokens import create_token
from tests.api.conftest import assert_not_on_disk, bearer, flat_jpeg, protect, protect_astronaut
from tests.e2e.test_cli_hash import reclaim


def reencoded_astronaut(comment: bytes = b"") -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(data.astronaut()).resize((300, 300)).save(buffer, "JPEG", quality=40, comment=comment)
    return buffer.getvalue()


def marked_upload() -> tuple[bytes, bytes]:
    """An upload, and a stretch of its bytes no other file can hold: a random JPEG comment.

    A stretch of the picture's own data would not do: a test running beside this one may save
    the same sample photo, and its file would hold the same bytes.
    """
    marker = os.urandom(32).hex().encode("ascii")
    upload = reencoded_astronaut(comment=marker)
    assert marker in upload
    return upload, marker


def test_a_protected_photo_matches_by_its_pdq_and_a_reencoded_upload_by_its_bytes(
    home_env: dict[str, str], tmp_path: Path, client: TestClient, tokens: dict[str, str]
) -> None:
    # Protected after the server started: the worker follows the bank without a restart.
    photo = protect_astronaut(home_env, tmp_path / "mine")
    ids = photo.entry_ids
    headers = bearer(tokens["platform"])

    by_hash = client.get("/v1/match", params={"signal_type": "pdq", "signal": photo.pdq}, headers=headers)
    assert by_hash.status_code == 200, by_hash.text
    assert by_hash.json() == {"matches": [{"bank": "protected", "entry_id": ids["pdq"], "distance": 0}]}
    by_digest = client.get(
        "/v1/match", params={"signal_type": "sha256", "signal": photo.sha256}, headers=headers
    )
    assert by_digest.json()["matches"] == [{"bank": "protected", "entry_id": ids["sha256"], "distance": 0}]

    upload = reencoded_astronaut()
    by_bytes = client.post("/v1/match", content=upload, headers=headers)

    assert by_bytes.status_code == 200, by_bytes.text
    answer = by_bytes.json()
    [hit] = answer["matches"]
    assert hit["entry_id"] == ids["pdq"] and 0 < hit["distance"] <= 31 and hit["bank"] == "protected"
    assert answer["hashes"]["sha256"] == hashlib.sha256(upload).hexdigest()
    assert answer["hashes"]["md5"] == hashlib.md5(upload).hexdigest()
    assert len(answer["hashes"]["pdq"]["hash"]) == 64 and answer["hashes"]["pdq"]["quality"] >= 50
    assert photo.case_id not in by_hash.text + by_bytes.text  # platforms never see cases


def test_an_upload_leaves_nothing_of_itself_on_disk(
    api_settings: Settings, client: TestClient, tokens: dict[str, str]
) -> None:
    upload, marker = marked_upload()
    started = time.time() - 1

    assert client.post("/v1/match", content=upload, headers=bearer(tokens["platform"])).status_code == 200

    assert_not_on_disk(marker, since=started, home=api_settings.home)


def test_an_unrelated_upload_matches_nothing(
    home_env: dict[str, str], tmp_path: Path, client: TestClient, tokens: dict[str, str]
) -> None:
    protect_astronaut(home_env, tmp_path / "mine")
    buffer = io.BytesIO()
    Image.fromarray(data.rocket()).save(buffer, "JPEG", quality=90)

    response = client.post("/v1/match", content=buffer.getvalue(), headers=bearer(tokens["admin"]))

    assert response.status_code == 200 and response.json()["matches"] == []


def test_withdrawn_entries_appear_in_the_feed_and_stop_matching(
    home_env: dict[str, str], tmp_path: Path, client: TestClient, tokens: dict[str, str]
) -> None:
    photo = protect_astronaut(home_env, tmp_path / "mine")
    ids = photo.entry_ids
    headers = bearer(tokens["platform"])
    first = client.get("/v1/bank/entries", params={"since": "0"}, headers=headers).json()
    assert {(e["entry_id"], e["status"], e["signal_type"]) for e in first["entries"]} == {
        (entry_id, "active", signal) for signal, entry_id in ids.items()
    }
    assert {e["value"] for e in first["entries"]} == {photo.sha256, photo.md5, photo.pdq}
    assert photo.case_id not in str(first)
    pdq_query = {"signal_type": "pdq", "signal": photo.pdq}

    run = reclaim("bank", "withdraw", str(ids["pdq"]), "--yes", "--reason", "her request", env=home_env)
    assert run.returncode == 0, run.stderr

    delta = client.get("/v1/bank/entries", params={"since": first["next_cursor"]}, headers=headers).json()
    assert [(e["entry_id"], e["status"], e["value"], e["bank"]) for e in delta["entries"]] == [
        (ids["pdq"], "withdrawn", None, "protected")
    ]
    assert client.get("/v1/match", params=pdq_query, headers=headers).json()["matches"] == []
    assert client.get("/v1/bank/entries", params={"since": delta["next_cursor"]}, headers=headers).json() == {
        "entries": [],
        "next_cursor": delta["next_cursor"],
    }

    # Her whole case withdrawn: its rows are deleted, and the feed still says which entries went.
    run = reclaim("withdraw", photo.case_id, "--yes", env=home_env)
    assert run.returncode == 0, run.stderr
    gone = client.get("/v1/bank/entries", params={"since": delta["next_cursor"]}, headers=headers).json()
    assert {(e["entry_id"], e["status"], e["value"]) for e in gone["entries"]} == {
        (entry_id, "withdrawn", None) for entry_id in ids.values()
    }
    sha = {"signal_type": "sha256", "signal": photo.sha256}
    assert client.get("/v1/match", params=sha, headers=headers).json()["matches"] == []


def test_the_feed_pages_by_cursor_without_losing_or_repeating_entries(
    home_env: dict[str, str], tmp_path: Path, client: TestClient, tokens: dict[str, str]
) -> None:
    photo = protect_astronaut(home_env, tmp_path / "mine")
    headers = bearer(tokens["platform"])
    cursor, seen = "0", []
    for _ in range(10):
        page = client.get("/v1/bank/entries", params={"since": cursor, "limit": 2}, headers=headers).json()
        if not page["entries"]:
            break
        assert len(page["entries"]) <= 2
        seen += [e["entry_id"] for e in page["entries"]]
        cursor = page["next_cursor"]
    assert sorted(seen) == sorted(photo.entry_ids.values())

    bad = client.get("/v1/bank/entries", params={"since": "yesterday"}, headers=headers)
    assert bad.status_code == 400 and "since=0" in bad.json()["hint"]


def test_low_quality_entries_match_only_when_asked(
    home_env: dict[str, str], tmp_path: Path, client: TestClient, tokens: dict[str, str]
) -> None:
    flat = protect(home_env, flat_jpeg(tmp_path / "flat.jpg"), "flat")
    assert flat.low_quality
    query = {"signal_type": "pdq", "signal": flat.pdq}
    headers = bearer(tokens["platform"])

    assert client.get("/v1/match", params=query, headers=headers).json()["matches"] == []
    asked = client.get("/v1/match", params={**query, "include_low_quality": "true"}, headers=headers).json()
    assert [hit["entry_id"] for hit in asked["matches"]] == [flat.entry_ids["pdq"]]


def test_an_upload_over_the_size_limit_is_refused_unread(api_settings: Settings) -> None:
    small = dataclasses.replace(api_settings, limits=MediaLimits(max_file_bytes=10_000))
    app = create_app(small, check_every=0)
    token = create_token(app.state.engine, role="platform", actor="test-admin").token
    try:
        with TestClient(app) as client:
            response = client.post("/v1/match", content=reencoded_astronaut(), headers=bearer(token))
            empty = client.post("/v1/match", content=b"", headers=bearer(token))
            text = client.post("/v1/match", content=b"just words", headers=bearer(token))
    finally:
        app.state.engine.dispose()

    assert response.status_code == 413 and "10000" in response.json()["error"]
    assert empty.status_code == 400
    assert text.status_code == 415
