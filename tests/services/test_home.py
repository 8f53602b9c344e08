"""RECLAIM_HOME: init creates everything once, keeps it on later runs, and open_store checks it."""

from __future__ import annotations

import dataclasses
import stat
from pathlib import Path

import pytest
from sqlalchemy import inspect
from sqlalchemy.engine import make_url

from reclaim.config import Settings
from reclaim.errors import NotInitializedError, ReclaimError
from reclaim.evidence.keys import load_signing_key, signing_key_info
from reclaim.services.home import initialize_home, open_store
from reclaim.store.installations import get_installation
from reclaim.store.migrate import head_revision


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_fresh_init_creates_home_database_key_vault_and_installation(settings: Settings) -> None:
    status = initialize_home(settings)

    assert status.home_created and status.database_created and status.key_created and status.vault_created
    assert status.schema_revision == head_revision()
    assert _mode(settings.home) == 0o700
    assert _mode(settings.vault_path) == 0o700
    assert _mode(settings.signing_key_path) == 0o600
    if settings.database_url.startswith("sqlite"):
        assert _mode(settings.database_path) == 0o600
    key_info = signing_key_info(settings.signing_key_path, load_signing_key(settings.signing_key_path))
    assert status.key_fingerprint == key_info.fingerprint

    engine = open_store(settings)
    try:
        installation = get_installation(engine)
        assert {"installations", "cases", "audit_events"} <= set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
    assert installation is not None
    assert installation.id == status.installation_id
    assert installation.key_fingerprint == key_info.fingerprint
    assert installation.signing_public_key == key_info.public_key_hex
    assert installation.created_at.tzinfo is not None


def test_second_init_changes_nothing_and_keeps_the_key(settings: Settings) -> None:
    first = initialize_home(settings)
    key_bytes = settings.signing_key_path.read_bytes()

    second = initialize_home(settings)

    assert not (second.home_created or second.database_created or second.key_created or second.vault_created)
    assert second.installation_id == first.installation_id
    assert second.key_fingerprint == first.key_fingerprint
    assert settings.signing_key_path.read_bytes() == key_bytes


def test_init_refuses_to_replace_a_lost_key(settings: Settings) -> None:
    initialize_home(settings)
    settings.signing_key_path.unlink()
    with pytest.raises(ReclaimError, match=r"signing key .* is missing"):
        initialize_home(settings)
    assert not settings.signing_key_path.exists()


def test_init_refuses_a_key_that_is_not_the_recorded_one(settings: Settings, tmp_path: Path) -> None:
    initialize_home(settings)
    other = dataclasses.replace(
        settings, home=tmp_path / "other-home", database_url=f"sqlite:///{tmp_path / 'o.db'}"
    )
    initialize_home(other)
    settings.signing_key_path.write_bytes(other.signing_key_path.read_bytes())
    with pytest.raises(ReclaimError, match="not the key this database records"):
        initialize_home(settings)


def test_open_store_on_a_missing_home_is_not_initialized(settings: Settings) -> None:
    with pytest.raises(NotInitializedError):
        open_store(settings)
    # Looking must not create anything.
    assert not settings.home.exists()


def test_open_store_on_an_empty_home_is_not_initialized(settings: Settings) -> None:
    settings.home.mkdir()
    with pytest.raises(NotInitializedError):
        open_store(settings)
    assert list(settings.home.iterdir()) == []


@pytest.mark.postgres
def test_status_never_shows_the_database_password(postgres_url: str, tmp_path: Path) -> None:
    # The test server trusts local connections, so the password is sent but not checked.
    url = make_url(postgres_url).set(password="hunter2").render_as_string(hide_password=False)
    status = initialize_home(Settings(home=tmp_path / "home", database_url=url))
    assert "hunter2" not in status.database_url
    assert "***" in status.database_url
