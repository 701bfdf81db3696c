"""Site boilerplate memory: cleaning reads counts and never writes; the pipeline writes them with each batch."""

from __future__ import annotations

import json

import pytest

from newsprism import settings
from newsprism.clean import clean_document
from newsprism.clean.site import SiteMemory, counts_by_site, line_hash, remove_site_boilerplate, site_lines
from newsprism.ingest import read_inputs
from newsprism.pipeline import Pipeline, analyze
from newsprism.records import ArticleExtraction, RawDocument
from newsprism.store import SQLiteStore, open_store

PROMO = "Get the Harbour app for breaking alerts."
SENTENCE = "The harbour board met on Tuesday and voted to dredge the north channel before the winter storms. "


def doc(n: int, copy: str = "") -> RawDocument:
    body = (
        f"Council story number {n} says the ferry budget rises by {n} percent next year after a long debate."
        f"\n\n{PROMO}\n\nA second paragraph of story {n} with more words about the harbour and its ferries."
    )
    return RawDocument(f"a{n}{copy}.txt", "text", body, {"url": f"https://harbour.example/story-{n}"})


def promo_count(store) -> int:
    return store.site_line_counts("harbour.example", [line_hash(PROMO)]).get(line_hash(PROMO), 0)


@pytest.fixture
def no_parsing(monkeypatch):
    """Extraction is not what these tests are about: an empty one per article keeps them fast."""
    calls = []

    def extract(articles):
        calls.append(len(articles))
        return [ArticleExtraction(a.id) for a in articles]

    monkeypatch.setattr("newsprism.extract.extract_articles", extract)
    return calls


def test_remove_site_boilerplate_is_a_function_of_its_counts():
    text = f"First paragraph of the story, long enough to stay.\n\n{PROMO}"
    assert site_lines(text) == (
        line_hash("First paragraph of the story, long enough to stay."),
        line_hash(PROMO),
    )
    kept, removed = remove_site_boilerplate(text, "harbour.example", {line_hash(PROMO): 3})
    assert (
        PROMO not in kept and removed[0].reason == "site boilerplate (in 3 earlier harbour.example articles)"
    )
    assert remove_site_boilerplate(text, "harbour.example", {line_hash(PROMO): 2}) == (text, ())


def test_memory_counts_each_article_once_and_drains():
    memory = SiteMemory()
    memory.learn("a", ["a1", "a2"], "harbour.example", [line_hash(PROMO)])
    memory.learn("a-copy", ["a2"], "harbour.example", [line_hash(PROMO)])  # the same body again
    memory.learn("b", ["b1"], "harbour.example", [line_hash(PROMO)])
    assert memory.counts("harbour.example", [line_hash(PROMO)]) == {line_hash(PROMO): 2}
    taught = memory.drain()
    assert [t.article_id for t in taught] == ["a", "b"]
    assert counts_by_site(taught) == [("harbour.example", {line_hash(PROMO): 2})]
    assert memory.drain() == [] and memory.counts("harbour.example", [line_hash(PROMO)]) == {}


def test_a_page_two_runs_store_at_once_counts_its_lines_once(tmp_path):
    """Two runs clean one page before either stores it: both learn its lines, and the store counts them for
    the run that commits first only (here the other run has committed already)."""
    page = {"url": "https://harbour.example/a", "text": f"{SENTENCE * 3}\n\n{PROMO}"}
    path = tmp_path / "one.jsonl"
    path.write_text(json.dumps(page) + "\n")
    db = tmp_path / "n.db"
    first, second = SQLiteStore(db), SQLiteStore(db)
    try:
        (raw,) = list(read_inputs([path]))
        late = SiteMemory(second)
        clean_document(raw, late)  # the second run has read the page, not stored it
        analyze([path], db=db, out=None)  # the first run stores it, and counts its lines
        assert first.site_line_counts("harbour.example", [line_hash(PROMO)]) == {line_hash(PROMO): 1}
        article = clean_document(raw)
        Pipeline(second)._store_batch([article], late)  # the second run writes its batch: no count again
        assert first.site_line_counts("harbour.example", [line_hash(PROMO)]) == {line_hash(PROMO): 1}
        assert first.article_count() == 1
    finally:
        first.close()
        second.close()


def test_counts_are_written_with_their_batch_and_not_before(no_parsing, monkeypatch):
    store = open_store(":memory:")
    pipeline = Pipeline(store, batch_size=2)
    real_store_batch = Pipeline._store_batch
    batches = []

    def store_batch(self, articles, memory, *rest):
        batches.append(len(articles))
        if len(batches) == 2:
            raise RuntimeError("interrupted while storing the second batch")
        return real_store_batch(self, articles, memory, *rest)

    monkeypatch.setattr(Pipeline, "_store_batch", store_batch)
    with settings.override({"clean_batch_min_documents": 100}), pytest.raises(RuntimeError):
        pipeline.ingest([doc(n) for n in range(6)])
    # the first batch is stored with its two counts; the third and fourth article were cleaned, never stored
    assert store.article_count() == 2 and promo_count(store) == 2


def test_a_failed_batch_transaction_leaves_no_counts(no_parsing, monkeypatch):
    store = open_store(":memory:")
    real_put = store.put_extraction

    def put_extraction(extraction):
        if store.article_count() >= 1:
            raise RuntimeError("disk full")
        real_put(extraction)

    monkeypatch.setattr(store, "put_extraction", put_extraction)
    with settings.override({"clean_batch_min_documents": 100}), pytest.raises(RuntimeError):
        Pipeline(store, batch_size=8).ingest([doc(n) for n in range(3)])
    assert store.article_count() == 0 and promo_count(store) == 0


def test_two_copies_in_one_batch_and_a_rerun_count_once(no_parsing):
    store = open_store(":memory:")
    with settings.override({"clean_batch_min_documents": 100}):
        Pipeline(store, batch_size=8).ingest([doc(1), doc(1, copy="-again"), doc(2)])
        assert promo_count(store) == 2
        Pipeline(store, batch_size=8).ingest([doc(1), doc(2)])  # the same pages read again
    assert promo_count(store) == 2 and store.article_count() == 2


def test_learned_furniture_is_removed_from_later_articles_of_the_run(no_parsing):
    store = open_store(":memory:")
    with settings.override({"clean_batch_min_documents": 100}):
        result = Pipeline(store, batch_size=2).ingest([doc(n) for n in range(5)])
        assert [PROMO in a.text for a in result.articles] == [True, True, True, False, False]
        assert promo_count(store) == 5
        # read again, the fifth article (stored without the promo line, under another id) is not recounted
        Pipeline(store, batch_size=2).ingest([doc(4)])
    assert promo_count(store) == 5 and store.article_count() == 5
