"""In-memory matrix of open story centroids: one add is one matrix-vector product.

This is the seam for an approximate nearest-neighbour index later: anything with the same four methods
(`upsert`, `remove`, `similarities`, `__len__`) can replace it.
"""

from __future__ import annotations

import numpy as np


class CentroidIndex:
    """Unit-normalised story centroids, one row per open story, grown by doubling."""

    def __init__(self, dim: int | None = None, capacity: int = 64):
        self._dim = dim
        self._rows = np.zeros((capacity, dim), dtype=np.float32) if dim else None
        self._ids: list[str] = []
        self._row_of: dict[str, int] = {}

    def __len__(self) -> int:
        return len(self._ids)

    def __contains__(self, story_id: str) -> bool:
        return story_id in self._row_of

    @property
    def ids(self) -> list[str]:
        return list(self._ids)

    def upsert(self, story_id: str, centroid_sum: np.ndarray) -> None:
        vector = _unit(centroid_sum)
        if self._rows is None:
            self._dim = vector.shape[0]
            self._rows = np.zeros((64, self._dim), dtype=np.float32)
        if vector.shape[0] != self._dim:
            raise ValueError(
                f"story {story_id}: vector has {vector.shape[0]} dimensions, the index {self._dim}"
            )
        row = self._row_of.get(story_id)
        if row is None:
            if len(self._ids) == self._rows.shape[0]:
                self._rows = np.vstack([self._rows, np.zeros_like(self._rows)])
            row = len(self._ids)
            self._ids.append(story_id)
            self._row_of[story_id] = row
        self._rows[row] = vector

    def remove(self, story_id: str) -> None:
        row = self._row_of.pop(story_id, None)
        if row is None or self._rows is None:
            return
        last = len(self._ids) - 1
        if row != last:  # move the last row into the hole so the live rows stay contiguous
            moved = self._ids[last]
            self._rows[row] = self._rows[last]
            self._ids[row] = moved
            self._row_of[moved] = row
        self._ids.pop()

    def similarities(self, vector: np.ndarray) -> tuple[list[str], np.ndarray]:
        """Cosine of a unit vector to every open story (ids in row order)."""
        if self._rows is None or not self._ids:
            return [], np.zeros(0, dtype=np.float32)
        if vector.shape[0] != self._dim:
            raise ValueError(f"article vector has {vector.shape[0]} dimensions, the story index {self._dim}")
        return list(self._ids), self._rows[: len(self._ids)] @ vector.astype(np.float32)


def _unit(vector: np.ndarray) -> np.ndarray:
    v = np.asarray(vector, dtype=np.float32).ravel()
    norm = float(np.linalg.norm(v))
    return v / norm if norm > 0 else v
