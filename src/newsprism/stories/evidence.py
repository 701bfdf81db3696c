"""What one article brings to story clustering: its vector, its rare terms and numbers, its named entities.

Terms are hashed into a fixed space (the hashing trick, as in scikit-learn's HashingVectorizer) so that the
document frequencies learned from the stream fit in one fixed-size array, whatever the stream's vocabulary.
"""

from __future__ import annotations

import math
import re
import zlib
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from ..dedupe.duplicates import parse_date
from ..records import Article
from .frequencies import HASH_BITS
from .profile import Profile

_MASK = (1 << HASH_BITS) - 1
_MAX_TERM_CHARS = 200_000  # an article's text beyond this adds no clustering evidence, only time
# Words (letters first, inner apostrophes/hyphens) and numbers ("6.1", "1,500", "2008"); no nested
# quantifiers, so matching is linear in the text length.
_TOKEN = re.compile(r"[^\W\d_][\w'’-]{0,40}|\d{1,15}(?:[.,]\d{1,15}){0,4}")
_YEAR = re.compile(r"(?:19|20)\d\d")
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


def anchor_year(published: str | None, years: frozenset[int]) -> int | None:
    """The year an article reports from: its publication year, else the latest year its text names.

    Background years (an earlier quake, a first term) come before the reported event, so the latest named
    year is the best undated estimate; years after the publication date are plans ("by 2030"), not events.
    Two look-alike events (two quakes in one province, two coaches fired) are usually years apart.
    """
    day = parse_date(published)
    if day is not None:
        return day.year
    return max(years) if years else None


def tokens(text: str) -> list[str]:
    """Lower-cased content terms of a text: words minus stop words, plus every number."""
    out = []
    for raw in _TOKEN.findall(text[:_MAX_TERM_CHARS]):
        word = raw.lower().strip("'’-").replace("’", "'")
        if word.endswith("'s"):
            word = word[:-2]
        if not word or word in ENGLISH_STOP_WORDS or word in _EXTRA_STOP:
            continue
        if len(word) < 3 and not word[0].isdigit():
            continue
        out.append(word)
    return out


def term_hash(term: str) -> int:
    # crc32 is stable across processes (Python's hash() is salted), so stored hashes stay valid.
    return zlib.crc32(term.encode("utf-8")) & _MASK


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


def _profile(counts: Mapping[str, int], prefix: str, names: dict[int, str]) -> Profile:
    by_hash: dict[int, float] = {}
    for term, n in counts.items():
        h = term_hash(prefix + term)
        by_hash[h] = by_hash.get(h, 0.0) + 1.0 + math.log(n)  # sublinear tf: repetition is weak evidence
        names.setdefault(h, term)
    ids = np.fromiter(sorted(by_hash), dtype=np.int64, count=len(by_hash))
    weights = np.fromiter((by_hash[int(h)] for h in ids), dtype=np.float32, count=len(ids))
    return Profile(ids, weights)


def article_evidence(
    article: Article, vector: np.ndarray, entity_counts: Mapping[str, int] | None = None
) -> ArticleEvidence:
    """Evidence of one article; `vector` is its unit title+lead vector (see clusterer.article_vector)."""
    title = (article.title or "").strip()
    text = (
        article.text if not title or article.text.lstrip().startswith(title) else title + "\n" + article.text
    )
    names: dict[int, str] = {}
    entities, entity_names = keyed_entities(entity_counts)
    counts = Counter(tokens(text))
    terms = _profile(counts, "", names)
    entity_profile = _profile(entities, "@", names)
    for key, name in entity_names.items():
        names[term_hash("@" + key)] = name
    years = frozenset(int(t) for t in counts if _YEAR.fullmatch(t))
    return ArticleEvidence(
        article.id,
        vector,
        terms,
        entity_profile,
        names,
        entities,
        years,
        anchor_year(article.published, years),
    )
