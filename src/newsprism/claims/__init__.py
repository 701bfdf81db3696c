"""Claims: alignment of statements across articles, corroboration, contradiction, claim relations."""

from .groups import build_claims, display_text
from .relation import (
    ClaimRelation,
    RelationModel,
    fit_relation,
    pair_matrix,
    predict_relations,
    relation,
    relation_scores,
)
from .support import support_score

__all__ = [
    "ClaimRelation",
    "RelationModel",
    "build_claims",
    "display_text",
    "fit_relation",
    "pair_matrix",
    "predict_relations",
    "relation",
    "relation_scores",
    "support_score",
]
