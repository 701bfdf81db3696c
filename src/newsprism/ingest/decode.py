"""Bytes -> text: size caps, gzip with a bomb guard, binary sniffing and charset detection."""

from __future__ import annotations

import gzip
import io
import re
import zlib
from pathlib import Path

from charset_normalizer import from_bytes

from .. import settings
from ..errors import BinaryInput, DecodeFailure, EmptyInput, TooLarge

# Magic numbers of common non-text files, so the rejection can say what the file looks like.
_MAGIC = (
    (b"%PDF", "a PDF"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"PK\x03\x04", "a ZIP archive (or .docx/.xlsx)"),
    (b"\x1f\x8b", "gzip data without a .gz name"),
    (b"\x7fELF", "an executable"),
)
_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{1,40})""", re.I)
# Control bytes other than tab/newline/carriage return/form feed/escape never occur in real text.
_CONTROL = re.compile(rb"[\x00-\x08\x0e-\x1a\x1c-\x1f]")
_BAD_CHARS = re.compile(r"[\x00-\x08\x0e-\x1a\x1c-\x1f\ufffd]")
SNIFF_BYTES = 65_536


def read_bytes(path: Path, source: str, single_document: bool = False) -> bytes:
    """Read a file, refusing ones over `max_input_bytes`; `.gz` files are inflated with a cap: a container's
    (a feed) at `max_decompressed_bytes`, a single document's also at `max_input_bytes`, as if it were unzipped."""
    limit = settings.current().max_input_bytes
    size = path.stat().st_size
    if size > limit:
        raise TooLarge(
            source, f"file is {size:,} bytes, over max_input_bytes={limit:,}; split it or raise the setting"
        )
    if size == 0:
        raise EmptyInput(source, "file is empty; nothing to analyse")
    data = path.read_bytes()
    if path.suffix.lower() == ".gz":
        tighter = single_document and limit < settings.current().max_decompressed_bytes
        data = gunzip(data, source, cap_setting="max_input_bytes" if tighter else None)
        if not data:
            raise EmptyInput(source, "gzip file inflates to nothing; nothing to analyse")
    return data


def gunzip(data: bytes, source: str, cap_setting: str | None = None) -> bytes:
    """Inflate gzip data, stopping as soon as it passes `max_decompressed_bytes` (or the setting named) so a
    zip bomb never fills memory."""
    cap_setting = cap_setting or "max_decompressed_bytes"
    cap = settings.get(cap_setting)
    out = bytearray()
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as fh:
            while chunk := fh.read(1 << 20):
                out += chunk
                if len(out) > cap:
                    raise TooLarge(
                        source,
                        f"gzip data inflates past {cap_setting}={cap:,} (a possible gzip bomb); "
                        "decompress it yourself if it is genuine",
                    )
    except (OSError, EOFError, zlib.error) as exc:
        raise DecodeFailure(source, f"not valid gzip data ({exc}); re-compress or unzip the file") from exc
    return bytes(out)


def decode(data: bytes, source: str, html: bool = False) -> str:
    """Decode bytes as text: UTF-8 (with or without BOM), UTF-16 with BOM, the HTML meta charset, then detection.

    Raises BinaryInput for data that is not text, DecodeFailure when no encoding fits.
    """
    head = data[:SNIFF_BYTES]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return _checked(data.decode("utf-16"), source)
        except UnicodeDecodeError as exc:
            raise DecodeFailure(
                source, "starts with a UTF-16 mark but is not UTF-16; re-save it as UTF-8"
            ) from exc
    refuse_binary(head, source)
    try:
        return _checked(data.decode("utf-8-sig"), source)  # plain UTF-8 too: the BOM is optional
    except UnicodeDecodeError:
        pass
    if html:
        match = _META_CHARSET.search(data[:8192])
        if match:
            try:
                return _checked(data.decode(match.group(1).decode("ascii")), source)
            except (LookupError, UnicodeDecodeError):
                pass  # a wrong or unknown declared charset: fall through to detection
    best = from_bytes(data[:2_000_000]).best()
    if best is None or best.encoding is None:
        raise DecodeFailure(source, "text encoding could not be determined; re-save the file as UTF-8")
    try:
        return _checked(data.decode(best.encoding), source)
    except (LookupError, UnicodeDecodeError) as exc:
        raise DecodeFailure(
            source, f"looks like {best.encoding} but does not decode as it; re-save the file as UTF-8"
        ) from exc


def refuse_binary(head: bytes, source: str) -> None:
    """Raise BinaryInput when the first bytes of an input are a known binary format or not text at all."""
    for magic, what in _MAGIC:
        if head.startswith(magic):
            raise BinaryInput(source, f"binary file ({what}), not text; convert it to .txt or .html first")
    if b"\x00" in head or len(_CONTROL.findall(head)) > 0.02 * len(head):
        raise BinaryInput(
            source, "binary data (NUL or control bytes), not text; convert it to .txt or .html first"
        )


def _checked(text: str, source: str) -> str:
    sample = text[:SNIFF_BYTES]
    if sample and len(_BAD_CHARS.findall(sample)) > 0.02 * len(sample):
        raise BinaryInput(source, "mostly non-text characters after decoding; check that it is a text file")
    return text


def source_name(path: Path) -> str:
    """A path as a name every message, store and page can hold: bytes that are not UTF-8 (kept by the file
    system as surrogate escapes) as `\\xe9`, control characters (a newline in a file name would forge a
    line of the report) as `\\n` or `\\x1b`. Reading still uses the path itself."""
    text = str(path).encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in text)
