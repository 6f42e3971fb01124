"""Give a benchmark an empty store on the backend it measures: a SQLite file or PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from tests import pgcluster


@contextmanager
def store_url(backend: str, url: str | None, folder: Path, name: str) -> Iterator[str]:
    """Yield the URL of an empty database called name (a throwaway PostgreSQL unless url)."""
    if backend == "sqlite":
        yield f"sqlite:///{folder / f'{name}.db'}"
        return
    if url:
        yield url
        return
    with pgcluster.running() as cluster:
        admin = create_engine(cluster.url(), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f"CREATE DATABASE followup_{name}"))
        admin.dispose()
        yield cluster.url(f"followup_{name}")
