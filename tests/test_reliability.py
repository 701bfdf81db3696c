"""The reliability suite (issue 26): budgets applied before the expensive call, with a note or a reason;
streamed JSONL; rejections at scale; a run killed with SIGKILL and completed by the next. Budgets are set low
here; `python -m bench.reliability` measures the real inputs at the default budgets (docs/reliability.md)."""

from __future__ import annotations

import gzip
import json
import signal
import sqlite3
import subprocess
import sys

import numpy as np
import pytest
from bench.reliability import report_outline

from newsprism import settings
from newsprism.clean import clean_document
from newsprism.extract import extract_articles
from newsprism.ingest import read_inputs
from newsprism.models.embeddings import _batches
from newsprism.models.nlp import parse, parser_pieces
from newsprism.pipeline import MAX_KEPT_REJECTIONS, Pipeline, analyze
from newsprism.records import Article, RawDocument, Rejection
from newsprism.store import SQLiteStore
from newsprism.text import sentence_spans

SENTENCE = "The council met on Tuesday and voted to keep the library open until nine."


def test_an_article_over_the_budget_is_cut_at_a_sentence_end_with_a_note():
    text = " ".join([SENTENCE] * 100)
    with settings.override({"max_article_chars": 1000}):
        article = clean_document(RawDocument(source="long.txt", kind="text", content=text))
    assert len(article.text) <= 1000 and article.text.endswith("nine.")
    note = article.removed[-1]
    assert "max_article_chars=1,000" in note.reason and note.text.startswith("The council")
    assert f"{len(text) - len(article.text) - 1:,} characters" in note.reason


def test_a_text_input_is_read_only_to_its_cap_with_a_note():
    text = "\n\n".join([SENTENCE] * 100)
    with settings.override({"max_text_input_chars": 2000}):
        article = clean_document(RawDocument(source="long.txt", kind="text", content=text))
    assert len(article.text) <= 2000
    assert any("max_text_input_chars=2,000" in r.reason and r.start == 2000 for r in article.removed)


def test_a_gzipped_document_may_not_inflate_past_the_input_cap(tmp_path):
    (tmp_path / "big.txt.gz").write_bytes(gzip.compress(("\n".join([SENTENCE] * 200)).encode()))
    (tmp_path / "ok.txt").write_text(SENTENCE * 2)
    with settings.override({"max_input_bytes": 5000}):
        out = {x.source if isinstance(x, RawDocument) else x.input: x for x in read_inputs([tmp_path])}
    big = out[str(tmp_path / "big.txt.gz")]
    assert isinstance(big, Rejection) and "max_input_bytes=5,000" in big.reason
    assert isinstance(out[str(tmp_path / "ok.txt")], RawDocument)


def test_jsonl_is_streamed_and_an_over_long_line_is_rejected_while_the_next_is_read(tmp_path):
    path = tmp_path / "feed.jsonl"
    lines = [{"text": SENTENCE}, {"text": SENTENCE * 100}, {"text": SENTENCE, "title": "after"}]
    path.write_text("\n".join(json.dumps(x) for x in lines) + "\n")
    with settings.override({"max_input_bytes": 1000}):  # the file is larger: JSONL is capped per line
        out = list(read_inputs([path]))
    assert [type(x).__name__ for x in out] == ["RawDocument", "Rejection", "RawDocument"]
    assert out[1].input.endswith("#L2") and "max_input_bytes=1,000" in out[1].reason
    assert out[2].source.endswith("#L3") and out[2].hints["title"] == "after"


def test_a_gzipped_jsonl_of_blank_lines_says_so(tmp_path):
    path = tmp_path / "blank.jsonl.gz"
    path.write_bytes(gzip.compress(b"\n\n  \n"))
    (only,) = read_inputs([path])
    assert isinstance(only, Rejection) and "no JSON record" in only.reason


def test_many_rejected_lines_are_all_stored_and_the_result_and_report_stay_small(tmp_path):
    path = tmp_path / "tiny.jsonl"
    n = MAX_KEPT_REJECTIONS + 500
    # each line a different length than the one before: different reasons, so no two lines make one range
    lines = [json.dumps({"text": "x" * (1 + i % 2)}) for i in range(n)]
    path.write_text("\n".join(lines) + "\n" + json.dumps({"text": SENTENCE * 3}) + "\n")
    with settings.override({"report_max_rejected": 10}):
        result = analyze([path], db=tmp_path / "n.db", out=tmp_path / "report")
        report = json.loads((tmp_path / "report" / "report.json").read_text())
    assert result.ingest.rejected_count == n and len(result.ingest.rejections) == MAX_KEPT_REJECTIONS
    assert len(result.ingest.articles) == 1
    assert "min_text_chars" in result.ingest.rejections[0].reason
    assert report["rejected_count"] == n and len(report["rejected"]) == 10
    assert SQLiteStore(tmp_path / "n.db").rejection_count() == n


def test_lines_in_a_row_rejected_for_one_reason_are_one_rejection_until_one_of_them_is_read(tmp_path):
    path = tmp_path / "tiny.jsonl"
    good = json.dumps({"text": SENTENCE * 3})
    path.write_text('{"text": "x"}\n' * 4 + "\n" + '{"text": "x"}\n' * 2 + "[1]\n" + good + "\n")
    db = tmp_path / "n.db"
    result = analyze([path], db=db, out=tmp_path / "report")
    sources = [r.input.rsplit("#", 1)[1] for r in result.ingest.rejections]
    assert sources == ["L1-L7", "L8"]  # the blank line 5 does not break the run; a new reason does
    assert "only 1 characters" in result.ingest.rejections[0].reason
    assert result.ingest.rejected_count == 2 and len(result.ingest.articles) == 1

    # line 3 fixed: read again, the file's old range goes and its rejected lines around 3 are two ranges
    lines = path.read_text().splitlines()
    lines[2] = json.dumps({"text": SENTENCE * 2})
    path.write_text("\n".join(lines) + "\n")
    analyze([path], db=db, out=tmp_path / "report")
    stored = sorted(r.input.rsplit("#", 1)[1] for r in SQLiteStore(db).rejections())
    assert stored == ["L1-L2", "L4-L7", "L8"]


def test_a_long_text_is_cut_for_the_parser_at_line_breaks_then_sentence_ends_and_joins_back():
    text = "\n".join(f"Paragraph {i} says the council met. It voted." for i in range(40))
    pieces = parser_pieces(text, 200)
    assert "".join(pieces) == text and all(len(p) <= 200 for p in pieces)
    assert all(p.endswith("\n") for p in pieces[:-1])
    one_line = " ".join([SENTENCE] * 20)
    pieces = parser_pieces(one_line, 300)
    assert "".join(pieces) == one_line and all(p.endswith(". ") for p in pieces[:-1])
    assert parser_pieces("x" * 50, 20) == ["x" * 20, "x" * 20, "x" * 10]  # no space: cut at the limit


def test_a_text_parsed_in_pieces_reads_as_in_one_piece():
    paragraphs = [
        f'Mayor Ana Ruiz said on Tuesday that {n} families would move. "We will help," she said.'
        for n in range(30, 90)
    ]
    article = Article(id="a1", source="a.txt", text="\n".join(paragraphs))
    with settings.override({"spacy_piece_chars": 500, "spacy_batch_chars": 1000}):
        (doc,) = parse([article.text])
        (pieced,) = extract_articles([article])
    assert doc.text == article.text and len(list(doc.sents)) == 2 * len(paragraphs)
    with settings.override({"spacy_piece_chars": 0, "spacy_batch_chars": 0}):
        (whole,) = extract_articles([article])
    assert pieced == whole


def test_a_line_of_full_stops_is_one_sentence():
    assert sentence_spans("." * 5000 + " Then a sentence.") == [(0, 5000), (5001, 5017)]
    assert sentence_spans("Mr. Smith came. He left.") == [(0, 15), (16, 24)]


def test_embedding_batches_stay_under_the_token_budget():
    rng = np.random.default_rng(0)
    lengths = [int(x) for x in rng.integers(1, 257, size=500)]
    order = np.argsort(lengths, kind="stable")
    batches = _batches(order, lengths, 32, 2048)
    assert sorted(i for b in batches for i in b) == list(range(500))
    assert all(len(b) <= 32 and len(b) * max(lengths[i] for i in b) <= 2048 for b in batches)


def test_embedding_batches_are_not_padded_far_past_a_text():
    lengths = [10, 11, 12, 40, 41, 90]
    order = np.argsort(lengths, kind="stable")
    assert [list(b) for b in _batches(order, lengths, 32, 2048)] == [[0, 1, 2], [3, 4], [5]]


# A runner that kills its own process with SIGKILL when the pipeline reaches the named step: after the
# articles are committed (cluster), after the stories are committed (analyse_stories).
_KILLED_AT = """
import os, signal, sys
from newsprism import pipeline
setattr(pipeline.Pipeline, sys.argv[1], lambda *a, **k: os.kill(os.getpid(), signal.SIGKILL))
from newsprism.cli import main
sys.argv = ["newsprism", *sys.argv[2:]]
main()
"""


@pytest.mark.parametrize("step", ["cluster", "analyse_stories"])
def test_a_run_killed_mid_way_is_completed_by_the_next(step, analysed_sample, tmp_path):
    db, out = tmp_path / "n.db", tmp_path / "report"
    args = ["analyze", str(analysed_sample["inputs"]), "--db", str(db), "--out", str(out), "--quiet"]
    killed = subprocess.run([sys.executable, "-c", _KILLED_AT, step, *args], capture_output=True, check=False)
    assert killed.returncode == -signal.SIGKILL and not (out / "report.json").exists()
    again = subprocess.run([sys.executable, "-m", "newsprism.cli", *args], capture_output=True, check=False)
    assert again.returncode == 0, again.stderr.decode()
    assert report_outline(out / "report.json") == report_outline(analysed_sample["out"] / "report.json")
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT count(*) FROM articles").fetchone()[0] == 5


def test_rejections_are_written_with_their_batch(tmp_path, monkeypatch):
    """An interrupted batch leaves no rejection behind either: the next run records it once."""
    store = SQLiteStore(tmp_path / "n.db")
    pipeline = Pipeline(store)
    docs = [Rejection("a.txt", "empty"), RawDocument("b.txt", "text", SENTENCE * 2)]

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("newsprism.pipeline.split_sentences", interrupted)
    with pytest.raises(KeyboardInterrupt):
        pipeline.ingest(docs)
    assert store.rejection_count() == 0 and store.article_count() == 0
    monkeypatch.undo()
    pipeline.ingest(docs)
    assert store.rejections() == [Rejection("a.txt", "empty")] and store.article_count() == 1
