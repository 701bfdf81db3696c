"""Claims: support score, relations, claim groups and contradictions (seed story + small hand-written fixtures)."""

from __future__ import annotations

import pytest

from newsprism.claims import build_claims, relation, support_score
from newsprism.claims.features import (
    Quantity,
    features,
    negation_flip,
    number_relation,
    opposed_on_one_thing,
    quantities,
    values_agree,
)
from newsprism.records import Article, ArticleExtraction, DuplicateReport, Quote

from .fixtures.claims import seed


@pytest.fixture(scope="module")
def seed_claims():
    material = seed.seed_material()
    groups, contradictions = build_claims(material, seed.wire_duplicates())
    return material, groups, contradictions


def _group_with(groups, phrase):
    return [g for g in groups if any(phrase in e.text for e in g.evidence)]


def test_tolerant_numbers_agree_and_clashing_numbers_do_not():
    (a,) = [q for q in quantities("Putin has met Xi more than 40 times") if q.unit == "time"]
    (b,) = [q for q in quantities("the leaders had met 42 times") if q.unit == "time"]
    assert values_agree(a, b)
    assert not values_agree(Quantity(12, None, "people"), Quantity(30, None, "people"))
    assert quantities("a record $240 billion")[0].value == 240e9


def test_a_total_beside_an_agreeing_figure_is_no_clash():
    won = features("Trudeau's Liberal Party had won 157 of 338 seats, according to preliminary results.")
    projected = features("The Liberals are projected to win 157 seats, 13 short of a majority.")
    assert number_relation(won, projected)[1] is False
    # said of the same thing (won): a clash; "took 120 seats" shares no word with "won" and is left alone
    rival = features("The Liberals won 120 seats of the 338 in the Canadian House of Commons.")
    assert number_relation(won, rival)[1] and number_relation(rival, won)[1]
    total = features("The United States will send 4 million doses to Canada and Mexico.")
    parts = features("Mexico will receive 2.5 million doses and Canada 1.5 million.")
    assert not number_relation(total, parts)[1] and not number_relation(parts, total)[1]
    shot = features("He allegedly shot three people in Kenosha, killing two.")
    died = features("He was charged after shootings in Kenosha where two people died.")
    assert not number_relation(shot, died)[1] and not number_relation(died, shot)[1]
    assert number_relation(features("The quake killed 12 people."), features("The quake killed 85 people."))[
        1
    ]


@pytest.mark.parametrize(
    ("a", "b", "flip"),
    [
        (
            "Governor Marten visited the damaged hospital on Tuesday.",
            "Governor Marten did not visit the damaged hospital.",
            True,
        ),
        ("The company denied the report on Monday.", "The company confirmed the report on Monday.", True),
        # Two denials worded differently, a repeated negation, an idiom, a negation of what only one mentions.
        (
            "Mueller did not find evidence of a conspiracy.",
            "Mueller found no evidence of a conspiracy.",
            False,
        ),
        (
            "We will not stand by and let him abuse those rights.",
            "We will not, we will not stand by and let him.",
            False,
        ),
        (
            "COVID has not, like, suddenly disappeared.",
            "Make no mistake, COVID has not suddenly disappeared.",
            False,
        ),
        (
            "The officer meant to fire a Taser instead.",
            "The officer intended to fire a Taser, not a handgun.",
            False,
        ),
    ],
)
def test_negation_flip(a, b, flip):
    assert negation_flip(features(a), features(b)) is flip


@pytest.mark.parametrize(
    ("a", "b", "pair"),
    [
        ("Unemployment rose to 5% in May.", "Unemployment fell to 5% in May.", True),
        ("The senator supported the bill on Monday.", "The senator opposed the bill on Monday.", True),
        # "ban" is said of the abortion law, "allows" of what the law lets citizens do: no clash.
        (
            "A judge issued an order blocking the state's six-week abortion ban.",
            "A judge blocked the enforcement of the abortion law, which allows private citizens to sue.",
            False,
        ),
    ],
)
def test_opposite_predicates_must_be_said_of_one_thing(a, b, pair):
    assert (opposed_on_one_thing(features(a), features(b)) is not None) is pair


def test_support_score_ranks_paraphrase_above_unrelated_and_negation():
    a = "The minister signed the trade agreement with Japan on Tuesday."
    para = support_score(a, "On Tuesday the minister signed a trade deal with Japan.")
    other = support_score(a, "Heavy rain flooded the northern suburbs overnight.")
    negated = support_score(a, "The minister did not sign the trade agreement with Japan on Tuesday.")
    assert 0.0 <= other < para <= 1.0
    assert negated < para


def test_relation_flags_number_contradiction():
    rel = relation(
        "The floods killed 12 people in the valley.", "The floods killed 300 people in the valley."
    )
    assert rel.weakens and not rel.strengthens
    assert "300" in rel.reason
    same = relation(
        "The floods killed 12 people in the valley.", "Twelve people died when floods hit the valley."
    )
    assert same.strengthens and not same.weakens


def test_partnership_phrasing_is_one_group_across_outlets(seed_claims):
    _, groups, _ = seed_claims
    holders = {"no limits", "no holds barred", "borderless", "no limit"}
    found = [g for g in groups if any(any(h in e.text for h in holders) for e in g.evidence)]
    assert len(found) == 1
    assert len(found[0].article_ids) >= 3
    assert found[0].status == "corroborated"


def test_single_source_claims(seed_claims):
    _, groups, _ = seed_claims
    (trade,) = _group_with(groups, "$240 billion")
    assert trade.article_ids == ("003",) and trade.status == "single_source"
    afghan = [g for g in groups if any("Afghanistan" in e.text for e in g.evidence)]
    assert afghan and all(g.article_ids == ("000",) for g in afghan)


def test_wire_rewrites_count_once(seed_claims):
    _, groups, _ = seed_claims
    (blinken,) = _group_with(groups, "Blinken")
    assert set(blinken.article_ids) == {"001", "004"}
    assert blinken.independent_sources == 1 and blinken.status == "single_source"


def test_evidence_offsets_point_into_article_text(seed_claims):
    material, groups, _ = seed_claims
    texts = {a.id: a.text for a in material.articles}
    for group in groups:
        assert group.id.startswith("c")
        for ev in group.evidence:
            assert texts[ev.article_id][ev.start : ev.end] == ev.text


def test_group_ids_are_stable():
    material = seed.seed_material()
    first, _ = build_claims(material, seed.wire_duplicates())
    second, _ = build_claims(material, seed.wire_duplicates())
    assert [g.id for g in first] == [g.id for g in second]


def _articles(*texts):
    return [
        Article(id=f"a{i}", source=f"t{i}", text=t, published=f"2024-03-0{i + 1}", outlet=f"Outlet {i}")
        for i, t in enumerate(texts)
    ]


def test_contested_death_toll_and_negation():
    arts = _articles(
        "The earthquake in Vantor province killed 12 people on Monday, officials said.\n\n"
        "Governor Ilse Marten visited the damaged hospital in Vantor on Tuesday.",
        "The earthquake in Vantor province killed 85 people on Monday, officials said.\n\n"
        "Governor Ilse Marten did not visit the damaged hospital in Vantor on Tuesday.",
    )
    material = seed.material_for(arts)
    groups, contradictions = build_claims(material, DuplicateReport())
    kinds = {c.kind for c in contradictions}
    assert kinds == {"number", "negation"}
    contested = {g.id for g in groups if g.status == "contested"}
    for c in contradictions:
        assert set(c.claim_ids) <= contested
        assert {e.article_id for e in c.evidence} == {"a0", "a1"}


def test_figures_clash_only_between_two_statements_of_one_fact():
    def kinds(a, b):
        _, contradictions = build_claims(seed.material_for(_articles(a, b)), DuplicateReport())
        return [c.kind for c in contradictions]

    # one game's line, told twice with different points: a discrepancy to check
    assert kinds(
        "Tyler Hansbrough had 24 points and seven rebounds in the win over Miami on Sunday.",
        "Tyler Hansbrough finished the win over Miami on Sunday with 20 points and seven rebounds.",
    ) == ["number"]
    # the games he played, in a sentence about his return, and the games he missed: one player, one unit,
    # two quantities
    played = (
        "Plagued by an ankle injury that limited him to only six games this season, Pierre Thomas looked sharp "
        "again in a 17-14 win at Denver in Week 16, when he ran for 102 yards."
    )
    missed = "Pierre Thomas missed nine games this season because of the injury, including the final game."
    assert kinds(played, missed) == []


def test_a_rank_is_no_negation_and_one_name_spelt_apart_is_one_speaker():
    from newsprism.claims.groups import _same_speaker

    assert features("No. 1 Creighton beat No. 9 Drake 65-53 on Friday.").negations == 0
    assert features("No one came to the hearing.").negations == 1
    assert _same_speaker("Vincent DelGiudice", "Vincent Del Giudice")


def _two_speakers_quoting(quote: str, second: str = "Councillor Ravi Shen", label: str = "PERSON"):
    from newsprism.records import EntityMention

    arts = _articles(
        f'Mayor Dana Holt said: "{quote}," at the town hall meeting.',
        f'{second} said: "{quote}," at the town hall meeting.',
    )
    extractions = {}
    for art, (speaker, tag) in zip(
        arts, (("Dana Holt", "PERSON"), (second.split(" ", 1)[-1], label)), strict=True
    ):
        start, named = art.text.index(quote), art.text.index(speaker)
        q = Quote(art.id, quote, start, start + len(quote), speaker, speaker, named, named + len(speaker))
        mention = EntityMention(art.id, named, named + len(speaker), speaker, tag)
        extractions[art.id] = ArticleExtraction(article_id=art.id, mentions=(mention,), quotes=(q,))
    _, contradictions = build_claims(seed.material_for(arts, extractions=extractions), DuplicateReport())
    return [c.kind for c in contradictions]


def test_same_quote_two_speakers_is_contested():
    assert _two_speakers_quoting("We will rebuild every school before the winter comes") == [
        "quote_attribution"
    ]


def test_an_organisation_and_a_person_quoting_one_statement_is_no_misattribution():
    # a ministry speaks through its people: its statement in a named official's mouth is no clash
    quote = "We will rebuild every school before the winter comes"
    assert _two_speakers_quoting(quote, "The Education Ministry", "ORG") == []


def test_a_stock_phrase_in_two_mouths_is_no_misattribution():
    assert _two_speakers_quoting("an accidental discharge") == []


def test_empty_material():
    material = seed.material_for([])
    assert build_claims(material, DuplicateReport()) == ((), ())


def test_fit_relation_learns_dispute_cues_and_round_trips():
    from newsprism.claims import RelationModel, fit_relation, predict_relations

    pairs = []
    for t in range(6):
        base = f"The council approved budget plan number {t} on Monday."
        pairs.append({"topic": f"t{t}", "claim_a": base, "claim_b": f"The council passed plan {t} this week.",
                      "title_a": None, "title_b": None, "strengthens": 1, "weakens": 0})  # fmt: skip
        pairs.append({"topic": f"t{t}", "claim_a": base,
                      "claim_b": f"However, critics argued plan {t} was rejected and denied any vote.",
                      "title_a": None, "title_b": None, "strengthens": 0, "weakens": 1})  # fmt: skip
    model = fit_relation(pairs)
    again = RelationModel.from_json(model.to_json())
    assert again.threshold == model.threshold
    rels = predict_relations(pairs, again)
    assert [r.weakens for r in rels] == [bool(p["weakens"]) for p in pairs]


def test_story_columns_are_shared_within_a_story_and_differ_between_stories():
    from newsprism.claims import pair_matrix
    from newsprism.claims.relation import FEATURE_NAMES

    calm = "Calm vote on the school budget"
    fight = "Critics slam and deny the mayor's claims"
    pairs = [
        {"topic": calm, "claim_a": "The board approved the budget.", "claim_b": "The budget passed on Monday.",
         "title_a": "Board passes budget", "title_b": "School budget approved"},
        {"topic": calm, "claim_a": "The budget passed on Monday.", "claim_b": "Teachers will get a raise.",
         "title_a": "Board passes budget", "title_b": "School budget approved"},
        {"topic": fight, "claim_a": "The mayor said crime fell.",
         "claim_b": "However, critics disputed the figures and denied it fell.",
         "title_a": "Mayor hails drop in crime", "title_b": "Critics slam mayor's misleading crime claims"},
    ]  # fmt: skip
    x = pair_matrix(pairs)
    story = slice(FEATURE_NAMES.index("story_dispute"), None)
    assert x.shape == (3, len(FEATURE_NAMES))
    assert (x[0, story] == x[1, story]).all()  # one story, one context
    dispute = FEATURE_NAMES.index("story_dispute")
    assert x[2, dispute] > x[0, dispute]
    assert x[2, FEATURE_NAMES.index("titles_dispute")] > 0 == x[0, FEATURE_NAMES.index("titles_dispute")]
    pair_cosine = FEATURE_NAMES.index("story_pair_cosine")
    cosine = FEATURE_NAMES.index("cosine")
    assert x[0, pair_cosine] == pytest.approx((x[0, cosine] + x[1, cosine]) / 2)
    assert x[2, pair_cosine] == pytest.approx(x[2, cosine])  # a story of one pair
    assert x[0, FEATURE_NAMES.index("story_pairs")] > x[2, FEATURE_NAMES.index("story_pairs")] == 0


def test_each_label_reads_only_its_columns():
    from newsprism.claims.relation import FEATURE_NAMES, LABEL_FEATURES, shipped_model

    model = shipped_model()
    for label, names in LABEL_FEATURES.items():
        unused = [c for n, c in zip(FEATURE_NAMES, model.coef[label], strict=True) if n not in names]
        assert unused and all(c == 0.0 for c in unused)


def test_a_number_clash_names_its_figures_readably():
    seats = relation(
        "The Liberals won 157 seats in the election.", "The Liberals won 120 seats in the election."
    )
    assert "157 seats vs 120 seats" in seats.reason
    rates = relation("Unemployment rose 8.7% in March.", "Unemployment rose 8.3% in March.")
    assert "8.7% vs 8.3%" in rates.reason


def test_a_withheld_speaker_makes_no_misattribution():
    from newsprism.claims.groups import _quote_clashes
    from newsprism.records import Article, ArticleExtraction, Quote, StoryMaterial

    words = "“We will not back down on this bill at all,”"
    a = Quote(
        "a0", words, 0, len(words), "Ana Ruiz", "Ruiz", 50, 54, "said", attribution="named", confidence=0.95
    )
    b = Quote(
        "a1",
        words,
        0,
        len(words),
        "Tom Hale",
        "he",
        50,
        52,
        "said",
        attribution="pronoun_nearest",
        confidence=0.6,
    )
    from dataclasses import replace

    from newsprism.claims.groups import _Item
    from newsprism.records import Sentence

    articles = (Article("a0", "x", words + " Ruiz said."), Article("a1", "y", words + " he said."))
    items = [
        _Item(aid, Sentence(aid, 0, 0, len(words) + 10, words), None, None, k, words, 0)
        for k, aid in enumerate(("a0", "a1"))
    ]
    group_of = {0: "g0", 1: "g1"}

    def clashes(b_quote):
        material = StoryMaterial(
            "s",
            articles,
            {},
            {},
            {"a0": ArticleExtraction("a0", quotes=(a,)), "a1": ArticleExtraction("a1", quotes=(b_quote,))},
        )
        return _quote_clashes(material, items, group_of)

    assert len(clashes(replace(b, confidence=0.95))) == 1  # a shown rival name is a misattribution
    assert clashes(b) == []  # a withheld guess is not


def test_a_described_or_borrowed_speaker_makes_no_misattribution():
    from newsprism.claims.groups import _names_someone
    from newsprism.records import Quote

    def quote(route):
        return Quote("a0", "“We will not back down,”", 0, 25, "Tom Hale", "he", attribution=route)

    assert _names_someone(quote("named"))
    assert _names_someone(quote("continued:pronoun_chain"))
    assert not _names_someone(quote("description"))  # "the presumptive nominee" fits any named person
    assert not _names_someone(quote("continued:description"))
    assert not _names_someone(quote("story:named"))  # another article's word, not this one's


def _outlets(*pairs):
    return [
        Article(id=f"a{i}", source=f"t{i}", text=t, published=f"2024-03-0{i + 1}", outlet=outlet)
        for i, (outlet, t) in enumerate(pairs)
    ]


def test_a_quote_from_another_outlets_interview_is_one_origin_and_says_so():
    quote = "“We will rebuild every school in this county before the winter comes,”"
    arts = _outlets(
        ("The Daily Ledger", f"{quote} Mayor Dana Holt said in an interview on Monday."),
        ("Metro Wire", f"Mayor Dana Holt told The Daily Ledger on Monday. {quote} she said."),
        ("Hill Courier", f"{quote} Mayor Dana Holt said at a meeting on Monday."),
    )
    quotes = [
        Quote(a.id, quote, a.text.index(quote), a.text.index(quote) + len(quote), "Dana Holt", "Holt")
        for a in arts
    ]
    groups, _ = build_claims(seed.material_for(arts[:2]), DuplicateReport(), quotes[:2])
    (group,) = _group_with(groups, "rebuild every school")
    assert group.status == "single_source"
    assert group.reason == "1 origin: Metro Wire credits The Daily Ledger"
    # a third outlet that heard it itself corroborates it
    groups, _ = build_claims(seed.material_for(arts), DuplicateReport(), quotes)
    (group,) = _group_with(groups, "rebuild every school")
    assert group.status == "corroborated" and group.independent_sources == 2
    assert group.reason.startswith("2 independent sources: ")


def test_likeness_without_support_is_unconfirmed_not_corroborated():
    def status_of(second):
        arts = _outlets(
            (
                "Metro Wire",
                "Mayor Dana Holt on Tuesday criticized the county board over its vote to close the bridge.",
            ),
            ("Hill Courier", second),
        )
        groups, _ = build_claims(seed.material_for(arts), DuplicateReport())
        (group,) = _group_with(groups, "Tuesday criticized")
        return group

    same = status_of(
        "On Tuesday Mayor Dana Holt criticized the county board over its vote to close the bridge."
    )
    assert same.status == "corroborated" and same.independent_sources == 2
    # one outlet's Tuesday and the other's Wednesday are two happenings, however alike the wording
    other_day = status_of(
        "Mayor Dana Holt faced criticism from the county board on Wednesday over the bridge vote."
    )
    assert len(other_day.evidence) == 2 and other_day.status == "unconfirmed"
    assert other_day.independent_sources == 2 and "no two of them clearly state one fact" in other_day.reason


def test_a_sentence_copied_from_a_credited_outlet_is_that_outlets_reporting():
    fact = "There was one problem: the mayor, who now runs for the state Senate, never served on the bridge board."

    def group_for(intro):
        arts = _outlets(
            ("The Daily Ledger", f"Mayor Dana Holt spoke at the opening on Monday.\n\n{fact}"),
            ("Metro Wire", f"{intro}\n\nMayor Dana Holt spoke at the opening.\n\n{fact}"),
        )
        groups, _ = build_claims(seed.material_for(arts), DuplicateReport())
        (group,) = _group_with(groups, "never served on the bridge board")
        return group

    copied = group_for("Here's an excerpt from the Daily Ledger report:")
    assert copied.status == "single_source" and copied.independent_sources == 1
    assert "Metro Wire copies The Daily Ledger" in copied.reason
    # the same words with no credit to the other outlet: nothing says whose reporting it is
    assert group_for("Officials gathered at the river on a cold morning.").independent_sources == 2


def test_two_outlets_citing_a_third_are_one_origin_without_it():
    arts = _outlets(
        ("Metro Wire", "The mayor misspoke about the bridge vote last week, according to The Daily Ledger."),
        ("Hill Courier", "The mayor told The Daily Ledger he misspoke about the bridge vote last week."),
        ("The Daily Ledger", "Officials across the county opened three new schools on Monday morning."),
    )
    groups, _ = build_claims(seed.material_for(arts), DuplicateReport())
    (group,) = _group_with(groups, "misspoke")
    assert group.status == "single_source" and group.independent_sources == 1
    assert "credits The Daily Ledger" in group.reason


def test_a_group_holds_one_statement_per_article():
    arts = _articles(
        "Senator Ana Ruiz apologized on Tuesday for calling the farm bill a disgrace to rural voters.\n\n"
        "Senator Ana Ruiz had called the farm bill a disgrace to rural voters at a rally on Saturday.",
        "Senator Ana Ruiz apologized on Tuesday for calling the farm bill a disgrace to rural voters.",
    )
    groups, _ = build_claims(seed.material_for(arts), DuplicateReport())
    for group in groups:
        article_ids = [e.article_id for e in group.evidence]
        assert len(article_ids) == len(set(article_ids))
    (apology,) = _group_with(groups, "apologized on Tuesday")
    assert apology.status == "corroborated" and len(apology.evidence) == 2


def test_figures_of_two_different_things_or_in_a_speakers_mouth_do_not_clash():
    from newsprism.claims.contradict import find_clash

    def clash(a, b):
        found = find_clash(features(a), features(b))
        return found.kind if found else None

    assert clash("The quake killed 12 people on Monday.", "The quake killed 85 people on Monday.") == "number"
    # two quantities of one unit: seats won this election, seats lost over six years
    assert not clash(
        "Democrats picked up just six seats on Election Day and remain in the minority.",
        "House Democrats have also lost nearly 60 seats over the past six years.",
    )
    # shares of different wholes, and a rounded figure beside the figure it rounds
    assert not clash(
        "Fewer than 10% of infections were in participants given the vaccine.",
        "The vaccine was more than 90% effective, the company said in its results.",
    )
    assert clash("Turnout rose to 52% of registered voters.", "Turnout rose to 61% of registered voters.")
    assert not clash(
        "The $1.2 trillion infrastructure bill passed the Senate.",
        "The $1 trillion infrastructure bill passed.",
    )
    assert clash("The $34 billion infrastructure bill passed.", "The $60 billion infrastructure bill passed.")
    # a speaker's figure: the outlets report what was said, and two speakers' figures are not one quantity
    assert not clash(
        "“Obama has cut $716 billion from Medicare,” the senator said.",
        "His health care plan would cut Medicare by $800 billion, the campaign said.",
    )


def test_a_longer_quotation_with_a_denial_beyond_the_shared_words_is_no_negation():
    from newsprism.claims.contradict import find_clash

    short = "“We must get the best, strongest deal possible for our workers,” Mrs. Clinton said at a rally."
    longer = (
        "“We must get the best, strongest deal possible for our workers, and if we don't get it, there should "
        "be no deal,” Mrs. Clinton said at a rally."
    )
    assert find_clash(features(short), features(longer)) is None
    visited = "Governor Ilse Marten visited the damaged hospital in Vantor on Tuesday."
    denied = "Governor Ilse Marten did not visit the damaged hospital in Vantor on Tuesday."
    assert find_clash(features(visited), features(denied)).kind == "negation"


def test_one_name_spelt_two_ways_is_one_speaker():
    from newsprism.claims.groups import _same_speaker

    assert _same_speaker("Felipe Calderón", "Felipe Calderon")
    assert _same_speaker("Vicente Fox", "Vincente Fox")
    assert not _same_speaker("Tom Reed", "Ana Reed")


def test_two_days_of_the_month_for_one_event_clash():
    from newsprism.claims.contradict import find_clash

    clash = find_clash(
        features("Rice criticised the speech, set for March 5, as destructive."),
        features("The speech, scheduled for March 3, was arranged by the speaker."),
    )
    assert clash.kind == "number" and clash.explanation.endswith(
        "dates for the same event: March 5 vs March 3"
    )
    # two dates of two things: the next spending deadline and the deal's end
    assert not find_clash(
        features("Democrats will vote against the next spending bill on Feb. 11."),
        features("The deal gives Congress until Feb. 8 to work out legislation."),
    )
    assert features("Officials may 5 times revise it.").quantities[0].unit != "date"


def test_two_quotations_in_different_words_are_two_statements():
    from newsprism.claims.groups import _norm_quote, _two_quotations

    def two(a, b):
        return _two_quotations(_norm_quote(a), _norm_quote(b))

    assert two("Yes the government can help", "This is all an attempt to give more power to the government")
    assert two("It’s about some phony ideal, some phony theology.", "And I think that is a phony ideal.")
    # one outlet quoting more of the same statement
    assert not two(
        "For the court, it could be — I don’t even want to contemplate that.",
        "For the court, it could be -- I don’t even want to contemplate that, she said to us",
    )
    assert not two("a disgrace", "I think it is a disgrace to the court")  # too short to tell


def test_a_pair_an_editor_marked_no_contradiction_is_not_one():
    from dataclasses import replace

    from newsprism.records import Corrections

    arts = _articles(
        "The earthquake in Vantor province killed 12 people on Monday, officials said.",
        "The earthquake in Vantor province killed 85 people on Monday, officials said.",
    )
    material = seed.material_for(arts)
    _, contradictions = build_claims(material, DuplicateReport())
    [clash] = contradictions
    pair = frozenset((e.article_id, e.start, e.end) for e in clash.evidence)
    groups, after = build_claims(
        replace(material, corrections=Corrections(not_contradictions=frozenset([pair]))), DuplicateReport()
    )
    assert after == () and all(g.status != "contested" for g in groups)
