"""Incremental story clustering: articles join the open story they match, or found a new one."""

from .clusterer import (
    TITLE_VECTORS,
    StoryClusterer,
    article_vector,
    article_vector_rows,
    needs_title_vector,
    title_vectors,
)
from .evidence import ArticleEvidence, article_evidence
from .index import AnnCentroidIndex, CentroidIndex

__all__ = [
    "TITLE_VECTORS",
    "AnnCentroidIndex",
    "ArticleEvidence",
    "CentroidIndex",
    "StoryClusterer",
    "article_vector",
    "article_vector_rows",
    "article_evidence",
    "needs_title_vector",
    "title_vectors",
]
