"""Ingest: files and folders -> RawDocument (or a Rejection saying why not).

Bad input never raises here: every problem with one input becomes a `Rejection` and the rest of the
batch goes on. Readers are registered by file suffix in `readers.READERS` (.txt, .html, .jsonl, .rss/.atom/.xml
feeds); `.gz` variants are inflated (with a cap) and handed to the reader of the inner suffix. WARC files
(.warc, .warc.gz) are streamed from their path by `warc.read_warc`. URLs are fetched by `fetch.fetch_documents`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from pathlib import Path

from ..errors import InputError
from ..records import RawDocument, Rejection
from .decode import decode, gunzip, read_bytes, source_name
from .readers import READERS, register
from .warc import read_warc

# Containers streamed from their path, record by record, instead of being read whole (suffix -> reader).
PATH_READERS = {".warc": read_warc}

# Notes that sit beside articles in a folder; named explicitly they are still read (and rejected if unsupported).
_FOLDER_NOTES = re.compile(r"(?i)(?:readme|license|licence|changelog|notice)(?:\.(?:md|rst|txt))?$")

__all__ = ["read_inputs", "read_file", "register", "READERS", "decode", "gunzip"]


def read_inputs(paths: Sequence[str | Path]) -> Iterator[RawDocument | Rejection]:
    """Yield one RawDocument per article found in `paths` (files or folders, recursive, sorted).

    Hidden files and folders (name starting with ".") and README/LICENSE notes inside a folder are skipped.
    """
    for raw_path in paths:
        path = Path(raw_path)
        if path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file()):
                if any(part.startswith(".") for part in child.relative_to(path).parts):
                    continue
                if _FOLDER_NOTES.match(child.name):
                    continue  # a folder's README/LICENSE describes the inputs; it is not one
                yield from read_file(child)
        elif path.exists():
            yield from read_file(path)
        else:
            yield Rejection(input=source_name(path), reason="no such file or folder; check the path")


def read_file(path: Path) -> Iterator[RawDocument | Rejection]:
    source = source_name(path)
    suffixes = [s.lower() for s in path.suffixes[-2:]]
    suffix = (
        suffixes[-2] if len(suffixes) == 2 and suffixes[-1] == ".gz" else (suffixes[-1] if suffixes else "")
    )
    if suffix in PATH_READERS:
        try:
            yield from PATH_READERS[suffix](path)
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
        data = read_bytes(path, source)
        yield from reader(data, source)
    except InputError as exc:
        yield Rejection(input=source, reason=exc.cause)
    except OSError as exc:
        yield Rejection(input=source, reason=f"cannot be read ({exc.strerror or exc}); check its permissions")
