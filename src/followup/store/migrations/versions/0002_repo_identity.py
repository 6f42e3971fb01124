"""repository identity: the current name of a renamed or transferred repository

Revision ID: 0002_repo_identity
Revises: 0001
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_repo_identity"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "repo_identity",
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("repo_id", sa.BigInteger(), nullable=True),
        sa.Column("current", sa.String(), nullable=True),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("name"),
    )
    with op.batch_alter_table("repo_identity", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_repo_identity_repo_id"), ["repo_id"], unique=False)


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("repo_identity", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_repo_identity_repo_id"))
    op.drop_table("repo_identity")
