"""Stage 4, extraction: entity mentions, quotes with speakers, numbers and dates of each article.

`extract_articles` parses each article once with the shared spaCy pipeline and runs every extractor on that
parse; `canonicalize` merges entities across a story and names quote speakers canonically.
"""

from __future__ import annotations

from collections.abc import Sequence

from .. import settings
from ..records import Article, ArticleExtraction
from ..text import sentence_spans
from ..workers import WorkerPool, can_fork
from .canonical import canonicalize, same_person
from .clauses import claim_units
from .dates import find_dates, resolve_date
from .entities import entity_mentions
from .facts import find_numbers, parse_value
from .quotes import find_quotes
from .spans import find_mark_spans

__all__ = [
    "canonicalize",
    "extract_article",
    "extract_articles",
    "find_quotes",
    "parse_value",
    "resolve_date",
    "same_person",
]


def extract_article(article: Article, doc) -> ArticleExtraction:
    """Everything extracted from one article, given its spaCy parse (of the text capped at max_article_chars)."""
    text = article.text
    sentences = sentence_spans(text)
    quotes = tuple(find_quotes(text, doc, article.id))
    # every span in quotation marks, attributed or not: a "today" in a quoted phrase is the speaker's today
    spans = [(q.start, q.end) for q in quotes] + [(m.start, m.end) for m in find_mark_spans(text)]
    return ArticleExtraction(
        article_id=article.id,
        mentions=tuple(entity_mentions(doc, article.id, text)),
        quotes=quotes,
        numbers=tuple(find_numbers(doc, text, article.id, sentences)),
        dates=tuple(find_dates(doc, text, article.id, article.published, sentences, spans)),
        claim_units=tuple(claim_units(doc, text, sentences)),
    )


def extract_articles(articles: Sequence[Article]) -> list[ArticleExtraction]:
    """One spaCy pass over the articles, then entities, quotes, numbers and dates per article (input order).

    A batch of at least `spacy_parallel_min_chars` characters is shared among `spacy_processes` forked workers,
    each of which parses its articles and runs the extractors itself: only the small records come back, not
    the parses (serialising a spaCy Doc and reading it back cost about as much as our rules). The workers
    live on between calls, so their tokenizer and attribute caches stay warm. The extractions are the same
    as in one process (tests/test_extract_speed.py).
    """
    if not articles:
        return []
    processes = max(1, settings.current().spacy_processes)
    # One article is parsed whole by one worker: only what can be spread counts, each article's text up to
    # one parse piece. A long page beside a few short ones stays here, with its memory.
    piece = settings.current().spacy_piece_chars
    shared = sum(min(len(a.text), piece) for a in articles)
    small = shared < settings.current().spacy_parallel_min_chars
    if len(articles) < 2 or small or not can_fork():
        processes = 1  # starting workers costs more than it saves on a small batch
    if processes == 1:
        return _extract_here(list(articles))
    return _extract_in_workers(list(articles), processes)


def _extract_here(articles: list[Article]) -> list[ArticleExtraction]:
    """Parse and extract in this process (in a worker: under the sender's settings, `workers.run_under`)."""
    from ..models import parse

    docs = parse(a.text for a in articles)
    return [extract_article(article, doc) for article, doc in zip(articles, docs, strict=True)]


_POOL: WorkerPool | None = None  # kept between calls: the workers' tokenizer and caches stay warm
_POOL_REGISTERED = False  # shutdown_workers registered at exit


def _pool(processes: int) -> WorkerPool:
    import atexit

    from ..models import nlp

    global _POOL, _POOL_REGISTERED
    if _POOL is not None and _POOL.processes != processes:
        shutdown_workers()
    if _POOL is None:
        nlp()  # load before forking: the workers share the loaded model's memory
        _POOL = WorkerPool(processes, "fork")
        if not _POOL_REGISTERED:
            atexit.register(shutdown_workers)
            _POOL_REGISTERED = True
    return _POOL


def shutdown_workers() -> None:
    """Stop the extraction workers (they are started again by the next large batch)."""
    global _POOL
    if _POOL is not None:
        _POOL.shutdown()
        _POOL = None


def _extract_in_workers(articles: list[Article], processes: int) -> list[ArticleExtraction]:
    from concurrent.futures.process import BrokenProcessPool

    # About eight chunks per worker balances the load (a chunk is seconds of work); at most one spaCy batch.
    step = max(1, min(settings.current().spacy_batch_size, -(-len(articles) // (processes * 8))))
    chunks = [articles[lo : lo + step] for lo in range(0, len(articles), step)]
    try:
        results = _pool(processes).map(_extract_here, chunks)
    except BrokenProcessPool:
        shutdown_workers()  # a worker died (killed, out of memory): the next call starts fresh ones
        raise
    return [extraction for chunk in results for extraction in chunk]
