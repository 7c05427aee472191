"""Lab previews run one planned row per job: the preview keeps the seed every row is graded
with, when its next row joined the queue and how often that row was claimed; each row keeps
its checks (and their answers) and cause, so the findings are computed from the stored rows
once the last one is in

Rows of superseded attempts go (each attempt started over from the first row, and only the
current attempt's rows were shown); a preview queued or running under the old scheme ends as
an error that asks for a new run.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 07:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("lab_previews", sa.Column("tries", sa.Integer, nullable=False,
                                            server_default="0"))
    op.add_column("lab_previews", sa.Column("queued_at", sa.DateTime(timezone=True),
                                            nullable=True))
    op.add_column("lab_previews", sa.Column("seed", sa.Integer, nullable=True))
    op.add_column("lab_preview_rows", sa.Column("checks", sa.Text, nullable=True))
    op.add_column("lab_preview_rows", sa.Column("cause", sa.Text, nullable=True))
    op.execute("DELETE FROM lab_preview_rows WHERE attempt <> (SELECT p.attempt FROM "
               "lab_previews p WHERE p.id = lab_preview_rows.preview_id)")
    op.execute("UPDATE lab_previews SET status = 'error', lease_expires_at = NULL, "
               "finished_at = CURRENT_TIMESTAMP, error = 'the site was upgraded while it "
               "ran: run the preview again' WHERE status IN ('queued', 'running')")


def downgrade() -> None:
    with op.batch_alter_table("lab_preview_rows") as batch:
        batch.drop_column("cause")
        batch.drop_column("checks")
    with op.batch_alter_table("lab_previews") as batch:
        batch.drop_column("seed")
        batch.drop_column("queued_at")
        batch.drop_column("tries")
