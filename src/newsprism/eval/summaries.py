"""Story briefs: ROUGE against a human neutral roundup, and whether the brief's citations hold up.

Citation precision uses `claims.support_score`, the logistic support model the claims stage calibrated on
../shared/eval/paraphrase/mrpc-train.jsonl, with the shipped `support_threshold` setting: a citation is
right when the cited article holds at least one sentence whose support score for the brief sentence
reaches the threshold.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import settings
from ..errors import NewsprismError
from . import metrics
from .data import progress_iter


@dataclass(frozen=True)
class Summary:
    """A system's summary of one story; `citations` per sentence (None: the system does not cite)."""

    sentences: tuple[str, ...]
    citations: tuple[tuple[str, ...], ...] | None = None
    citation_ok: tuple[bool, ...] | None = None  # one per citation, in order, where checked


def rouge(summary: str, reference: str) -> dict[str, float]:
    """ROUGE-1/2/L F1 (rouge-score, Porter stemming) of the summary cut to the reference's length."""
    from rouge_score import rouge_scorer

    scorer = _scorer(rouge_scorer)
    cut = metrics.cut_words(summary, len(metrics.words(reference)))
    scores = scorer.score(reference, cut)
    return {k: scores[k].fmeasure for k in ("rouge1", "rouge2", "rougeL")}


_SCORER = None


def _scorer(module: Any):
    global _SCORER
    if _SCORER is None:
        _SCORER = module.RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=True)
    return _SCORER


def documents(item: dict[str, Any]) -> list:
    from ..records import RawDocument

    return [
        RawDocument(
            source=f"{item['id']}#{k}",
            kind="text",
            content=article["text"],
            hints={key: article[key] for key in ("title", "outlet") if article.get(key)},
        )
        for k, article in enumerate(item["articles"])
    ]


def newsprism_summary(item: dict[str, Any]) -> Summary:
    """The brief of the pipeline's `analyze_as_story` on a fresh store, with each citation checked."""
    from ..pipeline import Pipeline
    from ..store import open_scratch_store

    store = open_scratch_store()
    try:
        try:
            analysis = Pipeline(store).analyze_as_story(documents(item), story_id=item["id"])
        except NewsprismError:
            return Summary((), (), ())  # nothing analysable (every article rejected): an empty brief
        brief = analysis.brief
        checks = check_citations([s.text for s in brief], [tuple(s.citations) for s in brief], store)
        return Summary(tuple(s.text for s in brief), tuple(tuple(s.citations) for s in brief), checks)
    finally:
        store.close()


def check_citations(
    sentences: Sequence[str], citations: Sequence[tuple[str, ...]], store: Any
) -> tuple[bool, ...]:
    """Per citation: does the cited article hold a sentence that supports the citing sentence?"""
    from ..claims import support_score
    from ..models import embed
    from ..text import split_sentences

    cited = {aid for cites in citations for aid in cites}
    articles = {a.id: a for a in store.articles(sorted(cited))}
    article_sentences = {aid: [s.text for s in split_sentences(aid, a.text)] for aid, a in articles.items()}
    flat = list(sentences) + [t for aid in sorted(article_sentences) for t in article_sentences[aid]]
    vectors = embed(flat) if flat else None
    offsets, k = {}, len(sentences)
    for aid in sorted(article_sentences):
        offsets[aid] = k
        k += len(article_sentences[aid])
    threshold = settings.current().support_threshold
    out = []
    for i, (sentence, cites) in enumerate(zip(sentences, citations, strict=True)):
        for aid in cites:
            ok = False
            for j, cited_sentence in enumerate(article_sentences.get(aid, [])):
                row = offsets[aid] + j
                if support_score(sentence, cited_sentence, vectors[i], vectors[row]) >= threshold:
                    ok = True
                    break
            out.append(ok)
    return tuple(out)


def score(items: Sequence[dict[str, Any]], summaries: Sequence[Summary]) -> dict[str, Any]:
    """Mean ROUGE over stories; cited share over all brief sentences; citation precision over citations."""
    r1, r2, rl = [], [], []
    sentences = cited = 0
    checks: list[bool] = []
    with_citations = False
    for item, summary in zip(items, summaries, strict=True):
        scores = rouge(" ".join(summary.sentences), item["reference"])
        r1.append(scores["rouge1"])
        r2.append(scores["rouge2"])
        rl.append(scores["rougeL"])
        if summary.citations is not None:
            with_citations = True
            sentences += len(summary.sentences)
            cited += sum(1 for c in summary.citations if c)
        if summary.citation_ok is not None:
            checks.extend(summary.citation_ok)
    return {
        "rouge1": metrics.mean(r1),
        "rouge2": metrics.mean(r2),
        "rougeL": metrics.mean(rl),
        "cited_share": cited / sentences if with_citations and sentences else None,
        "citation_precision": metrics.mean([float(c) for c in checks]),
        "brief_sentences": metrics.mean([len(s.sentences) for s in summaries]),
    }


def evaluate(items: list[dict[str, Any]], path: Path, progress: bool = False, **_: Any) -> dict[str, Any]:
    return score(items, [newsprism_summary(item) for item in progress_iter(items, progress, "stories")])
