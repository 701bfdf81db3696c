"""One reader per file type, registered by suffix.

A reader takes the file's decoded-ready bytes and yields RawDocuments or Rejections. Later readers
register here with `register(".rss", read_feed)` and nothing else changes. Containers too large to hold in
memory (WARC) are read from their path instead: `PATH_READERS` in `ingest/__init__.py`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any

from ..errors import InputError, MalformedRecord
from ..records import RawDocument, Rejection
from .decode import decode

Reader = Callable[[bytes, str], Iterator[RawDocument | Rejection]]
READERS: dict[str, Reader] = {}

# JSONL fields copied into RawDocument.hints (the rest of a record is ignored).
HINT_FIELDS = ("id", "url", "title", "published", "outlet", "authors", "language", "wire_credit")


def register(suffix: str, reader: Reader) -> None:
    READERS[suffix.lower()] = reader


def read_text(data: bytes, source: str) -> Iterator[RawDocument | Rejection]:
    yield RawDocument(source=source, kind="text", content=decode(data, source))


def read_html(data: bytes, source: str) -> Iterator[RawDocument | Rejection]:
    yield RawDocument(source=source, kind="html", content=decode(data, source, html=True))


def read_jsonl(data: bytes, source: str) -> Iterator[RawDocument | Rejection]:
    """One article per line; a broken line becomes a Rejection naming `path#Ln` and the rest goes on."""
    text = decode(data, source)
    # lines end at "\n" only: str.splitlines() also splits at U+2028 and other separators a JSON string
    # may hold verbatim, and would cut such a record in two
    for lineno, line in enumerate(text.split("\n"), start=1):
        line = line.removesuffix("\r")
        if not line.strip():
            continue
        where = f"{source}#L{lineno}"
        try:
            yield _jsonl_record(line, where)
        except InputError as exc:
            yield Rejection(input=where, reason=exc.cause)


def _jsonl_record(line: str, where: str) -> RawDocument:

    try:
        record: Any = json.loads(line)
    except json.JSONDecodeError as exc:
        raise MalformedRecord(
            where, f"not valid JSON ({exc.msg} at column {exc.colno}); fix or drop the line"
        ) from None
    except ValueError as exc:  # an integer of more digits than Python converts
        raise MalformedRecord(
            where, f"JSON that cannot be read ({str(exc)[:120]}); fix or drop the line"
        ) from None
    except RecursionError:
        raise MalformedRecord(where, "JSON nested too deeply to read; fix or drop the line") from None
    if not isinstance(record, dict):
        raise MalformedRecord(
            where, f"a JSON {type(record).__name__}, not an object; each line must be one article object"
        )
    text, html = _text_value(record.get("text")), _text_value(record.get("html"))
    hints = {k: v for k in HINT_FIELDS if (v := _hint_value(record.get(k))) not in (None, "", [])}
    if isinstance(text, str) and text.strip():
        return RawDocument(source=where, kind="text", content=text, hints=hints)
    if isinstance(html, str) and html.strip():
        return RawDocument(source=where, kind="html", content=html, hints=hints)
    raise MalformedRecord(where, 'no non-empty "text" or "html" string field; add the article body')


_SURROGATE = re.compile("[\ud800-\udfff]")  # json pairs what it can, so any left is lone
_SCALAR = (str, int, float, bool)


def _text_value(value: Any) -> Any:
    """JSON's "\\udfff" escapes decode to lone surrogates, which no UTF-8 text (the store, a page) can hold:
    each becomes U+FFFD."""
    return _SURROGATE.sub("\ufffd", value) if isinstance(value, str) else value


def _hint_value(value: Any) -> Any:
    """A hint as cleaning reads it: a scalar, or a list of scalars (authors); any other shape (an object, a
    nested list, which could be nested past what a recursive reader survives) is no hint."""
    if isinstance(value, _SCALAR) or value is None:
        return _text_value(value)
    if isinstance(value, list) and all(isinstance(v, _SCALAR) for v in value):
        return [_text_value(v) for v in value]
    return None


register(".txt", read_text)
register(".html", read_html)
register(".htm", read_html)
register(".jsonl", read_jsonl)


def _read_feed(data: bytes, source: str) -> Iterator[RawDocument | Rejection]:
    from .feeds import read_feed  # feedparser is imported only when a feed is read

    yield from read_feed(data, source)


register(".rss", _read_feed)
register(".atom", _read_feed)
register(".xml", _read_feed)
