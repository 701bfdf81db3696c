"""Document frequencies of hashed terms, learned from the stream itself, in fixed memory.

IDF is what makes "magnitude" weak and "6.1" or "Cloverdale" strong evidence; no background corpus can
know this week's names and numbers, so the clusterer counts them as articles arrive. The counts live in one
fixed array (HASH_BITS); the buckets counted since the last checkpoint are written to the store's
term_frequencies table, so a restart continues with them.
"""

from __future__ import annotations

import numpy as np

from ..store.base import Store

HASH_BITS = 20  # 1M buckets: a news year's vocabulary (a few 100k terms) collides rarely


class DocumentFrequencies:
    """How many articles contained each hashed term, and how many articles were counted."""

    def __init__(self) -> None:
        self.df = np.zeros(1 << HASH_BITS, dtype=np.float32)  # float32: exact to 16M articles per term
        self.documents = 0
        self._changed = np.zeros(1 << HASH_BITS, dtype=bool)  # buckets counted since the last save
        self._unsaved = 0

    def add(self, term_ids: np.ndarray) -> None:
        self.df[term_ids] += 1.0  # term_ids are unique per article, so fancy-index += counts each once
        self._changed[term_ids] = True
        self.documents += 1
        self._unsaved += 1

    def remove(self, term_ids: np.ndarray) -> None:
        """Uncount an article that is forgotten (`add`'s inverse)."""
        self.df[term_ids] = np.maximum(self.df[term_ids] - 1.0, 0.0)
        self._changed[term_ids] = True
        self.documents = max(0, self.documents - 1)
        self._unsaved += 1

    def idf(self, term_ids: np.ndarray) -> np.ndarray:
        # Smoothed IDF (scikit-learn's smooth_idf form); +1 keeps terms in every document above zero.
        return np.log((self.documents + 1.0) / (self.df[term_ids] + 1.0)) + 1.0

    # ------------------------------------------------------------ persistence

    def load(self, store: Store) -> None:
        documents, buckets, counts = store.term_frequencies()
        inside = buckets < self.df.shape[0]
        self.df[buckets[inside]] = counts[inside]
        self.documents = documents
        self._changed[:] = False
        self._unsaved = 0

    def unsaved(self) -> tuple[int, np.ndarray, np.ndarray] | None:
        """What to write when articles were counted since the last call: the articles counted, and the
        buckets that changed with their documents; None otherwise."""
        if self._unsaved < 1:
            return None
        buckets = np.flatnonzero(self._changed)
        self._changed[:] = False
        self._unsaved = 0
        return self.documents, buckets, self.df[buckets].astype(np.int64)
