"""Identity: an article's id is a hash of its normalised raw content, a body's key a hash of its clean text.

The id depends on nothing a later run learns (site boilerplate, settings), so the same input read again is
known before it is cleaned, and it is stored once. The text key finds the same body arriving as another
input (two files, two feeds): the store keeps one article and records the other id as its alias.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata

from ..records import RawDocument

# The container's hints that shape the article cleaning makes of a document (clean.clean_document).
IDENTITY_HINTS = ("url", "title", "published", "authors", "outlet", "wire_credit", "language")


def _normalised(text: str) -> str:
    # str.split() breaks at exactly the characters a regex \s matches (both ask str.isspace), and in less
    # than half the time on a large page
    return " ".join(unicodedata.normalize("NFC", text).split())


def content_id(raw: RawDocument) -> str:
    """The id of the article a raw document becomes: its kind, its content with Unicode and white space
    normalised (a page saved again with other line breaks is the same page), and the hints cleaning reads."""
    hints = {k: raw.hints[k] for k in IDENTITY_HINTS if raw.hints.get(k) not in (None, "", [], ())}
    digest = hashlib.sha256()
    digest.update(raw.kind.encode("utf-8"))
    digest.update(b"\0")
    digest.update(_normalised(raw.content).encode("utf-8", "surrogatepass"))
    digest.update(b"\0")
    digest.update(
        json.dumps(hints, sort_keys=True, ensure_ascii=False, default=str).encode("utf-8", "surrogatepass")
    )
    return digest.hexdigest()[:16]


def text_key(text: str) -> str:
    """A body's key: a hash of the clean text, Unicode and white space normalised. Until store schema 3 this
    was the article id, so an older store's ids are their articles' text keys."""
    return hashlib.sha256(_normalised(text).encode("utf-8", "surrogatepass")).hexdigest()[:16]


__all__ = ["IDENTITY_HINTS", "content_id", "text_key"]
