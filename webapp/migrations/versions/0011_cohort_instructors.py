"""Per-class instructors: each class's creator teaches it, and co-instructors may be added

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 12:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cohort_instructors",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("cohort_id", sa.Integer, sa.ForeignKey("cohorts.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("cohort_id", "user_id", name="uq_cohort_instructors"),
    )
    op.create_index("ix_cohort_instructors_cohort_id", "cohort_instructors", ["cohort_id"])
    op.create_index("ix_cohort_instructors_user_id", "cohort_instructors", ["user_id"])
    # a class made before this revision is taught by whoever created it
    op.execute("INSERT INTO cohort_instructors (cohort_id, user_id, added_at) "
               "SELECT id, created_by, created_at FROM cohorts WHERE created_by IS NOT NULL")


def downgrade() -> None:
    op.drop_table("cohort_instructors")
