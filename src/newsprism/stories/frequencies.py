"""Document frequencies of hashed terms, learned from the stream itself, in fixed memory.

IDF is what makes "magnitude" weak and "6.1" or "Cloverdale" strong evidence; no background corpus can
know this week's names and numbers, so the clusterer counts them as articles arrive. The counts live in one
fixed array (HASH_BITS) and are checkpointed into the store's vector table under a reserved
id, so a restart continues with them.
"""

from __future__ import annotations

import numpy as np

from ..store.base import Store

HASH_BITS = 20  # 1M buckets: a news year's vocabulary (a few 100k terms) collides rarely
_STATE_ID = "__stories__"  # reserved key in the vectors table; article ids are content hashes, never this
_KIND = "term_df"


class DocumentFrequencies:
    """How many articles contained each hashed term, and how many articles were counted."""

    def __init__(self) -> None:
        self.df = np.zeros(1 << HASH_BITS, dtype=np.float32)  # float32: exact to 16M articles per term
        self.documents = 0
        self._unsaved = 0

    def add(self, term_ids: np.ndarray) -> None:
        self.df[term_ids] += 1.0  # term_ids are unique per article, so fancy-index += counts each once
        self.documents += 1
        self._unsaved += 1

    def idf(self, term_ids: np.ndarray) -> np.ndarray:
        # Smoothed IDF (scikit-learn's smooth_idf form); +1 keeps terms in every document above zero.
        return np.log((self.documents + 1.0) / (self.df[term_ids] + 1.0)) + 1.0

    # ------------------------------------------------------------ persistence

    def load(self, store: Store) -> None:
        saved = store.get_vectors(_STATE_ID, _KIND)
        if saved is not None and saved.shape[0] == self.df.shape[0] + 1:
            self.documents = int(saved[0])
            self.df = np.array(saved[1:], dtype=np.float32)
        self._unsaved = 0

    def unsaved(self) -> tuple[tuple[str, str, np.ndarray], ...]:
        """The table to write, as (owner id, vectors kind, array), when articles were counted since the last
        call (4 MB, so written at checkpoints, not per article); () otherwise."""
        if self._unsaved < 1:
            return ()
        self._unsaved = 0
        return ((_STATE_ID, _KIND, np.concatenate([np.array([self.documents], dtype=np.float32), self.df])),)
