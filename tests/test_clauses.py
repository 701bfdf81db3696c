"""Claim units: a sentence that states several facts is split into parts that each stand as a claim."""

from __future__ import annotations

import pytest

from newsprism import settings
from newsprism.claims import build_claims
from newsprism.claims.groups import sentence_groups
from newsprism.extract import extract_articles
from newsprism.records import Article, ArticleExtraction, ClaimUnit, DuplicateReport

from .fixtures.claims import seed


def _units(text: str) -> list[tuple[str, str]]:
    (extraction,) = extract_articles([Article(id="a", source="a.txt", text=text)])
    return [(u.subject, text[u.start : u.end]) for u in extraction.claim_units]


def test_while_clause_and_coordinated_clauses_are_split():
    assert _units(
        "Talks between the two delegations are taking place today, while tomorrow the president will visit "
        "the northern city of Harbin."
    ) == [
        ("", "Talks between the two delegations are taking place today"),
        ("", "tomorrow the president will visit the northern city of Harbin."),
    ]
    assert _units(
        "Two police officers were arrested on Wednesday, and a third officer was charged with murder."
    ) == [
        ("", "Two police officers were arrested on Wednesday"),
        ("", "a third officer was charged with murder."),
    ]


def test_clauses_joined_by_a_semicolon_are_split():
    assert _units(
        "One bullet entered his left shoulder in the rear; two other bullets struck the back of his thighs."
    ) == [
        ("", "One bullet entered his left shoulder in the rear"),
        ("", "two other bullets struck the back of his thighs."),
    ]


def test_shared_subject_is_borrowed_by_the_second_predicate():
    units = _units(
        "The officer was initially convicted of murder by the court but was later found innocent after an appeal."
    )
    assert units == [
        ("", "The officer was initially convicted of murder by the court"),
        ("The officer", "was later found innocent after an appeal."),
    ]


@pytest.mark.parametrize(
    "text",
    [
        # What a reporting verb governs may still be what was said.
        "Police claim the bullet was fired in self-defense, and the death was an accident caused by a ricochet.",
        # A quote keeps its speaker.
        'The minister said "we will win this vote", and the crowd in the hall cheered for a long time.',
        # "he" means nothing once cut from its sentence.
        "Putin arrived in Beijing on Thursday morning, and he will meet Xi Jinping on Friday.",
        # One fact.
        "Chinese-Russian trade reached a record $240 billion last year, more than doubling since 2020.",
    ],
)
def test_sentences_that_must_stay_whole(text):
    assert _units(text) == []


def _material(texts: list[str]):
    articles = [
        Article(id=f"a{i}", source=f"t{i}", text=t, published=f"2024-03-0{i + 1}", outlet=f"Outlet {i}")
        for i, t in enumerate(texts)
    ]
    extractions = {e.article_id: e for e in extract_articles(articles)}
    return seed.material_for(articles, extractions=extractions)


def test_each_fact_of_a_split_sentence_finds_its_own_corroboration():
    material = _material(
        [
            "Talks between the two delegations took place in Beijing on Thursday, while the president will "
            "visit the northern city of Harbin on Friday.",
            "The president will travel to the northern city of Harbin on Friday, officials announced.",
            "Talks between the two delegations were held in Beijing on Thursday afternoon.",
        ]
    )
    assert material.extractions["a0"].claim_units  # the first sentence states two facts
    groups, _ = build_claims(material, DuplicateReport())
    harbin = [g for g in groups if set(g.article_ids) == {"a0", "a1"}]
    talks = [g for g in groups if set(g.article_ids) == {"a0", "a2"}]
    assert len(harbin) == 1 and len(talks) == 1
    assert harbin[0].status == talks[0].status == "corroborated"
    # Each group cites only its part of the split sentence, at real offsets.
    text = material.articles[0].text
    for group in (harbin[0], talks[0]):
        (part,) = [e for e in group.evidence if e.article_id == "a0"]
        assert text[part.start : part.end] == part.text
        assert len(part.text) < len(text.split("\n")[0])
    assert harbin[0].text.startswith("The president will visit")  # the part, capitalised as a claim

    with settings.override({"claim_split_sentences": False}):
        whole, _ = build_claims(material, DuplicateReport())
    assert not (
        any(set(g.article_ids) == {"a0", "a1"} for g in whole)
        and any(set(g.article_ids) == {"a0", "a2"} for g in whole)
    )


def test_a_part_too_short_to_be_a_claim_keeps_its_sentence_whole():
    text = "The storm hit the coast overnight, and trees fell."
    article = Article(id="a0", source="t0", text=text, published="2024-03-01")
    units = (ClaimUnit(0, text.index(","), ""), ClaimUnit(text.index("trees"), len(text), ""))
    material = seed.material_for([article], extractions={"a0": ArticleExtraction("a0", claim_units=units)})
    groups, _ = build_claims(material, DuplicateReport())
    assert [g.evidence[0].text for g in groups] == [text]


def test_a_split_sentence_states_its_best_corroborated_group():
    material = _material(
        [
            "Talks between the two delegations took place in Beijing on Thursday, while the president will "
            "visit the northern city of Harbin on Friday.",
            "The president will travel to the northern city of Harbin on Friday, officials announced.",
            "Talks between the two delegations were held in Beijing on Thursday afternoon.",
            "On Friday the president is going to visit Harbin, the northern city, aides said.",
        ]
    )
    groups, _ = build_claims(material, DuplicateReport())
    first = material.sentences["a0"][0]
    stated = sentence_groups(groups, material.sentences)[("a0", first.start)]
    assert "Harbin" in stated.text and stated.independent_sources == 3
