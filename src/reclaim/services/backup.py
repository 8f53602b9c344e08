"""Back up a whole home (database, vault, signing key) into one passphrase-sealed file, and restore it.

A lost signing key makes every bundle unverifiable and a lost vault makes every capture
unreadable, so both travel with the database. The file is a zip (``backup.json``, the tables
as JSON lines, the key, the vault files as they are: still sealed with their case keys) written
through a SealingWriter, so no byte of it is ever on disk in the clear. A restore goes into a
new, empty home and then checks every case's evidence log against its signed tree heads.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Final

from reclaim.config import Settings
from reclaim.errors import N_, ReclaimError, StorageError, UserInputError

if TYPE_CHECKING:
    from sqlalchemy import Engine

BACKUP_FORMAT: Final = "reclaim-backup"
BACKUP_VERSION: Final = 1
_MANIFEST: Final = "backup.json"
_KEY_MEMBER: Final = "home/keys/signing-ed25519.pem"
_VAULT_PREFIX: Final = "home/vault/"
_SAFE_PART: Final = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}$")


@dataclass(frozen=True, slots=True)
class BackupSummary:
    path: Path
    rows: dict[str, int]
    vault_files: int
    key_fingerprint: str

    def to_json(self) -> dict[str, Any]:
        return {
            "backup": str(self.path),
            "rows": self.rows,
            "vault_files": self.vault_files,
            "key_fingerprint": self.key_fingerprint,
        }


@dataclass(frozen=True, slots=True)
class RestoreSummary:
    home: Path
    rows: dict[str, int]
    vault_files: int
    key_fingerprint: str
    cases_checked: int
    problems: dict[str, list[str]]  # case id -> what is wrong with its log

    def to_json(self) -> dict[str, Any]:
        return {
            "home": str(self.home),
            "rows": self.rows,
            "vault_files": self.vault_files,
            "key_fingerprint": self.key_fingerprint,
            "cases_checked": self.cases_checked,
            "problems": self.problems,
        }


def create_backup(engine: Engine, settings: Settings, output: Path, passphrase: str) -> BackupSummary:
    """Seal the home into ``output`` (written under a temporary name, then renamed)."""
    from reclaim.evidence.keys import load_signing_key, signing_key_info
    from reclaim.evidence.sealed_stream import SealingWriter
    from reclaim.store.dump import dump_tables
    from reclaim.store.installations import get_installation
    from reclaim.store.migrate import current_revision

    if not passphrase:
        raise UserInputError(N_("The vault needs a passphrase."))
    if output.is_dir() or not output.parent.is_dir():
        raise UserInputError(N_("Cannot write the backup to {path}."), path=str(output))
    key_pem = settings.signing_key_path.read_bytes()
    info = signing_key_info(settings.signing_key_path, load_signing_key(settings.signing_key_path))
    installation = get_installation(engine)
    temporary = output.with_name(f".{output.name}.{secrets.token_hex(6)}.tmp")
    vault_files = 0
    try:
        with _private_file(temporary) as sink:
            writer = SealingWriter(sink, passphrase)
            with zipfile.ZipFile(writer, "w", zipfile.ZIP_DEFLATED) as archive:

                def write_table(name: str, lines: Iterator[bytes]) -> None:
                    with archive.open(f"database/{name}.jsonl", "w", force_zip64=True) as member:
                        for line in lines:
                            member.write(line + b"\n")

                rows = dump_tables(engine, write_table)
                archive.writestr(_KEY_MEMBER, key_pem)
                # After the database: every capture a row names was written to the vault before the row.
                for path in sorted(settings.vault_path.rglob("*")) if settings.vault_path.is_dir() else []:
                    if path.is_file() and not path.name.startswith("."):
                        relative = path.relative_to(settings.vault_path).as_posix()
                        with archive.open(_VAULT_PREFIX + relative, "w", force_zip64=True) as member:
                            member.write(path.read_bytes())
                        vault_files += 1
                manifest = {
                    "format": BACKUP_FORMAT,
                    "version": BACKUP_VERSION,
                    "created_at": datetime.now(UTC).isoformat(),
                    "schema_revision": current_revision(engine),
                    "installation_id": installation.id if installation else None,
                    "key_fingerprint": info.fingerprint,
                    "rows": rows,
                    "vault_files": vault_files,
                }
                archive.writestr(_MANIFEST, json.dumps(manifest, sort_keys=True, indent=1))
            writer.close()
            os.fsync(sink.fileno())
        os.replace(temporary, output)
    finally:
        temporary.unlink(missing_ok=True)
    return BackupSummary(output, rows, vault_files, info.fingerprint)


def restore_backup(settings: Settings, source: Path, passphrase: str) -> RestoreSummary:
    """Restore a backup into the (new, empty) home and database of ``settings``, then check every log."""
    from reclaim.evidence.keys import restore_signing_key
    from reclaim.evidence.sealed_stream import SealedStreamError, unseal_chunks
    from reclaim.services.home import _create_private_file, _make_private_dir
    from reclaim.store.database import create_database_engine, sqlite_database_path
    from reclaim.store.dump import is_empty, load_tables
    from reclaim.store.migrate import current_revision, head_revision, upgrade_to_head

    home = settings.home
    if home.exists() and (not home.is_dir() or any(home.iterdir())):
        raise UserInputError(
            N_("{home} is not empty; a backup is restored only into a new home."),
            hint=N_("Point RECLAIM_HOME at a new folder."),
            home=str(home),
        )
    try:
        handle = source.open("rb")
    except OSError as error:
        raise UserInputError(
            N_("Cannot read {path}: {reason}"), path=str(source), reason=error.strerror or str(error)
        ) from error
    _make_private_dir(home)
    temporary = home / f".restore-{secrets.token_hex(6)}.zip"
    try:
        with handle, _private_file(temporary) as plain:
            try:
                for chunk in unseal_chunks(handle, passphrase):
                    plain.write(chunk)
            except SealedStreamError as error:
                raise UserInputError(
                    N_("{path} cannot be opened: {reason}."),
                    hint=N_("Check the passphrase, and that the file is a Reclaim backup."),
                    path=str(source),
                    reason=str(error),
                ) from None
        with zipfile.ZipFile(temporary) as archive:
            manifest = _backup_manifest(archive)
            if manifest.get("schema_revision") != head_revision():
                raise StorageError(
                    N_("The backup has schema revision {revision}; this version of Reclaim restores {head}."),
                    hint=N_("Restore it with the Reclaim version that made it, then upgrade."),
                    revision=str(manifest.get("schema_revision")),
                    head=head_revision(),
                )
            key = restore_signing_key(settings.signing_key_path, archive.read(_KEY_MEMBER))
            vault_files = _restore_vault(archive, settings.vault_path)
            sqlite_path = sqlite_database_path(settings.database_url)
            if sqlite_path is not None:
                _create_private_file(sqlite_path)
            engine = create_database_engine(settings.database_url)
            try:
                if current_revision(engine) is not None and not is_empty(engine):
                    raise UserInputError(
                        N_("The database already holds data; a backup is restored only into an empty one."),
                        hint=N_("Point RECLAIM_DATABASE_URL at a new, empty database."),
                    )
                upgrade_to_head(engine)
                names = set(archive.namelist())
                rows = load_tables(
                    engine,
                    lambda table: (
                        _member_lines(archive, f"database/{table}.jsonl")
                        if f"database/{table}.jsonl" in names
                        else []
                    ),
                )
                problems, cases = _check_logs(engine, key.public_key_hex, key.fingerprint)
            finally:
                engine.dispose()
    finally:
        temporary.unlink(missing_ok=True)
    return RestoreSummary(home, rows, vault_files, key.fingerprint, cases, problems)


def _check_logs(engine: Engine, public_key_hex: str, fingerprint: str) -> tuple[dict[str, list[str]], int]:
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from reclaim.services.evidence import verify_case_log
    from reclaim.store.installations import get_installation
    from reclaim.store.models import Case

    installation = get_installation(engine)
    if installation is None or installation.key_fingerprint != fingerprint:
        raise ReclaimError(N_("The backup's signing key is not the key its database records."))
    with Session(engine) as session:
        case_ids = list(session.scalars(select(Case.id).order_by(Case.id)))
    problems = {}
    for case_id in case_ids:
        found = verify_case_log(engine, public_key_hex, case_id)
        if found:
            problems[case_id] = found
    return problems, len(case_ids)


def _backup_manifest(archive: zipfile.ZipFile) -> dict[str, Any]:
    try:
        manifest = json.loads(archive.read(_MANIFEST))
    except (KeyError, ValueError):
        manifest = None
    if not isinstance(manifest, dict) or manifest.get("format") != BACKUP_FORMAT:
        raise UserInputError(N_("The file is not a Reclaim backup."))
    if manifest.get("version") != BACKUP_VERSION:
        raise UserInputError(N_("The backup's format version is not one this version of Reclaim reads."))
    return manifest


def _restore_vault(archive: zipfile.ZipFile, vault: Path) -> int:
    from reclaim.services.home import _make_private_dir

    _make_private_dir(vault)
    count = 0
    for name in archive.namelist():
        if not name.startswith(_VAULT_PREFIX) or name.endswith("/"):
            continue
        parts = name[len(_VAULT_PREFIX) :].split("/")
        if not all(_SAFE_PART.match(part) for part in parts):
            raise UserInputError(N_("The backup names a vault file outside the vault: {name}."), name=name)
        target = vault.joinpath(*parts)
        for parent in reversed(target.relative_to(vault).parents):
            if str(parent) != ".":
                _make_private_dir(vault / parent)
        with archive.open(name) as member, _private_file(target) as out:
            while chunk := member.read(1024**2):
                out.write(chunk)
        count += 1
    return count


def _member_lines(archive: zipfile.ZipFile, name: str) -> Iterator[bytes]:
    with archive.open(name) as member:
        for line in member:
            if line.strip():
                yield line


def _private_file(path: Path) -> IO[bytes]:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    return os.fdopen(fd, "wb")
