"""Safeguards against a poisoned bank: quarantined entries, match counts and platforms' feedback.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("bank_entries") as batch_op:
        batch_op.add_column(sa.Column("quarantined_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("quarantine_reason", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("cleared_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("cleared_by", sa.String(length=200), nullable=True))

    op.create_table(
        "entry_match_counts",
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("hour", sa.DateTime(timezone=True), nullable=False),
        sa.Column("matches", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["bank_entries.id"],
            name=op.f("fk_entry_match_counts_entry_id_bank_entries"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("entry_id", "hour", name=op.f("pk_entry_match_counts")),
    )
    with op.batch_alter_table("entry_match_counts") as batch_op:
        batch_op.create_index(batch_op.f("ix_entry_match_counts_hour"), ["hour"], unique=False)

    op.create_table(
        "entry_feedback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("verdict", sa.String(length=16), nullable=False),
        sa.Column("token_id", sa.String(length=32), nullable=False),
        sa.Column("note", sa.String(length=1000), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["bank_entries.id"],
            name=op.f("fk_entry_feedback_entry_id_bank_entries"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_entry_feedback")),
    )
    with op.batch_alter_table("entry_feedback") as batch_op:
        batch_op.create_index(batch_op.f("ix_entry_feedback_entry_id"), ["entry_id"], unique=False)


def downgrade() -> None:
    op.drop_table("entry_feedback")
    op.drop_table("entry_match_counts")
    with op.batch_alter_table("bank_entries") as batch_op:
        batch_op.drop_column("cleared_by")
        batch_op.drop_column("cleared_at")
        batch_op.drop_column("quarantine_reason")
        batch_op.drop_column("quarantined_at")
