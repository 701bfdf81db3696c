"""Text fingerprints: a normalised-text hash for exact copies, MinHash over word shingles for near copies."""

from __future__ import annotations

import functools
import hashlib
import zlib
from collections.abc import Mapping

from datasketch import MinHash, MinHashLSH

from .. import settings
from ..text.shingles import SHINGLE_WORDS, normalise, shingles

__all__ = ["SHINGLE_WORDS", "exact_key", "minhash", "near_duplicate_pairs", "normalise", "shingles"]

# Shingle hash: CRC-32 is 8x faster than datasketch's default SHA-1 (SHA-1 hashing was 40 % of find_duplicates)
# and as good here: MinHash only needs distinct shingles to get distinct, evenly spread 32-bit values, and
# its permutations re-mix them; nothing adversarial is at stake within one story.
_HASH = zlib.crc32


def exact_key(text: str) -> str:
    return hashlib.sha1(normalise(text).encode("utf-8")).hexdigest()


def minhash(text: str) -> MinHash:
    m = MinHash(num_perm=settings.current().minhash_num_perm, hashfunc=_HASH)
    m.update_batch(list(shingles(text)))
    return m


# Weights of the LSH banding: recall-heavy (20 bands x 6 rows at 0.7), because candidates are verified on
# the estimated Jaccard, so a false candidate costs one comparison while a missed one loses a duplicate
# (equal weights miss ~1 in 4 at 0.77).
_LSH_WEIGHTS = (0.1, 0.9)


@functools.lru_cache(maxsize=16)
def _lsh_params(threshold: float, num_perm: int) -> tuple[int, int] | None:
    """(bands, rows) datasketch would choose; it integrates for them on every `MinHashLSH(...)` (about 0.1 s,
    more than hashing a whole story), so they are computed once per setting. None when LSH cannot band."""
    try:
        lsh = MinHashLSH(threshold=threshold, num_perm=num_perm, weights=_LSH_WEIGHTS)
    except ValueError:  # thresholds near 0 or 1 leave LSH fewer than 2 bands: compare every pair instead
        return None
    return lsh.b, lsh.r


def near_duplicate_pairs(texts: Mapping[str, str]) -> dict[tuple[str, str], float]:
    """Pairs (in the mapping's order) whose estimated shingle Jaccard reaches `near_duplicate_jaccard`.

    LSH proposes candidates in sub-quadratic time; each candidate is then verified on the estimated
    Jaccard, since LSH banding lets through some pairs below the threshold.
    """
    threshold = settings.current().near_duplicate_jaccard
    num_perm = settings.current().minhash_num_perm
    order = {key: i for i, key in enumerate(texts)}
    keys = [key for key, text in texts.items() if text.strip()]
    # one permutation table for the whole batch (MinHash() would draw it again for every text)
    batch = MinHash.bulk([list(shingles(texts[key])) for key in keys], num_perm=num_perm, hashfunc=_HASH)
    hashes = dict(zip(keys, batch, strict=True))
    params = _lsh_params(threshold, num_perm)
    lsh = None if params is None else MinHashLSH(threshold=threshold, num_perm=num_perm, params=params)
    if lsh is not None:
        for key, m in hashes.items():
            lsh.insert(key, m)
    found: dict[tuple[str, str], float] = {}
    for key, m in hashes.items():
        # in input order: LSH answers with a set, whose order the process's hash seed decides
        for other in sorted(lsh.query(m), key=order.__getitem__) if lsh is not None else hashes:
            if order[other] <= order[key]:
                continue
            score = float(m.jaccard(hashes[other]))
            if score >= threshold:
                found[(key, other)] = score
    return found
