"""Round 3 of extraction: role descriptors and place senses in entities, number ranges, relative dates."""

from __future__ import annotations

from dataclasses import replace

import pytest

from newsprism.extract import canonicalize, extract_articles
from newsprism.records import Article, StoryMaterial


def _extract(*texts: str, published: str | None = "2024-05-16"):
    articles = [Article(id=f"a{i}", source=f"t{i}", text=t, published=published) for i, t in enumerate(texts)]
    return articles, extract_articles(articles)


def _story(*texts: str):
    articles, extractions = _extract(*texts)
    material = StoryMaterial("s", tuple(articles), {}, {}, {e.article_id: e for e in extractions})
    entities, _quotes, _attributed = canonicalize(material)
    return {(e.label, e.name): e for e in entities}


# ---------------------------------------------------------------- entities

STORY = (
    "Brazilian President Marta Ribeiro met Argentine President Tomas Vidal in Lima on Monday. "
    "Ribeiro said trade would grow.",
    "The Brazilian leader left Lima after the talks. The Argentine president stayed for a dinner.",
)


def test_role_descriptor_counts_as_the_named_person_across_articles():
    entities = _story(*STORY)
    ribeiro = entities[("PERSON", "Marta Ribeiro")]
    vidal = entities[("PERSON", "Tomas Vidal")]
    assert dict(ribeiro.mentions_per_article)["a1"] == 1  # "The Brazilian leader", named only in a0
    assert "Brazilian leader" in ribeiro.aliases
    assert dict(vidal.mentions_per_article)["a1"] == 1
    assert not any(label == "ROLE" for label, _ in entities)


def test_role_descriptor_without_a_matching_title_stays_unresolved():
    entities = _story(
        "Brazilian President Marta Ribeiro spoke in Lima.",
        "The former Chinese leader criticised the plan. The Peruvian minister did too.",
    )
    ribeiro = entities[("PERSON", "Marta Ribeiro")]
    assert "a1" not in dict(ribeiro.mentions_per_article)
    assert not any(label == "ROLE" for label, _ in entities)


def test_place_name_as_government_versus_city():
    _, (ex,) = _extract(
        "Officials arrived in Lisbon on Tuesday. Lisbon accused Madrid of breaking the deal, and "
        "Lisbon's position has not changed. Ties with Lisbon have cooled."
    )
    senses = [(m.text, m.label) for m in ex.mentions if m.text == "Lisbon"]
    assert senses == [("Lisbon", "GPE"), ("Lisbon", "ORG"), ("Lisbon", "ORG"), ("Lisbon", "ORG")]


def test_countries_keep_their_place_label():
    _, (ex,) = _extract("Portugal accused Spain of breaking the deal on Tuesday.")
    assert ("Portugal", "GPE") in [(m.text, m.label) for m in ex.mentions]


def test_title_case_headline_junk_is_dropped_but_names_in_the_body_kept():
    _, (ex,) = _extract(
        "Ribeiro And Vidal Seal Historic Grain Pact\n\n"
        "Brazilian President Marta Ribeiro and Tomas Vidal signed a grain pact in Lima on Monday."
    )
    head_end = len("Ribeiro And Vidal Seal Historic Grain Pact")
    in_head = [m.text for m in ex.mentions if m.start < head_end]
    assert all(text in {"Ribeiro", "Vidal"} for text in in_head)
    assert any(m.text == "Marta Ribeiro" for m in ex.mentions)


def test_lowercase_entities_are_dropped():
    _, (ex,) = _extract("The democratic process in Lima was praised by observers.")
    assert all(any(c.isupper() for c in m.text) for m in ex.mentions)


# ---------------------------------------------------------------- numbers


@pytest.mark.parametrize(
    "sentence, phrase, value, high, unit, measure, qualifier",
    [
        (
            "They have met more than 40 times since 2012.",
            "more than 40 times",
            40,
            None,
            "times",
            "count",
            "more than",
        ),
        (
            "The convoy had as many as 21 vehicles.",
            "as many as 21 vehicles",
            21,
            None,
            "vehicles",
            "count",
            "as many as",
        ),
        (
            "Between 5 and 7 million people were displaced.",
            "Between 5 and 7 million people",
            5e6,
            7e6,
            "people",
            "count",
            "range",
        ),
        ("Officials counted 5-7 million people.", "5-7 million people", 5e6, 7e6, "people", "count", "range"),
        (
            "Trade reached nearly $240 billion last year.",
            "nearly $240 billion",
            240e9,
            None,
            "USD",
            "money",
            "nearly",
        ),
        ("The plan cost $55bn in all.", "$55bn", 55e9, None, "USD", "money", None),
        ("Inflation rose 3.5% in April.", "3.5%", 3.5, None, "percent", "percent", None),
        (
            "It covers up to 15 per cent of the force.",
            "up to 15 per cent",
            15,
            None,
            "percent",
            "percent",
            "up to",
        ),
        ("Prices fell by 2 to 3 percent.", "2 to 3 percent", 2, 3, "percent", "percent", "range"),
        ("The border runs for about 4,200 km.", "about 4,200 km", 4200, None, "km", "distance", "about"),
        ("The pipeline is 2,000 miles long.", "2,000 miles", 2000, None, "mi", "distance", None),
    ],
)
def test_numbers_keep_ranges_approximations_units_and_kinds(
    sentence, phrase, value, high, unit, measure, qualifier
):
    _, (ex,) = _extract(sentence)
    facts = {n.text: n for n in ex.numbers}
    assert phrase in facts, facts
    fact = facts[phrase]
    assert fact.value == pytest.approx(value)
    assert (fact.value_high is None) if high is None else fact.value_high == pytest.approx(high)
    assert (fact.unit, fact.measure, fact.qualifier) == (unit, measure, qualifier)
    assert sentence[fact.start : fact.end] == phrase


# ---------------------------------------------------------------- dates

DATED = (
    "The minister said on Thursday that talks would resume tomorrow. Earlier today the envoys met; "
    "last year they met twice, and they will meet again next month. The deal was signed yesterday."
)


def test_relative_dates_resolve_against_the_published_date():
    _, (ex,) = _extract(DATED, published="2024-05-18")  # a Saturday
    resolved = {d.text: d.resolved for d in ex.dates}
    assert resolved["Thursday"] == "2024-05-16"
    assert resolved["tomorrow"] == "2024-05-19"
    assert resolved["Earlier today"] == "2024-05-18"
    assert resolved["last year"] == "2023"
    assert resolved["next month"] == "2024-06"
    assert resolved["yesterday"] == "2024-05-17"


def test_relative_dates_without_a_published_date_are_not_guessed():
    _, (ex,) = _extract(DATED + " It began on May 2, 2024.", published=None)
    resolved = {d.text: d.resolved for d in ex.dates}
    assert resolved["Thursday"] is None and resolved["tomorrow"] is None and resolved["last year"] is None
    assert resolved["May 2, 2024"] == "2024-05-02"  # an absolute date needs no anchor


def test_a_quoted_today_counts_from_when_the_words_were_said():
    text = (
        "“Today's vote was a betrayal of every family we represent,” said Ana Ruiz, bashing the senators on "
        "Monday.\n\n“We will keep fighting today and every day,” Ruiz added."
    )
    _, (ex,) = _extract(text, published="2024-05-21")  # a Tuesday
    resolved = {d.text: d.resolved for d in ex.dates}
    assert resolved["Monday"] == "2024-05-20"
    assert resolved["Today"] is None  # said on Monday, not on the day of publication
    assert resolved["today"] == "2024-05-21"  # no day given for these words: taken as the day of publication


def test_a_past_clause_reaches_a_date_deep_in_its_phrases_but_not_one_in_an_appositive():
    text = (
        "The e-mails revealed no new details about the agency's evolving account of the Oct. 15 flood, which "
        "killed four people. "
        "Tom Ward, a candidate in the county primary on June 3, announced his run on Monday. "
        "Critics of the post-Sept. 11 law spoke out."
    )
    _, (ex,) = _extract(text, published="2024-01-23")
    resolved = {d.text: d.resolved for d in ex.dates}
    assert resolved["Oct. 15"] == "2023-10-15"  # revealed ... the account of the Oct. 15 flood: last October
    assert resolved["June 3"] == "2024-06-03"  # the appositive's primary is not what he announced
    assert all(v is None for k, v in resolved.items() if "Sept. 11" in k)  # an era, not a day


def test_low_end_of_a_number_range_is_not_a_date():
    _, (ex,) = _extract("Between 5 and 7 million people were displaced, officials said.")
    assert ex.dates == ()


# ---------------------------------------------------------------- who-said-what round: types, junk, dates


def test_one_type_per_name_in_a_story_and_a_surname_is_the_person():
    entities = _story(
        "Speaker Nancy Pelosi met the president on Friday. Pelosi said the talks would go on.",
        "Pelosi returned to the Capitol. Democrats backed Pelosi.",
    )
    labels_of = {}
    for (label, name), entity in entities.items():
        for form in (name, *entity.aliases):
            labels_of.setdefault(form, set()).add(label)
    assert all(len(labels) == 1 for labels in labels_of.values())
    assert ("PERSON", "Nancy Pelosi") in entities
    assert not any(name == "Pelosi" for (_label, name) in entities)


def test_a_dateline_is_a_place():
    _, (ex,) = _extract("HOUSTON — The council met on Tuesday.\n\nIt voted on a budget.")
    assert [(m.text, m.label) for m in ex.mentions if m.text == "HOUSTON"] == [("HOUSTON", "GPE")]


def test_words_that_are_no_name_make_no_entity():
    from newsprism.text.names import is_name

    assert is_name("Department of State") and is_name("Chick-fil-A")
    assert not is_name("Democratic leader") and not is_name("lawmakers")


@pytest.mark.parametrize(
    ("phrase", "future", "past", "expected"),
    [
        ("in November", False, False, "2012-11"),  # elections in November, said in August: the coming one
        ("in November", False, True, "2011-11"),  # "Akin said in November …" in August: the last one
        ("in March", True, False, "2013-03"),
        ("that October", False, False, None),  # a month of a year named earlier
        ("next week", False, False, "2012-08"),  # a week, at the precision the phrase has
    ],
)
def test_a_bare_month_follows_the_clause_tense(phrase, future, past, expected):
    from newsprism.extract.dates import resolve_date

    assert resolve_date(phrase, "2012-08-21", future=future, past=past) == expected


def test_events_long_before_the_first_report_are_background():
    from newsprism.brief import build_timeline

    articles, extractions = _extract(
        "The Senate passed the bill on Tuesday. The law it replaces was passed in 2013.",
        published="2019-01-24",
    )
    from newsprism.text import split_sentences

    sentences = {a.id: tuple(split_sentences(a.id, a.text)) for a in articles}
    material = StoryMaterial("s", tuple(articles), sentences, {}, {e.article_id: e for e in extractions})
    timeline = build_timeline(material)
    assert {(e.date, e.background) for e in timeline} >= {("2019-01-22", False), ("2013", True)}


def test_middle_initials_and_long_official_names_are_one_entity():
    entities = _story(
        "Susan E. Rice spoke at the United States Senate on Monday. Ms. Rice said the Senate would act.",
        "Susan Rice told the Senate that the vote mattered. Rice met senators.",
    )
    people = [name for (label, name) in entities if label == "PERSON" and "Rice" in name]
    assert len(people) == 1
    assert sorted({a for e in entities.values() if "Rice" in e.name for a, _ in e.mentions_per_article}) == [
        "a0",
        "a1",
    ]
    senates = [name for (label, name) in entities if "Senate" in name]
    assert len(senates) == 1


def test_one_quotation_in_two_articles_has_one_speaker():
    from newsprism.extract.canonical import _agree_across_articles
    from newsprism.records import Quote

    words = "“We will not back down on this bill,”"
    named = Quote(
        "a0", words, 0, len(words), "Ana Ruiz", "Ruiz", 40, 44, "said", attribution="named", confidence=0.95
    )
    described = Quote(
        "a1",
        words,
        0,
        len(words),
        "a spokesman",
        "a spokesman",
        40,
        51,
        "said",
        attribution="description",
        confidence=0.9,
    )
    rival = Quote(
        "a2",
        words,
        0,
        len(words),
        "Tom Hale",
        "he",
        40,
        42,
        "said",
        attribution="pronoun_chain",
        confidence=0.9,
    )
    out = _agree_across_articles([named, described], bar=0.75)
    assert out[1].speaker == "Ana Ruiz" and out[1].attribution == "story:named"
    # two articles name different people, one is wrong: the name beside the quote beats a "he" read back,
    # whatever the routes' calibrated precision
    for rival_confidence in (0.9, 0.99):
        out = _agree_across_articles(
            [named, described, replace(rival, confidence=rival_confidence)], bar=0.75
        )
        assert out[0].speaker == "Ana Ruiz" and out[2].speaker is None
        assert out[1].speaker == "a spokesman"  # two names offered: nothing carried over
    # two names found the same way: neither is shown
    also_named = replace(rival, speaker_mention="Hale", attribution="named", confidence=0.95)
    out = _agree_across_articles([named, also_named], bar=0.75)
    assert out[0].speaker is None and out[1].speaker is None


def test_nicknames_suffixes_and_middle_names_are_one_person_but_different_middles_are_not():
    from newsprism.extract.canonical import same_person

    entities = _story(
        "Vice President Joseph R. Biden Jr. met Senator Richard J. Durbin on Monday. Biden said little.",
        "Joe Biden and Dick Durbin spoke later. Hillary Rodham Clinton joined them.",
        "Hillary Clinton said the talks went well.",
    )
    people = {name for (label, name) in entities if label == "PERSON"}
    assert len([p for p in people if "Biden" in p]) == 1
    assert len([p for p in people if "Durbin" in p]) == 1
    assert len([p for p in people if "Clinton" in p]) == 1
    assert same_person("Chuck Schumer", "Charles E. Schumer")
    assert not same_person("George W. Bush", "George H. W. Bush")
    assert not same_person("Tina Smith", "Chris Smith")  # two nicknames of one name are two people


def test_an_acronym_and_a_country_spelling_join_the_organisation_they_abbreviate():
    entities = _story(
        "World Wrestling Entertainment gave money to the campaign. The United States Senate race is close.",
        "WWE did not comment. The U.S. Senate seat has been held by Democrats.",
    )
    orgs = {name for (label, name) in entities if label == "ORG"}
    assert len([o for o in orgs if "Wrestling" in o or o == "WWE"]) == 1
    assert len([o for o in orgs if "Senate" in o]) == 1


def test_a_paper_shortened_to_its_last_word_and_a_site_under_its_domain_are_one_organisation():
    from newsprism.extract.canonical import _web_name

    entities = _story(
        "The Washington Post first reported the meeting on Monday. The Post said the talks lasted an hour.",
        "According to the Post, the meeting was arranged by aides. The Washington Post cited two officials.",
    )
    orgs = {name for (label, name) in entities if label == "ORG"}
    assert len([o for o in orgs if "Post" in o]) == 1
    assert _web_name("MoveOn.org") == "moveon" and _web_name("www.biggovernment.com") == "biggovernment"
    assert _web_name("Moveon") is None


def test_headline_capitals_hashtags_and_lone_untitled_words_make_no_entity():
    entities = _story(
        "Shutdown Talks Collapse\n\nThe shutdown entered its third day as the shutdown talks failed. "
        "Protesters posted #TrumpShutdown messages and the shutdown went on.",
        "Senator Amy Klobuchar said the shutdown must end, Twitter users wrote.",
    )
    names = {name for _label, name in entities}
    assert "Shutdown" not in names
    assert "TrumpShutdown" not in names
    assert "Amy Klobuchar" in names
    assert not any(label == "PERSON" and name == "Twitter" for label, name in entities)


def test_a_surname_tagged_as_an_organisation_is_the_person_it_ends():
    entities = _story(
        "Gov. Chris Christie spoke in Trenton on Monday.",
        "Christie's office said the bridge would reopen. Christie did not answer questions.",
    )
    assert not any(name == "Christie" and label != "PERSON" for label, name in entities)


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Lynch is expected to announce his bid Thursday.", "2013-01-31"),  # published on a Wednesday
        ("Others are not waiting until Friday.", "2013-02-01"),
        ("Stone will appear on Wednesday at 8 p.m.", "2013-01-30"),  # the paper's own day
        ("Lynch announced his bid Monday.", "2013-01-28"),
        ("The vote is set for next Wednesday.", "2013-02-06"),
    ],
)
def test_a_weekday_goes_forward_or_back_with_its_clause(sentence, expected):
    _, (ex,) = _extract(sentence, published="2013-01-30")
    assert [d.resolved for d in ex.dates] == [expected]


def test_a_son_named_for_his_father_is_his_own_person_where_one_article_names_both():
    from collections import Counter

    from newsprism.extract.canonical import _person_groups

    articles = {
        "Donald Trump Jr.": Counter({"a0": 1}),
        "Donald Trump": Counter({"a0": 3, "a1": 2}),
        "Roger J. Stone Jr.": Counter({"a1": 2}),
        "Roger Stone": Counter({"a2": 4}),
    }
    groups = _person_groups(
        ["Donald Trump", "Roger Stone", "Roger J. Stone Jr.", "Donald Trump Jr."], articles
    )
    assert ["Donald Trump"] in groups and ["Donald Trump Jr."] in groups
    assert ["Roger Stone", "Roger J. Stone Jr."] in groups  # two outlets' styles of one name


def test_one_entity_for_an_acronym_with_and_without_stops_and_for_a_plural_spelling():
    entities = _story(
        "The F.B.I. arrested the adviser on Friday. Agents of the F.B.I. searched his home.",
        "The FBI said the arrest was routine. He served in the Marine Corps Reserves for years.",
        "He was a member of the Marine Corps Reserve, his lawyer said.",
    )
    fbi = [e for (label, name), e in entities.items() if name.replace(".", "") == "FBI"]
    assert len(fbi) == 1 and fbi[0].label == "ORG"
    assert len({a for a, _ in fbi[0].mentions_per_article}) >= 2
    (reserve,) = [e for (_label, name), e in entities.items() if name.startswith("Marine Corps Reserve")]
    assert reserve.name == "Marine Corps Reserve" and "Marine Corps Reserves" in reserve.aliases


def test_a_first_name_joins_the_person_whose_nickname_form_the_story_folded():
    entities = _story(
        "Attorney General Richard Blumenthal spoke on Monday. Mr. Blumenthal said he misspoke.",
        "Dick Blumenthal, as friends call him, apologised. “I regret it,” Dick said.",
    )
    people = [e for (label, _name), e in entities.items() if label == "PERSON"]
    blumenthal = entities[("PERSON", "Richard Blumenthal")]
    assert "Dick Blumenthal" in blumenthal.aliases
    assert not any(e.name == "Dick" for e in people)


def test_capitalised_words_the_story_writes_in_lower_case_are_no_name():
    entities = _story(
        "The talks turned on border security. Democrats offered money for border security on Monday.",
        "“We need Border Security,” the president wrote. Lawmakers said border security was the sticking point.",
    )
    assert not any(name.lower() == "border security" for _label, name in entities)


def test_a_title_and_a_name_tagged_as_an_organisation_is_the_person():
    from newsprism.extract.entities import entity_mentions
    from newsprism.models import nlp

    doc = nlp()("Spokesperson Marie Harf said the talks continue.")
    assert ("Marie Harf", "PERSON") in {(m.text, m.label) for m in entity_mentions(doc, "a")}
