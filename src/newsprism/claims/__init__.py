"""Claims: alignment of statements across articles, corroboration, contradiction, claim relations."""

from .features import Quantity, SentenceFeatures, features, quantities, values_agree
from .groups import build_claims, display_text, is_trivia, sentence_groups, source_roots
from .relation import (
    ClaimRelation,
    RelationModel,
    fit_relation,
    pair_matrix,
    predict_relations,
    relation,
    relation_scores,
)
from .support import support_between, support_score

__all__ = [
    "ClaimRelation",
    "Quantity",
    "RelationModel",
    "SentenceFeatures",
    "build_claims",
    "display_text",
    "features",
    "fit_relation",
    "is_trivia",
    "pair_matrix",
    "predict_relations",
    "quantities",
    "relation",
    "relation_scores",
    "sentence_groups",
    "source_roots",
    "support_between",
    "support_score",
    "values_agree",
]
