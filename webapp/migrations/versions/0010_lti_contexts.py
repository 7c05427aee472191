"""LTI contexts (LMS courses) mapped to classes; score posts keep fractional scores

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 08:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lti_contexts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("platform_id", sa.Integer,
                  sa.ForeignKey("lti_platforms.id", ondelete="CASCADE"), nullable=False),
        sa.Column("context_id", sa.String(255), nullable=False),
        sa.Column("title", sa.String(500), nullable=True),
        sa.Column("cohort_id", sa.Integer, sa.ForeignKey("cohorts.id", ondelete="SET NULL"),
                  nullable=True),
        sa.UniqueConstraint("platform_id", "context_id", name="uq_lti_contexts_context"),
    )
    op.create_index("ix_lti_contexts_platform_id", "lti_contexts", ["platform_id"])
    with op.batch_alter_table("lti_score_posts") as batch:
        batch.alter_column("score_given", type_=sa.Float, existing_type=sa.Integer,
                           existing_nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("lti_score_posts") as batch:
        batch.alter_column("score_given", type_=sa.Integer, existing_type=sa.Float,
                           existing_nullable=False)
    op.drop_table("lti_contexts")
