"""item versions for optimistic concurrency; post-mortem file hashes; a listing index

Revision ID: 0002_item_version
Revises: 0002_mirroring
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_item_version"
down_revision = "0002_mirroring"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    # Existing items start at version 1, as new ones do.
    with op.batch_alter_table("action_item", schema=None) as batch_op:
        batch_op.add_column(sa.Column("version", sa.Integer(), server_default="1", nullable=False))

    # A re-import skips files whose bytes did not change, before parsing them.
    with op.batch_alter_table("postmortem", schema=None) as batch_op:
        batch_op.add_column(sa.Column("file_hash", sa.String(), nullable=True))
    # Item lists are in this order; the index spares sorting every item for a first page.
    op.create_index(
        "ix_postmortem_listing",
        "postmortem",
        [sa.text("(incident_date IS NULL)"), sa.text("incident_date DESC"), "slug"],
    )


def downgrade() -> None:
    """Revert this revision."""
    op.drop_index("ix_postmortem_listing", table_name="postmortem")
    # Plain ALTER TABLE … DROP COLUMN (SQLite ≥ 3.35): rebuilding a table that other
    # tables reference would break their foreign keys.
    op.drop_column("postmortem", "file_hash")
    op.drop_column("action_item", "version")
