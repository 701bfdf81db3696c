"""Brief, framing and timeline on the seed story and small hand-written fixtures."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from newsprism import settings
from newsprism.brief import build_timeline, frame_articles, summary, write_brief
from newsprism.brief.loaded import loaded_terms
from newsprism.claims import build_claims
from newsprism.records import Article, ArticleExtraction, DateMention, DuplicateReport, Quote, Sentence

from .fixtures.claims import seed


@pytest.fixture(scope="module")
def story():
    material = seed.seed_material()
    groups, _ = build_claims(material, seed.wire_duplicates())
    return material, groups


def _check_cited(material, brief):
    texts = {a.id: a.text for a in material.articles}
    assert brief
    for sentence in brief:
        assert sentence.citations, sentence.text
        assert set(sentence.citations) == {e.article_id for e in sentence.evidence}
        for ev in sentence.evidence:
            assert texts[ev.article_id][ev.start : ev.end] == ev.text
        # The brief sentence is a real source sentence (lead-in aside, first letter recased), from its first
        # evidence.
        assert sentence.text.lower() in " ".join(sentence.evidence[0].text.split()).lower()


def test_brief_every_sentence_cited(story):
    material, groups = story
    brief = write_brief(material, groups)
    assert 1 <= len(brief) <= 8
    _check_cited(material, brief)
    assert any(len(s.citations) >= 3 for s in brief)  # the corroborated partnership claim is cited widely
    stated = [s.claim_id for s in brief if s.claim_id]
    assert len(stated) == len(set(stated))  # no claim group twice ("no limits" = "no holds barred")
    assert sum("no limits" in s.text or "no holds barred" in s.text for s in brief) <= 1
    assert not any(s.text.startswith("BEIJING") for s in brief)


def test_brief_never_states_a_quote_cut_from_its_speaker():
    """The middle of a multi-sentence quote reads as the brief's own claim once its attribution is gone."""
    text = (
        "The two ministers met in Geneva on Monday to discuss the ceasefire. "
        '"We agreed on a timetable," the foreign minister said after the talks. "The withdrawal will be '
        "complete by the end of the year and the border will reopen in spring."
    )
    other = "The ministers met in Geneva on Monday and discussed a ceasefire timetable for the border."
    arts = [
        Article(id="a", source="a", text=text, published="2024-01-02"),
        Article(id="b", source="b", text=other, published="2024-01-02"),
    ]
    brief = write_brief(seed.material_for(arts), [], max_sentences=5)
    assert brief and not any(s.text.startswith('"The withdrawal') for s in brief)
    assert summary._unbalanced('"The withdrawal will be complete by the end of the year.')
    assert not summary._unbalanced('"It will be complete," she said.')
    assert not summary._unbalanced("The border will reopen in spring.")


def test_brief_without_claims_and_max_sentences(story):
    material, _ = story
    brief = write_brief(material, [], max_sentences=3)
    assert len(brief) == 3
    _check_cited(material, brief)


def test_brief_prefers_neutral_wording():
    neutral = "The central bank raised its main interest rate by half a point on Wednesday."
    loaded = "The reckless central bank brazenly hiked its rate in a disastrous move on Wednesday."
    arts = [
        Article(id="n", source="n", text=neutral, published="2024-01-02"),
        Article(id="l", source="l", text=loaded, published="2024-01-02"),
    ]
    brief = write_brief(seed.material_for(arts), [], max_sentences=1)
    assert brief[0].text == neutral
    assert "reckless" in loaded_terms(loaded) and not loaded_terms('He called it "a reckless move".')


def test_framing(story):
    material, groups = story
    quotes = [Quote("001", "The China-Russia relationship today is hard-earned", 0, 10, "Xi Jinping", "Xi")]
    framing = frame_articles(material, groups, quotes, seed.wire_duplicates())
    by_id = {f.article_id: f for f in framing}
    assert set(by_id) == {a.id for a in material.articles}
    assert by_id["001"].quoted_speakers == ("Xi Jinping",)
    assert by_id["001"].headline == "Xi, Putin Pledge a New Era, Condemn U.S."
    partnership = next(g for g in groups if any("no limits" in e.text for e in g.evidence))
    assert partnership.id in by_id["001"].covered
    # 000 says the two countries' "partnership is in line with the fundamental interests of Russia and China"
    # (cosine 0.67): close enough that "leaves out the no-limits partnership" could be wrong, so it is not said
    assert partnership.id not in by_id["000"].omitted
    assert "hegemon" in by_id["004"].loaded_terms
    assert all(0.0 <= f.loaded_score <= 1.0 for f in framing)


def test_an_article_leaves_out_only_what_no_sentence_of_it_comes_close_to():
    texts = [
        "The earthquake in Vantor province killed 12 people on Monday, officials said.\n\n"
        "Governor Ilse Marten visited the damaged hospital in Vantor on Tuesday.",
        "Officials said the earthquake in Vantor province killed 12 people on Monday.\n\n"
        "Governor Ilse Marten visited the damaged hospital in Vantor on Tuesday.",
        "Governor Ilse Marten visited the damaged hospital in Vantor on Tuesday.\n\n"
        "She promised new funds for rebuilding the wing by next spring.",
    ]
    arts = [
        Article(id=f"a{i}", source=f"t{i}", text=t, published=f"2024-03-0{i + 1}", outlet=f"Outlet {i}")
        for i, t in enumerate(texts)
    ]
    material = seed.material_for(arts)
    groups, _ = build_claims(material, DuplicateReport())
    toll = next(g for g in groups if "killed 12 people" in g.text)
    omitted = {f.article_id: f.omitted for f in frame_articles(material, groups, [], DuplicateReport())}
    assert omitted == {"a0": (), "a1": (), "a2": (toll.id,)}
    # the same article with the toll in other words no longer leaves it out
    arts[2] = replace(
        arts[2], text=arts[2].text + "\n\nTwelve people died when the quake struck Vantor on Monday."
    )
    material = seed.material_for(arts)
    groups, _ = build_claims(material, DuplicateReport())
    assert all(not f.omitted for f in frame_articles(material, groups, [], DuplicateReport()))


def test_timeline_orders_dated_events():
    arts = [
        Article(
            id="x",
            source="x",
            text="The dam failed on March 3, 2024, flooding two towns.\n\n"
            "Rescue teams reached the towns on March 5, 2024.",
            published="2024-03-06",
        ),
        Article(
            id="y",
            source="y",
            text="The dam failed on March 3, flooding two towns downstream.",
            published="2024-03-07",
        ),
        Article(
            id="z",
            source="z",
            text="Engineers will inspect every dam in the region this summer.",
            published="2024-03-08",
        ),
    ]

    def mention(art, phrase, iso):
        s = art.text.index(phrase)
        sentence_start = art.text.rfind("\n", 0, s) + 1
        end = art.text.find("\n", s)
        end = len(art.text) if end < 0 else end
        return DateMention(art.id, phrase, s, s + len(phrase), iso, sentence_start, end)

    extractions = {
        "x": ArticleExtraction(
            "x",
            dates=(
                mention(arts[0], "March 3, 2024", "2024-03-03"),
                mention(arts[0], "March 5, 2024", "2024-03-05"),
            ),
        ),
        "y": ArticleExtraction("y", dates=(mention(arts[1], "March 3", "2024-03-03"),)),
    }
    timeline = build_timeline(seed.material_for(arts, extractions=extractions))
    assert [e.date for e in timeline] == ["2024-03-03", "2024-03-05", "2024-03-08"]
    assert {e.article_id for e in timeline[0].evidence} == {"x", "y"}  # one event, two sources
    assert timeline[2].text.startswith("Engineers")  # publication date fallback


def test_a_date_still_ahead_when_reported_is_scheduled_not_an_event():
    art = Article(
        id="x",
        source="x",
        text="The minister resigned on March 3, 2024.\n\nHer last day in office will be April 30, 2024.",
        published="2024-03-06",
    )

    def mention(phrase, iso):
        s = art.text.index(phrase)
        sentence_start = art.text.rfind("\n", 0, s) + 1
        end = art.text.find("\n", s)
        return DateMention(
            art.id, phrase, s, s + len(phrase), iso, sentence_start, len(art.text) if end < 0 else end
        )

    extraction = ArticleExtraction(
        "x", dates=(mention("March 3, 2024", "2024-03-03"), mention("April 30, 2024", "2024-04-30"))
    )
    timeline = build_timeline(seed.material_for([art], extractions={"x": extraction}))
    assert [(e.date, e.scheduled) for e in timeline] == [("2024-03-03", False), ("2024-04-30", True)]
    # published given only to the month: nothing in that month is still ahead
    art_month = Article(id="x", source="x", text=art.text, published="2024-04")
    timeline = build_timeline(seed.material_for([art_month], extractions={"x": extraction}))
    assert not any(e.scheduled for e in timeline)


def test_empty_inputs():
    material = seed.material_for([])
    assert write_brief(material, []) == ()
    assert build_timeline(material) == ()
    assert frame_articles(material, [], [], DuplicateReport()) == ()


def _two_outlets(first: str, second: str, title_a: str | None = None, title_b: str | None = None):
    return [
        Article(id="a", source="a", text=first, title=title_a, published="2024-03-04"),
        Article(id="b", source="b", text=second, title=title_b, published="2024-03-04"),
    ]


def test_brief_reads_as_prose_after_its_top_sentence():
    # Story fixture of our own: the event, a reaction and a look back, in two outlets.
    a = (
        "The city council approved a new bus lane on Main Street on Tuesday. "
        "Mayor Ana Ruiz said the lane would cut commute times for thousands of riders. "
        "The council had rejected a similar plan in 2019 after objections from shop owners."
    )
    b = (
        "A bus lane on Main Street won council approval on Tuesday after a long debate. "
        "Work on the lane starts in June and should take about four months."
    )
    material = seed.material_for(_two_outlets(a, b))
    with settings.override({"brief_lead_words": 1000}):
        brief = write_brief(material, [], max_sentences=5)
    _check_cited(material, brief)
    kinds = [summary._kind(Sentence("x", 0, 0, len(s.text), s.text)) for s in brief]
    # The opening pick is the shared core event; after it, what happened / reactions / background.
    assert "bus lane" in brief[0].text and "approv" in brief[0].text
    assert kinds[1:] == sorted(kinds[1:])
    assert summary._kind(Sentence("x", 0, 0, 10, "Mayor Ana Ruiz said it helps.")) == summary._REACTED
    assert summary._kind(Sentence("x", 0, 0, 10, "The plan had failed in 2019.")) == summary._BACKSTORY
    assert summary._kind(Sentence("x", 0, 0, 10, "Work starts in June.")) == summary._HAPPENED


def test_prose_order_keeps_the_most_relevant_sentences_in_the_opening():
    # With a tight opening budget a later pick never jumps ahead of an earlier one across the opening's edge.
    picks = [
        summary._Candidate("a", Sentence("a", i, 0, 1, text), np.zeros(2), 0, 1, None)
        for i, text in enumerate(
            [
                "The council approved the lane on Tuesday.",
                "The mayor said it was a good day for riders.",
                "Works start in June.",
                "The plan had failed in 2019.",
                "Shop owners said they would appeal.",
            ]
        )
    ]
    with settings.override({"brief_lead_words": 12}):
        ordered = summary._prose_order(picks)
    assert [c.sentence.index for c in ordered] == [0, 1, 2, 4, 3]
    assert summary._prose_order(picks[:1]) == picks[:1]


def test_headline_similarity_steers_the_pick():
    a = (
        "Snow closed the mountain pass for the third day on Friday. "
        "Officials reopened the regional airport after repairs to its runway lights."
    )
    b = "The regional airport reopened on Friday once its runway lights were repaired."
    arts = _two_outlets(
        a, b, title_a="Airport reopens after runway light repairs", title_b="Airport back in service"
    )
    material = seed.material_for(arts)
    sims = summary._title_similarity(material, summary._candidates(material, []))
    assert sims[1] > sims[0]  # the airport sentence is closer to its own headline than the snow sentence
    untitled = seed.material_for(_two_outlets(a, b))
    assert summary._title_similarity(untitled, summary._candidates(untitled, [])) == [0.0, 0.0, 0.0]


def test_shared_words_measure_lexical_corroboration():
    a = "Storm Elsa flooded the harbour district overnight. A bakery owner baked bread for volunteers."
    b = "The harbour district flooded as Storm Elsa passed overnight."
    material = seed.material_for(_two_outlets(a, b))
    candidates = summary._candidates(material, [])
    shared = dict(
        zip((c.sentence.text for c in candidates), summary._shared_words(material, candidates), strict=True)
    )
    assert shared["Storm Elsa flooded the harbour district overnight."] > 0.8
    assert shared["A bakery owner baked bread for volunteers."] == 0.0


@pytest.mark.parametrize(
    ("source", "stated"),
    [
        (
            "(CNN)US President Joe Biden signed the bill on Friday.",
            "US President Joe Biden signed the bill on Friday.",
        ),
        (
            "VIDEO: Flooding closed the main bridge into the city.",
            "Flooding closed the main bridge into the city.",
        ),
        (
            "Why it matters: The vote sets the budget for two years.",
            "The vote sets the budget for two years.",
        ),
        ("Meanwhile, the senate passed the measure 52-48.", "The senate passed the measure 52-48."),
        ("Now, as testing ramps up, labs are short of kits.", "As testing ramps up, labs are short of kits."),
    ],
)
def test_compact_trims_lead_ins_that_carry_no_claim(source, stated):
    assert summary.compact(source) == stated


@pytest.mark.parametrize(
    "source",
    [
        "MAYOR: We will rebuild every house that the flood took.",  # a transcript speaker, never dropped
        "However, he said.",  # too little left to state
        "(Some outlets reported a lower figure of 40 deaths.)",  # an aside, not a wire credit
        "Nowhere else did the storm do as much damage.",
    ],
)
def test_compact_keeps_speakers_and_content(source):
    assert summary.compact(source) == source


def test_compacted_brief_sentence_keeps_its_source_span():
    text = "Meanwhile, the city council approved the new transit budget on Monday evening."
    other = "The city council approved the new transit budget on Monday evening after a debate."
    material = seed.material_for(_two_outlets(text, other))
    stated = {s.evidence[0].article_id: s for s in write_brief(material, [], max_sentences=2)}
    assert stated["a"].text == "The city council approved the new transit budget on Monday evening."
    own = stated["a"].evidence[0]
    # The evidence is still the whole source sentence, lead-in included.
    assert (own.start, own.end, own.text) == (0, len(text), text)


def test_brief_states_a_quotation_only_with_its_speaker_named_in_the_sentence():
    from newsprism.extract import extract_articles

    text = (
        "Senator Ana Ruiz met the mayor in Lima on Monday to discuss the new water law.\n\n"
        '"We will not back down on the water law," Ruiz said after the meeting.\n\n'
        "The mayor left before the vote.\n\n"
        '"This law is a disgrace to the city and its people," he said.'
    )
    other = "Senator Ana Ruiz and the mayor of Lima discussed the water law at a meeting on Monday."
    arts = [
        Article(id="a", source="a", text=text, published="2024-01-02"),
        Article(id="b", source="b", text=other, published="2024-01-02"),
    ]
    extractions = {e.article_id: e for e in extract_articles(arts)}
    brief = write_brief(seed.material_for(arts, extractions=extractions), [], max_sentences=6)
    texts = [s.text for s in brief]
    assert not any("disgrace" in t for t in texts)  # "he" is whoever the reader guesses: never stated
    assert any("We will not back down" in t for t in texts)  # Ruiz is named in the sentence


def test_an_article_that_states_the_fact_in_its_own_sentence_does_not_leave_it_out():
    from newsprism.brief.framing import _stated_elsewhere
    from newsprism.records import ClaimGroup, Evidence

    fact = "The city council approved a budget of 2 billion dollars for new schools on Tuesday."
    arts = [
        Article(id="a", source="a", text=fact, published="2024-01-02"),
        Article(
            id="b",
            source="b",
            text="On Tuesday the council approved a 2 billion dollar budget for new schools.",
            published="2024-01-02",
        ),
        Article(
            id="c",
            source="c",
            text="A storm closed the port on Tuesday and ferries stayed in harbour.",
            published="2024-01-02",
        ),
    ]
    material = seed.material_for(arts)
    group = ClaimGroup(
        id="g",
        text=fact,
        article_ids=("a",),
        status="single_source",
        evidence=(Evidence("a", 0, len(fact), fact),),
        outlets=(),
        earliest="a",
        independent_sources=1,
    )
    stated = _stated_elsewhere(material, [group])
    assert ("g", "b") in stated and ("g", "c") not in stated


def test_one_quotation_under_two_spellings_of_one_name_is_no_clash():
    from newsprism.claims.groups import _same_speaker

    assert _same_speaker("Dick Durbin", "Richard J. Durbin")
    assert _same_speaker("Xi", "Xi Jinping")
    assert not _same_speaker("Dick Durbin", "Chuck Schumer")


def test_a_piece_of_a_quotation_running_over_sentences_is_never_stated_and_and_but_are_trimmed():
    assert summary._unbalanced('offensive and wrong," Romney said on Tuesday.')
    assert summary._unbalanced("“As I said yesterday, the comments were offensive.")
    assert not summary._unbalanced("“It was wrong,” Romney said.")
    assert summary.compact("But the council approved the budget on Tuesday.") == (
        "The council approved the budget on Tuesday."
    )
    assert summary.compact("And so it goes.") == "So it goes."


def test_words_inside_a_quotation_over_several_sentences_are_never_stated():
    text = (
        "Justice Ruth Bader Ginsburg criticised the candidate in an interview on Sunday.\n\n"
        "“I can’t imagine what the country would be with him as president. "
        "For the country, it could be four years. "
        "For the court, it could be worse,” she said."
    )
    article = Article(id="a", source="a", text=text, published="2024-01-02")
    start = text.index("“")
    quote = Quote(
        "a", text[start : text.index("”") + 1], start, text.index("”") + 1, "Ruth Bader Ginsburg", "she"
    )
    material = seed.material_for([article], extractions={"a": ArticleExtraction("a", quotes=(quote,))})
    candidates = summary._candidates(material, [])
    relevance = summary._relevance(material, candidates)
    middle = next(k for k, c in enumerate(candidates) if c.sentence.text.startswith("For the country"))
    assert relevance[middle] == -np.inf


def test_the_brief_introduces_a_person_by_the_full_name_the_article_gives():
    from newsprism.records import BriefSentence, EntityMention, Evidence

    said = "Later, Mr. McConnell said the deal “was fair to McConnell voters” and left."
    spoke = "Mr. Hale and Ana Hale spoke after him."
    text = f"Senator Mitch McConnell met the governors on Monday. {said} {spoke}"
    names = [
        ("Mitch McConnell", 0),
        ("McConnell", text.index("McConnell said")),
        ("Hale", text.index("Hale and")),
    ]
    names.append(("Ana Hale", text.index("Ana Hale")))
    mentions = tuple(EntityMention("a0", at, at + len(name), name, "PERSON") for name, at in names)
    article = Article(id="a0", source="t0", text=text, published="2024-03-01")
    extractions = {"a0": ArticleExtraction(article_id="a0", mentions=mentions)}
    material = seed.material_for([article], extractions=extractions)

    def sentence(words):
        start = text.index(words)
        return BriefSentence(words, ("a0",), (Evidence("a0", start, start + len(words), words),))

    first, second = summary._introduce_people(material, [sentence(said), sentence(spoke)])
    # the first mention outside the quotation gets the full name the article gave before; the quote stays as said
    assert first.text == "Later, Mitch McConnell said the deal “was fair to McConnell voters” and left."
    assert second.text == spoke  # the article names no Hale in full before "Mr. Hale": no name is guessed
    # once the brief has named him, a later sentence keeps the article's wording
    assert summary._introduce_people(material, [sentence(said), sentence(said)])[1].text == said
