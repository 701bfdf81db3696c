"""The store contract, for every implementation (the `store` fixture, tests/conftest.py): idempotent writes,
round trips, transactions, story state and merges; then what is SQLite's own (files, old rows)."""

import ast
import json
from contextlib import closing
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

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
from newsprism.store import SQLiteStore, Store


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


def test_aliases_bodies_and_versions(store):
    first = make_article(1, url="https://news.example/a")
    later = make_article(2, url="https://news.example/a", text="Body 1, corrected.\n\nSecond paragraph.")
    store.add_article(first)
    store.add_article(later)
    store.add_alias("x9", "a1", "copy/1.html")
    store.add_alias("x9", "a2", "copy/again.html")  # an alias names one article, the first recorded
    assert store.resolve_article("a1") == "a1" and store.resolve_article("x9") == "a1"
    assert store.resolve_article("nothing") is None
    assert store.aliases() == {"a1": ["x9"]} == store.aliases(["a1", "a2"])
    assert store.aliases(["a2"]) == {}
    # the same body, white space and Unicode normalised, finds the article stored with it
    assert store.article_with_text(" Body 1.\n\n Second  paragraph. ") == "a1"
    assert store.article_with_text("Body 3.") is None
    assert store.versions("https://news.example/a") == ["a1", "a2"]
    assert store.versions("https://news.example/other") == []


def test_articles_keep_requested_order(store):
    for i in range(3):
        store.add_article(make_article(i))
    assert [a.id for a in store.articles(["a2", "a0", "missing", "a1"])] == ["a2", "a0", "a1"]


def test_source_labels_name_each_stored_article(store):
    from newsprism.records import source_label

    store.add_article(make_article(1, outlet="Fox News"))
    store.add_article(make_article(2, url="https://www.nytimes.com/2024/05/16/world/x.html"))
    assert store.source_labels(["a1", "a2", "missing"]) == {
        "a1": "Fox News",
        "a2": source_label(
            None, "https://www.nytimes.com/2024/05/16/world/x.html", "Title 2", "in/2.txt", "a2"
        ),
    }
    assert store.source_labels([]) == {}


def test_transaction_rolls_back_on_error(store):
    with pytest.raises(RuntimeError):
        with store.transaction():
            store.add_article(make_article(1))
            raise RuntimeError("boom")
    assert store.article_count() == 0


def test_rejections_are_replaced_not_duplicated(store):
    store.add_rejections([Rejection("x.txt", "empty")])
    store.add_rejections([Rejection("x.txt", "binary"), Rejection("y.txt", "empty")])
    assert store.rejections() == [Rejection("x.txt", "binary"), Rejection("y.txt", "empty")]
    assert store.rejections(limit=1) == [Rejection("x.txt", "binary")] and store.rejection_count() == 2
    store.clear_rejections(["x.txt", "y.txt"])
    assert store.rejections() == [] and store.rejection_count() == 0


def test_the_line_rejections_of_a_file_are_forgotten_together_and_only_its(store):
    store.add_rejections(
        [
            Rejection("a_%.jsonl#L1-L9", "empty"),
            Rejection("a_%.jsonl#L12", "binary"),
            Rejection("a_%.jsonl", "file is empty"),
            Rejection("ab%.jsonl#L1", "empty"),  # `_` and `%` are letters here, not patterns
            Rejection("a_%.jsonl.gz#L1", "empty"),
        ]
    )
    store.clear_line_rejections(["a_%.jsonl"])
    assert sorted(r.input for r in store.rejections()) == ["a_%.jsonl", "a_%.jsonl.gz#L1", "ab%.jsonl#L1"]


def test_claiming_a_stage_gives_each_item_to_the_first_claim_only(store):
    with store.transaction():
        assert store.claim_done("site_lines", ["a", "b", "a"]) == ["a", "b"]
    with store.transaction():
        assert store.claim_done("site_lines", ["b", "c"]) == ["c"]
    assert store.undone("site_lines", ["a", "b", "c", "d"]) == ["d"]
    store.forget_done("site_lines", ["a"])
    assert store.claim_done("site_lines", ["a"]) == ["a"]


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


def test_extraction_stored_before_claim_units_still_loads():
    store = SQLiteStore(":memory:")
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


# ------------------------------------------------------------------ the interface and its boundary


def test_every_store_implements_the_interface(store):
    assert isinstance(store, Store)


def _interface() -> set[str]:
    return {name for name in dir(Store) if not name.startswith("_")}


def test_nothing_outside_the_store_reaches_behind_the_interface():
    """Every use of a store outside store/ (a name or attribute called `store`) is a method of `Store`."""
    src = Path(__file__).resolve().parents[1] / "src" / "newsprism"
    used: dict[str, set[str]] = {}
    for path in src.rglob("*.py"):
        if "store" in path.relative_to(src).parts[:1]:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Attribute):
                continue
            value = node.value
            owner = value.id if isinstance(value, ast.Name) else getattr(value, "attr", None)
            if owner == "store":
                used.setdefault(node.attr, set()).add(str(path.relative_to(src)))
    assert used, "the scan found no store use at all: it is looking in the wrong place"
    behind = {name: sorted(where) for name, where in used.items() if name not in _interface()}
    assert behind == {}


def test_site_line_counts_add_up(store):
    store.add_site_line_counts("a.example", {"h1": 1, "h2": 2})
    store.add_site_line_counts("a.example", {"h1": 3})
    store.add_site_line_counts("b.example", {"h1": 1})
    assert store.site_line_counts("a.example", ["h1", "h2", "h3"]) == {"h1": 4, "h2": 2}
    assert store.site_line_counts("b.example", ["h1"]) == {"h1": 1}


def test_data_version_changes_with_every_write(store):
    before = store.data_version()
    assert store.data_version() == before
    store.add_article(make_article(1))
    after = store.data_version()
    assert after != before
    store.add_rejections([Rejection("x.txt", "empty")])
    assert store.data_version() != after


def test_snapshot_is_independent(store):
    store.add_article(make_article(1))
    copy = store.snapshot()
    copy.add_article(make_article(2))
    assert store.article_count() == 1 and copy.article_count() == 2
    copy.close()


# ------------------------------------------------------------------ round trips of any record (hypothesis)

# Any text but NUL, which no record from cleaning holds (clean drops C0 controls) and PostgreSQL refuses
_text = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=60)
_every_store = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
_maybe = st.none() | _text
_offsets = st.integers(min_value=0, max_value=10_000)


@st.composite
def articles(draw) -> Article:
    return Article(
        id=draw(st.text("0123456789abcdef", min_size=1, max_size=16)),
        source=draw(_text),
        text=draw(_text),
        title=draw(_maybe),
        published=draw(st.none() | st.dates().map(str) | st.just("2024-04")),
        authors=tuple(draw(st.lists(_text, max_size=3))),
        outlet=draw(_maybe),
        wire_credit=draw(_maybe),
        language=draw(st.none() | st.sampled_from(["en", "de", "und"])),
        url=draw(_maybe),
        removed=tuple(
            draw(
                st.lists(
                    st.builds(RemovedSpan, _text, _text, st.none() | _offsets, st.none() | _offsets),
                    max_size=3,
                )
            )
        ),
    )


@st.composite
def extractions(draw) -> ArticleExtraction:
    aid = draw(st.text("0123456789abcdef", min_size=1, max_size=16))
    mentions = draw(
        st.lists(st.builds(EntityMention, st.just(aid), _offsets, _offsets, _text, _text), max_size=4)
    )
    quotes = draw(
        st.lists(
            st.builds(
                Quote,
                st.just(aid),
                _text,
                _offsets,
                _offsets,
                _maybe,
                _maybe,
                st.none() | _offsets,
                st.none() | _offsets,
                _maybe,
                st.sampled_from(["direct", "block", "unmarked", "partial"]),
                _maybe,
                _maybe,
                st.none() | st.floats(min_value=0, max_value=1),
            ),
            max_size=3,
        )
    )
    units = draw(st.lists(st.builds(ClaimUnit, _offsets, _offsets, _text), max_size=3))
    return ArticleExtraction(aid, mentions=tuple(mentions), quotes=tuple(quotes), claim_units=tuple(units))


@given(article=articles())
@_every_store
def test_any_article_round_trips(open_empty_store, article):
    with closing(open_empty_store()) as fresh:
        assert fresh.add_article(article) is True
        assert fresh.add_article(article) is False
        assert fresh.articles([article.id]) == [article]
        assert fresh.articles() == [article]


@given(extraction=extractions())
@_every_store
def test_any_extraction_round_trips(open_empty_store, extraction):
    with closing(open_empty_store()) as fresh:
        fresh.put_extraction(extraction)
        assert fresh.get_extraction(extraction.article_id) == extraction


@st.composite
def term_bags(draw):
    """{part: (sorted unique ids below 2**24, float32 weights)}, as the story clusterer hands them over."""
    parts = draw(st.lists(st.sampled_from(["terms", "entities", "years", "people", "marks"]), unique=True))
    out = {}
    for part in parts:
        ids = sorted(draw(st.sets(st.integers(0, (1 << 24) - 1), max_size=30)))
        weights = draw(st.lists(st.floats(-1e6, 1e6, width=32), min_size=len(ids), max_size=len(ids)))
        out[part] = (np.array(ids, dtype=np.int64), np.array(weights, dtype=np.float32))
    return out


def _same_bags(a, b):
    return set(a) == set(b) and all(
        a[k][0].tolist() == b[k][0].tolist() and a[k][1].tolist() == b[k][1].tolist() for k in a
    )


@given(
    story_parts=term_bags(),
    member_parts=term_bags(),
    anchor=st.integers(0, 3000),
    vector=st.lists(st.floats(-1, 1, width=32), max_size=8),
)
@_every_store
def test_the_clusterer_state_round_trips(open_empty_store, story_parts, member_parts, anchor, vector):
    with closing(open_empty_store()) as fresh:
        fresh.put_story_terms("s", {"marks": (np.array([1]), np.array([1.0], dtype=np.float32))})
        fresh.put_story_terms("s", story_parts)  # replaces every part
        assert _same_bags(fresh.story_terms(["s", "absent"]).get("s", {}), story_parts)
        fresh.put_member_evidence("a", anchor, np.array(vector, dtype=np.float32), member_parts)
        got_anchor, got_vector, got_parts = fresh.member_evidence("a")
        assert got_anchor == anchor and got_vector.tolist() == np.array(vector, dtype=np.float32).tolist()
        assert _same_bags(got_parts, member_parts) and fresh.member_evidence("b") is None


def test_term_frequencies_keep_the_latest_count_of_each_bucket(store):
    assert store.term_frequencies()[0] == 0 and len(store.term_frequencies()[1]) == 0
    store.put_term_frequencies(3, np.array([5, 9]), np.array([1, 3]))
    store.put_term_frequencies(4, np.array([9, 11]), np.array([4, 1]))
    documents, buckets, counts = store.term_frequencies()
    assert documents == 4 and dict(zip(buckets.tolist(), counts.tolist(), strict=True)) == {5: 1, 9: 4, 11: 1}


@given(query=st.text(max_size=200), limit=st.integers(min_value=-5, max_value=500))
@_every_store
def test_search_takes_any_text(open_empty_store, query, limit):
    """Whatever a reader types (FTS5 or tsquery syntax, quotes, NUL, emoji) is a query, never an error."""
    with closing(open_empty_store()) as fresh:
        fresh.add_article(make_article(1, text="Ferry budget rises by ten percent after a long debate."))
        hits = fresh.search(query, limit=limit)
        assert all(hit.kind in ("story", "article") for hit in hits)


def test_one_run_writes_a_store_file_at_a_time(tmp_path):
    from newsprism.errors import StoreBusy
    from newsprism.pipeline import Pipeline
    from newsprism.records import RawDocument

    path = tmp_path / "one.db"
    holder, second = SQLiteStore(path), SQLiteStore(path)
    with holder.writer():
        with pytest.raises(StoreBusy, match=r"another newsprism run is writing this store \(pid \d+"):
            Pipeline(second).run([RawDocument("a.txt", "text", "Words of a real sentence here. " * 5)])
        assert second.article_count() == 0  # refused before reading anything
        assert holder.article_count() == 0
    # released when the holder's run ends: the next run goes ahead
    result = Pipeline(second).run([RawDocument("a.txt", "text", "Words of a real sentence here. " * 5)])
    assert len(result.ingest.new_ids) == 1
    with holder.writer():  # and the lock is free again after that run
        pass


def test_search_folds_accents_and_takes_the_last_word_as_a_prefix(store):
    store.add_article(
        make_article(1, title="Lavrov visits", text="Sergéy Lavrov met the ministers in Ankara.")
    )
    store.add_article(make_article(2, title="Other", text="Nothing to see in this one."))
    store.save_story(StoryState("s1", "Talks in Ankara", np.zeros(4, dtype=np.float32), 1, None, None))
    hits = store.search("sergey lavr")
    assert [(h.kind, h.id) for h in hits] == [("article", "a1")]
    assert any(match for _, match in hits[0].snippet)
    assert [(h.kind, h.id) for h in store.search("ankara")] == [("story", "s1"), ("article", "a1")]
    assert store.search("!!!") == []


def test_search_corrects_a_misspelt_word_to_one_the_articles_use(store):
    store.add_article(
        Article(id="a1", source="a.txt", text="Peter Strzok testified on Thursday.", title="Hearing")
    )
    store.add_article(
        Article(id="a2", source="b.txt", text="Strzok and Page exchanged texts.", title="Texts")
    )
    store.add_article(Article(id="a3", source="c.txt", text="A strong storm hit the coast.", title="Storm"))
    assert store.search("Strzock") == []
    assert dict(store.search_terms("strz", 6, 6)) == {"strzok": 2}
    assert store.corrected_query("Strzock testifed") == "strzok testified"
    assert {h.id for h in store.search(store.corrected_query("Strzock"))} == {"a1", "a2"}
    assert store.corrected_query("Strzok") is None  # a word the articles use is left alone
    assert store.corrected_query("xqzzzv") is None and store.corrected_query("the") is None
    assert store.corrected_query("a strorm") == "a storm"  # each word on its own; short ones kept as typed
