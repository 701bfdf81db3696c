"""Incremental story clustering: join, found, merge, restart, idempotence, windows and the seed sample."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from newsprism import settings
from newsprism.records import Article
from newsprism.store.sqlite import SQLiteStore
from newsprism.stories import CentroidIndex, StoryClusterer, article_vector
from newsprism.stories.consolidate import (
    MemberEvidence,
    average_linkage_merges,
    conflict_scores,
    content_scores,
    group_conflicts,
    reassignments,
)
from newsprism.stories.evidence import anchor_year, copy_marks, lead_weekdays
from newsprism.stories.frequencies import DocumentFrequencies
from newsprism.stories.profile import Profile, apart_share

ROOT = Path(__file__).resolve().parents[1]
DIM = 8


def unit(*values: float) -> np.ndarray:
    v = np.zeros(DIM, dtype=np.float32)
    v[: len(values)] = values
    return v / np.linalg.norm(v)


def art(aid: str, published: str | None = None, title: str | None = None, text: str | None = None) -> Article:
    return Article(
        id=aid,
        source=aid,
        text=text or f"Report {aid} says something happened today.",
        title=title,
        published=published,
    )


def rows(vector: np.ndarray, n: int = 4) -> np.ndarray:
    return np.tile(vector, (n, 1))


@pytest.fixture
def store():
    s = SQLiteStore(":memory:")
    yield s
    s.close()


def test_similar_article_joins_and_unrelated_founds_a_new_story(store):
    clusterer = StoryClusterer(store)
    first = clusterer.add(art("a1"), rows(unit(1, 0)))
    second = clusterer.add(art("a2"), rows(unit(1, 0.2)))
    other = clusterer.add(art("b1", text="Cup final ends in a penalty shootout."), rows(unit(0, 0, 1)))
    assert first.story_id == "sa1" and first.score == 1.0
    assert second.story_id == "sa1" and second.score > 0.9
    assert "cosine" in second.evidence and "sa1" in second.evidence
    assert other.story_id == "sb1" and "founds a new story" in other.evidence
    clusterer.flush()
    state = store.story_state("sa1")
    assert state.size == 2 and state.title == "Report a1 says something happened today."
    assert np.allclose(state.centroid, unit(1, 0) + unit(1, 0.2), atol=1e-6)  # the sum, not the mean


def test_shared_entities_are_evidence_and_tip_the_choice(store):
    clusterer = StoryClusterer(store)
    clusterer.add(art("x1"), rows(unit(1, 0)), {"Lindsay Lohan": 3, "Betty Ford Center": 1})
    clusterer.add(art("y1"), rows(unit(0.6, 0.8)), {"Tara Reid": 2, "Promises": 1})
    # Nearer to y1's story by cosine, but it names x1's people: entities decide.
    a = clusterer.add(art("x2"), rows(unit(0.75, 0.66)), {"Lindsay Lohan": 2, "Betty Ford Center": 1})
    assert a.story_id == "sx1"
    assert "shared entities: Lindsay Lohan, Betty Ford Center" in a.evidence


def test_readding_an_article_returns_its_assignment_without_counting_twice(store):
    clusterer = StoryClusterer(store)
    clusterer.add(art("a1"), rows(unit(1, 0)))
    joined = clusterer.add(art("a2"), rows(unit(1, 0.1)))
    again = clusterer.add(art("a2"), rows(unit(1, 0.1)))
    assert again.story_id == joined.story_id
    clusterer.flush()
    assert store.story_state("sa1").size == 2


def test_restart_on_the_same_store_file_continues(tmp_path):
    path = tmp_path / "stories.db"
    first_store = SQLiteStore(path)
    first = StoryClusterer(first_store)
    first.add(art("a1", "2024-05-01"), rows(unit(1, 0)))
    first.flush()
    first.add(art("b1", "2024-05-01"), rows(unit(0, 1)))  # after the last flush: not in the store
    first_store.close()

    store = SQLiteStore(path)
    clusterer = StoryClusterer(store)
    joined = clusterer.add(art("a2", "2024-05-02"), rows(unit(1, 0.1)))
    again = clusterer.add(art("a1", "2024-05-01"), rows(unit(1, 0)))
    assert joined.story_id == again.story_id == "sa1"
    assert store.story_of("b1") is None and store.story_state("sb1") is None  # lost with the crash ...
    redone = clusterer.add(art("b1", "2024-05-01"), rows(unit(0, 1)))
    assert redone.story_id == "sb1"  # ... so clustered again
    clusterer.flush()
    state = store.story_state("sa1")
    assert (state.size, state.first_date, state.last_date) == (2, "2024-05-01", "2024-05-02")
    store.close()


def test_converging_stories_merge_smaller_into_larger(store):
    # u, v (cosine 0.7) found two stories; an article between them, nearer u, pulls u's story to 0.82 of v.
    theta = np.arccos(0.7)
    u, v, w = unit(1, 0), unit(np.cos(theta), np.sin(theta)), unit(np.cos(0.45 * theta), np.sin(0.45 * theta))
    with settings.override(
        {
            "story_join_similarity": 0.75,
            "story_merge_similarity": 0.8,
            "story_entity_weight": 0.0,
            "story_term_weight": 0.0,
        }
    ):
        clusterer = StoryClusterer(store)
        clusterer.add(art("u1"), rows(u))
        assert clusterer.add(art("v1"), rows(v)).story_id == "sv1"
        joined = clusterer.add(art("w1"), rows(w))
        clusterer.flush()
    assert joined.story_id == "su1" and joined.merged_from == ("sv1",)
    assert store.resolve_story("sv1") == "su1" and store.story_of("v1") == "su1"
    assert store.story_state("su1").size == 3
    assert [s.id for s in store.story_states()] == ["su1"]
    assert [s.id for s in clusterer.open_stories()] == ["su1"]


def test_window_blocks_distant_dates_but_admits_late_arrivals(store):
    clusterer = StoryClusterer(store)
    clusterer.add(art("a1", "2024-05-01"), rows(unit(1, 0)))
    clusterer.add(art("a2", "2024-05-10"), rows(unit(1, 0.05)))
    late = clusterer.add(
        art("a3", "2024-04-28"), rows(unit(1, 0.1))
    )  # published before the newest: still fits
    far = clusterer.add(art("a4", "2024-06-01"), rows(unit(1, 0.1)))  # same topic, weeks later: a new story
    assert late.story_id == "sa1"
    assert far.story_id == "sa4"
    clusterer.flush()
    assert store.story_state("sa1").first_date == "2024-04-28"


def test_idle_stories_are_closed(store):
    with settings.override({"story_idle_articles": 0}):
        clusterer = StoryClusterer(store)
        clusterer.add(art("old", "2024-01-01"), rows(unit(1, 0)))
        clusterer.add(art("new", "2024-03-15"), rows(unit(0, 1)))
        clusterer.flush()
    assert store.story_state("sold").closed
    assert [s.id for s in clusterer.open_stories()] == ["snew"]
    assert [s.id for s in StoryClusterer(store).open_stories()] == ["snew"]  # also after a restart


def test_out_of_order_article_does_not_close_recent_stories(store):
    # A back-filled article dated months later must not close a story that grew a few arrivals ago.
    with settings.override({"story_idle_articles": 5}):
        clusterer = StoryClusterer(store)
        clusterer.add(art("old", "2024-01-01"), rows(unit(1, 0)))
        clusterer.add(art("late", "2024-06-01"), rows(unit(0, 1)))
        clusterer.flush()
        assert not store.story_state("sold").closed
        for k in range(6):  # many arrivals later the January story is idle in both senses
            clusterer.add(art(f"n{k}", "2024-06-02"), rows(unit(0, 0, 1, k)))
        clusterer.add(art("newest", "2024-06-03"), rows(unit(0, 0, 0, 0, 1)))
        clusterer.flush()
    assert store.story_state("sold").closed


ARC = "Zed Quarry flood: {} Marlow Dam Kessington engineers {}."


def stored(store: SQLiteStore, article: Article) -> Article:
    store.add_article(article)  # consolidation reads story members through the store's articles
    return article


def test_consolidation_merges_fragments_by_average_linkage(store):
    # Two fragments of one event (shared rare names) founded apart by a strict join threshold, plus an
    # unrelated story; at batch end the fragments merge, the unrelated story stays, the merge is recorded.
    with settings.override({"story_join_similarity": 9.0, "story_consolidate_similarity": 1.0}):
        clusterer = StoryClusterer(store)
        ents = {"Marlow Dam": 2, "Kessington": 1}
        clusterer.add(
            stored(store, art("f1", text=ARC.format("water rises at", "warn"))), rows(unit(1, 0.1)), ents
        )
        clusterer.add(
            stored(store, art("f2", text=ARC.format("villages evacuated near", "report"))),
            rows(unit(1, 0.2)),
            ents,
        )
        clusterer.add(
            stored(store, art("u1", text="Cup final ends in a penalty shootout at Wembley.")),
            rows(unit(0, 0, 1)),
            {"Wembley": 1},
        )
        merged = clusterer.consolidate()
    assert len(merged) == 1
    absorbed, survivor = merged[0]
    assert {absorbed, survivor} == {"sf1", "sf2"}
    assert store.resolve_story(absorbed) == survivor
    assert store.story_of("f1") == store.story_of("f2") == survivor
    assert store.story_of("u1") == "su1"
    assert clusterer.consolidate() == []  # nothing touched since


def test_a_merge_at_batch_end_says_why_in_the_absorbed_members_evidence(store):
    with settings.override({"story_join_similarity": 9.0, "story_consolidate_similarity": 1.0}):
        clusterer = StoryClusterer(store)
        ents = {"Marlow Dam": 2, "Kessington": 1}
        clusterer.add(stored(store, art("f1", "2024-05-01", text=ARC.format("water rises at", "warn"))),
                      rows(unit(1, 0.1)), ents)  # fmt: skip
        clusterer.add(stored(store, art("f2", "2024-05-02", text=ARC.format("villages evacuated near", "report"))),
                      rows(unit(1, 0.2)), ents)  # fmt: skip
        absorbed, survivor = clusterer.consolidate()[0]
    members = {m.article_id: m.evidence for m in store.memberships(survivor)}
    moved = "f1" if survivor == "sf2" else "f2"
    assert members[moved].startswith("founds a new story: best match")
    assert f"then its story {absorbed} was merged at batch end: mean score" in members[moved]
    assert "story_consolidate_similarity 1" in members[moved]
    assert "merged" not in members["f1" if moved == "f2" else "f2"]


def test_the_same_affair_weeks_apart_is_linked_as_a_storyline_not_merged(store):
    # Two events with the same names and words, a month apart: batch end keeps them two stories (a story
    # is one event) and links them as one storyline, saying why; the report lists the storyline.
    from newsprism.report.build import storylines

    with settings.override({"story_join_similarity": 9.0, "story_consolidate_similarity": 1.0}):
        clusterer = StoryClusterer(store)
        ents = {"Marlow Dam": 2, "Kessington": 1}
        for aid, day, what in (
            ("a1", "2024-05-01", "water rises at"), ("a2", "2024-05-02", "villages evacuated near"),
            ("b1", "2024-06-03", "inquiry opens into"), ("b2", "2024-06-04", "inquiry hears of"),
        ):  # fmt: skip
            clusterer.add(
                stored(store, art(aid, day, text=ARC.format(what, "say"))),
                rows(unit(1, 0.1)),
                ents,
                lead_people=["okafor"],  # one person leads both events (story_storyline_shared_person)
            )
        clusterer.consolidate()
    first, second = store.story_of("a1"), store.story_of("b1")
    assert first == store.story_of("a2") and second == store.story_of("b2") and first != second
    [(a, b, score, why)] = store.story_links()
    assert {a, b} == {first, second} and score >= settings.current().story_storyline_similarity
    assert "days apart, beyond story_consolidate_window_days 7" in why
    [line] = storylines(store)
    assert line["story_ids"] == [first, second]  # in date order
    assert line["links"][0]["evidence"] == why
    with settings.override({"story_consolidate_window_days": 60}):
        other = SQLiteStore(":memory:")
        clusterer = StoryClusterer(other)
        for aid in ("a1", "a2", "b1", "b2"):
            article = store.articles([aid])[0]
            clusterer.add(stored(other, article), rows(unit(1, 0.1)), ents)
        clusterer.consolidate()
        assert other.story_of("a1") == other.story_of("b1") and other.story_links() == []


def test_consolidation_after_restart_reads_member_evidence_from_store(store):
    with settings.override({"story_join_similarity": 9.0, "story_consolidate_similarity": 1.0}):
        ents = {"Marlow Dam": 2, "Kessington": 1}
        first = StoryClusterer(store)
        first.add(
            stored(store, art("f1", text=ARC.format("water rises at", "warn"))), rows(unit(1, 0.1)), ents
        )
        first.consolidate()
        again = StoryClusterer(store)  # a restart: f1's evidence is only in the store now
        again.add(
            stored(store, art("f2", text=ARC.format("villages evacuated near", "report"))),
            rows(unit(1, 0.2)),
            ents,
        )
        merged = again.consolidate()
    assert [survivor for _, survivor in merged] == [store.resolve_story("sf1")]
    assert store.resolve_story(store.story_of("f2")) == store.resolve_story("sf1")


def test_reassignments_move_a_member_to_the_group_it_agrees_with():
    # rows 0-2 group A, 3-4 group B; row 2 scores 1.5 with B's members and 0.2 with A's others.
    scores = np.full((6, 6), 0.0)
    scores[np.ix_([0, 1], [0, 1])] = 1.2
    scores[np.ix_([3, 4], [3, 4])] = 1.3
    scores[2, [3, 4]] = scores[[3, 4], 2] = 1.5
    scores[2, [0, 1]] = scores[[0, 1], 2] = 0.2
    groups = [[0, 1, 2], [3, 4], [5]]
    moves = reassignments(scores, groups, 0.1, lambda a, b: True)
    assert [(row, old, new) for row, old, new, _, _ in moves] == [(2, 0, 1)]
    assert moves[0][3:] == pytest.approx((1.5, 0.2))
    assert reassignments(scores, groups, 0.1, lambda a, b: False) == []  # dates too far apart
    assert reassignments(scores, groups, 0.1, lambda a, b: True, rows={0, 1}) == []  # earlier batches stay
    assert reassignments(scores, groups, 2.0, lambda a, b: True) == []
    # the last member of a group never moves, and nothing moves into a group of one
    lone = np.zeros((3, 3))
    lone[0, 1] = lone[1, 0] = 0.1
    lone[0, 2] = lone[2, 0] = 2.0
    assert reassignments(lone, [[0, 1], [2]], 0.1, lambda a, b: True) == []


def test_reassignments_subtract_the_member_to_group_conflicts():
    # Row 2 agrees better with group 1's members on content, but conflicts with them (another year, say).
    scores = np.zeros((5, 5))
    scores[np.ix_([0, 1, 2], [0, 1, 2])] = 1.2
    scores[np.ix_([2, 3, 4], [2, 3, 4])] = 1.5
    groups = [[0, 1, 2], [3, 4]]
    moves = reassignments(scores, groups, 0.1, lambda a, b: True)
    assert [(row, new) for row, _, new, _, _ in moves] == [(2, 1)]  # content alone draws it over
    penalty = np.zeros((5, 2))
    penalty[:, 1] = 1.0  # every member conflicts with group 1
    assert reassignments(scores, groups, 0.1, lambda a, b: True, conflicts=lambda group_of: penalty) == []


def test_group_conflicts_are_shares_against_the_group_without_the_member():
    def member(aid: str, anchor: int, day: int | None) -> MemberEvidence:
        days = Profile(np.array([day]), np.ones(1, dtype=np.float32)) if day is not None else Profile()
        return MemberEvidence(aid, unit(1, 0), Profile(), Profile(), Profile(), anchor, days)

    members = [
        member("a", 2008, 2),
        member("b", 2008, 2),
        member("c", 0, None),  # nothing known: no conflict with anyone, and counts in no share
        member("x", 2013, 1),
        member("y", 2013, 2),
    ]
    group_of = np.array([0, 0, 0, 1, 1])
    out = group_conflicts(members, group_of, 2, 0.5, 2, 0.2)
    assert out.shape == (5, 2)
    # a against its own group (b, c): b's anchor year and weekday agree, c knows neither
    assert out[0, 0] == pytest.approx(0.0)
    # a against group 1: both anchors 5 years apart (0.5 x 1), one of two weekdays differs (0.2 x 1/2)
    assert out[0, 1] == pytest.approx(0.5 + 0.1)
    # x against its own group is judged on y alone: same year, another weekday
    assert out[3, 1] == pytest.approx(0.2)
    assert out[2].tolist() == [0.0, 0.0]


def test_batch_end_moves_an_article_that_joined_the_wrong_story_on_arrival(store):
    # x, a flood report whose lead vector looks like the festival's, founds a story that the festival
    # reports join on arrival (here forced by a join bar anything passes); the flood's own reports found a
    # story later, and at batch end x agrees with them far better than with the festival reports, and moves.
    festival = "Harbour festival opens with fireworks over Portvale bay; {} crowds gather."
    flood = {"Marlow Dam": 2, "Kessington": 1}
    clusterer = StoryClusterer(store)
    with settings.override({"story_join_similarity": -10.0}):
        text = ARC.format("water rises at", "warn")
        clusterer.add(stored(store, art("x", "2024-03-01", text=text)), rows(unit(1, 0.05)), flood)
        for aid, word in (("a1", "large"), ("a2", "record")):
            text = festival.format(word)
            joined = clusterer.add(
                stored(store, art(aid, "2024-03-02", text=text)), rows(unit(1, 0)), {"Portvale": 1}
            )
            assert joined.story_id == "sx"
    overrides = {
        "story_join_similarity": 9.0,
        "story_consolidate_similarity": 1.5,
        "story_fragment_size": 0,
        "story_reassign_margin": 0.1,
    }
    with settings.override(overrides):
        for aid, words in (("b1", ("villages evacuated near", "report")), ("b2", ("roads closed by", "say"))):
            text = ARC.format(*words)
            clusterer.add(stored(store, art(aid, "2024-03-01", text=text)), rows(unit(0, 1)), flood)
        merged = clusterer.consolidate()
    flood_story = store.resolve_story("sb1")
    assert [survivor for _, survivor in merged] == [flood_story]  # the flood's two reports merge ...
    assert store.story_of("x") == flood_story  # ... and x moves to them; the festival stays
    assert store.story_of("a1") == store.story_of("a2") == "sx"
    moved = clusterer.moved["x"]
    assert moved.story_id == flood_story and moved.evidence.startswith("moved at batch end from story sx")
    festival_state, flood_state = store.story_state("sx"), store.story_state(flood_story)
    assert (festival_state.size, flood_state.size) == (2, 3)
    assert np.allclose(festival_state.centroid, 2 * unit(1, 0), atol=1e-5)  # x's vector left the centroid
    assert festival_state.title.startswith("Harbour festival")  # titled after the first article that stays
    assert "kessington" not in festival_state.entity_counts
    assert flood_state.entity_counts["kessington"] == 3
    # a restart reads the reduced profiles back: the festival story no longer holds the flood's names
    assert len(StoryClusterer(store)._profiles_of["sx"].entities) == 1


def test_profile_minus_undoes_plus():
    a = Profile(np.array([1, 5, 9]), np.array([1.0, 2.0, 0.5], dtype=np.float32))
    b = Profile(np.array([5, 7, 9]), np.array([1.0, 3.0, 0.5], dtype=np.float32))
    back = a.plus(b, cap=10).minus(b)
    assert back.ids.tolist() == [1, 5, 9] and back.weights.tolist() == [1.0, 2.0, 0.5]  # 7 fell to zero
    assert a.minus(Profile()) is a


def test_article_vector_weights_the_lead():
    vectors = np.vstack([rows(unit(1, 0), 3), rows(unit(0, 1), 9)])
    with settings.override({"story_lead_sentences": 3, "story_lead_weight": 0.75}):
        v = article_vector(art("a"), vectors)
    assert np.isclose(np.linalg.norm(v), 1.0)
    assert np.isclose(v[0] / v[1], 3.0)  # lead 0.75 vs body 0.25 although the body has 3x the sentences


def test_centroid_index_remove_keeps_rows_aligned():
    index = CentroidIndex()
    for i in range(3):
        index.upsert(f"s{i}", unit(*([0] * i + [2])))
    index.remove("s0")
    ids, sims = index.similarities(unit(0, 0, 1))
    assert dict(zip(ids, sims.round(3).tolist(), strict=True)) == {"s2": 1.0, "s1": 0.0}


# ------------------------------------------------------------------ the seed sample, real models


def test_seed_story_is_one_story_and_a_sports_report_founds_its_own(store):
    from newsprism.models import embed, nlp
    from newsprism.text import split_sentences

    dates = {
        "000": "2024-05-16",
        "001": "2024-05-17T21:28",
        "002": "2024-05-16",
        "003": None,
        "004": "2024-05-20",
    }
    paths = sorted((ROOT / "examples" / "seed-story").glob("*.txt"))
    paths.append(Path(__file__).with_name("fixtures") / "dedupe" / "cup-final.txt")
    items = []
    for path in paths:
        label = path.name[:3] if path.name[:3] in dates else "cup"
        text = re.sub(r"\n{3,}", "\n\n", path.read_text(encoding="utf-8").strip())
        article = Article(id=label, source=str(path), text=text, published=dates.get(label, "2024-05-18"))
        vectors = embed([s.text for s in split_sentences(label, text)])
        labels = {"PERSON", "ORG", "GPE", "LOC", "FAC", "EVENT", "NORP"}
        counts = Counter(e.text for e in nlp()(text).ents if e.label_ in labels)
        items.append((article, vectors, counts))
    items.sort(key=lambda item: (item[0].published is None, item[0].published or ""))
    for article, _, _ in items:
        store.add_article(article)
    clusterer = StoryClusterer(store)
    assignments = {a.article_id: a for a in clusterer.add_many(items)}
    # Batch end, as in Pipeline.cluster: the undated report (its latest named year is 2022) is too far from
    # the story to join it on arrival, and is no story of its own.
    clusterer.consolidate()
    seed_stories = {store.resolve_story(assignments[k].story_id) for k in dates}
    assert len(seed_stories) == 1
    assert store.resolve_story(assignments["cup"].story_id) not in seed_stories


# ------------------------------------------------------------------ event-specific evidence, state, scale


def test_a_different_year_separates_two_events_of_one_kind(store):
    # Same place, same kind of event, fairly similar vectors: the year of the event decides.
    clusterer = StoryClusterer(store)
    text = "A strong earthquake struck Manokwari in Papua in 2009, damaging houses and a bridge."
    first = clusterer.add(art("q1", text=text), rows(unit(1, 0)))
    later = "An earthquake struck Manokwari, Papua, in {y}; houses and a bridge collapsed."
    other = clusterer.add(art("q3", text=later.format(y=2014)), rows(unit(0.8, 0.6)))
    same = clusterer.add(art("q2", text=later.format(y=2009)), rows(unit(0.8, -0.6)))
    assert same.story_id == first.story_id
    assert other.story_id != first.story_id


def test_rare_shared_terms_are_evidence(store):
    clusterer = StoryClusterer(store)
    clusterer.add(art("c1", text="Fire at Wasilla Bible Church caused $1 million damage."), rows(unit(1, 0)))
    joined = clusterer.add(
        art("c2", text="Wasilla Bible Church fire: arson suspected, $1 million damage."), rows(unit(1, 0.3))
    )
    assert joined.story_id == "sc1"
    assert "shared terms:" in joined.evidence and "wasilla" in joined.evidence


def test_restart_keeps_term_profiles_and_frequencies(tmp_path):
    path = tmp_path / "stories.db"
    first = SQLiteStore(path)
    clusterer = StoryClusterer(first)
    clusterer.add(art("k1", text="Kerala floods displace thousands in Kochi."), rows(unit(1, 0)))
    clusterer.flush()
    documents = clusterer.frequencies.documents
    first.close()
    store = SQLiteStore(path)
    again = StoryClusterer(store)
    assert again.frequencies.documents == documents == 1
    joined = again.add(art("k2", text="Kochi floods: Kerala evacuates thousands."), rows(unit(1, 0.5)))
    assert joined.story_id == "sk1" and "kochi" in joined.evidence
    store.close()


def test_many_open_stories_switch_to_the_approximate_index(store):
    pytest.importorskip("usearch")
    rng = np.random.default_rng(0)
    with settings.override({"story_ann_min_stories": 50}):
        clusterer = StoryClusterer(store)
        for i in range(80):
            v = rng.normal(size=DIM).astype(np.float32)
            clusterer.add(art(f"r{i}", text=f"w{i}a w{i}b w{i}c"), rows(v / np.linalg.norm(v)))
        assert type(clusterer.index).__name__ == "AnnCentroidIndex" and len(clusterer.index) == 80
        probe = next(s for s in clusterer.open_stories() if s.id == "sr7").centroid
        joined = clusterer.add(art("again", text="w7a w7b w7c"), rows(probe))
    assert joined.story_id == "sr7"


def test_title_vectors_are_embedded_once_and_kept_in_the_store(store, monkeypatch):
    from newsprism import models
    from newsprism.pipeline import Pipeline
    from newsprism.stories import title_vectors

    calls = []
    monkeypatch.setattr(
        models, "embed", lambda texts: calls.append(list(texts)) or np.ones((len(texts), DIM))
    )
    article = art("t1", title="Quake hits Papua")
    vectors, new = title_vectors([article], {})
    assert set(vectors) == set(new) == {"t1"}
    vectors, new = title_vectors([article], {"t1": np.zeros(DIM)})  # the caller's cache: nothing embedded
    assert set(vectors) == {"t1"} and new == {} and len(calls) == 1
    store.add_article(article)
    pipeline = Pipeline(store)
    assert set(pipeline.title_vectors([article])) == {"t1"}
    assert set(pipeline.title_vectors([article])) == {"t1"}
    assert len(calls) == 2  # the pipeline embedded it once, then read it back from the store


def test_anchor_year_is_the_publication_year_else_the_latest_year_named():
    assert anchor_year(art("a", published="2013-05-02").published_at, frozenset({2004})) == 2013
    assert anchor_year(None, frozenset({1999, 2005})) == 2005
    assert anchor_year(None, frozenset()) is None


def test_apart_share_weighs_anchor_year_pairs():
    story = Profile(np.array([2008, 2013]), np.array([1.0, 3.0], dtype=np.float32))
    assert apart_share(Profile(np.array([2013]), np.ones(1, np.float32)), story, 2) == pytest.approx(0.25)
    assert apart_share(Profile(), story, 2) == 0.0


def test_anchor_years_apart_keep_look_alike_events_apart(store):
    # A dated 2013 report and an undated one whose latest named year is 2005: the same kind of event,
    # another time. Without the anchor penalty the two would join; a report from 2013 still joins.
    first = art("p1", "2013-01-10", text="Earthquake jolts Aceh province; houses damaged in Bener Meriah.")
    old = art("p2", text="Earthquake jolts Aceh province in 2005; houses damaged near Banda Aceh.")
    same = art("p3", text="Quake in Aceh province, 2013: houses damaged in Bener Meriah.")
    with settings.override({"story_anchor_conflict": 0.0}):
        plain = StoryClusterer(SQLiteStore(":memory:"))
        plain.add(first, rows(unit(1, 0)))
        assert plain.add(old, rows(unit(1, 0.3))).story_id == "sp1"
    with settings.override({"story_anchor_conflict": 3.0}):
        clusterer = StoryClusterer(store)
        clusterer.add(first, rows(unit(1, 0)))
        apart = clusterer.add(old, rows(unit(1, 0.3)))
        assert apart.story_id != "sp1" and "anchor year 2005: 100%" in apart.evidence
        assert clusterer.add(same, rows(unit(1, 0.2))).story_id == "sp1"


def test_add_needs_no_transaction_and_writes_only_at_a_checkpoint(store):
    # Pipeline.cluster calls add() bare: the clusterer keeps changes in memory and commits them itself.
    clusterer = StoryClusterer(store)
    first = clusterer.add(art("t1", "2024-05-01"), rows(unit(1, 0)))
    clusterer.add(art("t2", "2024-05-01"), rows(unit(1, 0.05)))
    assert store.story_of("t1") is None  # nothing written between checkpoints
    clusterer.flush()
    assert store.story_of("t1") == store.story_of("t2") == first.story_id
    assert store.story_state(first.story_id).size == 2


def test_weighted_cosines_lookup_table_matches_the_binary_search():
    from newsprism.stories.profile import weighted_cosines

    rng = np.random.default_rng(0)

    def profile(ids: list[int]) -> tuple[np.ndarray, np.ndarray, float]:
        values = rng.random(len(ids)).astype(np.float32)
        return np.array(ids, dtype=np.int64), values, float(np.linalg.norm(values))

    article = profile([3, 9, 40, 77])
    stories = [profile([1, 3, 40]), profile([]), profile([2, 5]), profile([9, 77, 90]), profile([])]
    scratch = np.zeros(128, dtype=np.float32)
    fast = weighted_cosines(article, stories, scratch)
    assert np.allclose(fast, weighted_cosines(article, stories))
    assert fast[1] == fast[2] == fast[4] == 0.0 and fast[0] > 0 and fast[3] > 0
    assert not scratch.any()  # left zeroed for the next call


# ------------------------------------------------------------------ lead weekdays, fragments, old rows


def test_lead_weekdays_come_from_the_headline_and_lead_only():
    text = "Microsoft on Wednesday released a patch.\nIt fixes a flaw.\nUsers should update.\nA fix is due Monday."
    assert lead_weekdays(text, 3) == frozenset({2})
    assert lead_weekdays(text, 4) == frozenset({0, 2})
    assert lead_weekdays("No day named here.", 3) == frozenset()


def test_a_different_lead_weekday_lowers_the_join_score(store):
    # Two look-alike reports: the arrest fell on another weekday, so the weekday share is subtracted.
    first = art("w1", text="Chargers receiver arrested on suspicion of DUI early Tuesday in San Diego.")
    other = art("w2", text="Chargers lineman arrested on suspicion of DUI early Sunday in San Diego.")
    scores = []
    for weight in (0.0, 0.5):
        with settings.override({"story_weekday_conflict": weight, "story_join_similarity": 9.0}):
            clusterer = StoryClusterer(SQLiteStore(":memory:"))
            clusterer.add(first, rows(unit(1, 0)))
            reason = clusterer.add(other, rows(unit(1, 0.2))).evidence
            scores.append(float(re.search(r"scored (\d+\.\d+)", reason).group(1)))
    assert scores[0] - scores[1] == pytest.approx(0.5, abs=0.011)


def test_conflict_scores_hold_the_weekday_conflict():
    df = DocumentFrequencies()
    day = {d: Profile(np.array([d]), np.ones(1, dtype=np.float32)) for d in (1, 6)}
    members = [
        MemberEvidence(f"m{k}", unit(1, 0), Profile(), Profile(), Profile(), 0, w)
        for k, w in enumerate((day[1], day[1], day[6], Profile()))
    ]
    scores = content_scores(members, df, 1.0, 1.0) - conflict_scores(members, 0.0, 0.0, 2, 0.4)
    assert scores[0, 1] == pytest.approx(1.0)  # same weekday
    assert scores[0, 2] == pytest.approx(0.6)  # another weekday
    assert scores[0, 3] == pytest.approx(1.0)  # no weekday named: no evidence either way


def test_conflict_scores_hold_the_people_conflict():
    df = DocumentFrequencies()

    def people(*ids: int) -> Profile:
        return Profile(np.array(ids), np.full(len(ids), 1.0 / len(ids), dtype=np.float32))

    members = [
        MemberEvidence(f"m{k}", unit(1, 0), Profile(), Profile(), Profile(), 0, Profile(), p)
        for k, p in enumerate((people(7), people(7), people(8), people(7, 8), Profile()))
    ]
    scores = content_scores(members, df, 1.0, 1.0) - conflict_scores(members, 0.0, 0.0, 2, 0.0, 0.8)
    assert scores[0, 1] == pytest.approx(1.0)  # the same person
    assert scores[0, 2] == pytest.approx(0.2)  # different people
    # one of two people shared: half of m3's weight is unshared, none of m0's; averaged both ways
    assert scores[0, 3] == pytest.approx(1.0 - 0.8 * 0.25)
    assert scores[0, 4] == pytest.approx(1.0)  # nobody named: no evidence either way


def test_stories_about_different_people_do_not_merge(store):
    # As test_converging_stories_merge_smaller_into_larger, but the two stories lead with different
    # people (two players' arrests): the bridging article joins one and the stories stay apart.
    theta = np.arccos(0.7)
    u, v, w = unit(1, 0), unit(np.cos(theta), np.sin(theta)), unit(np.cos(0.45 * theta), np.sin(0.45 * theta))
    overrides = {
        "story_join_similarity": 0.75,
        "story_merge_similarity": 0.8,
        "story_entity_weight": 0.0,
        "story_term_weight": 0.0,
    }
    with settings.override(overrides):
        clusterer = StoryClusterer(store)
        clusterer.add(art("u1"), rows(u), lead_people=["jackson"])
        clusterer.add(art("v1"), rows(v), lead_people=["williams"])
        joined = clusterer.add(art("w1"), rows(w), lead_people=["jackson"])
        clusterer.flush()
    assert joined.story_id == "su1" and joined.merged_from == ()
    assert sorted(s.id for s in clusterer.open_stories()) == ["su1", "sv1"]
    with settings.override({**overrides, "story_people_conflict": 0.0}):
        clusterer = StoryClusterer(SQLiteStore(":memory:"))
        clusterer.add(art("u1"), rows(u), lead_people=["jackson"])
        clusterer.add(art("v1"), rows(v), lead_people=["williams"])
        assert clusterer.add(art("w1"), rows(w), lead_people=["jackson"]).merged_from == ("sv1",)


def test_a_fragment_joins_the_story_it_is_clearly_nearest():
    # Rows 0-2 and 3-5: two stories whose members score 0.6 with each other (below the 0.8 bar); row 6 a
    # singleton at 0.6 with the first story and 0.1 with the second; row 7 a singleton between the two
    # (0.55 with each), which stays apart unless no margin is asked.
    scores = np.full((8, 8), 1.5)
    scores[np.ix_(range(3), range(3, 6))] = scores[np.ix_(range(3, 6), range(3))] = 0.6
    scores[6, :3] = scores[:3, 6] = 0.6
    scores[6, 3:6] = scores[3:6, 6] = 0.1
    scores[7, :6] = scores[:6, 7] = 0.55
    scores[6, 7] = scores[7, 6] = 0.3
    groups = [[0, 1, 2], [3, 4, 5], [6], [7]]
    args = (scores, groups, 0.8, lambda a, b: True, [True] * 4)
    assert average_linkage_merges(*args) == []
    merges = average_linkage_merges(*args, 2, 0.5, 0.1)
    assert [(m.kept, m.absorbed, m.fragment) for m in merges] == [(0, 2, True)]
    assert merges[0].mean == pytest.approx(0.6)
    merges = average_linkage_merges(*args, 2, 0.5, 0.0)
    assert [(m.kept, m.absorbed) for m in merges] == [(0, 2), (1, 3)]


def test_a_fragment_that_shares_no_rare_words_or_names_with_its_nearest_story_stays_apart():
    # Row 2, a singleton, is clearly nearest the story of rows 0-1 (0.6 against 0.1), but the likeness is all
    # the vectors' (two pages of one site's furniture): their rare-term and entity part is 0.05.
    scores = np.full((5, 5), 1.5)
    scores[np.ix_([0, 1], [3, 4])] = scores[np.ix_([3, 4], [0, 1])] = 0.1
    scores[2, :2] = scores[:2, 2] = 0.6
    scores[2, 3:] = scores[3:, 2] = 0.1
    shared = np.full((5, 5), 0.5)
    shared[2, :2] = shared[:2, 2] = 0.05
    args = (scores, [[0, 1], [2], [3, 4]], 0.8, lambda a, b: True, [True] * 3, 2, 0.5, 0.1)
    assert [(m.kept, m.absorbed) for m in average_linkage_merges(*args)] == [(0, 1)]
    assert average_linkage_merges(*args, shared, 0.2) == []
    shared[2, :2] = shared[:2, 2] = 0.3  # a name or rare words in common: it joins
    assert [(m.kept, m.absorbed) for m in average_linkage_merges(*args, shared, 0.2)] == [(0, 1)]


WIRE = (
    "Rescue teams searched through the night for {n} miners trapped by a flooded gallery at the Halden"
    " colliery, where water broke through an old seam shortly after the morning shift went down. The"
    " operator said pumps were running at full capacity and that air was being forced into the section"
    " where the men were believed to be sheltering. Relatives gathered at the pithead as the regional"
    " governor promised that every resource would be used to bring the workers to the surface alive."
)


def test_copy_marks_survive_formatting_and_separate_other_texts():
    one = copy_marks(WIRE.format(n="twelve"))
    assert len(one) >= 5
    same = copy_marks(WIRE.format(n="twelve").upper().replace(",", " ,"))
    assert same.ids.tolist() == one.ids.tolist()  # case, spacing and punctuation do not count
    other = copy_marks(ARC.format("water rises at", "warn") * 3)
    assert len(np.intersect1d(one.ids, other.ids)) == 0
    assert len(copy_marks("Too short.")) == 0


def test_a_copy_of_a_story_joins_it_without_scoring_and_after_a_restart(store):
    # The join bar is out of reach and the copies' vectors point elsewhere: only the copy link joins them.
    with settings.override({"story_join_similarity": 9.0, "story_reassign_margin": 0.0}):
        clusterer = StoryClusterer(store)
        first = clusterer.add(art("w1", "2024-05-01", text=WIRE.format(n="twelve")), rows(unit(1, 0)))
        copy = clusterer.add(
            art("w2", "2024-05-01", title="Miners trapped", text=WIRE.format(n="12")), rows(unit(0, 1))
        )
        other = clusterer.add(
            art("o1", "2024-05-01", text=ARC.format("water rises at", "warn")), rows(unit(0, 1))
        )
        assert copy.story_id == first.story_id == "sw1"
        assert copy.evidence.startswith("copies story sw1:")
        assert other.story_id == "so1"
        clusterer.consolidate()
        assert store.story_of("w2") == "sw1"
        # the story's copy marks are stored with its profiles: a restarted clusterer still knows them
        again = StoryClusterer(store)
        late = again.add(
            art("w3", "2024-05-02", text="UPDATE: " + WIRE.format(n="eleven")), rows(unit(0, 0, 1))
        )
        assert late.story_id == "sw1" and late.evidence.startswith("copies story sw1:")
        # a copy of a story closed or outside the join window founds a story of its own
        far = again.add(art("w4", "2024-09-01", text=WIRE.format(n="twelve")), rows(unit(0, 0, 1)))
        assert far.story_id == "sw4"


def test_the_clusterer_hands_its_changes_over_and_writes_nothing_itself(store):
    """It reads earlier stories through the store; what it changes goes to `write` (the pipeline's)."""
    from newsprism.records import StoryChanges
    from newsprism.store.changes import write_story_changes

    writes = ("put_vectors", "set_membership", "move_members", "save_story", "link_stories", "mark_done")

    class ReadOnly:
        def __getattr__(self, name):
            if name in writes:
                raise AssertionError(f"the clusterer wrote the store ({name})")
            return getattr(store, name)

    handed: list[StoryChanges] = []
    clusterer = StoryClusterer(ReadOnly(), write=handed.append)
    clusterer.add(art("a1"), rows(unit(1, 0)))
    clusterer.add(art("a2"), rows(unit(1, 0.2)))
    clusterer.flush()
    (changes,) = handed
    assert [m.article_id for m in changes.memberships] == ["a1", "a2"] and changes.clustered == ("a1", "a2")
    assert [s.id for s in changes.states] == ["sa1"] and changes.frequencies
    assert store.story_state("sa1") is None  # nothing written yet
    write_story_changes(store, changes)
    assert store.story_state("sa1").size == 2 and store.unfinished("stories", after="extract") == []
    assert store.story_of("a1") == store.story_of("a2") == "sa1"


def test_a_storys_profiles_are_kept_in_the_stores_part_order():
    from newsprism.store.base import STORY_PARTS
    from newsprism.stories.clusterer import NO_PROFILES, StoryProfiles

    assert StoryProfiles._fields == STORY_PARTS
    assert all(len(profile) == 0 for profile in NO_PROFILES)


def test_the_stop_word_list_is_scikit_learns_and_reading_stories_does_not_import_it():
    import subprocess
    import sys

    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS as SKLEARN

    from newsprism.text.stopwords import ENGLISH_STOP_WORDS

    assert ENGLISH_STOP_WORDS == SKLEARN
    # scikit-learn (which brings pandas) costs a process about 100 MB and most of a second to import
    loaded = subprocess.run(
        [sys.executable, "-c", "import sys, newsprism.pipeline, newsprism.stories, newsprism.brief;"
         " print(sorted({'sklearn', 'pandas'} & set(sys.modules)))"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert loaded.stdout.strip() == "[]"
