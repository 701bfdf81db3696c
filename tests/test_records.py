"""Records serialise both ways: `to_dict` gives JSON-ready data and `from_dict` reads it back, for any value of
every record type (hypothesis), and data written before a field existed still reads."""

from __future__ import annotations

import json
from dataclasses import is_dataclass, replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsprism import records
from newsprism.records import ArticleExtraction, EntityMention, StoryAnalysis, from_dict, to_dict

# NaN is never equal to itself; the records never hold one (every float is a score, share or value read from text)
st.register_type_strategy(float, st.floats(allow_nan=False, allow_infinity=False))

# Records that carry numpy arrays or free-form dicts are the store's business, not JSON's.
NOT_JSON = {records.StoryState, records.StoryMaterial, records.RawDocument, records.Corrections}
RECORDS = sorted(
    (c for c in vars(records).values() if isinstance(c, type) and is_dataclass(c) and c not in NOT_JSON),
    key=lambda c: c.__name__,
)


@pytest.mark.parametrize("cls", RECORDS, ids=lambda c: c.__name__)
@given(data=st.data())
@settings(max_examples=25, suppress_health_check=[HealthCheck.data_too_large, HealthCheck.too_slow])
def test_every_record_round_trips_through_json(cls, data):
    record = data.draw(st.builds(cls))
    assert from_dict(cls, json.loads(json.dumps(to_dict(record)))) == record


def test_a_field_missing_from_older_data_takes_its_default_and_unknown_keys_are_ignored():
    old = {
        "article_id": "a1",
        "mentions": [{"article_id": "a1", "start": 0, "end": 2, "text": "Xi", "label": "PERSON"}],
    }
    old["quotes"] = old["numbers"] = old["dates"] = []
    loaded = from_dict(ArticleExtraction, {**old, "added_by_a_later_version": 1})
    assert loaded == ArticleExtraction("a1", mentions=(EntityMention("a1", 0, 2, "Xi", "PERSON"),))


def test_a_story_analysis_of_the_sample_reads_back(analysed_sample):
    from newsprism.store import open_store

    store = open_store(str(analysed_sample["db"]))
    try:
        story_id = store.story_ids()[0]
        stored = store.get_analysis(story_id)
    finally:
        store.close()
    assert isinstance(stored, StoryAnalysis)
    assert stored.claims and stored.quotes and stored.timeline and stored.membership
    assert from_dict(StoryAnalysis, json.loads(json.dumps(to_dict(stored)))) == stored


def test_an_analysis_an_earlier_version_stored_in_report_form_reads_back(sample_db):
    """Before analyses were stored as records, the store kept report.json's form: the story id as "id",
    members without it, a coverage matrix."""
    from newsprism.report import analysis_to_dict
    from newsprism.store import open_store

    store = open_store(str(sample_db))
    try:
        analysis = store.get_analysis(store.story_ids()[0])
        report_form = analysis_to_dict(analysis)
        store._exec(
            "UPDATE analyses SET data = ? WHERE story_id = ?",
            (json.dumps(report_form), analysis.story_id),
        )
        older = store.get_analysis(analysis.story_id)
    finally:
        store.close()
    plain = tuple(replace(m, merged_from=()) for m in analysis.membership)  # not in the report form
    assert older == replace(analysis, membership=plain)


def test_published_at_is_read_once_as_naive_utc_and_sorts_in_time_order():
    from datetime import datetime

    from newsprism.pipeline import _by_publication
    from newsprism.records import Article

    def art(published):
        return Article(id=published or "none", source="s", text="t", published=published)

    assert art("2024-05-17").published_at == datetime(2024, 5, 17)
    assert art("2024-05-17T21:28Z").published_at == datetime(2024, 5, 17, 21, 28)
    assert art("not a date").published_at is None and art(None).published_at is None
    new_york = art("2024-05-17T21:28-04:00")  # 01:28 UTC on the 18th
    london = art("2024-05-18T00:30+00:00")
    assert new_york.published < london.published  # as strings: out of time order
    ordered = sorted([art(None), new_york, london], key=_by_publication)
    assert [a.id for a in ordered] == [london.id, new_york.id, "none"]
