"""The web app's HTTP answers without a browser: cookie flags, redirects, headers, the OpenAPI document."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from reclaim.api.app import create_app
from reclaim.config import Settings, load_settings
from reclaim.services.accounts import create_account
from tests.e2e.test_cli_bank import home_env

__all__ = ["home_env"]

PASSWORD = "plum tree at dawn"


@pytest.fixture
def settings(home_env: dict[str, str]) -> Settings:
    return load_settings(home_env)  # secure_cookies stays on, as in production


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    app = create_app(settings, check_every=0)
    create_account(app.state.engine, "wang", PASSWORD, role="caseworker", actor="test-admin")
    # https: the Secure cookies are sent back only over it, as a browser would.
    with TestClient(app, base_url="https://testserver") as client:
        yield client
    app.state.engine.dispose()


def form_token(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found is not None
    return found.group(1)


def test_cookies_are_secure_httponly_and_strict(client: TestClient) -> None:
    page = client.get("/login")
    posted = client.post(
        "/login",
        data={"csrf_token": form_token(page.text), "login": "wang", "password": PASSWORD},
        follow_redirects=False,
    )

    for header in (page.headers["set-cookie"], posted.headers["set-cookie"]):
        flags = {part.strip().lower() for part in header.split(";")}
        assert {"secure", "httponly", "samesite=strict", "path=/"} <= flags
    assert posted.status_code == 303 and posted.headers["location"] == "/cases"
    assert "reclaim_session=" in posted.headers["set-cookie"]


@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/", "/\\evil.example"])
def test_login_never_sends_her_to_another_site(client: TestClient, target: str) -> None:
    page = client.get("/login")
    posted = client.post(
        "/login",
        data={"csrf_token": form_token(page.text), "login": "wang", "password": PASSWORD, "next": target},
        follow_redirects=False,
    )
    assert posted.headers["location"] == "/cases"


def test_pages_are_not_cached_framed_or_in_the_openapi_document(client: TestClient) -> None:
    page = client.get("/login")

    assert page.headers["cache-control"] == "no-store"
    assert page.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    paths = client.get("/openapi.json").json()["paths"]
    assert not [
        path for path in paths if not path.startswith(("/v1", "/m/", "/h/", "/c/", "/healthz", "/readyz"))
    ]


def test_the_page_language_follows_the_browser_then_the_switch(client: TestClient) -> None:
    chinese = client.get("/login", headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    assert '<html lang="zh-CN">' in chinese.text and "登录名" in chinese.text

    switched = client.post(
        "/language", data={"csrf_token": form_token(chinese.text), "lang": "en", "next": "/login"}
    )

    assert switched.status_code == 200 and "Login name" in switched.text
    assert '<html lang="en">' in client.get("/login", headers={"Accept-Language": "zh-CN"}).text


def test_htmx_is_served_from_this_server(client: TestClient) -> None:
    script = client.get("/static/vendor/htmx-2.0.11.min.js")
    assert script.status_code == 200 and script.text.startswith("/*! htmx 2.0.11")
    assert "/static/vendor/htmx-2.0.11.min.js" in client.get("/login").text
