"""A home, the API app over it (on SQLite and on PostgreSQL) and one token per role."""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from PIL import Image
from skimage import data

from reclaim.api.app import create_app
from reclaim.config import Settings, load_settings
from reclaim.services.tokens import ROLES, create_token
from tests.e2e.test_cli_bank import home_env, lines, new_case, save_jpeg
from tests.e2e.test_cli_hash import reclaim

__all__ = ["home_env"]


@pytest.fixture
def api_settings(home_env: dict[str, str]) -> Settings:
    return load_settings(home_env)


@pytest.fixture
def app(api_settings: Settings) -> Iterator[FastAPI]:
    # Checking for bank changes on every request (not once a second) lets a test see a change at once.
    app = create_app(api_settings, check_every=0)
    yield app
    app.state.engine.dispose()


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as client:
        yield client


@pytest.fixture
def tokens(app: FastAPI) -> dict[str, str]:
    return {role: create_token(app.state.engine, role=role, actor="test-admin").token for role in ROLES}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@dataclass(frozen=True)
class Protected:
    """A photo protected through the real CLI: its case, entry ids by signal, and its hashes."""

    case_id: str
    entry_ids: dict[str, int]
    sha256: str
    md5: str
    pdq: str
    low_quality: bool


def protect(env: dict[str, str], photo: Path, title: str = "小美") -> Protected:
    case_id = new_case(env, title)
    run = reclaim("protect", case_id, photo, "--attest", "self", "--json", env=env)
    assert run.returncode == 0, run.stderr
    item = lines(run.stdout)[0]
    hashed = reclaim("hash", photo, "--json", env=env)
    assert hashed.returncode == 0, hashed.stderr
    hashes = lines(hashed.stdout)[0]
    return Protected(
        case_id=case_id,
        entry_ids={str(e["signal"]): int(e["entry_id"]) for e in item["entries"]},  # type: ignore[attr-defined]
        sha256=str(hashes["sha256"]),
        md5=str(hashes["md5"]),
        pdq=str(hashes["pdq"]["hash"]),  # type: ignore[index]
        low_quality=bool(item["low_quality"]),
    )


def protect_astronaut(env: dict[str, str], folder: Path) -> Protected:
    """Protect scikit-image's astronaut (a public sample photo)."""
    folder.mkdir(exist_ok=True)
    return protect(env, save_jpeg(data.astronaut(), folder / "astronaut.jpg"))


def flat_jpeg(path: Path) -> Path:
    Image.new("RGB", (256, 256), (128, 128, 128)).save(path, "JPEG", quality=95)
    return path


def assert_not_on_disk(marker: bytes, *, since: float, home: Path) -> None:
    """No file written since ``since`` in the home or the temporary folder holds ``marker``.

    Other tests' own folders (pytest's, under the temporary folder) are left out: a test running
    beside this one may write the same sample photo there.
    """
    for folder in (home, Path(tempfile.gettempdir())):
        for path in folder.rglob("*"):
            if folder != home and any(part.startswith("pytest-of-") for part in path.parts):
                continue
            with contextlib.suppress(OSError):
                if path.is_file() and not path.is_symlink() and path.stat().st_mtime >= since:
                    assert marker not in path.read_bytes(), path
