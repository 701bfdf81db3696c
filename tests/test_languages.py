"""Articles in a language the models do not read are stored, clustered and listed, but no entity, quote,
claim or brief is drawn from them (`analysis_languages`)."""

import json

import pytest

from newsprism import settings
from newsprism.pipeline import Pipeline, analysis_of, analyze
from newsprism.records import StoryAnalysis
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
        {
            "id": "de-1",
            "title": "Riverton schließt Brücke in der Hafenstraße",
            "text": GERMAN,
            "language": "de",
        },
    ]
    (folder / "news.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n")
    return folder


@pytest.fixture(scope="module")
def analysed(tmp_path_factory):
    work = tmp_path_factory.mktemp("languages")
    inputs = _write_inputs(work / "in")
    analyze([inputs], db=work / "n.db", out=work / "report")
    report = json.loads((work / "report" / "report.json").read_text(encoding="utf-8"))
    return {"report": report, "db": work / "n.db", "out": work / "report"}


def _story_of(report, language):
    ids = {a["id"] for a in report["articles"] if a["language"] == language}
    return [s for s in report["stories"] if ids & set(s["article_ids"])]


def test_an_article_the_models_do_not_read_is_listed_and_nothing_is_drawn_from_it(analysed):
    report = analysed["report"]
    assert {a["language"] for a in report["articles"]} == {"en", "de"}
    german_id = next(a["id"] for a in report["articles"] if a["language"] == "de")
    for story in _story_of(report, "de"):
        assert german_id in story["not_analysed"] and german_id in story["article_ids"]
        assert german_id in {m["article_id"] for m in story["membership"]}
        assert german_id not in story["coverage"]["article_ids"]
        for part in ("entities", "quotes", "numbers", "claims", "brief", "timeline", "framing"):
            assert all(german_id not in json.dumps(item) for item in story[part]), part
        assert story["incomplete"] == []  # not a failure: nothing is retried
    assert not any(r["source"].startswith("story ") for r in report["rejected"])
    (english,) = [s for s in _story_of(report, "en") if not s["not_analysed"]] or _story_of(report, "en")
    assert english["quotes"] and english["claims"] and english["brief"]


def test_the_story_page_says_which_articles_were_not_analysed(analysed):
    german = _story_of(analysed["report"], "de")[0]
    from newsprism.report.html import StaticUrls

    page = (analysed["out"] / StaticUrls().story(german["id"])).read_text(encoding="utf-8")
    assert "Not analysed" in page and "(de)" in page


def test_a_mixed_story_is_analysed_from_its_english_articles(analysed):
    """However the clusterer groups them: the German member of a story adds nothing but its listing."""
    from newsprism.engines import StoryJob
    from newsprism.report.build import analysis_to_dict
    from newsprism.report.views import story_view
    from newsprism.store import open_store

    store = open_store(str(analysed["db"]))
    try:
        pipeline = Pipeline(store)
        articles = store.articles([a["id"] for a in analysed["report"]["articles"]])
        material = pipeline.material("mixed", articles)
        analysis = analysis_of(StoryJob(material, (), "Riverton bridge"))
        german_id = next(a.id for a in articles if a.language == "de")
        assert analysis.not_analysed == (german_id,)
        assert set(analysis.article_ids) == {a.id for a in articles}
        assert analysis.claims and all(german_id not in c.article_ids for c in analysis.claims)
        assert all(q.article_id != german_id for q in analysis.quotes)
        data = analysis_to_dict(analysis)
        assert german_id not in data["coverage"]["article_ids"]
        assert all(len(row) == len(data["coverage"]["article_ids"]) for row in data["coverage"]["matrix"])
        view = story_view(
            data, {a.id: {"id": a.id, "language": a.language, "title": a.title} for a in articles}
        )
        assert [a["language"] for a in view["not_analysed"]] == ["de"]
        assert german_id not in {c["id"] for c in view["coverage"]["articles"]}

        with settings.override({"analysis_languages": "*"}):  # what every article got before
            everything = analysis_of(StoryJob(pipeline.material("mixed", articles), (), "Riverton bridge"))
        assert everything.not_analysed == ()
        assert any(german_id in c.article_ids for c in everything.claims)
    finally:
        store.close()


def test_an_old_stored_analysis_without_the_field_reads_back(analysed):
    data = {**analysed["report"]["stories"][0]}
    data.pop("not_analysed")
    from newsprism.report.views import story_view

    assert story_view(data, {})["not_analysed"] == []
    assert StoryAnalysis.__dataclass_fields__["not_analysed"].default == ()
