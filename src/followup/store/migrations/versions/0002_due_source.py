"""due dates by policy, and the claims of comments posted once

Revision ID: 0002_due_source
Revises: 0002_repo_identity
Create Date: 2026-12-05

Adds action_item.due_source (document / edited / policy) and action_item.policy_due,
postmortem.policy_key (the policy its items' deadlines were worked out with), and the
comment_claim table (reminders and digests posted exactly once). Existing due dates
are marked as the document's, or as edited when an edit set them.
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0002_due_source"
down_revision = "0002_repo_identity"
branch_labels = None
depends_on = None


def _overrides(value: Any) -> dict[str, Any]:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return {}
    return value if isinstance(value, dict) else {}


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("action_item", schema=None) as batch_op:
        batch_op.add_column(sa.Column("due_source", sa.String(), nullable=True))
        batch_op.add_column(sa.Column("policy_due", sa.Date(), nullable=True))
    with op.batch_alter_table("postmortem", schema=None) as batch_op:
        batch_op.add_column(sa.Column("policy_key", sa.String(), nullable=True))

    op.create_table(
        "comment_claim",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("repo", sa.String(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(), nullable=False),
        sa.Column("item_id", sa.String(), nullable=True),
        sa.Column("run", sa.String(), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("comment_id", sa.Integer(), nullable=True),
        sa.Column("url", sa.String(), nullable=True),
        sa.Column("posted_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("repo", "number", "key"),
    )
    with op.batch_alter_table("comment_claim", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_comment_claim_item_id"), ["item_id"], unique=False)

    # Every due date stored so far came from the document, unless an edit set it.
    items = sa.table(
        "action_item",
        sa.column("id", sa.String()),
        sa.column("due", sa.Date()),
        sa.column("overrides", sa.JSON()),
        sa.column("due_source", sa.String()),
    )
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(items.c.id, items.c.overrides).where(items.c.due.is_not(None))
    ).all()
    edited = [row.id for row in rows if "due" in _overrides(row.overrides)]
    bind.execute(items.update().where(items.c.due.is_not(None)).values(due_source="document"))
    for start in range(0, len(edited), 500):
        chunk = edited[start : start + 500]
        bind.execute(items.update().where(items.c.id.in_(chunk)).values(due_source="edited"))


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("comment_claim", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_comment_claim_item_id"))
    op.drop_table("comment_claim")
    # Plain ALTER TABLE … DROP COLUMN (SQLite ≥ 3.35): rebuilding a table that other
    # tables reference would break their foreign keys.
    op.drop_column("postmortem", "policy_key")
    op.drop_column("action_item", "policy_due")
    op.drop_column("action_item", "due_source")
