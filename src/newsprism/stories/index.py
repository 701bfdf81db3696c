"""In-memory matrix of open story centroids: one add is one matrix-vector product.

`CentroidIndex` is exact (one matrix-vector product); `AnnCentroidIndex` (usearch HNSW, the `[scale]` extra)
answers `nearest` in sub-linear time once open stories number in the thousands. Both have `upsert`, `remove`,
`nearest`, `__len__` and `__contains__`; the clusterer switches from one to the other (see `make_index`).
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

    def nearest(self, vector: np.ndarray, k: int) -> tuple[list[str], np.ndarray]:
        """The k open stories most similar to a unit vector, most similar first."""
        ids, sims = self.similarities(vector)
        if not ids:
            return ids, sims
        if k < len(ids):
            top = np.argpartition(-sims, k - 1)[:k]
            top = top[np.argsort(-sims[top])]
        else:
            top = np.argsort(-sims)
        return [ids[int(i)] for i in top], sims[top]


class AnnCentroidIndex:
    """Approximate nearest neighbours over story centroids (usearch HNSW, cosine); same methods as above."""

    def __init__(self, dim: int):
        try:
            from usearch.index import Index
        except ImportError as exc:  # pragma: no cover - depends on the optional extra
            raise ImportError(
                "the approximate story index needs usearch: pip install 'newsprism[scale]'"
            ) from exc
        self._dim = dim
        self._index = Index(ndim=dim, metric="cos", dtype="f32")
        self._key_of: dict[str, int] = {}
        self._id_of: dict[int, str] = {}
        self._next = 0

    def __len__(self) -> int:
        return len(self._key_of)

    def __contains__(self, story_id: str) -> bool:
        return story_id in self._key_of

    @property
    def ids(self) -> list[str]:
        return list(self._key_of)

    def upsert(self, story_id: str, centroid_sum: np.ndarray) -> None:
        self.remove(story_id)
        key = self._next  # a fresh key per version: usearch marks removed keys, re-adding one is not upsert
        self._next += 1
        self._index.add(key, _unit(centroid_sum))
        self._key_of[story_id] = key
        self._id_of[key] = story_id

    def remove(self, story_id: str) -> None:
        key = self._key_of.pop(story_id, None)
        if key is not None:
            self._index.remove(key)
            self._id_of.pop(key, None)

    def nearest(self, vector: np.ndarray, k: int) -> tuple[list[str], np.ndarray]:
        if not self._key_of:
            return [], np.zeros(0, dtype=np.float32)
        matches = self._index.search(np.asarray(vector, dtype=np.float32), min(k, len(self._key_of)))
        ids, sims = [], []
        for key, distance in zip(matches.keys.tolist(), matches.distances.tolist(), strict=True):
            story = self._id_of.get(int(key))
            if story is not None:
                ids.append(story)
                sims.append(1.0 - distance)  # usearch "cos" is a distance: 1 - cosine
        return ids, np.asarray(sims, dtype=np.float32)


def ann_available() -> bool:
    try:
        import usearch.index  # noqa: F401
    except ImportError:
        return False
    return True


def _unit(vector: np.ndarray) -> np.ndarray:
    v = np.asarray(vector, dtype=np.float32).ravel()
    norm = float(np.linalg.norm(v))
    return v / norm if norm > 0 else v
