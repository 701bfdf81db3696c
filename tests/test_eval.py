"""Scorers of `newsprism eval`: hand-computed toy examples, no eval data."""

from __future__ import annotations

import gzip
import json
import sys
import types
from pathlib import Path

import pytest

from newsprism.errors import EvalDataError
from newsprism.eval import TASKS, format_table, metrics, run_eval
from newsprism.eval import claims as claims_eval
from newsprism.eval import clustering as clustering_eval
from newsprism.eval import extraction as extraction_eval
from newsprism.eval import quotes as quotes_eval
from newsprism.eval import summaries as summaries_eval
from newsprism.eval.quotes import PredictedQuote


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


# ------------------------------------------------------------------ metrics


def test_b_cubed_toy_clustering():
    # gold {a,b,c} {d,e}; predicted {a,b} {c,d,e}
    gold = ["x", "x", "x", "y", "y"]
    pred = [1, 1, 2, 2, 2]
    p, r, f = metrics.b_cubed(gold, pred)
    # precision per item: a,b 2/2; c 1/3; d,e 2/3 -> (1+1+1/3+2/3+2/3)/5
    assert p == pytest.approx((1 + 1 + 1 / 3 + 2 / 3 + 2 / 3) / 5)
    # recall per item: a,b 2/3; c 1/3; d,e 2/2 -> (2/3+2/3+1/3+1+1)/5
    assert r == pytest.approx((2 / 3 + 2 / 3 + 1 / 3 + 1 + 1) / 5)
    assert f == pytest.approx(2 * p * r / (p + r))


def test_b_cubed_perfect_and_all_in_one():
    assert metrics.b_cubed(["a", "a", "b"], [7, 7, 9]) == (1.0, 1.0, 1.0)
    p, r, _ = metrics.b_cubed(["a", "a", "b", "b"], [0, 0, 0, 0])
    assert (p, r) == (0.5, 1.0)


def test_pair_scores_count_pairs():
    # gold pairs: (0,1) (0,2) (1,2) (3,4); predicted pairs: (0,1) (2,3) (2,4) (3,4)
    p, r, f = metrics.pair_scores(["x", "x", "x", "y", "y"], [1, 1, 2, 2, 2])
    assert (p, r) == (pytest.approx(2 / 4), pytest.approx(2 / 4))
    assert f == pytest.approx(0.5)


def test_cluster_metrics_keys_and_prefix():
    out = metrics.cluster_metrics(["a", "a", "b"], [1, 1, 2], prefix="topic_")
    assert out["topic_b3_f1"] == 1.0 and out["topic_ari"] == pytest.approx(1.0) and out["topic_nmi"] == 1.0


def test_token_precision_recall_are_bags_of_lowercase_words():
    p, r = metrics.token_pr("The cat the CAT sat", "the cat sat on the mat")
    # pred bag {the:2, cat:2, sat:1} (5), gold {the:2, cat:1, sat:1, on:1, mat:1} (6); overlap the2 cat1 sat1 = 4
    assert p == pytest.approx(4 / 5)
    assert r == pytest.approx(4 / 6)
    assert metrics.token_pr("", "gold words") == (0.0, 0.0)


def test_prf_none_without_gold():
    assert metrics.prf(0, 3, 0) == (0.0, None, None)
    assert metrics.prf(0, 0, 0) == (None, None, None)
    assert metrics.prf(0, 0, 4) == (0.0, 0.0, 0.0)
    assert metrics.prf(2, 4, 2) == (0.5, 1.0, pytest.approx(2 / 3))


def test_match_spans_needs_half_the_gold_span_and_is_one_to_one():
    gold = [(0, 10), (20, 30)]
    # (0,4) covers 4/10 of gold 0: no match; (5, 12) covers 5/10: match; (21, 40) covers 9/10 of gold 1
    assert metrics.match_spans([(0, 4)], gold) == []
    assert metrics.match_spans([(5, 12)], gold) == [(0, 0)]
    # two predictions over one gold span: only one may match it
    pairs = metrics.match_spans([(0, 10), (1, 9)], [(0, 10)])
    assert len(pairs) == 1 and pairs[0] == (0, 0)
    # one long prediction over two gold spans matches only one of them
    assert len(metrics.match_spans([(0, 30)], gold)) == 1


def test_match_spans_prefers_the_assignment_with_more_matches():
    # pred 0 could take gold 0 or 1, pred 1 only gold 0: the best matching pairs pred0-gold1, pred1-gold0
    pairs = sorted(metrics.match_spans([(0, 30), (0, 8)], [(0, 10), (12, 30)]))
    assert pairs == [(0, 1), (1, 0)]


def test_same_person_normalises_names():
    assert metrics.same_person("Donald J. Trump", "Trump")
    assert metrics.same_person("Sen. Bernie Sanders", "Bernie Sanders")
    assert metrics.same_person("José Núñez", "Jose Nunez")
    assert not metrics.same_person("Hillary Clinton", "Bill Clinton")
    assert not metrics.same_person("he", "Trump")
    assert not metrics.same_person(None, "Trump")


def test_binary_scores():
    out = metrics.binary_scores([1, 0, 1, 0], [True, True, False, False])
    assert out == {"acc": 0.5, "p": 0.5, "r": 0.5, "f1": 0.5}
    assert metrics.binary_scores([0, 0], [False, True])["f1"] is None


# ------------------------------------------------------------------ quotes scorer


QUOTE_TEXT = '"We will win," Smith said. Jones added: "It is over." Then "a third one" came.'


def gold_quote(text: str, quote: str, speaker: str | None) -> dict:
    start = text.index(quote)
    s_start = text.index(speaker) if speaker else None
    return {
        "quote": quote,
        "start": start,
        "end": start + len(quote),
        "speaker": speaker,
        "speaker_start": s_start,
        "speaker_end": s_start + len(speaker) if speaker else None,
        "cue": None,
    }


def test_quote_scores_overlap_exact_and_speaker():
    gold = [
        gold_quote(QUOTE_TEXT, '"We will win,"', "Smith"),
        gold_quote(QUOTE_TEXT, '"It is over."', "Jones"),
    ]
    s = QUOTE_TEXT.index("Smith")
    over = QUOTE_TEXT.index("It is over")
    pred = [
        # exact once quote marks and the comma are ignored; speaker by span
        PredictedQuote(1, QUOTE_TEXT.index(","), "John Smith", "Smith", s, s + 5),
        # overlaps the gold span by more than half but is not exact; wrong speaker
        PredictedQuote(over, over + 7, "Smith", "Smith", s, s + 5),
        # no gold: a false positive
        PredictedQuote(QUOTE_TEXT.index("a third"), QUOTE_TEXT.index("a third") + 11),
    ]
    out = quotes_eval.score([{"text": QUOTE_TEXT, "quotes": gold}], [pred])
    assert out["quote_p"] == pytest.approx(2 / 3)
    assert out["quote_r"] == 1.0
    assert out["quote_f1"] == pytest.approx(0.8)
    # exact: 1 of 3 predicted, 1 of 2 gold
    assert out["quote_exact_f1"] == pytest.approx(2 * (1 / 3) * (1 / 2) / (1 / 3 + 1 / 2))
    assert out["speaker_acc"] == 0.5
    assert out["quote_speaker_f1"] == pytest.approx(2 * (1 / 3) * (1 / 2) / (1 / 3 + 1 / 2))


def test_speaker_by_name_when_spans_differ():
    gold = gold_quote(QUOTE_TEXT, '"It is over."', "Jones")
    assert quotes_eval.speaker_right(PredictedQuote(0, 5, "Mary Jones", "she", 90, 93), gold)
    assert not quotes_eval.speaker_right(PredictedQuote(0, 5, "Smith", "Smith", 90, 95), gold)


def test_quote_metrics_none_without_gold():
    out = quotes_eval.score([{"text": "No quotes here.", "quotes": []}], [[]])
    assert out["quote_r"] is None and out["quote_f1"] is None and out["speaker_acc"] is None


def test_run_eval_quotes_uses_the_product_finder(tmp_path, monkeypatch):
    from newsprism.records import Quote

    def fake_find_quotes(text):
        start = text.index('"We')
        end = text.index('," ') + 2
        return [
            Quote(
                "a",
                text[start:end],
                start,
                end,
                "Smith",
                "Smith",
                text.index("Smith"),
                text.index("Smith") + 5,
            )
        ]

    monkeypatch.setitem(sys.modules, "newsprism.extract", types.SimpleNamespace(find_quotes=fake_find_quotes))
    path = write_jsonl(
        tmp_path / "q.jsonl",
        [{"id": "q:1", "text": QUOTE_TEXT, "quotes": [gold_quote(QUOTE_TEXT, '"We will win,"', "Smith")]}],
    )
    result = run_eval("quotes", path)
    assert result["quote_f1"] == 1.0 and result["speaker_acc"] == 1.0
    assert result["n"] == 1 and result["task"] == "quotes" and len(result["sha256"]) == 64
    assert "quote_f1" in format_table(result)


# ------------------------------------------------------------------ extraction scorer


def test_extraction_scores_and_none_for_missing_gold():
    items = [
        {"gold": {"body": "one two three four", "title": "A  title", "authors": ["Ann Lee"], "date": "2024-05-16"}},
        {"gold": {"body": None, "title": None, "authors": None, "date": None, "must_include": ["keep  me"],
                  "must_exclude": ["Leave a Reply", "Impressum"]}},
    ]  # fmt: skip
    outputs = [
        extraction_eval.Extracted("one two", "A title", "2024-05-16T10:00:00+02:00", ("Ann Lee",)),
        extraction_eval.Extracted("please keep me here. Impressum", None, None, ()),
    ]
    out = extraction_eval.score(items, outputs)
    assert out["body_p"] == 1.0 and out["body_r"] == 0.5 and out["body_f1"] == pytest.approx(2 / 3)
    assert out["include_rate"] == 1.0 and out["exclude_rate"] == 0.5
    assert out["title_acc"] == 1.0 and out["date_acc"] == 1.0 and out["author_acc"] == 1.0
    only_snippets = extraction_eval.score(items[1:], outputs[1:])
    assert only_snippets["body_f1"] is None and only_snippets["title_acc"] is None


def test_decode_html_uses_the_declared_charset():
    raw = '<html><head><meta charset="iso-8859-1"></head><body>Müller</body></html>'.encode("latin-1")
    assert "Müller" in extraction_eval.decode_html(raw)
    assert "\ufffd" in extraction_eval.decode_html(b"<html>\xff</html>")


def test_run_eval_extraction_reads_gzipped_pages(tmp_path, monkeypatch):
    from newsprism.errors import InputError
    from newsprism.records import Article

    (tmp_path / "html").mkdir()
    with gzip.open(tmp_path / "html" / "p1.html.gz", "wb") as fh:
        fh.write(b"<html><body><p>alpha beta</p></body></html>")
    with gzip.open(tmp_path / "html" / "p2.html.gz", "wb") as fh:
        fh.write(b"<html></html>")

    def fake_clean(raw, store=None):
        if "alpha" not in raw.content:
            raise InputError(raw.source, "empty")
        return Article(id="x", source=raw.source, text="alpha beta", title="T", published="2024-01-02")

    monkeypatch.setitem(sys.modules, "newsprism.clean", types.SimpleNamespace(clean_document=fake_clean))
    gold = {"title": "T", "authors": None, "date": "2024-01-02", "must_include": None, "must_exclude": None}
    path = write_jsonl(
        tmp_path / "e.jsonl",
        [
            {
                "id": "e:1",
                "url": None,
                "html_file": "html/p1.html.gz",
                "gold": {"body": "alpha beta", **gold},
            },
            {"id": "e:2", "url": None, "html_file": "html/p2.html.gz", "gold": {"body": "gamma", **gold}},
        ],
    )
    out = run_eval("extraction", path)
    assert out["body_p"] == 0.5 and out["body_r"] == 0.5  # the rejected page is an empty extraction
    assert out["title_acc"] == 0.5 and out["author_acc"] is None and out["include_rate"] is None


# ------------------------------------------------------------------ clustering, summaries, claims


def test_arrival_orders_by_date_or_seeded_shuffles():
    dated = [{"published": "2024-01-03"}, {"published": "2024-01-01"}, {"published": "2024-01-02"}]
    assert clustering_eval.arrival_orders(dated) == [[1, 2, 0]]
    undated = [{"published": None}] * 10
    orders = clustering_eval.arrival_orders(undated)
    assert len(orders) == 5 and all(sorted(o) == list(range(10)) for o in orders)
    assert orders == clustering_eval.arrival_orders(undated)  # seeded: reproducible


def test_clustering_score_runs_averages_and_topic_none():
    items = [{"gold_story": "s1", "gold_topic": None}, {"gold_story": "s1", "gold_topic": None}]
    out = clustering_eval.score_runs(items, [["a", "a"], ["a", "b"]])
    assert out["b3_p"] == 1.0 and out["b3_r"] == pytest.approx(0.75) and out["runs"] == 2
    assert out["topic_b3_f1"] is None


def clustering_items(prefix: str, topics: int, stories_per_topic: int, per_story: int) -> list[dict]:
    words = ["quarry flood", "dam inquiry", "court ruling", "ferry strike", "bridge fire", "grain deal"]
    return [
        {
            "id": f"{prefix}{t}-{s}-{k}",
            "title": f"{words[t % len(words)]} {s}",
            "text": f"{words[t % len(words)]} report {s} {k}: officials said more on {words[t % len(words)]}.",
            "gold_story": f"{t}-{s}",
            "gold_topic": f"{t}" if stories_per_topic > 1 else None,
            "published": None,
        }
        for t in range(topics)
        for s in range(stories_per_topic)
        for k in range(per_story)
    ]


def test_event_folds_hold_whole_topics_out_and_deal_every_file():
    items = clustering_eval.stream(
        {"ecb": clustering_items("e", 6, 2, 2), "basil": clustering_items("b", 4, 1, 3)}
    )
    folds = clustering_eval.event_folds(items, 2, seed=0)
    assert sorted(k for fold in folds for k in fold) == list(range(len(items)))
    for fold in folds:
        assert {items[k]["_file"] for k in fold} == {"ecb", "basil"}
        other = set(range(len(items))) - set(fold)
        unit = lambda k: items[k].get("gold_topic") or items[k]["gold_story"]  # noqa: E731
        assert not {unit(k) for k in fold} & {unit(k) for k in other}
    assert folds == clustering_eval.event_folds(items, 2, seed=0)
    assert folds != clustering_eval.event_folds(items, 2, seed=1)


def test_held_out_fits_each_fold_on_the_other_and_scores_it_unseen(monkeypatch):
    # A stand-in clusterer that is right only with story_join_similarity 1.2: the fit must find that on
    # the training half, score it on the held-out half, and never mix the two in one clustering run.
    from newsprism import settings

    files = {"ecb": clustering_items("e", 4, 2, 2), "basil": clustering_items("b", 4, 1, 3)}
    calls = []

    def fake_ingest(items, progress=False):
        return clustering_eval.Ingested(
            list(items), [i["id"] for i in items], types.SimpleNamespace(close=lambda: None)
        )

    def fake_cluster(ingested, indices, seeds=clustering_eval.SEEDS, progress=False):
        calls.append(set(indices))
        right = settings.current().story_join_similarity == 1.2
        return [[ingested.items[k]["gold_story"] if right else k for k in indices]]

    monkeypatch.setattr(clustering_eval, "ingest", fake_ingest)
    monkeypatch.setattr(clustering_eval, "cluster", fake_cluster)
    result = clustering_eval.held_out(files, 2, grid={"story_join_similarity": (1.2, 1.6)})
    assert [fit["settings"] for fit in result["fits"]] == [{"story_join_similarity": 1.2}] * 2
    assert set(result["scenarios"]) == {"ecb", "basil", "stream"}
    for rows in result["scenarios"].values():
        assert rows["newsprism"]["b3_f1"] == 1.0
        assert rows["newsprism shipped settings"]["b3_f1"] < 1.0
        assert 0.0 < rows["tfidf+agglomerative"]["b3_f1"] <= 1.0
    folds = clustering_eval.event_folds(clustering_eval.stream(files), 2)
    assert calls and all(any(call <= set(fold) for fold in folds) for call in calls)  # 2 folds: train = other
    flat = clustering_eval.flat_held_out(result)
    assert flat["b3_f1"] == 1.0 and flat["fold 0 settings"] == "story_join_similarity=1.2"


def test_run_eval_takes_several_files_for_clustering_only(tmp_path):
    a = write_jsonl(tmp_path / "a.jsonl", clustering_items("a", 1, 1, 2))
    with pytest.raises(EvalDataError, match="only clustering scores several files"):
        run_eval("quotes", [a, a])


def test_summary_rouge_cuts_to_reference_length():
    ref = "the president met the premier"
    long = ref + " and then many other unrelated words followed"
    assert summaries_eval.rouge(long, ref)["rouge1"] == pytest.approx(1.0)
    items = [{"reference": ref}]
    out = summaries_eval.score(items, [summaries_eval.Summary(("a b.", ref), (("x",), ()), (True,))])
    assert out["cited_share"] == 0.5 and out["citation_precision"] == 1.0
    plain = summaries_eval.score(items, [summaries_eval.Summary((ref,))])
    assert plain["cited_share"] is None and plain["citation_precision"] is None


def claim(i: int, topic: str, a: str, b: str, s: int | None, w: int | None) -> dict:
    return {"id": f"c:{i}", "topic": topic, "claim_a": a, "claim_b": b, "title_a": None, "title_b": None,
            "strengthens": s, "weakens": w}  # fmt: skip


def test_claims_plain_and_cv_with_baselines(tmp_path, monkeypatch):
    relation_type = types.SimpleNamespace

    def fake_relation(a, b, title_a, title_b):
        weak = "not" in b
        return relation_type(strengthens=not weak, weakens=weak, support=0.5, reason="test")

    monkeypatch.setitem(sys.modules, "newsprism.claims", types.SimpleNamespace(relation=fake_relation))
    records = []
    for t in range(5):
        records.append(claim(2 * t, f"t{t}", "Taxes rose 5%.", "Taxes rose 5 percent.", 1, 0))
        records.append(claim(2 * t + 1, f"t{t}", "Taxes rose.", "Taxes did not rise.", 0, 1))
    path = write_jsonl(tmp_path / "c.jsonl", records)
    plain = run_eval("claims", path)
    assert plain["strengthens_f1"] == 1.0 and plain["weakens_acc"] == 1.0
    cv = run_eval("claims", path, cv=5)
    assert cv["strengthens_f1"] == 1.0 and cv["folds"] == 5
    assert cv["all_positive_weakens_p"] == 0.5 and cv["negation_number_weakens_f1"] == 1.0
    assert "tfidf_strengthens_f1" in cv and "majority_weakens_acc" in cv


def test_claim_mismatch_baseline():
    assert claims_eval.mismatch("He won.", "He did not win.")
    assert claims_eval.mismatch("12 died.", "15 died.")
    assert not claims_eval.mismatch("12 died.", "Officials said 12 died.")


# ------------------------------------------------------------------ format errors


def test_format_error_names_file_line_and_key(tmp_path):
    good = claim(1, "t", "a", "b", 1, 0)
    bad = {k: v for k, v in good.items() if k != "claim_b"}
    path = write_jsonl(tmp_path / "bad.jsonl", [good, bad])
    with pytest.raises(EvalDataError, match=r"bad\.jsonl:2: missing key 'claim_b'"):
        run_eval("claims", path)


def test_format_error_for_nested_key_and_bad_json(tmp_path):
    path = write_jsonl(
        tmp_path / "q.jsonl", [{"id": "q", "text": "t", "quotes": [{"quote": "x", "start": 0}]}]
    )
    with pytest.raises(EvalDataError, match=r"q\.jsonl:1: quotes\[0\]: missing key 'end'"):
        run_eval("quotes", path)
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"id": 1\n', encoding="utf-8")
    with pytest.raises(EvalDataError, match=r"broken\.jsonl:1: not valid JSON"):
        run_eval("claims", broken)


def test_unknown_task_and_bad_options(tmp_path):
    path = write_jsonl(tmp_path / "c.jsonl", [claim(1, "t", "a", "b", 1, 0)])
    with pytest.raises(EvalDataError, match="unknown eval task"):
        run_eval("nope", path)
    with pytest.raises(EvalDataError, match="claims and clustering tasks"):
        run_eval("quotes", path, cv=5)
    with pytest.raises(EvalDataError, match="no such file"):
        run_eval("claims", tmp_path / "missing.jsonl")
    assert TASKS == ("extraction", "clustering", "quotes", "summaries", "claims")


def test_claims_cv_reports_how_well_the_relation_ranks():
    import numpy as np

    from newsprism.eval.claims import _ranking

    items = [{"strengthens": s, "weakens": 1 - s} for s in (1, 1, 0, 0)]
    scores = {"strengthens": np.array([0.9, 0.6, 0.4, 0.1]), "weakens": np.array([0.2, 0.7, 0.6, 0.9])}
    ranked = _ranking(items, scores)
    assert ranked["strengthens_auc"] == 1.0 and ranked["weakens_auc"] == 0.75
    assert _ranking(items[:2], scores)["weakens_auc"] is None  # one class only: no ranking to judge
