"""Lab previews run as grading jobs: the preview and its rows, fenced by attempt

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 17:05:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lab_previews",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("lab_id", sa.String(100), nullable=False),
        sa.Column("created_by", sa.Integer, sa.ForeignKey("users.id", ondelete="SET NULL"),
                  nullable=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("attempt", sa.Integer, nullable=False),
        sa.Column("lease_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("planned", sa.Text, nullable=False),
        sa.Column("not_gradable", sa.String(300), nullable=True),
        sa.Column("findings", sa.Text, nullable=True),
        sa.Column("error", sa.Text, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_lab_previews_lab_id", "lab_previews", ["lab_id"])
    op.create_index("ix_lab_previews_status", "lab_previews", ["status"])
    op.create_table(
        "lab_preview_rows",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("preview_id", sa.Integer,
                  sa.ForeignKey("lab_previews.id", ondelete="CASCADE"), nullable=False),
        sa.Column("attempt", sa.Integer, nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("subject", sa.String(300), nullable=False),
        sa.Column("expected", sa.String(300), nullable=False),
        sa.Column("outcome", sa.Text, nullable=False),
        sa.Column("ok", sa.Boolean, nullable=False),
        sa.Column("failed_checks", sa.Text, nullable=False),
        sa.Column("graded", sa.Boolean, nullable=False),
        sa.Column("duration_s", sa.Float, nullable=False),
        sa.UniqueConstraint("preview_id", "attempt", "position", name="uq_lab_preview_rows"),
    )
    op.create_index("ix_lab_preview_rows_preview_id", "lab_preview_rows", ["preview_id"])


def downgrade() -> None:
    op.drop_table("lab_preview_rows")
    op.drop_table("lab_previews")
