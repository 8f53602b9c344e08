"""HMA-compatible routes, called as HMA's (OpenMediaMatch's) own clients call them, on a real bank.

Request shapes are from facebook/ThreatExchange, hasher-matcher-actioner/src/OpenMediaMatch:
``tests/test_match_api.py`` (``client.get("/m/raw_lookup", query_string={"signal_type": "pdq",
"signal": ..., "include_distance": "true"})``), ``tests/test_e2e_workflow.py``
(``/m/lookup?signal_type=pdq&signal=HEX``), ``tests/test_api.py`` (``client.post("/m/lookup",
data={"photo": file})``: multipart/form-data, the field named by content type) and
``static/js/match_dbg.js`` (``FormData`` with ``photo``, POSTed to ``/h/hash``). Answer shapes
from ``blueprints/matching.py`` and ``schemas/matching.py`` (distances are strings there).
"""

from __future__ import annotations

import dataclasses
import hashlib
import time
from pathlib import Path

from fastapi.testclient import TestClient

from reclaim.api.app import create_app
from reclaim.config import MediaLimits, Settings
from reclaim.services.tokens import create_token
from tests.api.conftest import assert_not_on_disk, bearer, protect_astronaut
from tests.api.test_platform import marked_upload, reencoded_astronaut
from tests.e2e.test_cli_bank import lines
from tests.e2e.test_cli_hash import reclaim


def test_raw_lookup_finds_a_protected_photo_by_its_pdq_hash(
    home_env: dict[str, str], tmp_path: Path, client: TestClient, tokens: dict[str, str]
) -> None:
    photo = protect_astronaut(home_env, tmp_path / "mine")
    headers = bearer(tokens["platform"])
    query = {"signal_type": "pdq", "signal": photo.pdq}

    ids = client.get("/m/raw_lookup", params=query, headers=headers)
    near = client.get("/m/raw_lookup", params={**query, "include_distance": "true"}, headers=headers)
    other = client.get("/m/raw_lookup", params={**query, "banks": "someone-else"}, headers=headers)
    digest = client.get(
        "/m/raw_lookup", params={"signal_type": "video_md5", "signal": photo.md5}, headers=headers
    )

    assert ids.status_code == 200, ids.text
    assert ids.json() == {"matches": [photo.entry_ids["pdq"]]}
    assert near.json() == {"matches": [{"bank_content_id": photo.entry_ids["pdq"], "distance": "0"}]}
    assert other.json() == {"matches": []}
    assert digest.json() == {"matches": [photo.entry_ids["md5"]]}


def test_lookup_by_hash_names_the_bank_as_protected_never_the_case(
    home_env: dict[str, str], tmp_path: Path, client: TestClient, tokens: dict[str, str]
) -> None:
    photo = protect_astronaut(home_env, tmp_path / "mine")
    headers = bearer(tokens["platform"])

    found = client.get(f"/m/lookup?signal_type=pdq&signal={photo.pdq}", headers=headers)
    none = client.get("/m/lookup?signal_type=pdq&signal={}".format("5" * 64), headers=headers)
    filtered = client.get(
        "/m/lookup", params={"signal_type": "pdq", "signal": photo.pdq, "banks": "protected"}, headers=headers
    )

    assert found.status_code == 200, found.text
    assert found.json() == {"protected": [{"bank_content_id": photo.entry_ids["pdq"], "distance": "0"}]}
    assert none.json() == {}
    assert filtered.json() == found.json()
    assert photo.case_id not in found.text


def test_lookup_and_hash_take_a_reencoded_upload_as_hmas_clients_send_it(
    home_env: dict[str, str], tmp_path: Path, client: TestClient, tokens: dict[str, str]
) -> None:
    photo = protect_astronaut(home_env, tmp_path / "mine")
    headers = bearer(tokens["platform"])
    upload = reencoded_astronaut()
    form = {"photo": ("astronaut.jpg", upload, "image/jpeg")}

    hashed = client.post("/h/hash", files=form, headers=headers)
    raw = client.post("/h/hash", content=upload, headers=headers)
    looked_up = client.post("/m/lookup", files=form, headers=headers)

    assert hashed.status_code == 200, hashed.text
    hashes = hashed.json()
    assert set(hashes) == {"pdq", "md5", "sha256"} and len(hashes["pdq"]) == 64
    assert hashes["sha256"] == hashlib.sha256(upload).hexdigest()
    assert hashes["md5"] == hashlib.md5(upload).hexdigest()
    assert raw.json() == hashes
    with_field = client.post("/h/hash", files=form, data={"note": "from the queue"}, headers=headers)
    assert with_field.json() == hashes  # form fields beside the file are ignored, as in HMA
    assert looked_up.status_code == 200, looked_up.text
    answer = looked_up.json()
    assert answer["md5"] == {} and answer["sha256"] == {}
    [hit] = answer["pdq"]["protected"]
    assert hit["bank_content_id"] == photo.entry_ids["pdq"] and 0 < int(hit["distance"]) <= 31
    assert photo.case_id not in looked_up.text


def test_urls_are_never_fetched(client: TestClient, tokens: dict[str, str]) -> None:
    headers = bearer(tokens["platform"])
    # A loopback address, as an attacker would send to reach the server's own network.
    url = "http://127.0.0.1:1/image.jpg"

    for response in (
        client.get(f"/h/hash?url={url}", headers=headers),
        client.get(f"/m/lookup?url={url}", headers=headers),
    ):
        assert response.status_code == 400
        assert "fetch" in response.json()["error"] and "SSRF" in response.json()["hint"]
    chinese = client.get(f"/h/hash?url={url}", headers={**headers, "Accept-Language": "zh"}).json()
    assert chinese["error"] == "Reclaim 不下载网址：请直接发送照片或视频本身。" and "SSRF" in chinese["hint"]


def test_bad_uploads_and_hashes_are_refused_with_a_reason(client: TestClient, tokens: dict[str, str]) -> None:
    headers = bearer(tokens["platform"])
    two = {
        "photo": ("a.jpg", reencoded_astronaut(), "image/jpeg"),
        "video": ("b.jpg", reencoded_astronaut(), "image/jpeg"),
    }

    assert client.post("/h/hash", files=two, headers=headers).status_code == 400
    assert client.post("/h/hash", headers=headers).status_code == 400
    text = client.post("/m/lookup", files={"photo": ("a.txt", b"just words", "text/plain")}, headers=headers)
    assert text.status_code == 415
    bad = client.get("/m/raw_lookup", params={"signal_type": "pdq", "signal": "abc"}, headers=headers)
    assert bad.status_code == 400 and bad.json()["error"] == "A pdq hash has 64 hex digits."
    assert client.get("/m/lookup", headers=headers).status_code == 400


def test_a_signal_added_as_hmas_client_adds_it_carries_her_attestation_and_the_token(
    home_env: dict[str, str], tmp_path: Path, client: TestClient, tokens: dict[str, str]
) -> None:
    engine = client.app.state.engine  # type: ignore[attr-defined]
    photo = protect_astronaut(home_env, tmp_path / "mine")
    caseworker = create_token(engine, role="caseworker", case_id=photo.case_id, actor="admin")
    bank = f"case-{photo.case_id}"
    pdq, md5 = "c3" * 32, hashlib.md5(b"another photo of hers").hexdigest()

    # HMA's tests/test_e2e_workflow.py: client.post(f"/c/bank/{bank_name}/signal", json={"pdq": pdq}).
    unattested = client.post(f"/c/bank/{bank}/signal", json={"pdq": pdq}, headers=bearer(caseworker.token))
    assert unattested.status_code == 400 and '"attestation": "self"' in unattested.json()["hint"]
    body = {"pdq": pdq, "md5": md5, "note": "from her phone", "attestation": "on-behalf"}
    added = client.post(f"/c/bank/{bank}/signal", json=body, headers=bearer(caseworker.token))

    assert added.status_code == 200, added.text
    answer = added.json()
    assert answer["signals"] == {"pdq": pdq, "md5": md5} and answer["already_present"] == []
    assert answer["id"] == min(answer["entry_ids"].values())
    found = client.get(
        "/m/raw_lookup", params={"signal_type": "pdq", "signal": pdq}, headers=bearer(tokens["platform"])
    )
    assert found.json() == {"matches": [answer["entry_ids"]["pdq"]]}
    listed = reclaim("bank", "entries", "--bank", bank, "--json", env=home_env)
    entries = {e["entry_id"]: e for e in lines(listed.stdout)}
    entry = entries[answer["entry_ids"]["md5"]]
    assert entry["submitted_by"] == f"token:{caseworker.record.token_id}"
    assert entry["attestation"] == "on-behalf"
    assert "from her phone" not in listed.stdout  # the note, free text about her picture, is not kept

    again = client.post(f"/c/bank/{bank}/signal", json=body, headers=bearer(caseworker.token))
    assert again.json()["already_present"] == ["pdq", "md5"]


def test_adding_a_signal_is_refused_outside_the_callers_banks_or_with_bad_hashes(
    home_env: dict[str, str], tmp_path: Path, client: TestClient, tokens: dict[str, str]
) -> None:
    engine = client.app.state.engine  # type: ignore[attr-defined]
    mine = protect_astronaut(home_env, tmp_path / "mine")
    other = protect_astronaut(home_env, tmp_path / "other")
    limited = create_token(engine, role="caseworker", case_id=mine.case_id, actor="admin").token
    hash_list = tmp_path / "list.jsonl"
    hash_list.write_text('{"signal_type": "md5", "value": "' + "ab" * 16 + '", "status": "active"}\n')
    imported = reclaim("bank", "import", hash_list, "--bank", "a-list", env=home_env)
    assert imported.returncode == 0, imported.stderr
    body = {"pdq": "c3" * 32, "attestation": "self"}

    def post(bank: str, token: str, json: object = body) -> int:
        return client.post(f"/c/bank/{bank}/signal", json=json, headers=bearer(token)).status_code

    assert post(f"case-{other.case_id}", limited) == 404  # another case's bank is not hers to see
    assert post("no-such-bank", tokens["admin"]) == 404
    assert post("a-list", tokens["caseworker"]) == 403  # a list bank is the administrator's
    assert post("a-list", tokens["platform"]) == 403
    assert post("a-list", tokens["admin"]) == 200
    assert post(f"case-{mine.case_id}", limited, {"pdq": "abc", "attestation": "self"}) == 400
    assert post(f"case-{mine.case_id}", limited, {"phash": "ab", "attestation": "self"}) == 400
    assert post(f"case-{mine.case_id}", limited, {"attestation": "self"}) == 400
    assert post(f"case-{mine.case_id}", limited, ["not", "an", "object"]) == 400
    assert post(f"case-{mine.case_id}", limited, {"pdq": "c3" * 32, "attestation": "trust me"}) == 400


def test_an_upload_over_the_size_limit_is_refused_in_a_form_too(api_settings: Settings) -> None:
    small = dataclasses.replace(api_settings, limits=MediaLimits(max_file_bytes=10_000))
    app = create_app(small, check_every=0)
    token = create_token(app.state.engine, role="platform", actor="test-admin").token
    form = {"photo": ("astronaut.jpg", reencoded_astronaut(), "image/jpeg")}
    try:
        with TestClient(app) as client:
            hashed = client.post("/h/hash", files=form, headers=bearer(token))
            looked_up = client.post("/m/lookup", files=form, headers=bearer(token))
    finally:
        app.state.engine.dispose()

    assert hashed.status_code == looked_up.status_code == 413


def test_a_form_upload_leaves_nothing_of_itself_on_disk(
    api_settings: Settings, client: TestClient, tokens: dict[str, str]
) -> None:
    # A form parser that spools large parts to a temporary file would leave the photo there.
    upload, marker = marked_upload()
    started = time.time() - 1

    response = client.post(
        "/m/lookup", files={"photo": ("a.jpg", upload, "image/jpeg")}, headers=bearer(tokens["platform"])
    )

    assert response.status_code == 200, response.text
    assert_not_on_disk(marker, since=started, home=api_settings.home)
