"""Incremental story clustering: each article joins the best-scoring open story or founds a new one.

An article's score against a story adds three signals, cheapest first: the cosine of its title+lead vector to
the story centroid (nearest open stories from the index), the IDF-weighted cosine of its content words and
numbers to the story's summed terms, and the same over named entities. Two stories of one kind (two
earthquakes, two rehab stays) share vocabulary and a vector neighbourhood but not their names, places and
numbers; IDF learned from the stream itself makes those the heavy terms. A story that grows is checked
against its neighbours with the same score and merged when they now describe one event.

State lives in the store: `StoryState` (the centroid is the *sum* of member vectors, so a join is O(1)), each
open story's term and entity profiles (vectors table, kinds `story_terms`/`story_entities`) and the
document frequencies (checkpointed, see frequencies.py), so a new clusterer on the same store continues.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta

import numpy as np

from .. import settings
from ..dedupe.duplicates import parse_date
from ..records import Article, StoryAssignment, StoryState
from ..store.sqlite import SQLiteStore
from ..text import sentence_spans
from .evidence import ArticleEvidence, article_evidence
from .frequencies import DocumentFrequencies
from .index import AnnCentroidIndex, CentroidIndex, ann_available
from .profile import Profile, tfidf_cosine

log = logging.getLogger("newsprism")

_TITLE_CHARS = 120
_MAX_STORY_ENTITIES = 200  # readable entity counts kept per story (report, evidence)
_MAX_STORY_TERMS = 600  # hashed terms kept per story profile: bounded memory, the tail is one-off words
_MAX_STORY_ENTITY_TERMS = 150
_DF_CHECKPOINT = 500  # articles between document-frequency checkpoints (a 4 MB write)
_TERMS_KIND, _ENTITIES_KIND = "story_terms", "story_entities"


def article_vector(article: Article, sentence_vectors: np.ndarray) -> np.ndarray:
    """Unit vector of an article: the lead (title and first sentences) weighted against the rest.

    News puts what happened, to whom and where in the headline and first sentences; the body drifts to
    background shared by many stories of one kind. `story_lead_weight` sets the lead's share of the
    mean (tuned on ECB+, see settings). A title not already the text's first line is embedded on its own.
    """
    vectors = np.asarray(sentence_vectors, dtype=np.float32)
    if vectors.ndim == 1:
        vectors = vectors[None, :]
    lead_n = int(settings.get("story_lead_sentences"))
    lead = [v for v in vectors[:lead_n]]
    title = _title_vector(article, vectors.shape[1] if vectors.size else None)
    if title is not None:
        lead.insert(0, title)
    rest = vectors[lead_n:]
    if not lead:
        raise ValueError(f"article {article.id}: no sentence vectors to cluster on")
    lead_mean = np.mean(lead, axis=0)
    if len(rest):
        weight = float(settings.get("story_lead_weight"))
        mixed = weight * _unit(lead_mean) + (1 - weight) * _unit(rest.mean(axis=0))
    else:
        mixed = lead_mean
    return _unit(mixed)


def _title_vector(article: Article, dim: int | None) -> np.ndarray | None:
    title = (article.title or "").strip()
    if not title or article.text.lstrip().startswith(title):
        return None
    from ..models import embed

    vector = embed([title])[0]
    return vector if dim is None or vector.shape[0] == dim else None


def _unit(vector: np.ndarray) -> np.ndarray:
    norm = float(np.linalg.norm(vector))
    return (vector / norm).astype(np.float32) if norm > 0 else np.asarray(vector, dtype=np.float32)


def _entity_key(name: str) -> str:
    return re.sub(r"^the\s+|'s$|’s$", "", " ".join(name.casefold().split()))


def _entity_overlap(article: Mapping[str, int], story: Mapping[str, int]) -> tuple[float, list[str]]:
    """Histogram intersection of the two entity distributions (0..1) and the shared names, most frequent first."""
    total_a, total_s = sum(article.values()), sum(story.values())
    if not total_a or not total_s:
        return 0.0, []
    shared = [k for k in article if k in story]
    overlap = sum(min(article[k] / total_a, story[k] / total_s) for k in shared)
    shared.sort(key=lambda k: -(article[k] + story[k]))
    return overlap, shared


class StoryClusterer:
    """Assign articles to stories incrementally; safe to re-create on the same store (restart)."""

    def __init__(self, store: SQLiteStore, index: CentroidIndex | None = None):
        self.store = store
        self.index = index if index is not None else CentroidIndex()
        self._states: dict[str, StoryState] = {}
        self._names: dict[str, dict[str, str]] = {}  # story -> entity key -> display name
        newest: datetime | None = None
        for state in store.story_states(include_closed=True):
            day = parse_date(state.last_date)
            if day is not None and (newest is None or day > newest):
                newest = day
            if not state.closed:
                self._states[state.id] = state
                self.index.upsert(state.id, np.asarray(state.centroid, dtype=np.float32))
        self._newest = newest

    # ------------------------------------------------------------------ public

    def add(
        self, article: Article, sentence_vectors: np.ndarray, entity_counts: Mapping[str, int] | None = None
    ) -> StoryAssignment:
        existing = self.store.story_of(article.id)
        if existing is not None:
            return self._existing_assignment(article.id, existing)
        vector = article_vector(article, sentence_vectors)
        day = parse_date(article.published)
        counts, names = self._keyed(entity_counts)
        with self.store.transaction():
            if day is not None and (self._newest is None or day > self._newest):
                self._newest = day
                self._close_idle()
            best = self._best_story(vector, day, counts)
            if best is not None and best[1] >= float(settings.get("story_join_similarity")):
                story_id, score, evidence = best
                state = self._grow(self._states[story_id], vector, article, counts)
                self._remember_names(story_id, names)
                # The record's score is a similarity (<= 1); the entity boost can lift it past 1, see evidence.
                assignment = StoryAssignment(article.id, story_id, round(min(float(score), 1.0), 4), evidence)
                self.store.set_membership(assignment)
                survivor, absorbed = self._merge_converged(state.id)
                if absorbed or survivor != story_id:
                    assignment = StoryAssignment(
                        article.id, survivor, assignment.score, assignment.evidence, tuple(absorbed)
                    )
            else:
                assignment = self._found(article, vector, day, counts, best)
                self._remember_names(assignment.story_id, names)
                self.store.set_membership(assignment)
        return assignment

    def add_many(
        self, items: Iterable[tuple[Article, np.ndarray, Mapping[str, int] | None]]
    ) -> list[StoryAssignment]:
        """Add articles in the order given (the caller sorts them by published date)."""
        return [self.add(*item) for item in items]

    def open_stories(self) -> list[StoryState]:
        return list(self._states.values())

    # ------------------------------------------------------------------ choosing a story

    def _best_story(
        self, vector: np.ndarray, day: datetime | None, counts: dict[str, int]
    ) -> tuple[str, float, str] | None:
        ids, sims = self.index.similarities(vector)
        if not ids:
            return None
        window = timedelta(days=int(settings.get("story_window_days")))
        order = np.argsort(-sims)
        weight = float(settings.get("story_entity_weight"))
        neutral = float(settings.get("story_entity_neutral"))
        best: tuple[str, float, str] | None = None
        scored = 0
        for row in order:
            story_id = ids[int(row)]
            state = self._states[story_id]
            if not self._in_window(state, day, window):
                continue
            cosine = float(sims[row])
            score, reasons = cosine, [f"title+lead cosine {cosine:.2f} to story {story_id}"]
            if counts and state.entity_counts and weight:
                overlap, shared = _entity_overlap(counts, state.entity_counts)
                score += weight * (overlap - neutral)
                names = self._names.get(story_id, {})
                if shared:
                    reasons.append("shared entities: " + ", ".join(names.get(k, k) for k in shared[:5]))
                reasons.append(f"entity overlap {overlap:.2f} ({weight * (overlap - neutral):+.2f})")
            if best is None or score > best[1]:
                best = (story_id, score, "; ".join(reasons))
            scored += 1
            if scored >= _ENTITY_CANDIDATES or not counts:
                break  # without entities the first in-window story is the best; with them, look a little further
        return best

    @staticmethod
    def _in_window(state: StoryState, day: datetime | None, window: timedelta) -> bool:
        """Dated articles join stories active within the window; a late arrival dated before the newest still fits."""
        first, last = parse_date(state.first_date), parse_date(state.last_date)
        if day is None or first is None or last is None:
            return True
        return first - window <= day <= last + window

    # ------------------------------------------------------------------ changing stories

    def _found(
        self,
        article: Article,
        vector: np.ndarray,
        day: datetime | None,
        counts: dict[str, int],
        best: tuple[str, float, str] | None,
    ) -> StoryAssignment:
        story_id = "s" + article.id[:12]
        state = StoryState(
            id=story_id,
            title=_story_title(article),
            centroid=vector.copy(),
            size=1,
            first_date=article.published if day else None,
            last_date=article.published if day else None,
            entity_counts=_top(counts),
        )
        self._put(state)
        if best is None:
            evidence = "first article of a new story (no open story to compare with)"
        else:
            evidence = (
                f"founds a new story: best match {best[0]} scored {best[1]:.2f},"
                f" below story_join_similarity {float(settings.get('story_join_similarity')):.2f}"
            )
        return StoryAssignment(article.id, story_id, 1.0, evidence)

    def _grow(
        self, state: StoryState, vector: np.ndarray, article: Article, counts: dict[str, int]
    ) -> StoryState:
        entity_counts = dict(state.entity_counts)
        for key, n in counts.items():
            entity_counts[key] = entity_counts.get(key, 0) + n
        first, last = _widen(state.first_date, state.last_date, article.published)
        grown = StoryState(
            id=state.id,
            title=state.title,
            centroid=np.asarray(state.centroid, dtype=np.float32) + vector,
            size=state.size + 1,
            first_date=first,
            last_date=last,
            entity_counts=_top(entity_counts),
        )
        self._put(grown)
        return grown

    def _merge_converged(self, story_id: str) -> tuple[str, list[str]]:
        """Merge stories whose centroids now meet `story_merge_similarity`; returns the survivor and absorbed ids."""
        threshold = float(settings.get("story_merge_similarity"))
        absorbed: list[str] = []
        current = story_id
        while True:
            state = self._states[current]
            ids, sims = self.index.similarities(_unit(np.asarray(state.centroid, dtype=np.float32)))
            candidates = [
                (float(s), i) for i, s in zip(ids, sims, strict=True) if i != current and s >= threshold
            ]
            if not candidates:
                return current, absorbed
            _, other_id = max(candidates)
            other = self._states[other_id]
            big, small = (state, other) if state.size >= other.size else (other, state)
            first, last = _widen(big.first_date, big.last_date, small.first_date)
            first, last = _widen(first, last, small.last_date)
            counts = dict(big.entity_counts)
            for key, n in small.entity_counts.items():
                counts[key] = counts.get(key, 0) + n
            merged = StoryState(
                id=big.id,
                title=big.title,
                centroid=np.asarray(big.centroid, dtype=np.float32)
                + np.asarray(small.centroid, dtype=np.float32),
                size=big.size + small.size,
                first_date=first,
                last_date=last,
                entity_counts=_top(counts),
            )
            self._put(merged)
            self.store.save_story(
                StoryState(
                    small.id,
                    small.title,
                    small.centroid,
                    small.size,
                    small.first_date,
                    small.last_date,
                    small.entity_counts,
                    closed=True,
                    merged_into=big.id,
                )
            )
            self.store.move_members(small.id, big.id)
            self._drop(small.id)
            self._names.setdefault(big.id, {}).update(self._names.pop(small.id, {}))
            absorbed.append(small.id)
            current = big.id

    def _close_idle(self) -> None:
        """Close stories idle for longer than `story_idle_days` before the newest article seen."""
        if self._newest is None:
            return
        cutoff = self._newest - timedelta(days=int(settings.get("story_idle_days")))
        for state in list(self._states.values()):
            last = parse_date(state.last_date)
            if last is not None and last < cutoff:
                self.store.save_story(
                    StoryState(
                        state.id,
                        state.title,
                        state.centroid,
                        state.size,
                        state.first_date,
                        state.last_date,
                        state.entity_counts,
                        closed=True,
                    )
                )
                self._drop(state.id)

    def _put(self, state: StoryState) -> None:
        self.store.save_story(state)
        self._states[state.id] = state
        self.index.upsert(state.id, np.asarray(state.centroid, dtype=np.float32))

    def _drop(self, story_id: str) -> None:
        self._states.pop(story_id, None)
        self.index.remove(story_id)

    # ------------------------------------------------------------------ helpers

    def _existing_assignment(self, article_id: str, story_id: str) -> StoryAssignment:
        current = self.store.resolve_story(story_id) or story_id
        for member in self.store.memberships(current):
            if member.article_id == article_id:
                return member
        return StoryAssignment(article_id, current, 1.0, f"already assigned to story {current}")

    @staticmethod
    def _keyed(entity_counts: Mapping[str, int] | None) -> tuple[dict[str, int], dict[str, str]]:
        """Counts under case-folded keys ("The Kremlin" = "kremlin"), and a display name per key."""
        out: dict[str, int] = {}
        names: dict[str, str] = {}
        for name, n in (entity_counts or {}).items():
            key = _entity_key(name)
            if key and n > 0:
                out[key] = out.get(key, 0) + int(n)
                names.setdefault(key, name.strip())
        return out, names

    def _remember_names(self, story_id: str, names: Mapping[str, str]) -> None:
        # Display names for evidence only (in memory; after a restart evidence falls back to the keys).
        known = self._names.setdefault(story_id, {})
        for key, name in names.items():
            known.setdefault(key, name)


def _top(counts: Mapping[str, int]) -> dict[str, int]:
    return dict(sorted(counts.items(), key=lambda kv: -kv[1])[:_MAX_STORY_ENTITIES])


def _widen(first: str | None, last: str | None, published: str | None) -> tuple[str | None, str | None]:
    day = parse_date(published)
    if day is None:
        return first, last
    if first is None or (parse_date(first) or day) > day:
        first = published
    if last is None or (parse_date(last) or day) < day:
        last = published
    return first, last


def _story_title(article: Article) -> str:
    title = (article.title or "").strip()
    if not title:
        spans = sentence_spans(article.text[:2000])
        title = article.text[spans[0][0] : spans[0][1]] if spans else article.text[:_TITLE_CHARS]
    title = " ".join(title.split())
    if len(title) > _TITLE_CHARS:
        title = title[: _TITLE_CHARS - 1].rsplit(" ", 1)[0] + "…"
    return title
