"""The story stages, in the order they run: what each reads, what it writes, and what it leaves when it fails.

`Pipeline.analyze_material` runs this list over one story's `StoryMaterial`. A stage is a function of the
values it reads (the material, the generator, or what an earlier stage wrote), called with them in the
order of `reads`; it returns one value per name in `writes` (a tuple when it writes several). The names it
writes that are fields of `records.StoryAnalysis` go into the story's analysis, and so into report.json.

Add a story stage: its output record in records.py (and its field on `StoryAnalysis`), one function, and
one line here. A stage that raises leaves `empty` for what it writes, the stages that read its output are
skipped the same way, and the analysis says which stages did not run and why (`StoryAnalysis.incomplete`);
the other stages and the other stories go on.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from .brief import build_timeline, frame_articles, neutral_title, write_brief
from .claims import build_claims
from .dedupe import find_duplicates
from .extract import canonicalize
from .records import BriefSentence, ClaimGroup, DuplicateReport, StoryMaterial


@dataclass(frozen=True)
class StoryStage:
    name: str
    run: Callable[..., Any]
    reads: tuple[str, ...]
    writes: tuple[str, ...]
    empty: tuple[Any, ...]  # one value per name in `writes`: what a failed or skipped stage leaves


def brief_for(
    material: StoryMaterial, claims: Sequence[ClaimGroup], generator: Any
) -> tuple[tuple[BriefSentence, ...], str, str | None]:
    """The extractive brief, or with a `generator` the language model's, verified: (sentences, mode, note)."""
    if generator is None:
        return write_brief(material, claims), "extractive", None
    from .brief.abstractive import abstractive_brief  # the language-model client loads only when asked for

    written = abstractive_brief(material, claims, generator)
    note = written.note
    if written.dropped and note is None:
        note = f"{len(written.dropped)} of the model's sentences dropped: " + "; ".join(
            d.reason for d in written.dropped[:5]
        )
    return written.sentences, written.mode, note


STORY_STAGES: tuple[StoryStage, ...] = (
    StoryStage("duplicates", find_duplicates, ("material",), ("duplicates",), (DuplicateReport(),)),
    StoryStage(
        "entities and speakers",
        canonicalize,
        ("material",),
        ("entities", "quotes", "attributed_quotes"),
        ((), (), ()),
    ),
    StoryStage(
        "claims",
        build_claims,
        ("material", "duplicates", "attributed_quotes", "quotes"),
        ("claims", "contradictions"),
        ((), ()),
    ),
    StoryStage(
        "brief",
        brief_for,
        ("material", "claims", "generator"),
        ("brief", "brief_mode", "brief_note"),
        ((), "extractive", None),
    ),
    StoryStage("neutral title", neutral_title, ("material",), ("neutral_title",), (None,)),
    StoryStage(
        "framing",
        frame_articles,
        ("material", "claims", "quotes", "duplicates", "entities", "neutral_title"),
        ("framing",),
        ((),),
    ),
    StoryStage("timeline", build_timeline, ("material",), ("timeline",), ((),)),
)


def run_stages(
    values: dict[str, Any], stages: Sequence[StoryStage] | None = None
) -> tuple[dict[str, Any], tuple[str, ...]]:
    """Run `stages` (default `STORY_STAGES`) over `values` (the material and anything else they read):
    (every value written, the stages that did not run, each "name: why")."""
    stages = STORY_STAGES if stages is None else stages
    values = dict(values)
    missing: set[str] = set()  # names whose stage failed or was skipped
    incomplete: list[str] = []
    for stage in stages:
        lacking = [name for name in stage.reads if name in missing]
        if lacking:
            incomplete.append(f"{stage.name}: skipped, it needs {', '.join(lacking)}")
            outputs = stage.empty
        else:
            try:
                result = stage.run(*(values[name] for name in stage.reads))
            except Exception as exc:  # noqa: BLE001 - one stage's failure leaves the rest of the story
                incomplete.append(f"{stage.name}: failed ({type(exc).__name__}: {exc})"[:500])
                outputs = stage.empty
                missing.update(stage.writes)
            else:
                outputs = (result,) if len(stage.writes) == 1 else tuple(result)
        if lacking:
            missing.update(stage.writes)
        values.update(zip(stage.writes, outputs, strict=True))
    return values, tuple(incomplete)
