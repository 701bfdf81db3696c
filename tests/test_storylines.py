"""Storyline links: the next event of one affair is linked, not merged; the same kind of event happening to
other people weeks later is another affair, and is not linked (story_storyline_shared_person)."""

from __future__ import annotations

import pytest

from newsprism import settings
from newsprism.pipeline import Pipeline
from newsprism.records import RawDocument
from newsprism.store import open_store


def _report(n: int, date: str, who: str, official: str, verb: str) -> RawDocument:
    surname = who.split()[-1]
    text = (
        f"{who} {verb} on Tuesday the flood barrier plan for the river mouth at Port Elms, a plan that"
        f" {surname} has pushed for three years. {surname} said the barrier would protect 4,000 homes from"
        f" winter storms. {official} of the port authority welcomed the plan. The barrier would cost 120 million"
        f" dollars and take two years to build, engineers said. {surname} told reporters the tidal gates would"
        " close during storm surges."
    )
    hints = {"published": date, "title": f"{who} {verb} Port Elms flood barrier"}
    return RawDocument(f"{n}.txt", "text", text, hints)


REPORTS = [
    _report(1, "2024-03-05", "Governor Andrew Cuomo", "Tom Beck", "unveiled"),
    _report(2, "2024-03-05", "Governor Andrew Cuomo", "Tom Beck", "presented"),
    _report(3, "2024-05-14", "Governor Andrew Cuomo", "Tom Beck", "won approval for"),
    _report(4, "2024-05-14", "Governor Andrew Cuomo", "Tom Beck", "secured a vote on"),
    _report(5, "2024-07-02", "Governor Gavin Newsom", "Jane Fox", "unveiled"),
    _report(6, "2024-07-02", "Governor Gavin Newsom", "Jane Fox", "presented"),
]


@pytest.mark.parametrize("shared_person", [True, False])
def test_a_storyline_links_the_events_of_one_persons_affair(shared_person):
    store = open_store(":memory:")
    with settings.override({"story_storyline_shared_person": shared_person}):
        result = Pipeline(store).run(REPORTS)
    story_of = {a.article_id: a.story_id for a in result.assignments}
    ids = [a.id for a in result.ingest.articles]
    march, may, july = story_of[ids[0]], story_of[ids[2]], story_of[ids[4]]
    assert len({march, may, july}) == 3 and story_of[ids[1]] == march and story_of[ids[5]] == july
    links = {frozenset((a, b)): why for a, b, _, why in store.story_links()}
    linked = set(links)
    assert frozenset((march, may)) in linked
    if shared_person:
        assert links[frozenset((march, may))].endswith("both leads name Cuomo")
    # Newsom's plan reads like Cuomo's, but it is another affair: linked only on content alone
    assert (frozenset((march, july)) in linked or frozenset((may, july)) in linked) is not shared_person
