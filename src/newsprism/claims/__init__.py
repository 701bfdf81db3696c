"""Claims: alignment of statements across articles, corroboration, contradiction, claim relations."""

from .support import support_score

__all__ = ["support_score"]
