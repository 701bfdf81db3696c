"""The fast attribute ruler gives the same annotations as spaCy's, and the quote rules added in round 2."""

from __future__ import annotations

import pytest

from newsprism import settings
from newsprism.extract import find_quotes
from newsprism.models.nlp import _load

TEXT = (
    "The minister said on Friday that talks would go on. \"We ain't gonna stop,\" she added, let's see.\n\n"
    "There were 40 people who'd gotta wait.  Prices rose by more than 5%, officials said.\n\n"
    "  \n\nHe'd done it before, and it was done again by the council."
)


@pytest.fixture(scope="module")
def pipelines():
    name = settings.current().spacy_model
    return _load(name, False), _load(name, True)


def test_fast_ruler_replaces_attribute_ruler(pipelines):
    slow, fast = pipelines
    assert "attribute_ruler" in slow.pipe_names
    assert "attribute_ruler" not in fast.pipe_names
    assert "newsprism_attribute_ruler" in fast.pipe_names


def test_fast_ruler_same_annotations(pipelines):
    slow, fast = pipelines
    a, b = slow(TEXT), fast(TEXT)
    got = [(t.pos_, t.tag_, t.lemma_, str(t.morph), t.dep_) for t in b]
    want = [(t.pos_, t.tag_, t.lemma_, str(t.morph), t.dep_) for t in a]
    assert got == want


def _speaker(text: str, fragment: str) -> str | None:
    for q in find_quotes(text):
        if fragment in q.text:
            return q.speaker
    raise AssertionError(f"no quote with {fragment!r}: {find_quotes(text)}")


def test_name_before_colon_is_speaker():
    text = (
        "The early results did not surprise the analyst Maria Lopez: "
        '"Voters decide late, and the last polls caught that shift well."'
    )
    assert _speaker(text, "Voters decide late") == "Maria Lopez"


def test_a_name_inside_a_clause_before_a_colon_is_not_the_speaker():
    text = (
        "Judge Ellen Marsh sentenced the man on Friday.\n\n"
        "The judge had advice for the guards who will watch Tom Reyes:\n\n"
        '"Do not trust him ever again, because he cannot be trusted."'
    )
    assert _speaker(text, "Do not trust him") != "Tom Reyes"


def test_according_to_names_the_reporter_not_the_speaker_of_a_judgement():
    text = (
        'Senator Ana Ruiz spoke in Denver on Monday. Ruiz criticized the governor for his "secrecy," '
        "according to The Ledger."
    )
    assert _speaker(text, "secrecy") == "Ana Ruiz"
    # after a speech verb the quoted words are the source's: the indictment's, not Ruiz's
    text = 'Ruiz, according to the indictment, "on multiple occasions" told Tom Hale to stay quiet.'
    assert _speaker(text, "on multiple occasions") != "Ruiz"


def test_quoted_as_saying_takes_passive_subject():
    text = (
        'Senator Paul Wren was quoted as saying, "The bill will pass before the summer recess." '
        "Critics disagreed."
    )
    assert _speaker(text, "The bill will pass") == "Paul Wren"


def test_full_stop_quote_not_given_next_sentence_cue():
    text = (
        '"The rate will rise in March," said Anna Berg, an economist at Nordbank. "Markets expect it." '
        "Berg added that inflation had peaked."
    )
    assert _speaker(text, "Markets expect it") == "Anna Berg"


def test_fast_pipeline_replaces_lemmatizer(pipelines):
    slow, fast = pipelines
    assert "lemmatizer" in slow.pipe_names
    assert "newsprism_lemmatizer" in fast.pipe_names and "lemmatizer" not in fast.pipe_names


def test_fast_lemmas_match_on_a_second_pass(pipelines):
    # The second pass answers from the memo; lemmas must not depend on which pass computed them.
    slow, fast = pipelines
    fast(TEXT)
    assert [t.lemma_ for t in fast(TEXT)] == [t.lemma_ for t in slow(TEXT)]


def test_two_processes_give_the_same_extractions():
    from newsprism.extract import extract_articles
    from newsprism.records import Article

    bodies = [
        TEXT,
        '"We will not back down," Defence Minister Ana Silva said on Tuesday, citing 3.5% growth.',
        "Officials in Lisbon said more than 40 ships had docked since last year.",
        "The Chinese president arrived in Beijing. Beijing accused Washington of meddling, he said.",
    ]
    articles = [
        Article(id=f"a{i}", source=f"t{i}", text=body, published="2024-05-16")
        for i, body in enumerate(bodies)
    ]
    with settings.override({"spacy_processes": 1}):
        one = extract_articles(articles)
    with settings.override({"spacy_processes": 2, "spacy_parallel_min_chars": 1}):
        two = extract_articles(articles)
    assert one == two
    assert [e.article_id for e in two] == ["a0", "a1", "a2", "a3"]


def test_small_batch_stays_in_process():
    import newsprism.extract as extract
    from newsprism.records import Article

    extract.shutdown_workers()
    with settings.override({"spacy_processes": 2, "spacy_parallel_min_chars": 50_000}):
        extract.extract_articles([Article(id="a", source="t", text="Rain fell in Oslo on Monday.")])
    assert extract._POOL is None


def test_one_long_article_beside_short_ones_stays_in_process():
    # one worker would parse the long page whole: the batch is counted by what the workers could share
    import newsprism.extract as extract
    from newsprism.records import Article

    short = "Rain fell in Oslo on Monday. " * 8
    articles = [Article(id=f"s{i}", source="t", text=short) for i in range(2)]
    long = Article(id="long", source="t", text="Snow fell in Bergen on Tuesday. " * 100)
    extract.shutdown_workers()
    try:
        limits = {"spacy_processes": 2, "spacy_parallel_min_chars": 1_000, "spacy_piece_chars": 400}
        with settings.override(limits):
            extract.extract_articles([*articles, long])  # 2 x 232 + 400 characters to share
            assert extract._POOL is None
            extract.extract_articles([*articles, long, long])  # 2 x 232 + 2 x 400
            assert extract._POOL is not None
    finally:
        extract.shutdown_workers()


def test_workers_follow_settings_changed_after_they_started():
    # The pool outlives a call; a later override (here a cap on parsed characters) must still reach it.
    import newsprism.extract as extract
    from newsprism.records import Article

    body = 'Officials met in Oslo. "We will act," Ana Silva said. Rain fell on 40 towns.'
    articles = [Article(id=f"a{i}", source="t", text=body, published="2024-05-16") for i in range(4)]
    try:
        with settings.override({"spacy_processes": 2, "spacy_parallel_min_chars": 1}):
            full = extract.extract_articles(articles)
            assert extract._POOL is not None
            with settings.override({"max_article_chars": 22}):
                capped = extract.extract_articles(articles)
    finally:
        extract.shutdown_workers()
    assert all(e.quotes for e in full)
    assert not any(e.quotes for e in capped)
