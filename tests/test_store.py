"""The SQLite store: idempotent writes, round-trips, transactions, story state and merges."""

import json

import numpy as np
import pytest

from newsprism.errors import StoreError
from newsprism.records import (
    Article,
    ArticleExtraction,
    ClaimUnit,
    DateMention,
    EntityMention,
    NumericFact,
    Quote,
    Rejection,
    RemovedSpan,
    StoryAssignment,
    StoryState,
)
from newsprism.store import SQLiteStore


@pytest.fixture
def store():
    s = SQLiteStore(":memory:")
    yield s
    s.close()


def make_article(i: int = 1, **kw) -> Article:
    defaults = dict(
        id=f"a{i}",
        source=f"in/{i}.txt",
        text=f"Body {i}.\n\nSecond paragraph.",
        title=f"Title {i}",
        published="2024-05-16",
        authors=("Jane Roe",),
        removed=(RemovedSpan("Leave a comment", "comment prompt", 10, 25),),
    )
    defaults.update(kw)
    return Article(**defaults)


def test_article_round_trip_and_idempotent_insert(store):
    article = make_article()
    assert store.add_article(article) is True
    assert store.add_article(article) is False
    assert store.article_count() == 1
    assert store.articles(["a1"]) == [article]


def test_articles_keep_requested_order(store):
    for i in range(3):
        store.add_article(make_article(i))
    assert [a.id for a in store.articles(["a2", "a0", "missing", "a1"])] == ["a2", "a0", "a1"]


def test_transaction_rolls_back_on_error(store):
    with pytest.raises(RuntimeError):
        with store.transaction():
            store.add_article(make_article(1))
            raise RuntimeError("boom")
    assert store.article_count() == 0


def test_rejections_are_replaced_not_duplicated(store):
    store.add_rejection(Rejection("x.txt", "empty"))
    store.add_rejection(Rejection("x.txt", "binary"))
    assert store.rejections() == [Rejection("x.txt", "binary")]
    store.clear_rejection("x.txt")
    assert store.rejections() == []


def test_vectors_round_trip(store):
    vectors = np.arange(12, dtype=np.float32).reshape(3, 4)
    store.put_vectors("a1", "sentences", vectors)
    assert np.array_equal(store.get_vectors("a1", "sentences"), vectors)
    assert store.get_vectors("a1", "other") is None


def test_extraction_round_trip(store):
    extraction = ArticleExtraction(
        "a1",
        mentions=(EntityMention("a1", 0, 2, "Xi", "PERSON"),),
        quotes=(Quote("a1", "hello", 5, 10, "Xi Jinping", "Xi", 0, 2, "said", "direct", "China"),),
        numbers=(NumericFact("a1", "21", 21.0, None, "count", None, 3, 5, 0, 10),),
        dates=(DateMention("a1", "Thursday", 1, 9, "2024-05-16", 0, 10),),
        claim_units=(ClaimUnit(0, 20), ClaimUnit(25, 60, "The two leaders")),
    )
    store.put_extraction(extraction)
    assert store.get_extraction("a1") == extraction


def test_extraction_stored_before_claim_units_still_loads(store):
    store.put_extraction(ArticleExtraction("a1", mentions=(EntityMention("a1", 0, 2, "Xi", "PERSON"),)))
    # The row as a version without claim units wrote it (the store is in memory: reach its table directly).
    data = json.loads(store._query("SELECT data FROM extractions WHERE article_id = 'a1'")[0]["data"])
    del data["claim_units"]
    store._exec("UPDATE extractions SET data = ? WHERE article_id = 'a1'", (json.dumps(data),))
    loaded = store.get_extraction("a1")
    assert loaded.claim_units == () and loaded.mentions[0].text == "Xi"


def test_story_state_membership_and_merge(store):
    centroid = np.ones(4, dtype=np.float32)
    store.save_story(StoryState("s1", "One", centroid, 1, "2024-05-16", "2024-05-16", {"xi": 2}))
    store.save_story(StoryState("s2", "Two", centroid, 1, None, None))
    store.add_article(make_article(1))
    store.add_article(make_article(2))
    store.set_membership(StoryAssignment("a1", "s1", 1.0, "founded"))
    store.set_membership(StoryAssignment("a2", "s2", 1.0, "founded"))
    assert store.story_state("s1").entity_counts == {"xi": 2}

    store.save_story(StoryState("s3", "Three", centroid, 1, None, None))
    store.link_stories("s3", "s2", 0.7, "same affair")
    store.link_stories("s1", "s2", 0.9, "soon merged")
    store.move_members("s2", "s1", "; then merged")
    store.save_story(StoryState("s2", "Two", centroid, 1, None, None, merged_into="s1"))
    assert store.resolve_story("s2") == "s1"
    assert [(m.article_id, m.evidence) for m in store.memberships("s1")] == [
        ("a1", "founded"),
        ("a2", "founded; then merged"),
    ]
    assert [s.id for s in store.story_states()] == ["s1", "s3"]
    assert store.story_ids()[0] == "s1"
    # a link follows its story into the survivor; the link inside the merged story is gone
    assert store.story_links() == [("s1", "s3", 0.7, "same affair")]


def test_store_survives_reopen(tmp_path):
    path = tmp_path / "n.db"
    first = SQLiteStore(path)
    first.add_article(make_article(1))
    first.close()
    second = SQLiteStore(path)
    assert second.has_article("a1")
    second.close()


def test_not_a_database_is_a_clear_error(tmp_path):
    path = tmp_path / "junk.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="junk.db"):
        SQLiteStore(path)


def test_store_folder_is_created(tmp_path):
    store = SQLiteStore(tmp_path / "new" / "folder" / "n.db")
    assert store.article_count() == 0
    store.close()
