"""Duplicates within a story: exact copies, near copies (MinHash), rewrites (sentence alignment), partial reuse."""

from .duplicates import find_duplicates

__all__ = ["find_duplicates"]
