"""Stage 4, extraction: entity mentions, quotes with speakers, numbers and dates of each article.

`extract_articles` parses each article once with the shared spaCy pipeline and runs every extractor on that
parse; `canonicalize` merges entities across a story and names quote speakers canonically.
"""

from __future__ import annotations

from collections.abc import Sequence

from .. import settings
from ..records import Article, ArticleExtraction
from ..text import sentence_spans
from .dates import find_dates, resolve_date
from .entities import canonicalize, entity_mentions
from .facts import find_numbers, parse_value
from .quotes import find_quotes

__all__ = [
    "canonicalize",
    "extract_article",
    "extract_articles",
    "find_quotes",
    "parse_value",
    "resolve_date",
]


def extract_article(article: Article, doc) -> ArticleExtraction:
    """Everything extracted from one article, given its spaCy parse (of the text capped at max_article_chars)."""
    text = article.text
    sentences = sentence_spans(text)
    return ArticleExtraction(
        article_id=article.id,
        mentions=tuple(entity_mentions(doc, article.id, text)),
        quotes=tuple(find_quotes(text, doc, article.id)),
        numbers=tuple(find_numbers(doc, text, article.id, sentences)),
        dates=tuple(find_dates(doc, text, article.id, article.published, sentences)),
    )


def extract_articles(articles: Sequence[Article]) -> list[ArticleExtraction]:
    """One spaCy pass over the articles, then entities, quotes, numbers and dates per article (input order).

    A batch of at least `spacy_parallel_min_docs` articles is parsed by `spacy_processes` forked workers;
    the parses (and so the extractions) are the same as in one process.
    """
    if not articles:
        return []
    from ..models import nlp

    cap = settings.get("max_article_chars")
    processes = max(1, int(settings.get("spacy_processes")))
    if len(articles) < settings.get("spacy_parallel_min_docs"):
        processes = 1  # starting workers costs more than it saves on a small batch
    docs = nlp().pipe(
        (a.text[:cap] for a in articles),
        batch_size=settings.get("spacy_batch_size"),
        n_process=processes,
    )
    return [extract_article(article, doc) for article, doc in zip(articles, docs, strict=True)]
