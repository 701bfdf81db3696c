"""The embedding cascade (issue 28): ingest embeds what the story join reads, a story embeds the rest when it
holds two articles, and a story of one article is briefed from what was embedded."""

from __future__ import annotations

import numpy as np
import pytest

from newsprism import settings
from newsprism.pipeline import SENTENCE_VECTORS, Pipeline
from newsprism.records import RawDocument
from newsprism.store import open_scratch_store
from newsprism.stories import article_vector_rows
from newsprism.text import split_sentences

PLACES = ("Lisbon", "Porto", "Braga", "Coimbra", "Faro", "Evora", "Aveiro", "Viseu", "Leiria", "Tomar")


def _report(source: str, subject: str, sentences: int = 30) -> RawDocument:
    lines = [
        f"The {subject} in {PLACES[k % len(PLACES)]} cost {100 + 7 * k} million euros, officials said on"
        f" Tuesday, the {k + 1}th such finding of the inquiry."
        for k in range(sentences)
    ]
    return RawDocument(
        source=source, kind="text", content="\n\n".join(lines), hints={"title": f"Inquiry into the {subject}"}
    )


def _embedded_rows(vectors: np.ndarray) -> list[int]:
    return [int(i) for i in np.flatnonzero(vectors.any(axis=1))]


def test_the_rows_an_arrival_needs_are_the_lead_and_the_most_central_body_sentences():
    lead = ["Floods hit Porto.", "The river rose two metres.", "Rescuers reached the old town."]
    body = [
        "Floods in Porto closed the river road and the old town, rescuers said.",  # 3: lead and title words
        "The mayor thanked the volunteers for their work.",  # 4
        "Photo: Reuters.",  # 5: too few words to count
        "The river crested at noon and the floods began to recede from the old town.",  # 6: lead words
        "Tickets for the concert next week remain on sale online.",  # 7: an aside
        "Rescuers said the floods in Porto were the worst since 2001.",  # 8: lead and title words
    ]
    with settings.override({"story_lead_sentences": 3, "story_body_sample_sentences": 2}):
        assert article_vector_rows(lead + body[:2], "Floods in Porto") == [0, 1, 2, 3, 4]  # body of 2: whole
        rows = article_vector_rows(lead + body, "Floods in Porto")
        assert rows[:3] == [0, 1, 2] and len(rows) == 5
        assert set(rows[3:]) <= {3, 6, 8} and not {5, 7} & set(rows)
        assert rows == article_vector_rows(lead + body, "Floods in Porto")
    with settings.override({"story_body_sample_sentences": 0, "story_lead_sentences": 3}):
        assert article_vector_rows(lead + body, "") == [0, 1, 2]
    with settings.override({"embedding_cascade": False}):
        assert article_vector_rows(lead + body, "") == list(range(9))


def test_ingest_embeds_the_lead_and_sample_and_a_story_of_two_embeds_the_rest():
    store = open_scratch_store()
    try:
        pipeline = Pipeline(store)
        articles = pipeline.ingest(
            [_report("a.txt", "bridge repairs"), _report("b.txt", "tunnel works")]
        ).articles
        first, second = articles
        stored = store.get_vectors(first.id, SENTENCE_VECTORS)
        texts = [s.text for s in split_sentences(first.id, first.text)]
        wanted = article_vector_rows(texts, first.title or "")
        assert len(stored) == len(texts) > 20 and len(wanted) < len(texts)
        assert _embedded_rows(stored) == wanted

        alone = pipeline.material("s1", [first])
        assert _embedded_rows(alone.vectors[first.id]) == wanted

        together = pipeline.material("s2", [first, second])
        for article in (first, second):
            assert together.vectors[article.id].any(axis=1).all()
            # kept for the next analysis, and the rows embedded at ingest unchanged
            kept = store.get_vectors(article.id, SENTENCE_VECTORS)
            assert kept.any(axis=1).all()
        assert np.array_equal(together.vectors[first.id][wanted], stored[wanted])
    finally:
        store.close()


def test_without_the_cascade_ingest_embeds_every_sentence():
    store = open_scratch_store()
    try:
        with settings.override({"embedding_cascade": False}):
            (article,) = Pipeline(store).ingest([_report("a.txt", "bridge repairs")]).articles
        assert store.get_vectors(article.id, SENTENCE_VECTORS).any(axis=1).all()
    finally:
        store.close()


def test_a_story_of_one_article_is_briefed_from_its_embedded_sentences():
    store = open_scratch_store()
    try:
        analysis = Pipeline(store).analyze_as_story([_report("a.txt", "bridge repairs")])
        (article_id,) = analysis.article_ids
        vectors = store.get_vectors(article_id, SENTENCE_VECTORS)
        (article,) = store.articles([article_id])
        starts = {
            s.start for i, s in enumerate(split_sentences(article_id, article.text)) if vectors[i].any()
        }
        assert analysis.brief
        assert all(sentence.evidence[0].start in starts for sentence in analysis.brief)
        assert not vectors.any(axis=1).all()  # the analysis embedded nothing more
    finally:
        store.close()


def test_the_timeline_embeds_a_dated_sentence_left_out_at_ingest():
    from newsprism.brief.timeline import _embedded
    from newsprism.records import Sentence

    said = Sentence("a", 0, 0, 30, "The council met on 3 May 2024.")
    kept = np.ones(384, dtype=np.float32) / np.sqrt(384)
    alone = np.zeros(384, dtype=np.float32)
    dated = [
        ("2024-05-03", "a", said, np.zeros(384, dtype=np.float32)),
        ("2024-05-03", "a", said, kept),
        ("2024-05", "a", said, None),
        ("2024-06-01", "a", said, alone),  # its date stated once: nothing to merge it with
    ]
    out = _embedded(dated)
    assert out[0][3].any() and pytest.approx(float(np.linalg.norm(out[0][3])), abs=1e-4) == 1.0
    assert out[1][3] is kept and out[2][3] is None and out[3][3] is alone
