"""workspace drafts and run sessions

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "drafts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("lab_id", sa.String(length=100), nullable=False),
        sa.Column("files", sa.LargeBinary(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("user_id", "lab_id", name="uq_drafts_user_lab"),
    )
    op.create_index("ix_drafts_user_id", "drafts", ["user_id"])
    op.create_table(
        "run_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("lab_id", sa.String(length=100), nullable=False),
        sa.Column("backend", sa.String(length=20), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("end_reason", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_run_sessions_user_id", "run_sessions", ["user_id"])


def downgrade() -> None:
    op.drop_index("ix_run_sessions_user_id", table_name="run_sessions")
    op.drop_table("run_sessions")
    op.drop_index("ix_drafts_user_id", table_name="drafts")
    op.drop_table("drafts")
