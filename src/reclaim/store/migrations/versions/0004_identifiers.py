"""Protected identifiers: a case's personal details, as keyed hashes only.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "protected_identifiers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("submitted_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_protected_identifiers_case_id_cases"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_protected_identifiers")),
        sa.UniqueConstraint("case_id", "kind", "digest", name=op.f("uq_protected_identifiers_case_id")),
    )
    with op.batch_alter_table("protected_identifiers") as batch_op:
        batch_op.create_index(batch_op.f("ix_protected_identifiers_case_id"), ["case_id"], unique=False)


def downgrade() -> None:
    op.drop_table("protected_identifiers")
