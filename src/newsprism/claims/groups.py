"""Align equivalent statements across a story's articles into claim groups; find contradictions between them."""

from __future__ import annotations

import bisect
import hashlib
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz

from .. import settings
from ..dedupe import copied_wording
from ..extract import same_person
from ..records import (
    Article,
    ClaimGroup,
    Contradiction,
    DuplicateReport,
    Evidence,
    Quote,
    Sentence,
    Span,
    StoryMaterial,
    source_label,
)
from ..text import DATELINE, WEEKDAYS
from ..text.names import clean_name
from ..text.outlets import outlet_table
from .contradict import find_clash, same_matter
from .features import SentenceFeatures, features
from .provenance import Credits, story_credits
from .support import pair_features, score_features, support_but_for_clash, support_either_way

# Shorter quotes are stock words ("warm", "accidental discharge", "Commander-in-Chief") that many people
# use, not one person's statement: two speakers saying them is no misattribution.
_QUOTE_MIN_CHARS = 20
_QUOTE_MIN_WORDS = 5
_QUOTE_SAME_RATIO = 90  # rapidfuzz ratio at which two quotes are one quotation
# Share of the shorter quotation's words the longer must hold to quote the same statement (one outlet quoting
# more of it than the other still holds all of the shorter's words)
_QUOTE_SAME_WORDS = 0.6
_SAME_NAME_RATIO = 85  # rapidfuzz ratio at which two first names beside one surname are one spelt two ways


def display_text(text: str) -> str:
    """A source sentence lightly cleaned for display: no leading dateline, single spaces."""
    return re.sub(r"\s+", " ", DATELINE.sub("", text, count=1)).strip()


def is_trivia(sentence: Sentence) -> bool:
    """Too short or too little prose to be a claim (subheads, captions, links, handles)."""
    words = sentence.text.split()
    if len(words) < settings.current().claim_min_words:
        return True
    letters = sum(ch.isalpha() for ch in sentence.text)
    return letters < 0.5 * len(sentence.text) or (sentence.text.rstrip().endswith("?") and len(words) < 10)


@dataclass(frozen=True)
class _Item:
    """One claim: a whole sentence, or one fact of a sentence that states several (`sentence` is then the
    part's span, and `claim` borrows the subject the part shares with its sentence)."""

    article_id: str
    sentence: Sentence
    vector: np.ndarray
    feats: SentenceFeatures
    order: int  # article position in the story (date order)
    claim: str  # the wording stated as the claim
    sentence_start: int  # start of the whole sentence (reuse links are per sentence)


class _UnionFind:
    """Sets of keys; each set's root is its member given first (story order), never the smallest id: an
    article's id is a hash, and which of two sources counts as the root decides ties (`_canonical`)."""

    def __init__(self, keys: Iterable[str]) -> None:
        self.parent = {k: k for k in keys}
        self.rank = {k: n for n, k in enumerate(self.parent)}

    def find(self, k: str) -> str:
        if k not in self.parent:
            self.parent[k] = k
            self.rank[k] = len(self.rank)
        while self.parent[k] != k:
            self.parent[k] = self.parent[self.parent[k]]
            k = self.parent[k]
        return k

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            first, later = (ra, rb) if self.rank[ra] < self.rank[rb] else (rb, ra)
            self.parent[later] = first


def source_roots(material: StoryMaterial, duplicates: DuplicateReport) -> dict[str, str]:
    """article id -> independent-source key: duplicate/rewrite groups, articles of one outlet or of one
    owner, and articles crediting one news agency (its copy, run by several outlets) collapse."""
    ids = [a.id for a in material.articles]
    uf = _UnionFind(ids)
    for group in duplicates.groups:
        members = [a for a in group.article_ids if a in uf.parent]
        for other in members[1:]:
            uf.union(members[0], other)
    # one outlet, outlets of one owner (text.outlets), or the copy of one news agency: one origin
    by_origin: dict[str, str] = {}
    table = outlet_table()
    for article in material.articles:
        keys = [table.origin(article.outlet, article.url)]
        if article.wire_credit:
            keys.append(table.origin(article.wire_credit, None))
        for key in keys:
            if key is None:
                continue
            if key in by_origin:
                uf.union(by_origin[key], article.id)
            else:
                by_origin[key] = article.id
    return {a: uf.find(a) for a in ids}


def _items(material: StoryMaterial) -> list[_Item]:
    """The story's claims in article order: each sentence whole, or its facts where it states several."""
    split = settings.current().claim_split_sentences
    plan = []  # (order, article id, sentence, its vector, its parts)
    for order, article in enumerate(material.articles):
        sentences = material.sentences.get(article.id, ())
        vectors = material.vectors.get(article.id)
        if vectors is None or len(vectors) != len(sentences):
            continue  # no vectors, nothing to align; the pipeline always provides them
        units = _units_by_sentence(material, article.id, sentences) if split else {}
        for sentence, vector in zip(sentences, vectors, strict=True):
            parts = _parts(article.text, sentence, units.get(sentence.start, ()))
            plan.append((order, article.id, sentence, vector, parts))
    # A part's wording is not a stored sentence: its vectors come from one embedding call for the story. Claims
    # are linked only across articles, so a story of one article compares none and embeds none.
    wordings = [claim for *_, parts in plan for _, claim in parts]
    if wordings and len({aid for _, aid, *_ in plan}) > 1:
        from ..models import embed

        part_vectors = iter(embed(wordings))
    elif wordings:
        part_vectors = iter(np.zeros((len(wordings), np.asarray(plan[0][3]).shape[-1]), dtype=np.float32))
    items: list[_Item] = []
    for order, aid, sentence, vector, parts in plan:
        for part, claim in parts:
            vec = np.asarray(next(part_vectors))
            items.append(_Item(aid, part, vec, features(claim), order, claim, sentence.start))
        if not parts and not is_trivia(sentence):
            claim = display_text(sentence.text)
            vec = np.asarray(vector)
            items.append(_Item(aid, sentence, vec, features(sentence.text), order, claim, sentence.start))
    return items


def sentence_groups(
    claims: Sequence[ClaimGroup], sentences: Mapping[str, Sequence[Sentence]]
) -> dict[tuple[str, int], ClaimGroup]:
    """The claim group each sentence states, keyed by (article id, sentence start). A sentence split into
    several claims states the group with the most independent sources (the first one on a tie)."""
    starts = {aid: [s.start for s in ss] for aid, ss in sentences.items()}
    out: dict[tuple[str, int], ClaimGroup] = {}
    for group in claims:
        for e in group.evidence:
            row = starts.get(e.article_id)
            k = bisect.bisect_right(row, e.start) - 1 if row else -1
            if k < 0:
                continue
            key = (e.article_id, row[k])
            if key not in out or group.independent_sources > out[key].independent_sources:
                out[key] = group
    return out


def _parts(text: str, sentence: Sentence, units: tuple) -> list[tuple[Sentence, str]]:
    """(span, claim wording) of each fact of a split sentence; none when a part would be too short to be a
    claim of its own (the sentence then stays whole)."""
    out = []
    for unit in units:
        words = text[unit.start : unit.end]
        claim = display_text(f"{unit.subject} {words}" if unit.subject else words[:1].upper() + words[1:])
        part = Sentence(sentence.article_id, sentence.index, unit.start, unit.end, words)
        if is_trivia(Sentence(sentence.article_id, sentence.index, unit.start, unit.end, claim)):
            return []
        out.append((part, claim))
    return out


def _units_by_sentence(material: StoryMaterial, article_id: str, sentences) -> dict[int, tuple]:
    """The claim units of an article's split sentences, keyed by the sentence's start."""
    extraction = material.extractions.get(article_id)
    if extraction is None or not extraction.claim_units:
        return {}
    starts = [s.start for s in sentences]
    out: dict[int, list] = {}
    for unit in extraction.claim_units:
        k = bisect.bisect_right(starts, unit.start) - 1
        if k >= 0 and unit.end <= sentences[k].end:
            out.setdefault(starts[k], []).append(unit)
    return {start: tuple(units) for start, units in out.items() if len(units) >= 2}


def _key(item: _Item) -> str:
    return f"{item.article_id}:{item.sentence.start}:{item.sentence.end}"


def _reuse_links(duplicates: DuplicateReport) -> list[tuple[tuple[str, int], tuple[str, int]]]:
    """The reused sentences themselves: (reusing article, sentence start) ~ (source article, sentence start)."""
    return [
        ((reuse.article_id, pair.a_start), (reuse.source_id, pair.b_start))
        for reuse in duplicates.partial_reuse
        for pair in reuse.pairs
    ]


def build_claims(
    material: StoryMaterial,
    duplicates: DuplicateReport,
    quotes: Sequence[Quote] | None = None,
    shown_quotes: Sequence[Quote] | None = None,
) -> tuple[tuple[ClaimGroup, ...], tuple[Contradiction, ...]]:
    """Claim groups (one per distinct statement, aligned across articles) and the contradictions between them.

    `quotes`: the story's quotes with canonical speakers (`extract.canonicalize`), so that one quotation given
    to "Dick Durbin" and to "Richard J. Durbin" is no clash; without them each article's own names are used.
    `shown_quotes`: the quotes as the report shows them (a description's speaker resolved across the story),
    which say whose words a sentence quotes when an article credits an interview; default `quotes`."""
    items = _items(material)
    if not items:
        return (), ()
    align = settings.current().claim_align_similarity
    support_min = settings.current().support_threshold
    same_fact = settings.current().same_fact_min_support
    clash_min = settings.current().contradiction_min_similarity
    roots = source_roots(material, duplicates)
    matrix = np.stack([it.vector for it in items])
    sims = matrix @ matrix.T
    article_of = np.array([it.order for it in items])

    uf = _UnionFind(_key(it) for it in items)
    clashes: list[tuple[int, int, str, str]] = []
    links: list[tuple[float, int, int]] = []  # (strength, i, j): j is i's best match in j's article
    # Link each claim only to its best match in each other article: keeps chains of loose matches from merging
    # topics. best[a][i] is that match for claim i in article a (one argmax per article, not per claim).
    orders = np.unique(article_of)
    best = {}
    for order in orders:
        cols = np.flatnonzero(article_of == order)
        best[int(order)] = cols[np.argmax(sims[:, cols], axis=1)]
    floor = min(align - 0.1, clash_min)
    quoted = _quoted_words(items, material)
    for i, item in enumerate(items):
        for order in orders:
            if order == item.order:
                continue
            j = int(best[int(order)][i])
            cos = float(sims[i, j])
            if cos < floor:
                continue
            other = items[j]
            clash = None
            if same_matter(item.feats, other.feats, cos, clash_min):
                clash = find_clash(item.feats, other.feats)
                # Rewrites of one wire story do not contradict themselves on wording; figures still count.
                if clash and clash.kind != "number" and roots[item.article_id] == roots[other.article_id]:
                    clash = None
                # A clash is a discrepancy only between two statements of one fact: with the figures and
                # negations set aside, each supports the other ("had 24 points and seven rebounds" / "finished
                # with 20 points and nine rebounds"); not two statements that share a player and a unit (a
                # game's yards, a season's) or a negation in a clause of their own.
                if clash and support_but_for_clash(item.feats, other.feats, cos) < same_fact:
                    clash = None
            if clash and _span_pair(item, other) in material.corrections.not_contradictions:
                clash = None  # an editor said these two do not contradict each other
            if clash:
                clashes.append((min(i, j), max(i, j), clash.kind, clash.explanation))
                continue
            if _two_quotations(quoted[i], quoted[j]):
                continue
            support = score_features(pair_features(item.feats, other.feats, cos))
            if cos >= align or support >= support_min:
                links.append((max(support, cos), i, j))
    members = _join(items, links, uf, sims, floor, material.corrections.not_one_claim)
    # The links as chains, as if a group could hold several sentences of one article: what a group's
    # statements restate or overlap elsewhere in the story (the brief states one of them, not each).
    loose = _UnionFind(_key(it) for it in items)
    for _strength, i, j in links:
        loose.union(_key(items[i]), _key(items[j]))

    reuse = _reuse_links(duplicates)
    group_of: dict[int, str] = {}
    drafts: list[tuple[list[int], str]] = []
    for idx in members.values():
        idx.sort(key=lambda k: (items[k].order, items[k].sentence.start))
        gid = "c" + hashlib.sha1("|".join(sorted(_key(items[k]) for k in idx)).encode()).hexdigest()[:10]
        for k in idx:
            group_of[k] = gid
        drafts.append((idx, gid))

    contradictions = _contradictions(material, items, clashes, group_of, quotes)
    contested = {cid for c in contradictions for cid in c.claim_ids}

    articles = {a.id: a for a in material.articles}
    credits = story_credits(
        {aid: [s.text for s in sentences] for aid, sentences in material.sentences.items()},
        {a.id: a.outlet for a in material.articles},
    )
    by_chain: dict[str, set[str]] = {}
    for idx, gid in drafts:
        by_chain.setdefault(loose.find(_key(items[idx[0]])), set()).add(gid)
    speakers = _speakers_by_sentence(items, material, shown_quotes if shown_quotes is not None else quotes)
    first_of_outlet: dict[str, str] = {}  # outlet -> its first article: where its reporting is rooted
    for article in material.articles:
        if article.outlet:
            first_of_outlet.setdefault(article.outlet, article.id)
    groups: list[ClaimGroup] = []
    for idx, gid in drafts:
        article_ids = tuple(dict.fromkeys(items[k].article_id for k in idx))
        independent, reason = _origins(
            [items[k] for k in idx], roots, reuse, credits, articles, speakers, first_of_outlet
        )
        status = "single_source"
        if independent >= 2:
            confirmed = _supported(idx, items, sims, roots, same_fact)
            sources, why = (
                _origins(
                    [items[k] for k in confirmed], roots, reuse, credits, articles, speakers, first_of_outlet
                )
                if len(confirmed) >= 2
                else (len(confirmed), "")
            )
            if sources < 2:
                status = "unconfirmed"
                reason = (
                    f"similar sentences from {reason}, but no two of them clearly state one fact"
                    f" (support below {same_fact:g}, or different weekdays)"
                )
            else:
                status = "corroborated"
                if sources < independent:
                    reason = f"{why}; {independent - sources} more only resemble it"
        if gid in contested:
            status = "contested"
            clash = next(c for c in contradictions if gid in c.claim_ids)
            reason = f"contradicted: {clash.explanation}; {reason}"
        canonical = _canonical(idx, items, sims, roots)
        outlets = tuple(sorted({a.outlet for a in material.articles if a.id in article_ids and a.outlet}))
        groups.append(
            ClaimGroup(
                id=gid,
                text=items[canonical].claim,
                article_ids=article_ids,
                status=status,
                evidence=tuple(_evidence(items[k]) for k in idx),
                outlets=outlets,
                earliest=article_ids[0],
                independent_sources=independent,
                reason=reason,
                related=tuple(sorted(by_chain[loose.find(_key(items[idx[0]]))] - {gid})),
            )
        )
    # Story order: where the earliest article first states it (members are sorted, so idx[0] is first).
    first = {gid: (items[idx[0]].order, items[idx[0]].sentence.start) for idx, gid in drafts}
    groups.sort(key=lambda g: first[g.id])
    return tuple(groups), contradictions


def _quoted_words(items: list[_Item], material: StoryMaterial) -> list[str]:
    """Per claim, the words it quotes (inside quotation marks in its span), normalised; "" for none."""
    spans: dict[str, list[tuple[int, int]]] = {}
    for aid, extraction in material.extractions.items():
        spans[aid] = [(q.start, q.end) for q in extraction.quotes if q.kind in ("direct", "partial")]
    texts = {a.id: a.text for a in material.articles}
    out = []
    for item in items:
        s = item.sentence
        parts = [
            texts[item.article_id][max(a, s.start) : min(b, s.end)]
            for a, b in spans.get(item.article_id, ())
            if a < s.end and s.start < b
        ]
        out.append(_norm_quote(" ".join(parts)))
    return out


def _two_quotations(a: str, b: str) -> bool:
    """Whether two claims quote different words: each quotes a statement of some length, and neither's
    words are (nearly) within the other's. Two verbatim statements in different words are two statements,
    however close their topic ("Yes the government can help" and "an attempt to centralize power")."""
    wa, wb = a.split(), b.split()
    if len(wa) < _QUOTE_MIN_WORDS or len(wb) < _QUOTE_MIN_WORDS:
        return False
    shorter, longer = sorted((wa, wb), key=len)
    return len(set(shorter) & set(longer)) < _QUOTE_SAME_WORDS * len(set(shorter))


def _join(
    items: list[_Item],
    links: list[tuple[float, int, int]],
    uf: _UnionFind,
    sims: np.ndarray,
    floor: float,
    kept_apart: frozenset[frozenset[Span]] = frozenset(),
) -> dict[str, list[int]]:
    """Claim groups from the links, strongest first, where a group holds one sentence per article and no two
    sentences of a set an editor said are not one claim (`kept_apart`), not even through a third.

    An article states a fact once where it reports it; a second sentence of the same article that matches the
    group is another statement (the remark and the apology for it, the speech and the next day's defence of
    it), and joining it lets a chain of loose matches mix two facts under one verdict."""
    articles = {_key(it): {it.article_id} for it in items}
    rows: dict[str, list[int]] = {}
    for i, item in enumerate(items):
        rows.setdefault(_key(item), []).append(i)
    spans = {_key(it): {_span(it)} for it in items}
    for _strength, i, j in sorted(links, key=lambda link: -link[0]):
        a, b = uf.find(_key(items[i])), uf.find(_key(items[j]))
        if a == b or articles[a] & articles[b]:
            continue
        if sims[np.ix_(rows[a], rows[b])].min() < floor:
            continue
        if any(spans[a] & apart and spans[b] & apart for apart in kept_apart):
            continue
        uf.union(a, b)
        root = uf.find(a)
        articles[root] = articles[a] | articles[b]
        rows[root] = rows[a] + rows[b]
        spans[root] = spans[a] | spans[b]
    members: dict[str, list[int]] = {}
    for i, item in enumerate(items):
        members.setdefault(uf.find(_key(item)), []).append(i)
    return members


def _origins(
    members: list[_Item],
    roots: dict[str, str],
    reuse: list[tuple[tuple[str, int], tuple[str, int]]],
    credits: Mapping[str, Credits],
    articles: Mapping[str, Article],
    speakers: Mapping[tuple[str, int], frozenset[str]],
    first_of_outlet: Mapping[str, str],
) -> tuple[int, str]:
    """Independent sources of a claim group, and why: rewrites and one outlet count once, and so do a sentence
    that one article reused from another and a sentence that passes on another outlet's reporting (whether or
    not that outlet's own sentence is in the group: two outlets citing a third corroborate nothing). Only
    those sentences: the rest of the articles stays independent."""
    uf = _UnionFind(roots[m.article_id] for m in members)  # an outlet credited from outside joins on use
    notes: list[str] = []

    def tie(a: str, b: str, note: str) -> None:
        if uf.find(roots[a]) != uf.find(roots[b]):
            uf.union(roots[a], roots[b])
        if note not in notes:
            notes.append(note)

    present = {(m.article_id, m.sentence_start) for m in members}
    for reused, source in reuse:
        if reused in present and source in present:
            tie(reused[0], source[0], f"{_name(articles[reused[0]])} reuses {_name(articles[source[0]])}")
    # a sentence copied word for word from an outlet the article credits ("Here's an excerpt from the Times
    # report:") is that outlet's reporting, wherever the excerpt ends
    run = settings.current().reuse_copied_words
    for m in members:
        for n in members:
            outlet = articles[n.article_id].outlet
            if (
                outlet
                and roots[m.article_id] != roots[n.article_id]
                and outlet in credits[m.article_id].named
                and copied_wording(m.sentence.text, n.sentence.text, run)
            ):
                tie(m.article_id, n.article_id, f"{_name(articles[m.article_id])} copies {outlet}")
    for m in members:
        credited = credits[m.article_id]
        said_by = speakers.get((m.article_id, m.sentence.start), frozenset())
        for outlet in sorted(credited.outlets):
            if outlet in first_of_outlet and credited.source_of(m.sentence.text, outlet, said_by):
                tie(
                    m.article_id, first_of_outlet[outlet], f"{_name(articles[m.article_id])} credits {outlet}"
                )
    by_origin: dict[str, list[str]] = {}
    for m in members:
        by_origin.setdefault(uf.find(roots[m.article_id]), []).append(m.article_id)
    names = sorted({_name(articles[ids[0]]) for ids in by_origin.values()})
    if len(by_origin) >= 2:
        tied = f" ({'; '.join(notes)})" if notes else ""
        return len(by_origin), f"{len(by_origin)} independent sources: {', '.join(names)}{tied}"
    ids = list(dict.fromkeys(m.article_id for m in members))
    if len(ids) == 1 and not notes:
        return 1, f"only {_name(articles[ids[0]])}"
    outlets = {articles[a].outlet for a in ids}
    owners = {
        row.owner if (row := outlet_table().of(articles[a].outlet, articles[a].url)) else None for a in ids
    }
    if len(ids) > 1 and len(outlets) == 1 and None not in outlets:
        notes.append(f"{len(ids)} articles of one outlet")
    elif len(outlets) > 1 and None not in outlets and len(owners) == 1 and None not in owners:
        notes.append(f"{' and '.join(sorted(outlets))} have one owner, {next(iter(owners))}")
    elif len(outlets) > 1 and len(wires := {articles[a].wire_credit for a in ids}) == 1 and None not in wires:
        notes.append(f"{' and '.join(sorted(_name(articles[a]) for a in ids))} run {next(iter(wires))} copy")
    elif not notes:
        notes.append(f"{' and '.join(sorted({_name(articles[a]) for a in ids}))} are copies of one report")
    return 1, "1 origin: " + "; ".join(notes)


def _supported(
    idx: list[int], items: list[_Item], sims: np.ndarray, roots: dict[str, str], support_min: float
) -> list[int]:
    """The members that a member from another source supports, or that support one (the calibrated support
    check, either way round; never two sentences that report different weekdays). A group joined on topic
    likeness alone (a leader's own reason for a trip and officials' reading of it; "Trump on Tuesday assailed
    Ginsburg" and "Ginsburg faced a backlash Wednesday") has none: likeness is not corroboration."""
    out = []
    for k in idx:
        for m in idx:
            if roots[items[k].article_id] == roots[items[m].article_id]:
                continue
            a, b = items[k].feats, items[m].feats
            if _days_apart(a, b):
                continue
            if support_either_way(a, b, float(sims[k, m])) >= support_min:
                out.append(k)
                break
    return out


def _days_apart(a: SentenceFeatures, b: SentenceFeatures) -> bool:
    """Whether both sentences name the weekday of what they report and share none: two days, two happenings
    ("Trump on Tuesday assailed Ginsburg" and "Ginsburg faced a growing backlash Wednesday")."""
    days_a, days_b = WEEKDAYS.intersection(a.tokens), WEEKDAYS.intersection(b.tokens)
    return bool(days_a and days_b and not days_a & days_b)


def _story_quotes(material: StoryMaterial, quotes: Sequence[Quote] | None) -> Sequence[Quote]:
    """The quotes given, else each article's own as extracted."""
    if quotes is not None:
        return quotes
    return [q for extraction in material.extractions.values() for q in extraction.quotes]


def _speakers_by_sentence(
    items: list[_Item], material: StoryMaterial, quotes: Sequence[Quote] | None
) -> dict[tuple[str, int], frozenset[str]]:
    """(article id, sentence start) -> the speakers of the quotations the sentence is part of (a quotation
    may run over several sentences, the later ones without a quotation mark)."""
    by_article: dict[str, list[Quote]] = {}
    for q in _story_quotes(material, quotes):
        if q.speaker:
            by_article.setdefault(q.article_id, []).append(q)
    out: dict[tuple[str, int], frozenset[str]] = {}
    for item in items:
        s = item.sentence
        found = frozenset(
            q.speaker for q in by_article.get(item.article_id, ()) if q.start < s.end and s.start < q.end
        )
        if found:
            out[(item.article_id, s.start)] = found
    return out


def _name(article: Article) -> str:
    return source_label(article.outlet, article.url, article.title, article.source, article.id)


def _canonical(idx: list[int], items: list[_Item], sims: np.ndarray, roots: dict[str, str]) -> int:
    """The most central member; ties go to an original source (not a rewrite), then to the earliest."""
    if len(idx) == 1:
        return idx[0]
    sub = sims[np.ix_(idx, idx)]
    centrality = (sub.sum(axis=1) - 1.0) / (len(idx) - 1)
    best = max(
        range(len(idx)),
        key=lambda n: (
            round(float(centrality[n]), 2),
            roots[items[idx[n]].article_id] == items[idx[n]].article_id,
            -items[idx[n]].order,
        ),
    )
    return idx[best]


def _span(item: _Item) -> Span:
    return item.article_id, item.sentence.start, item.sentence.end


def _span_pair(a: _Item, b: _Item) -> frozenset[Span]:
    return frozenset((_span(a), _span(b)))


def _evidence(item: _Item) -> Evidence:
    s = item.sentence
    return Evidence(article_id=item.article_id, start=s.start, end=s.end, text=s.text)


def _contradictions(
    material: StoryMaterial,
    items: list[_Item],
    clashes: list[tuple[int, int, str, str]],
    group_of: dict[int, str],
    quotes: Sequence[Quote] | None = None,
) -> tuple[Contradiction, ...]:
    out: dict[tuple[str, ...], Contradiction] = {}
    for i, j, kind, explanation in clashes:
        ids = tuple(sorted({group_of[i], group_of[j]}))
        if ids in out:
            continue
        out[ids] = Contradiction(
            claim_ids=ids,
            kind=kind,  # type: ignore[arg-type]
            explanation=explanation,
            evidence=(_evidence(items[i]), _evidence(items[j])),
        )
    for contradiction in _quote_clashes(material, items, group_of, quotes):
        out.setdefault(contradiction.claim_ids, contradiction)
    return tuple(out.values())


def _norm_quote(text: str) -> str:
    return re.sub(r"[^\w ]+", "", text.lower()).strip()


def _same_speaker(a: str, b: str) -> bool:
    a, b = _plain(a), _plain(b)
    # "Xi" and "Xi Jinping", "Patel" and "Vedant Patel", "Dick Durbin" and "Richard J. Durbin" name one person;
    # so do "Felipe Calderón" and "Felipe Calderon", and a misspelt first name ("Vincente Fox").
    wa, wb = a.split(), b.split()
    return (
        a.replace(" ", "") == b.replace(" ", "")  # "Del Giudice" and "DelGiudice"
        or set(wa) <= set(wb)
        or set(wb) <= set(wa)
        or same_person(a.title(), b.title())
        or (len(wa) > 1 and len(wb) > 1 and wa[-1] == wb[-1] and fuzz.ratio(wa[0], wb[0]) >= _SAME_NAME_RATIO)
    )


def _plain(name: str) -> str:
    """Lower case, accents and punctuation off: how two outlets' spellings of one name compare."""
    decomposed = unicodedata.normalize("NFKD", name.lower())
    return " ".join(
        re.sub(r"[^\w\s]", " ", "".join(c for c in decomposed if not unicodedata.combining(c))).split()
    )


def _quote_clashes(
    material: StoryMaterial,
    items: list[_Item],
    group_of: dict[int, str],
    story_quotes: Sequence[Quote] | None = None,
) -> list[Contradiction]:
    story_quotes = _story_quotes(material, story_quotes)
    bar = settings.current().speaker_min_confidence
    quotes = [
        q
        for q in story_quotes
        if q.speaker
        # a speaker the report withholds as a guess is no evidence of a misattribution
        and (q.confidence is None or q.confidence >= bar)
        and _names_someone(q)
        and len(q.text) >= _QUOTE_MIN_CHARS
        and len(q.text.split()) >= _QUOTE_MIN_WORDS
    ]
    bodies = _bodies(material)
    out = []
    for n, qa in enumerate(quotes):
        for qb in quotes[n + 1 :]:
            if qa.article_id == qb.article_id or _same_speaker(qa.speaker or "", qb.speaker or ""):
                continue
            if _plain(qa.speaker or "") in bodies or _plain(qb.speaker or "") in bodies:
                continue  # a ministry speaks through its people: "the Defense Department" and its general
            if fuzz.ratio(_norm_quote(qa.text), _norm_quote(qb.text)) < _QUOTE_SAME_RATIO:
                continue
            ga, gb = _group_at(qa, items, group_of), _group_at(qb, items, group_of)
            if not ga or not gb:
                continue
            spans = frozenset(((qa.article_id, qa.start, qa.end), (qb.article_id, qb.start, qb.end)))
            if spans in material.corrections.not_contradictions:
                continue
            out.append(
                Contradiction(
                    claim_ids=tuple(sorted({ga, gb})),
                    kind="quote_attribution",
                    explanation=f"the same quote is attributed to {qa.speaker} and to {qb.speaker}",
                    evidence=(
                        Evidence(qa.article_id, qa.start, qa.end, qa.text),
                        Evidence(qb.article_id, qb.start, qb.end, qb.text),
                    ),
                )
            )
    return out


_BODY_LABELS = frozenset(("ORG", "GPE", "NORP", "FAC", "LOC"))


def _bodies(material: StoryMaterial) -> set[str]:
    """Names the story's articles only ever tag as an organisation, a place or a group, never as a person: a
    speaker so named is a body ("the Defense Department"), which speaks through its people. A person the tagger
    sometimes reads as an organisation is tagged a person elsewhere, and stays a person."""
    labels: dict[str, set[str]] = defaultdict(set)
    for extraction in material.extractions.values():
        for m in extraction.mentions:
            labels[_plain(clean_name(m.text))].add(m.label)
    return {name for name, seen in labels.items() if seen & _BODY_LABELS and "PERSON" not in seen}


def _names_someone(quote: Quote) -> bool:
    """Whether the article itself names the quote's speaker. A description ("a young man", "the presumptive
    nominee") fits any named person, and a speaker borrowed from another article of the story (route "story:")
    is that article's word: neither can contradict a name."""
    route = quote.attribution or ""
    return not route.startswith("story:") and route.rsplit(":", 1)[-1] != "description"


def _group_at(quote: Quote, items: list[_Item], group_of: dict[int, str]) -> str | None:
    for k, item in enumerate(items):
        s = item.sentence
        if item.article_id == quote.article_id and s.start <= quote.start < s.end:
            return group_of[k]
    return None
