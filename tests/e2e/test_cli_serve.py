"""`reclaim token` and `reclaim serve` as an operator runs them: a real server process, queried over HTTP."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from skimage import data

from reclaim.services.tokens import TOKEN_CACHE_SECONDS
from tests.e2e.test_cli_bank import home_env, lines, new_case, save_jpeg
from tests.e2e.test_cli_hash import reclaim

__all__ = ["home_env"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def server(home_env: dict[str, str]) -> Iterator[str]:
    port = free_port()
    environment = {**os.environ, "LANG": "C.UTF-8", **home_env}
    command = [sys.executable, "-m", "reclaim", "serve", "--port", str(port), "--workers", "2"]
    process = subprocess.Popen(command, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert process.poll() is None, process.communicate()[1].decode()
            try:
                if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        else:
            pytest.fail("reclaim serve did not become ready in 60 s")
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


def create_token(env: dict[str, str], *args: str) -> dict[str, object]:
    run = reclaim("token", "create", *args, "--json", env=env)
    assert run.returncode == 0, run.stderr
    [issued] = lines(run.stdout)
    return issued


def test_serve_answers_matches_and_refuses_a_revoked_token(
    home_env: dict[str, str], server: str, tmp_path: Path
) -> None:
    photo = save_jpeg(data.astronaut(), tmp_path / "astronaut.jpg")
    case_id = new_case(home_env, "小美")
    assert reclaim("protect", case_id, photo, "--attest", "self", env=home_env).returncode == 0
    pdq = lines(reclaim("hash", photo, "--json", env=home_env).stdout)[0]["pdq"]["hash"]  # type: ignore[index]
    issued = create_token(home_env, "--role", "platform", "--name", "upload pipeline", "--expires-days", "30")
    headers = {"Authorization": f"Bearer {issued['token']}"}
    query = {"signal_type": "pdq", "signal": pdq}

    # Two workers, each with its own copy of the bank: every answer must already know the new entry.
    deadline = time.monotonic() + 10
    answers = []
    while time.monotonic() < deadline and len(answers) < 6:
        answer = httpx.get(f"{server}/v1/match", params=query, headers=headers, timeout=10)
        assert answer.status_code == 200, answer.text
        if answer.json()["matches"]:
            answers.append(answer.json())
        time.sleep(0.3)
    assert answers and all(a["matches"][0]["distance"] == 0 for a in answers)
    assert httpx.get(f"{server}/v1/match", params=query, timeout=10).status_code == 401

    run = reclaim("token", "revoke", str(issued["token_id"]), env=home_env)
    assert run.returncode == 0, run.stderr
    # Each worker trusts a token it checked for up to TOKEN_CACHE_SECONDS (docs/api.md).
    deadline = time.monotonic() + TOKEN_CACHE_SECONDS + 2
    while True:
        refused = httpx.get(f"{server}/v1/match", params=query, headers=headers, timeout=10)
        if refused.status_code != 200 or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert refused.status_code == 401 and set(refused.json()) == {"error", "hint"}


def test_token_create_list_revoke(home_env: dict[str, str]) -> None:
    case_id = new_case(home_env, "小美")
    issued = create_token(home_env, "--role", "caseworker", "--case", case_id)
    assert str(issued["token"]).startswith("rcl_")
    assert {"token", "token_id", "role", "case_id", "expires_at"} <= set(issued)
    assert (issued["role"], issued["case_id"], issued["status"]) == ("caseworker", case_id, "active")

    listed = reclaim("token", "list", "--json", env=home_env)
    assert listed.returncode == 0, listed.stderr
    assert [t["token_id"] for t in lines(listed.stdout)] == [issued["token_id"]]
    assert str(issued["token"]) not in listed.stdout
    assert str(issued["token"]) not in reclaim("token", "list", env=home_env).stdout

    assert reclaim("token", "revoke", str(issued["token_id"]), env=home_env).returncode == 0
    assert lines(reclaim("token", "list", "--json", env=home_env).stdout)[0]["status"] == "revoked"

    wrong = reclaim("token", "create", "--role", "platform", "--case", case_id, env=home_env)
    assert wrong.returncode == 1 and "caseworker" in wrong.stderr
    unknown = reclaim("token", "revoke", "tok_missing", env=home_env)
    assert unknown.returncode == 1 and "tok_missing" in unknown.stderr
