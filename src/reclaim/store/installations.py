"""The installation row: which key this database's evidence is signed with."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from reclaim.errors import N_, StorageError
from reclaim.store.models import Installation


@dataclass(frozen=True, slots=True)
class InstallationRecord:
    id: str
    created_at: datetime
    signing_public_key: str
    key_fingerprint: str


def get_installation(engine: Engine) -> InstallationRecord | None:
    """The installation, or None before ``reclaim init`` has recorded it."""
    with Session(engine) as session:
        rows = session.scalars(select(Installation).order_by(Installation.created_at).limit(2)).all()
    if len(rows) > 1:
        # Two identities would make it ambiguous which key vouches for the evidence.
        raise StorageError(
            N_("The database records more than one installation, so which key signs its evidence is unclear.")
        )
    return _record(rows[0]) if rows else None


def record_installation(engine: Engine, installation: InstallationRecord) -> None:
    """Store the installation row; refuses if one already exists."""
    with Session(engine) as session, session.begin():
        existing = session.scalar(select(func.count()).select_from(Installation))
        if existing:
            raise StorageError(N_("The database already records an installation."))
        session.add(
            Installation(
                id=installation.id,
                created_at=installation.created_at,
                signing_public_key=installation.signing_public_key,
                key_fingerprint=installation.key_fingerprint,
            )
        )


def _record(row: Installation) -> InstallationRecord:
    return InstallationRecord(
        id=row.id,
        created_at=row.created_at,
        signing_public_key=row.signing_public_key,
        key_fingerprint=row.key_fingerprint,
    )
