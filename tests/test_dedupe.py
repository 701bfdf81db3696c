"""Duplicate detection: exact, near and rewrite groups, the original, partial reuse."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from newsprism import settings
from newsprism.dedupe import find_duplicates
from newsprism.dedupe.align import longest_increasing
from newsprism.records import Article, StoryMaterial
from newsprism.text import split_sentences

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).with_name("fixtures") / "dedupe"
SEED = ROOT / "examples" / "seed-story"


def material(articles: list[Article], vectors: dict[str, np.ndarray] | None = None) -> StoryMaterial:
    sentences = {a.id: tuple(split_sentences(a.id, a.text)) for a in articles}
    if vectors is None:
        from newsprism.models import embed

        vectors = {a.id: embed([s.text for s in sentences[a.id]]) for a in articles}
    return StoryMaterial("s-test", tuple(articles), sentences, vectors, {})


def fixture(name: str) -> str:
    return FIXTURES.joinpath(name).read_text(encoding="utf-8")


# ------------------------------------------------------------------ own fixtures


@pytest.fixture(scope="module")
def bridge_report():
    text = fixture("harbour-bridge.txt")
    paragraphs = text.split("\n\n")
    exact = text.upper().replace(",", " ,").replace("\n\n", "\n\n\n")  # case/punctuation/spacing only
    near = "\n\n".join(
        [
            "Wexley says yes to harbour footbridge after six-year row",
            *paragraphs[1:-1],
        ]  # new headline, trimmed end
        + ["Sign up for our morning newsletter to get the latest local news in your inbox every day."]
    )
    articles = [
        Article(id="a-original", source="a", text=text, published="2024-03-05"),
        Article(id="b-exact", source="b", text=exact, published="2024-03-06"),
        Article(id="c-near", source="c", text=near, published="2024-03-06T09:00"),
        Article(id="d-sport", source="d", text=fixture("cup-final.txt"), published="2024-03-05"),
    ]
    return articles, find_duplicates(material(articles))


def test_exact_and_near_copies_form_one_group_with_the_weakest_kind(bridge_report):
    articles, report = bridge_report
    assert len(report.groups) == 1
    group = report.groups[0]
    assert set(group.article_ids) == {"a-original", "b-exact", "c-near"}
    assert group.kind == "near"  # the near link is the weakest link in the group
    assert settings.current().near_duplicate_jaccard <= group.score < 1.0
    assert group.original == "a-original"
    assert "earliest published (2024-03-05)" in group.reason


def test_exact_copy_alone_is_an_exact_group():
    text = fixture("harbour-bridge.txt")
    articles = [
        Article(id="x1", source="x1", text=text),
        Article(id="x2", source="x2", text="  " + text.replace(".", " . ").lower()),
        Article(id="x3", source="x3", text=fixture("cup-final.txt")),
    ]
    report = find_duplicates(material(articles))
    assert [(g.kind, set(g.article_ids), g.score) for g in report.groups] == [("exact", {"x1", "x2"}, 1.0)]
    assert "longest text" in report.groups[0].reason  # no dates, no wire credit


def test_unrelated_article_is_not_grouped_or_reused(bridge_report):
    _, report = bridge_report
    assert all("d-sport" not in g.article_ids for g in report.groups)
    assert all("d-sport" not in (p.article_id, p.source_id) for p in report.partial_reuse)


def test_wire_credit_breaks_a_date_tie():
    text = fixture("harbour-bridge.txt")
    articles = [
        Article(id="p", source="p", text=text, published="2024-03-05"),
        Article(
            id="q", source="q", text=text + "\n\nCopyright notice.", published="2024-03-05", wire_credit="AP"
        ),
    ]
    group = find_duplicates(material(articles)).groups[0]
    assert group.original == "q"
    assert "wire credit (AP)" in group.reason


# ------------------------------------------------------------------ alignment logic with hand-made vectors


def _hand_material(order_b: list[int], extra_b: int = 0, copied: bool = False) -> StoryMaterial:
    """Two 6-sentence articles whose sentence k has basis vector k; b's sentences come in `order_b`, reworded
    or (`copied`) in a's words."""
    dim = 16
    eye = np.eye(dim, dtype=np.float32)
    text_a = " ".join(f"Statement number {k} has several words in it." for k in range(6))
    said = "Statement number {} has several words in it." if copied else "Point {} is put another way by b."
    text_b = " ".join(said.format(k) for k in [*order_b, *range(6, 6 + extra_b)])
    a = Article(id="a", source="a", text=text_a, published="2024-01-01")
    b = Article(id="b", source="b", text=text_b, published="2024-01-02")
    vectors = {"a": eye[list(range(6))], "b": eye[[*order_b, *range(6, 6 + extra_b)]]}
    return material([a, b], vectors)


def test_rewrite_needs_sentences_in_order():
    in_order = find_duplicates(_hand_material([0, 1, 2, 3, 4, 5], extra_b=4))
    scrambled = find_duplicates(_hand_material([5, 3, 1, 4, 0, 2], extra_b=4))
    assert [g.kind for g in in_order.groups] == ["rewrite"]
    assert in_order.groups[0].score == 1.0
    assert scrambled.groups == ()
    # not a rewrite; the same statements in other words are two reports, not reuse
    assert scrambled.partial_reuse == ()
    # the scrambled pair in a's own words: partial reuse of the earlier one
    (reuse,) = find_duplicates(_hand_material([5, 3, 1, 4, 0, 2], extra_b=4, copied=True)).partial_reuse
    assert (reuse.article_id, reuse.source_id, reuse.shared_sentences) == ("b", "a", 6)


def test_the_same_quotation_or_fact_in_similar_words_is_not_copying():
    from newsprism.dedupe.align import copied_wording

    quote = "“We will not back down on this bill, not now and not ever,” the senator said on Tuesday."
    other = "“We will not back down on this bill, not now and not ever,” Ms. Ruiz told reporters."
    assert not copied_wording(quote, other, 8)
    assert not copied_wording(
        "The Senate voted 52 to 48 on Tuesday to pass the bill after a long debate.",
        "After a long debate the bill passed the Senate 52-48 on Tuesday.",
        8,
    )
    assert copied_wording(
        "The measure, which critics call a giveaway to donors, passed after midnight on Tuesday.",
        "Lawmakers said the measure, which critics call a giveaway to donors, passed after midnight.",
        8,
    )


def test_longest_increasing_subsequence():
    assert longest_increasing([1, 5, 2, 7, 9, 3, 4, 10]) == 5
    assert longest_increasing([]) == 0


# ------------------------------------------------------------------ the seed sample


def _seed_articles() -> list[Article]:
    # Dates and the wire credit as the clean stage reads them from the pages' date lines and credits.
    meta = {
        "000": ("2024-05-16", None),
        "001": ("2024-05-17T21:28", None),
        "002": ("2024-05-16", None),
        "003": (None, None),
        "004": ("2024-05-20", "Reuters"),
    }
    articles = []
    for path in sorted(SEED.glob("*.txt")):
        label = path.name[:3]
        text = re.sub(r"\n{3,}", "\n\n", path.read_text(encoding="utf-8").strip())
        published, wire = meta[label]
        articles.append(Article(id=label, source=str(path), text=text, published=published, wire_credit=wire))
    return articles


@pytest.fixture(scope="module")
def seed_report():
    articles = _seed_articles()
    return articles, find_duplicates(material(articles))


def test_seed_wire_rewrite_is_one_group_with_the_earliest_as_original(seed_report):
    _, report = seed_report
    assert len(report.groups) == 1
    group = report.groups[0]
    assert (group.kind, set(group.article_ids), group.original) == ("rewrite", {"001", "004"}, "001")
    assert "earliest published (2024-05-17T21:28)" in group.reason
    assert "004 credits Reuters" in group.reason
    # a reworded wire story: it passes as a paraphrase retelling both articles, not as a near-verbatim copy
    assert "paraphrased" in group.reason
    assert group.score >= settings.current().rewrite_paraphrase_min_share


def test_seed_paraphrased_wire_sentences_are_no_partial_reuse(seed_report):
    """002 retells two sentences of the Reuters story (001) in other words ("In selecting China for his
    inaugural foreign trip" / "By picking China for his first foreign trip"): no copied wording, no reuse."""
    _articles, report = seed_report
    assert not any(p.article_id == "002" for p in report.partial_reuse)


def test_pairs_that_cannot_align_enough_sentences_skip_the_assignment():
    """The sentence-match bound rules out a same-topic pair with one shared sentence before the assignment,
    and keeps a pair that shares enough; the report is what full alignment would give."""
    from newsprism.dedupe import duplicates
    from newsprism.dedupe.align import match_bound

    dim = 16
    eye = np.eye(dim, dtype=np.float32)
    base = np.full(dim, 0.2, dtype=np.float32)  # a common direction keeps the article means similar

    def rows(ks: list[int]) -> np.ndarray:
        m = eye[ks] + base
        return m / np.linalg.norm(m, axis=1, keepdims=True)

    text = " ".join(f"Sentence number {k} carries enough words here." for k in range(6))
    a = Article(id="a", source="a", text=text)
    b = Article(id="b", source="b", text=text.replace("Sentence", "Line"))
    c = Article(id="c", source="c", text=text.replace("Sentence", "Item"))
    # b shares one statement with a; c shares all six
    vectors = {"a": rows([0, 1, 2, 3, 4, 5]), "b": rows([0, 6, 7, 8, 9, 10]), "c": rows([0, 1, 2, 3, 4, 5])}
    assert match_bound(vectors["a"] @ vectors["b"].T, 0.7) == 1
    duplicates.STATS.clear()
    with settings.override({"near_duplicate_jaccard": 0.99}):
        report = find_duplicates(material([a, b, c], vectors))
    assert duplicates.STATS["pairs"] == 3
    assert duplicates.STATS["aligned"] == 1  # only a-c reaches the assignment
    assert [set(g.article_ids) for g in report.groups] == [{"a", "c"}]
    assert report.partial_reuse == ()


# ------------------------------------------------------------------ rewrite evidence: how close, and whose words


def _graded_material(cosine: float, quoted: bool = False) -> StoryMaterial:
    """Two 6-sentence articles whose sentence k pair has exactly `cosine` (and ~0 with every other sentence);
    with `quoted`, every sentence of both is quoted speech."""
    dim = 16
    eye = np.eye(dim, dtype=np.float32)
    other = np.sqrt(max(0.0, 1 - cosine**2))
    vec_a = eye[:6]
    vec_b = np.stack([cosine * eye[k] + other * eye[k + 8] for k in range(6)]).astype(np.float32)

    def sentence(k: int, who: str) -> str:
        words = f"Statement {k} from {who} carries enough words to count."
        return f"“{words}” he said." if quoted else words

    a = Article(id="a", source="a", text=" ".join(sentence(k, "a") for k in range(6)), published="2024-01-01")
    b = Article(id="b", source="b", text=" ".join(sentence(k, "b") for k in range(6)), published="2024-01-02")
    return material([a, b], {"a": vec_a, "b": vec_b})


@pytest.mark.parametrize(
    ("cosine", "expected"),
    [
        (0.75, None),  # loosely similar sentences in order: two reports of one event, not one story
        (0.85, "paraphrased"),  # every sentence re-worded: a paraphrased or translated rewrite
        (0.95, "near-verbatim"),  # every sentence lightly edited: a copy
    ],
)
def test_rewrite_needs_near_verbatim_or_paraphrased_sentences(cosine, expected):
    report = find_duplicates(_graded_material(cosine))
    if expected is None:
        assert report.groups == ()
    else:
        (group,) = report.groups
        assert group.kind == "rewrite" and expected in group.reason


def test_shared_quotes_do_not_make_a_rewrite():
    """Two reports quoting one speaker word for word share those sentences; that is not copying."""
    report = find_duplicates(_graded_material(0.99, quoted=True))
    assert report.groups == ()
    assert report.partial_reuse == ()  # nor a partial reuse: the shared words are the speaker's


def test_quoted_mask_marks_quoted_speech_only():
    from newsprism.dedupe.align import quoted_mask

    text = (
        "The mayor spoke on Tuesday.\n\n“We will rebuild the bridge. It will take two years,” she said.\n\n"
        "“A quote that runs on into the next paragraph.\n\n“And ends here,” she added. A plain closing line."
    )
    sentences = split_sentences("x", text)
    flags = dict(zip((s.text for s in sentences), quoted_mask(text, sentences).tolist(), strict=True))
    assert flags["The mayor spoke on Tuesday."] is False
    assert flags["“We will rebuild the bridge."] is True
    assert flags["It will take two years,” she said."] is True
    assert flags["“A quote that runs on into the next paragraph."] is True
    assert flags["A plain closing line."] is False


def test_near_duplicate_pairs_come_in_input_order():
    """The order names pairs in a group's reason; it must not depend on the process's hash seed."""
    from newsprism.dedupe.fingerprints import near_duplicate_pairs

    base = " ".join(f"word{k}" for k in range(120))
    texts = {f"t{n}": base + f" tail{n}" for n in range(6)}
    pairs = list(near_duplicate_pairs(texts))
    order = list(texts)
    assert pairs == sorted(pairs, key=lambda p: (order.index(p[0]), order.index(p[1])))
    assert len(pairs) == 15
