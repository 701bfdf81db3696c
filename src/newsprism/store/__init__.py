"""Stores: the `Store` interface (`base.py`), SQLite (the embedded default) and PostgreSQL."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from .base import Store
from .rows import shown
from .sqlite import SQLiteStore

POSTGRES_SCHEMES = ("postgresql://", "postgres://")


def open_store(location: str = "newsprism.db") -> Store:
    """Open the store at a file path (or ':memory:'), or in the PostgreSQL database a postgresql:// URL names."""
    if location.startswith(POSTGRES_SCHEMES):
        from .postgres import PostgresStore

        return PostgresStore(location)
    return SQLiteStore(location)


# Where scratch stores (an evaluation's working store, a what-if run) are opened: in memory, or in new schemas
# of a PostgreSQL database (`newsprism eval --db URL`). A context variable, like the run's settings.
_SCRATCH: ContextVar[str] = ContextVar("newsprism_scratch_stores", default=":memory:")


def open_scratch_store() -> Store:
    """A new, empty store for one evaluation or what-if run: in memory, or (inside `scratch_stores_in(url)`)
    in a new schema of that PostgreSQL database, dropped when the store closes."""
    location = _SCRATCH.get()
    if location == ":memory:":
        return SQLiteStore(":memory:")
    from .postgres import PostgresStore

    return PostgresStore(location, schema=f"scratch_{secrets.token_hex(6)}", drop_on_close=True)


@contextmanager
def scratch_stores_in(location: str | None) -> Iterator[None]:
    """Open the scratch stores of what runs inside in the PostgreSQL database at `location` (None: memory)."""
    if location is not None and not location.startswith(POSTGRES_SCHEMES):
        from ..errors import StoreError

        raise StoreError(f"{shown(location)}: scratch stores go in memory or in a postgresql:// database")
    token = _SCRATCH.set(location or ":memory:")
    try:
        yield
    finally:
        _SCRATCH.reset(token)


__all__ = [
    "POSTGRES_SCHEMES",
    "SQLiteStore",
    "Store",
    "open_scratch_store",
    "open_store",
    "scratch_stores_in",
    "shown",
]
