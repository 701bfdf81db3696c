"""How each article framed the story: which claims it carries or leaves out, whom it quotes and for which
side, loaded wording, and its headline against the story's neutral title."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence

import numpy as np

from ..claims import features, source_roots, support_between
from ..records import ClaimGroup, DuplicateReport, Entity, Framing, Quote, StoryMaterial, Voice
from ..text.stopwords import ENGLISH_STOP_WORDS
from .loaded import compound, loaded_terms
from .sides import UNAFFILIATED, speaker_sides

_WORD = re.compile(r"[a-z0-9][a-z0-9'’\-]*")
_MIN_TITLE_WORDS = 3  # shorter "titles" are section labels ("World", "Live updates")


def frame_articles(
    material: StoryMaterial,
    claims: Sequence[ClaimGroup],
    quotes: Sequence[Quote],
    duplicates: DuplicateReport,
    entities: Sequence[Entity] = (),
    neutral: str | None = None,
) -> tuple[Framing, ...]:
    """One Framing per article, in story order.

    omitted: claim groups carried by at least half of the story's independent sources (and by at least two)
    that the article does not carry. loaded_score: mean |VADER compound| of the article's sentences with
    quoted speech removed (0 = neutral wording, 1 = strongly evaluative). voices: its quoted speakers grouped
    by the side each speaks for (brief/sides.py). The headline is read against the story's neutral title
    (`neutral`, else `neutral_title(material)`): its tone, its loaded words, and how much of the neutral
    title's wording it keeps.
    """
    roots = source_roots(material, duplicates)
    independent = len(set(roots.values()))
    needed = max(2, math.ceil(independent / 2))
    major = [g for g in claims if g.independent_sources >= needed]
    sides = speaker_sides(quotes, entities)
    neutral = neutral or neutral_title(material)
    stated = _stated_elsewhere(material, major)
    out = []
    for article in material.articles:
        covered = tuple(g.id for g in claims if article.id in g.article_ids)
        omitted = tuple(
            g.id for g in major if article.id not in g.article_ids and (g.id, article.id) not in stated
        )
        own_quotes = [q for q in quotes if q.article_id == article.id and q.speaker]
        speakers = tuple(dict.fromkeys(q.speaker for q in own_quotes))
        sentences = material.sentences.get(article.id, ())
        terms = loaded_terms(article.text)
        scores = [abs(compound(s.text)) for s in sentences]
        headline = article.title if _is_title(article.title) else None
        out.append(
            Framing(
                article_id=article.id,
                covered=covered,
                omitted=omitted,
                quoted_speakers=speakers,
                loaded_terms=tuple(dict.fromkeys(terms)),
                loaded_score=round(sum(scores) / len(scores), 3) if scores else 0.0,
                headline=article.title,
                voices=_voices(own_quotes, sides),
                headline_loaded_terms=tuple(dict.fromkeys(loaded_terms(headline))) if headline else (),
                headline_tone=round(compound(headline), 3) if headline else None,
                headline_overlap=_overlap(headline, neutral) if headline and neutral else None,
            )
        )
    return tuple(out)


def _stated_elsewhere(material: StoryMaterial, groups: Sequence[ClaimGroup]) -> set[tuple[str, str]]:
    """(group id, article id) where the article may state the group's fact in a sentence the alignment did not
    put in the group, so that saying it leaves the fact out could be wrong.

    Every sentence of the article is compared with every statement of the group (its wording and each
    member's): one that comes as close as `omission_check_min_similarity` (MiniLM cosine), or that supports a
    statement (`claims.support`, at `support_threshold`), is enough. Saying that an article leaves a fact out
    is a claim about every sentence of it; a paraphrase the support model misses is still close in meaning, and
    a wrong "leaves out" is worse than none."""
    from .. import settings
    from ..models import embed

    if not groups:
        return set()
    threshold = settings.current().support_threshold
    close = settings.current().omission_check_min_similarity
    statements = [
        (g.id, g.article_ids, text)
        for g in groups
        for text in dict.fromkeys((g.text, *(e.text for e in g.evidence)))
    ]
    vectors = np.asarray(embed([text for _, _, text in statements]))
    feats = [features(text) for _, _, text in statements]
    found: set[tuple[str, str]] = set()
    for article in material.articles:
        sentences = material.sentences.get(article.id, ())
        sentence_vectors = material.vectors.get(article.id)
        if sentence_vectors is None or len(sentence_vectors) != len(sentences) or not sentences:
            continue
        sims = vectors @ np.asarray(sentence_vectors).T
        sentence_feats: dict[int, object] = {}
        for k, (gid, carriers, _text) in enumerate(statements):
            if article.id in carriers or (gid, article.id) in found:
                continue
            if float(sims[k].max()) >= close:
                found.add((gid, article.id))
                continue
            for j in range(len(sentences)):
                if j not in sentence_feats:
                    sentence_feats[j] = features(sentences[j].text)
                if support_between(feats[k], sentence_feats[j], float(sims[k, j])) >= threshold:
                    found.add((gid, article.id))
                    break
    return found


def neutral_title(material: StoryMaterial) -> str | None:
    """The story's least loaded headline: no loaded words first, then the smallest |VADER compound| (to 0.05),
    then the one closest in meaning to the story's articles (MiniLM cosine to their centroid: the most typical
    account, not an aside). None without headlines."""
    titles = list(dict.fromkeys(a.title for a in material.articles if _is_title(a.title)))
    if len(titles) <= 1:
        return titles[0] if titles else None
    from ..models import embed
    from .summary import story_centroid

    centroid = story_centroid(material)
    vectors = embed(titles)
    typical = vectors @ centroid if centroid.shape[0] == vectors.shape[1] else [0.0] * len(titles)

    def tone(title: str) -> float:
        return round(abs(compound(title)) * 20) / 20

    best = min(
        range(len(titles)),
        key=lambda k: (bool(loaded_terms(titles[k])), tone(titles[k]), -float(typical[k]), k),
    )
    return titles[best]


def _voices(quotes: Sequence[Quote], sides: dict[str, str]) -> tuple[Voice, ...]:
    count: Counter = Counter()
    speakers: dict[str, dict[str, None]] = {}
    for q in quotes:
        side = sides.get(q.speaker or "", UNAFFILIATED)
        count[side] += 1
        speakers.setdefault(side, {})[q.speaker or ""] = None
    # Most quoted side first; ties in order of first quote.
    order = sorted(count, key=lambda s: -count[s])
    return tuple(Voice(side, tuple(speakers[side]), count[side]) for side in order)


def _is_title(title: str | None) -> bool:
    return bool(title) and len(title.split()) >= _MIN_TITLE_WORDS


def _content_words(text: str) -> frozenset[str]:
    words = (re.sub(r"['’]s?$", "", w) for w in _WORD.findall(text.lower()))  # "China's" -> "china"
    return frozenset(w for w in words if w not in ENGLISH_STOP_WORDS and len(w) > 1)


def _overlap(headline: str, neutral: str) -> float:
    target = _content_words(neutral)
    return round(len(_content_words(headline) & target) / len(target), 3) if target else 0.0
