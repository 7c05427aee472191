"""logins.last_seen_at: an idle login lapses after LOGIN_IDLE_DAYS

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 18:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("logins") as batch:
        batch.add_column(sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE logins SET last_seen_at = created_at")
    with op.batch_alter_table("logins") as batch:
        batch.alter_column("last_seen_at", existing_type=sa.DateTime(timezone=True),
                           nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("logins") as batch:
        batch.drop_column("last_seen_at")
