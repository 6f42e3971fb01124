"""The local store: SQLModel tables, migrations, imports and queries."""

from __future__ import annotations

from followup.store.db import create_store_engine, session_scope
from followup.store.failures import StoreError
from followup.store.models import Status

__all__ = ["Status", "StoreError", "create_store_engine", "session_scope"]
