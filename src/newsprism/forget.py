"""Takedown: forget an article and everything derived from it, then analyse again the story it was in.

What goes: the article's text and search entry, its aliases, vectors, extraction, story membership and
evidence, its stage records, the corrections and run-log entries about it; what it taught shared counts is
subtracted (the lines it added to its site's boilerplate counts, the term frequencies story matching weighs
with); its story loses it (centroid, profiles, size and title follow, as when an article moves), and a
story left with no article is deleted. Other versions of the same page are other articles and stay.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .clean.site import lines_counted, site_key
from .errors import NewsprismError
from .store import Store


@dataclass(frozen=True)
class Forgotten:
    articles: tuple[str, ...]  # the ids forgotten
    stories_deleted: tuple[str, ...]  # stories left with no article
    stories_analysed: tuple[str, ...]  # stories that lost an article and were analysed again


def articles_to_forget(store: Store, what: str) -> list[str]:
    """An article id (or an alias of one), or a URL: every version read from it."""
    stored = store.resolve_article(what)
    if stored is not None:
        return [stored]
    return store.versions(what)


def forget(store: Store, what: str, pipeline_settings: Any = None) -> Forgotten:
    """Forget the articles `what` names (`articles_to_forget`), in one run holding the store."""
    from .pipeline import Pipeline

    ids = articles_to_forget(store, what)
    if not ids:
        raise NewsprismError(
            f"{what!r} names no stored article (an article id, an alias or a URL read before)"
        )
    with store.writer():
        pipeline = Pipeline(store, settings=pipeline_settings)
        clusterer = pipeline.clusterer
        deleted: list[str] = []
        touched: list[str] = []
        for article_id in ids:
            article = store.articles([article_id])[0]
            raw = store.story_of(article_id)
            story = store.resolve_story(raw) if raw else None
            with store.transaction():
                left = clusterer.remove_forgotten(article_id, story)
                site = site_key(article.url, article.outlet)
                if site:
                    taught = lines_counted(article.text, article.removed)
                    store.add_site_line_counts(site, {h: -1 for h in taught})
                store.forget_article(article_id)
                if story is not None and left is not None and left.size <= 0:
                    store.forget_story(story)
                    deleted.append(story)
                elif story is not None and story not in touched:
                    touched.append(story)
        touched = [s for s in touched if s not in deleted]
        analysed, failed = pipeline.analyse_again(touched)
        if failed:
            raise NewsprismError("; ".join(f"{f.input}: {f.reason}" for f in failed))
    return Forgotten(tuple(ids), tuple(deleted), tuple(analysed))
