"""Run the Alembic migrations that ship inside the package."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, inspect, text

from followup.store import revision
from followup.store.failures import NewerStoreError
from followup.store.locks import lock_number

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).with_name("migrations")

# The newest migration's revision lives in store/revision.py, which the lean reader
# (store/direct.py) checks without SQLAlchemy.
HEAD = revision.HEAD


def alembic_config() -> Config:
    """Return an Alembic config that points at the packaged migrations."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head_revision() -> str | None:
    """Return the newest migration's revision, as Alembic reads it from the scripts."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    """Return the revision the database is at, or None when it has no schema yet."""
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def check_known(revision: str | None) -> None:
    """Fail with a line saying to upgrade if the store's revision is not one of ours."""
    if revision is None:
        return
    from alembic.script import ScriptDirectory

    known = {
        script.revision for script in ScriptDirectory.from_config(alembic_config()).walk_revisions()
    }
    if revision not in known:
        raise NewerStoreError(
            f"this store was written by a newer followup (revision {revision}); upgrade followup"
        )


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest revision; a no-op when it is there already."""
    if current_revision(engine) == HEAD:
        return
    from alembic import command

    config = alembic_config()
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            # Two runs creating one new store take turns: the second then finds the
            # schema at head (Alembic reads the revision inside this transaction).
            # SQLite's migrations begin with BEGIN IMMEDIATE, to the same end (db.py).
            conn.execute(text("SELECT pg_advisory_xact_lock(:n)"), {"n": lock_number("schema")})
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
