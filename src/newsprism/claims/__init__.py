"""Claims: alignment of statements across articles, corroboration, contradiction, claim relations."""

from .groups import build_claims, display_text
from .relation import ClaimRelation, relation
from .support import support_score

__all__ = ["ClaimRelation", "build_claims", "display_text", "relation", "support_score"]
