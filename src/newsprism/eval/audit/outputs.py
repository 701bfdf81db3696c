"""What a reader of the report sees, read back from report.json and mapped onto the data's text.

Every offset of the report points into an article's clean text; the audit's labels point into the data file's
`text`. `OffsetMap` carries one to the other (cleaning only removes and rewrites lines, so an alignment of the
two strings does it). Each verdict the report shows becomes an `OutputItem` with a key that depends only on the
verdict's kind and its evidence as data offsets, so the same verdict in a later run finds its label again.
"""

from __future__ import annotations

import bisect
import difflib
import hashlib
import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from .events import Event

OUTPUT_KINDS = ("contradiction", "corroborated", "single_source", "omission", "brief", "reuse", "storyline")
_LEAD_CHARS = 400  # of each article, for a storyline link's reader


class OffsetMap:
    """Clean-text offsets of one article to offsets into the data's text."""

    def __init__(self, clean: str, data: str):
        self._clean_starts: list[int] = []
        self._data_starts: list[int] = []
        self._lengths: list[int] = []
        if clean == data:
            self._clean_starts, self._data_starts, self._lengths = [0], [0], [len(clean)]
        else:
            matcher = difflib.SequenceMatcher(None, clean, data, autojunk=False)
            for block in matcher.get_matching_blocks():
                if block.size:
                    self._clean_starts.append(block.a)
                    self._data_starts.append(block.b)
                    self._lengths.append(block.size)
        self._data_len = len(data)

    def __call__(self, offset: int) -> int:
        k = bisect.bisect_right(self._clean_starts, offset) - 1
        if k < 0:
            return self._data_starts[0] if self._data_starts else 0
        inside = min(offset - self._clean_starts[k], self._lengths[k])
        return min(self._data_len, self._data_starts[k] + inside)


@dataclass(frozen=True)
class EvidenceSpan:
    article: str  # data id
    start: int
    end: int


@dataclass(frozen=True)
class OutputItem:
    key: str
    kind: str  # OUTPUT_KINDS
    event: str
    spans: tuple[EvidenceSpan, ...]
    shown: dict[str, Any] = field(hash=False, compare=False)  # what the reader is shown, text included


@dataclass
class EventOutputs:
    """Everything the report shows about one event's articles."""

    event: str
    quotes: list[dict] = field(default_factory=list)  # report quote dicts, offsets mapped, article = data id
    entities: list[dict] = field(default_factory=list)  # per story: name, label, aliases, articles (data ids)
    timeline: list[dict] = field(default_factory=list)  # date, evidence spans (data)
    groups: list[dict] = field(default_factory=list)  # status, outlets, spans
    items: list[OutputItem] = field(default_factory=list)
    reuse_pairs: set[frozenset] = field(default_factory=set)  # {copier, source} data ids, across outlets
    stories: int = 0  # stories holding the event's articles


def item_key(kind: str, parts: list) -> str:
    return hashlib.sha1(json.dumps([kind, parts], ensure_ascii=False).encode()).hexdigest()[:16]


def read_outputs(
    report: dict[str, Any],
    events: dict[str, Event],
    data_id_of: dict[str, str],
    sealed: frozenset[str] = frozenset(),
) -> dict[str, EventOutputs]:
    """The report's outputs per event. `data_id_of` maps a report article id to the data id it came from.
    A storyline link belongs to the event of its earlier story, or to a `sealed` event at either end, so that
    a sealed event's titles stay out of an open event's outputs."""
    articles = {a["id"]: a for a in report["articles"]}
    event_of: dict[str, str] = {}
    data_text: dict[str, str] = {}
    outlet_of: dict[str, str | None] = {}
    for event in events.values():
        for a in event.articles:
            event_of[a.id] = event.id
            data_text[a.id] = a.text
            outlet_of[a.id] = a.outlet
    maps: dict[str, OffsetMap] = {}
    for rid, article in articles.items():
        did = data_id_of.get(rid)
        if did in data_text:
            maps[rid] = OffsetMap(article["text"], data_text[did])

    def span(ev: dict) -> EvidenceSpan | None:
        rid = ev["article_id"]
        if rid not in maps:
            return None
        m = maps[rid]
        return EvidenceSpan(data_id_of[rid], m(ev["start"]), max(m(ev["start"]), m(ev["end"])))

    out: dict[str, EventOutputs] = {e: EventOutputs(e) for e in events}
    home_of: dict[str, str] = {}
    for story in report["stories"]:
        members = [data_id_of.get(r) for r in story["article_ids"]]
        story_events = Counter(event_of[d] for d in members if d in event_of)
        if not story_events:
            continue
        home = story_events.most_common(1)[0][0]  # a story's brief belongs to the event most of it reports
        home_of[story["id"]] = home
        for e in story_events:
            out[e].stories += 1
        groups = {g["id"]: g for g in story["claims"]}
        _quotes(story, maps, data_id_of, event_of, out)
        _entities(story, data_id_of, event_of, out)
        for entry in story["timeline"]:
            if entry.get("background") or entry.get("scheduled"):
                continue  # listed apart (background, scheduled), not on the story's timeline
            for ev in entry["evidence"]:
                s = span(ev)
                if s and s.article in event_of:
                    out[event_of[s.article]].timeline.append({"date": entry["date"], "span": s})
        for g in story["claims"]:
            spans = [s for s in (span(ev) for ev in g["evidence"]) if s]
            by_event = Counter(event_of[s.article] for s in spans if s.article in event_of)
            for e in by_event:
                event_spans = tuple(sorted((s for s in spans if event_of.get(s.article) == e), key=_order))
                outlets = {outlet_of[s.article] for s in event_spans}
                kind = {"corroborated": "corroborated", "contested": "corroborated"}.get(g["status"])
                if g["status"] == "single_source" and len(outlets) > 1:
                    kind = "single_source"
                key = None
                if kind:
                    shown = {
                        "verdict": g["status"],
                        "text": g["text"],
                        "evidence": _shown_spans(event_spans, data_text),
                    }
                    item = _item(kind, e, event_spans, shown)
                    out[e].items.append(item)
                    key = item.key
                out[e].groups.append(
                    {
                        "status": g["status"],
                        "spans": event_spans,
                        "outlets": outlets,
                        "id": g["id"],
                        "key": key,
                    }
                )
        for c in story["contradictions"]:
            spans = tuple(sorted((s for s in (span(ev) for ev in c["evidence"]) if s), key=_order))
            if spans and spans[0].article in event_of:
                e = event_of[spans[0].article]
                out[e].items.append(
                    _item("contradiction", e, spans, {"evidence": _shown_spans(spans, data_text)})
                )
        for f in story["framing"]:
            did = data_id_of.get(f["article_id"])
            if did not in event_of:
                continue
            e = event_of[did]
            for gid in f["omitted"]:
                g = groups.get(gid)
                if g is None:
                    continue
                spans = tuple(sorted((s for s in (span(ev) for ev in g["evidence"]) if s), key=_order))
                shown = {"article": did, "text": g["text"], "evidence": _shown_spans(spans, data_text)}
                out[e].items.append(
                    OutputItem(
                        item_key("omission", [did, [_json(s) for s in spans]]), "omission", e, spans, shown
                    )
                )
        previous = ""
        for k, sentence in enumerate(story["brief"]):
            cited = sorted(data_id_of.get(r, r) for r in sentence["citations"])
            spans = tuple(sorted((s for s in (span(ev) for ev in sentence["evidence"]) if s), key=_order))
            shown = {
                "position": k + 1,
                "text": sentence["text"],
                "cites": cited,
                "earlier": [b["text"] for b in story["brief"][:k]],
            }
            key = item_key("brief", [sentence["text"], cited, previous])
            out[home].items.append(OutputItem(key, "brief", home, spans, shown))
            previous = sentence["text"]
        _reuse(story, maps, data_id_of, event_of, outlet_of, data_text, out)
    stories = {story["id"]: story for story in report["stories"]}
    articles_by_id = {a.id: a for event in events.values() for a in event.articles}
    for line in report.get("storylines", ()):
        for link in line["links"]:
            _storyline(link, line, stories, home_of, data_id_of, articles_by_id, sealed, out)
    for e in out.values():  # one verdict shown twice (two stories, two routes) is one item to label
        e.items = list({item.key: item for item in e.items}.values())
    return out


def _storyline(link, line, stories, home_of, data_id_of, articles, sealed, out) -> None:
    """A storyline link as the reader sees it: both stories, each with its articles' outlet, date, title and
    lead (the link's score and evidence stay hidden)."""
    dated = [sid for sid in line["story_ids"] if sid in link["story_ids"]]  # the storyline's date order
    if len(dated) != 2 or any(sid not in stories or sid not in home_of for sid in dated):
        return
    homes = [home_of[sid] for sid in dated]
    e = next((h for h in homes if h in sealed), homes[0])
    shown_stories, spans, ids = [], [], []
    for sid in dated:
        members = sorted(d for d in (data_id_of.get(r) for r in stories[sid]["article_ids"]) if d in articles)
        ids.append(members)
        spans.append(EvidenceSpan(members[0], 0, 0))
        shown_stories.append(
            {
                "title": stories[sid]["title"],
                "articles": [
                    {
                        "article": f"{articles[d].outlet or d} · {articles[d].published or 'undated'}",
                        "title": articles[d].title,
                        "lead": articles[d].text[:_LEAD_CHARS],
                    }
                    for d in members
                ],
            }
        )
    key = item_key("storyline", ids)
    out[e].items.append(OutputItem(key, "storyline", e, tuple(spans), {"stories": shown_stories}))


def _order(s: EvidenceSpan) -> tuple:
    return (s.article, s.start, s.end)


def _json(s: EvidenceSpan) -> list:
    return [s.article, s.start, s.end]


def _item(kind: str, event: str, spans: tuple[EvidenceSpan, ...], shown: dict) -> OutputItem:
    return OutputItem(item_key(kind, [_json(s) for s in spans]), kind, event, spans, shown)


def _shown_spans(spans, data_text) -> list[dict]:
    return [{"article": s.article, "text": data_text[s.article][s.start : s.end]} for s in spans]


def _quotes(story, maps, data_id_of, event_of, out) -> None:
    for q in story["quotes"]:
        rid = q["article_id"]
        did = data_id_of.get(rid)
        if did not in event_of or rid not in maps:
            continue
        m = maps[rid]
        out[event_of[did]].quotes.append(
            {
                "article": did,
                "start": m(q["start"]),
                "end": m(q["end"]),
                "speaker": q.get("speaker"),
                "speaker_mention": q.get("speaker_mention"),
            }
        )


def _entities(story, data_id_of, event_of, out) -> None:
    for entity in story["entities"]:
        arts = [data_id_of.get(a) for a, _ in entity["mentions_per_article"]]
        arts = [a for a in arts if a in event_of]
        for e in {event_of[a] for a in arts}:
            out[e].entities.append(
                {
                    "story": story["id"],
                    "name": entity["name"],
                    "label": entity["label"],
                    "aliases": list(entity["aliases"]),
                    "articles": [a for a in arts if event_of[a] == e],
                }
            )


def _reuse(story, maps, data_id_of, event_of, outlet_of, data_text, out) -> None:
    """Copies, rewrites and partial reuse the report shows between articles of different outlets."""
    pairs: dict[frozenset, list] = defaultdict(list)
    for group in story["duplicates"]["groups"]:
        members = [data_id_of.get(a) for a in group["article_ids"]]
        original = data_id_of.get(group["original"])
        for m in members:
            if m != original and m in event_of and original in event_of:
                pairs[frozenset((m, original))].append(
                    {"kind": group["kind"], "copier": m, "source": original}
                )
    for reuse in story["duplicates"]["partial_reuse"]:
        a, b = data_id_of.get(reuse["article_id"]), data_id_of.get(reuse["source_id"])
        if a in event_of and b in event_of:
            shared = []
            for p in reuse.get("pairs", []):
                if reuse["article_id"] in maps and reuse["source_id"] in maps:
                    ma, mb = maps[reuse["article_id"]], maps[reuse["source_id"]]
                    shared.append(
                        [
                            data_text[a][ma(p["a_start"]) : ma(p["a_end"])],
                            data_text[b][mb(p["b_start"]) : mb(p["b_end"])],
                        ]
                    )
            pairs[frozenset((a, b))].append({"kind": "partial", "copier": a, "source": b, "shared": shared})
    for pair, shows in pairs.items():
        a, b = sorted(pair)
        if outlet_of[a] == outlet_of[b] or event_of[a] != event_of[b]:
            continue
        e = event_of[a]
        out[e].reuse_pairs.add(pair)
        spans = (EvidenceSpan(a, 0, 0), EvidenceSpan(b, 0, 0))
        out[e].items.append(OutputItem(item_key("reuse", [a, b]), "reuse", e, spans, {"claims": shows}))
