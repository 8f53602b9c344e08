"""Safeguards against a poisoned bank: floods and "not NCII" feedback hold an entry for review."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from reclaim.api.app import create_app
from reclaim.config import FloodLimit, Settings
from reclaim.services.tokens import create_token
from tests.api.conftest import Protected, bearer, protect_astronaut
from tests.e2e.test_cli_bank import lines
from tests.e2e.test_cli_hash import reclaim

FLOOD_AT = 3


@pytest.fixture
def flood_settings(api_settings: Settings) -> Settings:
    return dataclasses.replace(api_settings, flood=FloodLimit(matches=FLOOD_AT, hours=24))


@pytest.fixture
def workers(flood_settings: Settings) -> Iterator[tuple[TestClient, TestClient]]:
    """Two apps over one database, as two server workers are: each counts its own lookups."""
    apps: list[FastAPI] = [create_app(flood_settings, check_every=0) for _ in range(2)]
    with TestClient(apps[0]) as first, TestClient(apps[1]) as second:
        yield first, second
    for app in apps:
        app.state.engine.dispose()


def match_by_pdq(client: TestClient, token: str, photo: Protected) -> list[int]:
    answer = client.get(
        "/v1/match", params={"signal_type": "pdq", "signal": photo.pdq}, headers=bearer(token)
    )
    assert answer.status_code == 200, answer.text
    return [match["entry_id"] for match in answer.json()["matches"]]


def feed_status(client: TestClient, token: str, entry_id: int) -> str:
    entries = client.get("/v1/bank/entries", params={"since": "0"}, headers=bearer(token)).json()["entries"]
    return next(entry["status"] for entry in reversed(entries) if entry["entry_id"] == entry_id)


def test_an_entry_matching_more_lookups_than_a_private_photo_could_is_held_until_cleared(
    home_env: dict[str, str], tmp_path: Path, workers: tuple[TestClient, TestClient], flood_settings: Settings
) -> None:
    first, second = workers
    engine = first.app.state.engine  # type: ignore[attr-defined]
    platform = create_token(engine, role="platform", actor="admin").token
    caseworker = create_token(engine, role="caseworker", actor="admin").token
    photo = protect_astronaut(home_env, tmp_path / "mine")
    pdq_entry = photo.entry_ids["pdq"]

    # Lookups through both workers count together. A worker hands its counts over at its next
    # check, so when the total reaches the limit one lookup per worker is still on its way.
    answers = [match_by_pdq(worker, platform, photo) for worker in (first, second) * 3]
    assert answers == [[pdq_entry]] * (FLOOD_AT + 1) + [[], []]
    assert feed_status(first, platform, pdq_entry) == "quarantined"
    # The other signals of the same photo did not flood and still match.
    digest = first.get(
        "/v1/match", params={"signal_type": "sha256", "signal": photo.sha256}, headers=bearer(platform)
    )
    assert [m["entry_id"] for m in digest.json()["matches"]] == [photo.entry_ids["sha256"]]

    held = first.get("/v1/quarantine", headers=bearer(caseworker)).json()["entries"]
    assert [(e["entry_id"], e["reason"], e["case_id"]) for e in held] == [(pdq_entry, "flood", photo.case_id)]
    assert held[0]["recent_matches"] >= FLOOD_AT

    cleared = first.post(f"/v1/quarantine/{pdq_entry}/clear", headers=bearer(caseworker))
    assert cleared.status_code == 200, cleared.text
    # Cleared by a person: it matches again, and more lookups than the limit no longer hold it.
    for _ in range(FLOOD_AT + 2):
        assert match_by_pdq(second, platform, photo) == [pdq_entry]
    assert feed_status(first, platform, pdq_entry) == "active"
    assert first.get("/v1/quarantine", headers=bearer(caseworker)).json() == {"entries": []}
    again = first.post(f"/v1/quarantine/{pdq_entry}/clear", headers=bearer(caseworker))
    assert again.status_code == 400 and "not quarantined" in again.json()["error"]


def test_not_ncii_feedback_holds_an_entry_once_per_platform_and_blocked_is_recorded(
    home_env: dict[str, str], tmp_path: Path, client: TestClient, tokens: dict[str, str]
) -> None:
    photo = protect_astronaut(home_env, tmp_path / "mine")
    entry = photo.entry_ids["pdq"]
    platform, other_platform = (
        tokens["platform"],
        create_token(
            client.app.state.engine,  # type: ignore[attr-defined]
            role="platform",
            actor="admin",
        ).token,
    )

    def feedback(token: str, verdict: str, entry_id: int = entry) -> dict[str, object]:
        answer = client.post(
            f"/v1/bank/entries/{entry_id}/feedback",
            json={"verdict": verdict, "note": "a cartoon"},
            headers=bearer(token),
        )
        assert answer.status_code == 200, answer.text
        result: dict[str, object] = answer.json()
        return result

    assert feedback(platform, "blocked") == {"entry_id": entry, "verdict": "blocked", "quarantined": False}
    assert match_by_pdq(client, platform, photo) == [entry]

    assert feedback(platform, "not_ncii")["quarantined"] is True
    assert match_by_pdq(client, platform, photo) == []
    held = client.get("/v1/quarantine", headers=bearer(tokens["admin"])).json()["entries"]
    assert [e["reason"] for e in held] == ["feedback"]
    assert [f["verdict"] for f in held[0]["feedback"]] == ["blocked", "not_ncii"]
    assert held[0]["feedback"][1]["note"] == "a cartoon"

    client.post(f"/v1/quarantine/{entry}/clear", headers=bearer(tokens["admin"])).raise_for_status()
    # The same platform repeating itself after a person cleared the entry holds nothing...
    assert feedback(platform, "not_ncii")["quarantined"] is False
    assert match_by_pdq(client, platform, photo) == [entry]
    # ...but another platform's first "not NCII" goes back to review.
    assert feedback(other_platform, "not_ncii")["quarantined"] is True
    assert match_by_pdq(client, platform, photo) == []


def test_feedback_on_an_entry_that_is_not_there_or_a_bad_verdict_is_refused(
    home_env: dict[str, str], tmp_path: Path, client: TestClient, tokens: dict[str, str]
) -> None:
    photo = protect_astronaut(home_env, tmp_path / "mine")
    headers = bearer(tokens["platform"])

    missing = client.post("/v1/bank/entries/999999/feedback", json={"verdict": "blocked"}, headers=headers)
    assert missing.status_code == 404 and "999999" in missing.json()["error"]
    bad = client.post(
        f"/v1/bank/entries/{photo.entry_ids['pdq']}/feedback", json={"verdict": "spam"}, headers=headers
    )
    assert bad.status_code == 422

    withdrawn = reclaim("bank", "withdraw", str(photo.entry_ids["md5"]), "--yes", env=home_env)
    assert withdrawn.returncode == 0, withdrawn.stderr
    gone = client.post(
        f"/v1/bank/entries/{photo.entry_ids['md5']}/feedback", json={"verdict": "not_ncii"}, headers=headers
    )
    assert gone.status_code == 404


def test_a_case_limited_token_reviews_only_its_own_case(
    home_env: dict[str, str], tmp_path: Path, client: TestClient, tokens: dict[str, str]
) -> None:
    engine = client.app.state.engine  # type: ignore[attr-defined]
    mine = protect_astronaut(home_env, tmp_path / "mine")
    other = protect_astronaut(home_env, tmp_path / "other")
    for photo in (mine, other):
        client.post(
            f"/v1/bank/entries/{photo.entry_ids['pdq']}/feedback",
            json={"verdict": "not_ncii"},
            headers=bearer(tokens["platform"]),
        ).raise_for_status()
    limited = create_token(engine, role="caseworker", case_id=mine.case_id, actor="admin").token

    held = client.get("/v1/quarantine", headers=bearer(limited)).json()["entries"]
    assert [e["entry_id"] for e in held] == [mine.entry_ids["pdq"]]
    refused = client.post(f"/v1/quarantine/{other.entry_ids['pdq']}/clear", headers=bearer(limited))
    assert refused.status_code == 404
    everyone = client.get("/v1/quarantine", headers=bearer(tokens["admin"])).json()["entries"]
    assert len(everyone) == 2


def test_the_cli_lists_held_entries_clears_them_and_does_not_export_them(
    home_env: dict[str, str], tmp_path: Path, client: TestClient, tokens: dict[str, str]
) -> None:
    photo = protect_astronaut(home_env, tmp_path / "mine")
    entry = photo.entry_ids["pdq"]
    client.post(
        f"/v1/bank/entries/{entry}/feedback", json={"verdict": "not_ncii"}, headers=bearer(tokens["platform"])
    ).raise_for_status()

    listed = reclaim("bank", "quarantine", "--json", env=home_env)
    assert listed.returncode == 0, listed.stderr
    assert [(e["entry_id"], e["reason"]) for e in lines(listed.stdout)] == [(entry, "feedback")]
    plain = reclaim("bank", "quarantine", env=home_env)
    assert f"#{entry}" in plain.stdout and "not NCII" in plain.stdout
    chinese = reclaim("bank", "quarantine", env=home_env, lang="zh")
    assert f"#{entry}" in chinese.stdout and "不是未经同意传播的私密影像" in chinese.stdout

    bank = f"case-{photo.case_id}"
    exported = reclaim("bank", "export", bank, "-o", "-", env=home_env)
    assert exported.returncode == 0, exported.stderr
    assert photo.pdq not in exported.stdout and photo.sha256 in exported.stdout

    cleared = reclaim("bank", "clear", str(entry), env=home_env)
    assert cleared.returncode == 0, cleared.stderr
    assert reclaim("bank", "quarantine", "--json", env=home_env).stdout == ""
    assert photo.pdq in reclaim("bank", "export", bank, "-o", "-", env=home_env).stdout
    twice = reclaim("bank", "clear", str(entry), env=home_env)
    assert twice.returncode != 0 and "not quarantined" in twice.stderr
