"""Case routes for helplines' tools: the whole flow from a new case to its withdrawal, over HTTP."""

from __future__ import annotations

import dataclasses
import io
import json
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from skimage import data
from sqlalchemy import select
from sqlalchemy.orm import Session

from reclaim.api.app import create_app
from reclaim.config import Settings
from reclaim.store.models import ApiTokenRow, AuditEvent
from reclaim.store.withdrawals import case_contents
from tests.api.conftest import bearer
from tests.e2e.test_cli_bank import lines, save_jpeg
from tests.e2e.test_cli_hash import reclaim

PASSPHRASE = "correct horse battery staple"


@pytest.fixture
def vault_settings(api_settings: Settings) -> Settings:
    """The server started with RECLAIM_PASSPHRASE, as docs/deploy.md sets it up."""
    return dataclasses.replace(api_settings, passphrase=PASSPHRASE)


@pytest.fixture
def helpline(vault_settings: Settings) -> Iterator[TestClient]:
    app = create_app(vault_settings, check_every=0)
    with TestClient(app) as client:
        yield client
    app.state.engine.dispose()


def caseworker(client: TestClient, case_id: str | None = None) -> dict[str, str]:
    from reclaim.services.tokens import create_token

    issued = create_token(client.app.state.engine, role="caseworker", actor="test-admin", case_id=case_id)  # type: ignore[attr-defined]
    return bearer(issued.token)


def open_case(client: TestClient, headers: dict[str, str], title: str = "小美") -> str:
    response = client.post("/v1/cases", json={"title": title}, headers=headers)
    assert response.status_code == 201, response.text
    return str(response.json()["case_id"])


def protect_and_find(env: dict[str, str], folder: Path, case_id: str, picture: object = None) -> None:
    """Protect a photo in the case through the CLI, then scan a folder holding a re-encoded copy."""
    array = data.astronaut() if picture is None else picture
    folder.mkdir(parents=True, exist_ok=True)
    mine = save_jpeg(array, folder / f"mine-{case_id}.jpg")  # type: ignore[arg-type]
    run = reclaim("protect", case_id, mine, "--attest", "self", "--json", env=env)
    assert run.returncode == 0, run.stderr
    found = folder / f"found-{case_id}"
    found.mkdir()
    save_jpeg(array, found / "reposted.jpg", size=(400, 400), quality=60)  # type: ignore[arg-type]
    scanned = reclaim("scan", "folder", found, "--json", env=env)
    assert scanned.returncode == 0, scanned.stderr
    assert lines(scanned.stdout)[0]["queued"] == 1


def test_a_case_from_opening_to_withdrawal_through_the_api(
    home_env: dict[str, str], tmp_path: Path, helpline: TestClient, vault_settings: Settings
) -> None:
    headers = caseworker(helpline)
    case_id = open_case(helpline, headers)
    protect_and_find(home_env, tmp_path / "media", case_id)

    review_then_record_by_hand(helpline, headers, case_id)
    notice_id = draft_and_track_a_notice(helpline, headers, case_id)
    shown = helpline.get(f"/v1/cases/{case_id}", headers=headers).json()
    assert shown["case_id"] == case_id and shown["protected_items"] == 1
    assert {event["kind"] for event in shown["timeline"]} == {"opened", "sighting", "notice"}
    assert {entry["signal"] for entry in shown["entries"]} >= {"pdq", "sha256"}
    download_report_and_bundle(helpline, headers, case_id, home_env, tmp_path)
    check_every_write_names_the_token(helpline, case_id)
    withdraw_and_check_nothing_is_left(helpline, headers, case_id, vault_settings, notice_id)


def review_then_record_by_hand(client: TestClient, headers: dict[str, str], case_id: str) -> None:
    # The review queue: the scan's lead, accepted into the log with the found file sealed.
    [lead] = client.get("/v1/review", headers=headers).json()["leads"]
    assert (lead["case_id"], lead["status"], lead["kind"]) == (case_id, "pending", "media")
    accepted = client.post(f"/v1/review/{lead['review_id']}/accept", headers=headers)
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["status"] == "accepted" and accepted.json()["capture"] is True
    assert client.get("/v1/review", headers=headers).json()["leads"] == []

    # A sighting reported by hand: its facts only, signed into the log.
    added = client.post(
        f"/v1/cases/{case_id}/sightings",
        json={
            "url": "https://weibo.com/1234567/NxYzAbC",
            "seen_at": "2026-11-20T21:30+08:00",
            "note": "posted by @uploader",
            "channel": "uploader",
        },
        headers=headers,
    )
    assert added.status_code == 201, added.text
    entry = added.json()["entry"]
    assert entry["source"]["url"] == "https://weibo.com/1234567/NxYzAbC"
    assert entry["source"]["channel"] == "uploader" and entry["recorded_by"].startswith("token:tok_")
    assert entry.get("archive") is None
    log = client.get(f"/v1/cases/{case_id}/sightings", headers=headers).json()["entries"]
    assert [e["entry"]["type"] for e in log] == ["custody", "sighting", "sighting"]
    verified = client.get(f"/v1/cases/{case_id}/verify", headers=headers).json()
    assert verified["intact"] is True and verified["tree_size"] == 3 and verified["problems"] == []


def draft_and_track_a_notice(client: TestClient, headers: dict[str, str], case_id: str) -> str:
    # Weibo acts only on her real identity: asked once, then kept in the vault.
    missing = client.post(
        f"/v1/cases/{case_id}/notices", json={"platform": "weibo", "lang": "en"}, headers=headers
    )
    assert missing.status_code == 400 and "identity" in missing.json()["error"]
    identity = {"name": "王小美", "contact": "+86 138 0013 8000"}
    drafted = client.post(
        f"/v1/cases/{case_id}/notices",
        json={"platform": "weibo", "lang": "en", "identity": identity},
        headers=headers,
    )
    assert drafted.status_code == 201, drafted.text
    [notice] = drafted.json()["notices"]
    assert notice["status"] == "draft" and notice["sightings"] == [2] and "王小美" in notice["text"]
    notice_id = str(notice["notice_id"])
    sent = client.post(f"/v1/notices/{notice_id}/events", json={"status": "sent"}, headers=headers)
    assert sent.status_code == 200 and sent.json()["status"] == "sent"
    shown = client.get(f"/v1/notices/{notice_id}", headers=headers).json()
    assert "王小美" in shown["text"] and [e["status"] for e in shown["events"]][-1] == "sent"
    listed = client.get(f"/v1/cases/{case_id}/notices", headers=headers).json()["notices"]
    assert [n["notice_id"] for n in listed] == [notice_id]
    early = client.post(f"/v1/notices/{notice_id}/escalate", headers=headers)
    assert early.status_code == 400 and "not due" in early.json()["error"]
    return notice_id


def download_report_and_bundle(
    client: TestClient, headers: dict[str, str], case_id: str, env: dict[str, str], tmp_path: Path
) -> None:
    report = client.get(f"/v1/cases/{case_id}/report", headers={**headers, "Accept-Language": "en"})
    assert report.status_code == 200, report.text
    assert report.content.startswith(b"%PDF-") and report.headers["content-type"] == "application/pdf"
    assert report.headers["content-disposition"] == f'attachment; filename="reclaim-report-{case_id}.pdf"'
    html = client.get(f"/v1/cases/{case_id}/report", params={"format": "html", "lang": "zh"}, headers=headers)
    assert html.status_code == 200 and "<html" in html.text.lower() and "weibo.com" in html.text
    bundle = client.get(f"/v1/cases/{case_id}/bundle", headers=headers)
    assert bundle.status_code == 200, bundle.text
    assert bundle.headers["content-type"] == "application/zip"
    assert bundle.headers["cache-control"] == "no-store"
    with zipfile.ZipFile(io.BytesIO(bundle.content)) as archive:
        names = archive.namelist()
        sealed = [archive.read(name) for name in names if name.startswith("captures/")]
    assert "manifest.json" in names and len(sealed) == 1 and not sealed[0].startswith(b"\xff\xd8")
    saved = tmp_path / "bundle.zip"
    saved.write_bytes(bundle.content)
    key = bundle.headers["x-reclaim-bundle-key"]
    checked = reclaim("verify", saved, "--bundle-key", key, "--json", env=env)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    result = lines(checked.stdout)[0]
    assert result["intact"] is True and result["captures_decrypted"] == 1 and result["case_id"] == case_id
    assert not list(Path(tempfile.gettempdir()).glob("reclaim-download-*"))


def check_every_write_names_the_token(client: TestClient, case_id: str) -> None:
    with Session(client.app.state.engine) as session:  # type: ignore[attr-defined]
        events = session.scalars(select(AuditEvent).where(AuditEvent.case_id == case_id)).all()
        written = {(e.action, e.actor) for e in events}
    actions = {action for action, _ in written}
    assert {
        "case.create",
        "review.accepted",
        "evidence.append",
        "notice.draft",
        "notice.status",
    } <= actions, actions
    actors = {actor for action, actor in written if not action.startswith("bank.")}
    assert len(actors) == 1 and next(iter(actors)).startswith("token:tok_"), written


def withdraw_and_check_nothing_is_left(
    client: TestClient, headers: dict[str, str], case_id: str, settings: Settings, notice_id: str
) -> None:
    engine = client.app.state.engine  # type: ignore[attr-defined]
    her_own = caseworker(client, case_id)
    assert client.get(f"/v1/cases/{case_id}", headers=her_own).status_code == 200
    slip = client.post(f"/v1/cases/{case_id}/withdrawal", json={"confirm": "yes"}, headers=headers)
    assert slip.status_code == 400
    assert client.get(f"/v1/cases/{case_id}", headers=headers).status_code == 200
    withdrawn = client.post(f"/v1/cases/{case_id}/withdrawal", json={"confirm": case_id}, headers=headers)
    assert withdrawn.status_code == 200, withdrawn.text
    deleted = withdrawn.json()["deleted"]
    assert deleted["sightings"] >= 2 and deleted["captures"] >= 1 and deleted["notices"] == 1
    assert all(count == 0 for count in case_contents(engine, case_id).to_json().values())
    assert not (settings.vault_path / case_id).exists()
    gone = client.get(f"/v1/cases/{case_id}", headers=headers)
    assert gone.status_code == 404 and "withdrawn" in gone.json()["error"]
    assert client.get("/v1/cases", headers=headers).json()["cases"] == []
    assert client.get(f"/v1/notices/{notice_id}", headers=headers).status_code == 404
    # Her case's token went with it (a worker may trust it a second longer: it reaches nothing).
    after = client.get("/v1/cases", headers=her_own)
    assert after.status_code == 401 or after.json()["cases"] == [], after.text
    with Session(engine) as session:
        assert session.scalars(select(ApiTokenRow).where(ApiTokenRow.case_id == case_id)).all() == []
    with Session(engine) as session:
        [withdrawal] = session.scalars(select(AuditEvent).where(AuditEvent.action == "case.withdraw")).all()
    assert withdrawal.actor.startswith("token:tok_")


def test_a_token_for_one_case_sees_and_touches_only_that_case(
    home_env: dict[str, str], tmp_path: Path, helpline: TestClient
) -> None:
    everyone = caseworker(helpline)
    mine, other = open_case(helpline, everyone, "A"), open_case(helpline, everyone, "B")
    protect_and_find(home_env, tmp_path / "a", mine)
    protect_and_find(home_env, tmp_path / "b", other, data.chelsea())
    helpline.post(
        f"/v1/cases/{other}/sightings", json={"url": "https://t.me/somechannel/42"}, headers=everyone
    )
    [other_notice] = helpline.post(
        f"/v1/cases/{other}/notices", json={"platform": "telegram"}, headers=everyone
    ).json()["notices"]
    other_lead = helpline.get("/v1/review", params={"case_id": other}, headers=everyone).json()["leads"][0]
    limited = caseworker(helpline, mine)

    assert [c["case_id"] for c in helpline.get("/v1/cases", headers=limited).json()["cases"]] == [mine]
    assert helpline.get(f"/v1/cases/{mine}", headers=limited).status_code == 200
    unknown = helpline.get("/v1/cases/zzzzzzzz", headers=limited)
    for path in ("", "/sightings", "/verify", "/notices", "/report", "/bundle"):
        response = helpline.get(f"/v1/cases/{other}{path}", headers=limited)
        assert response.status_code == 404, path
        assert response.json()["error"] == unknown.json()["error"].replace("zzzzzzzz", other)
    posts = {
        f"/v1/cases/{other}/sightings": {"url": "https://t.me/x_channel/1"},
        f"/v1/cases/{other}/notices": {"platform": "telegram"},
        f"/v1/cases/{other}/withdrawal": {"confirm": other},
        f"/v1/notices/{other_notice['notice_id']}/events": {"status": "sent"},
        f"/v1/notices/{other_notice['notice_id']}/escalate": {},
        f"/v1/review/{other_lead['review_id']}/accept": {},
        f"/v1/review/{other_lead['review_id']}/reject": None,
    }
    for path, body in posts.items():
        assert helpline.post(path, json=body, headers=limited).status_code == 404, path
    assert helpline.get(f"/v1/notices/{other_notice['notice_id']}", headers=limited).status_code == 404
    leads = helpline.get("/v1/review", params={"status": "all"}, headers=limited).json()["leads"]
    assert {lead["case_id"] for lead in leads} == {mine}
    assert helpline.get("/v1/review", params={"case_id": other}, headers=limited).status_code == 404
    refused = helpline.post("/v1/cases", json={"title": "C"}, headers=limited)
    assert refused.status_code == 403 and "one case" in refused.json()["error"]

    # Nothing of the other case changed, and its own lead is still the limited token's to decide.
    assert (
        helpline.get(f"/v1/cases/{other}/sightings", headers=everyone).json()["entries"][-1]["entry"][
            "source"
        ]["url"]
        == "https://t.me/somechannel/42"
    )
    assert (
        helpline.get(f"/v1/notices/{other_notice['notice_id']}", headers=everyone).json()["status"] == "draft"
    )
    [my_lead] = [lead for lead in leads if lead["status"] == "pending"]
    assert helpline.post(f"/v1/review/{my_lead['review_id']}/reject", headers=limited).status_code == 200


def test_platform_tokens_never_reach_a_case(
    home_env: dict[str, str], client: TestClient, tokens: dict[str, str]
) -> None:
    case_id = open_case(client, bearer(tokens["caseworker"]))
    platform = bearer(tokens["platform"])
    for method, path in [
        ("GET", "/v1/cases"),
        ("GET", f"/v1/cases/{case_id}"),
        ("GET", f"/v1/cases/{case_id}/sightings"),
        ("GET", f"/v1/cases/{case_id}/bundle"),
        ("GET", "/v1/review"),
        ("POST", f"/v1/cases/{case_id}/withdrawal"),
    ]:
        response = client.request(method, path, headers=platform, json={"confirm": case_id})
        assert response.status_code == 403, path
        assert case_id not in response.text


def test_what_needs_the_vault_answers_503_naming_the_passphrase_when_the_server_has_none(
    home_env: dict[str, str], tmp_path: Path, client: TestClient, tokens: dict[str, str]
) -> None:
    headers = bearer(tokens["caseworker"])
    case_id = open_case(client, headers)
    protect_and_find(home_env, tmp_path / "media", case_id)
    [lead] = client.get("/v1/review", headers=headers).json()["leads"]

    refused = client.post(f"/v1/review/{lead['review_id']}/accept", headers=headers)

    assert refused.status_code == 503 and "RECLAIM_PASSPHRASE" in refused.json()["hint"]
    assert client.get("/v1/review", headers=headers).json()["leads"][0]["status"] == "pending"
    assert client.get(f"/v1/cases/{case_id}/sightings", headers=headers).json()["entries"] == []
    # A lead that may show a minor keeps no file, so it needs no vault.
    minor = client.post(
        f"/v1/review/{lead['review_id']}/accept", json={"possible_minor": True}, headers=headers
    )
    assert minor.status_code == 200 and minor.json()["capture"] is False and minor.json()["route"]
    # Without captures, the report and the bundle need no vault either.
    assert client.get(f"/v1/cases/{case_id}/report", headers=headers).content.startswith(b"%PDF-")
    assert client.get(f"/v1/cases/{case_id}/bundle", headers=headers).status_code == 200
    weibo = client.post(
        f"/v1/cases/{case_id}/sightings", json={"url": "https://weibo.com/1/2"}, headers=headers
    )
    assert weibo.status_code == 201
    needs_identity = client.post(
        f"/v1/cases/{case_id}/notices",
        json={"platform": "weibo", "identity": {"name": "王小美", "contact": "x@example.org"}},
        headers=headers,
    )
    assert needs_identity.status_code == 503 and "RECLAIM_PASSPHRASE" in needs_identity.json()["hint"]


def test_a_passphrase_is_never_taken_from_the_request(client: TestClient, tokens: dict[str, str]) -> None:
    operations = client.app.openapi()["paths"]  # type: ignore[attr-defined]
    parameters = json.dumps(operations).lower()
    assert (
        "passphrase"
        not in json.dumps(
            [p for item in operations.values() for op in item.values() for p in op.get("parameters", [])]
        ).lower()
    )
    assert "reclaim_passphrase" in parameters  # named in the docs of the routes that need it


def test_bad_input_is_a_clear_4xx(client: TestClient, tokens: dict[str, str]) -> None:
    headers = bearer(tokens["caseworker"])
    case_id = open_case(client, headers)
    cases = {
        ("GET", "/v1/cases/NOT-AN-ID"): 422,
        ("GET", "/v1/review/0/accept"): 405,
        ("POST", "/v1/review/99999999999/accept"): 422,
        ("POST", "/v1/review/12345/accept"): 404,
        ("GET", "/v1/notices/RC-zzzz-001"): 404,
        ("GET", "/v1/notices/nope"): 422,
        ("POST", "/v1/cases"): 422,
    }
    for (method, path), status in cases.items():
        response = client.request(method, path, headers=headers)
        assert response.status_code == status, (method, path, response.text)
        assert set(response.json()) == {"error", "hint"}
    bad_url = client.post(f"/v1/cases/{case_id}/sightings", json={"url": "not a url"}, headers=headers)
    assert bad_url.status_code == 400 and "web address" in bad_url.json()["error"]
    archive = client.post(
        f"/v1/cases/{case_id}/sightings",
        json={"url": "https://t.me/a_chan/1", "archive": True},
        headers=headers,
    )
    assert archive.status_code == 422  # the server fetches nothing for a caller
    naive = client.post(
        f"/v1/cases/{case_id}/sightings",
        json={"url": "https://t.me/a_chan/1", "seen_at": "2026-01-01T10:00"},
        headers=headers,
    )
    assert naive.status_code == 400 and "time zone" in naive.json()["error"]
    no_sighting = client.post(f"/v1/cases/{case_id}/notices", json={"platform": "telegram"}, headers=headers)
    assert no_sighting.status_code == 400


def test_a_wrong_server_passphrase_is_a_503_and_logs_no_export(
    home_env: dict[str, str], tmp_path: Path, helpline: TestClient, vault_settings: Settings
) -> None:
    headers = caseworker(helpline)
    case_id = open_case(helpline, headers)
    protect_and_find(home_env, tmp_path / "media", case_id)
    [lead] = helpline.get("/v1/review", headers=headers).json()["leads"]
    assert helpline.post(f"/v1/review/{lead['review_id']}/accept", headers=headers).status_code == 200
    wrong = create_app(dataclasses.replace(vault_settings, passphrase="not the passphrase"), check_every=0)
    with TestClient(wrong) as client:
        bundle = client.get(f"/v1/cases/{case_id}/bundle", headers=headers)
        report = client.get(f"/v1/cases/{case_id}/report", headers=headers)
        log = client.get(f"/v1/cases/{case_id}/sightings", headers=headers).json()["entries"]
    wrong.state.engine.dispose()

    assert bundle.status_code == report.status_code == 503
    assert "RECLAIM_PASSPHRASE" in bundle.json()["hint"]
    assert [e["entry"]["type"] for e in log] == ["custody", "sighting"]  # no "exported" entry
