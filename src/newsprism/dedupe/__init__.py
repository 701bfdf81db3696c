"""Duplicates within a story: exact copies, near copies (MinHash), rewrites (sentence alignment), partial reuse."""

from .align import copied_wording
from .duplicates import find_duplicates

__all__ = ["copied_wording", "find_duplicates"]
