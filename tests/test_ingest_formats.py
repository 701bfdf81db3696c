"""RSS/Atom feeds and WARC files -> RawDocuments with their metadata as hints."""

from __future__ import annotations

import io
from pathlib import Path

from newsprism.clean import clean_document
from newsprism.ingest import read_inputs
from newsprism.ingest.feeds import feed_date, fragment_text
from newsprism.records import RawDocument, Rejection

FIX = Path(__file__).parent / "fixtures" / "ingest"


def test_rss_entry_content_link_date_author_and_outlet() -> None:
    out = list(read_inputs([FIX / "feed.rss"]))
    docs = [d for d in out if isinstance(d, RawDocument)]
    rejected = [d for d in out if isinstance(d, Rejection)]
    assert len(docs) == 1 and len(rejected) == 1
    assert rejected[0].input.endswith("feed.rss#entry-2") and "no content" in rejected[0].reason
    doc = docs[0]
    # the full content:encoded wins over the teaser, scripts are dropped, paragraphs kept
    assert doc.content == (
        "The island ferry sailed again on Tuesday morning after three days in port.\n\n"
        "Operators said the timetable would be back to normal by the weekend."
    )
    assert doc.hints["url"] == "https://gazette.example/ferry-resumes"
    assert doc.hints["published"] == "2024-03-05T08:15:00+02:00"
    assert doc.hints["authors"] == ["Ana Ruiz"] and doc.hints["outlet"] == "Harbour Gazette"
    article = clean_document(doc)
    assert article.title == "Ferry service resumes after storm"
    assert article.published == "2024-03-05T08:15+02:00"  # the feed's time zone is kept


def test_atom_summary_and_time_zone() -> None:
    (doc,) = list(read_inputs([FIX / "feed.atom"]))
    assert isinstance(doc, RawDocument)
    assert doc.content == "Engineers checked the old river bridge on Wednesday and found it sound."
    assert doc.hints["published"] == "2024-03-06T10:00:00-05:00"
    assert doc.hints["outlet"] == "Valley Courier" and doc.hints["authors"] == ["Lee Park"]


def test_a_non_feed_xml_file_is_rejected_with_a_reason(tmp_path: Path) -> None:
    bad = tmp_path / "notes.xml"
    bad.write_text("<notes><<<", encoding="utf-8")
    (rej,) = list(read_inputs([bad]))
    assert isinstance(rej, Rejection) and "feed" in rej.reason


def test_fragment_text_and_feed_dates() -> None:
    assert (
        fragment_text("<div><p>One.</p><p>Two <b>bold</b>.</p><style>x{}</style></div>")
        == "One.\n\nTwo bold."
    )
    assert feed_date("Tue, 05 Mar 2024 08:15:00 GMT") == "2024-03-05T08:15:00+00:00"
    assert feed_date("not a date") is None


def _warc(path: Path, records: list[tuple[str, str, bytes]]) -> None:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        for url, ctype, body in records:
            headers = StatusAndHeaders("200 OK", [("Content-Type", ctype)], protocol="HTTP/1.1")
            writer.write_record(
                writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=headers)
            )


def test_warc_yields_html_responses_only(tmp_path: Path) -> None:
    page = (
        "<html><head><title>Port reopens</title></head><body><article><h1>Port reopens</h1>"
        + "".join(
            f"<p>Paragraph {i} about the port reopening after the long strike ended.</p>" for i in range(6)
        )
        + "</article></body></html>"
    ).encode()
    path = tmp_path / "crawl.warc.gz"
    _warc(
        path,
        [
            ("https://news.example/port", "text/html; charset=utf-8", page),
            ("https://news.example/logo.png", "image/png", b"\x89PNG...."),
        ],
    )
    (doc,) = list(read_inputs([path]))
    assert isinstance(doc, RawDocument) and doc.kind == "html"
    assert doc.hints["url"] == "https://news.example/port" and doc.source.endswith(
        "#https://news.example/port"
    )
    article = clean_document(doc)
    assert article.title == "Port reopens" and "Paragraph 5" in article.text


def test_broken_warc_is_a_rejection(tmp_path: Path) -> None:
    path = tmp_path / "broken.warc"
    path.write_bytes(b"this is not a warc file at all\r\n\r\n")
    out = list(read_inputs([path]))
    assert out and all(isinstance(x, Rejection) for x in out)


def test_a_warc_record_with_a_wrong_length_is_a_rejection_not_a_stderr_warning(tmp_path: Path, capfd) -> None:
    page = (
        "<html><body><article>"
        + "<p>Harbour news, paragraph of the report.</p>" * 6
        + "</article></body></html>"
    )
    path = tmp_path / "crawl.warc"
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=False)
        for n in (1, 2):
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
            body = io.BytesIO(page.replace("Harbour", f"Harbour {n}").encode())
            writer.write_record(writer.create_warc_record(f"https://a.example/{n}", "response", payload=body,
                                                          http_headers=headers))  # fmt: skip
    data = path.read_bytes()
    first = data.index(b"Content-Length: ") + len(b"Content-Length: ")
    end = data.index(b"\r\n", first)
    path.write_bytes(data[:first] + str(int(data[first:end]) - 40).encode() + data[end:])  # 40 bytes short
    out = list(read_inputs([path]))
    rejected = [x for x in out if isinstance(x, Rejection)]
    assert rejected and all("Content-Length does not match" in r.reason for r in rejected)
    assert path.name in rejected[0].input and rejected[0].input.rsplit("@", 1)[1].isdigit()  # file@offset
    assert [d.hints["url"] for d in out if isinstance(d, RawDocument)][-1] == "https://a.example/2"
    assert "WARNING" not in capfd.readouterr().err
