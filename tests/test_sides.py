"""Sides of quoted voices and the story's neutral title (brief/sides.py, brief/framing.py)."""

from __future__ import annotations

from newsprism.brief import frame_articles, neutral_title
from newsprism.brief.sides import UNAFFILIATED, side_of, speaker_sides
from newsprism.records import Article, DuplicateReport, Entity, Quote

from .fixtures.claims import seed


def _quote(article_id: str, speaker: str, affiliation: str | None = None) -> Quote:
    return Quote(article_id, "words of the speaker", 0, 5, speaker, speaker, affiliation=affiliation)


def test_seats_and_demonyms_name_their_country():
    assert side_of("the Kremlin") == "Russia"
    assert side_of("State Department") == "United States"
    assert side_of("Chinese") == "China"
    assert side_of("Russia") == "Russia"
    assert side_of("Amnesty International") is None


def test_an_affiliation_read_once_gives_the_speaker_a_side_across_the_story():
    quotes = [
        _quote("a", "Vedant Patel", "State Department"),
        _quote("b", "Vedant Patel"),  # "Patel said" in another article
        _quote("b", "Jens Stoltenberg", "NATO"),
        _quote("c", "Jane Roe"),
    ]
    sides = speaker_sides(quotes)
    assert sides == {"Vedant Patel": "United States", "Jens Stoltenberg": "NATO", "Jane Roe": UNAFFILIATED}


def test_role_aliases_countries_and_joint_speakers():
    entities = [
        Entity("vladimir-putin", "Vladimir Putin", "PERSON", ("Putin", "Russian President"), (("a", 3),)),
        Entity("xi-jinping", "Xi Jinping", "PERSON", ("Xi", "Chinese leader"), (("a", 2),)),
    ]
    quotes = [
        _quote("a", "Vladimir Putin"),
        _quote("a", "Xi Jinping"),
        _quote("a", "the Kremlin"),
        _quote("a", "Putin and Chinese President Xi Jinping", "China"),  # the affiliation is Xi's only
        _quote("a", "Russia and China"),
        _quote("a", "Xi Jinping and Russia's Vladimir Putin"),
    ]
    sides = speaker_sides(quotes, entities)
    assert sides["Vladimir Putin"] == "Russia" and sides["Xi Jinping"] == "China"
    assert sides["the Kremlin"] == "Russia"
    assert sides["Putin and Chinese President Xi Jinping"] == "China and Russia"
    assert sides["Russia and China"] == "China and Russia"
    assert sides["Xi Jinping and Russia's Vladimir Putin"] == "China and Russia"


def test_framing_groups_each_articles_voices_by_side():
    arts = [
        Article(
            id="a", source="a", text="The ministry spoke. The embassy spoke too.", published="2024-01-01"
        ),
        Article(id="b", source="b", text="Officials spoke at length on Monday.", published="2024-01-02"),
    ]
    quotes = [
        _quote("a", "Vedant Patel", "State Department"),
        _quote("a", "Vedant Patel"),
        _quote("a", "Maria Zakharova", "Russia"),
        _quote("b", "Vedant Patel"),
    ]
    framing = {
        f.article_id: f for f in frame_articles(seed.material_for(arts), [], quotes, DuplicateReport())
    }
    a = framing["a"].voices
    assert [(v.side, v.speakers, v.quotes) for v in a] == [
        ("United States", ("Vedant Patel",), 2),
        ("Russia", ("Maria Zakharova",), 1),
    ]
    assert [(v.side, v.quotes) for v in framing["b"].voices] == [("United States", 1)]


def test_the_neutral_title_is_the_least_loaded_headline():
    body = "The central bank raised its main interest rate by half a point on Wednesday."
    arts = [
        Article(
            id="a",
            source="a",
            text=body,
            title="Reckless bank brazenly hikes rates in disastrous move",
            published="2024-01-01",
        ),
        Article(
            id="b",
            source="b",
            text=body,
            title="Central bank raises interest rate by half a point",
            published="2024-01-01",
        ),
        Article(id="c", source="c", text=body, title=None, published="2024-01-01"),
    ]
    material = seed.material_for(arts)
    assert neutral_title(material) == "Central bank raises interest rate by half a point"
    framing = {f.article_id: f for f in frame_articles(material, [], [], DuplicateReport())}
    assert framing["b"].headline_overlap == 1.0 and framing["b"].headline_loaded_terms == ()
    assert framing["a"].headline_overlap < 0.5 and "reckless" in framing["a"].headline_loaded_terms
    assert framing["a"].headline_tone < 0 and framing["c"].headline_tone is None


def test_a_surname_that_is_a_country_gives_no_side():
    entities = [Entity("jim-jordan", "Jim Jordan", "PERSON", ("Jordan",), (("a", 2),))]
    assert speaker_sides([_quote("a", "Jim Jordan")], entities) == {"Jim Jordan": UNAFFILIATED}
