"""What one article brings to story clustering: its vector, its rare terms and numbers, its named entities.

Terms are hashed into a fixed space (the hashing trick, as in scikit-learn's HashingVectorizer) so that the
document frequencies learned from the stream fit in one fixed-size array, whatever the stream's vocabulary.
"""

from __future__ import annotations

import bisect
import re
import zlib
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache

import numpy as np

from .. import settings
from ..records import Article
from ..text import sentence_spans
from ..text.shingles import SHINGLE_WORDS, normalise
from ..text.stopwords import ENGLISH_STOP_WORDS
from .frequencies import HASH_BITS
from .profile import Profile

_MASK = (1 << HASH_BITS) - 1
_MAX_TERM_CHARS = 200_000  # an article's text beyond this adds no clustering evidence, only time
# Words (letters first, inner apostrophes/hyphens) and numbers ("6.1", "1,500", "2008"); no nested
# quantifiers, so matching is linear in the text length.
_TOKEN = re.compile(r"[^\W\d_][\w'’-]{0,40}|\d{1,15}(?:[.,]\d{1,15}){0,4}")
_YEAR = re.compile(r"(?:19|20)\d\d")
_WEEKDAY = re.compile(r"\b(Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day\b")
_WEEKDAYS = ("Mon", "Tues", "Wednes", "Thurs", "Fri", "Satur", "Sun")
# Copy marks: every five-word run of a text (dedupe's shingles) is hashed, and those whose hash falls in one
# 1/_MARK_EVERY slice are kept, so two copies of one text keep the same runs (Broder's mod-m sampling). Unlike
# a MinHash signature, the sample measures how much of one article a whole story's reports contain. Marks
# are cut to 24 bits so a story's marks pack exactly into its float32 profile row.
_MARK_EVERY = 8
_MARK_MASK = (1 << 24) - 1
_MARK_CHARS = 5_000  # a copy shows in its first few hundred words; the rest adds time, not evidence
_RUN_MULTIPLIERS = np.array(
    [0x9E3779B97F4A7C15**k % (1 << 64) for k in range(SHINGLE_WORDS)], dtype=np.uint64
)
# Function words of news prose that the English list lacks; they carry no event identity.
_EXTRA_STOP = frozenset({"said", "says", "told", "according", "reported", "reports", "just", "like", "new"})


@dataclass(frozen=True)
class ArticleEvidence:
    """An article's clustering evidence, computed once when it arrives."""

    article_id: str
    vector: np.ndarray = field(compare=False)  # unit title+lead vector
    terms: Profile = field(compare=False)  # content words and numbers
    entities: Profile = field(compare=False)  # named entities (hashed with an "@" prefix)
    names: dict[int, str] = field(compare=False)  # hash -> surface form, to say which terms were shared
    entity_counts: dict[str, int] = field(compare=False)  # case-folded entity key -> mentions (readable)
    years: frozenset[int] = frozenset()  # years the text names: when the event happened, not when published
    anchor_year: int | None = None  # the year the article reports from (see anchor_year)
    # weekdays its headline and lead name, 0 = Monday (see lead_weekdays)
    weekdays: frozenset[int] = frozenset()
    # hashed keys of the people its headline and lead name (see lead_people): whom the event is about
    people: frozenset[int] = frozenset()
    marks: Profile = field(default_factory=Profile, compare=False)  # sampled five-word runs (copy_marks)


def lead_weekdays(text: str, sentences: int) -> frozenset[int]:
    """Weekdays named in the first `sentences` sentences (title included when it leads the text), 0 = Monday.

    A report says on which day its event happened in the lead ("Microsoft on Wednesday released ...",
    "was arrested early Sunday"); two look-alike events a month or years apart fall on the same weekday only
    by chance. The body is left out: it names earlier incidents and the next game's day.
    """
    head = text[:2000]
    found = list(_WEEKDAY.finditer(head))
    if not found:
        return frozenset()
    # sentences only as far as the last weekday named: splitting is most of the cost
    starts = [start for start, _ in sentence_spans(head[: found[-1].end()])]
    return frozenset(
        _WEEKDAYS.index(m.group(1)) for m in found if bisect.bisect_right(starts, m.start()) <= sentences
    )


def copy_marks(text: str) -> Profile:
    """A sample of the text's five-word runs (lower-cased words), each weighted 1: a copy of a report, or a
    rewrite of one wire story, keeps most of its marks, while two reports of one event written apart share
    almost none (a run of five words in a row is rarely written twice by chance)."""
    words = normalise(text[:_MARK_CHARS]).split()
    if len(words) < SHINGLE_WORDS:
        return Profile()
    # crc32 afresh rather than the term cache: every word and number would churn it (memory, not time)
    hashes = np.fromiter((zlib.crc32(w.encode("utf-8")) for w in words), dtype=np.uint64, count=len(words))
    runs = np.zeros(len(words) - SHINGLE_WORDS + 1, dtype=np.uint64)
    for k in range(SHINGLE_WORDS):  # a polynomial hash of each run, in uint64 arithmetic (wraps around)
        runs += hashes[k : len(hashes) - SHINGLE_WORDS + 1 + k] * _RUN_MULTIPLIERS[k]
    runs ^= runs >> np.uint64(29)
    kept = runs[(runs >> np.uint64(40)) % np.uint64(_MARK_EVERY) == 0]
    ids = np.unique((kept & np.uint64(_MARK_MASK)).astype(np.int64))
    return Profile(ids, np.ones(len(ids), dtype=np.float32))


def anchor_year(published: datetime | None, years: frozenset[int]) -> int | None:
    """The year an article reports from: its publication year, else the latest year its text names.

    Background years (an earlier quake, a first term) come before the reported event, so the latest named
    year is the best undated estimate; years after the publication date are plans ("by 2030"), not events.
    Two look-alike events (two quakes in one province, two coaches fired) are usually years apart.
    """
    if published is not None:
        return published.year
    return max(years) if years else None


def tokens(text: str) -> list[str]:
    """Lower-cased content terms of a text: words minus stop words, plus every number."""
    out = []
    for raw in _TOKEN.findall(text[:_MAX_TERM_CHARS]):
        word = _normal(raw)
        if word is not None:
            out.append(word)
    return out


def term_counts(text: str) -> Counter[str]:
    """`Counter(tokens(text))`: each distinct raw token is normalised once (memoised across articles), then
    the raw tokens are mapped and counted in C (Counter over a map) rather than in a Python loop."""
    raws = _TOKEN.findall(text[:_MAX_TERM_CHARS])
    new = set(raws).difference(_NORMAL)
    if len(_NORMAL) + len(new) > _CACHE_LIMIT:
        _NORMAL.clear()
        new = set(raws)
    for raw in new:
        _NORMAL[raw] = _normalise(raw)
    out = Counter(map(_NORMAL.__getitem__, raws))
    out.pop(None, None)  # type: ignore[call-overload]
    return out  # type: ignore[return-value]


_CACHE_LIMIT = 200_000  # distinct raw tokens / terms remembered (a few MB); cleared when full
_NORMAL: dict[str, str | None] = {}
_HASHES: dict[str, int] = {}


def _normal(raw: str) -> str | None:
    """A raw token's term, or None for stop words and short words; memoised, as news reuses its words."""
    word = _NORMAL.get(raw, _normalise)
    if word is _normalise:
        if len(_NORMAL) >= _CACHE_LIMIT:
            _NORMAL.clear()
        word = _NORMAL[raw] = _normalise(raw)
    return word  # type: ignore[return-value]


def _normalise(raw: str) -> str | None:
    word = raw.lower().strip("'’-").replace("’", "'")
    if word.endswith("'s"):
        word = word[:-2]
    if (
        not word
        or word in ENGLISH_STOP_WORDS
        or word in _EXTRA_STOP
        or (len(word) < 3 and not word[0].isdigit())
    ):
        return None
    return word


def term_hash(term: str) -> int:
    # crc32 is stable across processes (Python's hash() is salted), so stored hashes stay valid.
    h = _HASHES.get(term)
    if h is None:
        if len(_HASHES) >= _CACHE_LIMIT:
            _HASHES.clear()
        h = _HASHES[term] = zlib.crc32(term.encode("utf-8")) & _MASK
    return h


@lru_cache(maxsize=65536)  # a story's people and places recur across its articles
def entity_key(name: str) -> str:
    return re.sub(r"^the\s+|'s$|’s$", "", " ".join(name.casefold().split()))


def keyed_entities(entity_counts: Mapping[str, int] | None) -> tuple[dict[str, int], dict[str, str]]:
    """Counts under case-folded keys ("The Kremlin" = "kremlin"), and a display name per key."""
    out: dict[str, int] = {}
    names: dict[str, str] = {}
    for name, n in (entity_counts or {}).items():
        key = entity_key(name)
        if key and n > 0:
            out[key] = out.get(key, 0) + int(n)
            names.setdefault(key, name.strip())
    return out, names


def _profile(counts: Mapping[str, int], prefix: str) -> tuple[Profile, list[int]]:
    """The hashed profile of term counts, and each term's hash (in `counts` order)."""
    terms = [prefix + t for t in counts] if prefix else list(counts)
    if len(_HASHES) + len(terms) > _CACHE_LIMIT:
        _HASHES.clear()
    hashes = [_HASHES.get(t) for t in terms]
    if None in hashes:
        hashes = [term_hash(t) if h is None else h for t, h in zip(terms, hashes, strict=True)]
    if not hashes:
        return Profile(), hashes  # type: ignore[return-value]
    # sublinear tf: repetition is weak evidence; colliding hashes add up
    tf = 1.0 + np.log(np.fromiter(counts.values(), dtype=np.float64, count=len(hashes)))
    raw = np.array(hashes, dtype=np.int64)
    order = np.argsort(raw)
    ids = raw[order]
    if len(ids) < 2 or bool((ids[1:] != ids[:-1]).all()):  # the usual case: no two terms share a hash
        return Profile(ids, tf[order].astype(np.float32)), hashes  # type: ignore[return-value]
    ids, inverse = np.unique(raw, return_inverse=True)
    weights = np.bincount(inverse, weights=tf, minlength=len(ids)).astype(np.float32)
    return Profile(ids, weights), hashes  # type: ignore[return-value]


def article_evidence(
    article: Article,
    vector: np.ndarray,
    entity_counts: Mapping[str, int] | None = None,
    lead_people: Iterable[str] = (),
) -> ArticleEvidence:
    """Evidence of one article; `vector` is its unit title+lead vector (see clusterer.article_vector);
    `lead_people`: entity keys (as in entity_counts) of the people its headline and lead name."""
    text = evidence_text(article)
    entities, entity_names = keyed_entities(entity_counts)
    counts = term_counts(text)
    terms, term_hashes = _profile(counts, "")
    entity_profile, entity_hashes = _profile(entities, "@")
    # hash -> surface form (of colliding terms the first one seen; entities by their display name)
    names = dict(zip(reversed(term_hashes), reversed(list(counts)), strict=True))
    names.update(zip(entity_hashes, [entity_names[k] for k in entities], strict=True))
    # a cheap first-character test before the regex: almost no term starts with 1 or 2
    years = frozenset(int(t) for t in counts if t[0] in "12" and _YEAR.fullmatch(t))
    return ArticleEvidence(
        article.id,
        vector,
        terms,
        entity_profile,
        names,
        entities,
        years,
        anchor_year(article.published_at, years),
        # the lead is the article vector's: the title (when not the text's first line) and the first sentences
        lead_weekdays(text, settings.current().story_lead_sentences + (text is not article.text)),
        frozenset(term_hash("@" + entity_key(name)) for name in lead_people),
        copy_marks(text),
    )


def evidence_text(article: Article) -> str:
    """The text evidence is read from: the title (when not the text's first line) and the text."""
    title = (article.title or "").strip()
    return (
        article.text if not title or article.text.lstrip().startswith(title) else title + "\n" + article.text
    )
