"""Page data: one function per page, taking typed records (`StoryAnalysis`, `Article`, `StoryState`) and
returning what the page shows as JSON-ready dicts.

The web app serves each dict twice (HTML through the templates, and as-is at the `.json` twin); the static
report renders the same dicts from the same records. Nothing here produces markup: text stays text and the
templates escape it.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from dataclasses import fields as dataclass_fields
from datetime import UTC, date, datetime
from difflib import SequenceMatcher
from typing import Any
from urllib.parse import urlsplit

from ..errors import UnknownStory
from ..records import (
    EDITOR,
    Article,
    ClaimGroup,
    Evidence,
    RunRecord,
    StoryAnalysis,
    StoryState,
    source_label,
    to_dict,
)
from ..store import Store
from ..text import sentence_spans
from ..text.outlets import outlet_table
from .build import corrected, rejected_list

SEARCH_LIMIT = 30  # results per kind on the search page
MAX_QUERY_CHARS = 200  # longer search text is cut (the FTS query is also capped by terms)
_CLAIM_EXCERPT = 140
_CARD_OUTLETS = 6  # outlets named on a story card; the rest are counted
_SPEAKER_CHOICES = 200  # speakers the filter form suggests, most quoted first


class NotFound(LookupError):
    """The page names a story or article the store does not hold."""


class Moved(Exception):
    """A story id that was merged into another story: the page lives under `story_id` now."""

    def __init__(self, story_id: str):
        super().__init__(story_id)
        self.story_id = story_id


# ------------------------------------------------------------------ small helpers


def safe_url(url: str | None) -> str | None:
    """Only http(s) links leave the report; anything else (javascript:, data:) is dropped."""
    if not url:
        return None
    try:
        scheme = urlsplit(url).scheme
    except ValueError:  # malformed (e.g. a bad IPv6 literal): not a link we can vouch for
        return None
    return url if scheme in {"http", "https"} else None


def article_label(article: dict[str, Any]) -> str:
    """A short name for a source in report form (records.source_label)."""
    return source_label(
        article.get("outlet"), article.get("url"), article.get("title"), article.get("source"), article["id"]
    )


def label_of(article: Article) -> str:
    """A short name for a source (records.source_label)."""
    return source_label(article.outlet, article.url, article.title, article.source, article.id)


def _article_summary(article_id: str, article: Article | None, number: int | None = None) -> dict[str, Any]:
    """A source as the story page lists it; an article the store no longer holds by its id alone."""
    if article is None:
        article = Article(article_id, article_id, "")
    return {
        "id": article.id,
        "number": number,
        "label": label_of(article),
        "title": article.title,
        "outlet": article.outlet,
        "published": article.published,
        "url": article.url,
        "wire_credit": article.wire_credit,
        "language": article.language,
    }


def quote_context(
    spans: list[tuple[int, int]], text: str, start: int, end: int, limit: int = 240
) -> dict[str, str] | None:
    """The words before and after a quote up to the edges of the sentences holding it (`spans`: the article's
    `text.sentence_spans`), at most `limit` characters each side."""
    if not text or not 0 <= start < end <= len(text):
        return None
    lo = next((s for s, e in reversed(spans) if s <= start), 0)
    hi = next((e for s, e in spans if e >= end), len(text))
    return {"before": text[max(lo, start - limit) : start], "after": text[end : min(hi, end + limit)]}


def highlight(text: str, spans: list[tuple[int, int, str, str]]) -> list[dict[str, str]]:
    """Cut text into plain and highlighted segments (spans: start, end, css class, title); overlaps skipped."""
    segments = []
    cursor = 0
    for start, end, css, title in sorted(spans):
        if start < cursor or end <= start or end > len(text):
            continue
        if start > cursor:
            segments.append({"text": text[cursor:start], "css": "", "title": ""})
        segments.append({"text": text[start:end], "css": css, "title": title})
        cursor = end
    if cursor < len(text):
        segments.append({"text": text[cursor:], "css": "", "title": ""})
    return segments


def paragraphs(segments: list[dict[str, str]]) -> list[list[dict[str, str]]]:
    """Split highlighted segments into paragraphs at blank lines."""
    out: list[list[dict[str, str]]] = [[]]
    for seg in segments:
        parts = re.split(r"\n\s*\n", seg["text"])
        for i, part in enumerate(parts):
            if i:
                out.append([])
            if part:
                out[-1].append({**seg, "text": part})
    return [p for p in out if p]


def _parse_date(value: str) -> date | None:
    """ISO year, year-month or date (a time part is ignored); None for anything else."""
    m = re.match(r"(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?", value or "")
    if not m:
        return None
    try:
        return date(int(m.group(1)), int(m.group(2) or 1), int(m.group(3) or 1))
    except ValueError:
        return None


def time_axis(dates: list[str]) -> dict[str, float]:
    """Position (0..1) of each distinct date on a time axis whose gaps grow with the log of the days between.

    A linear axis would crush a week of events into one dot next to a date decades back; the log keeps the
    order and shows big gaps as big without letting them eat the axis.
    """
    parsed = sorted({d: _parse_date(d) for d in dates if _parse_date(d)}.items(), key=lambda kv: kv[1])
    if not parsed:
        return {}
    if len(parsed) == 1:
        return {parsed[0][0]: 0.5}
    positions = [0.0]
    for (_, prev), (_, cur) in zip(parsed, parsed[1:], strict=False):
        positions.append(positions[-1] + math.log1p((cur - prev).days) + 0.3)
    top = positions[-1] or 1.0
    return {d: p / top for (d, _), p in zip(parsed, positions, strict=True)}


def _label_rows(ticks: list[tuple[str, float]], gap: float = 0.11) -> list[dict[str, Any]]:
    """Put each tick's label above (row 0) or below (row 1) the axis where it does not overlap; else none."""
    last = [-1.0, -1.0]
    out = []
    for d, x in ticks:
        row = next((r for r in (0, 1) if x - last[r] >= gap), None)
        if row is not None:
            last[row] = x
        out.append({"date": d, "x": round(x, 4), "row": row})
    return out


# ------------------------------------------------------------------ pages


STATUSES = ("corroborated", "contested", "unconfirmed", "single_source")


@dataclass(frozen=True)
class StoryFilter:
    """What the index shows: stories carried by `outlet`, reported within [`since`, `until`] (ISO dates,
    either open), holding a claim group of `status`, quoting a speaker whose name holds `speaker`."""

    outlet: str | None = None
    since: str | None = None
    until: str | None = None
    status: str | None = None
    speaker: str | None = None

    @classmethod
    def from_query(cls, query: dict[str, list[str]]) -> StoryFilter:
        """From the index page's query string; a value that cannot be one is dropped (and so not applied)."""

        def one(name: str, pattern: str | None = None) -> str | None:
            value = " ".join(((query.get(name) or [""])[0]).split())[:MAX_QUERY_CHARS]
            return value if value and (pattern is None or re.fullmatch(pattern, value)) else None

        return cls(
            outlet=one("outlet"),
            since=one("from", r"\d{4}-\d{2}-\d{2}"),
            until=one("to", r"\d{4}-\d{2}-\d{2}"),
            status=one("status", "|".join(STATUSES)),
            speaker=one("speaker"),
        )

    def active(self) -> bool:
        return any(getattr(self, f.name) for f in dataclass_fields(self))

    def admits(
        self, outlets: set[str], first: str | None, last: str | None, statuses: set[str], speakers: set[str]
    ) -> bool:
        if self.outlet and self.outlet not in outlets:
            return False
        if self.since or self.until:  # the story's reports overlap the range; an undated story is outside it
            start, end = (first or last or "")[:10], (last or first or "")[:10]
            if not start or (self.since and end < self.since) or (self.until and start > self.until):
                return False
        if self.status and self.status not in statuses:
            return False
        wanted = self.speaker.casefold() if self.speaker else None
        return not wanted or any(wanted in name.casefold() for name in speakers)


def _story_facts(store: Store) -> Iterator[tuple[str, StoryAnalysis, StoryState]]:
    """(story id, analysis, state) for every analysed live story, newest activity first, read one at a time:
    a page over every story holds no analysis past its turn."""
    for story_id in store.story_ids():
        analysis = store.get_analysis(story_id)
        state = store.story_state(story_id)
        if analysis is not None and state is not None:
            yield story_id, analysis, state


def index_page(store: Store, filters: StoryFilter | None = None) -> dict[str, Any]:
    """Stories newest first, with their size, the outlets that carry them and the first brief sentence; only
    those `filters` admits, with what the filter form offers (every outlet, the speakers quoted most)."""
    filters = filters or StoryFilter()
    stories = []
    outlet_counts: Counter[str] = Counter()
    speaker_counts: Counter[str] = Counter()
    total = 0
    for story_id, analysis, state in _story_facts(store):
        total += 1
        labels = store.source_labels(analysis.article_ids)
        counts: dict[str, int] = defaultdict(int)
        for c in analysis.claims:
            counts[c.status] += 1
        outlets = list(dict.fromkeys(labels[aid] for aid in analysis.article_ids if aid in labels))
        speakers = {q.speaker for q in analysis.quotes if q.speaker}
        outlet_counts.update(outlets)
        speaker_counts.update(speakers)
        if not filters.admits(set(outlets), state.first_date, state.last_date, set(counts), speakers):
            continue
        stories.append(
            {
                "id": story_id,
                "title": analysis.title or state.title,
                "articles": len(analysis.article_ids),
                "outlets": outlets[:_CARD_OUTLETS],
                "more_outlets": max(0, len(outlets) - _CARD_OUTLETS),
                "first_date": state.first_date,
                "last_date": state.last_date,
                "claims": dict(counts),
                "quotes": len(analysis.quotes),
                "lede": analysis.brief[0].text if analysis.brief else None,
                "top_entities": [e.name for e in analysis.entities[:6]],
            }
        )
    from .build import storylines

    return {
        "page": "index",
        "stories": stories,
        "storylines": [] if filters.active() else storylines(store, {s["id"]: s["title"] for s in stories}),
        "article_count": store.article_count(),
        "rejected_count": store.rejection_count(),
        "story_total": total,
        "filters": {f.name: getattr(filters, f.name) for f in dataclass_fields(filters)},
        "filtered": filters.active(),
        "choices": {
            "outlets": sorted(outlet_counts, key=lambda o: (-outlet_counts[o], o.casefold())),
            "statuses": list(STATUSES),
            # most quoted first, then by name: a tie keeps one order from run to run
            "speakers": sorted(speaker_counts, key=lambda s: (-speaker_counts[s], s.casefold(), s))[
                :_SPEAKER_CHOICES
            ],
        },
    }


def outlet_page(store: Store, name: str) -> dict[str, Any]:
    """One source across stories: its stories, what it alone reported, what it left out, whom it quoted.
    A source is named as everywhere in the report (`records.source_label`). Raises NotFound."""
    pages = OutletPages(only=name)
    for _, analysis, state in _story_facts(store):
        pages.add(analysis, state.first_date, state.last_date, store.source_labels(analysis.article_ids))
    return pages.page(name)


def outlet_view(
    name: str, stories: Iterable[tuple[StoryAnalysis, str | None, str | None]], labels: Mapping[str, str]
) -> dict[str, Any]:
    """`stories`: (analysis, first date, last date); `labels`: article id -> source name."""
    pages = OutletPages(only=name)
    for analysis, first, last in stories:
        pages.add(analysis, first, last, labels)
    return pages.page(name)


class OutletPages:
    """The outlet pages, gathered one story at a time: `add` each story, then `page` each name in `names()`
    (the order they first appear in). `only`: gather one outlet's page."""

    def __init__(self, only: str | None = None):
        self.only = only
        self._found: dict[str, dict[str, Any]] = {}

    def names(self) -> list[str]:
        return list(self._found)

    def add(
        self, analysis: StoryAnalysis, first: str | None, last: str | None, labels: Mapping[str, str]
    ) -> None:
        """One story; `labels`: article id -> source name, for its articles at least."""
        story = {"id": analysis.story_id, "title": analysis.title or analysis.story_id}
        claims = {c.id: c for c in analysis.claims}
        names = dict.fromkeys(labels[aid] for aid in analysis.article_ids if aid in labels)
        for name in names if self.only is None else [self.only] if self.only in names else []:
            found = self._found.setdefault(
                name, {"rows": [], "alone": [], "left_out": [], "quoted": {}, "articles": 0}
            )
            mine = [aid for aid in analysis.article_ids if labels.get(aid) == name]
            found["articles"] += len(mine)
            own = set(mine)
            found["alone"] += [
                {"story": story, "text": c.text, "claim_id": c.id} for c in only_in(analysis, own)
            ]
            found["left_out"] += [
                {"story": story, "text": claims[cid].text, "claim_id": cid, "status": claims[cid].status}
                for cid in sorted(left_out_by(analysis, own))
                if cid in claims
            ]
            for q in analysis.quotes:
                if q.article_id in own and q.speaker:
                    entry = found["quoted"].setdefault(
                        q.speaker,
                        {"speaker": q.speaker, "affiliation": q.affiliation, "quotes": 0, "stories": {}},
                    )
                    entry["quotes"] += 1
                    entry["stories"][story["id"]] = story
            others = sorted(
                {labels[aid] for aid in analysis.article_ids if aid in labels and labels[aid] != name}
            )
            found["rows"].append(
                {**story, "first_date": first, "last_date": last, "articles": len(mine), "others": others}
            )

    def page(self, name: str) -> dict[str, Any]:
        """The outlet page of `name`. Raises NotFound when no story added had its articles."""
        found = self._found.get(name)
        if not found:
            raise NotFound(name)
        rows, alone, left_out, articles = found["rows"], found["alone"], found["left_out"], found["articles"]
        speakers = sorted(found["quoted"].values(), key=lambda e: (-e["quotes"], e["speaker"]))
        row = outlet_table().named(name)
        return {
            "page": "outlet",
            "name": name,
            # what the outlet table (text.outlets) says of it, and where that comes from
            "facts": {
                "country": row.country,
                "owner": row.owner,
                "state_controlled": row.state_controlled,
                "wire_service": row.wire_service,
                "domains": list(row.domains),
                "source": row.source,
                "as_of": row.as_of,
                "from_user": row.from_user,
            }
            if row is not None
            else None,
            "title": name,
            "articles": articles,
            "stories": rows,
            "alone": alone,
            "left_out": left_out,
            "quoted": [{**e, "stories": list(e["stories"].values())} for e in speakers],
        }


CHANGE_LABELS = {
    "story_new": "new story",
    "article_joined": "article joined",
    "story_merged": "stories merged",
    "claim_status": "claim status",
}
CHANGES_SHOWN = 500  # entries on the changes page (`newsprism changes --limit` lists more)
RUNS_SHOWN = 100


def _run_summary(run: RunRecord) -> str:
    if run.finished_at is None:
        return "did not finish (interrupted, or still running): what it wrote is kept, and the next run completes it"
    return (
        f"{_count(run.articles_read, 'article')} read ({run.articles_new} new), {run.rejected} rejected,"
        f" {_count(run.stories_analysed, 'story', 'stories')} analysed, {_count(run.changes, 'change')}"
    )


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else many or one + 's'}"


def change_list(
    store: Store,
    since_run: int | None = None,
    since: str | None = None,
    story_id: str | None = None,
    limit: int = CHANGES_SHOWN,
) -> dict[str, Any]:
    """The runs after run `since_run` (or started at or after `since`) and what each changed, newest first;
    only the changes of `story_id` (and of stories merged into it) when given. Raises UnknownStory."""
    story = None
    story_ids = None
    if story_id is not None:
        live = store.resolve_story(story_id)
        if live is None:
            raise UnknownStory(story_id)
        story_ids = store.merged_ids(live)
        state = store.story_state(live)
        story = {"id": live, "title": state.title if state else live}
    found = store.changes(since_run=since_run, since=since, story_ids=story_ids, limit=limit + 1)
    more = len(found) > limit
    found = found[:limit]
    titles: dict[str, tuple[str, str]] = {}

    def where(sid: str) -> tuple[str, str]:
        if sid not in titles:
            live = store.resolve_story(sid) or sid
            state = store.story_state(live)
            titles[sid] = (live, state.title if state else live)
        return titles[sid]

    by_run: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for c in found:
        live, title = where(c.story_id)
        by_run[c.run].append(
            {
                "run": c.run,
                "seq": c.seq,
                "at": c.at,
                "kind": c.kind,
                "label": CHANGE_LABELS.get(c.kind, c.kind),
                "story_id": live,
                "story_title": title,
                "subject": c.subject,
                "before": c.before,
                "after": c.after,
                "text": c.text,
                "why": c.why,
            }
        )
    runs = []
    for run in store.runs(limit=RUNS_SHOWN):
        if since_run is not None and run.id <= since_run:
            continue
        if since is not None and run.started_at < since and run.id not in by_run:
            continue
        if story_ids is not None and run.id not in by_run:
            continue
        runs.append(
            {
                "id": run.id,
                "when": run.started_at.replace("T", " ")[:16] + " UTC",
                "started_at": run.started_at,
                "finished_at": run.finished_at,
                "summary": _run_summary(run),
                "changes": sorted(by_run.get(run.id, []), key=lambda c: c["seq"]),  # in the order made
            }
        )
    return {"runs": runs, "more": more, "story": story, "since_run": since_run, "since": since}


def parse_since(value: str | None) -> tuple[int | None, str | None]:
    """A `since` bound: a run number, or an ISO date or time (UTC when it names no offset) as the run log
    writes times. Raises ValueError naming the value."""
    if value is None or not value.strip():
        return None, None
    value = value.strip()[:40]
    if value.isdigit():
        return int(value), None
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value!r} is neither a run number nor an ISO date (2026-12-01)") from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return None, when.astimezone(UTC).isoformat(timespec="seconds")


def changes_page(store: Store, since: str | None = None, story_id: str | None = None) -> dict[str, Any]:
    """The changes page: what each run changed, newest first (`since`: a run number or an ISO date)."""
    note = None
    try:
        since_run, since_date = parse_since(since)
    except ValueError as exc:
        since_run, since_date, note = None, None, f"{exc}: showing every run"
    try:
        listing = change_list(store, since_run, since_date, story_id)
    except UnknownStory:
        raise NotFound(story_id or "") from None
    return {"page": "changes", "title": "What changed", "note": note, **listing}


def corrections_page(store: Store) -> dict[str, Any]:
    """Every correction made, newest first, with the story it was made in and whether it is in force."""
    items = []
    for c in reversed(store.corrections()):
        live = store.resolve_story(c.story_id) if c.story_id else None
        state = store.story_state(live) if live else None
        items.append(
            {
                "id": c.id,
                "kind": c.kind,
                "target": c.target,
                "value": c.value,
                "note": c.note,
                "author": c.author,
                "at": c.at,
                "undone_at": c.undone_at,
                "story_id": live,
                "story_title": state.title if state else None,
            }
        )
    return {"page": "corrections", "title": "Corrections", "corrections": items}


def rejected_page(store: Store) -> dict[str, Any]:
    return {"page": "rejected", "rejected": rejected_list(store), "rejected_count": store.rejection_count()}


_OUTLET_FILTER = re.compile(r'(?i)\boutlet:(?:"([^"]*)"|(\S+))')


def search_page(store: Store, query: str) -> dict[str, Any]:
    """Stories and articles matching every word of `query` (titles, entities, text), with their dates and
    outlets. `outlet:NAME` (or `outlet:"Two words"`) keeps the hits from sources whose name holds NAME. When
    nothing matches, the words the articles never use are corrected to the closest ones they do use
    (`Store.corrected_query`) and the page says so."""
    query = (query or "").strip()[:MAX_QUERY_CHARS]
    outlets = [(m.group(1) or m.group(2)).strip() for m in _OUTLET_FILTER.finditer(query)]
    outlet = " ".join(o for o in outlets if o) or None
    words = _OUTLET_FILTER.sub(" ", query).strip()
    hits = store.search(words, limit=SEARCH_LIMIT) if words else []
    corrected = None
    if words and not hits:
        corrected = store.corrected_query(words)
        hits = store.search(corrected, limit=SEARCH_LIMIT) if corrected else []
    article_ids = [h.id for h in hits if h.kind == "article"]
    labels = store.source_labels(article_ids)
    published = {a.id: a.published for a in store.articles(article_ids)}
    titles: dict[str, str] = {}
    stories, articles = [], []
    for h in hits:
        item = {
            "id": h.id,
            "title": h.title,
            "story_id": h.story_id,
            "snippet": [{"text": t, "match": m} for t, m in h.snippet],
        }
        if h.kind == "story":
            stories.append(item)
            titles[h.id] = h.title
        else:
            item["outlet"] = labels.get(h.id)
            item["published"] = published.get(h.id)
            articles.append(item)
    if outlet:
        wanted = outlet.casefold()
        articles = [a for a in articles if wanted in (a["outlet"] or "").casefold()]
        carried = {}
        for s in stories:
            ids = [m.article_id for m in store.memberships(s["id"])]
            carried[s["id"]] = any(wanted in name.casefold() for name in store.source_labels(ids).values())
        stories = [s for s in stories if carried[s["id"]]]
    # Stories reached only through their articles are results too.
    for item in articles:
        sid = item["story_id"]
        if sid and sid not in titles:
            state = store.story_state(sid)
            titles[sid] = state.title if state else sid
            stories.append(
                {"id": sid, "title": titles[sid], "story_id": sid, "snippet": [], "via": "article"}
            )
        item["story_title"] = titles.get(sid) if sid else None
    for s in stories:
        state = store.story_state(s["id"])
        s["first_date"] = state.first_date if state else None
        s["last_date"] = state.last_date if state else None
    return {
        "page": "search",
        "query": query,
        "words": words,
        "outlet": outlet,
        "corrected": corrected,
        "stories": stories,
        "articles": articles,
    }


def story_page(store: Store, story_id: str) -> dict[str, Any]:
    """Everything the story page shows. Raises Moved for a merged-away id, NotFound for an unknown one."""
    live = store.resolve_story(story_id)
    if live is None:
        raise NotFound(story_id)
    if live != story_id:
        raise Moved(live)
    analysis = store.get_analysis(story_id)
    if analysis is None:
        raise NotFound(story_id)
    from .build import storylines

    return story_view(
        analysis,
        {a.id: a for a in corrected(store, store.articles(list(analysis.article_ids)))},
        storylines(store),
    )


def story_view(
    analysis: StoryAnalysis,
    articles: Mapping[str, Article],
    storylines: Sequence[dict[str, Any]] = (),
) -> dict[str, Any]:
    """A stored analysis arranged for reading; `articles` by id (with the dates an editor fixed);
    `storylines` (report.json form) gives the other events of its storyline, with why each link was made."""
    ids = list(analysis.article_ids)
    sources = [_article_summary(aid, articles.get(aid), n) for n, aid in enumerate(ids, 1)]
    by_id = {s["id"]: s for s in sources}
    not_analysed = set(analysis.not_analysed)
    read = [aid for aid in ids if aid not in not_analysed]  # the coverage matrix's columns

    def label(aid: str) -> str:
        return by_id[aid]["label"] if aid in by_id else aid

    def number(aid: str) -> int | None:
        return by_id[aid]["number"] if aid in by_id else None

    def evidence(items: Sequence[Evidence]) -> list[dict[str, Any]]:
        return [{**to_dict(e), "label": label(e.article_id), "number": number(e.article_id)} for e in items]

    claims = claims_by_weight(analysis.claims)
    claim_text = {c.id: c.text for c in claims}
    status_of = {c.id: c.status for c in claims}
    brief = [
        {
            "text": s.text,
            "claim_id": s.claim_id,
            # a sentence whose claim group sources contradict is marked where it is read, not only under Claims
            "status": status_of.get(s.claim_id) if s.claim_id else None,
            "citations": [
                {
                    "article_id": aid,
                    "number": number(aid),
                    "label": label(aid),
                    # the wire service it credits: an agency's copy is the agency's reporting
                    "wire": by_id[aid]["wire_credit"] if aid in by_id else None,
                    "sentences": [e.text for e in s.evidence if e.article_id == aid],
                }
                for aid in s.citations
            ],
        }
        for s in analysis.brief
    ]
    status_counts: dict[str, int] = defaultdict(int)
    for c in claims:
        status_counts[c.status] += 1

    # Coverage heatmap: claims (most sources first) x articles; column totals shade by share of claims.
    rows = [
        {
            "claim_id": c.id,
            "text": c.text if len(c.text) <= _CLAIM_EXCERPT else c.text[: _CLAIM_EXCERPT - 1] + "…",
            "status": c.status,
            "cells": [int(aid in c.article_ids) for aid in read],
            "count": len(c.article_ids),
        }
        for c in claims
    ]
    totals = [sum(r["cells"][i] for r in rows) for i in range(len(read))]
    peak = max(totals, default=0) or 1
    coverage = {
        "articles": [
            {"id": s["id"], "number": s["number"], "label": s["label"]} for s in sources if s["id"] in read
        ],
        "rows": rows,
        "totals": [{"count": t, "level": min(4, math.ceil(4 * t / peak))} for t in totals],
    }

    speakers: dict[str, list[dict[str, Any]]] = defaultdict(list)
    affiliation: dict[str, str] = {}
    sentence_edges: dict[str, list[tuple[int, int]]] = {}
    for n, q in enumerate(analysis.quotes, 1):
        name = q.speaker or "Unattributed"
        text = articles[q.article_id].text if q.article_id in articles else ""
        if q.article_id not in sentence_edges:
            sentence_edges[q.article_id] = sentence_spans(text)
        speakers[name].append(
            {
                "text": q.text,
                "article_id": q.article_id,
                "label": label(q.article_id),
                "cue": q.cue,
                "kind": q.kind,
                # the sentence around the quote, so a reader can check the attribution at a glance
                "context": quote_context(sentence_edges[q.article_id], text, q.start, q.end),
                # a withheld guess says which words would have named the speaker, and why it was withheld
                "withheld": q.speaker_mention if not q.speaker and q.attribution != EDITOR else None,
                "confidence": q.confidence,
                "number": n,  # what a correction names it by (`newsprism correct speaker STORY N`)
                "by_editor": q.attribution == EDITOR,
            }
        )
        if q.affiliation and name not in affiliation:
            affiliation[name] = q.affiliation
    quotes = [
        {
            "speaker": name,
            "affiliation": affiliation.get(name),
            "outlets": sorted({x["label"] for x in items}),
            "quotes": items,
        }
        for name, items in sorted(
            speakers.items(), key=lambda kv: (kv[0] == "Unattributed", -len(kv[1]), kv[0])
        )
    ]

    entity_groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for e in analysis.entities:
        per = dict(e.mentions_per_article)
        entity_groups[e.label].append(
            {
                "name": e.name,
                "aliases": list(e.aliases),
                "mentions": sum(per.values()),
                "articles": len(per),
                "weight": min(3, len(per) * 3 // max(1, len(ids))),
            }
        )
    entities = [
        {"label": lab, "entities": sorted(items, key=lambda x: (-x["mentions"], x["name"]))}
        for lab, items in sorted(entity_groups.items(), key=lambda kv: -sum(x["mentions"] for x in kv[1]))
    ]

    axis = time_axis([e.date for e in analysis.timeline if not e.background and not e.scheduled])
    timeline = {
        "events": [
            {
                "n": n,
                "date": e.date,
                "text": e.text,
                "x": round(axis[e.date], 4) if e.date in axis else None,
                "sources": sorted({label(ev.article_id) for ev in e.evidence}),
                "background": e.background,
                "scheduled": e.scheduled,
            }
            for n, e in enumerate(analysis.timeline, 1)
        ],
        "ticks": _label_rows(sorted(axis.items(), key=lambda kv: kv[1])),
    }

    texts = {aid: articles[aid].text if aid in articles else "" for aid in ids}
    dup = analysis.duplicates
    duplicates = {
        "groups": [
            {
                "kind": g.kind,
                "score": g.score,
                "reason": g.reason,
                "original": {"id": g.original, "label": label(g.original)},
                "members": [{"id": aid, "label": label(aid)} for aid in g.article_ids],
            }
            for g in dup.groups
        ],
        "partial_reuse": [
            {
                "article": {"id": p.article_id, "label": label(p.article_id)},
                "source": {"id": p.source_id, "label": label(p.source_id)},
                "shared_sentences": p.shared_sentences,
                "share": p.share,
                "pairs": [
                    {
                        "text": texts.get(p.article_id, "")[x.a_start : x.a_end],
                        "source_text": texts.get(p.source_id, "")[x.b_start : x.b_end],
                        "similarity": x.similarity,
                    }
                    for x in p.pairs
                ],
            }
            for p in dup.partial_reuse
        ],
    }

    n_claims = len(claims) or 1
    framing = []
    for f in sorted(analysis.framing, key=lambda f: number(f.article_id) or 0):
        framing.append(
            {
                "article_id": f.article_id,
                "number": number(f.article_id),
                "label": label(f.article_id),
                "headline": f.headline,
                "covered": len(f.covered),
                "coverage_share": round(len(f.covered) / n_claims, 3),
                "omitted": [claim_text[c] for c in f.omitted if c in claim_text][:5],
                "omitted_count": len(f.omitted),
                "voices": list(f.quoted_speakers),
                "sides": [
                    {"side": v.side, "speakers": list(v.speakers), "quotes": v.quotes} for v in f.voices
                ],
                "loaded_terms": list(f.loaded_terms),
                "loaded_score": f.loaded_score,
                "headline_loaded_terms": list(f.headline_loaded_terms),
                "headline_tone": f.headline_tone,
                "headline_overlap": f.headline_overlap,
            }
        )
    glance = _glance(analysis, read, label, status_of)
    # Voices by side across the story: which side each source lets speak, and how often.
    totals: Counter = Counter()
    for f in framing:
        for v in f["sides"]:
            totals[v["side"]] += v["quotes"]
    # Most quoted side first; speakers with no side last.
    side_names = sorted(totals, key=lambda side: (side == "unaffiliated", -totals[side]))
    voices_by_side = {
        "articles": [{"id": f["article_id"], "number": f["number"], "label": f["label"]} for f in framing],
        "rows": [
            {
                "side": side,
                "cells": [sum(v["quotes"] for v in f["sides"] if v["side"] == side) for f in framing],
            }
            for side in side_names
        ],
    }
    shown_claims = [{**to_dict(c), "evidence": evidence(c.evidence)} for c in claims]

    return {
        "page": "story",
        "id": analysis.story_id,
        "title": analysis.title or analysis.story_id,
        "sources": sources,
        "stats": {
            "articles": len(ids),
            "claims": len(claims),
            "quotes": len(analysis.quotes),
            "entities": len(analysis.entities),
            "status": dict(status_counts),
        },
        "brief": brief,
        "brief_mode": analysis.brief_mode,
        "brief_note": analysis.brief_note,
        "incomplete": list(analysis.incomplete),
        "not_analysed": [
            {"number": by_id[aid]["number"], "label": by_id[aid]["label"], "language": by_id[aid]["language"]}
            for aid in ids
            if aid in not_analysed
        ],
        "claims": shown_claims,
        # claims one origin carries alone are most of a story's (nine in ten on basil-dev): the page shows
        # them one click away, by source, under the claims that sources share or dispute
        "claims_alone": _by_source([c for c in shown_claims if c["status"] == "single_source"], sources),
        "contradictions": [
            {**to_dict(x), "number": n, "evidence": evidence(x.evidence)}
            for n, x in enumerate(analysis.contradictions, 1)
        ],
        "coverage": coverage,
        "glance": glance,
        "quotes": quotes,
        "entities": entities,
        "timeline": timeline,
        "duplicates": duplicates,
        "framing": framing,
        "neutral_title": analysis.neutral_title,
        "voices_by_side": voices_by_side,
        "membership": [
            {
                "article_id": m.article_id,
                "score": m.score,
                "evidence": m.evidence,
                "number": number(m.article_id),
                "label": label(m.article_id),
            }
            for m in analysis.membership
        ],
        "storyline": _storyline_of(analysis.story_id, storylines),
    }


def _by_source(claims: list[dict[str, Any]], sources: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Claim groups (as the page shows them) one origin carries, under the first source that carries each,
    in source order."""
    held: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for claim in claims:
        held[claim["article_ids"][0]].append(claim)
    return [{**source, "claims": held[source["id"]]} for source in sources if held.get(source["id"])]


def only_in(analysis: StoryAnalysis, own: set[str]) -> list[ClaimGroup]:
    """The claim groups that no source but the articles `own` carries (single source, all theirs)."""
    return [c for c in analysis.claims if c.status == "single_source" and set(c.article_ids) <= own]


def left_out_by(analysis: StoryAnalysis, own: set[str]) -> set[str]:
    """The claim groups most sources carry that every one of the articles `own` leaves out (framing)."""
    omitted = {f.article_id: set(f.omitted) for f in analysis.framing}
    return set.intersection(*(omitted.get(a, set()) for a in own)) if own else set()


def claims_by_weight(claims: Sequence[ClaimGroup]) -> list[ClaimGroup]:
    """Claim groups as a reader meets them: most independent sources first, then most articles."""
    return sorted(claims, key=lambda c: (-c.independent_sources, -len(c.article_ids), c.text))


def _glance(
    analysis: StoryAnalysis, read: list[str], label: Callable[[str], str], status_of: dict[str, str]
) -> dict[str, Any]:
    """The story at a glance, beside its brief: per source (articles of one outlet together), the claim
    groups it carries, those only it carries, those most sources carry that it leaves out, and its quotes."""
    by_source: dict[str, list[str]] = defaultdict(list)
    for aid in read:
        by_source[label(aid)].append(aid)
    covered = {f.article_id: set(f.covered) for f in analysis.framing}
    quoted = Counter(q.article_id for q in analysis.quotes if q.speaker)
    rows = []
    for name, ids in by_source.items():
        own = set(ids)
        rows.append(
            {
                "label": name,
                "articles": len(ids),
                "carried": len(set().union(*(covered.get(a, set()) for a in ids))),
                "alone": len(only_in(analysis, own)),
                "left_out": len(left_out_by(analysis, own)),
                "quotes": sum(quoted[a] for a in ids),
            }
        )
    return {
        "sources": rows,
        "contradictions": len(analysis.contradictions),
        "corroborated": sum(1 for s in status_of.values() if s == "corroborated"),
    }


def storyline_page(store: Store, storyline_id: str) -> dict[str, Any]:
    """A storyline's events on a time axis, with why each link was made. Raises NotFound for an unknown id."""
    from .build import storylines

    for line in storylines(store):
        if line["id"] == storyline_id:
            return storyline_view(line)
    raise NotFound(storyline_id)


# The time axis is an SVG drawn in these user units (attributes, not inline styles: the web app's CSP).
_AXIS_WIDTH, _AXIS_MARGIN = 1000, 40


def storyline_view(line: dict[str, Any]) -> dict[str, Any]:
    """A storyline (report.json form) arranged for reading: each event numbered and placed on a time axis
    scaled to the dates (undated events after the last), and each link with the stories it joins and why."""
    days = [_day_number(e["first_date"]) for e in line["events"]]
    known = [d for d in days if d is not None]
    low, high = (min(known), max(known)) if known else (0, 0)
    span = _AXIS_WIDTH - 2 * _AXIS_MARGIN
    events = []
    for n, (event, day) in enumerate(zip(line["events"], days, strict=True), 1):
        if day is None:
            x = _AXIS_WIDTH - _AXIS_MARGIN
        elif high > low:
            x = _AXIS_MARGIN + span * (day - low) / (high - low)
        else:  # one day: side by side in story order
            x = _AXIS_MARGIN + span * (n - 1) / max(1, len(days) - 1)
        events.append({**event, "number": n, "x": round(x, 1)})
    titles = {e["story_id"]: e["title"] or e["story_id"] for e in line["events"]}
    links = [
        {**link, "titles": [titles.get(sid, sid) for sid in link["story_ids"]]} for link in line["links"]
    ]
    return {
        "page": "storyline",
        "id": line["id"],
        "title": line["title"],
        "events": events,
        "links": links,
        "axis": {
            "width": _AXIS_WIDTH,
            "from": date.fromordinal(low).isoformat() if known else None,
            "to": date.fromordinal(high).isoformat() if known else None,
        },
    }


def _day_number(value: str | None) -> int | None:
    try:
        return date.fromisoformat(value[:10]).toordinal() if value else None
    except ValueError:
        return None


def _storyline_of(story_id: str, storylines: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The storyline a story belongs to, its events marked with why each is linked to this one."""
    for line in storylines:
        if story_id not in line["story_ids"]:
            continue
        why = {}
        for link in line["links"]:
            a, b = link["story_ids"]
            if story_id in (a, b):
                why[b if a == story_id else a] = link["evidence"]
        events = [
            {**e, "this": e["story_id"] == story_id, "why": why.get(e["story_id"])} for e in line["events"]
        ]
        return {**line, "events": events}
    return None


def article_page(store: Store, article_id: str) -> dict[str, Any]:
    """An article's clean text with its quotes and claim sentences marked, its metadata and what was removed."""
    resolved = store.resolve_article(article_id)  # an alias shows the article it was stored as
    found = corrected(store, store.articles([resolved])) if resolved is not None else []
    if not found:
        raise NotFound(article_id)
    article = found[0]
    raw_story = store.story_of(article.id)
    story_id = store.resolve_story(raw_story) if raw_story else None
    analysis = store.get_analysis(story_id) if story_id else None
    versions = store.versions(article.url) if article.url else []
    return article_view(
        article,
        analysis,
        story_id,
        _previous_version(store, article.id, versions),
        aliases=store.aliases([article.id]).get(article.id, []),
        versions=versions if len(versions) > 1 else [],
    )


def _previous_version(store: Store, article_id: str, versions: list[str]) -> Article | None:
    at = versions.index(article_id) if article_id in versions else 0
    if at == 0:
        return None
    found = store.articles([versions[at - 1]])
    return found[0] if found else None


_VERSION_CHANGES_SHOWN = 30  # sentences added or removed that the article page lists


def version_changes(previous: Article, text: str) -> dict[str, Any]:
    """What changed from the previous version of a page to this one, sentence by sentence."""
    old_text = previous.text
    before = [" ".join(old_text[a:b].split()) for a, b in sentence_spans(old_text)]
    after = [" ".join(text[a:b].split()) for a, b in sentence_spans(text)]
    added, removed = [], []
    for op, i1, i2, j1, j2 in SequenceMatcher(None, before, after, autojunk=False).get_opcodes():
        if op in ("replace", "delete"):
            removed += before[i1:i2]
        if op in ("replace", "insert"):
            added += after[j1:j2]
    return {
        "previous": previous.id,
        "added": added[:_VERSION_CHANGES_SHOWN],
        "removed": removed[:_VERSION_CHANGES_SHOWN],
        "more": max(0, len(added) + len(removed) - 2 * _VERSION_CHANGES_SHOWN),
        "unchanged": len(before) - len(removed),
    }


def article_view(
    article: Article,
    analysis: StoryAnalysis | None,
    story_id: str | None,
    previous: Article | None = None,
    aliases: Sequence[str] = (),
    versions: Sequence[str] = (),
) -> dict[str, Any]:
    """`previous`: the version of the same page read before this one, to say what changed; `aliases`: the
    other ids it was read under; `versions`: the ids of every version of its page, in order (none: one)."""
    from .build import article_to_dict

    spans: list[tuple[int, int, str, str]] = []
    quotes, claims = [], []
    if analysis is not None:
        for q in analysis.quotes:
            if q.article_id == article.id:
                who = q.speaker or "unattributed"
                spans.append((q.start, q.end, "quote", f"quote: {who}"))
                quotes.append({"text": q.text, "speaker": who, "cue": q.cue})
        for c in analysis.claims:
            for ev in c.evidence:
                if ev.article_id == article.id:
                    spans.append((ev.start, ev.end, f"claim {c.status}", c.status.replace("_", " ")))
                    claims.append({"id": c.id, "text": ev.text, "status": c.status})
    meta = {
        k: v
        for k, v in article_to_dict(article, story_id, aliases, versions).items()
        if k not in {"text", "removed"}
    }
    meta["label"] = label_of(article)
    meta["versions"] = [
        {"id": vid, "number": n, "this": vid == article.id} for n, vid in enumerate(versions, 1)
    ]
    return {
        "page": "article",
        "article": meta,
        "story": {"id": story_id, "title": analysis.title if analysis else None} if story_id else None,
        "paragraphs": paragraphs(highlight(article.text, spans)),
        "changes": version_changes(previous, article.text) if previous else None,
        "quotes": quotes,
        "claims": claims,
        "removed": [
            {"reason": r.reason, "text": r.text[:400] + ("…" if len(r.text) > 400 else "")}
            for r in article.removed
        ],
    }
