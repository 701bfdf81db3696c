"""Models shipped inside PyPI packages, loaded once per process. Nothing is downloaded at run time."""

from .embeddings import embed, embedder
from .nlp import nlp, parse, parser_text

__all__ = ["embed", "embedder", "nlp", "parse", "parser_text"]
