"""The cited brief: an extractive, neutral multi-document summary of one story.

Candidates are the story's prose sentences, scored by a linear relevance model over `FEATURES` (centrality,
cross-article support, headline similarity, lexical corroboration, claim-group corroboration, position, ...;
weights in brief/sentence_model.json, fitted on neus-train only, see brief/scorer.py), and picked with MMR so
no two say the same thing and no claim group is stated twice. A picked group is stated in the wording the
most of its articles support. The brief opens with its most relevant sentence, then reads as prose: what
happened, reactions, background. Every brief sentence is a real source sentence (dateline aside), cited by
every article holding a sentence that supports it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np

from .. import settings
from ..claims import display_text, features, is_trivia, sentence_groups, support_between
from ..records import BriefSentence, ClaimGroup, Evidence, Sentence, StoryMaterial
from ..text.names import clean_name, is_name, strip_titles
from . import scorer
from .loaded import is_loaded

_CITE_MIN_COSINE = 0.45  # pairs below this never reach support_threshold; skip scoring them
# Attribution verbs: a sentence holding one reports someone's statement. Prose order reads it (or a quote) as
# a reaction, and loaded words in it are the speaker's, not ours. Checked in order, so an attributed look-back
# ("he said it had ...") reads as a reaction. Words only, no nested repeats.
_ATTRIBUTION = re.compile(
    r"\b(?:said|says|told|according to|stated|added|warned|urged|called|criticized|slammed|praised|argued"
    r"|tweeted|wrote)\b",
    re.I,
)
_QUOTE_MARK = re.compile(r"[\"“”]")
_BACKGROUND = re.compile(
    r"\b(?:had|previously|earlier|last (?:year|month|week)|in (?:19|20)\d\d|since|ago|former(?:ly)?)\b", re.I
)
_HAPPENED, _REACTED, _BACKSTORY = 0, 1, 2

# Lead-ins that carry no claim, trimmed from a brief sentence so the words go to content (the evidence keeps
# the source span): a wire credit glued to the text ("(CNN)US President ..."), a section label ("VIDEO:",
# "Why it matters:"), a discourse connective ("Meanwhile,"). Labels are a closed list: an open "NAME:" could be
# a transcript's speaker, whom a quote must never lose. neus-train (train-A 2nd-5th hundred / train-B 300):
# R1 +0.01/+0.01, R2 +0.02/0.00 (neus-val 0.4394/0.1995 -> 0.4396/0.1996); trimming short parentheticals
# (party tags, asides) cost R2 -0.1 on train, trailing participle clauses R1 -0.2.
_WIRE_CREDIT = re.compile(
    r"^\((?:CNN|AP|AFP|Reuters|Xinhua|Bloomberg|UPI|dpa|TASS|RT|BBC|ANI|PTI)\)\s*(?:[-–—]{1,2}\s*)?"
)
_LABEL = re.compile(
    r"^(?:VIDEO|WATCH|BREAKING(?: NEWS)?|UPDATED?|EXCLUSIVE|ANALYSIS|LIVE|PHOTOS|FLASHBACK|Why it matters"
    r"|The big picture|Driving the news|Between the lines|The bottom line|The backdrop|By the numbers"
    r"|Catch up quick|State of play|Where it stands|The latest|Be smart|Reality check|Zoom in|Zoom out"
    r"|Go deeper|The context|Context|Details|The details|Background|Our thought bubble|Worth noting):\s+(?=\S)"
)
# "And …", "But …" lean on a sentence the brief may not carry; the statement stands without them.
_CONJUNCTION = re.compile(r"^(?:And|But)\s+(?=[A-Za-z])")
_CONNECTIVE = re.compile(
    r"^(?:Meanwhile|However|Still|Also|In addition|Additionally|Moreover|Furthermore|Indeed|Separately"
    r"|In fact|Of course|Nevertheless|Nonetheless|Thus|Therefore|Similarly|Likewise|Instead|Now|So|Yet|Then"
    r"|Overall|In other words|At the same time|On the other hand),\s+(?=\S)"
)

# A sentence about the page, not the news ("Below are some of the photos …", "Watch the video above"): the
# brief has no photos.
_POINTS_AT_PAGE = re.compile(
    r"^(?:Below|Above)\b"
    r"|\b(?:photos?|pictures?|images?|videos?|tweets?|clips?|charts?|graphics?|maps?|posts?|gallery)\s+"
    r"(?:below|above)(?=\s*(?:[.,:;!)]|$)|\s+(?:shows?|showed|is|are|was|were|from|of|that|which)\b)"
    r"|\b(?:see|watch|read|click|scroll|listen)\s+(?:below|above|here)\b",
    re.I,
)


def compact(text: str) -> str:
    """A brief sentence without lead-ins that carry no claim (wire credit, section label, connective).
    Only a sentence's start is trimmed, so a quote keeps its speaker and the claim its words."""
    out = text
    for pattern in (_WIRE_CREDIT, _LABEL, _CONNECTIVE, _CONJUNCTION):
        out = pattern.sub("", out, count=1)
    if len(out.split()) < 3:
        return text  # nothing left worth stating: keep the source wording
    return out[:1].upper() + out[1:]


@dataclass
class _Candidate:
    article_id: str
    sentence: Sentence
    vector: np.ndarray
    order: int  # article position in the story
    sources: int
    claim_id: str | None


def _candidates(material: StoryMaterial, claims: Sequence[ClaimGroup]) -> list[_Candidate]:
    """Every prose sentence of the story; claim groups add their corroboration and id (the ROUGE sweep on
    neus-train: all sentences beat one canonical sentence per group, R1 0.416 vs 0.411)."""
    order = {a.id: n for n, a in enumerate(material.articles)}
    group_at = sentence_groups(claims, material.sentences)
    out: list[_Candidate] = []
    for article in material.articles:
        vectors = material.vectors.get(article.id)
        for i, sentence in enumerate(material.sentences.get(article.id, ())):
            # a row of zeros: not embedded, as a story of one article embeds only its lead and a sample
            if vectors is None or is_trivia(sentence) or not vectors[i].any():
                continue
            g = group_at.get((article.id, sentence.start))
            sources, claim_id = (g.independent_sources, g.id) if g else (1, None)
            out.append(
                _Candidate(article.id, sentence, np.asarray(vectors[i]), order[article.id], sources, claim_id)
            )
    return out


def story_centroid(material: StoryMaterial) -> np.ndarray:
    # Mean of per-article means, so one long article does not define what the story is about.
    means = [_embedded(v).mean(axis=0) for v in material.vectors.values() if len(_embedded(v))]
    if not means:
        return np.zeros(1)
    c = np.mean(means, axis=0)
    return c / max(float(np.linalg.norm(c)), 1e-12)


def _embedded(vectors: np.ndarray) -> np.ndarray:
    """The rows that hold a vector (a row of zeros is a sentence not embedded: StoryMaterial)."""
    vectors = np.asarray(vectors)
    return vectors[vectors.any(axis=1)] if vectors.ndim == 2 else vectors


# Per-candidate features of the learned relevance model (brief/scorer.py, brief/sentence_model.json), in the
# model's column order. Each is a within-story signal: the model only ranks sentences of one story.
FEATURES = (
    "central",  # cosine to the story centroid
    "cross_support",  # mean over other articles of the best cosine there
    "title",  # cosine to its own article's headline
    "title_story",  # best cosine to any of the story's headlines
    "title_words",  # share of its content words found in some headline of the story
    "shared_words",  # mean share of other articles using each of its content words
    "sources",  # claim-group independent sources, scaled to the story's maximum
    "corroborated",  # in a corroborated claim group
    "lead",  # 1 / (1 + position in its article)
    "first",  # first sentence of its article
    "rel_position",  # position / (sentences in its article - 1)
    "words",  # length in words / 30
    "numbers",  # holds a number
    "entities",  # named-entity mentions per 10 words
    "quoted",  # holds a quotation mark
    "voice",  # attributed statement (said, told, ...)
    "background",  # looks back in time
    "loaded",  # loaded-lexicon words outside an attribution
)


def _feature_matrix(material: StoryMaterial, candidates: list[_Candidate]) -> np.ndarray:
    """One row of FEATURES per candidate."""
    centroid = story_centroid(material)
    top_sources = max(c.sources for c in candidates)
    xdoc = _cross_support(material, candidates)
    titles, story_titles = _title_cosines(material, candidates)
    shared = _shared_words(material, candidates)
    headline_words = frozenset().union(
        *(features(a.title).words for a in material.articles if a.title and a.title.strip())
    )
    counts = {aid: len(s) for aid, s in material.sentences.items()}
    rows = []
    for c, xd, ts, tss, sw in zip(candidates, xdoc, titles, story_titles, shared, strict=True):
        text = c.sentence.text
        words = features(text).words
        n_words = max(len(text.split()), 1)
        extraction = material.extractions.get(c.article_id)
        lo, hi = c.sentence.start, c.sentence.end
        entities = sum(lo <= m.start and m.end <= hi for m in extraction.mentions) if extraction else 0
        numbers = any(lo <= n.start and n.end <= hi for n in extraction.numbers) if extraction else False
        n_sent = counts.get(c.article_id, 1)
        rows.append(
            [
                float(np.dot(c.vector, centroid)) if centroid.shape == c.vector.shape else 0.0,
                xd,
                ts,
                tss,
                len(words & headline_words) / len(words) if words else 0.0,
                sw,
                (c.sources - 1) / max(top_sources - 1, 1),
                float(c.sources >= 2),
                1.0 / (1.0 + c.sentence.index),
                float(c.sentence.index == 0),
                c.sentence.index / max(n_sent - 1, 1),
                min(n_words / 30.0, 3.0),
                float(numbers),
                min(10.0 * entities / n_words, 5.0),
                float(bool(_QUOTE_MARK.search(text))),
                float(bool(_ATTRIBUTION.search(text))),
                float(bool(_BACKGROUND.search(text))),
                float(is_loaded(text) and not _ATTRIBUTION.search(text)),
            ]
        )
    return np.asarray(rows, dtype=float).reshape(len(candidates), len(FEATURES))


def write_brief(
    material: StoryMaterial, claims: Sequence[ClaimGroup], max_sentences: int | None = None
) -> tuple[BriefSentence, ...]:
    """Up to `brief_max_sentences` cited sentences summarising the story neutrally, in prose order."""
    limit = max_sentences if max_sentences is not None else settings.current().brief_max_sentences
    candidates = _candidates(material, claims)
    if not candidates or limit <= 0:
        return ()
    relevance = _relevance(material, candidates)
    groups = {g.id: g for g in claims}
    picks = _mmr(candidates, relevance, limit, {g.id: frozenset(g.related) for g in claims})
    # A group picked twice (brief_claim_similarity > 0) keeps both wordings: rewording them could make them one.
    once = Counter(c.claim_id for c in picks)
    chosen = [
        _broadest(material, candidates, relevance, c, groups) if once[c.claim_id] == 1 else c for c in picks
    ]
    return _introduce_people(
        material, [_cite(material, c, groups.get(c.claim_id or "")) for c in _prose_order(chosen)]
    )


_HONORIFIC = r"(?:(?:Mr|Mrs|Ms|Miss|Dr)\.?\s+)?"


def _introduce_people(material: StoryMaterial, brief: list[BriefSentence]) -> tuple[BriefSentence, ...]:
    """The brief's first mention of a person gives the full name that the sentence's own article gives ("Mr.
    McConnell said" -> "Mitch McConnell said"): the brief's reader has not read the article's earlier sentences.
    Only where the article named exactly one person of that surname in full before it, and never inside a
    quotation."""
    introduced: set[str] = set()
    out = []
    for sentence in brief:
        own = sentence.evidence[0]
        extraction = material.extractions.get(own.article_id)
        persons = sorted(
            (m for m in extraction.mentions if m.label == "PERSON") if extraction else (),
            key=lambda m: m.start,
        )
        text = sentence.text
        for m in persons:
            if not (own.start <= m.start and m.end <= own.end):
                continue
            words = _person_words(m.text)
            if not words or words[-1] in introduced:
                continue
            introduced.add(words[-1])
            # the full names this surname can stand for: those the article gave before it
            forms = {
                " ".join(w)
                for p in persons
                if p.start < m.start and len(w := _person_words(p.text)) >= 2 and w[-1] == words[-1]
            }
            if len(words) == 1 and len(forms) == 1:
                text = _name_in_full(text, words[-1], forms.pop())
        out.append(replace(sentence, text=text) if text != sentence.text else sentence)
    return tuple(out)


def _person_words(mention: str) -> list[str]:
    name = strip_titles(clean_name(mention))
    return name.split() if is_name(name) else []


def _name_in_full(text: str, surname: str, full: str) -> str:
    """`text` with its first mention of `surname` outside quotation marks (and the honorific before it) given as
    `full`."""
    for m in re.finditer(rf"\b{_HONORIFIC}{re.escape(surname)}\b", text):
        before = text[: m.start()]
        if before.count("“") == before.count("”") and before.count('"') % 2 == 0:
            return text[: m.start()] + full + text[m.end() :]
    return text


def _broadest(
    material: StoryMaterial,
    candidates: list[_Candidate],
    relevance: np.ndarray,
    pick: _Candidate,
    groups: dict[str, ClaimGroup],
) -> _Candidate:
    """The wording of the pick's claim group that the most articles support (so the group is cited as widely
    as the support check allows), among members within `brief_group_margin` relevance of the pick."""
    if pick.claim_id is None or pick.claim_id not in groups:
        return pick
    group = groups[pick.claim_id]
    floor = (
        relevance[next(k for k, c in enumerate(candidates) if c is pick)]
        - settings.current().brief_group_margin
    )
    members = [k for k, c in enumerate(candidates) if c.claim_id == group.id and relevance[k] >= floor]
    # Most citations first, then the more relevant wording.
    best = max(members, key=lambda k: (len(_cite(material, candidates[k], group).citations), relevance[k]))
    return candidates[best]


def _squash(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))


def _relevance(material: StoryMaterial, candidates: list[_Candidate]) -> np.ndarray:
    """The learned model's relevance per candidate. A line without closing punctuation (a subhead, a cut
    snippet) only comes after every prose sentence. Never stated (-inf): a headline repeated as the body's
    first line (the outlet's framing); a sentence about the page ("photos below"); a sentence inside a block
    quote, someone's statement with no attribution in the sentence itself, which a neutral brief must not state
    as fact; a piece of a quote whose marks open or close in another sentence; a quotation whose speaker the
    sentence does not name."""
    model = scorer.load(str(scorer.MODEL_PATH), FEATURES)
    relevance = model.score(_feature_matrix(material, candidates))
    unattributed = _unattributed_spans(material)
    quoted = _quote_spans(material)
    headlines = {_squash(a.title) for a in material.articles if a.title}
    for k, c in enumerate(candidates):
        voiced = any(
            s <= c.sentence.start and c.sentence.end <= e for s, e in unattributed.get(c.article_id, ())
        ) or (
            # a sentence inside a quotation that runs over several: someone's words with no marks of its own
            not _QUOTE_MARK.search(c.sentence.text)
            and any(s < c.sentence.start and c.sentence.end <= e for s, e in quoted.get(c.article_id, ()))
        )
        if (
            voiced
            or _squash(c.sentence.text) in headlines
            or _POINTS_AT_PAGE.search(c.sentence.text)
            or _unbalanced(c.sentence.text)
            or not _speakers_named(material, c)
        ):
            relevance[k] = -np.inf
        elif not c.sentence.text.rstrip().endswith((".", "!", "?", '"', "”", "’", "'")):
            relevance[k] -= 10.0
    return relevance


def _speakers_named(material: StoryMaterial, candidate: _Candidate) -> bool:
    """Whether every quotation inside the sentence comes with its speaker named in the sentence itself (a
    speaker the extractor withholds as a guess counts as unnamed): a brief never states someone's words
    without saying whose they are."""
    if not _QUOTE_MARK.search(candidate.sentence.text):
        return True
    extraction = material.extractions.get(candidate.article_id)
    if extraction is None:
        return False
    bar = settings.current().speaker_min_confidence
    text = candidate.sentence.text
    inside = [
        q
        for q in extraction.quotes
        if candidate.sentence.start <= q.start < candidate.sentence.end
        and q.kind not in ("block", "unmarked")
    ]
    if not inside:
        return True  # marks that quote no one: a title, a name, a term
    for q in inside:
        if not q.speaker or (q.confidence is not None and q.confidence < bar):
            return False
        surname = q.speaker.split()[-1]
        outside = text[: q.start - candidate.sentence.start] + text[q.end - candidate.sentence.start :]
        if surname not in outside:
            return False
    return True


def _unbalanced(text: str) -> bool:
    """A sentence that opens a quotation it does not close, or closes one it did not open: a piece of a
    quotation running over several sentences ("“The development of relations … serves peace." with the rest,
    or the speaker, in another sentence), broken and often someone's words stated as the brief's own."""
    opened, closed = text.count("“"), text.count("”")
    return opened != closed or text.count('"') % 2 == 1


def _kind(sentence: Sentence) -> int:
    if _ATTRIBUTION.search(sentence.text) or _QUOTE_MARK.search(sentence.text):
        return _REACTED
    return _BACKSTORY if _BACKGROUND.search(sentence.text) else _HAPPENED


def _prose_order(chosen: list[_Candidate]) -> list[_Candidate]:
    """The top pick first (the core event); then the rest of the opening paragraph (`brief_lead_words`) as what
    happened / reactions / background, then the remaining picks the same way. Sorting stays stable, so within a
    kind the more relevant sentence comes first; and the opening holds the most relevant sentences whatever
    their kind, so a reader (or a length cut) meets the core first."""
    if len(chosen) <= 1:
        return chosen
    budget = settings.current().brief_lead_words
    words, k = len(chosen[0].sentence.text.split()), 1
    while k < len(chosen) and words < budget:
        words += len(chosen[k].sentence.text.split())
        k += 1
    opening = sorted(chosen[1:k], key=lambda c: _kind(c.sentence))
    rest = sorted(chosen[k:], key=lambda c: _kind(c.sentence))
    return [chosen[0], *opening, *rest]


def _title_similarity(material: StoryMaterial, candidates: list[_Candidate]) -> list[float]:
    """Per candidate: cosine to its own article's headline (to the mean headline where its article has none)."""
    return _title_cosines(material, candidates)[0]


def _title_cosines(material: StoryMaterial, candidates: list[_Candidate]) -> tuple[list[float], list[float]]:
    """Per candidate: (cosine to its own article's headline, or the mean one where its article has none;
    its best cosine to any of the story's headlines)."""
    from ..models import embed

    zeros = [0.0] * len(candidates)
    titled = [a for a in material.articles if a.title and a.title.strip()]
    if not titled:
        return zeros, zeros
    vectors = embed([a.title.strip()[:300] for a in titled])
    if vectors.shape[1] != candidates[0].vector.shape[0]:
        return zeros, zeros  # vectors from another model (test doubles): no comparable headline
    row = {a.id: i for i, a in enumerate(titled)}
    own, best = [], []
    for c in candidates:
        sims = vectors @ c.vector
        own.append(float(sims[row[c.article_id]]) if c.article_id in row else float(sims.mean()))
        best.append(float(sims.max()))
    return own, best


def _shared_words(material: StoryMaterial, candidates: list[_Candidate]) -> list[float]:
    """Per candidate: over its content words, the mean share of the story's other articles that use the word.
    Lexical corroboration: the words every outlet uses are the ones a neutral roundup uses."""
    others = max(len(material.articles) - 1, 1)
    vocab = {
        a.id: frozenset().union(*(features(s.text).words for s in material.sentences.get(a.id, ())))
        for a in material.articles
    }
    df = Counter(w for words in vocab.values() for w in words)
    out = []
    for c in candidates:
        words = features(c.sentence.text).words
        out.append(sum((df[w] - 1) / others for w in words) / len(words) if words else 0.0)
    return out


def _cross_support(material: StoryMaterial, candidates: list[_Candidate]) -> list[float]:
    """Per candidate: mean over the story's other articles of its best cosine there (soft corroboration)."""
    others = [a.id for a in material.articles if len(material.vectors.get(a.id, ())) > 0]
    out = []
    for c in candidates:
        sims = [
            float((np.asarray(material.vectors[aid]) @ c.vector).max())
            for aid in others
            if aid != c.article_id
        ]
        out.append(sum(sims) / len(sims) if sims else 0.0)
    return out


def _quote_spans(material: StoryMaterial) -> dict[str, list[tuple[int, int]]]:
    """Spans of every extracted quotation, per article."""
    return {aid: [(q.start, q.end) for q in e.quotes] for aid, e in material.extractions.items()}


def _unattributed_spans(material: StoryMaterial) -> dict[str, list[tuple[int, int]]]:
    """Spans of quotes given without quote marks (block statements, embedded posts), per article."""
    spans: dict[str, list[tuple[int, int]]] = {}
    for aid, extraction in material.extractions.items():
        spans[aid] = [(q.start, q.end) for q in extraction.quotes if q.kind in ("block", "unmarked")]
    return spans


def _mmr(
    candidates: list[_Candidate],
    relevance: np.ndarray,
    limit: int,
    related: Mapping[str, frozenset[str]] | None = None,
    one_per_claim: bool = True,
) -> list[_Candidate]:
    """Greedy MMR picks. A candidate too similar to any pick is skipped, and (`one_per_claim`) so is one of a
    claim group already stated, or of a group `related` to it (restating it in another sentence of an article),
    when it is at least `brief_claim_similarity` similar to that group's pick: the same claim in other words."""
    related = related or {}
    redundancy = settings.current().brief_redundancy_similarity
    mmr_lambda = settings.current().brief_mmr_lambda
    same_claim = settings.current().brief_claim_similarity
    vectors = np.stack([c.vector for c in candidates])
    picked: list[int] = []
    # each candidate's highest similarity to a pick so far, updated with each new pick: an article of
    # thousands of near-identical sentences costs one vector product per pick, not a product per candidate
    best_sim = np.zeros(len(candidates), dtype=np.float64)  # 0 until the first pick
    undecided = np.ones(len(candidates), dtype=bool)
    relevance = np.asarray(relevance, dtype=np.float64)
    while undecided.any() and len(picked) < limit:
        score = np.where(undecided, relevance - mmr_lambda * best_sim, -np.inf)
        best = int(np.argmax(score))  # the first of equal scores, in candidate order
        if score[best] == -np.inf:
            break  # only candidates that are never stated are left
        undecided[best] = False
        claim = candidates[best].claim_id
        restated = one_per_claim and any(
            (candidates[p].claim_id == claim or candidates[p].claim_id in related.get(claim, ()))
            and (same_claim <= 0 or float(vectors[best] @ vectors[p]) >= same_claim)
            for p in picked
            if claim is not None
        )
        if best_sim[best] >= redundancy or restated:
            continue
        similarity = vectors @ vectors[best]
        best_sim = similarity.astype(np.float64) if not picked else np.maximum(best_sim, similarity)
        picked.append(best)
    return [candidates[i] for i in picked]


def _cite(material: StoryMaterial, chosen: _Candidate, group: ClaimGroup | None = None) -> BriefSentence:
    """The brief sentence with its evidence: its own sentence, then in every other article the sentence that
    best supports it. The sentences of its claim group are always tried, however low their cosine, so a group's
    sentence cites the group's articles wherever the support check holds; a group member linked only through
    a chain of paraphrases that does not support this wording is not cited (citations must hold up)."""
    threshold = settings.current().support_threshold
    own = chosen.sentence
    evidence = [Evidence(chosen.article_id, own.start, own.end, own.text)]
    target = features(own.text)
    in_group = set(sentence_groups([group], material.sentences)) if group else set()
    for article in material.articles:
        if article.id == chosen.article_id or article.id not in material.vectors:
            continue
        sims = np.asarray(material.vectors[article.id]) @ chosen.vector
        best: tuple[float, Sentence] | None = None
        for i, sentence in enumerate(material.sentences[article.id]):
            if sims[i] < _CITE_MIN_COSINE and (article.id, sentence.start) not in in_group:
                continue
            score = support_between(target, features(sentence.text), float(sims[i]))
            if score >= threshold and (best is None or score > best[0]):
                best = (score, sentence)
        if best:
            s = best[1]
            evidence.append(Evidence(article.id, s.start, s.end, s.text))
    return BriefSentence(
        text=compact(display_text(own.text)),
        citations=tuple(dict.fromkeys(e.article_id for e in evidence)),
        evidence=tuple(evidence),
        claim_id=chosen.claim_id,
    )
