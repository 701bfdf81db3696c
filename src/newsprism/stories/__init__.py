"""Incremental story clustering: articles join the open story they match, or found a new one."""

from .clusterer import StoryClusterer, article_vector, title_vectors
from .evidence import ArticleEvidence, article_evidence
from .index import AnnCentroidIndex, CentroidIndex

__all__ = [
    "AnnCentroidIndex",
    "ArticleEvidence",
    "CentroidIndex",
    "StoryClusterer",
    "article_vector",
    "article_evidence",
    "title_vectors",
]
