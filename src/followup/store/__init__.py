"""The local store: SQLModel tables, migrations, imports and queries.

The names below load on first use: a lean reader (store/direct.py) reads the store
through its driver alone, without paying for SQLAlchemy and SQLModel at start-up.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from followup.store.db import create_store_engine, session_scope
    from followup.store.failures import StoreError
    from followup.store.models import Status

__all__ = ["Status", "StoreError", "create_store_engine", "session_scope"]

_WHERE = {
    "create_store_engine": "followup.store.db",
    "session_scope": "followup.store.db",
    "StoreError": "followup.store.failures",
    "Status": "followup.statuses",
}


def __getattr__(name: str) -> Any:
    """Return one of the package's names, importing its module on first use."""
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)
