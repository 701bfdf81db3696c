"""Stores: the `Store` interface (`base.py`), SQLite (the embedded default) and PostgreSQL."""

from __future__ import annotations

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


__all__ = ["POSTGRES_SCHEMES", "SQLiteStore", "Store", "open_store", "shown"]
