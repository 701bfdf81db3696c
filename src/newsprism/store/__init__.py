"""Stores: SQLite by default; other back-ends implement the same methods."""

from __future__ import annotations

from .sqlite import SQLiteStore

Store = SQLiteStore


def open_store(location: str = "newsprism.db") -> SQLiteStore:
    """Open the store at a file path (or ':memory:')."""
    return SQLiteStore(location)


__all__ = ["SQLiteStore", "Store", "open_store"]
