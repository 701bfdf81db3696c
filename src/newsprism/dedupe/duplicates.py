"""Duplicate groups (exact, near, rewrite) and partial reuse within one story."""

from __future__ import annotations

import itertools
import math
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Literal

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from .. import settings
from ..records import (
    AlignedSentencePair,
    Article,
    DuplicateGroup,
    DuplicateReport,
    PartialReuse,
    Sentence,
    StoryMaterial,
)
from .align import (
    RewriteEvidence,
    SentenceAlignment,
    align_content,
    content_mask,
    content_similarities,
    copied_wording,
    match_bound,
    quoted_mask,
    rewrite_evidence,
    same_wording,
)
from .fingerprints import exact_key, near_duplicate_pairs

Kind = Literal["exact", "near", "rewrite"]
_QUOTE_MARKS = ('"', "“", "„", "«")
_STRENGTH: dict[str, int] = {"rewrite": 0, "near": 1, "exact": 2}  # a group is as weak as its weakest link
# Pair counts for bench/throughput.py: pairs seen, and pairs that reached the (costlier) sentence alignment.
STATS: Counter[str] = Counter()


def _label(article: Article) -> str:
    return article.id[:12]


def _article_vector(vectors: np.ndarray) -> np.ndarray | None:
    if vectors is None or len(vectors) == 0:
        return None
    mean = np.asarray(vectors, dtype=np.float32).mean(axis=0)
    norm = float(np.linalg.norm(mean))
    return mean / norm if norm > 0 else None


def _choose_original(members: list[Article]) -> tuple[Article, str]:
    """Earliest published; ties or no dates -> the one carrying a wire credit; else the longest text."""
    candidates = members
    dated = [(d, a) for a in members if (d := a.published_at) is not None]
    chosen: Article | None = None
    if dated:
        first = min(d for d, _ in dated)
        candidates = [a for d, a in dated if d == first]
        if len(candidates) == 1:
            chosen, why = candidates[0], f"earliest published ({candidates[0].published})"
    if chosen is None:
        wire = [a for a in candidates if a.wire_credit]
        if wire:
            chosen = max(wire, key=lambda a: len(a.text))
            why = f"no earlier date; carries the wire credit ({chosen.wire_credit})"
        else:
            chosen = max(candidates, key=lambda a: len(a.text))
            why = f"longest text ({len(chosen.text)} chars); neither date nor wire credit decides"
    notes = [f"{_label(a)} credits {a.wire_credit}" for a in members if a.wire_credit and a is not chosen]
    return chosen, "; ".join([why, *notes])


def find_duplicates(material: StoryMaterial) -> DuplicateReport:
    """Exact, near-duplicate and rewrite groups of a story's articles, plus partial sentence reuse."""
    articles = list(material.articles)
    index = {a.id: i for i, a in enumerate(articles)}
    links: dict[tuple[int, int], tuple[Kind, float, str]] = {}

    # exact: same words in the same order once case, punctuation and spacing are ignored
    by_key: dict[str, int] = {}
    for i, a in enumerate(articles):
        key = exact_key(a.text)
        if key in by_key:
            links[(by_key[key], i)] = (
                "exact",
                1.0,
                f"{_label(articles[by_key[key]])} = {_label(a)} (same text)",
            )
        else:
            by_key[key] = i

    for (ka, kb), jaccard in near_duplicate_pairs({a.id: a.text for a in articles}).items():
        pair = (index[ka], index[kb])
        if pair not in links:
            links[pair] = (
                "near",
                jaccard,
                f"{_label(articles[pair[0]])} ~ {_label(articles[pair[1]])} (Jaccard {jaccard:.2f})",
            )

    alignments, unquoted = _align_candidates(material, articles, skip=set(links))
    verbatim = settings.current().rewrite_verbatim_similarity
    paraphrase = settings.current().reuse_sentence_similarity
    for (i, j), al in alignments.items():
        evidence = rewrite_evidence(al, unquoted[i], unquoted[j], paraphrase, verbatim)
        verdict = _rewrite_verdict(evidence)
        if verdict is not None:
            score, why = verdict
            links[(i, j)] = (
                "rewrite",
                score,
                f"{_label(articles[i])} ~ {_label(articles[j])} (rewrite: {why})",
            )

    groups, group_of = _groups(articles, links)
    return DuplicateReport(
        groups=groups, partial_reuse=_partial_reuse(material, articles, alignments, group_of)
    )


def _rewrite_verdict(ev: RewriteEvidence) -> tuple[float, str] | None:
    """(score, reason) when the evidence makes two articles one re-edited story, else None.

    Two ways to be one, both mostly in order (`rewrite_min_order`): near-verbatim pairs covering
    `rewrite_min_share` of the shorter article (a copy, trimmed, re-headlined or re-ordered), or paraphrased
    pairs (`reuse_sentence_similarity`) covering `rewrite_paraphrase_min_share` of the *longer* one (a rewrite
    or translation retells the whole story). Distinct reports of one event align loose pairs over part of
    the shorter one, which is neither. Each way needs `rewrite_min_sentences` pairs, unless near-verbatim
    pairs cover all of a very short article.
    """
    if ev.order < settings.current().rewrite_min_order:
        return None
    enough = settings.current().rewrite_min_sentences
    tail = f"{ev.order:.0%} in order, quoted speech not counted"
    whole = ev.verbatim >= 2 and ev.verbatim == min(ev.content_a, ev.content_b)
    if (ev.verbatim >= enough or whole) and ev.verbatim_share >= settings.current().rewrite_min_share:
        return ev.verbatim_share, (
            f"{ev.verbatim} sentences near-verbatim, {ev.verbatim_share:.0%} of the shorter, {tail}"
        )
    if ev.paraphrased >= enough and ev.paraphrased_share >= float(
        settings.current().rewrite_paraphrase_min_share
    ):
        return ev.paraphrased_share, (
            f"{ev.paraphrased} sentences paraphrased, {ev.paraphrased_share:.0%} of the longer, {tail}"
        )
    return None


def _align_candidates(
    material: StoryMaterial, articles: list[Article], skip: set[tuple[int, int]]
) -> tuple[dict[tuple[int, int], SentenceAlignment], list[frozenset[int]]]:
    """Sentence alignments of the pairs that cheap signals propose.

    Two filters before the (costlier) one-to-one assignment: the article-level cosine, then bounds from the
    pair's sentence cosine matrix on how many sentences could align at each similarity. A pair whose bounds
    reach neither rewrite test (`_rewrite_verdict`) nor a partial reuse (`partial_reuse_min_sentences` at
    `reuse_sentence_similarity`) cannot be either, so skipping it loses nothing. Pairs already linked as
    exact or near copies are not aligned. Also returns, per article, the indices of its content sentences
    that are not quoted speech.
    """
    threshold = settings.current().dedupe_candidate_similarity
    similarity = settings.current().sentence_align_similarity
    strong_min = settings.current().reuse_sentence_similarity
    min_words = settings.current().align_min_words
    share_min = settings.current().rewrite_min_share
    paraphrase_min = settings.current().rewrite_paraphrase_min_share
    reuse_needed = settings.current().partial_reuse_min_sentences
    verbatim = settings.current().rewrite_verbatim_similarity
    fewest = min(2, settings.current().rewrite_min_sentences)  # a whole two-sentence piece copied counts
    sentences: Mapping = material.sentences
    vecs = [np.asarray(material.vectors.get(a.id, np.zeros((0, 1))), dtype=np.float32) for a in articles]
    means = [_article_vector(v) for v in vecs]
    # content sentences and their vectors, once per article rather than once per pair
    content_idx = [
        np.flatnonzero(content_mask(sentences.get(a.id, ()), min_words)[: len(v)])
        for a, v in zip(articles, vecs, strict=True)
    ]
    content_vecs = [v[idx] for v, idx in zip(vecs, content_idx, strict=True)]
    unquoted = [
        _unquoted(a, idx, sentences.get(a.id, ())) for a, idx in zip(articles, content_idx, strict=True)
    ]
    out: dict[tuple[int, int], SentenceAlignment] = {}
    for i, j in itertools.combinations(range(len(articles)), 2):
        STATS["pairs"] += 1
        if (i, j) in skip or means[i] is None or means[j] is None or means[i].shape != means[j].shape:
            continue
        if float(means[i] @ means[j]) < threshold:
            continue
        sims = content_similarities(content_vecs[i], content_vecs[j])
        shorter, longer = sorted((len(unquoted[i]), len(unquoted[j])))
        strong_bound = match_bound(sims, strong_min)
        possible = (
            strong_bound >= reuse_needed
            or strong_bound >= max(fewest, math.ceil(paraphrase_min * longer - 1e-9))
            or match_bound(sims, verbatim) >= max(fewest, math.ceil(share_min * shorter - 1e-9))
        )
        if not possible:
            continue
        STATS["aligned"] += 1
        out[(i, j)] = align_content(
            content_idx[i], content_vecs[i], content_idx[j], content_vecs[j], similarity, sims
        )
    return out, unquoted


def _unquoted(article: Article, content_idx: np.ndarray, sentences: Sequence[Sentence]) -> frozenset[int]:
    """Content sentence indices of `article` that are not mostly quoted speech."""
    if not any(q in article.text for q in _QUOTE_MARKS):  # most articles: no scan needed
        return frozenset(int(k) for k in content_idx)
    quoted = quoted_mask(article.text, sentences)
    return frozenset(int(k) for k in content_idx if not quoted[k])


def _groups(
    articles: list[Article], links: dict[tuple[int, int], tuple[Kind, float, str]]
) -> tuple[tuple[DuplicateGroup, ...], dict[int, int]]:
    """Connected components over all links; a group's kind and score come from its weakest links."""
    n = len(articles)
    if not links or n < 2:
        return (), {}
    rows, cols = zip(*links, strict=True)
    graph = coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    groups: list[DuplicateGroup] = []
    group_of: dict[int, int] = {}
    for label in sorted(set(labels.tolist()), key=lambda lab: int(np.flatnonzero(labels == lab)[0])):
        member_idx = [int(i) for i in np.flatnonzero(labels == label)]
        if len(member_idx) < 2:
            continue
        inner = [v for (i, j), v in links.items() if labels[i] == label]
        weakest = min(_STRENGTH[k] for k, _, _ in inner)
        kind = next(k for k, s in _STRENGTH.items() if s == weakest)
        score = min(s for k, s, _ in inner if k == kind)
        members = [articles[i] for i in member_idx]
        original, why = _choose_original(members)
        reason = "; ".join([why, *(text for _, _, text in inner)])
        for i in member_idx:
            group_of[i] = len(groups)
        groups.append(
            DuplicateGroup(
                kind=kind,  # type: ignore[arg-type]
                article_ids=tuple(a.id for a in members),
                original=original.id,
                reason=reason,
                score=round(float(score), 4),
            )
        )
    return tuple(groups), group_of


def _partial_reuse(
    material: StoryMaterial,
    articles: list[Article],
    alignments: dict[tuple[int, int], SentenceAlignment],
    group_of: dict[int, int],
) -> tuple[PartialReuse, ...]:
    """Pairs outside one group that share enough strongly aligned sentences."""
    strong_min = settings.current().reuse_sentence_similarity
    needed = settings.current().partial_reuse_min_sentences
    run = settings.current().reuse_copied_words
    wire = _wire_sides(articles, group_of)
    out: list[PartialReuse] = []
    for (i, j), al in alignments.items():
        if i in group_of and group_of.get(i) == group_of.get(j):
            continue
        s_i, s_j = material.sentences[articles[i].id], material.sentences[articles[j].id]
        candidates = al.strong(strong_min)
        copied = [p for p in candidates if copied_wording(s_i[p[0]].text, s_j[p[1]].text, run)]
        if len(copied) < needed:
            continue
        # once an article is seen copying the other's own wording, its word-for-word identical sentences
        # (a quotation in the same frame) are counted with it; alone they are two reports of one statement
        strong = tuple(p for p in candidates if p in copied or same_wording(s_i[p[0]].text, s_j[p[1]].text))
        source_first = _source_is_first(articles[i], articles[j], wire[i], wire[j])
        reuser, source = (j, i) if source_first else (i, j)
        s_reuser = material.sentences[articles[reuser].id]
        s_source = material.sentences[articles[source].id]
        content = al.content_b if source_first else al.content_a
        pairs = []
        for a_idx, b_idx, sim in strong:
            r_idx, s_idx = (b_idx, a_idx) if source_first else (a_idx, b_idx)
            r, s = s_reuser[r_idx], s_source[s_idx]
            pairs.append(AlignedSentencePair(r.start, r.end, s.start, s.end, round(sim, 4)))
        out.append(
            PartialReuse(
                article_id=articles[reuser].id,
                source_id=articles[source].id,
                shared_sentences=len(pairs),
                share=round(len(pairs) / content, 4) if content else 0.0,
                pairs=tuple(pairs),
            )
        )
    return tuple(out)


def _wire_sides(articles: list[Article], group_of: dict[int, int]) -> list[bool]:
    """An article counts as wire copy when it, or a member of its duplicate group, credits a wire service."""
    credited_groups = {group_of[i] for i, a in enumerate(articles) if a.wire_credit and i in group_of}
    return [bool(a.wire_credit) or group_of.get(i, -1) in credited_groups for i, a in enumerate(articles)]


def _source_is_first(first: Article, second: Article, first_wire: bool, second_wire: bool) -> bool:
    """Which side was reused: the wire side, else the earlier published, else the earlier in story order."""
    if first_wire != second_wire:
        return first_wire
    d1, d2 = first.published_at, second.published_at
    if d1 is not None and d2 is not None and d1 != d2:
        return d1 < d2
    return True
