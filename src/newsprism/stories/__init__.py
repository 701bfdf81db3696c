"""Incremental story clustering: articles join the open story they match, or found a new one."""

from .clusterer import StoryClusterer, article_vector
from .index import CentroidIndex

__all__ = ["CentroidIndex", "StoryClusterer", "article_vector"]
