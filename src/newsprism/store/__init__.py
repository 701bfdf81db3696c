"""Stores: the `Store` interface (`base.py`) and its SQLite implementation, the default."""

from __future__ import annotations

from .base import Store
from .sqlite import SQLiteStore


def open_store(location: str = "newsprism.db") -> Store:
    """Open the store at a file path (or ':memory:')."""
    return SQLiteStore(location)


__all__ = ["SQLiteStore", "Store", "open_store"]
