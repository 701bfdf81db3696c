"""Open-tool anchors scored beside newsprism by the same scorers (newsprism.eval.*).

Bench-only extras: textacy==0.13.0 and sumy==0.13.0 (see docs/benchmarks.md for the install line).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from newsprism.eval import clustering as clustering_eval
from newsprism.eval import summaries as summaries_eval
from newsprism.eval.extraction import Extracted, Extractor
from newsprism.eval.quotes import PredictedQuote, QuoteFinder

# ------------------------------------------------------------------ extraction: trafilatura


def trafilatura_extractor(mode: str = "default") -> Extractor:
    """trafilatura.bare_extraction with metadata, in its default, favor_precision or favor_recall mode."""
    import trafilatura

    flags = {"favor_precision": mode == "precision", "favor_recall": mode == "recall"}

    def extract(html: str, url: str | None, source: str) -> Extracted:
        try:
            doc = trafilatura.bare_extraction(html, url=url, with_metadata=True, **flags)
        except Exception:  # noqa: BLE001 - a crash on one page is an empty extraction, as for newsprism
            doc = None
        if doc is None:
            return Extracted()
        authors = tuple(a.strip() for a in (doc.author or "").split(";") if a.strip())
        return Extracted(doc.text or "", doc.title, doc.date, authors)

    return extract


# ------------------------------------------------------------------ clustering: TF-IDF + agglomerative

THRESHOLDS = tuple(round(t, 2) for t in np.arange(0.30, 1.0, 0.05))


def tfidf_agglomerative(items: Sequence[dict[str, Any]]) -> tuple[dict[str, Any], float]:
    """TF-IDF vectors of title + text, average-linkage agglomerative clustering on cosine distance, with the
    distance threshold picked to maximise story B-cubed F1 on this very file (an oracle-tuned anchor)."""
    vectors = clustering_eval.tfidf_vectors(items)
    best: tuple[dict[str, Any], float] | None = None
    for threshold in THRESHOLDS:
        labels = clustering_eval.tfidf_clusters(vectors, threshold)
        scores = clustering_eval.score_runs(items, [list(labels)])
        if best is None or scores["b3_f1"] > best[0]["b3_f1"]:
            best = (scores, threshold)
    assert best is not None
    return best


# ------------------------------------------------------------------ quotes: textacy per paragraph


def textacy_finder() -> QuoteFinder:
    """textacy's direct_quotations on newsprism's spaCy pipeline, one paragraph (line) at a time: on a whole
    article it gives up whenever quote marks are unbalanced anywhere."""
    from textacy.extract.triples import direct_quotations

    from newsprism.models import nlp

    def find(text: str) -> list[PredictedQuote]:
        paragraphs = [(m.start(), m.group()) for m in re.finditer(r"[^\n]+", text) if m.group().strip()]
        out: list[PredictedQuote] = []
        for (offset, _), doc in zip(paragraphs, nlp().pipe(p for _, p in paragraphs), strict=True):
            try:
                triples = list(direct_quotations(doc))
            except (ValueError, IndexError):
                continue  # textacy raises on some unbalanced-quote paragraphs
            for triple in triples:
                content = list(triple.content)
                if not content:
                    continue
                start = offset + content[0].idx
                end = offset + content[-1].idx + len(content[-1].text)
                speaker = list(triple.speaker)
                s_start = offset + speaker[0].idx if speaker else None
                s_end = offset + speaker[-1].idx + len(speaker[-1].text) if speaker else None
                name = " ".join(t.text for t in speaker) or None
                out.append(PredictedQuote(start, end, name, name, s_start, s_end))
        return out

    return find


# ------------------------------------------------------------------ summaries: lead, LexRank, TextRank


class _Words:
    """A sumy tokenizer that needs no NLTK data: sentences come pre-split by newsprism."""

    _WORD = re.compile(r"\w+(?:['’]\w+)?")

    def to_words(self, text: str) -> list[str]:
        return self._WORD.findall(text)

    def to_sentences(self, text: str) -> list[str]:  # unused: the document is built from sentences
        return [text]


def story_sentences(item: dict[str, Any]) -> list[list[str]]:
    """Each article's sentences by newsprism's shared splitter (the same input for every anchor)."""
    from newsprism.text import sentence_spans

    return [[a["text"][s:e] for s, e in sentence_spans(a["text"])] for a in item["articles"]]


def lead_summary(item: dict[str, Any]) -> summaries_eval.Summary:
    """Round-robin lead: first sentence of each article, then the second of each, ... (scored at the
    reference's length, so the list may run long)."""
    per_article = story_sentences(item)
    out = []
    for rank in range(max((len(s) for s in per_article), default=0)):
        out.extend(s[rank] for s in per_article if rank < len(s))
    return summaries_eval.Summary(tuple(out))


def sumy_summarizer(kind: str) -> Callable[[dict[str, Any]], summaries_eval.Summary]:
    """sumy's LexRank or TextRank over the story's sentences (English stemmer and stop words), taking
    the fewest top sentences that reach the reference's length, in document order."""
    from sumy.models.dom import ObjectDocumentModel, Paragraph, Sentence
    from sumy.nlp.stemmers import Stemmer
    from sumy.summarizers.lex_rank import LexRankSummarizer
    from sumy.summarizers.text_rank import TextRankSummarizer
    from sumy.utils import get_stop_words

    tokenizer = _Words()
    summarizer = (LexRankSummarizer if kind == "lexrank" else TextRankSummarizer)(Stemmer("english"))
    summarizer.stop_words = get_stop_words("english")

    def summarize(item: dict[str, Any]) -> summaries_eval.Summary:
        paragraphs = [
            Paragraph([Sentence(s, tokenizer) for s in sentences])
            for sentences in story_sentences(item)
            if sentences
        ]
        document = ObjectDocumentModel(paragraphs)
        total = sum(len(p.sentences) for p in paragraphs)
        target = len(item["reference"].split())
        chosen: list[str] = []
        for count in range(1, total + 1):
            chosen = [str(s) for s in summarizer(document, count)]
            if sum(len(s.split()) for s in chosen) >= target:
                break
        return summaries_eval.Summary(tuple(chosen))

    return summarize
