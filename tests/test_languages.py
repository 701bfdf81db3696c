"""Articles in a language the models do not read (`analysis_languages`) are stored and listed, each as a story
of its own, and nothing is drawn from them: no entity, quote, number, claim or brief sentence."""

import json

import pytest

from newsprism import settings
from newsprism.pipeline import SENTENCE_VECTORS, Pipeline, analysis_of, analyze
from newsprism.store import open_store
from newsprism.text.languages import is_analysed

ENGLISH = (
    "The city council of Riverton voted 7 to 2 on Tuesday to close the old Harbor Street bridge for repairs. "
    '"The bridge is no longer safe for heavy trucks," said Mayor Anna Kowalski after the vote.\n\n'
    "Engineers found cracks in three of the bridge's twelve steel supports last month. The repairs will cost "
    "about $4 million and take eight months, the council said. Trucks will be sent over the Mill Road bridge."
)
GERMAN = (
    "Der Stadtrat von Riverton hat am Dienstag mit sieben zu zwei Stimmen beschlossen, die alte Brücke in der "
    'Hafenstraße für Reparaturen zu schließen. „Die Brücke ist für schwere Lastwagen nicht mehr sicher", sagte '
    "Bürgermeisterin Anna Kowalski nach der Abstimmung.\n\n"
    "Ingenieure hatten im vergangenen Monat Risse in drei der zwölf Stahlstützen der Brücke gefunden. Die "
    "Reparaturen kosten rund vier Millionen Dollar und dauern acht Monate, teilte der Stadtrat mit."
)
# the same event told again in other words, with no language given: the detector finds it
GERMAN_AGAIN = (
    "Die Brücke in der Hafenstraße von Riverton wird für acht Monate gesperrt. Das hat der Stadtrat am Dienstag"
    " beschlossen, nachdem Ingenieure Risse in den Stahlstützen gefunden hatten. Die Reparatur soll rund vier"
    " Millionen Dollar kosten. Lastwagen werden über die Brücke an der Mühlenstraße umgeleitet, sagte die"
    " Bürgermeisterin."
)


def test_languages_read():
    assert is_analysed("en") and is_analysed("en-GB") and is_analysed(None)
    assert not is_analysed("de")
    with settings.override({"analysis_languages": "en, de"}):
        assert is_analysed("de") and not is_analysed("fr")
    with settings.override({"analysis_languages": "*"}):
        assert is_analysed("fr")


def _write_inputs(folder):
    folder.mkdir()
    records = [
        {"id": "en-1", "title": "Riverton closes Harbor Street bridge", "text": ENGLISH},
        {"id": "de-1", "title": "Riverton schließt Brücke", "text": GERMAN, "language": "de"},
        {"id": "de-2", "title": "Brücke in Riverton wird gesperrt", "text": GERMAN_AGAIN},
    ]
    (folder / "news.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n")
    return folder


@pytest.fixture(scope="module")
def analysed(tmp_path_factory):
    work = tmp_path_factory.mktemp("languages")
    inputs = _write_inputs(work / "in")
    analyze([inputs], db=work / "n.db", out=work / "report")
    report = json.loads((work / "report" / "report.json").read_text(encoding="utf-8"))
    return {"report": report, "db": work / "n.db", "out": work / "report", "inputs": inputs}


def _ids(report, language):
    return {a["id"] for a in report["articles"] if a["language"] == language}


def _stories_of(report, language):
    ids = _ids(report, language)
    return [s for s in report["stories"] if ids & set(s["article_ids"])]


def test_nothing_is_drawn_from_an_article_the_models_do_not_read(analysed):
    report = analysed["report"]
    assert sorted(a["language"] for a in report["articles"]) == ["de", "de", "en"]
    german = _stories_of(report, "de")
    assert len(german) == 2
    for story in german:
        (german_id,) = story["article_ids"]
        assert story["not_analysed"] == [german_id]
        assert story["coverage"]["article_ids"] == []
        for part in ("entities", "quotes", "numbers", "claims", "brief", "timeline", "framing"):
            assert story[part] == [], part
        assert story["title"]  # the article's own headline
        assert story["incomplete"] == []  # not a failure: the next run does not retry it
    assert not any(r["source"].startswith("story ") for r in report["rejected"])
    (english,) = _stories_of(report, "en")
    assert english["not_analysed"] == []
    assert english["quotes"] and english["claims"] and english["brief"]


def test_each_is_a_story_of_its_own_neither_embedded_nor_parsed(analysed):
    """Two German reports of one event are not grouped by English vectors and entities, which group
    unrelated German reports as readily (docs/benchmarks.md); and nothing is spent on them."""
    report = analysed["report"]
    for story in _stories_of(report, "de"):
        (member,) = story["membership"]
        assert member["evidence"].startswith("a story of its own: written in de")
    store = open_store(str(analysed["db"]))
    try:
        for article_id in _ids(report, "de"):
            assert store.get_vectors(article_id, SENTENCE_VECTORS) is None
            assert store.get_extraction(article_id) is None
        (english_id,) = _ids(report, "en")
        assert store.get_vectors(english_id, SENTENCE_VECTORS) is not None
    finally:
        store.close()


def test_a_rerun_changes_nothing(analysed, tmp_path):
    analyze([analysed["inputs"]], db=analysed["db"], out=tmp_path / "report")
    report = json.loads((tmp_path / "report" / "report.json").read_text(encoding="utf-8"))
    assert sorted(s["article_ids"] for s in report["stories"]) == sorted(
        s["article_ids"] for s in analysed["report"]["stories"]
    )


def test_the_story_page_says_the_article_was_not_analysed(analysed):
    from newsprism.report.html import StaticUrls

    german = _stories_of(analysed["report"], "de")[0]
    page = (analysed["out"] / StaticUrls().story(german["id"])).read_text(encoding="utf-8")
    assert "Not analysed" in page and "(de)" in page


def test_a_mixed_story_is_analysed_from_its_english_articles(analysed):
    """A store written before, or under other settings, may hold a story of English and German articles: the
    German member adds nothing but its listing."""
    from newsprism.engines import StoryJob
    from newsprism.report.build import analysis_to_dict
    from newsprism.report.views import story_view

    report = analysed["report"]
    german_id = sorted(_ids(report, "de"))[0]
    store = open_store(str(analysed["db"]))
    try:
        pipeline = Pipeline(store)
        articles = store.articles([*_ids(report, "en"), german_id])
        analysis = analysis_of(StoryJob(pipeline.material("mixed", articles), (), "Riverton bridge"))
        assert analysis.not_analysed == (german_id,)
        assert set(analysis.article_ids) == {a.id for a in articles}
        assert analysis.claims and all(german_id not in c.article_ids for c in analysis.claims)
        assert all(q.article_id != german_id for q in analysis.quotes)
        data = analysis_to_dict(analysis)
        assert german_id not in data["coverage"]["article_ids"]
        assert all(len(row) == len(data["coverage"]["article_ids"]) for row in data["coverage"]["matrix"])
        view = story_view(analysis, {a.id: a for a in articles})
        assert [a["language"] for a in view["not_analysed"]] == ["de"]
        assert german_id not in {c["id"] for c in view["coverage"]["articles"]}

        # every language read: the German article is embedded now, and its sentences join the claims
        with settings.override({"analysis_languages": "*"}):
            everything = analysis_of(StoryJob(pipeline.material("mixed", articles), (), "Riverton bridge"))
        assert everything.not_analysed == ()
        assert any(german_id in c.article_ids for c in everything.claims)
    finally:
        store.close()


def test_an_analysis_stored_before_reads_back(analysed):
    from newsprism.report.views import story_view
    from newsprism.store.rows import analysis_from

    data = {**analysed["report"]["stories"][0]}
    data.pop("not_analysed")
    analysis = analysis_from(json.dumps(data))
    assert analysis.not_analysed == () and story_view(analysis, {})["not_analysed"] == []


def test_with_every_language_read_they_are_clustered_and_analysed_as_before(tmp_path):
    inputs = _write_inputs(tmp_path / "in")
    with settings.override({"analysis_languages": "*"}):
        analyze([inputs], db=tmp_path / "n.db", out=tmp_path / "report")
    report = json.loads((tmp_path / "report" / "report.json").read_text(encoding="utf-8"))
    assert all(s["not_analysed"] == [] for s in report["stories"])
    assert any(s["claims"] for s in _stories_of(report, "de"))


def test_an_unsure_guess_leaves_the_language_unknown_and_the_article_analysed():
    """On a short English text the detector guesses another language with little confidence; kept, that
    guess would hide the article's analysis."""
    from newsprism.clean import choose_language

    names = "Angela Merkel, Emmanuel Macron, Mario Draghi met in Rome."
    assert choose_language(None, names) is None and is_analysed(choose_language(None, names))
    assert choose_language("en", names) == "en"
    assert choose_language(None, GERMAN) == "de" and choose_language(None, ENGLISH) == "en"
