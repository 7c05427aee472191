"""LTI 1.3: the tool's key, platforms and deployments, login states, accounts, resource
links, learner links and the score posts to send back

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 07:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def _when(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "lti_tool_keys",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("kid", sa.String(64), nullable=False, unique=True),
        sa.Column("private_pem", sa.Text, nullable=False),
        _when("created_at", nullable=False),
    )
    op.create_table(
        "lti_platforms",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("issuer", sa.String(500), nullable=False),
        sa.Column("client_id", sa.String(255), nullable=False),
        sa.Column("auth_login_url", sa.String(1000), nullable=False),
        sa.Column("auth_token_url", sa.String(1000), nullable=False),
        sa.Column("jwks_url", sa.String(1000), nullable=False),
        _when("created_at", nullable=False),
        sa.UniqueConstraint("issuer", "client_id", name="uq_lti_platforms_client"),
    )
    op.create_table(
        "lti_deployments",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("platform_id", sa.Integer,
                  sa.ForeignKey("lti_platforms.id", ondelete="CASCADE"), nullable=False),
        sa.Column("deployment_id", sa.String(255), nullable=False),
        sa.UniqueConstraint("platform_id", "deployment_id", name="uq_lti_deployments_platform"),
    )
    op.create_index("ix_lti_deployments_platform_id", "lti_deployments", ["platform_id"])
    op.create_table(
        "lti_login_states",
        sa.Column("state", sa.String(64), primary_key=True),
        sa.Column("nonce", sa.String(64), nullable=False, unique=True),
        sa.Column("platform_id", sa.Integer,
                  sa.ForeignKey("lti_platforms.id", ondelete="CASCADE"), nullable=False),
        _when("created_at", nullable=False),
        _when("used_at"),
    )
    op.create_table(
        "lti_accounts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("issuer", sa.String(500), nullable=False),
        sa.Column("sub", sa.String(255), nullable=False),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"),
                  nullable=False),
        sa.UniqueConstraint("issuer", "sub", name="uq_lti_accounts_issuer_sub"),
    )
    op.create_index("ix_lti_accounts_user_id", "lti_accounts", ["user_id"])
    op.create_table(
        "lti_resource_links",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("platform_id", sa.Integer,
                  sa.ForeignKey("lti_platforms.id", ondelete="CASCADE"), nullable=False),
        sa.Column("deployment_id", sa.String(255), nullable=False),
        sa.Column("resource_link_id", sa.String(255), nullable=False),
        sa.Column("context_id", sa.String(255), nullable=True),
        sa.Column("context_title", sa.String(500), nullable=True),
        sa.Column("title", sa.String(500), nullable=True),
        sa.Column("lab_id", sa.String(100), nullable=True),
        sa.Column("lineitem_url", sa.String(1000), nullable=True),
        sa.Column("lineitems_url", sa.String(1000), nullable=True),
        sa.Column("ags_scopes", sa.Text, nullable=False),
        _when("updated_at", nullable=False),
        sa.UniqueConstraint("platform_id", "resource_link_id",
                            name="uq_lti_resource_links_link"),
    )
    op.create_index("ix_lti_resource_links_platform_id", "lti_resource_links", ["platform_id"])
    op.create_index("ix_lti_resource_links_context_id", "lti_resource_links", ["context_id"])
    op.create_table(
        "lti_learner_links",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("resource_link_id", sa.Integer,
                  sa.ForeignKey("lti_resource_links.id", ondelete="CASCADE"), nullable=False),
        sa.Column("sub", sa.String(255), nullable=False),
        _when("launched_at", nullable=False),
        sa.UniqueConstraint("user_id", "resource_link_id", name="uq_lti_learner_links_target"),
    )
    op.create_index("ix_lti_learner_links_user_id", "lti_learner_links", ["user_id"])
    op.create_index("ix_lti_learner_links_resource_link_id", "lti_learner_links",
                    ["resource_link_id"])
    op.create_table(
        "lti_score_posts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("learner_link_id", sa.Integer,
                  sa.ForeignKey("lti_learner_links.id", ondelete="CASCADE"), nullable=False,
                  unique=True),
        sa.Column("submission_id", sa.Integer,
                  sa.ForeignKey("submissions.id", ondelete="SET NULL"), nullable=True),
        sa.Column("score_given", sa.Integer, nullable=False),
        sa.Column("score_maximum", sa.Integer, nullable=False),
        _when("graded_at", nullable=False),
        sa.Column("tries", sa.Integer, nullable=False),
        sa.Column("last_error", sa.Text, nullable=True),
        _when("next_try_at"),
        _when("sent_at"),
    )
    op.create_index("ix_lti_score_posts_next_try_at", "lti_score_posts", ["next_try_at"])


def downgrade() -> None:
    for table in ("lti_score_posts", "lti_learner_links", "lti_resource_links", "lti_accounts",
                  "lti_login_states", "lti_deployments", "lti_platforms", "lti_tool_keys"):
        op.drop_table(table)
