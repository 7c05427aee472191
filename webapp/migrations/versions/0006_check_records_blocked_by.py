"""check_records.blocked_by: the root check a blocked check waited for

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("check_records") as batch:
        batch.add_column(sa.Column("blocked_by", sa.String(200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("check_records") as batch:
        batch.drop_column("blocked_by")
