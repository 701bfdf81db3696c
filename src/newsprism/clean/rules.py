"""Plain-text boilerplate rules.

The text is cut into lines (each non-blank line is a candidate paragraph); every rule below looks at
lines, or at the start or end of one line, and takes out what it recognises with a reason. Rules are
general patterns of news/blog pages (comment prompts, subscribe boxes, bylines, metadata lines,
captions, wire credits), never strings of one site. All regexes are anchored, bounded and free of
nested quantifiers, so hostile text cannot make them backtrack for long; every line is capped in length
before a pattern sees it.

`clean_text(raw)` runs the rules in order and returns a `TextCleaning` record.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from .. import settings
from ..records import RemovedSpan
from ..text.dates import find_date

# ------------------------------------------------------------------ tables

# Wire services and how they are written -> the normalised credit name.
WIRES: dict[str, str] = {
    "reuters": "Reuters",
    "thomson reuters": "Reuters",
    "ap": "AP",
    "associated press": "AP",
    "the associated press": "AP",
    "afp": "AFP",
    "agence france-presse": "AFP",
    "agence france presse": "AFP",
    "xinhua": "Xinhua",
    "xinhua news agency": "Xinhua",
    "tass": "TASS",
    "itar-tass": "TASS",
    "ria novosti": "RIA Novosti",
    "ria": "RIA Novosti",
    "interfax": "Interfax",
    "sputnik": "Sputnik",
    "dpa": "dpa",
    "efe": "EFE",
    "ansa": "ANSA",
    "ani": "ANI",
    "pti": "PTI",
    "ians": "IANS",
    "upi": "UPI",
    "kyodo": "Kyodo",
    "kyodo news": "Kyodo",
    "yonhap": "Yonhap",
    "anadolu": "Anadolu",
    "anadolu agency": "Anadolu",
    "bernama": "Bernama",
    "irna": "IRNA",
    "bloomberg": "Bloomberg",
    "cna": "CNA",
    "dispatches": "Dispatches",
    "agencies": "agencies",
    "news agencies": "agencies",
    "staff and agencies": "agencies",
    "agency": "agencies",
    "wire services": "agencies",
}
_WIRE_ALT = "|".join(sorted((re.escape(w) for w in WIRES), key=len, reverse=True))
_PHOTO_AGENCIES = (
    r"AP|AFP|Reuters|Getty|Getty Images|EPA|EPA-EFE|Shutterstock|Alamy|Xinhua|TASS|Sputnik|Pool|"
    r"Wikimedia Commons|Wikimedia|Anadolu|Bloomberg|Kremlin\.ru|Unsplash|Pexels|iStock|NurPhoto|ZUMA|Imago"
)

# Whole-line comment prompts.
_COMMENT = re.compile(
    r"(?:leave a (?:comment|reply)(?: to .{1,200})?|(?:\d{1,5}|no) comments?(?: on .{1,200})?|comments? (?:are|is) closed\.?"
    r"|post a comment|add a comment|join the (?:conversation|discussion)|be the first to comment\.?"
    r"|your email address will not be published\.?(?: required fields are marked \*?)?"
    r"|required fields are marked \*?|cancel reply|you must be logged in to post a comment\.?"
    r"|(?:view|show|load|read) (?:all )?comments?(?: \(\d{1,5}\))?|comments?(?: \(\d{1,5}\))?)",
    re.I,
)
# A heading that opens a subscribe/newsletter box.
_SUBSCRIBE_HEAD = re.compile(
    r"(?:\[?subscribe\b|sign up\b|signup\b|get (?:our|the) (?:\w+ )?newsletter|(?:our |the |free )?newsletter\b"
    r"|join our (?:mailing list|newsletter)|support (?:our|independent) journalism|become a (?:member|subscriber)"
    r"|stay (?:informed|in the loop|up to date))",
    re.I,
)
# Vocabulary of lines inside such a box.
_SUBSCRIBE_WORDS = re.compile(
    r"\b(?:subscribe|subscriber|subscription|newsletter|sign up|unsubscribe|inbox|e-?mail address|privacy policy"
    r"|cancel anytime|money back|digital (?:access|edition)|print edition|per year|per month|issues)\b",
    re.I,
)
_SHARE_CORE = {
    "share",
    "tweet",
    "facebook",
    "twitter",
    "linkedin",
    "whatsapp",
    "telegram",
    "reddit",
    "pinterest",
}
_SHARE_WORDS = _SHARE_CORE | {
    "this",
    "article",
    "story",
    "post",
    "page",
    "on",
    "email",
    "e-mail",
    "print",
    "x",
    "copy",
    "link",
    "messenger",
    "flipboard",
    "click",
    "to",
    "opens",
    "in",
    "new",
    "window",
    "(opens",
    "window)",
    "via",
    "mail",
    "sms",
    "more",
}
# "Read more: ..." style teasers: the whole line, or (inline) from the phrase to the end of a paragraph.
_TEASER_PHRASE = (
    r"(?:this might interest you|you (?:may|might) also (?:like|be interested in)|read more|read also|also read"
    r"|related(?: stories| articles| coverage| news)?|see also|more on this(?: story)?|recommended(?: reading)?"
    r"|must read|don't miss|watch|listen)"
)
_TEASER_LINE = re.compile(_TEASER_PHRASE + r"\s*(?::|\||—|-|»)\s*.{0,300}", re.I)
_TEASER_BARE = re.compile(_TEASER_PHRASE + r"\s*[:»]?", re.I)
_TEASER_INLINE = re.compile(
    r"(?<=[.!?\"”’)])\s+(?:This might interest you|You (?:may|might) also like|Read more|Read also|Also read"
    r"|Related|See also|READ MORE|RELATED|READ ALSO)\s*:\s*"
)
_NAME_WORD = r"(?:[A-Z][\w.'’-]{0,30}|(?:de|van|von|der|den|da|di|du|la|le|bin|al|el|ibn))"
_NAME = _NAME_WORD + r"(?: " + _NAME_WORD + r"){0,5}"
_MD_LINK_NAME = r"\[(?P<mdname>[^\]\n]{2,80})\]\([^)\n]{0,300}\)"
_BYLINE = re.compile(
    r"(?i:(?:written|posted|published|reported|story|words|text|compiled|report)\s+)?(?i:by)\s*:?\s+"
    r"(?P<names>" + _MD_LINK_NAME + r"|" + _NAME + r"(?:\s*(?:,|and|&)\s*" + _NAME + r"){0,3})"
    r"(?:\s*(?i:on|,|\||-|–|—|•|·)\s*(?P<date>.{4,60}))?",
)
_AUTHOR_LINE = re.compile(
    r"(?i:author|authors|written by)\s*:\s*(?P<names>" + _NAME + r"(?:\s*(?:,|and|&)\s*" + _NAME + r"){0,3})"
)
_META_ID = re.compile(r"(?:news|article|story|post|item)\s*(?:id|no\.?|number)\s*[:#]?\s*\d{1,12}", re.I)
_META_DATE = re.compile(
    r"(?P<kind>publish(?:ed)?|posted|updated|last updated|modified|date|release date|created)"
    r"(?:\s+(?:date|on|at|time))?\s*[:\-–|]?\s*.{4,60}",
    re.I,
)
_META_MISC = re.compile(
    r"(?:(?:reading time|read time)\s*:?\s*\d{1,3}\s*min(?:ute)?s?|\d{1,3}\s*min(?:ute)?s? read"
    r"|(?:tags|tagged|filed under|categories|category|topics)\s*:.{0,200})",
    re.I,
)
_CREDIT_LINE = re.compile(
    r"(?:(?:source|sources|credit|via)\s*:\s*(?P<who>[^.\n]{2,60})"
    r"|[—–-]{1,2}\s*(?P<who2>" + _WIRE_ALT + r")\.?"
    r"|\((?:(?:additional )?reporting|writing|editing|compiled|additional reporting) by [^)\n]{1,300}\)"
    r"|(?:with )?(?P<who3>" + _WIRE_ALT + r")(?: contributed (?:to )?(?:this )?report(?:ing)?| reported)?\.?"
    r"|(?:(?:the )?(?P<who4>"
    + _WIRE_ALT
    + r") )?[^.\n]{2,150} contributed (?:reporting )?to this (?:report|story|article)\.?)",
    re.I,
)
_CREDIT_TAIL = re.compile(
    r"\s+(?:(?:Source|Sources|SOURCE)\s*:\s*(?P<who>[A-Z][\w.&'’ -]{1,40}?)|[—–]\s*(?P<who2>"
    + _WIRE_ALT
    + r"))\.?\s*$"
)
_COPYRIGHT = re.compile(
    r"(?:©|\(c\)|copyright)\s*(?:©\s*)?(?:\d{4}(?:\s*[-–]\s*\d{4})?)?\s*(?P<who>[^.|\n]{2,60})?.{0,120}", re.I
)
_DATELINE = re.compile(
    r"(?P<place>[A-Z][A-Za-z.'’ ,/-]{1,40}?)?\s*\((?P<who>[A-Za-z][A-Za-z .&'-]{0,30})\)\s*(?:-{1,2}|—|–)\s+"
)
_PHOTO_CREDIT = re.compile(
    r"(?:(?:photo|image|picture|photograph|video|file photo)s?\s*(?:credit)?\s*[:/©]?\s*)?(?:©\s*)?"
    r"(?:" + _PHOTO_AGENCIES + r")(?:\s+(?:Images|Photo|Photos|via Getty Images|Creative|Video))?"
    r"|(?:photo|image|picture|photograph)s?\s*(?:credit)?\s*:\s*.{1,80}"
    r"|[\w .'’-]{1,60}\s*/\s*(?:" + _PHOTO_AGENCIES + r")(?: Photo| Images| via Getty Images)?",
    re.I,
)
_CAPTION_WITH_CREDIT = re.compile(
    r".{1,300}[(\[](?:(?:photo|image|picture)s?\s*(?:credit)?\s*:|(?:"
    + _PHOTO_AGENCIES
    + r")(?: Photo)?\s*/)[^)\]]{1,80}[)\]]",
    re.I,
)
_NAV_PHRASES = re.compile(
    r"(?:skip to (?:main )?content|toggle navigation|main menu|menu|search|home|log ?in|sign ?in|register|back to top)",
    re.I,
)
_SEARCH_QUERY = re.compile(r"[a-z0-9][a-z0-9 '’-]{0,60}")
_BREADCRUMB = re.compile(r"[^>»\n]{1,40}(?:\s[>»/]\s[^>»\n]{1,40}){2,8}")
_GLUED_PREFIX = re.compile(
    r"(?P<cats>[A-Z][\w&'’-]{0,30}(?: [A-Z&][\w&'’-]{0,30}){0,3}(?:, [A-Z][\w&'’-]{0,30}(?: [A-Z&][\w&'’-]{0,30}){0,3}){0,8})"
    r"\s+(?P<date>[A-Z][a-z]{2,8}\.? \d{1,2}, \d{4}|\d{1,2} [A-Z][a-z]{2,8} \d{4}|\d{4}-\d{2}-\d{2})"
    r"\s+(?:(?:No|\d{1,5}) Comments?|Leave a comment)(?P<on> on )?"
)
_EMBED_LINK = re.compile(r"\s*\bpic\.twitter\.com/\w{1,20}")
_TERMINAL = re.compile(r"[.!?…][\"'”’»)\]]*$")
_ABBREV_END = re.compile(r"(?:\b(?:[A-Z]\.){2,}|\b(?:Jr|Sr|St|Inc|Ltd|Co|Corp)\.)$")
_MAX_LINE = 20_000  # longer "lines" are prose blobs; no line pattern is run over more than this


# ------------------------------------------------------------------ working state


@dataclass
class _Line:
    """One non-blank line of the raw text, trimmed as rules take its start or end off."""

    start: int
    end: int
    text: str
    blank_before: bool
    kept: bool = True
    title: bool = False


@dataclass(frozen=True)
class TextCleaning:
    """What the text rules found: the clean body and the metadata recovered on the way."""

    text: str
    removed: tuple[RemovedSpan, ...]
    title: str | None = None
    published: str | None = None
    authors: tuple[str, ...] = ()
    wire_credit: str | None = None
    outlet: str | None = None
    language: str | None = None  # as the page declares it (HTML only); None leaves it to the detector


@dataclass
class _State:
    raw: str
    lines: list[_Line]
    offsets: bool
    removed: list[RemovedSpan] = field(default_factory=list)
    dates: dict[str, str] = field(default_factory=dict)  # where found ("meta", "byline", ...) -> ISO
    authors: list[str] = field(default_factory=list)
    wire: str | None = None
    outlet: str | None = None
    title: str | None = None

    def drop(self, line: _Line, reason: str) -> None:
        line.kept = False
        self._record(line.text, reason, line.start, line.end)

    def cut_head(self, line: _Line, n: int, reason: str) -> None:
        """Take the first n characters of a line out (a dateline, a glued category prefix)."""
        self._record(line.text[:n], reason, line.start, line.start + n)
        rest = line.text[n:]
        lead = len(rest) - len(rest.lstrip())
        line.start += n + lead
        line.text = rest.lstrip()
        if not line.text:
            line.kept = False

    def cut_tail(self, line: _Line, at: int, reason: str) -> None:
        """Take a line's end out from character `at` (an inline teaser or credit)."""
        self._record(line.text[at:].strip(), reason, line.start + at, line.end)
        line.text = line.text[:at].rstrip()
        line.end = line.start + len(line.text)
        if not line.text:
            line.kept = False

    def _record(self, text: str, reason: str, start: int, end: int) -> None:
        text = text.strip()
        if not text:
            return
        if self.offsets:
            self.removed.append(RemovedSpan(text=text, reason=reason, start=start, end=end))
        else:
            self.removed.append(RemovedSpan(text=text, reason=reason))

    def kept(self) -> list[_Line]:
        return [ln for ln in self.lines if ln.kept]


def _split_lines(raw: str) -> list[_Line]:
    lines: list[_Line] = []
    blank = True
    for match in re.finditer(r"[^\n]+", raw):
        s, e = match.span()
        seg = raw[s:e]
        stripped = seg.strip(" \t\r\f\v\u00a0\u200b\ufeff")
        if not stripped:
            blank = True
            continue
        s += seg.index(stripped[0])
        lines.append(_Line(start=s, end=s + len(stripped), text=stripped, blank_before=blank or s == 0))
        blank = False
    return lines


# ------------------------------------------------------------------ helpers


def normalise_wire(name: str) -> str | None:
    return WIRES.get(re.sub(r"\s+", " ", name.strip(" .:-—–()")).lower())


def _words(text: str) -> int:
    return len(text.split())


def _is_prose(text: str) -> bool:
    """A line that reads as running text rather than a heading, label or menu item."""
    n = _words(text)
    return n >= 25 or (n >= 8 and bool(_TERMINAL.search(text)) and not _ABBREV_END.search(text))


def _is_title_like(text: str) -> bool:
    n = _words(text)
    if not 3 <= n <= 25 or len(text) > 220 or text.islower():
        return False
    if text.endswith((":", ";", ",")):
        return False
    if text.endswith(".") and not _ABBREV_END.search(text):
        return False
    return text[:1].isupper() or text[:1].isdigit() or text[:1] in "\"“‘'"


def _strip_markdown(text: str) -> str:
    text = re.sub(r"!\[[^\]\n]{0,300}\]\([^)\n]{0,500}\)", "", text)  # images carry no story text
    text = re.sub(r"\[([^\]\n]{0,300})\]\([^)\n]{0,500}\)", r"\1", text)  # keep link text, drop the target
    text = re.sub(r"(\*\*|__)(?=\S)(.{1,500}?)(?<=\S)\1", r"\2", text)
    return re.sub(r"^#{1,6}\s+", "", text)


def _names(raw: str) -> list[str]:
    raw = re.sub(r"\[([^\]]{1,80})\]\([^)]{0,300}\)", r"\1", raw)
    parts = re.split(r"\s*(?:,|\band\b|&)\s*", raw)
    return [p.strip() for p in parts if p.strip() and p.strip()[0].isupper()]


def _norm_key(text: str) -> str:
    return re.sub(r"\W+", " ", _strip_markdown(text).lower()).strip()


# ------------------------------------------------------------------ rules (each returns nothing, mutates state)


def _line_rules(st: _State) -> None:
    """Whole-line boilerplate: comment prompts, share bars, metadata, bylines, credits, captions, subscribe boxes."""
    lines = st.lines
    byline_keys: set[str] = set()
    i = 0
    while i < len(lines):
        ln = lines[i]
        text = ln.text[:_MAX_LINE]
        short = len(text) <= 200
        if short and _COMMENT.fullmatch(text):
            st.drop(ln, "comment prompt")
        elif short and _is_share_bar(text):
            st.drop(ln, "share bar")
        elif short and _META_ID.fullmatch(text):
            st.drop(ln, "metadata line")
        elif (
            short
            and (m := _META_DATE.fullmatch(text))
            and (found := find_date(text))
            and found[2] >= len(text) - 10
        ):
            kind = m.group("kind").lower()
            st.dates.setdefault(
                "updated" if kind in {"updated", "last updated", "modified"} else "meta", found[0]
            )
            st.drop(ln, "metadata line")
        elif len(text) <= 40 and (found := find_date(text)) and found[2] - found[1] >= len(text) - 6:
            st.dates.setdefault("bare", found[0])
            st.drop(ln, "metadata line")
        elif short and _META_MISC.fullmatch(text):
            st.drop(ln, "metadata line")
        elif len(text) <= 160 and ((m := _BYLINE.fullmatch(text)) or (m := _AUTHOR_LINE.fullmatch(text))):
            key = _norm_key(text)
            st.drop(ln, "repeated byline" if key in byline_keys else "byline")
            byline_keys.add(key)
            for name in _names(m.group("names")):
                if name not in st.authors:
                    st.authors.append(name)
            if "date" in m.groupdict() and m.group("date") and (found := find_date(m.group("date"))):
                st.dates.setdefault("byline", found[0])
        elif short and (m := _CREDIT_LINE.fullmatch(text)):
            who = m.group("who") or m.group("who2") or m.group("who3") or m.group("who4") or ""
            st.wire = st.wire or normalise_wire(who)
            st.drop(ln, "wire credit line")
        elif short and _COPYRIGHT.fullmatch(text) and re.match(r"(?:©|\(c\)|copyright)", text, re.I):
            m = _COPYRIGHT.fullmatch(text)
            if m and m.group("who") and not st.outlet:
                st.outlet = _clean_outlet(m.group("who"))
            st.drop(ln, "copyright line")
        elif len(text) <= 80 and _PHOTO_CREDIT.fullmatch(text):
            st.drop(ln, "photo credit")
            nxt = lines[i + 1] if i + 1 < len(lines) else None
            # A short line right under a credit is the picture's caption, not story text.
            if nxt and _words(nxt.text) <= 25 and len(nxt.text) <= 200 and not nxt.text.endswith(":"):
                st.drop(nxt, "caption")
                i += 1
        elif len(text) <= 300 and _CAPTION_WITH_CREDIT.fullmatch(text):
            st.drop(ln, "caption")
        elif short and _TEASER_LINE.fullmatch(text):
            st.drop(ln, "related-article teaser")
        elif len(text) <= 40 and _TEASER_BARE.fullmatch(text):
            st.drop(ln, "related-article teaser")
            nxt = lines[i + 1] if i + 1 < len(lines) else None
            if nxt and not _is_prose(nxt.text) and _words(nxt.text) <= 25:
                st.drop(nxt, "related-article teaser")
                i += 1
        elif len(text) <= 40 and _NAV_PHRASES.fullmatch(text):
            st.drop(ln, "navigation/search query")
        elif len(text) <= 120 and _SUBSCRIBE_HEAD.match(text) and not _is_prose(text):
            i = _subscribe_block(st, i)
        i += 1


def _is_share_bar(text: str) -> bool:
    tokens = [t for t in re.split(r"[\s|•·,/:]+", text.lower()) if t]
    return (
        0 < len(tokens) <= 14
        and all(t in _SHARE_WORDS for t in tokens)
        and any(t in _SHARE_CORE for t in tokens)
    )


def _subscribe_block(st: _State, i: int) -> int:
    """A subscribe heading: runs to the end when it sits in the last part of the text, else takes its box only."""
    lines = st.lines
    head = lines[i]
    m = re.search(
        r"subscribe to (?P<name>(?:the )?[A-Z][\w'&.-]{0,30}(?: [A-Z][\w'&.-]{0,30}){0,4})", head.text, re.I
    )
    if m and not st.outlet:
        st.outlet = _clean_outlet(m.group("name"))
    before = sum(len(ln.text) for ln in lines[:i] if ln.kept)
    after = sum(len(ln.text) for ln in lines[i:])
    # with no running text before it, the heading is a menu label ("Newsletter" among a hundred links), and
    # the story is still to come
    story_before = any(ln.kept and _is_prose(ln.text) for ln in lines[:i])
    if before > 0 and after <= before and story_before:
        for ln in lines[i:]:
            if ln.kept:
                st.drop(ln, "subscribe block")
        return len(lines)
    st.drop(head, "subscribe block")
    j = i + 1
    # Inside a box: lines in subscription vocabulary, or short labels/buttons without a full stop.
    while j < len(lines) and (
        _SUBSCRIBE_WORDS.search(lines[j].text[:500])
        or (_words(lines[j].text) <= 8 and not _TERMINAL.search(lines[j].text))
    ):
        if len(lines[j].text) > 300:
            break
        st.drop(lines[j], "subscribe block")
        j += 1
    return j - 1


def _clean_outlet(name: str) -> str | None:
    name = re.sub(r"\s+", " ", name).strip(" .,:;-–—|")
    name = re.sub(r"(?i)^the ", "The ", name)
    name = re.sub(r"(?i)\.?\s*all rights reserved.*$", "", name).strip()
    return name if 2 <= len(name) <= 60 and name[:1].isupper() else None


def _leading_junk(st: _State) -> None:
    """Before the headline: a stray lowercase search query or a breadcrumb trail."""
    for ln in st.kept():
        if len(ln.text) <= 60 and _words(ln.text) <= 6 and _SEARCH_QUERY.fullmatch(ln.text):
            st.drop(ln, "navigation/search query")
        elif len(ln.text) <= 300 and _BREADCRUMB.fullmatch(ln.text):
            st.drop(ln, "navigation/search query")
        elif _is_prose(ln.text) or _is_title_like(ln.text):
            return


def _detect_title(st: _State) -> None:
    """The headline: the first short, capitalised line without a final full stop, before any prose."""
    for ln in st.kept()[:6]:
        if _is_prose(ln.text):
            return
        if _is_title_like(ln.text):
            st.title = _strip_markdown(ln.text)
            ln.title = True
            ln.kept = False
            st._record(ln.text, "title (kept as Article.title)", ln.start, ln.end)
            return


def _glued_prefix(st: _State) -> None:
    """A 'Category, Category  May 16, 2024  No Comments on <title>' strip glued onto the first paragraph."""
    for ln in st.kept()[:3]:
        m = _GLUED_PREFIX.match(ln.text[:2000])
        if not m:
            continue
        cut = m.end()
        if m.group("on"):
            rest = ln.text[cut:]
            if st.title and rest.startswith(st.title):
                cut += len(st.title)
            else:
                # The title runs straight into the body: the glue point is a lower-case letter followed by a capital.
                glue = re.search(r"[a-z0-9)’'”](?=[A-Z][a-z])", rest[:300])
                if glue:
                    if not st.title:
                        st.title = rest[: glue.end()].strip()
                    cut += glue.end()
        if found := find_date(m.group("date")):
            st.dates.setdefault("prefix", found[0])
        st.cut_head(ln, cut, "metadata line")
        return


def _dateline(st: _State) -> None:
    """'BEIJING (Dispatches) -', '(Reuters) -': keep the story after the dateline, note the wire."""
    for ln in st.kept()[:2]:
        m = _DATELINE.match(ln.text[:120])
        if not m:
            continue
        wire = normalise_wire(m.group("who"))
        place = (m.group("place") or "").strip()
        if wire or (place and place.upper() == place and any(c.isalpha() for c in place)):
            st.wire = st.wire or wire
            st.cut_head(ln, m.end(), "wire dateline")
            return


def _inline_tails(st: _State) -> None:
    """A credit ('Source : Reuters') and a 'This might interest you: <headline>' teaser at a paragraph's end."""
    kept = st.kept()
    if kept:
        last = kept[-1]
        m = _CREDIT_TAIL.search(last.text[-200:])
        if m:
            who = m.group("who") or m.group("who2") or ""
            st.wire = st.wire or normalise_wire(who)
            st.cut_tail(last, len(last.text) - len(last.text[-200:]) + m.start(), "wire credit line")
    for ln in st.kept():
        m = _TEASER_INLINE.search(ln.text[:_MAX_LINE])
        if not m:
            continue
        tail = ln.text[m.end() :]
        # The teaser headline ends at the paragraph's end, or at the first full sentence after it.
        stop = re.search(r"[.!?][\"'”’]?\s+(?=[A-Z])", tail[:400])
        if stop and stop.end() < len(tail):
            st._record(
                ln.text[m.start() : m.end() + stop.end()],
                "related-article teaser",
                ln.start + m.start(),
                ln.start + m.end() + stop.end(),
            )
            ln.text = ln.text[: m.start()] + " " + tail[stop.end() :]
            # offsets of a line with an inner cut still span the line; the text is what counts
        else:
            st.cut_tail(ln, m.start(), "related-article teaser")


def _embedded_links(st: _State) -> None:
    for ln in st.kept():
        if "pic.twitter.com/" in ln.text:
            ln.text = _EMBED_LINK.sub("", ln.text).strip()
            st._record("pic.twitter.com link", "embedded media link", ln.start, ln.end)


def _repeated_lines(st: _State) -> None:
    """Short lines that recur (bylines pasted twice, share bars, section labels): keep the first one only."""
    limit = settings.current().repeated_line_min_count
    kept = st.kept()
    counts = Counter(_norm_key(ln.text) for ln in kept if len(ln.text) <= 120)
    seen: set[str] = set()
    for ln in kept:
        key = _norm_key(ln.text)
        if len(ln.text) > 120 or not key or counts[key] < limit:
            continue
        if key in seen:
            st.drop(ln, "repeated line")
        seen.add(key)


def _paragraphs(lines: list[_Line]) -> list[str]:
    """Each kept line is a paragraph, except a line that breaks mid-sentence continues into the next one."""
    paras: list[str] = []
    for ln in lines:
        text = re.sub(r"\s+", " ", _strip_markdown(ln.text)).strip()
        if not text:
            continue
        if paras and not _TERMINAL.search(paras[-1]) and not paras[-1].endswith(":") and text[:1].islower():
            paras[-1] = f"{paras[-1]} {text}"
        else:
            paras.append(text)
    return paras


# ------------------------------------------------------------------ entry point


def clean_text(raw: str, *, offsets: bool = True, find_title: bool = True) -> TextCleaning:
    """Run the rules over plain text. `offsets=False` for text that came out of HTML (no raw offsets to give)."""
    st = _State(raw=raw, lines=_split_lines(raw), offsets=offsets)
    _line_rules(st)
    if find_title:
        _leading_junk(st)
        _detect_title(st)
    _glued_prefix(st)
    _dateline(st)
    _inline_tails(st)
    _embedded_links(st)
    _repeated_lines(st)
    published = next(
        (st.dates[k] for k in ("meta", "byline", "prefix", "bare", "updated") if k in st.dates), None
    )
    return TextCleaning(
        text="\n\n".join(_paragraphs(st.kept())),
        removed=tuple(sorted(st.removed, key=lambda r: r.start if r.start is not None else -1)),
        title=st.title,
        published=published,
        authors=tuple(st.authors),
        wire_credit=st.wire,
        outlet=st.outlet,
    )
