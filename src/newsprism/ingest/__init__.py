"""Ingest: files and folders -> RawDocument (or a Rejection saying why not).

Bad input never raises here: every problem with one input becomes a `Rejection` and the rest of the
batch goes on. Readers are registered by file suffix in `readers.READERS` (.txt, .html, .jsonl, .rss/.atom/.xml
feeds); `.gz` variants are inflated (with a cap) and handed to the reader of the inner suffix. WARC files
(.warc, .warc.gz) are streamed from their path by `warc.read_warc`. URLs are fetched by `fetch.fetch_documents`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import BinaryIO, NamedTuple

from ..errors import InputError
from ..records import RawDocument, Rejection
from .decode import decode, gunzip, read_bytes, source_name
from .readers import READERS, read_jsonl_file, register, unwatched
from .warc import read_warc

# Containers streamed from their path, record by record, instead of being read whole (suffix -> reader).
PATH_READERS = {".warc": read_warc, ".jsonl": read_jsonl_file}
# Suffixes whose file is one document: gzipped, it may inflate only as far as an unzipped input may be large.
_ONE_DOCUMENT = frozenset({".txt", ".html", ".htm"})

# Notes that sit beside articles in a folder; named explicitly they are still read (and rejected if unsupported).
_FOLDER_NOTES = re.compile(r"(?i)(?:readme|license|licence|changelog|notice)(?:\.(?:md|rst|txt))?$")

__all__ = ["InputProgress", "read_inputs", "read_file", "register", "READERS", "decode", "gunzip"]


class InputProgress(NamedTuple):
    """How far `read_inputs` has read: bytes of the listed files (a file being streamed counts as far as its
    reader has got) and whole files."""

    bytes_read: int
    bytes_total: int
    files_read: int
    files_total: int


def read_inputs(
    paths: Sequence[str | Path], on_progress: Callable[[InputProgress], None] | None = None
) -> Iterator[RawDocument | Rejection]:
    """Yield one RawDocument per article found in `paths` (files or folders, recursive, sorted).

    Hidden files and folders (name starting with ".") and README/LICENSE notes inside a folder are skipped.
    `on_progress` is called after each document and at the end of each file (a progress display: the files
    are listed and sized before the first is read; a JSONL or WARC file is followed through as it streams)."""
    files: list[Path | Rejection] = []
    for raw_path in paths:
        path = Path(raw_path)
        if path.is_dir():
            # a folder's README/LICENSE describes the inputs; it is not one
            files += [
                c for c in _folder_files(path) if isinstance(c, Rejection) or not _FOLDER_NOTES.match(c.name)
            ]
        elif path.exists():
            files.append(path)
        else:
            files.append(Rejection(input=source_name(path), reason="no such file or folder; check the path"))
    sizes = [0 if isinstance(f, Rejection) else _size(f) for f in files]
    total, before = sum(sizes), 0
    for done, (item, size) in enumerate(zip(files, sizes, strict=True)):
        if isinstance(item, Rejection):
            yield item
        else:
            streamed: list[BinaryIO] = []
            for document in read_file(item, opened=streamed.append):
                yield document
                if on_progress is not None:
                    within = _position(streamed[0]) if streamed else 0
                    on_progress(InputProgress(before + min(within, size), total, done, len(files)))
        before += size
        if on_progress is not None:
            on_progress(InputProgress(before, total, done + 1, len(files)))


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _position(fh: BinaryIO) -> int:
    """How far into its file a reader's handle is (0 once it is closed)."""
    try:
        return fh.tell()
    except (OSError, ValueError):
        return 0


def _folder_files(folder: Path) -> list[Path | Rejection]:
    """Every regular file under `folder`, sorted, hidden names skipped; links to folders followed once each.
    What cannot be read says so instead of vanishing: a subfolder that cannot be listed, a link loop, and
    anything that is not a regular file (a FIFO, a socket, a link to nothing)."""
    found: list[Path | Rejection] = []
    seen: set[tuple[int, int]] = set()

    def unlisted(exc: OSError) -> None:
        where = Path(exc.filename) if exc.filename else folder
        found.append(
            Rejection(source_name(where), f"cannot be listed ({exc.strerror or exc}); check its permissions")
        )

    for root, dirs, files in os.walk(folder, onerror=unlisted, followlinks=True):
        here = Path(root)
        try:
            stat = here.stat()
        except OSError:
            continue
        if (stat.st_dev, stat.st_ino) in seen:  # a link back to a folder already read
            found.append(
                Rejection(source_name(here), "a link to a folder already read (a link loop); skipped")
            )
            dirs[:] = []
            continue
        seen.add((stat.st_dev, stat.st_ino))
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in files:
            if name.startswith("."):
                continue
            child = here / name
            if child.is_file():
                found.append(child)
            else:
                what = (
                    "a link to nothing" if child.is_symlink() and not child.exists() else "not a regular file"
                )
                found.append(Rejection(source_name(child), f"{what}; newsprism reads files"))
    return sorted(found, key=lambda x: x if isinstance(x, Path) else Path(x.input))  # as Path sorts: by parts


def read_file(
    path: Path, opened: Callable[[BinaryIO], None] | None = None
) -> Iterator[RawDocument | Rejection]:
    """The documents of one file. A file read as a stream (JSONL, WARC) hands its open handle to `opened`,
    so that a caller can follow how far it has got."""
    source = source_name(path)
    suffixes = [s.lower() for s in path.suffixes[-2:]]
    suffix = (
        suffixes[-2] if len(suffixes) == 2 and suffixes[-1] == ".gz" else (suffixes[-1] if suffixes else "")
    )
    if suffix in PATH_READERS:
        try:
            yield from PATH_READERS[suffix](path, opened or unwatched)
        except OSError as exc:
            yield Rejection(
                input=source, reason=f"cannot be read ({exc.strerror or exc}); check its permissions"
            )
        return
    reader = READERS.get(suffix)
    if reader is None:
        known = ", ".join([*READERS, *PATH_READERS])
        shown = suffix or "(no extension)"
        yield Rejection(
            input=source, reason=f"unsupported file type {shown}; newsprism reads {known} (and .gz of them)"
        )
        return
    try:
        data = read_bytes(path, source, single_document=suffix in _ONE_DOCUMENT)
        yield from reader(data, source)
    except InputError as exc:
        yield Rejection(input=source, reason=exc.cause)
    except OSError as exc:
        yield Rejection(input=source, reason=f"cannot be read ({exc.strerror or exc}); check its permissions")
