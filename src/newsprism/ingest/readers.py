"""One reader per file type, registered by suffix.

A reader takes the file's decoded-ready bytes and yields RawDocuments or Rejections. Later readers
register here with `register(".rss", read_feed)` and nothing else changes. Containers too large to hold in
memory (WARC) are read from their path instead: `PATH_READERS` in `ingest/__init__.py`.
"""

from __future__ import annotations

import json
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
    for lineno, line in enumerate(text.splitlines(), start=1):
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
    if not isinstance(record, dict):
        raise MalformedRecord(
            where, f"a JSON {type(record).__name__}, not an object; each line must be one article object"
        )
    text, html = record.get("text"), record.get("html")
    hints = {k: record[k] for k in HINT_FIELDS if record.get(k) not in (None, "", [])}
    if isinstance(text, str) and text.strip():
        return RawDocument(source=where, kind="text", content=text, hints=hints)
    if isinstance(html, str) and html.strip():
        return RawDocument(source=where, kind="html", content=html, hints=hints)
    raise MalformedRecord(where, 'no non-empty "text" or "html" string field; add the article body')


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
