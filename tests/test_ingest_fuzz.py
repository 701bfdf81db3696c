"""Every reader takes any bytes: each file becomes documents or rejections naming it, never an exception
(hypothesis), and every document it yields names its input."""

from __future__ import annotations

import gzip
import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsprism.ingest import PATH_READERS, READERS, read_file
from newsprism.records import RawDocument, Rejection

SUFFIXES = sorted({*READERS, *PATH_READERS})

# Bytes near the formats' own syntax find more than uniform noise: fragments of each format, shuffled.
_FRAGMENTS = [
    b"<html>",
    b"<body>",
    b"<p>",
    b"</p>",
    b"<article>",
    b"<script>",
    b"<rss>",
    b"<channel>",
    b"<item>",
    b"<title>",
    b"</title>",
    b"<description>",
    b"<![CDATA[",
    b"]]>",
    b"<feed xmlns='http://www.w3.org/2005/Atom'>",
    b"<entry>",
    b"WARC/1.0\r\n",
    b"WARC-Type: response\r\n",
    b"Content-Length: 12\r\n",
    b"\r\n\r\n",
    b'{"text": "',
    b'", "title": ',
    b"null",
    b"}\n",
    b"\xef\xbb\xbf",
    b"\xff\xfe",
    b"\x00",
    "é".encode(),
    "é".encode("latin-1"),
    b"The council voted on Tuesday. ",
    b"\n\n",
]
documents = st.one_of(
    st.binary(max_size=2000),
    st.lists(st.sampled_from(_FRAGMENTS) | st.binary(max_size=20), max_size=60).map(b"".join),
    st.lists(
        st.dictionaries(
            st.sampled_from(["text", "title", "url", "published", "outlet", "id"]),
            st.none() | st.text(max_size=80) | st.integers(),
        ),
        max_size=5,
    ).map(lambda rows: "\n".join(json.dumps(r) for r in rows).encode()),
)


@given(suffix=st.sampled_from(SUFFIXES), data=documents, zipped=st.booleans())
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_any_bytes_become_documents_or_rejections_that_name_the_file(suffix, data, zipped):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"input{suffix}{'.gz' if zipped else ''}"
        path.write_bytes(gzip.compress(data) if zipped else data)
        out = list(read_file(path))
    assert all(isinstance(x, RawDocument | Rejection) for x in out)
    for x in out:
        named = x.source if isinstance(x, RawDocument) else x.input
        assert named.startswith(str(path)) or "://" in named  # a feed item or WARC record may name its URL
        if isinstance(x, Rejection):
            assert x.reason.strip()
        else:
            assert isinstance(x.content, str) and x.kind in ("text", "html")
