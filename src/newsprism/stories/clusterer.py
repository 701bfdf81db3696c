"""Incremental story clustering: each article joins the best-scoring open story or founds a new one.

Cheapest first: an article that copies a nearby story's report (most of its sampled five-word runs are in
that story's reports, evidence.copy_marks: a wire story run again) joins it without scoring. Otherwise
an article's score against a story adds three signals, cheapest first: the cosine of its title+lead vector to
the story centroid (nearest open stories from the index), the IDF-weighted cosine of its content words and
numbers to the story's summed terms, and the same over named entities. Two stories of one kind (two
earthquakes, two rehab stays) share vocabulary and a vector neighbourhood but not their names, places and
numbers; IDF learned from the stream itself makes those the heavy terms. Nor do they share their time: each
article has an anchor year (its publication year, else the latest year it names), and the share of anchor-year
pairs years apart is subtracted from the score, and likewise, more softly, the share of pairs whose leads
name different weekdays (the day the event happened, see evidence.lead_weekdays). A story that grows is checked
against its neighbours with the same score and merged when they now describe one event; between stories (and
at batch-end consolidation) the share of lead people one side names and the other does not is subtracted too:
one player's arrest and another's are two stories. At batch end, consolidation merges stories whose members
agree on average, then moves an article of the batch to the story whose members it agrees with clearly better
than with its own (see consolidate.py): arrival order decided its story while stories were small.

State lives in the store: `StoryState` (the centroid is the *sum* of member vectors, so a join is O(1)), each
open story's term and entity profiles (vectors table, kinds `story_terms`/`story_entities`) and the
document frequencies (checkpointed, see frequencies.py), so a new clusterer on the same store continues.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import NamedTuple

import numpy as np

from .. import settings
from ..models.embeddings import DIMENSIONS
from ..records import Article, StoryAssignment, StoryChanges, StoryState
from ..store.base import MEMBER_PARTS, STORY_PARTS, Store
from ..store.changes import write_story_changes
from ..text import sentence_spans
from ..text.dates import parse_date
from ..text.stopwords import ENGLISH_STOP_WORDS
from .consolidate import (
    MemberEvidence,
    average_linkage_merges,
    conflict_scores,
    content_scores,
    group_conflicts,
    reassignments,
    shared_words_scores,
)
from .evidence import ArticleEvidence, article_evidence, copy_marks, entity_key, evidence_text, term_hash
from .frequencies import DocumentFrequencies
from .index import AnnCentroidIndex, CentroidIndex, ann_available
from .profile import Profile, Weighted, apart_share, weighted, weighted_cosine, weighted_cosines

log = logging.getLogger("newsprism")

_TITLE_CHARS = 120
_MAX_STORY_ENTITIES = 200  # readable entity counts kept per story (report, evidence)
_MAX_STORY_TERMS = 600  # hashed terms kept per story profile: bounded memory, the tail is one-off words
_MAX_STORY_ENTITY_TERMS = 150
# Articles between checkpoints: story states, profiles, memberships and member evidence are written to the
# store together (with the document frequencies that changed) every this many articles and at flush and
# consolidate, so the store always holds one consistent state; per-article writes were half the clustering time.
_CHECKPOINT = 500
_MAX_STORY_YEARS = 20
_MAX_STORY_PEOPLE = 40  # lead people kept per story (the heaviest)
_MAX_STORY_MARKS = 4000  # copy marks kept per story (those most members share): ~90 articles of 400 words


class StoryProfiles(NamedTuple):
    """A story's seven profiles, in the store's order (store.base.STORY_PARTS)."""

    terms: Profile
    entities: Profile
    years: Profile  # years its articles name, with counts
    anchors: Profile  # years its articles report from, with counts
    weekdays: Profile  # weekdays its leads name (see _weekday_profile)
    people: Profile  # people its leads name (see _people_profile)
    marks: Profile  # copy marks of its members, weighted by members


NO_PROFILES = StoryProfiles(
    *(Profile() for _ in StoryProfiles._fields)
)  # a story not held: every profile empty
# Each of a story's profiles is summed up to its cap, in StoryProfiles order.
_PROFILE_CAPS = (
    _MAX_STORY_TERMS,
    _MAX_STORY_ENTITY_TERMS,
    _MAX_STORY_YEARS,
    _MAX_STORY_YEARS,
    7,
    _MAX_STORY_PEOPLE,
    _MAX_STORY_MARKS,
)
_MAX_CONSOLIDATE_MEMBERS = 40  # newest members that represent a story in consolidation: bounded cost
_REWEIGHT_GROWTH = 1.02  # a cached IDF-weighted story profile is recomputed after 2% more articles
_MAX_CONSOLIDATE_ROWS = 4000  # member rows per consolidation round (a rows^2 float32 score matrix)


def article_vector(
    article: Article, sentence_vectors: np.ndarray, title_vector: np.ndarray | None = None
) -> np.ndarray:
    """Unit vector of an article: the lead (title and first sentences) weighted against the rest.

    News puts what happened, to whom and where in the headline and first sentences; the body drifts to
    background shared by many stories of one kind. `story_lead_weight` sets the lead's share of the
    mean (tuned on ECB+, see settings). A title not already the text's first line counts as a lead
    sentence: pass its vector as `title_vector` (the pipeline caches it), else it is embedded here.
    """
    # A row of zeros is a sentence not embedded yet (`article_vector_rows`): the sums below pass over it.
    vectors = np.asarray(sentence_vectors, dtype=np.float32)
    if vectors.ndim == 1:
        vectors = vectors[None, :]
    lead_n = settings.current().story_lead_sentences
    title = _title_vector(article, vectors.shape[1] if vectors.size else None, title_vector)
    rest = vectors[lead_n:]
    # Sums, not means: each part is normalised before it is mixed, so the counts cancel.
    lead_sum = vectors[:lead_n].sum(axis=0) if len(vectors) else None
    if title is not None:
        lead_sum = title if lead_sum is None else lead_sum + title
    if lead_sum is None:
        raise ValueError(f"article {article.id}: no sentence vectors to cluster on")
    if not len(rest):
        return _unit(lead_sum)
    weight = settings.current().story_lead_weight
    return _unit(weight * _unit(lead_sum) + (1 - weight) * _unit(rest.sum(axis=0)))


def article_vector_rows(sentences: Sequence[str], title: str = "") -> list[int]:
    """The sentences `article_vector` reads, by index, when an article arrives (`embedding_cascade`): the lead
    and the `story_body_sample_sentences` body sentences most central to the article by their words. Rows left
    out are embedded later, for the stories that need them (`Pipeline.material`). Without the cascade, all."""
    current = settings.current()
    lead_n = current.story_lead_sentences
    sample = current.story_body_sample_sentences
    if not current.embedding_cascade or len(sentences) - lead_n <= sample:
        return list(range(len(sentences)))
    if sample <= 0:
        return list(range(lead_n))
    words = [_content_words(text) for text in sentences]
    recurring = Counter(w for ws in words for w in ws)
    topic = _content_words(title).union(*words[:lead_n])

    def centrality(i: int) -> float:
        # the share of its words the headline or lead names, plus how often its words recur in the article
        ws = words[i]
        if len(ws) < _CENTRAL_MIN_WORDS:  # a dateline, a byline, "He declined to comment."
            return 0.0
        return (len(ws & topic) + sum(min(recurring[w] - 1, 3) for w in ws) / 3) / len(ws)

    body = sorted(range(lead_n, len(sentences)), key=lambda i: (-centrality(i), i))[:sample]
    return list(range(lead_n)) + sorted(body)


_CONTENT_WORD = re.compile(r"[^\W\d_]{3,}")
_CENTRAL_MIN_WORDS = 4


def _content_words(text: str) -> frozenset[str]:
    return frozenset(w for w in _CONTENT_WORD.findall(text.lower()) if w not in ENGLISH_STOP_WORDS)


def needs_title_vector(article: Article) -> bool:
    """Whether the article's title is not already its text's first line (then it is embedded on its own)."""
    title = (article.title or "").strip()
    return bool(title) and not article.text.lstrip().startswith(title)


def _title_vector(article: Article, dim: int | None, given: np.ndarray | None) -> np.ndarray | None:
    if not needs_title_vector(article):
        return None
    if given is not None and given.size:
        vector = np.asarray(given, dtype=np.float32).ravel()
        return vector if dim is None or vector.shape[0] == dim else None
    title = (article.title or "").strip()
    from ..models import embed

    vector = embed([title])[0]
    return vector if dim is None or vector.shape[0] == dim else None


def _unit(vector: np.ndarray) -> np.ndarray:
    norm = float(np.linalg.norm(vector))
    return (vector / norm).astype(np.float32) if norm > 0 else np.asarray(vector, dtype=np.float32)


class StoryClusterer:
    """Assign articles to stories incrementally; safe to re-create on the same store (restart)."""

    def __init__(
        self,
        store: Store,
        index: CentroidIndex | AnnCentroidIndex | None = None,
        write: Callable[[StoryChanges], None] | None = None,
    ):
        """`store`: where earlier runs' stories are read from; `write`: what takes the changes at each
        checkpoint (default: `store.changes.write_story_changes` into the same store)."""
        self.store = store
        self._write = write if write is not None else functools.partial(write_story_changes, store)
        self.index = index if index is not None else CentroidIndex()
        self._states: dict[str, StoryState] = {}
        self._profiles_of: dict[str, StoryProfiles] = {}  # story -> its seven profiles
        self._copies: set[str] = set()  # this batch's articles that joined as copies (never moved)
        self._weighted: dict[str, _Weighed] = {}  # see _weighted_profiles
        self._names: dict[str, dict[int, str]] = {}  # story -> term hash -> surface form (evidence text)
        self._touched: set[str] = set()  # stories grown or founded since the last consolidation
        self._checked: dict[str, np.ndarray] = {}  # story -> unit centroid at its last merge check
        self._batch: dict[str, MemberEvidence] = {}  # this batch's member evidence (also stored)
        self.moved: dict[str, StoryAssignment] = {}  # article -> its assignment after the last batch-end move
        self._arrivals = 0  # articles added by this clusterer; a restart starts every open story at 0
        self._last_touch: dict[str, int] = {}  # story -> arrival count when it last grew
        self.frequencies = DocumentFrequencies()
        self.frequencies.load(store)
        # Zeroed lookup table over the hash space for weighted_cosines (4 MB, allocated once).
        self._scratch = np.zeros(self.frequencies.df.shape[0], dtype=np.float32)
        newest: datetime | None = None
        opened = []
        for state in store.story_states(include_closed=True):
            day = state.last_at
            if day is not None and (newest is None or day > newest):
                newest = day
            if not state.closed:
                opened.append(state)
        stored = store.story_terms([state.id for state in opened])
        for state in opened:
            self._states[state.id] = state
            self._set_profiles(state.id, _profiles_from(STORY_PARTS, stored.get(state.id, {})))
            self._index_put(state)
        self._newest = newest
        # Stories an editor moved an article between, or split, are kept apart: their merge would undo it.
        self._apart = {
            frozenset((c.story_id, c.value))
            for c in store.corrections()
            if c.kind in ("move", "split") and not c.undone_at and c.story_id and c.value
        }
        # Writes waiting for the next checkpoint (see _CHECKPOINT): latest state per story, stories whose
        # profiles changed, memberships by article, member moves of merges, member evidence.
        self._pending_states: dict[str, StoryState] = {}
        self._pending_profiles: set[str] = set()
        self._pending_members: dict[str, StoryAssignment] = {}
        self._pending_moves: list[tuple[str, str, str]] = []  # (absorbed, survivor, merge note)
        self._pending_evidence: list[MemberEvidence] = []
        self._pending_links: dict[tuple[str, str], tuple[float, str]] = {}  # storyline links (see _link)

    # ------------------------------------------------------------------ public

    def add(
        self,
        article: Article,
        sentence_vectors: np.ndarray,
        entity_counts: Mapping[str, int] | None = None,
        *,
        title_vector: np.ndarray | None = None,
        lead_people: Iterable[str] = (),
    ) -> StoryAssignment:
        """Put one article in a story. `entity_counts`: mention counts of its named things (pipeline.entity_counts);
        `title_vector`: the embedded title when it is not the text's first line (else embedded here)."""
        if (assigned := self._assigned(article.id)) is not None:
            return assigned
        vector = article_vector(article, sentence_vectors, title_vector)
        evidence = article_evidence(article, vector, entity_counts, lead_people)
        # The article counts in the IDF it is scored with, as in batch TF-IDF.
        self.frequencies.add(np.union1d(evidence.terms.ids, evidence.entities.ids))
        self._arrivals += 1
        day = article.published_at
        self._keep_member(evidence)
        if day is not None and (self._newest is None or day > self._newest):
            self._newest = day
            self._close_idle()
        # Cheap signal first: a copy of a story's report (a wire story run again) joins it without scoring,
        # and stays there at batch end.
        nearest = self.index.nearest(evidence.vector, settings.current().story_candidates)
        copied = self._copied_story(evidence, day, nearest[0])
        if copied is not None:
            self._copies.add(article.id)
        best = copied or self._best_story(evidence, day, *nearest)
        threshold = settings.current().story_join_similarity
        if best is not None and best[1] >= threshold:
            story_id, score, reasons = best
            state = self._grow(story_id, evidence, article)
            # The record's score is the vector cosine part (<= 1); the full score is in the evidence.
            assignment = StoryAssignment(article.id, story_id, round(min(score, 1.0), 4), reasons)
            self._pending_members[article.id] = assignment
            survivor, absorbed = self._merge_converged(state.id)
            self._touched.add(survivor)
            if absorbed or survivor != story_id:
                assignment = StoryAssignment(
                    article.id, survivor, assignment.score, assignment.evidence, tuple(absorbed)
                )
        else:
            assignment = self._found(article, evidence, day, best)
            self._pending_members[article.id] = assignment
            self._touched.add(assignment.story_id)
        if len(self._pending_members) >= _CHECKPOINT:
            self._checkpoint()
        return assignment

    def add_apart(self, article: Article, why: str) -> StoryAssignment:
        """Put one article in a story of its own, closed at once, so that nothing joins it or merges with it
        by content: for an article whose language the models do not read (`text.languages`), where their
        vectors and entities would group unrelated reports. `why` is its membership's evidence."""
        if (assigned := self._assigned(article.id)) is not None:
            return assigned
        story_id = "s" + article.id[:12]
        dated = article.published if article.published_at is not None else None
        self._pending_states[story_id] = StoryState(
            story_id,
            _story_title(article),
            np.zeros(DIMENSIONS, dtype=np.float32),
            1,
            dated,
            dated,
            {},
            closed=True,
        )
        assignment = StoryAssignment(article.id, story_id, 1.0, why)
        self._pending_members[article.id] = assignment
        if len(self._pending_members) >= _CHECKPOINT:
            self._checkpoint()
        return assignment

    def add_many(
        self, items: Iterable[tuple[Article, np.ndarray, Mapping[str, int] | None]]
    ) -> list[StoryAssignment]:
        """Add articles in the order given (the caller sorts them by published date)."""
        assignments = [self.add(*item) for item in items]
        self.flush()
        return assignments

    def flush(self) -> None:
        """Write everything not yet in the store (end of a batch). Between flushes the store is
        checkpointed every `_CHECKPOINT` articles; a restart continues from the last checkpoint, and the
        articles added after it, having no story in the store, are clustered again."""
        self._checkpoint()

    def _checkpoint(self) -> None:
        """Hand the pending changes to `write` (the only writes the clusterer causes: `add` itself writes
        nothing in between)."""
        self._write(self._take_changes())

    def _take_changes(self) -> StoryChanges:
        changes = StoryChanges(
            evidence=tuple(
                (m.article_id, m.anchor, m.vector, _parts(MEMBER_PARTS, _member_profiles(m)))
                for m in self._pending_evidence
            ),
            memberships=tuple(self._pending_members.values()),
            moves=tuple(self._pending_moves),
            states=tuple(self._pending_states.values()),
            profiles=tuple(
                (story_id, _parts(STORY_PARTS, self._profiles(story_id)))
                for story_id in self._pending_profiles
                if story_id in self._states
            ),
            links=tuple((a, b, score, why) for (a, b), (score, why) in self._pending_links.items()),
            # these articles have a story, and these stories' analyses are out of date
            clustered=tuple(a.article_id for a in self._pending_members.values()),
            stale=tuple({*self._pending_states, *(big for _small, big, _note in self._pending_moves)}),
            frequencies=self.frequencies.unsaved(),
        )
        self._pending_links = {}
        self._pending_evidence = []
        self._pending_members = {}
        self._pending_moves = []
        self._pending_states = {}
        self._pending_profiles = set()
        return changes

    def consolidate(self) -> list[tuple[str, str]]:
        """Batch end: merge the stories touched since the last call with their nearest open stories where
        their members agree on average (see consolidate.py). Returns (absorbed, survivor) story ids."""
        touched = [s for s in self._touched if s in self._states]
        self._touched = set()
        self.moved = {}
        merged: list[tuple[str, str]] = []
        if touched:
            with self.store.transaction():
                self._checkpoint()  # consolidation reads members through the store
                # Rounds of touched stories with their neighbours, so one score matrix stays bounded.
                per_round = max(1, _MAX_CONSOLIDATE_ROWS // (_MAX_CONSOLIDATE_MEMBERS * 2))
                # the older story first among equals: set order varies with the process's hash seed, and an
                # id is a hash, so neither may decide the rounds (self._states keeps the order stories were
                # loaded or founded in)
                created = {story_id: n for n, story_id in enumerate(self._states)}
                pending = sorted(touched, key=lambda s: (-self._states[s].size, created[s]))
                while pending:
                    chunk, pending = pending[:per_round], pending[per_round:]
                    merged.extend(self._consolidate_round([s for s in chunk if s in self._states]))
                    self._checkpoint()
        self._batch = {}
        self._copies = set()
        return merged

    def _consolidate_round(self, touched: list[str]) -> list[tuple[str, str]]:
        k = settings.current().story_consolidate_candidates
        stories: list[str] = []
        for story_id in touched:
            if story_id not in stories:
                stories.append(story_id)
            centroid = _unit(np.asarray(self._states[story_id].centroid, dtype=np.float32))
            for other in self.index.nearest(centroid, k + 1)[0]:
                if other in self._states and other not in stories:
                    stories.append(other)
        groups: list[list[int]] = []
        members: list[MemberEvidence] = []
        kept: list[str] = []
        for story_id in stories:
            rows = []
            for assignment in self.store.memberships(story_id)[-_MAX_CONSOLIDATE_MEMBERS:]:
                member = self._member(assignment.article_id)
                if member is not None and len(members) < _MAX_CONSOLIDATE_ROWS:
                    rows.append(len(members))
                    members.append(member)
            if rows:
                groups.append(rows)
                kept.append(story_id)
        if len(kept) < 2:
            return []
        shared_words = shared_words_scores(
            members,
            self.frequencies,
            settings.current().story_term_weight,
            settings.current().story_entity_weight,
        )
        content = content_scores(
            members,
            self.frequencies,
            settings.current().story_term_weight,
            settings.current().story_entity_weight,
            shared_words,
        )
        scores = content - conflict_scores(
            members,
            settings.current().story_year_conflict,
            settings.current().story_anchor_conflict,
            settings.current().story_anchor_gap_years,
            settings.current().story_weekday_conflict,
            settings.current().story_people_conflict,
        )
        # Wider than the join window: a story arc (a crime, then its trial) spans months; here average
        # linkage over all members, with the year conflict, judges it instead of one article's date.
        window = timedelta(days=settings.current().story_consolidate_window_days)
        states = [self._states[s] for s in kept]

        def may_merge(a: int, b: int) -> bool:
            return self._dates_meet(states[a], states[b], window) and not self._kept_apart(
                states[a].id, states[b].id
            )

        touched_set = set(touched)
        merges = average_linkage_merges(
            scores,
            groups,
            settings.current().story_consolidate_similarity,
            may_merge,
            [s in touched_set for s in kept],
            settings.current().story_fragment_size,
            settings.current().story_fragment_similarity,
            settings.current().story_fragment_margin,
            shared_words,
            settings.current().story_fragment_min_shared,
        )
        current = list(kept)  # group index -> the story id it lives under now
        out: list[tuple[str, str]] = []
        for merge in merges:
            keep, gone = merge.kept, merge.absorbed
            if merge.fragment:
                why = (
                    f"merged at batch end as a fragment: mean score {merge.mean:.2f} with the members of"
                    f" the story it joined (story_fragment_similarity {settings.current().story_fragment_similarity:g}),"
                    f" clearly above any other nearby story; the rare words and names they share score"
                    f" {merge.shared:.2f} (story_fragment_min_shared {settings.current().story_fragment_min_shared:g})"
                )
            else:
                why = (
                    f"merged at batch end: mean score {merge.mean:.2f} between the two stories' members"
                    f" (story_consolidate_similarity {settings.current().story_consolidate_similarity:g})"
                )
            survivor = self._merge(current[keep], current[gone], why)
            absorbed = current[gone] if survivor == current[keep] else current[keep]
            current[keep] = current[gone] = survivor
            out.append((absorbed, survivor))
        survivors = [self._survivor(s, out) for s in kept]
        self._reassign(content, groups, survivors, members, window)
        self._link(scores, groups, survivors, {self._survivor(s, out) for s in touched}, window)
        return out

    def _link(
        self,
        scores: np.ndarray,
        groups: list[list[int]],
        stories: list[str],
        touched: set[str],
        window: timedelta,
    ) -> None:
        """Link, without merging, stories of one storyline: a touched story and a neighbour whose members
        agree on average (story_storyline_similarity, below the merge bar) or would merge but for their
        dates, weeks apart (story_consolidate_window_days): the next event of one affair, not the same one.

        An affair is its people: with story_storyline_shared_person, the two stories' leads must name one
        person in common (the stories' lead people, _people_profile), so that the same kind of event happening to
        other people (another climber's fall on the same mountain, another celebrity's rehab) is not linked,
        and a story whose leads name nobody is linked to none."""
        threshold = settings.current().story_storyline_similarity
        shared_person = settings.current().story_storyline_shared_person
        rows = self._rows_by_story(stories, groups)
        people = {
            story_id: set(self._profiles_of.get(story_id, NO_PROFILES).people.ids.tolist())
            for story_id in rows
        }
        ids = sorted(rows)
        for i, a in enumerate(ids):
            for b in ids[i + 1 :]:
                if a not in touched and b not in touched:
                    continue
                mean = float(scores[np.ix_(rows[a], rows[b])].mean())
                if mean < threshold:
                    continue
                shared = people[a] & people[b]
                if shared_person and not shared:
                    continue
                gap = _days_apart(self._states[a], self._states[b])
                if self._dates_meet(self._states[a], self._states[b], window):
                    apart = f"below story_consolidate_similarity {settings.current().story_consolidate_similarity:g}"
                    if gap is not None:
                        apart += f", {gap} days apart"
                else:
                    apart = f"{gap} days apart, beyond story_consolidate_window_days {window.days}"
                why = (
                    f"mean score {mean:.2f} between the two stories' members"
                    f" (story_storyline_similarity {threshold:g}); {apart}"
                )
                if shared:
                    why += f"; both leads name {self._people_named(shared, a, b)}"
                self._pending_links[(a, b)] = (round(mean, 4), why)

    def _people_named(self, hashes: set[int], *story_ids: str) -> str:
        """Names for hashed lead people, from the stories' entity counts (the people profile keeps hashes)."""
        names = sorted(
            {
                key.title()  # entity keys are case-folded surnames
                for story_id in story_ids
                for key in self._states[story_id].entity_counts
                if term_hash("@" + entity_key(key)) in hashes
            }
        )
        if not names:
            return "a person in common"
        return ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")

    def _rows_by_story(self, stories: list[str], groups: list[list[int]]) -> dict[str, list[int]]:
        """Member rows per open story, the groups of stories merged into one taken together."""
        rows: dict[str, list[int]] = {}
        for story_id, group in zip(stories, groups, strict=True):
            if story_id in self._states:
                rows.setdefault(story_id, []).extend(group)
        return rows

    @staticmethod
    def _survivor(story_id: str, merges: list[tuple[str, str]]) -> str:
        for absorbed, survivor in merges:  # in the order made, so a chain of merges is followed
            if story_id == absorbed:
                story_id = survivor
        return story_id

    def _reassign(
        self,
        content: np.ndarray,
        groups: list[list[int]],
        stories: list[str],
        members: list[MemberEvidence],
        window: timedelta,
    ) -> None:
        """Move this batch's articles to the nearby story whose members they agree with clearly better on
        average than with their own story's (consolidate.reassignments): on content, less the conflicts an
        arriving article would meet there (consolidate.group_conflicts). Earlier batches' articles stay
        where they were reported, and so do articles that joined as copies."""
        margin = settings.current().story_reassign_margin
        merged = self._rows_by_story(stories, groups)
        ids = list(merged)
        if len(ids) < 2:
            return
        batch_rows = {
            r
            for rows in merged.values()
            for r in rows
            if members[r].article_id in self._batch and members[r].article_id not in self._copies
        }
        if not batch_rows:
            return
        states = [self._states[s] for s in ids]

        def may_move(a: int, b: int) -> bool:
            return self._dates_meet(states[a], states[b], window)

        def conflicts(group_of: np.ndarray) -> np.ndarray:
            return group_conflicts(
                members,
                group_of,
                len(ids),
                settings.current().story_anchor_conflict,
                settings.current().story_anchor_gap_years,
                settings.current().story_weekday_conflict,
            )

        for row, source, target, mean, own_mean in reassignments(
            content, [merged[s] for s in ids], margin, may_move, rows=batch_rows, conflicts=conflicts
        ):
            reason = (
                f"moved at batch end from story {ids[source]}: mean score {mean:.2f} with this story's"
                f" members, {own_mean:.2f} with the other members of {ids[source]}"
                f" (story_reassign_margin {margin:g})"
            )
            self._move(members[row], ids[source], ids[target], reason)

    def _move(self, member: MemberEvidence, from_id: str, to_id: str, reason: str) -> None:
        """Take one member out of a story and into another: centroid, profiles and entity counts follow."""
        target = self._states[to_id]
        article, parts, counts = self._take_out(member, from_id)
        first, last = _widen(target.first_date, target.last_date, article.published if article else None)
        centroid = np.asarray(target.centroid, dtype=np.float32) + member.vector
        self._put(
            dataclasses.replace(
                target,
                centroid=centroid,
                size=target.size + 1,
                first_date=first,
                last_date=last,
                entity_counts=_top(_summed_counts(target.entity_counts, counts)),
            ),
            self._summed(to_id, parts),
        )
        # The record's score is the vector cosine part, as for a join.
        cosine = round(min(float(member.vector @ _unit(centroid)), 1.0), 4)
        assignment = StoryAssignment(member.article_id, to_id, cosine, reason)
        self._pending_members[member.article_id] = assignment
        self.moved[member.article_id] = assignment

    def _take_out(
        self, member: MemberEvidence, from_id: str
    ) -> tuple[Article | None, tuple[Profile, ...], dict[str, int]]:
        """Take a member out of its story (centroid, profiles, size, entity counts and title follow); returns
        its article, the profile parts and the entity counts it took with it."""
        source = self._states[from_id]
        article = next(iter(self.store.articles([member.article_id])), None)
        marks = copy_marks(evidence_text(article)) if article is not None else Profile()
        parts = (
            member.terms,
            member.entities,
            member.years,
            _anchor_profile(member.anchor),
            member.weekdays,
            member.people,
            marks,
        )
        counts = _member_entity_counts(member, source.entity_counts)
        self._put(
            dataclasses.replace(
                source,
                title=self._title_without(source, article),
                centroid=np.asarray(source.centroid, dtype=np.float32) - member.vector,
                size=source.size - 1,
                entity_counts=_top(_summed_counts(source.entity_counts, counts, -1)),
            ),
            [have.minus(gone) for have, gone in zip(self._profiles(from_id), parts, strict=True)],
        )
        return article, parts, counts

    def _keep_member(self, evidence: ArticleEvidence) -> None:
        member = MemberEvidence(
            evidence.article_id,
            evidence.vector,
            evidence.terms,
            evidence.entities,
            _year_profile(evidence),
            evidence.anchor_year or 0,
            _weekday_profile(evidence),
            _people_profile(evidence),
        )
        self._batch[member.article_id] = member
        self._pending_evidence.append(member)

    def _member(self, article_id: str) -> MemberEvidence | None:
        """A member's evidence: this batch's from memory, older ones from the store (None if never stored)."""
        if article_id in self._batch:
            return self._batch[article_id]
        stored = self.store.member_evidence(article_id)
        if stored is None:
            return None
        anchor, vector, parts = stored
        terms, entities, years, weekdays, people = _profiles_from(MEMBER_PARTS, parts)
        return MemberEvidence(article_id, vector, terms, entities, years, anchor, weekdays, people)

    def open_stories(self) -> list[StoryState]:
        return list(self._states.values())

    # ------------------------------------------------------------------ an editor's corrections

    def merge_by_editor(
        self, a: str, b: str, why: str, keep: str | None = None
    ) -> tuple[str, str, tuple[str, ...]]:
        """Fold two stories an editor says are one event into one (into `keep` when given, else the smaller
        into the larger, as a merge at batch end would), and write the change. Returns the absorbed story,
        the survivor, and the articles the absorbed one brought."""
        for story_id in (a, b):
            self._reopen(story_id)
        survivor = self._merge(a, b, why, keep)
        absorbed = b if survivor == a else a
        brought = tuple(m.article_id for m in self.store.memberships(absorbed))  # as stored before the merge
        self.flush()
        return absorbed, survivor, brought

    def move_by_editor(self, article_id: str, from_story: str, to_story: str, why: str) -> StoryAssignment:
        """Move a member an editor says belongs to another story, and write the change. A story left with no
        member is closed as merged into the target, so its links and its address follow."""
        member = self._member(article_id)
        if member is None:
            raise ValueError(f"article {article_id} has no story evidence stored")
        for story_id in (from_story, to_story):
            self._reopen(story_id)
        self._move(member, from_story, to_story, why)
        left = self._states[from_story]
        if left.size <= 0:
            self._pending_states[from_story] = _closed(left, merged_into=to_story)
            self._drop(from_story)
        self.flush()
        return self.moved[article_id]

    def split_by_editor(
        self, article_ids: Sequence[str], from_story: str, why: str, story_id: str | None = None
    ) -> str:
        """Take members an editor says report another event out of their story, as one new story (its id
        `story_id`, else made from the first article's, as a founded story's is; a story merged away under
        that id lives again), and write the change. Returns the new story's id."""
        self._reopen(from_story)
        members = [self._member(article_id) for article_id in article_ids]
        missing = [a for a, m in zip(article_ids, members, strict=True) if m is None]
        if missing:
            raise ValueError(f"article {missing[0]} has no story evidence stored")
        if len(members) >= self._states[from_story].size:
            raise ValueError(f"that is every article of story {from_story}; nothing would be left of it")
        first = members[0]
        new_id = story_id or "s" + first.article_id[:12]
        stored = self.store.story_state(new_id)
        if new_id in self._states or (stored is not None and not stored.merged_into):
            raise ValueError(f"story {new_id} already exists")
        article, parts, counts = self._take_out(first, from_story)
        published = article.published if article is not None else None
        day = published if parse_date(published) is not None else None
        self._put(
            StoryState(
                id=new_id,
                title=_story_title(article) if article is not None else self._states[from_story].title,
                centroid=np.asarray(first.vector, dtype=np.float32).copy(),
                size=1,
                first_date=day,
                last_date=day,
                entity_counts=_top(counts),
            ),
            parts,
        )
        assignment = StoryAssignment(first.article_id, new_id, 1.0, why)
        self._pending_members[first.article_id] = assignment
        self.moved[first.article_id] = assignment
        for member in members[1:]:
            self._move(member, from_story, new_id, why)
        self.flush()
        return new_id

    def redate_by_editor(self, story_id: str, published: Mapping[str, str]) -> StoryState:
        """Set a story's span of dates afresh from its members' publication dates, an editor's date fixes
        (`published`, by article id) in place of the dates read, and write the change: later joins and
        merges weigh the story's dates as corrected. The story stays open or closed as it was."""
        state = self._states.get(story_id) or self.store.story_state(story_id)
        if state is None or state.merged_into:
            raise ValueError(f"story {story_id} is not a live story")
        first = last = None
        ids = [m.article_id for m in self.store.memberships(story_id)]
        for article in self.store.articles(ids):
            first, last = _widen(first, last, published.get(article.id, article.published))
        redated = dataclasses.replace(state, first_date=first, last_date=last)
        if story_id in self._states:
            self._states[story_id] = redated
        self._pending_states[story_id] = redated
        self.flush()
        return redated

    def remove_forgotten(self, article_id: str, story_id: str | None) -> StoryState | None:
        """Take a forgotten article out of its story and out of the term frequencies, and write the change.
        Returns the story as it is left (size 0: nothing is left of it), or None when it had none."""
        member = self._member(article_id)
        if member is not None:
            self.frequencies.remove(np.union1d(member.terms.ids, member.entities.ids))
        left = None
        if story_id is not None and member is not None:
            self._reopen(story_id)
            self._take_out(member, story_id)
            left = self._states[story_id]
            if left.size <= 0:
                self._pending_states.pop(story_id, None)
                self._pending_profiles.discard(story_id)
                self._drop(story_id)
        self._batch.pop(article_id, None)
        self.flush()
        return left

    def _kept_apart(self, a: str, b: str) -> bool:
        """Whether an editor's move keeps two stories apart (by the ids they live under now)."""
        if not self._apart:
            return False
        pair = frozenset((self._current(a), self._current(b)))
        return any(frozenset(self._current(s) for s in apart) == pair for apart in self._apart)

    def _current(self, story_id: str) -> str:
        """The id a story lives under now, following merges made in this batch and stored ones."""
        seen = set()
        while story_id not in seen:
            seen.add(story_id)
            pending = self._pending_states.get(story_id)
            merged = pending.merged_into if pending is not None else None
            if merged is None:
                stored = self.store.resolve_story(story_id)
                return stored if stored is not None else story_id
            story_id = merged
        return story_id

    def _reopen(self, story_id: str) -> None:
        """Load a story this clusterer does not hold open (a closed one opens again: an editor touched it)."""
        if story_id in self._states:
            return
        state = self.store.story_state(story_id)
        if state is None or state.merged_into:
            raise ValueError(f"story {story_id} is not a live story")
        state = dataclasses.replace(state, closed=False)
        self._states[story_id] = state
        self._set_profiles(
            story_id, _profiles_from(STORY_PARTS, self.store.story_terms([story_id]).get(story_id, {}))
        )
        self._index_put(state)

    # ------------------------------------------------------------------ choosing a story

    def _candidate_scores(
        self,
        story_ids: list[str],
        cosines: np.ndarray,
        terms: Weighted,
        entities: Weighted,
        years: Profile,
        anchors: Profile,
        weekdays: Profile,
        people: Profile | None = None,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Scores of one article (or grown story) against candidate stories: (score, term cosine, entity
        cosine) arrays. terms/entities come IDF-weighted (profile.weighted), once rather than per candidate.
        `people`: a grown story's lead people, for the story-to-story people conflict."""
        cached = [self._weighted_profiles(s) for s in story_ids]
        term_cos = weighted_cosines(terms, [c.terms for c in cached], self._scratch)
        entity_cos = weighted_cosines(entities, [c.entities for c in cached], self._scratch)
        scores = (
            np.asarray(cosines, dtype=np.float64)
            + settings.current().story_term_weight * term_cos
            + settings.current().story_entity_weight * entity_cos
        )
        if len(years):
            # Both name the year of what happened and no year agrees: the same kind of event, another time.
            named = set(years.ids.tolist())
            conflict = [bool(c.years) and named.isdisjoint(c.years) for c in cached]
            scores -= settings.current().story_year_conflict * np.array(conflict, dtype=np.float64)
        if len(anchors):
            # The share of (article, member) anchor-year pairs that are years apart: soft, as one member's
            # background year must not veto a story.
            gap = settings.current().story_anchor_gap_years
            share = _apart_shares(anchors, [c.anchors for c in cached], gap)
            scores -= settings.current().story_anchor_conflict * share
        if len(weekdays):
            # Likewise the share of (article, member) lead-weekday pairs that differ: a follow-up names
            # another day too, so it is soft, and it only ever weighs members that name a day.
            share = _apart_shares(weekdays, [c.weekdays for c in cached], 1)
            scores -= settings.current().story_weekday_conflict * share
        if people is not None and len(people):
            # Two stories whose leads name different people are two events of one kind (one player's
            # arrest, then another's). Story to story only: one article's lead may name someone else (an
            # official, a witness) and still report the story, so arrivals are not penalised.
            share = _unshared_shares(people, [c.people for c in cached])
            scores -= settings.current().story_people_conflict * share
        return scores, term_cos, entity_cos

    def _weighted_profiles(self, story_id: str) -> _Weighed:
        """A story's IDF-weighted term and entity profiles, named years and anchor years, cached until the
        story changes or the stream grows by `_REWEIGHT_GROWTH`: IDF drifts slowly, and re-weighting ~750
        terms per candidate per article was half the clustering time."""
        documents = self.frequencies.documents
        cached = self._weighted.get(story_id)
        if cached is None or documents > cached.documents * _REWEIGHT_GROWTH:
            cached = self._weighted[story_id] = _Weighed(
                max(documents, 1),
                weighted(self._profiles_of.get(story_id, NO_PROFILES).terms, self.frequencies),
                weighted(self._profiles_of.get(story_id, NO_PROFILES).entities, self.frequencies),
                frozenset(self._profiles_of.get(story_id, NO_PROFILES).years.ids.tolist()),
                self._profiles_of.get(story_id, NO_PROFILES).anchors,
                self._profiles_of.get(story_id, NO_PROFILES).weekdays,
                self._profiles_of.get(story_id, NO_PROFILES).people,
            )
        return cached

    def _copied_story(
        self, evidence: ArticleEvidence, day: datetime | None, candidates: list[str]
    ) -> tuple[str, float, str] | None:
        """The first of the nearest open stories (in the join window) that holds at least story_copy_share
        of the article's copy marks, and story_copy_min_marks of them: the article copies its reports (a
        wire story run again, a syndicated copy), so it joins without scoring. A copy's title and lead
        are the report's, so its story is among the nearest by vector. As (story, score, reasons), the
        score infinite."""
        marks = evidence.marks.ids
        share = settings.current().story_copy_share
        need = max(settings.current().story_copy_min_marks, math.ceil(share * len(marks)))
        if len(marks) < need:
            return None
        window = timedelta(days=settings.current().story_window_days)
        for story_id in candidates:
            held = self._profiles_of.get(story_id, NO_PROFILES).marks
            if held is None or len(held) < need:
                continue
            found = int(np.count_nonzero(held.find(marks)[1]))
            if found >= need and self._open_in_window(story_id, day, window):
                cosine = float(evidence.vector @ _unit(np.asarray(self._states[story_id].centroid)))
                reason = (
                    f"copies story {story_id}: {found} of its {len(marks)} sampled five-word runs are in the"
                    f" story's reports (story_copy_share {share:g}); title+lead cosine {cosine:.2f}"
                )
                return story_id, math.inf, reason
        return None

    def _best_story(
        self, evidence: ArticleEvidence, day: datetime | None, ids: list[str], sims: np.ndarray
    ) -> tuple[str, float, str] | None:
        """The best-scoring of the nearest open stories `ids` (vector cosines `sims`), with the reasons."""
        window = timedelta(days=settings.current().story_window_days)
        keep = [i for i, story_id in enumerate(ids) if self._open_in_window(story_id, day, window)]
        if not keep:
            return None
        candidates = [ids[i] for i in keep]
        terms = weighted(evidence.terms, self.frequencies)
        entities = weighted(evidence.entities, self.frequencies)
        anchors = _anchor_profile(evidence.anchor_year)
        scores, term_cos, entity_cos = self._candidate_scores(
            candidates,
            sims[keep],
            terms,
            entities,
            _year_profile(evidence),
            anchors,
            _weekday_profile(evidence),
        )
        best = int(np.argmax(scores))  # the first of equal scores: the nearest by vector
        story_id, score, sim = candidates[best], float(scores[best]), float(sims[keep[best]])
        reasons = [
            f"score {score:.2f} with story {story_id}: title+lead cosine {sim:.2f},"
            f" rare-term cosine {term_cos[best]:.2f}, entity cosine {entity_cos[best]:.2f}"
        ]
        story = self._weighted_profiles(story_id)
        story_terms, story_entities = story.terms, story.entities
        shared = (
            weighted_cosine(entities, story_entities)[1][:5],
            weighted_cosine(terms, story_terms)[1][:6],
        )
        for label, hashes in zip(("shared entities", "shared terms"), shared, strict=True):
            words = [w for w in (evidence.names.get(int(h)) for h in hashes) if w]
            if words:
                reasons.append(f"{label}: " + ", ".join(words))
        gap = settings.current().story_anchor_gap_years
        apart = apart_share(anchors, self._profiles_of.get(story_id, NO_PROFILES).anchors, gap)
        if apart > 0:
            reasons.append(
                f"anchor year {evidence.anchor_year}: {apart:.0%} of the story's anchor years"
                f" are {gap}+ years apart"
            )
        return story_id, score, "; ".join(reasons)

    def _open_in_window(self, story_id: str, day: datetime | None, window: timedelta) -> bool:
        state = self._states.get(story_id)
        return state is not None and self._in_window(state, day, window)

    @classmethod
    def _dates_meet(cls, a: StoryState, b: StoryState, window: timedelta) -> bool:
        """Whether story a's first or last date falls within `window` of story b's date range."""
        first, last = a.first_at, a.last_at
        return cls._in_window(b, first, window) or cls._in_window(b, last, window)

    @staticmethod
    def _in_window(state: StoryState, day: datetime | None, window: timedelta) -> bool:
        """Dated articles join stories active within the window; a late arrival dated before the newest still fits."""
        first, last = state.first_at, state.last_at
        if day is None or first is None or last is None:
            return True
        return first - window <= day <= last + window

    # ------------------------------------------------------------------ changing stories

    def _found(
        self,
        article: Article,
        evidence: ArticleEvidence,
        day: datetime | None,
        best: tuple[str, float, str] | None,
    ) -> StoryAssignment:
        story_id = "s" + article.id[:12]
        state = StoryState(
            id=story_id,
            title=_story_title(article),
            centroid=evidence.vector.copy(),
            size=1,
            first_date=article.published if day else None,
            last_date=article.published if day else None,
            entity_counts=_top(evidence.entity_counts),
        )
        self._put(state, _evidence_profiles(evidence))
        if best is None:
            reason = "first article of a new story (no open story to compare with)"
        else:
            reason = (
                f"founds a new story: best match {best[0]} scored {best[1]:.2f},"
                f" below story_join_similarity {settings.current().story_join_similarity:.2f}"
                f" ({best[2]})"
            )
        return StoryAssignment(article.id, story_id, 1.0, reason)

    def _grow(self, story_id: str, evidence: ArticleEvidence, article: Article) -> StoryState:
        state = self._states[story_id]
        first, last = _widen(state.first_date, state.last_date, article.published)
        grown = StoryState(
            id=state.id,
            title=state.title,
            centroid=np.asarray(state.centroid, dtype=np.float32) + evidence.vector,
            size=state.size + 1,
            first_date=first,
            last_date=last,
            entity_counts=_top(_summed_counts(state.entity_counts, evidence.entity_counts)),
        )
        self._put(
            grown,
            self._summed(story_id, _evidence_profiles(evidence)),
        )
        return grown

    def _merge_converged(self, story_id: str) -> tuple[str, list[str]]:
        """Merge stories that now score `story_merge_similarity` with each other; returns survivor, absorbed ids."""
        threshold = settings.current().story_merge_similarity
        window = timedelta(days=settings.current().story_window_days)
        absorbed: list[str] = []
        current = story_id
        drift = settings.current().story_merge_recheck_drift
        checked = self._checked.get(story_id)
        centroid = _unit(np.asarray(self._states[story_id].centroid, dtype=np.float32))
        if drift > 0 and checked is not None and float(centroid @ checked) > 1.0 - drift:
            # Hardly moved since its last check: its neighbours scored below the threshold then, and a
            # neighbour that moved towards it checks itself when it grows.
            return current, absorbed
        while True:
            state = self._states[current]
            centroid = _unit(np.asarray(state.centroid, dtype=np.float32))
            self._checked[current] = centroid
            ids, sims = self.index.nearest(centroid, settings.current().story_merge_candidates + 1)
            first, last = state.first_at, state.last_at
            keep = [
                i
                for i, other_id in enumerate(ids)
                if other_id != current
                and other_id in self._states
                and not self._kept_apart(current, other_id)
                and (
                    self._in_window(self._states[other_id], first, window)
                    or self._in_window(self._states[other_id], last, window)
                )
            ]
            if not keep:
                return current, absorbed
            candidates = [ids[i] for i in keep]
            # The grown story weighed afresh, not from the candidate cache (stale by up to _REWEIGHT_GROWTH):
            # with cached weights ECB+ dev B3-F1 fell 0.8955 -> 0.8935.
            terms = weighted(self._profiles_of[current].terms, self.frequencies)
            entities = weighted(self._profiles_of[current].entities, self.frequencies)
            scores, _, _ = self._candidate_scores(
                candidates,
                sims[keep],
                terms,
                entities,
                self._profiles_of[current].years,
                self._profiles_of[current].anchors,
                self._profiles_of[current].weekdays,
                self._profiles_of[current].people,
            )
            best = int(np.argmax(scores))
            if scores[best] < threshold:
                return current, absorbed
            why = (
                f"merged when a story grew: story-to-story score {scores[best]:.2f}"
                f" (story_merge_similarity {threshold:g})"
            )
            survivor = self._merge(current, candidates[best], why)
            absorbed.append(candidates[best] if survivor == current else current)
            current = survivor

    def _merge(self, a_id: str, b_id: str, why: str, keep: str | None = None) -> str:
        """Fold the smaller story (or the one not to `keep`) into the other; returns the survivor's id. The
        absorbed story's members keep why they joined it, followed by `why` the two stories merged."""
        a, b = self._states[a_id], self._states[b_id]
        big, small = (a, b) if (a.size >= b.size if keep is None else keep == a_id) else (b, a)
        first, last = _widen(big.first_date, big.last_date, small.first_date)
        first, last = _widen(first, last, small.last_date)
        merged = StoryState(
            id=big.id,
            title=big.title,
            centroid=np.asarray(big.centroid, dtype=np.float32)
            + np.asarray(small.centroid, dtype=np.float32),
            size=big.size + small.size,
            first_date=first,
            last_date=last,
            entity_counts=_top(_summed_counts(big.entity_counts, small.entity_counts)),
        )
        self._put(
            merged,
            self._summed(big.id, self._profiles(small.id)),
        )
        self._pending_states[small.id] = _closed(small, merged_into=big.id)
        note = merge_note(small.id, why)
        self._pending_moves.append((small.id, big.id, note))
        for article_id, assignment in self._pending_members.items():
            if assignment.story_id == small.id:
                self._pending_members[article_id] = dataclasses.replace(
                    assignment, story_id=big.id, evidence=assignment.evidence + note
                )
        self._drop(small.id)
        return big.id

    def _title_without(self, state: StoryState, leaving: Article | None) -> str:
        """The story's title once `leaving` is gone: a story is titled after its first article, so when that
        one leaves, after the earliest member that stays."""
        if leaving is None or state.title != _story_title(leaving):
            return state.title
        for assignment in self.store.memberships(state.id):
            if assignment.article_id != leaving.id:
                stays = next(iter(self.store.articles([assignment.article_id])), None)
                if stays is not None:
                    return _story_title(stays)
        return state.title

    def _close_idle(self) -> None:
        """Close stories idle for longer than `story_idle_days` before the newest article seen and not
        grown in the last `story_idle_articles` arrivals: an out-of-order arrival (a back-filled archive, an
        old article re-published) moves the newest date but must not close the stories around it."""
        if self._newest is None:
            return
        cutoff = self._newest - timedelta(days=settings.current().story_idle_days)
        recent = self._arrivals - settings.current().story_idle_articles
        for state in list(self._states.values()):
            last = state.last_at
            if last is not None and last < cutoff and self._last_touch.get(state.id, 0) <= recent:
                self._pending_states[state.id] = _closed(state)
                self._drop(state.id)

    def _put(self, state: StoryState, profiles: Sequence[Profile]) -> None:
        """Keep a story's state and its seven profiles (in _profiles order) until the next checkpoint."""
        self._pending_states[state.id] = state
        self._pending_profiles.add(state.id)
        self._last_touch[state.id] = self._arrivals
        self._states[state.id] = state
        self._set_profiles(state.id, profiles)
        self._weighted.pop(state.id, None)
        self._index_put(state)

    def _set_profiles(self, story_id: str, profiles: Sequence[Profile]) -> None:
        """Keep a story's seven profiles, in StoryProfiles order."""
        self._profiles_of[story_id] = StoryProfiles(*profiles)

    def _profiles(self, story_id: str) -> tuple[Profile, ...]:
        """The story's seven profiles in stored order (StoryProfiles)."""
        return tuple(self._profiles_of[story_id])

    def _summed(self, story_id: str, parts: Sequence[Profile]) -> list[Profile]:
        """The story's profiles plus `parts` (an article's, or another story's), each kept to its cap."""
        return [
            have.plus(more, cap)
            for have, more, cap in zip(self._profiles(story_id), parts, _PROFILE_CAPS, strict=True)
        ]

    def _index_put(self, state: StoryState) -> None:
        if (
            isinstance(self.index, CentroidIndex)
            and len(self.index) >= settings.current().story_ann_min_stories
            and ann_available()
        ):
            # Thousands of open stories: exact search grows linearly per article, HNSW logarithmically.
            ann = AnnCentroidIndex(int(np.asarray(state.centroid).shape[0]))
            for story in self._states.values():
                ann.upsert(story.id, np.asarray(story.centroid, dtype=np.float32))
            self.index = ann
            log.info("story index: %d open stories, switched to the approximate (usearch) index", len(ann))
        self.index.upsert(state.id, np.asarray(state.centroid, dtype=np.float32))

    def _drop(self, story_id: str) -> None:
        self._last_touch.pop(story_id, None)
        self._checked.pop(story_id, None)
        self._states.pop(story_id, None)
        self._profiles_of.pop(story_id, None)
        self._weighted.pop(story_id, None)
        self.index.remove(story_id)

    # ------------------------------------------------------------------ helpers

    def _assigned(self, article_id: str) -> StoryAssignment | None:
        """The article's assignment if it already has a story: added in this batch, or stored."""
        pending = self._pending_members.get(article_id)
        if pending is not None:
            return pending
        existing = self.store.story_of(article_id)
        return self._existing_assignment(article_id, existing) if existing is not None else None

    def _existing_assignment(self, article_id: str, story_id: str) -> StoryAssignment:
        # Stored memberships only: flushed, so the store's merges are complete.
        current = self.store.resolve_story(story_id) or story_id
        for member in self.store.memberships(current):
            if member.article_id == article_id:
                return member
        return StoryAssignment(article_id, current, 1.0, f"already assigned to story {current}")


@dataclasses.dataclass(frozen=True)
class _Weighed:
    """A story's profiles as candidate scoring reads them (cached per story, see _weighted_profiles)."""

    documents: int  # stream size when the IDF weights were computed
    terms: Weighted
    entities: Weighted
    years: frozenset[int]  # years its articles name
    anchors: Profile  # years its articles report from, with article counts
    weekdays: Profile  # weekdays its leads name (see _weekday_profile)
    people: Profile  # people its leads name (see _people_profile)


def _year_profile(evidence: ArticleEvidence) -> Profile:
    years = np.array(sorted(evidence.years), dtype=np.int64)
    return Profile(years, np.ones(len(years), dtype=np.float32))


def _evidence_profiles(evidence: ArticleEvidence) -> tuple[Profile, ...]:
    """An arriving article's seven profiles, in a story's stored order (StoryClusterer._profiles)."""
    return (
        evidence.terms,
        evidence.entities,
        _year_profile(evidence),
        _anchor_profile(evidence.anchor_year),
        _weekday_profile(evidence),
        _people_profile(evidence),
        evidence.marks,
    )


def _anchor_profile(year: int | None) -> Profile:
    """A one-year profile of an article's anchor year (evidence.anchor_year; 0 or None when unknown)."""
    if not year:
        return Profile()
    return Profile(np.array([year], dtype=np.int64), np.ones(1, dtype=np.float32))


def _member_entity_counts(member: MemberEvidence, story_counts: Mapping[str, int]) -> dict[str, int]:
    """The member's mentions of the story's readable entities. A member keeps only hashed entities, each
    weighted 1 + log(mentions) (evidence._profile), so the counts are read back from those weights."""
    keys = list(story_counts)
    pos, hit = member.entities.find(np.array([term_hash("@" + key) for key in keys], dtype=np.int64))
    weights = member.entities.weights
    return {
        key: max(1, round(math.exp(float(weights[at]) - 1.0)))
        for key, at, held in zip(keys, pos.tolist(), hit.tolist(), strict=True)
        if held
    }


def _weekday_profile(evidence: ArticleEvidence) -> Profile:
    """The lead's weekdays, each weighted 1/count: an article weighs 1 in a story's weekday profile."""
    days = np.array(sorted(evidence.weekdays), dtype=np.int64)
    return Profile(days, np.full(len(days), 1.0 / max(len(days), 1), dtype=np.float32))


def _people_profile(evidence: ArticleEvidence) -> Profile:
    """The lead's people, each weighted 1/count: an article weighs 1 in a story's people profile."""
    people = np.array(sorted(evidence.people), dtype=np.int64)
    return Profile(people, np.full(len(people), 1.0 / max(len(people), 1), dtype=np.float32))


def _unshared_shares(people: Profile, stories: list[Profile]) -> np.ndarray:
    """Per story, the share of its people weight (about: of its lead-naming members) on none of `people`;
    0 for a story whose leads name nobody."""
    out = np.zeros(len(stories))
    for k, story in enumerate(stories):
        total = float(story.weights.sum()) if len(story) else 0.0
        if total > 0:
            shared = float(story.weights[np.isin(story.ids, people.ids, assume_unique=True)].sum())
            out[k] = max(0.0, 1.0 - shared / total)
    return out


def _apart_shares(article: Profile, stories: list[Profile], gap: int) -> np.ndarray:
    """apart_share of one profile against many (anchor years, weekdays), in one vectorised pass."""
    out = np.zeros(len(stories))
    lengths = np.fromiter((len(p) for p in stories), dtype=np.int64, count=len(stories))
    if not len(article) or not lengths.sum():
        return out
    story_ids = np.concatenate([p.ids for p in stories])
    story_weights = np.concatenate([p.weights for p in stories]).astype(np.float64)
    far = np.abs(story_ids[None, :] - article.ids[:, None]) >= gap
    pair_weights = article.weights.astype(np.float64)[:, None] * story_weights[None, :]
    starts = np.minimum(np.cumsum(lengths) - lengths, len(story_ids) - 1)
    apart = np.add.reduceat((pair_weights * far).sum(axis=0), starts)
    total = np.add.reduceat(pair_weights.sum(axis=0), starts)
    apart[lengths == 0] = 0.0
    np.divide(apart, total, out=out, where=(lengths > 0) & (total > 0))
    return out


def _parts(names: Sequence[str], profiles: Sequence[Profile]) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Profiles as the store keeps them: (ids, weights) by part name."""
    return {name: (p.ids, p.weights) for name, p in zip(names, profiles, strict=True)}


def _profiles_from(names: Sequence[str], parts: Mapping[str, tuple[np.ndarray, np.ndarray]]) -> list[Profile]:
    """The profiles named, from their parts as the store keeps them (empty where none is kept); `_parts`
    turned the other way."""
    return [Profile(*parts[name]) if name in parts else Profile() for name in names]


def _member_profiles(member: MemberEvidence) -> tuple[Profile, ...]:
    return member.terms, member.entities, member.years, member.weekdays, member.people


def _days_apart(a: StoryState, b: StoryState) -> int | None:
    """Days between two stories' date ranges (0 when they overlap), None when either is undated."""
    a_first, a_last, b_first, b_last = a.first_at, a.last_at, b.first_at, b.last_at
    if None in (a_first, a_last, b_first, b_last):
        return None
    return max(0, (b_first - a_last).days, (a_first - b_last).days)


def merge_note(absorbed: str, why: str) -> str:
    """Added to the evidence of an absorbed story's members: why they joined it, then why it merged."""
    return f"; then its story {absorbed} was {why}"


def merge_reason(absorbed: str, note: str) -> str:
    """The why of a `merge_note`."""
    return note.removeprefix(f"; then its story {absorbed} was ")


def _closed(state: StoryState, merged_into: str | None = None) -> StoryState:
    return StoryState(
        state.id,
        state.title,
        state.centroid,
        state.size,
        state.first_date,
        state.last_date,
        state.entity_counts,
        closed=True,
        merged_into=merged_into,
    )


def _summed_counts(counts: Mapping[str, int], more: Mapping[str, int], sign: int = 1) -> dict[str, int]:
    """Entity counts plus (or, with sign -1, less) `more`; names left without mentions drop out."""
    out = dict(counts)
    for key, n in more.items():
        out[key] = out.get(key, 0) + sign * n
    return {key: n for key, n in out.items() if n > 0}


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


TITLE_VECTORS = "title"  # vectors-table kind of a cached title embedding


def title_vectors(
    articles: Iterable[Article], cached: Mapping[str, np.ndarray]
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Title vectors of the articles whose title is not their text's first line, and those of them that are
    new (not in `cached`, which the caller keeps): the missing ones embedded in one batch (one by one they
    would dominate clustering time)."""
    out: dict[str, np.ndarray] = {}
    missing: list[Article] = []
    for article in articles:
        if not needs_title_vector(article):
            continue
        if article.id in cached:
            out[article.id] = cached[article.id]
        else:
            missing.append(article)
    new: dict[str, np.ndarray] = {}
    if missing:
        from ..models import embed

        vectors = embed([(a.title or "").strip() for a in missing])
        new = {article.id: vector for article, vector in zip(missing, vectors, strict=True)}
    return {**out, **new}, new
