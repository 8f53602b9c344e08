"""RECLAIM_HOME: set it up once (``reclaim init``) and open it for every other command.

A home holds the database (unless RECLAIM_DATABASE_URL points elsewhere), the signing key and
the encrypted vault. Everything in it is private to its owner: the database names cases and the
vault holds captures of intimate images.
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Final

from reclaim.config import Settings
from reclaim.errors import N_, NotInitializedError, ReclaimError, StorageError

if TYPE_CHECKING:
    # SQLAlchemy is imported only when a function here runs, so that listing or importing
    # services costs commands like `reclaim hash` nothing.
    from sqlalchemy import Engine

PRIVATE_DIR_MODE: Final = 0o700
PRIVATE_FILE_MODE: Final = 0o600


@dataclass(frozen=True, slots=True)
class HomeStatus:
    """What ``initialize_home`` found and did; the ``*_created`` flags are False on a second run."""

    home: Path
    database_url: str  # any password replaced by ***
    home_created: bool
    database_created: bool  # the schema was created (not merely upgraded) by this run
    key_created: bool
    vault_created: bool
    installation_id: str
    key_fingerprint: str
    schema_revision: str

    def to_json(self) -> dict[str, str | bool]:
        """The ``reclaim init --json`` line."""
        return {
            "home": str(self.home),
            "database_url": self.database_url,
            "created_home": self.home_created,
            "created_database": self.database_created,
            "created_key": self.key_created,
            "installation_id": self.installation_id,
            "key_fingerprint": self.key_fingerprint,
            "schema_revision": self.schema_revision,
        }


def initialize_home(settings: Settings) -> HomeStatus:
    """Create whatever is missing of the home, database, signing key, vault and installation row.

    Idempotent: on an initialised home it changes nothing (apart from applying new migrations)
    and never replaces the signing key.
    """
    from reclaim.store.database import create_database_engine, redact_database_url, sqlite_database_path
    from reclaim.store.installations import get_installation
    from reclaim.store.migrate import current_revision, upgrade_to_head

    home_created = _make_private_dir(settings.home)
    sqlite_path = sqlite_database_path(settings.database_url)
    if sqlite_path is not None:
        _create_private_file(sqlite_path)
    engine = create_database_engine(settings.database_url)
    try:
        revision_before = current_revision(engine)
        upgrade_to_head(engine)
        revision = current_revision(engine)
        assert revision is not None  # upgrade_to_head raises rather than leave the schema empty
        installation = get_installation(engine)
        key_created, key_fingerprint, public_key_hex = _ensure_signing_key(
            settings.signing_key_path, recorded=installation is not None
        )
        installation_id = _ensure_installation(engine, key_fingerprint, public_key_hex)
    finally:
        engine.dispose()
    vault_created = _make_private_dir(settings.vault_path)
    return HomeStatus(
        home=settings.home,
        database_url=redact_database_url(settings.database_url),
        home_created=home_created,
        database_created=revision_before is None,
        key_created=key_created,
        vault_created=vault_created,
        installation_id=installation_id,
        key_fingerprint=key_fingerprint,
        schema_revision=revision,
    )


def open_store(settings: Settings) -> Engine:
    """An engine for an initialised home; NotInitializedError when ``reclaim init`` has not run.

    The caller owns the engine and disposes of it.
    """
    from reclaim.store.database import create_database_engine, sqlite_database_path
    from reclaim.store.installations import get_installation
    from reclaim.store.migrate import current_revision, head_revision

    not_initialized = NotInitializedError(
        N_("{home} is not set up for Reclaim yet."), home=str(settings.home)
    )
    sqlite_path = sqlite_database_path(settings.database_url)
    # Checked before connecting, because opening a missing SQLite file would create it.
    if not settings.home.is_dir() or (sqlite_path is not None and not sqlite_path.is_file()):
        raise not_initialized
    engine = create_database_engine(settings.database_url)
    try:
        revision = current_revision(engine)
        if revision is None or get_installation(engine) is None:
            raise not_initialized
        if revision != head_revision():
            raise StorageError(
                N_("The database is at schema revision {revision}; this version of Reclaim needs {head}."),
                hint=N_("Run `reclaim init` to upgrade it, or upgrade Reclaim if the database is newer."),
                revision=revision,
                head=head_revision(),
            )
        if not settings.signing_key_path.is_file():
            raise _missing_key(settings.signing_key_path)
    except BaseException:
        engine.dispose()
        raise
    return engine


def _ensure_signing_key(path: Path, *, recorded: bool) -> tuple[bool, str, str]:
    """(created, fingerprint, public key hex) of the home's key, creating it only for a new installation."""
    from reclaim.evidence.keys import create_signing_key, load_signing_key, signing_key_info

    if path.exists():
        info = signing_key_info(path, load_signing_key(path))
        return False, info.fingerprint, info.public_key_hex
    if recorded:
        # A new key would silently change who vouches for the evidence already signed.
        raise _missing_key(path)
    info = create_signing_key(path)
    return True, info.fingerprint, info.public_key_hex


def _ensure_installation(engine: Engine, key_fingerprint: str, public_key_hex: str) -> str:
    from reclaim.store.installations import InstallationRecord, get_installation, record_installation

    installation = get_installation(engine)
    if installation is None:
        installation = InstallationRecord(
            id=str(uuid.uuid4()),
            created_at=datetime.now(UTC),
            signing_public_key=public_key_hex,
            key_fingerprint=key_fingerprint,
        )
        record_installation(engine, installation)
    elif installation.key_fingerprint != key_fingerprint:
        raise ReclaimError(
            N_(
                "The signing key (fingerprint {found}) is not the key this database records "
                "(fingerprint {recorded})."
            ),
            hint=N_("Put the original key back from your backup, or point RECLAIM_HOME at its own database."),
            found=key_fingerprint,
            recorded=installation.key_fingerprint,
        )
    return installation.id


def _missing_key(path: Path) -> ReclaimError:
    return ReclaimError(
        N_("The signing key {path} is missing, but the database records an installation signed by it."),
        hint=N_(
            "Restore the key from your backup (`reclaim restore`); a new key cannot vouch for old evidence."
        ),
        path=str(path),
    )


def _make_private_dir(path: Path) -> bool:
    """Create ``path`` with mode 0700 if missing; True when it was created."""
    if path.is_dir():
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        path.mkdir(mode=PRIVATE_DIR_MODE)
    except FileExistsError:
        if path.is_dir():  # another process made it between our check and mkdir
            return False
        raise
    path.chmod(PRIVATE_DIR_MODE)  # mkdir's mode is filtered by the umask
    return True


def _create_private_file(path: Path) -> None:
    # SQLite would create the database with the umask's mode (often world-readable); an empty
    # file is a valid empty database, and SQLite gives its -wal and -shm files the same mode.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE)
    except FileExistsError:
        return
    except OSError as error:
        raise StorageError(
            N_("Cannot create the database file {path}: {reason}"),
            path=str(path),
            reason=error.strerror or str(error),
        ) from error
    os.close(fd)
