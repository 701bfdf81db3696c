"""End to end on the five sample articles: what a reader of them can check for themselves."""

import json
import shutil

import jsonschema
import pytest

from newsprism.pipeline import analyze

from .conftest import FIXTURES, ROOT


def by_file(report, prefix: str) -> dict:
    matches = [a for a in report["articles"] if a["source"].rsplit("/", 1)[-1].startswith(prefix)]
    assert len(matches) == 1, prefix
    return matches[0]


@pytest.fixture(scope="module")
def report(analysed_sample):
    return analysed_sample["report"]


@pytest.fixture(scope="module")
def story(report):
    assert len(report["stories"]) == 1
    return report["stories"][0]


def test_report_follows_the_schema(report):
    schema = json.loads((ROOT / "docs" / "report.schema.json").read_text())
    jsonschema.validate(report, schema)


def test_all_five_articles_are_one_story(report, story):
    assert len(report["articles"]) == 5
    assert report["rejected"] == []
    assert sorted(story["article_ids"]) == sorted(a["id"] for a in report["articles"])


def test_boilerplate_is_removed_and_kept_visible(report):
    a000, a002, a003 = by_file(report, "000"), by_file(report, "002"), by_file(report, "003")
    assert "Subscribe to the New American" not in a000["text"]
    assert "Cancel anytime" not in a000["text"]
    assert "Written by" not in a000["text"]
    assert "Leave a comment" not in a002["text"]
    assert "Leave a Reply" not in a003["text"]
    assert "Your email address will not be published" not in a003["text"]
    assert not a003["text"].lower().startswith("putin china")
    assert any("Subscribe" in r["text"] for r in a000["removed"])
    assert all(r["reason"] for art in report["articles"] for r in art["removed"])
    # Story paragraphs survive, the unmarked joint statement included.
    assert "Moscow and Beijing will further deepen trust" in a000["text"]
    assert "Afghanistan" in a000["text"]
    assert "Yuri Ushakov" in a003["text"]


def test_metadata_from_the_text(report):
    a000, a001, a004 = by_file(report, "000"), by_file(report, "001"), by_file(report, "004")
    assert a000["published"].startswith("2024-05-16")
    assert a000["authors"] == ["D. Michael DeRidder"]
    assert a001["published"].startswith("2024-05-17")
    assert a001["title"] == "Xi, Putin Pledge a New Era, Condemn U.S."
    assert a001["wire_credit"] == "Dispatches"
    assert a004["published"].startswith("2024-05-20")
    assert a004["wire_credit"] == "Reuters"
    assert "Source : Reuters" not in a004["text"]


def test_001_and_004_are_one_wire_story_and_002_copies_no_wording(report, story):
    a001, a002, a004 = by_file(report, "001"), by_file(report, "002"), by_file(report, "004")
    groups = story["duplicates"]["groups"]
    assert len(groups) == 1
    assert sorted(groups[0]["article_ids"]) == sorted([a001["id"], a004["id"]])
    assert groups[0]["kind"] == "rewrite"
    # 002 retells two of the wire's sentences in its own words and shares no run of them: that is not
    # evidence of copying (issue 23: provenance, not similarity)
    reusers = {p["article_id"] for p in story["duplicates"]["partial_reuse"]}
    assert a002["id"] not in reusers


def quote_with(story, fragment: str) -> dict:
    found = [q for q in story["quotes"] if fragment in q["text"]]
    assert found, f"no quote containing {fragment!r}"
    return found[0]


@pytest.mark.parametrize(
    "fragment, speaker",
    [
        ("cannot have its cake", "Patel"),
        ("strengthen our joint work", "Lavrov"),
        ("leading role of Russia and China", "Ushakov"),
        ("unprecedentedly high level of the strategic partnership", "Putin"),
        ("hard-earned", "Xi"),
        ("Moscow and Beijing will further deepen trust", "Putin"),
    ],
)
def test_quotes_have_the_right_speakers(story, fragment, speaker):
    assert speaker in (quote_with(story, fragment)["speaker"] or "")


def test_quote_offsets_point_into_the_clean_text(report, story):
    texts = {a["id"]: a["text"] for a in report["articles"]}
    for q in story["quotes"]:
        assert (
            q["text"].strip() in texts[q["article_id"]][q["start"] : q["end"]]
            or texts[q["article_id"]][q["start"] : q["end"]].strip("\"“”'‘’«» ") in q["text"]
        )


def test_brief_cites_every_sentence_with_real_evidence(report, story):
    texts = {a["id"]: a["text"] for a in report["articles"]}
    assert len(story["brief"]) >= 3
    for sentence in story["brief"]:
        assert sentence["citations"]
        cited = {e["article_id"] for e in sentence["evidence"]}
        assert set(sentence["citations"]) <= cited
        for ev in sentence["evidence"]:
            assert texts[ev["article_id"]][ev["start"] : ev["end"]] == ev["text"]


def test_claims_statuses(story):
    statuses = {c["status"] for c in story["claims"]}
    assert "single_source" in statuses
    assert "corroborated" in statuses
    for claim in story["claims"]:
        for ev in claim["evidence"]:
            assert ev["article_id"] in claim["article_ids"]


def test_framing_and_timeline(report, story):
    assert {f["article_id"] for f in story["framing"]} == set(story["article_ids"])
    dates = [e["date"] for e in story["timeline"]]
    assert dates == sorted(dates)
    assert any(d.startswith("2024-05") for d in dates)


def test_the_us_voice_is_heard_only_in_the_reuters_articles(report, story):
    # 001 (Reuters) and 004 (its rewrite) quote the State Department; the other three quote no US official.
    heard = {
        by_id_file(report, f["article_id"])
        for f in story["framing"]
        for v in f["voices"]
        if v["side"] == "United States"
    }
    assert heard == {"001", "004"}
    sides = {v["side"] for f in story["framing"] for v in f["voices"]}
    assert {"Russia", "China"} <= sides


def test_headlines_are_read_against_the_neutral_title(story):
    neutral = story["neutral_title"]
    assert neutral in {f["headline"] for f in story["framing"]}
    # the story is named by it everywhere, not by the first outlet's headline
    assert story["title"] == neutral
    for f in story["framing"]:
        if f["headline"] == neutral:
            assert f["headline_overlap"] == 1.0
        elif f["headline"]:
            assert 0.0 <= f["headline_overlap"] < 1.0 and -1.0 <= f["headline_tone"] <= 1.0
        else:  # 004 has no headline
            assert f["headline_overlap"] is None and f["headline_tone"] is None


def by_id_file(report, article_id: str) -> str:
    (article,) = [a for a in report["articles"] if a["id"] == article_id]
    return article["source"].rsplit("/", 1)[-1][:3]


def test_html_report_pages(analysed_sample, story):
    out = analysed_sample["out"]
    assert (out / "index.html").exists()
    page = (out / f"story-{story['id']}.html").read_text()
    assert "Content-Security-Policy" in page
    assert "<script" not in page
    assert "Voices by side" in page and "United States" in page


def test_rerun_stores_nothing_twice_and_new_story_for_unrelated(analysed_sample, sample_db, tmp_path):
    db = sample_db
    again = analyze([analysed_sample["inputs"]], db=db, out=tmp_path / "r1")
    assert again.ingest.new_ids == ()
    extra = tmp_path / "extra"
    extra.mkdir()
    shutil.copy(FIXTURES / "pipeline" / "unrelated-football.txt", extra)
    more = analyze([extra], db=db, out=tmp_path / "r2")
    assert len(more.ingest.new_ids) == 1
    report = json.loads((tmp_path / "r2" / "report.json").read_text())
    assert len(report["articles"]) == 6
    assert len(report["stories"]) == 2
    sizes = sorted(len(s["article_ids"]) for s in report["stories"])
    assert sizes == [1, 5]


def test_bad_inputs_are_rejected_and_the_rest_analysed(tmp_path, sample_dir):
    inputs = tmp_path / "in"
    inputs.mkdir()
    shutil.copy(sample_dir / "001_b22f3cb3e1c2f43c.txt", inputs)
    (inputs / "empty.txt").write_text("")
    (inputs / "binary.txt").write_bytes(bytes(range(256)) * 20)
    (inputs / "feed.jsonl").write_text(
        '{"title": "ok", "text": "' + "Words of a real sentence here. " * 5 + '"}\n{broken\n'
    )
    result = analyze([inputs], db=tmp_path / "n.db", out=tmp_path / "out")
    rejected = {r.input.rsplit("/", 1)[-1]: r.reason for r in result.ingest.rejections}
    assert set(rejected) == {"empty.txt", "binary.txt", "feed.jsonl#L2"}
    assert all(reason for reason in rejected.values())
    assert result.partial_failure
    assert len(result.ingest.articles) == 2
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    assert len(report["rejected"]) == 3


def test_partnership_phrasings_are_one_corroborated_claim(report, story):
    texts = ("no limits", "no holds barred", "borderless", "no limit")
    groups = [c for c in story["claims"] if any(t in e["text"] for e in c["evidence"] for t in texts)]
    best = max(groups, key=lambda c: len(c["article_ids"]))
    assert len(best["article_ids"]) >= 3
    assert best["status"] == "corroborated"
    # 001 and 004 are one wire story, so they count once.
    assert 2 <= best["independent_sources"] < len(best["article_ids"])


def test_single_source_claims_from_the_sample(report, story):
    a000, a003 = by_file(report, "000"), by_file(report, "003")
    trade = [c for c in story["claims"] if "$240 billion" in c["text"]]
    assert trade and trade[0]["status"] == "single_source" and trade[0]["article_ids"] == [a003["id"]]
    afghan = [c for c in story["claims"] if "Afghan" in c["text"]]
    assert afghan and all(c["article_ids"] == [a000["id"]] for c in afghan)
    blinken = [c for c in story["claims"] if "Blinken" in c["text"]]
    assert (
        len(blinken) == 1 and blinken[0]["status"] == "single_source" and len(blinken[0]["article_ids"]) == 2
    )


def test_brief_does_not_state_unattributed_statements_as_fact(story):
    blocks = [
        (q["article_id"], q["start"], q["end"]) for q in story["quotes"] if q["kind"] in ("block", "unmarked")
    ]
    assert blocks
    for sentence in story["brief"]:
        first = sentence["evidence"][0]
        assert not any(
            aid == first["article_id"] and s <= first["start"] and first["end"] <= e for aid, s, e in blocks
        ), sentence["text"]


def test_cluster_entities_key_a_person_by_surname():
    from newsprism.pipeline import entity_counts
    from newsprism.records import ArticleExtraction, EntityMention

    def mention(text: str, label: str) -> EntityMention:
        return EntityMention("a1", 1000, 1000 + len(text), text, label)  # in the body, past the lead

    mentions = (
        mention("Lindsay Lohan", "PERSON"),
        mention("Lohan", "PERSON"),
        mention("Martin Luther King Jr.", "PERSON"),
        mention("New York", "GPE"),
    )
    counts = entity_counts(ArticleExtraction("a1", mentions))
    assert counts == {"lohan": 2, "king": 1, "new york": 1}


def test_cluster_entities_weigh_lead_mentions_more():
    # The headline's subject (Jackson) outweighs a teammate the body recalls (Williams).
    from newsprism import settings
    from newsprism.pipeline import entity_counts
    from newsprism.records import ArticleExtraction, EntityMention

    mentions = (
        EntityMention("a1", 10, 24, "Vincent Jackson", "PERSON"),
        EntityMention("a1", 900, 914, "Jamal Williams", "PERSON"),
        EntityMention("a1", 950, 958, "Williams", "PERSON"),
    )
    extraction = ArticleExtraction("a1", mentions)
    with settings.override({"story_lead_entity_chars": 300, "story_lead_entity_bonus": 3}):
        assert entity_counts(extraction) == {"jackson": 4, "williams": 2}
    with settings.override({"story_lead_entity_bonus": 0}):
        assert entity_counts(extraction) == {"jackson": 1, "williams": 2}


def test_lead_people_are_named_in_the_lead_and_again_in_the_article():
    # Jackson leads and recurs; the spokesman is quoted once in the lead; Williams only in the body.
    from newsprism import settings
    from newsprism.pipeline import lead_people
    from newsprism.records import ArticleExtraction, EntityMention

    mentions = (
        EntityMention("a1", 10, 25, "Vincent Jackson", "PERSON"),
        EntityMention("a1", 120, 132, "Bill Johnston", "PERSON"),
        EntityMention("a1", 200, 215, "San Diego", "GPE"),
        EntityMention("a1", 600, 607, "Jackson", "PERSON"),
        EntityMention("a1", 900, 914, "Jamal Williams", "PERSON"),
        EntityMention("a1", 950, 958, "Williams", "PERSON"),
    )
    extraction = ArticleExtraction("a1", mentions)
    with settings.override({"story_lead_entity_chars": 300, "story_people_min_mentions": 2}):
        assert lead_people(extraction) == ["jackson"]
    with settings.override({"story_lead_entity_chars": 300, "story_people_min_mentions": 1}):
        assert lead_people(extraction) == ["jackson", "johnston"]
    assert lead_people(None) == []


def test_cluster_reports_an_article_under_the_story_it_moved_to():
    # Pipeline.cluster hands back each article's assignment after the batch end, so a moved article's new
    # story is the one analysed and reported (the move itself: tests/test_stories.py).
    import numpy as np

    from newsprism.pipeline import SENTENCE_VECTORS, Pipeline
    from newsprism.records import Article, StoryAssignment
    from newsprism.store import SQLiteStore

    class Clusterer:
        moved: dict[str, StoryAssignment] = {}

        def add(self, article, *args, **kwargs):
            return StoryAssignment(article.id, "s1", 1.0, "joined")

        def consolidate(self):
            self.moved = {"b": StoryAssignment("b", "s2", 0.9, "moved at batch end from story s1")}
            return []

        def flush(self):
            pass

    store = SQLiteStore(":memory:")
    with store.transaction():
        for aid in ("a", "b"):
            store.add_article(Article(id=aid, source=aid, text=f"Report {aid} on the flood."))
            store.put_vectors(aid, SENTENCE_VECTORS, np.ones((1, 4), dtype=np.float32))
    pipeline = Pipeline(store)
    pipeline._clusterer = Clusterer()
    assignments = {a.article_id: a.story_id for a in pipeline.cluster(["a", "b"])}
    assert assignments == {"a": "s1", "b": "s2"}


def test_a_long_run_holds_neither_its_articles_nor_all_of_them_at_once(
    analysed_sample, tmp_path, monkeypatch
):
    """keep_articles=False counts the articles read instead of keeping them, and the story stage reads them
    from the store a few at a time (`_CHUNK`, 2 here): the report is the one of an ordinary run."""
    import json

    from newsprism import pipeline

    monkeypatch.setattr(pipeline, "_CHUNK", 2)
    result = pipeline.analyze(
        [analysed_sample["inputs"]], db=tmp_path / "n.db", out=tmp_path / "r", keep_articles=False
    )
    assert (
        result.ingest.articles == [] and result.ingest.article_count == 5 and len(result.ingest.new_ids) == 5
    )
    mine, theirs = (
        json.loads((d / "report.json").read_text(encoding="utf-8"))
        for d in (tmp_path / "r", analysed_sample["out"])
    )
    mine.pop("generated_at"), theirs.pop("generated_at")
    assert mine == theirs
