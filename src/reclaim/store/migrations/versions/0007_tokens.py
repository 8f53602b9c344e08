"""Bearer tokens of the HTTP API, kept as hashes; audit event ids that are never reused.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("secret_sha256", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("case_id", sa.String(length=64), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_by", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_api_tokens_case_id_cases"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("secret_sha256", name=op.f("uq_api_tokens_secret_sha256")),
    )
    with op.batch_alter_table("api_tokens") as batch_op:
        batch_op.create_index(batch_op.f("ix_api_tokens_case_id"), ["case_id"], unique=False)

    if op.get_bind().dialect.name == "sqlite":
        # AUTOINCREMENT: a case's withdrawal deletes her latest events, and plain SQLite would
        # hand their ids out again, behind the cursor of platforms that follow the bank.
        # PostgreSQL's sequences never reuse an id.
        with op.batch_alter_table(
            "audit_events", recreate="always", table_kwargs={"sqlite_autoincrement": True}
        ) as batch_op:
            del batch_op  # the table is rebuilt as it is, with AUTOINCREMENT


def downgrade() -> None:
    # AUTOINCREMENT stays on audit_events: older revisions read and write the table the same way.
    op.drop_table("api_tokens")
