"""How each article framed the story: which claims it carries or leaves out, whom it quotes, loaded wording."""

from __future__ import annotations

import math
from collections.abc import Sequence

from ..claims.groups import source_roots
from ..records import ClaimGroup, DuplicateReport, Framing, Quote, StoryMaterial
from .loaded import compound, loaded_terms


def frame_articles(
    material: StoryMaterial,
    claims: Sequence[ClaimGroup],
    quotes: Sequence[Quote],
    duplicates: DuplicateReport,
) -> tuple[Framing, ...]:
    """One Framing per article, in story order.

    omitted: claim groups carried by at least half of the story's independent sources (and by at least two)
    that the article does not carry. loaded_score: mean |VADER compound| of the article's sentences with
    quoted speech removed (0 = neutral wording, 1 = strongly evaluative).
    """
    roots = source_roots(material, duplicates)
    independent = len(set(roots.values()))
    needed = max(2, math.ceil(independent / 2))
    major = [g for g in claims if g.independent_sources >= needed]
    out = []
    for article in material.articles:
        covered = tuple(g.id for g in claims if article.id in g.article_ids)
        omitted = tuple(g.id for g in major if article.id not in g.article_ids)
        speakers = tuple(dict.fromkeys(q.speaker for q in quotes if q.article_id == article.id and q.speaker))
        sentences = material.sentences.get(article.id, ())
        terms = loaded_terms(article.text)
        scores = [abs(compound(s.text)) for s in sentences]
        out.append(
            Framing(
                article_id=article.id,
                covered=covered,
                omitted=omitted,
                quoted_speakers=speakers,
                loaded_terms=tuple(dict.fromkeys(terms)),
                loaded_score=round(sum(scores) / len(scores), 3) if scores else 0.0,
                headline=article.title,
            )
        )
    return tuple(out)
