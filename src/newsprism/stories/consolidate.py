"""Batch-end consolidation: merge stories whose members agree on average (average-linkage over articles).

Online clustering depends on arrival order: two early articles of one event can found two stories before the
article that links them arrives, and by then each story's profile has drifted apart. At the end of a batch the
stream's IDF is settled and every article is known, so the stories touched in the batch are compared with their
nearest open stories the way batch agglomerative clustering would: the score of two stories is the mean of the
article-to-article scores between their members (average linkage: one off-topic member cannot glue two stories,
as it can with centroids), and the best pair is merged while that mean passes `story_consolidate_similarity`.
Then stories of one or two articles (fragments) join the story they are clearly nearest on a lower bar, and
members of the batch move to another story when they agree with its members clearly better (reassignments).

An article-to-article score adds the same three signals as the article-to-story score (vector cosine, IDF
rare-term cosine, IDF entity cosine, minus the year conflict), so the two thresholds speak one language.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
from scipy import sparse

from .frequencies import HASH_BITS, DocumentFrequencies
from .profile import Profile


@dataclass(frozen=True)
class MemberEvidence:
    """What consolidation needs of one member article (persisted per article, so a restart has it)."""

    article_id: str
    vector: np.ndarray = field(compare=False)  # unit title+lead vector
    terms: Profile = field(compare=False)
    entities: Profile = field(compare=False)
    years: Profile = field(compare=False)  # year ids, weight 1
    anchor: int = 0  # the year the article reports from (evidence.anchor_year), 0 when unknown
    weekdays: Profile = field(default_factory=Profile, compare=False)  # lead weekdays (0-6), weights sum to 1
    people: Profile = field(default_factory=Profile, compare=False)  # lead people (hashes), weights sum to 1


def _tfidf_rows(profiles: Sequence[Profile], df: DocumentFrequencies) -> sparse.csr_matrix:
    """Row-normalised IDF-weighted profiles, one row per article (dot product = tfidf_cosine)."""
    indptr = [0]
    indices: list[np.ndarray] = []
    data: list[np.ndarray] = []
    for profile in profiles:
        weights = profile.weights * df.idf(profile.ids) if len(profile) else profile.weights
        norm = float(np.linalg.norm(weights)) if len(profile) else 0.0
        indices.append(profile.ids)
        data.append(weights / norm if norm > 0 else weights)
        indptr.append(indptr[-1] + len(profile))
    return sparse.csr_matrix(
        (
            np.concatenate(data) if data else np.zeros(0, dtype=np.float32),
            np.concatenate(indices) if indices else np.zeros(0, dtype=np.int64),
            np.asarray(indptr),
        ),
        shape=(len(profiles), 1 << HASH_BITS),
    )


def content_scores(
    members: Sequence[MemberEvidence],
    df: DocumentFrequencies,
    term_weight: float,
    entity_weight: float,
    shared_words: np.ndarray | None = None,
) -> np.ndarray:
    """What two articles say alike (n x n): vector cosine plus the weighted rare-term and entity cosines
    (`shared_words_scores`; pass them as `shared_words` when already made)."""
    if shared_words is None:
        shared_words = shared_words_scores(members, df, term_weight, entity_weight)
    vectors = np.stack([m.vector for m in members]).astype(np.float32)
    return vectors @ vectors.T + shared_words


def shared_words_scores(
    members: Sequence[MemberEvidence], df: DocumentFrequencies, term_weight: float, entity_weight: float
) -> np.ndarray:
    """The part of content_scores that two articles' own words make (n x n): the weighted rare-term and
    entity cosines, without the vector's."""
    terms = _tfidf_rows([m.terms for m in members], df)
    entities = _tfidf_rows([m.entities for m in members], df)
    scores = term_weight * (terms @ terms.T).toarray().astype(np.float32)
    scores += entity_weight * (entities @ entities.T).toarray().astype(np.float32)
    return scores


def _weekday_rows(members: Sequence[MemberEvidence]) -> np.ndarray:
    days = np.zeros((len(members), 7), dtype=np.float32)
    for row, m in enumerate(members):
        days[row, m.weekdays.ids] = m.weekdays.weights
    return days


def conflict_scores(
    members: Sequence[MemberEvidence],
    year_conflict: float,
    anchor_conflict: float = 0.0,
    anchor_gap: int = 2,
    weekday_conflict: float = 0.0,
    people_conflict: float = 0.0,
) -> np.ndarray:
    """What sets two articles apart (n x n, subtracted from content_scores): years, anchors, weekdays, people."""
    scores = np.zeros((len(members), len(members)), dtype=np.float32)
    years = sparse.csr_matrix(
        (
            np.ones(sum(len(m.years) for m in members), dtype=np.float32),
            np.concatenate([m.years.ids for m in members]).astype(np.int64),
            np.cumsum([0] + [len(m.years) for m in members]),
        ),
        shape=(len(members), 10_000),
    )
    named = np.array([len(m.years) > 0 for m in members])
    agree = (years @ years.T).toarray() > 0
    # Both name years and none agree: the same kind of event at another time.
    scores += year_conflict * (np.outer(named, named) & ~agree).astype(np.float32)
    anchors = np.array([m.anchor for m in members], dtype=np.int64)
    known = anchors > 0
    apart = np.abs(anchors[:, None] - anchors[None, :]) >= anchor_gap
    # Both report from a known year and the years are far apart: a look-alike event, another time.
    scores += anchor_conflict * (np.outer(known, known) & apart).astype(np.float32)
    if weekday_conflict:
        # The share of the two leads' weekday pairs that differ (0 where either names none), as in
        # the article-to-story score.
        days = _weekday_rows(members)
        named = days.sum(axis=1) > 0
        differ = 1.0 - days @ days.T
        scores += weekday_conflict * np.where(np.outer(named, named), differ, 0.0).astype(np.float32)
    if people_conflict:
        # The share of each lead's people weight the other lead does not name (averaged both ways; 0 where
        # either names nobody), as in the story-to-story score.
        weights = _rows([m.people for m in members])
        named = np.asarray(weights.sum(axis=1)).ravel() > 0
        present = weights.copy()
        present.data[:] = 1.0
        shared = (present @ weights.T).toarray()
        unshared = 1.0 - 0.5 * (shared + shared.T)
        scores += people_conflict * np.where(np.outer(named, named), unshared, 0.0).astype(np.float32)
    return scores


def group_conflicts(
    members: Sequence[MemberEvidence],
    group_of: np.ndarray,
    k: int,
    anchor_conflict: float,
    anchor_gap: int = 2,
    weekday_conflict: float = 0.0,
) -> np.ndarray:
    """Article-to-group conflicts (n x k) for a member deciding where it belongs, each group taken without
    the member itself, as soft shares like an arriving article's against a story (clusterer's
    _candidate_scores): the share of (article, member) anchor-year pairs that are years apart, and of
    lead-weekday pairs that differ, each among the pairs where both are known.

    Two of the arrival's conflicts are left out. The lead people, as for arrivals: one article's lead may
    name someone else and still report the story. The years a text names: they include background years
    (an earlier quake, a first term), and at full weight (story_year_conflict, as much as a whole cosine)
    one such year against a group outweighs all the article agrees on; its anchor year still counts.
    Rows outside every group (group_of -1) get zeros."""
    n = len(members)
    rows = np.flatnonzero(group_of >= 0)
    membership = np.zeros((n, k), dtype=np.float64)
    membership[rows, group_of[rows]] = 1.0
    out = np.zeros((n, k))
    # Per-group sums (a histogram of anchor years, summed weekday profiles) keep this O(n x k), not
    # O(n^2 x k); the member's own share is taken back out of its own group.
    if anchor_conflict:
        anchors = np.array([m.anchor for m in members], dtype=np.int64)
        years, column = np.unique(anchors, return_inverse=True)
        counts = np.zeros((n, len(years)))
        counts[np.arange(n), column] = anchors > 0  # one-hot known anchor years
        per_group = membership.T @ counts  # k x years: how many members report from each year
        apart = (np.abs(anchors[:, None] - years[None, :]) >= anchor_gap) & (anchors[:, None] > 0)
        apart_pairs = apart.astype(np.float64) @ per_group.T
        known_pairs = np.where(anchors[:, None] > 0, per_group.sum(axis=1)[None, :], 0.0)
        known_pairs -= membership * (anchors[:, None] > 0)  # not itself (its own year is never apart)
        out += anchor_conflict * np.where(known_pairs > 0, apart_pairs / np.maximum(known_pairs, 1.0), 0.0)
    if weekday_conflict:
        days = _weekday_rows(members).astype(np.float64)
        named = days.sum(axis=1) > 0
        per_group = membership.T @ days  # k x 7: summed weekday weights
        same = days @ per_group.T - membership * (days * days).sum(axis=1)[:, None]
        known_pairs = np.where(
            named[:, None], (membership.T @ named)[None, :] - membership * named[:, None], 0.0
        )
        out += weekday_conflict * np.where(known_pairs > 0, 1.0 - same / np.maximum(known_pairs, 1.0), 0.0)
    return out


def _rows(profiles: Sequence[Profile]) -> sparse.csr_matrix:
    """The profiles' raw weights, one sparse row per profile."""
    return sparse.csr_matrix(
        (
            np.concatenate([p.weights for p in profiles]).astype(np.float32),
            np.concatenate([p.ids for p in profiles]).astype(np.int64),
            np.cumsum([0] + [len(p) for p in profiles]),
        ),
        shape=(len(profiles), 1 << HASH_BITS),
    )


class LinkageMerge(NamedTuple):
    """One merge of average_linkage_merges: group indices, the mean member score that decided it, whether it
    was a fragment's merge (on the lower bar) rather than two stories', and the mean of its shared-words part
    (what the fragment and its story have in rare terms and names; 0 when not given)."""

    kept: int
    absorbed: int
    mean: float
    fragment: bool
    shared: float = 0.0


def average_linkage_merges(
    scores: np.ndarray,
    groups: Sequence[Sequence[int]],
    threshold: float,
    may_merge: Callable[[int, int], bool],
    active: Sequence[bool],
    fragment_size: int = 0,
    fragment_threshold: float = np.inf,
    fragment_margin: float = 0.0,
    shared_words: np.ndarray | None = None,
    fragment_min_shared: float = 0.0,
) -> list[LinkageMerge]:
    """Greedy average-linkage merging of `groups` (member row indices into `scores`).

    Returns the merges in the order made (LinkageMerge); a merged group is known by the kept
    index afterwards. Only pairs with at least one `active` group (touched in the batch) and `may_merge` are
    considered; the best pair is merged while its mean member score reaches `threshold`. Then a fragment (a
    group of at most `fragment_size` members) joins its best group where that mean reaches the lower
    `fragment_threshold` and beats its next best by `fragment_margin` (see _fragment_merge), and where the
    mean of `shared_words` (the part of `scores` the articles' own rare terms and names make) between them
    reaches `fragment_min_shared`.
    """
    k = len(groups)
    if k < 2:
        return []
    membership = np.zeros((scores.shape[0], k), dtype=np.float32)
    for g, rows in enumerate(groups):
        membership[list(rows), g] = 1.0
    sums = membership.T @ scores @ membership  # summed member scores between groups (Lance-Williams form)
    words = membership.T @ shared_words @ membership if shared_words is not None else None
    sizes = membership.sum(axis=0).astype(np.float64)
    window = np.zeros((k, k), dtype=bool)
    for a in range(k):
        for b in range(a + 1, k):
            window[a, b] = window[b, a] = may_merge(a, b)
    act = np.asarray(active, dtype=bool).copy()
    alive = np.ones(k, dtype=bool)
    merges: list[LinkageMerge] = []
    while True:
        allowed = window & (act[:, None] | act[None, :]) & np.outer(alive, alive)
        mean = np.where(allowed, sums / np.maximum(np.outer(sizes, sizes), 1.0), -np.inf)
        a, b = divmod(int(np.argmax(mean)), k)
        if not np.isfinite(mean[a, b]):
            return merges
        fragment = bool(mean[a, b] < threshold)
        if fragment:
            shared = words / np.maximum(np.outer(sizes, sizes), 1.0) if words is not None else None
            pair = _fragment_merge(
                mean,
                alive & (sizes <= fragment_size),
                fragment_threshold,
                fragment_margin,
                shared,
                fragment_min_shared,
            )
            if pair is None:
                return merges
            a, b = pair
        keep, gone = (a, b) if sizes[a] >= sizes[b] else (b, a)
        shared_mean = float(words[a, b] / max(sizes[a] * sizes[b], 1.0)) if words is not None else 0.0
        merges.append(LinkageMerge(keep, gone, float(mean[a, b]), fragment, shared_mean))
        sums[keep, :] += sums[gone, :]
        sums[:, keep] += sums[:, gone]
        if words is not None:
            words[keep, :] += words[gone, :]
            words[:, keep] += words[:, gone]
        sizes[keep] += sizes[gone]
        alive[gone] = False
        act[keep] |= act[gone]
        # The merged story spans both date ranges: it may merge where either part could.
        window[keep, :] |= window[gone, :]
        window[:, keep] |= window[:, gone]
        window[keep, keep] = False


def _fragment_merge(
    mean: np.ndarray,
    fragment: np.ndarray,
    threshold: float,
    margin: float,
    shared: np.ndarray | None = None,
    min_shared: float = 0.0,
) -> tuple[int, int] | None:
    """The fragment and its best group where that pair is the most convincing fragment merge, else None.

    A story of one or two articles at batch end is usually a report the arrival order left apart (its
    first article came before the ones that link it), not an event of its own: two established stories
    need `story_consolidate_similarity` to merge, a fragment only needs to be clearly nearer one story
    than any other. Where its two best stories score alike (two look-alike events) it stays apart. Among
    unrelated reports, though, the nearest is clearly nearest too; so its best story must also share rare
    words or names with it (`shared` at least `min_shared`), not only a vector's likeness: two pages of one
    site that share its furniture and nothing else stay apart.
    """
    if not fragment.any():
        return None
    rows = np.where(fragment[:, None], mean, -np.inf)
    ordered = np.sort(rows, axis=1)
    top, second = ordered[:, -1], ordered[:, -2]
    lead = np.where(np.isfinite(second), top - np.where(np.isfinite(second), second, 0.0), np.inf)
    ok = fragment & np.isfinite(top) & (top >= threshold) & (lead >= margin)
    if shared is not None:
        best = np.argmax(rows, axis=1)
        ok &= shared[np.arange(len(best)), best] >= min_shared
    if not ok.any():
        return None
    a = int(np.argmax(np.where(ok, top, -np.inf)))
    return a, int(np.argmax(rows[a]))


def reassignments(
    scores: np.ndarray,
    groups: Sequence[Sequence[int]],
    margin: float,
    may_move: Callable[[int, int], bool],
    rounds: int = 3,
    rows: Collection[int] | None = None,
    conflicts: Callable[[np.ndarray], np.ndarray] | None = None,
) -> list[tuple[int, int, int, float, float]]:
    """Members that score better, on average, with another group than with their own (average linkage).

    Arrival order decides which story an article joins while the stories are small; at batch end every
    member is known, and a member whose mean score with another group's members beats its mean with its
    own group's other members by `margin` moves there. Groups change as members move, so this repeats
    for up to `rounds` passes. A group's last member never moves (that would be a merge, decided above),
    and no member moves to a group of one (a fragment follows its story, not the other way round).
    Only `rows` may move (default: all). `conflicts(group_of)`, when given, is subtracted from the means
    (rows x groups, as group_conflicts), computed afresh each pass. Returns moves in the order made as (row,
    from group, to group, mean with the new group, mean with the old one).
    """
    k = len(groups)
    if k < 2 or margin == np.inf:
        return []
    grouped = sorted({r for g in groups for r in g})
    group_of = np.full(scores.shape[0], -1, dtype=np.int64)
    for g, members in enumerate(groups):
        group_of[list(members)] = g
    targets: dict[int, np.ndarray] = {}  # group -> the groups its members may move to (asked once, lazily)

    def allowed(group: int) -> np.ndarray:
        if group not in targets:
            targets[group] = np.array([b != group and may_move(group, b) for b in range(k)], dtype=bool)
        return targets[group]

    off_diagonal = scores.astype(np.float64, copy=True)
    np.fill_diagonal(off_diagonal, 0.0)
    membership = np.zeros((scores.shape[0], k), dtype=np.float64)
    membership[grouped, group_of[grouped]] = 1.0
    mobile = [r for r in grouped if rows is None or r in rows]
    sums = off_diagonal @ membership  # each row's summed score with each group's members
    sizes = membership.sum(axis=0)
    moves: list[tuple[int, int, int, float, float]] = []
    for _ in range(rounds):
        moved = False
        penalty = conflicts(group_of) if conflicts is not None else np.zeros((scores.shape[0], k))
        for row in mobile:
            own = int(group_of[row])
            if sizes[own] < 2:
                continue
            own_mean = sums[row, own] / (sizes[own] - 1) - penalty[row, own]
            means = sums[row] / np.maximum(sizes, 1.0) - penalty[row]
            means = np.where(allowed(own) & (sizes >= 2), means, -np.inf)
            best = int(np.argmax(means))
            if means[best] < own_mean + margin:
                continue
            moves.append((row, own, best, float(means[best]), float(own_mean)))
            group_of[row] = best
            sizes[own] -= 1
            sizes[best] += 1
            # the other rows' sums follow the move at once, so two members cannot swap past each other
            sums[:, own] -= off_diagonal[:, row]
            sums[:, best] += off_diagonal[:, row]
            moved = True
        if not moved:
            break
    return moves
