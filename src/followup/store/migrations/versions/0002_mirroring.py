"""mirroring: the Due line of an issue's body, and GitHub Projects (v2)

Revision ID: 0002_mirroring
Revises: 0002_due_source
Create Date: 2026-12-05

Adds github_issue.body_due (the Due line of followup's block in the issue body as last
read), github_project (a Project and the ids of its Priority and Due fields) and
project_item (an issue's item in a Project, with the values last seen there).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_mirroring"
down_revision = "0002_due_source"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("github_issue", schema=None) as batch_op:
        batch_op.add_column(sa.Column("body_due", sa.String(), nullable=True))
    op.create_table(
        "github_project",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("ref", sa.String(), nullable=False),
        sa.Column("title", sa.String(), nullable=True),
        sa.Column("url", sa.String(), nullable=True),
        sa.Column("priority_field", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("due_field", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("github_project", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_github_project_ref"), ["ref"], unique=False)
    op.create_table(
        "project_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.String(), nullable=False),
        sa.Column("issue_id", sa.Integer(), nullable=False),
        sa.Column("node_id", sa.String(), nullable=False),
        sa.Column("priority", sa.String(), nullable=True),
        sa.Column("due", sa.String(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["issue_id"], ["github_issue.id"]),
        sa.ForeignKeyConstraint(["project_id"], ["github_project.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("node_id"),
        sa.UniqueConstraint("project_id", "issue_id"),
    )
    with op.batch_alter_table("project_item", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_project_item_issue_id"), ["issue_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_project_item_project_id"), ["project_id"], unique=False
        )


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("project_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_project_item_project_id"))
        batch_op.drop_index(batch_op.f("ix_project_item_issue_id"))
    op.drop_table("project_item")
    with op.batch_alter_table("github_project", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_github_project_ref"))
    op.drop_table("github_project")
    with op.batch_alter_table("github_issue", schema=None) as batch_op:
        batch_op.drop_column("body_due")
