"""Story analyses for view tests: give the fields a test reads, the rest stay empty."""

from __future__ import annotations

from typing import Any

from newsprism.records import Article, ClaimGroup, DuplicateReport, Framing, Quote, StoryAnalysis


def analysis(story_id: str, article_ids: tuple[str, ...] | list[str], **fields: Any) -> StoryAnalysis:
    empty = dict(duplicates=DuplicateReport(), entities=(), quotes=(), numbers=(), claims=(), contradictions=(),
                 brief=(), framing=(), timeline=())  # fmt: skip
    given = {k: tuple(v) if isinstance(v, list) else v for k, v in fields.items()}
    return StoryAnalysis(
        story_id, given.pop("title", f"Story {story_id}"), tuple(article_ids), **{**empty, **given}
    )


def claim(cid: str, status: str, *article_ids: str) -> ClaimGroup:
    return ClaimGroup(cid, f"claim {cid}", tuple(article_ids), status, ())  # type: ignore[arg-type]


def quote(article_id: str, speaker: str | None, affiliation: str | None = None) -> Quote:
    return Quote(article_id, "a quote", 0, 7, speaker, speaker, affiliation=affiliation)


def framing(article_id: str, omitted: tuple[str, ...] = (), covered: tuple[str, ...] = ()) -> Framing:
    return Framing(article_id, covered, omitted, ())


def stored_story(db: Any, index: int = 0) -> tuple[StoryAnalysis, dict[str, Article]]:
    """A stored story's analysis and its articles (with the dates an editor fixed), as the story page reads them."""
    from newsprism.report.build import corrected
    from newsprism.store import open_store

    store = open_store(str(db))
    try:
        found = store.get_analysis(store.story_ids()[index])
        assert found is not None
        return found, {a.id: a for a in corrected(store, store.articles(list(found.article_ids)))}
    finally:
        store.close()
