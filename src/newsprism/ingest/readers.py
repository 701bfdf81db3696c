"""One reader per file type, registered by suffix.

A reader takes the file's decoded-ready bytes and yields RawDocuments or Rejections. Later readers
register here with `register(".rss", read_feed)` and nothing else changes. Containers too large to hold in
memory (WARC) are read from their path instead: `PATH_READERS` in `ingest/__init__.py`.
"""

from __future__ import annotations

import codecs
import contextlib
import gzip
import io
import json
import re
import zlib
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

from .. import settings
from ..errors import InputError, MalformedRecord
from ..records import RawDocument, Rejection
from .decode import SNIFF_BYTES, decode, refuse_binary, source_name

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
    yield from _jsonl_stream(io.BufferedReader(io.BytesIO(data)), source)


def unwatched(_handle: BinaryIO) -> None:
    """The `opened` of a path reader whose caller does not follow its progress."""


def read_jsonl_file(
    path: Path, opened: Callable[[BinaryIO], None] = unwatched
) -> Iterator[RawDocument | Rejection]:
    """A .jsonl or .jsonl.gz file streamed line by line, so memory stays flat however many lines it holds;
    each line may be as long as a whole input (`max_input_bytes`). `opened` gets the file's own handle (for
    a .gz, the compressed bytes'), to follow how far the stream has got."""
    source = source_name(path)
    if path.stat().st_size == 0:
        yield Rejection(input=source, reason="file is empty; nothing to analyse")
        return
    zipped = path.suffix.lower() == ".gz"
    yielded = False
    with contextlib.ExitStack() as stack:
        raw = stack.enter_context(path.open("rb", buffering=SNIFF_BYTES))
        opened(raw)
        fh = stack.enter_context(gzip.GzipFile(fileobj=raw, mode="rb")) if zipped else raw
        try:
            for item in _jsonl_stream(fh, source):
                yielded = True
                yield item
        except (gzip.BadGzipFile, EOFError, zlib.error) as exc:
            yielded = True
            yield Rejection(
                input=source, reason=f"not valid gzip data ({exc}); re-compress or unzip the file"
            )
    if not yielded:
        yield Rejection(input=source, reason="holds no JSON record, only blank lines; nothing to analyse")


def _jsonl_stream(fh: BinaryIO, source: str) -> Iterator[RawDocument | Rejection]:
    # Lines end at "\n" only (as reading bytes by line does): str.splitlines() also splits at U+2028 and
    # other separators a JSON string may hold verbatim, and would cut such a record in two.
    cap = settings.current().max_input_bytes
    head = fh.peek(SNIFF_BYTES)[:SNIFF_BYTES]
    try:
        refuse_binary(head, source)
    except InputError as exc:
        yield Rejection(input=source, reason=exc.cause)
        return
    if not _utf8_prefix(head):  # a legacy encoding (JSON Lines should be UTF-8): detect it on the whole file
        data = fh.read(cap + 1)
        if len(data) > cap:
            yield Rejection(
                input=source,
                reason=f"not UTF-8, and over max_input_bytes={cap:,} bytes to detect its encoding in; "
                "re-save it as UTF-8",
            )
            return
        try:
            text = decode(data, source)
        except InputError as exc:
            yield Rejection(input=source, reason=exc.cause)
            return
        yield from _jsonl_lines(text.split("\n"), source)
        return
    yield from _jsonl_lines(_utf8_lines(fh, cap), source)


def _utf8_lines(fh: BinaryIO, cap: int) -> Iterator[str | InputError]:
    """The file's lines decoded as UTF-8; a line that is not UTF-8 or is longer than `cap` as an error."""
    first = True
    while line := fh.readline(cap + 1):
        if len(line) > cap and not line.endswith(b"\n"):
            while (rest := fh.readline(1 << 20)) and not rest.endswith(b"\n"):
                pass  # skip the rest of an over-long line without holding it
            yield MalformedRecord("", f"line is over max_input_bytes={cap:,} bytes; split the record")
            continue
        try:
            yield line.decode("utf-8-sig" if first else "utf-8")
        except UnicodeDecodeError as exc:
            yield MalformedRecord(
                "", f"not UTF-8 text ({exc.reason} at byte {exc.start}); re-save it as UTF-8"
            )
        first = False


def _jsonl_lines(lines: Iterable[str | InputError], source: str) -> Iterator[RawDocument | Rejection]:
    """One document per line; lines in a row rejected for the same reason are one rejection naming the range
    (`path#L1-L1000000`): a file of a million bad lines is one row to store and read, not a million."""
    minimum = settings.current().min_text_chars  # read once: a file may hold millions of lines
    run: list[Any] = []  # [first line, last line, reason] of the rejected lines in a row so far
    for lineno, line in enumerate(lines, start=1):
        if isinstance(line, InputError):
            reason = line.cause
        else:
            line = line.removesuffix("\n").removesuffix("\r")
            if not line.strip():
                continue  # a blank line: nothing, and no break in a run
            try:
                outcome = _jsonl_record(line, f"{source}#L{lineno}", minimum)
            except InputError as exc:
                reason = exc.cause
            else:
                if isinstance(outcome, RawDocument):
                    if run:
                        yield _lines_rejected(source, *run)
                        run = []
                    yield outcome
                    continue
                reason = outcome.reason
        if run and run[2] == reason:
            run[1] = lineno
            continue
        if run:
            yield _lines_rejected(source, *run)
        run = [lineno, lineno, reason]
    if run:
        yield _lines_rejected(source, *run)


def _lines_rejected(source: str, first: int, last: int, reason: str) -> Rejection:
    return Rejection(f"{source}#L{first}" if first == last else f"{source}#L{first}-L{last}", reason)


_LINE_SOURCE = re.compile(r"(?s)(.*)#L\d+(?:-L\d+)?")


def jsonl_file_of(source: str) -> str | None:
    """The file a JSONL line's (or lines') source names (`path#L5`, `path#L1-L9` -> `path`), else None."""
    matched = _LINE_SOURCE.fullmatch(source)
    return matched.group(1) if matched else None


def _utf8_prefix(head: bytes) -> bool:
    """Whether `head`, the first bytes of a file, is UTF-8 (a character cut at its end allowed)."""
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return False
    return True


def _jsonl_record(line: str, where: str, minimum: int) -> RawDocument | Rejection:
    """One line as a document; a record whose text is already under `minimum` characters is a rejection
    (returned, not raised: a file of millions of such lines is the common hostile case)."""

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
    length = len(text.strip()) if isinstance(text, str) else 0
    kind, content = ("text", text) if length else ("html", html)
    if not (isinstance(content, str) and content.strip()):
        raise MalformedRecord(where, 'no non-empty "text" or "html" string field; add the article body')
    # cleaning only shortens a text, so one already too short is refused here, before any work
    if kind == "text" and length < minimum:
        return Rejection(
            where, f"only {length} characters of article text (min_text_chars={minimum}); nothing to analyse"
        )
    hints = {k: v for k in HINT_FIELDS if k in record and (v := _hint_value(record[k])) not in (None, "", [])}
    return RawDocument(source=where, kind=kind, content=content, hints=hints)


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
