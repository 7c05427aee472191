"""LMS courses keep their NRPS memberships URL (from a launch) for roster syncs

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 13:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("lti_contexts") as batch:
        batch.add_column(sa.Column("memberships_url", sa.String(1000), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("lti_contexts") as batch:
        batch.drop_column("memberships_url")
