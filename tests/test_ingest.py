"""Ingest: every input becomes a RawDocument or a Rejection with a reason; nothing raises."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from newsprism import settings
from newsprism.ingest import read_inputs
from newsprism.records import RawDocument, Rejection

FIX = Path(__file__).parent / "fixtures" / "ingest"


def _one(path: Path) -> RawDocument | Rejection:
    (item,) = list(read_inputs([path]))
    return item


def test_folder_is_read_recursively_sorted_and_skips_hidden_and_notes(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "2.txt").write_text("second article body", encoding="utf-8")
    (tmp_path / "1.txt").write_text("first article body", encoding="utf-8")
    (tmp_path / ".hidden.txt").write_text("skipped", encoding="utf-8")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "x.txt").write_text("skipped", encoding="utf-8")
    (tmp_path / "README.md").write_text("about these files", encoding="utf-8")
    items = list(read_inputs([tmp_path]))
    assert [Path(i.source).name for i in items] == ["1.txt", "2.txt"]
    assert all(isinstance(i, RawDocument) and i.kind == "text" for i in items)


def test_html_and_text_kinds() -> None:
    page = _one(FIX / "page.html")
    assert isinstance(page, RawDocument) and page.kind == "html" and "<article>" in page.content


def test_latin1_file_is_decoded() -> None:
    doc = _one(FIX / "latin1.txt")
    assert isinstance(doc, RawDocument)
    assert "Café owners" in doc.content and "Renée Dubois" in doc.content


def test_empty_binary_missing_and_unsupported_are_rejected(tmp_path: Path) -> None:
    empty, binary = _one(FIX / "empty.txt"), _one(FIX / "binary.txt")
    assert isinstance(empty, Rejection) and "empty" in empty.reason
    assert isinstance(binary, Rejection) and "binary" in binary.reason
    missing = _one(tmp_path / "nope.txt")
    assert isinstance(missing, Rejection) and "no such file" in missing.reason
    pdf = tmp_path / "report.txt"
    pdf.write_bytes(b"%PDF-1.7\n" + bytes(200))
    assert "PDF" in _one(pdf).reason  # type: ignore[union-attr]
    odd = tmp_path / "notes.xyz"
    odd.write_text("hello", encoding="utf-8")
    rejection = _one(odd)
    assert isinstance(rejection, Rejection)
    assert rejection.reason.startswith(
        "unsupported file type .xyz; newsprism reads .txt, .html, .htm, .jsonl"
    )


def test_undecodable_bytes_are_rejected_not_raised(tmp_path: Path) -> None:
    path = tmp_path / "noise.txt"
    path.write_bytes(bytes(range(0x80, 0x100)) * 40)
    item = _one(path)
    # Either detected as some single-byte text or rejected, but never an exception.
    assert isinstance(item, RawDocument | Rejection)


def test_jsonl_lines_become_documents_or_rejections_and_the_rest_goes_on() -> None:
    items = list(read_inputs([FIX / "articles.jsonl"]))
    by_source = {(i.source if isinstance(i, RawDocument) else i.input).rsplit("#", 1)[1]: i for i in items}
    assert set(by_source) == {"L1", "L2", "L3", "L4", "L6"}  # L5 is blank
    first = by_source["L1"]
    assert isinstance(first, RawDocument) and first.kind == "text"
    assert first.hints["title"] == "Bridge reopens after repairs" and first.hints["authors"] == ["Sam Ortiz"]
    assert "not valid JSON" in by_source["L2"].reason  # type: ignore[union-attr]
    assert "not an object" in by_source["L3"].reason  # type: ignore[union-attr]
    assert '"text" or "html"' in by_source["L4"].reason  # type: ignore[union-attr]
    assert isinstance(by_source["L6"], RawDocument) and by_source["L6"].kind == "html"


def test_gzip_variants_are_read(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        fh.write(json.dumps({"text": "An article body that arrived compressed."}) + "\n")
    doc = _one(path)
    assert isinstance(doc, RawDocument) and doc.source.endswith("a.jsonl.gz#L1")


def test_gzip_bomb_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bomb.txt.gz"
    with gzip.open(path, "wb") as fh:
        fh.write(b"A" * 5_000_000)  # 5 MB of one letter compresses to a few kB
    assert path.stat().st_size < 50_000
    with settings.override({"max_decompressed_bytes": 1_000_000}):
        item = _one(path)
    assert isinstance(item, Rejection) and "gzip bomb" in item.reason


def test_broken_gzip_and_too_large_are_rejected(tmp_path: Path) -> None:
    broken = tmp_path / "x.txt.gz"
    broken.write_bytes(b"\x1f\x8b\x08\x00garbage")
    assert "gzip" in _one(broken).reason  # type: ignore[union-attr]
    big = tmp_path / "big.txt"
    big.write_text("word " * 1000, encoding="utf-8")
    with settings.override({"max_input_bytes": 1000}):
        item = _one(big)
    assert isinstance(item, Rejection) and "max_input_bytes" in item.reason


BODY = "The harbour council voted on Tuesday to build a flood barrier at the mouth of the river."


def test_jsonl_lines_python_cannot_read_are_rejected_and_the_rest_goes_on(tmp_path: Path) -> None:
    good = json.dumps({"text": BODY})
    lines = [
        '{"text": "' + BODY + '", "n": ' + "9" * 5000 + "}",  # past Python's int digit limit
        "[" * 100_000 + "]" * 100_000,  # past the recursion limit
        good,
    ]
    (tmp_path / "a.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = list(read_inputs([tmp_path / "a.jsonl"]))
    assert [type(x).__name__ for x in out] == ["Rejection", "Rejection", "RawDocument"]
    assert "cannot be read" in out[0].reason and "nested too deeply" in out[1].reason
    assert out[0].input.endswith("#L1") and out[2].source.endswith("#L3")


def test_jsonl_lines_end_at_newline_only_and_lone_surrogates_become_replacement_characters(
    tmp_path: Path,
) -> None:
    # U+2028 inside a string is valid JSON written verbatim; it does not end the line
    records = [
        {"title": "Barrier\u2028approved", "text": BODY},
        {"title": "\udfff bad", "text": BODY, "authors": ["Ann \ud800Lee"]},
    ]
    text = "\n".join(
        json.dumps(r, ensure_ascii=False) if n == 0 else json.dumps(r) for n, r in enumerate(records)
    )
    (tmp_path / "b.jsonl").write_text(text + "\r\n", encoding="utf-8")
    first, second = read_inputs([tmp_path / "b.jsonl"])
    assert first.hints["title"] == "Barrier\u2028approved" and second.source.endswith("#L2")
    assert second.hints["title"] == "\ufffd bad" and second.hints["authors"] == ["Ann \ufffdLee"]
    second.hints["title"].encode("utf-8")  # any UTF-8 writer (the store, a page) can hold it


def test_a_file_name_that_is_not_utf8_or_holds_a_newline_is_named_safely(tmp_path: Path) -> None:
    import os

    folder = os.fsencode(tmp_path)
    for name in (b"latin1_\xe9\xff.txt", b"two\nlines.txt"):
        with open(os.path.join(folder, name), "wb") as handle:
            handle.write(BODY.encode())
    sources = sorted(x.source for x in read_inputs([tmp_path]))
    assert [s.rsplit("/", 1)[-1] for s in sources] == ["latin1_\\xe9\\xff.txt", "two\\nlines.txt"]
    for source in sources:
        source.encode("utf-8")


def test_nothing_in_a_folder_vanishes_without_a_reason(tmp_path: Path) -> None:
    import os

    (tmp_path / "empty.rss").write_text(
        '<?xml version="1.0"?><rss version="2.0"><channel><title>x</title></channel></rss>'
    )
    (tmp_path / "catalog.xml").write_text('<?xml version="1.0"?><catalog><book>hi</book></catalog>')
    (tmp_path / "page.rss").write_text("<html><body><p>A page saved under the wrong name.</p></body></html>")
    os.mkfifo(tmp_path / "pipe.txt")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "loop").symlink_to(tmp_path)
    (tmp_path / "sub" / "gone.txt").symlink_to(tmp_path / "missing.txt")
    (tmp_path / "sub" / "real.txt").write_text(BODY)
    out = {Path(x.input if isinstance(x, Rejection) else x.source).name: x for x in read_inputs([tmp_path])}
    assert isinstance(out["real.txt"], RawDocument)
    reasons = {name: x.reason for name, x in out.items() if isinstance(x, Rejection)}
    assert "no entries" in reasons["empty.rss"]
    assert "not an RSS/Atom feed" in reasons["catalog.xml"]
    assert "an HTML page, not a feed" in reasons["page.rss"]
    assert "not a regular file" in reasons["pipe.txt"]
    assert "link loop" in reasons["loop"]
    assert "a link to nothing" in reasons["gone.txt"]


def test_deep_nesting_json_can_read_is_no_hint_and_ends_nothing(tmp_path: Path) -> None:
    deep = "[" * 900 + "]" * 900  # json reads it; a recursive walk over it on top of the stack would not
    line = '{"text": "' + BODY + '", "x": ' + deep + ', "title": ' + deep + ', "authors": ["Ann Lee", 7]}'
    (tmp_path / "c.jsonl").write_text(line + "\n", encoding="utf-8")
    (doc,) = read_inputs([tmp_path / "c.jsonl"])
    assert isinstance(doc, RawDocument) and doc.content == BODY
    assert "title" not in doc.hints and doc.hints["authors"] == ["Ann Lee", 7]


def test_a_subfolder_that_cannot_be_listed_is_a_rejection(tmp_path: Path, monkeypatch) -> None:
    """chmod cannot take a folder away from root (the tests' user here), so listing it is made to fail."""
    import os

    (tmp_path / "locked").mkdir()
    (tmp_path / "locked" / "inside.txt").write_text(BODY)
    (tmp_path / "open.txt").write_text(BODY)
    scandir = os.scandir

    def refusing(path=".", *args, **kwargs):
        if Path(path) == tmp_path / "locked":
            raise PermissionError(13, "Permission denied", str(path))
        return scandir(path, *args, **kwargs)

    monkeypatch.setattr(os, "scandir", refusing)
    out = {Path(x.input if isinstance(x, Rejection) else x.source).name: x for x in read_inputs([tmp_path])}
    assert isinstance(out["open.txt"], RawDocument) and "inside.txt" not in out
    assert (
        isinstance(out["locked"], Rejection)
        and "cannot be listed (Permission denied)" in out["locked"].reason
    )


def test_read_inputs_reports_each_file_read_and_how_many_there_are(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("b.txt", "a.txt", "README.md"):
        (folder / name).write_text("Words of a real sentence here. " * 5, encoding="utf-8")
    seen = []
    docs = list(read_inputs([folder, tmp_path / "missing.txt"], seen.append))
    assert [getattr(d, "source", None) or d.input for d in docs][-1].endswith("missing.txt")
    assert [d.source.rsplit("/", 1)[-1] for d in docs[:2]] == ["a.txt", "b.txt"]
    # the README is a note, not an input; a file is counted read once its documents are out
    assert sorted({(p.files_read, p.files_total) for p in seen}) == [(0, 3), (1, 3), (2, 3), (3, 3)]
    assert seen[-1].files_read == 3 and seen[-1].bytes_read == seen[-1].bytes_total == 2 * 155


def test_progress_follows_a_stream_through_its_file(tmp_path):
    """What is left is known before the first document and followed inside a JSONL file as it streams, in
    bytes (of the compressed file for .gz), to the total."""
    import random

    from newsprism.ingest import InputProgress

    rng = random.Random(7)
    words = [f"word{n}" for n in range(5000)]
    lines = [
        json.dumps({"title": f"Report {n}", "text": " ".join(rng.choice(words) for _ in range(60))})
        for n in range(3000)
    ]
    (tmp_path / "a.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (tmp_path / "b.jsonl.gz").write_bytes(gzip.compress(("\n".join(lines) + "\n").encode()))
    (tmp_path / "c.txt").write_text("A short report about the council vote on the bridge, with some detail.")
    sizes = {p.name: p.stat().st_size for p in tmp_path.iterdir()}
    seen: list[InputProgress] = []
    documents = [d for d in read_inputs([tmp_path], seen.append) if isinstance(d, RawDocument)]
    assert len(documents) == 6001
    assert {p.bytes_total for p in seen} == {sum(sizes.values())} and {p.files_total for p in seen} == {3}
    assert [p.bytes_read for p in seen] == sorted(p.bytes_read for p in seen)
    assert seen[-1] == InputProgress(sum(sizes.values()), sum(sizes.values()), 3, 3)
    # partial positions inside each of the two streamed files, not only a jump at each file's end
    inside_plain = {p.bytes_read for p in seen if 0 < p.bytes_read < sizes["a.jsonl"]}
    start_gz = sizes["a.jsonl"]
    inside_gz = {p.bytes_read for p in seen if start_gz < p.bytes_read < start_gz + sizes["b.jsonl.gz"]}
    assert len(inside_plain) >= 3 and len(inside_gz) >= 2
