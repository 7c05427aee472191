"""At most one preview of a lab queued or running: a partial unique index, so two clicks
that race past the page's check cannot both store one

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 17:35:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

IN_FLIGHT = sa.text("status IN ('queued', 'running')")


def upgrade() -> None:
    op.create_index("uq_lab_previews_in_flight", "lab_previews", ["lab_id"], unique=True,
                    sqlite_where=IN_FLIGHT, postgresql_where=IN_FLIGHT)


def downgrade() -> None:
    op.drop_index("uq_lab_previews_in_flight", table_name="lab_previews")
