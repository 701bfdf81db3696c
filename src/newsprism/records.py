"""Frozen records passed between pipeline stages.

The data flows one way: RawDocument -> Article -> (Sentence, DuplicateReport, StoryAssignment)
-> ArticleExtraction -> ClaimGroup -> BriefSentence / Framing / TimelineEvent -> StoryAnalysis.
Every offset (`start`, `end`) is a character offset into the *clean* `Article.text`, end exclusive,
unless a field says otherwise.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, fields, is_dataclass
from datetime import UTC, datetime
from types import UnionType
from typing import Any, Literal, TypeVar, Union, get_args, get_origin, get_type_hints
from urllib.parse import urlsplit

# ---------------------------------------------------------------- ingest


@dataclass(frozen=True)
class RawDocument:
    """One input document before cleaning.

    `source` names where it came from (a path, `path#L3` for a JSONL line, or a URL) so that every
    message about it can name it. `hints` carries metadata the container already gave (JSONL fields,
    feed entries): id, url, title, published, outlet, authors.
    """

    source: str
    kind: Literal["text", "html"]
    content: str
    hints: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)


@dataclass(frozen=True)
class Rejection:
    """An input that could not be analysed, with a reason a person can act on."""

    input: str
    reason: str


# ---------------------------------------------------------------- clean


@dataclass(frozen=True)
class RemovedSpan:
    """Boilerplate taken out of an article. Offsets point into the raw input text where known."""

    text: str
    reason: str
    start: int | None = None
    end: int | None = None


@dataclass(frozen=True)
class Article:
    id: str  # hash of the raw input (text.ids.content_id); an older store's ids hash the clean text
    source: str
    text: str  # clean body, paragraphs separated by "\n\n"
    title: str | None = None
    published: str | None = None  # ISO 8601 date or datetime
    authors: tuple[str, ...] = ()
    outlet: str | None = None
    wire_credit: str | None = None
    language: str | None = None
    url: str | None = None
    removed: tuple[RemovedSpan, ...] = ()

    @functools.cached_property
    def published_at(self) -> datetime | None:
        """`published` read once, as naive UTC (a date alone as its midnight); None when missing or unreadable.
        Stages compare and sort by this, never by the string: ISO strings with different offsets do not sort
        in time order."""
        return iso_to_naive_utc(self.published)


def parse_iso(value: str) -> datetime | None:
    """ISO 8601 as Python reads it, "Z" as UTC; None when it is not."""
    try:
        return datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None


def iso_to_naive_utc(value: str | None) -> datetime | None:
    """An ISO 8601 date or datetime ("Z" for UTC) as naive UTC; its first ten characters when the rest does
    not read; None when missing or unreadable."""
    if not value:
        return None
    parsed = parse_iso(value) or parse_iso(value.strip()[:10])
    if parsed is None:
        return None
    return parsed.astimezone(UTC).replace(tzinfo=None) if parsed.tzinfo is not None else parsed


@dataclass(frozen=True)
class Sentence:
    article_id: str
    index: int
    start: int
    end: int
    text: str


# ---------------------------------------------------------------- dedupe


@dataclass(frozen=True)
class DuplicateGroup:
    kind: Literal["exact", "near", "rewrite"]
    article_ids: tuple[str, ...]
    original: str  # the likely original article id
    reason: str  # why it is the original, and what links the members
    # Jaccard for near; for rewrite the share that passed (near-verbatim of the shorter, or reworded of the longer)
    score: float = 1.0


@dataclass(frozen=True)
class AlignedSentencePair:
    a_start: int
    a_end: int
    b_start: int
    b_end: int
    similarity: float


@dataclass(frozen=True)
class PartialReuse:
    """Article `article_id` reuses a few sentences of `source_id` without being a copy of it."""

    article_id: str
    source_id: str
    shared_sentences: int
    share: float  # share of article_id's sentences aligned to source_id
    pairs: tuple[AlignedSentencePair, ...] = ()


@dataclass(frozen=True)
class DuplicateReport:
    groups: tuple[DuplicateGroup, ...] = ()
    partial_reuse: tuple[PartialReuse, ...] = ()


# ---------------------------------------------------------------- stories


@dataclass(frozen=True)
class StoryAssignment:
    article_id: str
    story_id: str
    score: float  # similarity to the story when it joined; 1.0 for the founding article
    evidence: str  # the top reasons it joined, in words
    merged_from: tuple[str, ...] = ()  # story ids that this story absorbed at this step


@dataclass(frozen=True)
class StoryState:
    """What the incremental clusterer keeps about one story between runs (persisted by the store)."""

    id: str
    title: str
    centroid: Any  # numpy float32 vector: the *sum* of member article vectors (normalise to compare)
    size: int
    first_date: str | None  # the earliest member's `published`, as given
    last_date: str | None  # the latest member's
    entity_counts: dict[str, int] = field(default_factory=dict, hash=False, compare=False)
    closed: bool = False
    merged_into: str | None = None

    # The dates stay as the articles gave them (the report shows them so); these read them once, for comparing.
    @functools.cached_property
    def first_at(self) -> datetime | None:
        """`first_date` as naive UTC, as `Article.published_at` reads a date; None when undated."""
        return iso_to_naive_utc(self.first_date)

    @functools.cached_property
    def last_at(self) -> datetime | None:
        """`last_date` as naive UTC; None when undated."""
        return iso_to_naive_utc(self.last_date)


@dataclass(frozen=True)
class StoryChanges:
    """What the story clusterer changed since it last handed its changes over, in the order they are written
    (`store.changes.write_story_changes`, one transaction): member evidence first, then memberships, merges,
    story states, story terms and storyline links; then which articles now have a story and which stories'
    analyses are out of date; the document frequencies last. Terms are bags of hashed terms by part name:
    {part: (sorted int64 ids, float32 weights)}."""

    evidence: tuple[
        tuple[str, int, Any, Mapping[str, Any]], ...
    ] = ()  # (article, anchor year, vector, terms)
    memberships: tuple[StoryAssignment, ...] = ()
    moves: tuple[tuple[str, str, str], ...] = ()  # (absorbed story, survivor, merge note)
    states: tuple[StoryState, ...] = ()
    profiles: tuple[tuple[str, Mapping[str, Any]], ...] = ()  # (story id, terms)
    links: tuple[tuple[str, str, float, str], ...] = ()  # (story, story, score, why)
    clustered: tuple[str, ...] = ()  # articles that now have a story
    stale: tuple[str, ...] = ()  # stories whose analysis is out of date
    frequencies: tuple[int, Any, Any] | None = None  # (articles counted, changed buckets, their documents)


# ---------------------------------------------------------------- extract


@dataclass(frozen=True)
class EntityMention:
    article_id: str
    start: int
    end: int
    text: str
    # spaCy's label (PERSON, ORG, GPE, NORP, LOC, ...) with two refinements: a city standing for its
    # government ("Beijing accused ...") is ORG, a place ("arrived in Beijing") stays GPE; "ROLE" marks a
    # role descriptor ("the Chinese leader") that canonicalisation resolves to the person holding it
    label: str


@dataclass(frozen=True)
class Entity:
    """An entity made canonical across a story."""

    id: str  # stable slug of the canonical name within the story
    name: str  # canonical name, the longest full form seen ("Xi Jinping")
    label: str
    aliases: tuple[str, ...]
    mentions_per_article: tuple[tuple[str, int], ...]  # (article_id, count)


@dataclass(frozen=True)
class Quote:
    article_id: str
    text: str
    start: int
    end: int
    speaker: str | None  # canonical speaker name
    speaker_mention: str | None  # the words in the text that name the speaker
    speaker_start: int | None = None
    speaker_end: int | None = None
    cue: str | None = None  # "said", "told", "stating"
    kind: Literal["direct", "block", "unmarked", "partial"] = "direct"
    affiliation: str | None = None  # "Russia", "State Department", ... from the text around the mention
    # How the speaker was found ("named", "pronoun_chain", "continued:named", ...) and that route's precision
    # on PolNeAR train (extract/speaker_confidence.json); the story stage shows a speaker only above
    # settings speaker_min_confidence
    attribution: str | None = None
    confidence: float | None = None


@dataclass(frozen=True)
class NumericFact:
    article_id: str
    text: str  # the number phrase as written ("more than 40 times")
    value: float
    unit: str | None  # "USD", "percent", "km", "times", ...
    measure: str  # money, count, distance, percent, duration, ordinal, other
    qualifier: str | None  # "more than", "as many as", "about", "range" ...
    start: int
    end: int
    sentence_start: int
    sentence_end: int
    value_high: float | None = None  # upper bound of a range


@dataclass(frozen=True)
class DateMention:
    article_id: str
    text: str  # as written: "Thursday", "earlier today", "May 16, 2024"
    start: int
    end: int
    resolved: str | None  # ISO date resolved against the article's published date
    sentence_start: int
    sentence_end: int


@dataclass(frozen=True)
class ClaimUnit:
    """One fact of a sentence that states several (extract/clauses.py): a span of the article's text."""

    start: int
    end: int
    # The subject a coordinated predicate shares with its sentence ("" when the part names its own).
    subject: str = ""


@dataclass(frozen=True)
class ArticleExtraction:
    article_id: str
    mentions: tuple[EntityMention, ...] = ()
    quotes: tuple[Quote, ...] = ()
    numbers: tuple[NumericFact, ...] = ()
    dates: tuple[DateMention, ...] = ()
    claim_units: tuple[ClaimUnit, ...] = ()  # parts of multi-fact sentences; whole sentences are not listed


Span = tuple[str, int, int]  # (article id, start, end): a stretch of one article's text


@dataclass(frozen=True)
class Corrections:
    """An editor's corrections in force for a story's articles, applied before the story stages read them
    (`pipeline.Pipeline.material`): `speakers` names the speaker of the quote at a span (None: nobody; the
    quote stays, unattributed), `published` fixes an article's date, `not_contradictions` holds pairs
    of evidence spans that the claims stage must not call a contradiction, and `not_one_claim` sets of
    evidence spans (a claim group an editor said was wrong) no two of which the claims stage may group."""

    speakers: dict[Span, str | None] = field(default_factory=dict, hash=False, compare=False)
    published: dict[str, str] = field(default_factory=dict, hash=False, compare=False)
    not_contradictions: frozenset[frozenset[Span]] = frozenset()
    not_one_claim: frozenset[frozenset[Span]] = frozenset()


@dataclass(frozen=True)
class StoryMaterial:
    """Everything the story-level stages read: the story's articles and what earlier stages made of them.

    `vectors[article_id]` holds one L2-normalised MiniLM row per sentence of `sentences[article_id]` (for the
    articles whose language the models read: `text.languages`). In a story of one article, a row of zeros is
    a sentence not embedded: only its lead and a sample of its body are (`embedding_cascade`,
    `Pipeline.material`); a story of several articles has every row.
    Articles are ordered by published date (undated last), then by arrival.
    """

    story_id: str
    articles: tuple[Article, ...]
    sentences: dict[str, tuple[Sentence, ...]] = field(hash=False, compare=False)
    vectors: dict[str, Any] = field(hash=False, compare=False)
    extractions: dict[str, ArticleExtraction] = field(hash=False, compare=False)
    corrections: Corrections = field(default_factory=lambda: Corrections())


# ---------------------------------------------------------------- claims


@dataclass(frozen=True)
class Evidence:
    article_id: str
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class ClaimGroup:
    id: str
    text: str  # canonical wording
    article_ids: tuple[str, ...]
    status: Literal["corroborated", "unconfirmed", "single_source", "contested"]
    evidence: tuple[Evidence, ...]
    outlets: tuple[str, ...] = ()
    earliest: str | None = None  # article id of the earliest source
    independent_sources: int = 1  # rewrites of one wire story and articles of one outlet count once
    reason: str = ""  # why this status: "2 independent sources: Fox News, HuffPost", "1 origin: X credits Y"
    # groups whose statements this one's restate or overlap: kept apart because a group holds one sentence
    # per article (claims.groups._join), so the brief states only one of them
    related: tuple[str, ...] = ()


@dataclass(frozen=True)
class Contradiction:
    claim_ids: tuple[str, ...]
    kind: Literal["number", "negation", "opposite", "quote_attribution"]
    explanation: str
    evidence: tuple[Evidence, ...]


# ---------------------------------------------------------------- brief, framing, timeline


@dataclass(frozen=True)
class BriefSentence:
    text: str
    citations: tuple[str, ...]  # article ids
    evidence: tuple[Evidence, ...]
    claim_id: str | None = None


@dataclass(frozen=True)
class Voice:
    """The quoted speakers of one side in one article (brief/sides.py says how a side is read)."""

    side: str  # a country ("Russia"), an organisation ("NATO"), a joint side, or "unaffiliated"
    speakers: tuple[str, ...]
    quotes: int


@dataclass(frozen=True)
class Framing:
    article_id: str
    covered: tuple[str, ...]  # claim group ids
    omitted: tuple[str, ...]
    quoted_speakers: tuple[str, ...]
    loaded_terms: tuple[str, ...] = ()
    loaded_score: float = 0.0
    headline: str | None = None
    voices: tuple[Voice, ...] = ()  # quoted speakers by side, most quoted side first
    headline_loaded_terms: tuple[str, ...] = ()
    headline_tone: float | None = None  # VADER compound of the headline, -1..1 (None: no headline)
    # Share of the story's neutral title's content words the headline keeps (None: no headline or no neutral
    # title; 1.0 for the neutral title's own article).
    headline_overlap: float | None = None


@dataclass(frozen=True)
class TimelineEvent:
    date: str  # ISO date
    text: str
    evidence: tuple[Evidence, ...]
    # Told for context: it ended well before the story's first report (an earlier election, a 2013 law);
    # the report lists it apart from the story's own events
    background: bool = False
    # Dated after the report that gives it (a planned last day, next year's election): a plan, not a thing that
    # happened; the report lists it apart as scheduled
    scheduled: bool = False


@dataclass(frozen=True)
class StoryAnalysis:
    story_id: str
    title: str
    article_ids: tuple[str, ...]
    duplicates: DuplicateReport
    entities: tuple[Entity, ...]
    quotes: tuple[Quote, ...]
    numbers: tuple[NumericFact, ...]
    claims: tuple[ClaimGroup, ...]
    contradictions: tuple[Contradiction, ...]
    brief: tuple[BriefSentence, ...]
    framing: tuple[Framing, ...]
    timeline: tuple[TimelineEvent, ...]
    membership: tuple[StoryAssignment, ...] = ()
    # "extractive" (the offline default) or "abstractive" (a language model's brief, verified); the note says
    # why a requested abstractive brief fell back, or what was dropped from it
    brief_mode: str = "extractive"
    brief_note: str | None = None
    # The story's least loaded headline, the yardstick each article's headline is read against (framing.py).
    neutral_title: str | None = None
    # Story stages that failed or were skipped, each "stage: why" (stages.py); their outputs are empty.
    incomplete: tuple[str, ...] = ()
    # Members in a language the models do not read (`analysis_languages`): listed, clustered, not analysed.
    not_analysed: tuple[str, ...] = ()


# ---------------------------------------------------------------- runs: what each one changed

CHANGE_KINDS = ("story_new", "article_joined", "story_merged", "claim_status")


@dataclass(frozen=True)
class Change:
    """One thing a run changed, as `newsprism changes` and the changes page list it.

    `kind`: story_new (a story first seen), article_joined (an article filed in an earlier story),
    story_merged (an earlier story folded into this one), claim_status (a claim group's status moved).
    `story_id`: the story it happened in (when it was recorded); `subject`: the article, absorbed story or
    claim group it is about; `text`: what happened, in one line for a reader; `why`: the evidence for it (the
    scores a join or a merge passed, a claim's new sources); `before`/`after`: a claim's status.
    `run`, `at` and `seq` are filled in when the store hands it back."""

    kind: str
    story_id: str
    text: str
    why: str = ""
    subject: str | None = None
    before: str | None = None
    after: str | None = None
    run: int | None = None
    at: str | None = None
    seq: int | None = None  # its place in its run


@dataclass(frozen=True)
class RunRecord:
    """One `analyze` run: when, what it read, and how many changes it recorded (`finished_at` None: it
    stopped before its end, or is still going)."""

    id: int
    started_at: str
    finished_at: str | None = None
    articles_read: int = 0
    articles_new: int = 0
    rejected: int = 0
    stories_analysed: int = 0
    changes: int = 0


CORRECTION_KINDS = ("speaker", "date", "contradiction", "claim", "merge", "move", "split")
EDITOR = "editor"  # a quote's attribution route when an editor named (or removed) its speaker


@dataclass(frozen=True)
class Correction:
    """One correction an editor made (`newsprism correct`, the web app's buttons), kept as an input that every
    later analysis applies until it is undone.

    `kind` speaker: `target` a quote's span "ARTICLE:START-END", `value` the speaker's name (None: nobody);
    date: `target` an article id, `value` an ISO date; contradiction: `target` the two evidence spans
    "ARTICLE:START-END|ARTICLE:START-END", not a contradiction (`value` None); claim: `target` a claim group's
    evidence spans joined by "|", not one claim (no two of them are grouped again); merge: `target` "STORY|STORY",
    one event (once made: `value` the survivor, and `target` gains "|ARTICLE,ARTICLE", the articles the
    absorbed story brought, which an undo takes back out); move: `target` an article id, `value` the story it
    belongs to (`story_id` the one it leaves); split: `target` "ARTICLE,ARTICLE", articles of story
    `story_id` that report another event (`value` the story they make, once made). Merges, moves and splits
    change the stories themselves (the clusterer's state), so they hold in every later run without being
    applied again. `article_id`: the article it
    touches first; `story_id`: the story it was made in; `id`, `at` and `undone_at` come from the store."""

    kind: str
    target: str
    value: str | None
    article_id: str
    story_id: str | None = None
    note: str = ""
    author: str = ""
    id: int | None = None
    at: str | None = None
    undone_at: str | None = None


def span_key(span: Span) -> str:
    article_id, start, end = span
    return f"{article_id}:{start}-{end}"


def spans_key(spans: Iterable[Span]) -> str:
    """Spans as one correction target: "ARTICLE:START-END|ARTICLE:START-END..." (`parse_spans` reads it)."""
    return "|".join(span_key(span) for span in spans)


def parse_spans(text: str) -> tuple[Span, ...]:
    return tuple(parse_span(part) for part in text.split("|"))


def parse_span(text: str) -> Span:
    """ "ARTICLE:START-END" as a span; ValueError naming the text when it is not one."""
    article_id, _, offsets = text.rpartition(":")
    start, _, end = offsets.partition("-")
    if not article_id or not start.isdigit() or not end.isdigit() or int(end) <= int(start):
        raise ValueError(f"{text!r} is not a span ARTICLE:START-END")
    return article_id, int(start), int(end)


def corrections_in_force(corrections: Iterable[Correction]) -> Corrections:
    """What a list of corrections (oldest first; undone ones skipped) asks the story stages to apply: a
    later correction of one target replaces an earlier one."""
    speakers: dict[Span, str | None] = {}
    published: dict[str, str] = {}
    pairs: set[frozenset[Span]] = set()
    apart: set[frozenset[Span]] = set()
    for c in corrections:
        if c.undone_at:
            continue
        if c.kind == "speaker":
            speakers[parse_span(c.target)] = c.value or None
        elif c.kind == "date" and c.value:
            published[c.target] = c.value
        elif c.kind == "contradiction":
            pairs.add(frozenset(parse_spans(c.target)))
        elif c.kind == "claim":
            apart.add(frozenset(parse_spans(c.target)))
    return Corrections(speakers, published, frozenset(pairs), frozenset(apart))


def source_label(
    outlet: str | None, url: str | None, title: str | None, source: str | None, article_id: str
) -> str:
    """A short name for an article's source: its outlet, else its link's site, else its title, else its file
    name. The report and the claims stage's reasons name sources the same way."""
    if outlet:
        return outlet
    host = urlsplit(url).hostname if url else None
    if host:
        return host.removeprefix("www.")
    if title:
        return title if len(title) <= 48 else title[:47].rstrip() + "…"
    return re.split(r"[\\/]", source or article_id)[-1]


def to_dict(record: Any) -> dict[str, Any]:
    """A record as plain JSON-ready data: nested records become dicts, tuples lists, arrays lists of floats.
    `from_dict` reads it back."""
    return _plain(record)


_SCALARS = frozenset({str, int, float, bool, type(None)})


@functools.cache
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in fields(cls))  # type: ignore[arg-type]


def _plain(value: Any) -> Any:
    # Not dataclasses.asdict: it deep-copies every value on the way, which cost more than the JSON of a
    # story's analysis; the data made is the same.
    if type(value) in _SCALARS:  # exact types: a numpy float64 is a float, and goes through tolist below
        return value
    if is_dataclass(value) and not isinstance(value, type):
        return {name: _plain(getattr(value, name)) for name in _field_names(type(value))}
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if hasattr(value, "tolist"):  # a numpy array or scalar
        return value.tolist()
    return value


R = TypeVar("R")


def from_dict(cls: type[R], data: Mapping[str, Any]) -> R:
    """The record of type `cls` that `to_dict` (or a JSON round trip of it) made `data` from. Fields missing
    from `data` take their defaults (data stored before the field existed); keys that are no field are
    ignored (data from a later version)."""
    return cls(**{name: decode(data[name]) for name, decode in _field_decoders(cls) if name in data})


# A decoder per record type and field type, made once: a stored analysis holds tens of thousands of values,
# and reading each type's hints afresh per value cost more than the JSON parse.
Decoder = Callable[[Any], Any]


def _as_is(value: Any) -> Any:
    return value


@functools.cache
def _field_decoders(cls: type) -> tuple[tuple[str, Decoder], ...]:
    hints = get_type_hints(cls)
    return tuple((f.name, _decoder(hints[f.name])) for f in fields(cls))  # type: ignore[arg-type]


@functools.cache
def _decoder(tp: Any) -> Decoder:
    """How a JSON value of type `tp` becomes the value a record holds; None stays None."""
    if tp is Any:
        return _as_is
    origin, args = get_origin(tp), get_args(tp)
    if origin in (Union, UnionType):
        options = [a for a in args if a is not type(None)]
        records = [o for o in options if is_dataclass(o)]
        rest = _decoder(options[0]) if len(options) == 1 else _as_is
        if not records:
            return rest
        record = records[0]  # a record where the data is a mapping, else the first type that fits

        def union(value: Any) -> Any:
            if isinstance(value, Mapping):
                return from_dict(record, value)
            return None if value is None else rest(value)

        return union
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            item = _decoder(args[0])
            if item is _as_is:
                return lambda value: None if value is None else tuple(value)
            return lambda value: None if value is None else tuple(item(v) for v in value)
        items = [_decoder(a) for a in args]
        return lambda value: None if value is None else tuple(d(v) for d, v in zip(items, value, strict=True))
    if origin is dict:
        entry = _decoder(args[1])
        return lambda value: None if value is None else {k: entry(v) for k, v in value.items()}
    if is_dataclass(tp):
        return lambda value: from_dict(tp, value) if isinstance(value, Mapping) else value
    if tp is float:
        return lambda value: float(value) if type(value) is int else value
    return _as_is
