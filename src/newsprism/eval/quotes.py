"""Quote attribution: direct-quote spans and speakers of `extract.find_quotes` against gold spans."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import metrics
from .data import progress_iter


@dataclass(frozen=True)
class PredictedQuote:
    """A quote span and its speaker as any system gives it (newsprism's Quote or an anchor's triple)."""

    start: int
    end: int
    speaker: str | None = None  # canonical name
    speaker_mention: str | None = None  # the words in the text
    speaker_start: int | None = None
    speaker_end: int | None = None


QuoteFinder = Callable[[str], list[PredictedQuote]]


def newsprism_finder() -> QuoteFinder:
    from ..extract import find_quotes

    def find(text: str) -> list[PredictedQuote]:
        return [
            PredictedQuote(q.start, q.end, q.speaker, q.speaker_mention, q.speaker_start, q.speaker_end)
            for q in find_quotes(text)
            # The gold lists direct quotes (content opening with a quote mark); a quoted fragment inside a
            # paraphrase ("called it 'deeply problematic'") is a different attribution type there.
            if q.kind != "partial"
        ]

    return find


def speaker_right(pred: PredictedQuote, gold: dict[str, Any]) -> bool:
    """The predicted speaker is the gold one: the spans overlap, or a name the system gives (canonical or
    as written) names the same person as the gold speaker words. A quote without gold speaker is right
    only without a predicted one."""
    if gold.get("speaker") is None:
        return pred.speaker is None and pred.speaker_mention is None and pred.speaker_start is None
    if (
        pred.speaker_start is not None
        and pred.speaker_end is not None
        and gold.get("speaker_start") is not None
    ):
        if metrics.overlap(
            (pred.speaker_start, pred.speaker_end), (gold["speaker_start"], gold["speaker_end"])
        ):
            return True
    return any(metrics.same_person(name, gold["speaker"]) for name in (pred.speaker, pred.speaker_mention))


@dataclass
class Counts:
    gold: int = 0
    pred: int = 0
    matched: int = 0
    exact: int = 0
    matched_with_gold_speaker: int = 0
    speaker_right_of_those: int = 0
    with_speaker: int = 0  # matched and speaker right (gold without speaker: none predicted)


def count(text: str, gold: Sequence[dict[str, Any]], pred: Sequence[PredictedQuote], c: Counts) -> None:
    c.gold += len(gold)
    c.pred += len(pred)
    pairs = metrics.match_spans([(p.start, p.end) for p in pred], [(g["start"], g["end"]) for g in gold])
    c.matched += len(pairs)
    for i, j in pairs:
        right = speaker_right(pred[i], gold[j])
        if gold[j].get("speaker") is not None:
            c.matched_with_gold_speaker += 1
            c.speaker_right_of_those += right
        c.with_speaker += right
    # exact rule: same span once surrounding quote marks, whitespace and closing punctuation are ignored
    gold_exact = {metrics.trim_span(text, g["start"], g["end"]) for g in gold}
    pred_exact = {metrics.trim_span(text, p.start, p.end) for p in pred}
    c.exact += len(gold_exact & pred_exact)


def score_counts(c: Counts) -> dict[str, float | None]:
    p, r, f = metrics.prf(c.matched, c.pred, c.gold)
    _, _, exact_f = metrics.prf(c.exact, c.pred, c.gold)
    _, _, speaker_f = metrics.prf(c.with_speaker, c.pred, c.gold)
    return {
        "quote_p": p,
        "quote_r": r,
        "quote_f1": f,
        "quote_exact_f1": exact_f,
        "speaker_acc": c.speaker_right_of_those / c.matched_with_gold_speaker
        if c.matched_with_gold_speaker
        else None,
        "quote_speaker_f1": speaker_f,
        "gold_quotes": c.gold,
        "predicted_quotes": c.pred,
    }


def score(items: Sequence[dict[str, Any]], predictions: Sequence[Sequence[PredictedQuote]]) -> dict[str, Any]:
    """Micro-averaged over all quotes of the file."""
    c = Counts()
    for item, pred in zip(items, predictions, strict=True):
        count(item["text"], item["quotes"], pred, c)
    return score_counts(c)


def predict(items: Sequence[dict[str, Any]], finder: QuoteFinder, progress: bool = False) -> list:
    return [finder(item["text"]) for item in progress_iter(items, progress, "quotes")]


def evaluate(items: list[dict[str, Any]], path: Path, progress: bool = False, **_: Any) -> dict[str, Any]:
    return score(items, predict(items, newsprism_finder(), progress))
