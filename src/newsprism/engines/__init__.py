"""Where the pipeline's heavy work runs: in this process and its worker pools (`LocalEngine`, the default),
or on a Ray cluster (`engines.ray_engine.RayEngine`, `newsprism analyze --engine ray`).

An engine runs the pure, parallel parts of a run and hands back what they return, in input order: cleaning
pages, embedding and parsing a batch of clean articles, embedding the sentences a story still lacks (the
embedding cascade), and analysing stories. Everything that must
happen in one place and in order stays in `Pipeline`: the site boilerplate step (it learns from earlier
articles of the site), recognising inputs already stored, writing each batch in one transaction, the story
clusterer, and writing each analysis. So the same input and batch size give the same stories, claim groups
and briefs whichever engine runs them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

import numpy as np

from ..records import (
    Article,
    ArticleExtraction,
    RawDocument,
    Rejection,
    StoryAnalysis,
    StoryAssignment,
    StoryMaterial,
)

if TYPE_CHECKING:
    from ..brief.abstractive import Generator
    from ..clean.site import SiteMemory

T = TypeVar("T")


@dataclass(frozen=True)
class StoryJob:
    """One story to analyse: its material and what the store says of it (`pipeline.analysis_of` reads no
    store, so a job can run anywhere)."""

    material: StoryMaterial
    membership: tuple[StoryAssignment, ...]
    fallback_title: str


class Engine(Protocol):
    def clean(
        self, items: Iterable[RawDocument | T], site_memory: SiteMemory | None
    ) -> Iterator[Article | Rejection | T]:
        """Each `RawDocument` cleaned, in input order, with its site's boilerplate learned and removed in that
        order (`clean.clean_documents`); anything else passes through in its place."""
        ...

    def embed_and_extract(
        self, articles: list[Article], sentences: dict[str, list[Any]]
    ) -> tuple[list[np.ndarray | None], list[ArticleExtraction | None]]:
        """Each article's sentence vectors (`sentences` holds its sentences) and its extraction, in order;
        None for both where the article's language is not read (`embed_and_extract_here`)."""
        ...

    def embed(self, texts: list[str]) -> np.ndarray:
        """MiniLM vectors of the texts, one row each, in order: the sentences a story of several articles
        still lacks before its analysis (`Pipeline.material`, the embedding cascade)."""
        ...

    def analyse(
        self, jobs: Iterable[StoryJob], generator: Generator | None
    ) -> Iterator[tuple[str, StoryAnalysis | Exception]]:
        """(story id, its analysis or the exception that ended it) for each job, in order."""
        ...

    def close(self) -> None: ...


class LocalEngine:
    """This process and its worker pools: cleaning in a fork-server pool (`clean.clean_documents`), parsing in
    forked workers for large batches (`extract.extract_articles`), embedding and analyses here."""

    def clean(
        self, items: Iterable[RawDocument | T], site_memory: SiteMemory | None
    ) -> Iterator[Article | Rejection | T]:
        from ..clean.batch import clean_documents

        return clean_documents(items, site_memory=site_memory)

    def embed_and_extract(
        self, articles: list[Article], sentences: dict[str, list[Any]]
    ) -> tuple[list[np.ndarray | None], list[ArticleExtraction | None]]:
        return embed_and_extract_here(articles, sentences)

    def embed(self, texts: list[str]) -> np.ndarray:
        from ..models import embed

        return embed(texts)

    def analyse(
        self, jobs: Iterable[StoryJob], generator: Generator | None
    ) -> Iterator[tuple[str, StoryAnalysis | Exception]]:
        from ..pipeline import analysis_of

        for job in jobs:
            try:
                yield job.material.story_id, analysis_of(job, generator)
            except Exception as exc:  # noqa: BLE001 - one story's failure is the caller's to record
                yield job.material.story_id, exc

    def close(self) -> None:
        pass


def embed_and_extract_here(
    articles: list[Article], sentences: dict[str, list[Any]]
) -> tuple[list[np.ndarray | None], list[ArticleExtraction | None]]:
    """Embed the batch's sentences in one call and parse the batch (`extract.extract_articles`). Each article
    gets one row per sentence; only the rows its story join reads are embedded now
    (`stories.article_vector_rows`), the others are zeros until a story needs them (`Pipeline.material`). An
    article in a language the models do not read (`text.languages.is_analysed`) is neither embedded nor
    parsed: its vectors and extraction are None."""
    from ..extract import extract_articles
    from ..models import embed
    from ..models.embeddings import DIMENSIONS
    from ..stories import article_vector_rows
    from ..text.languages import is_analysed

    read = [a for a in articles if is_analysed(a.language)]
    rows = {a.id: article_vector_rows([s.text for s in sentences[a.id]], a.title or "") for a in read}
    flat = [sentences[a.id][i].text for a in read for i in rows[a.id]]
    vectors = embed(flat) if flat else np.zeros((0, DIMENSIONS), dtype=np.float32)
    embedded, offset = {}, 0
    for article in read:
        wanted = rows[article.id]
        article_vectors = np.zeros((len(sentences[article.id]), vectors.shape[1]), dtype=np.float32)
        article_vectors[wanted] = vectors[offset : offset + len(wanted)]
        embedded[article.id] = article_vectors
        offset += len(wanted)
    parsed = {e.article_id: e for e in extract_articles(read)} if read else {}
    return [embedded.get(a.id) for a in articles], [parsed.get(a.id) for a in articles]


__all__ = ["Engine", "LocalEngine", "StoryJob", "embed_and_extract_here"]
