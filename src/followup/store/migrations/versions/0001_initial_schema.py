"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""

    op.create_table(
        "github_issue",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("repo", sa.String(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("node_id", sa.String(), nullable=True),
        sa.Column("url", sa.String(), nullable=True),
        sa.Column("title", sa.String(), nullable=True),
        sa.Column("state", sa.String(), nullable=True),
        sa.Column("state_reason", sa.String(), nullable=True),
        sa.Column("assignees", sa.JSON(), nullable=False),
        sa.Column("labels", sa.JSON(), nullable=False),
        sa.Column("pull_request_state", sa.String(), nullable=True),
        sa.Column("gone", sa.String(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("synced_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("repo", "number"),
    )
    with op.batch_alter_table("github_issue", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_github_issue_node_id"), ["node_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_github_issue_repo"), ["repo"], unique=False)

    op.create_table(
        "repo_sync",
        sa.Column("repo", sa.String(), nullable=False),
        sa.Column("etag", sa.String(), nullable=True),
        sa.Column("since", sa.DateTime(timezone=True), nullable=True),
        sa.Column("polled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("error", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("repo"),
    )
    op.create_table(
        "sync_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("changed", sa.Integer(), nullable=False),
        sa.Column("requests", sa.Integer(), nullable=False),
        sa.Column("error", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("sync_run", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sync_run_started_at"), ["started_at"], unique=False)

    op.create_table(
        "postmortem",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(), nullable=False),
        sa.Column("path", sa.String(), nullable=False),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("incident_date", sa.Date(), nullable=True),
        sa.Column("status", sa.String(), nullable=True),
        sa.Column("repo", sa.String(), nullable=True),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("content_hash", sa.String(), nullable=False),
        sa.Column("tracking_issue_id", sa.Integer(), nullable=True),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tracking_issue_id"],
            ["github_issue.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("postmortem", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_postmortem_slug"), ["slug"], unique=True)

    op.create_table(
        "action_item",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("postmortem_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("text", sa.String(), nullable=False),
        sa.Column("fingerprint", sa.String(), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("owner", sa.String(), nullable=True),
        sa.Column("due", sa.Date(), nullable=True),
        sa.Column("due_text", sa.String(), nullable=True),
        sa.Column("priority", sa.String(), nullable=True),
        sa.Column("type", sa.String(), nullable=True),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("section", sa.String(), nullable=True),
        sa.Column("parent", sa.String(), nullable=True),
        sa.Column("repo", sa.String(), nullable=True),
        sa.Column("doc_done", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("status_reason", sa.String(), nullable=True),
        sa.Column("references", sa.JSON(), nullable=False),
        sa.Column("protection", sa.JSON(), nullable=True),
        sa.Column("protection_applied", sa.JSON(), nullable=True),
        sa.Column("overrides", sa.JSON(), nullable=False),
        sa.Column("issue_id", sa.Integer(), nullable=True),
        sa.Column("filing_intent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("verified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["issue_id"],
            ["github_issue.id"],
        ),
        sa.ForeignKeyConstraint(
            ["postmortem_id"],
            ["postmortem.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("action_item", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_action_item_issue_id"), ["issue_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_action_item_owner"), ["owner"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_action_item_postmortem_id"), ["postmortem_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_action_item_status"), ["status"], unique=False)

    op.create_table(
        "event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.String(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("field", sa.String(), nullable=False),
        sa.Column("old", sa.String(), nullable=True),
        sa.Column("new", sa.String(), nullable=True),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["action_item.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_event_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_event_item_id"), ["item_id"], unique=False)

    op.create_table(
        "pending_edit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.String(), nullable=False),
        sa.Column("field", sa.String(), nullable=False),
        sa.Column("value", sa.String(), nullable=True),
        sa.Column("base", sa.String(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["action_item.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("pending_edit", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pending_edit_item_id"), ["item_id"], unique=False)


def downgrade() -> None:
    """Revert this revision."""

    with op.batch_alter_table("pending_edit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pending_edit_item_id"))

    op.drop_table("pending_edit")
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_event_item_id"))
        batch_op.drop_index(batch_op.f("ix_event_at"))

    op.drop_table("event")
    with op.batch_alter_table("action_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_action_item_status"))
        batch_op.drop_index(batch_op.f("ix_action_item_postmortem_id"))
        batch_op.drop_index(batch_op.f("ix_action_item_owner"))
        batch_op.drop_index(batch_op.f("ix_action_item_issue_id"))

    op.drop_table("action_item")
    with op.batch_alter_table("postmortem", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_postmortem_slug"))

    op.drop_table("postmortem")
    with op.batch_alter_table("sync_run", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sync_run_started_at"))

    op.drop_table("sync_run")
    op.drop_table("repo_sync")
    with op.batch_alter_table("github_issue", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_github_issue_repo"))
        batch_op.drop_index(batch_op.f("ix_github_issue_node_id"))

    op.drop_table("github_issue")
