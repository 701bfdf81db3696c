"""WARC files (Common Crawl's CC-NEWS and any crawler's) -> one RawDocument per HTML response record.

The file is streamed record by record (warcio handles per-record gzip), so a 1 GB CC-NEWS file never sits in
memory; each payload is capped at `max_input_bytes`. Only `response` records whose HTTP status is 200 and
whose Content-Type is HTML are articles; request, metadata and revisit records are skipped silently.
"""

from __future__ import annotations

import contextlib
import io
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

from .. import settings
from ..errors import InputError
from ..records import RawDocument, Rejection
from .decode import decode, source_name
from .readers import unwatched

_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_.:-]{1,40})", re.I)


def read_warc(
    path: Path, opened: Callable[[BinaryIO], None] = unwatched
) -> Iterator[RawDocument | Rejection]:
    """Yield the HTML pages of a .warc or .warc.gz file; a bad record becomes a Rejection, a broken file stops.
    `opened` gets the file's handle, to follow how far the stream has got."""
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    source = source_name(path)
    cap = settings.current().max_input_bytes
    n = pages = 0
    with path.open("rb") as fh:
        opened(fh)
        try:
            for record in _records(ArchiveIterator(fh), source):
                if isinstance(record, Rejection):
                    yield record
                    continue
                if record.rec_type != "response" or record.http_headers is None:
                    continue
                n += 1
                url = record.rec_headers.get_header("WARC-Target-URI") or ""
                where = f"{source}#{url or f'record-{n}'}"
                status = record.http_headers.get_statuscode() or ""
                ctype = (record.http_headers.get_header("Content-Type") or "").lower()
                if status != "200" or "html" not in ctype:
                    continue  # redirects, errors, images, JSON: not article pages
                payload = record.content_stream().read(cap + 1)
                if len(payload) > cap:
                    yield Rejection(
                        input=where,
                        reason=f"page is over max_input_bytes={cap:,} bytes; raise the setting if it is genuine",
                    )
                    continue
                pages += 1
                try:
                    yield RawDocument(
                        source=where,
                        kind="html",
                        content=_decode(payload, ctype, where),
                        hints=_hints(url, record.http_headers.get_header("Content-Language")),
                    )
                except InputError as exc:
                    yield Rejection(input=where, reason=exc.cause)
        except ArchiveLoadFailed as exc:
            yield Rejection(input=source, reason=f"not a readable WARC file ({exc}); check the file")
            return
    if pages == 0:  # warcio reads any text as an ARC record, so "nothing found" is the check that holds
        yield Rejection(
            input=source, reason="no HTML response records found; is it a WARC file of web pages?"
        )


_RESYNCED_AT = re.compile(r"Offset: (\d+)")


def _records(records: Iterator[Any], source: str) -> Iterator[Any]:
    """warcio's records, with the warning it prints to stderr when a record's Content-Length is wrong (it
    then skips ahead to the next record) turned into a rejection naming the file and the offset."""
    while True:
        printed = io.StringIO()
        with contextlib.redirect_stderr(printed):
            record = next(records, None)
        for offset in _RESYNCED_AT.findall(printed.getvalue()):
            yield Rejection(
                input=f"{source}@{offset}",
                reason="a WARC record whose Content-Length does not match its content; the reader skipped to"
                " the next record",
            )
        if record is None:
            return
        yield record


def _hints(url: str, language: str | None) -> dict[str, str]:
    """What the record's headers say about the page: its URL and the server's Content-Language."""
    hints = {"url": url} if url else {}
    if language and language.strip():
        hints["language"] = language.strip()
    return hints


def _decode(payload: bytes, content_type: str, where: str) -> str:
    """Decode by the HTTP header's charset when it names a known one, else as any HTML file."""
    match = _CHARSET.search(content_type)
    if match:
        try:
            return payload.decode(match.group(1))
        except (LookupError, UnicodeDecodeError):
            pass  # a wrong header charset: sniff like a file
    return decode(payload, where, html=True)
