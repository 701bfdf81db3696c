"""Exports of a story: Markdown for a draft, CSV for a spreadsheet, JSON of the schema; CLI, web and files."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import jsonschema
import numpy as np
import pytest
from click.testing import CliRunner

from newsprism.cli import main
from newsprism.errors import UnknownStory
from newsprism.records import StoryState
from newsprism.report.export import (
    FORMATS,
    claims_csv,
    export_stories,
    markdown_text,
    quotes_csv,
    spreadsheet_cell,
    story_markdown,
)
from newsprism.store import SQLiteStore
from newsprism.web import make_server

from .test_report import hostile_store
from .test_web import get

ROOT = Path(__file__).resolve().parents[1]


def _story(**overrides):
    story = {
        "id": "s1",
        "title": "Officials meet",
        "neutral_title": None,
        "article_ids": ["a1", "a2"],
        "brief": [{"text": "Officials met on Monday.", "citations": ["a2", "a1"], "claim_id": "c1", "evidence": []}],
        "claims": [
            {"id": "c1", "text": "Officials met on Monday.", "status": "contested", "article_ids": ["a1", "a2"],
             "independent_sources": 2, "reason": "2 sources disagree", "evidence": []},
            {"id": "c2", "text": "=HYPERLINK(\"http://evil\")", "status": "single_source", "article_ids": ["a2"],
             "independent_sources": 1, "reason": "only Evil", "evidence": []},
        ],
        "contradictions": [{"explanation": "Monday or Tuesday", "evidence": [{"article_id": "a2"}], "kind": "date"}],
        "quotes": [
            {"article_id": "a1", "text": "We <b>agree</b>", "speaker": "Ann Lee", "affiliation": "UN", "cue": "said",
             "confidence": 0.9},
            {"article_id": "a2", "text": "Nobody knows", "speaker": None, "cue": "said", "confidence": 0.3},
        ],
        "brief_note": None,
    }  # fmt: skip
    story.update(overrides)
    return story


ARTICLES = {
    "a1": {"id": "a1", "outlet": "Daily News", "title": "Officials meet", "url": "https://daily.example/a",
           "published": "2024-05-16T10:00:00", "source": "a.txt"},
    "a2": {"id": "a2", "outlet": "[Evil](javascript:alert(1))", "title": "<script>x</script>",
           "url": "javascript:alert(1)", "published": "2024-05-17", "source": "b.txt"},
}  # fmt: skip


def test_markdown_cites_outlets_by_footnote_and_marks_contested_sentences():
    text = story_markdown([_story()], ARTICLES)
    brief = text.split("## Brief")[1].split("##")[0]
    assert "Officials met on Monday. **(contested" in brief
    assert brief.count("[^s1-1][^s1-2]") == 1  # in source order, whatever order the citations came in
    assert "[^s1-1]: Daily News, “Officials meet”, 2024-05-16, <https://daily.example/a>" in text
    assert "**Ann Lee (UN)**: “We \\<b\\>agree\\</b\\>” [^s1-1]" in text
    assert "Nobody knows" not in text.split("## Who said what")[1]  # a withheld speaker is not invented


def test_markdown_never_turns_article_text_into_links_or_markup():
    text = story_markdown([_story()], ARTICLES)
    assert "[Evil](javascript" not in text and "\\[Evil\\](javascript" in text
    assert "<script>" not in text and "javascript:alert(1)>" not in text  # no link to a script URL
    assert markdown_text("# heading *bold* `code` | pipe") == "\\# heading \\*bold\\* \\`code\\` \\| pipe"


def test_csv_cells_cannot_run_as_spreadsheet_formulas():
    rows = list(csv.DictReader(io.StringIO(claims_csv([_story()], ARTICLES))))
    assert [r["claim_id"] for r in rows] == ["c1", "c2"]
    assert rows[1]["claim"] == '\'=HYPERLINK("http://evil")'
    assert rows[0]["outlets"] == "Daily News; [Evil](javascript:alert(1))"
    assert rows[0]["urls"] == "https://daily.example/a"  # the script URL is dropped
    assert spreadsheet_cell("-1") == "'-1" and spreadsheet_cell("plain") == "plain"
    quotes = list(csv.DictReader(io.StringIO(quotes_csv([_story()], ARTICLES))))
    assert [(q["speaker"], q["speaker_confidence"]) for q in quotes] == [("Ann Lee", "0.9"), ("", "")]


def test_exports_of_an_analysed_story_agree_with_its_report(analysed_sample):
    report = analysed_sample["report"]
    story = report["stories"][0]
    store = SQLiteStore(analysed_sample["db"])
    try:
        data = json.loads(export_stories(store, [story["id"]], "json"))
        schema = json.loads((ROOT / "docs" / "report.schema.json").read_text(encoding="utf-8"))
        jsonschema.validate(data, schema)
        assert data["stories"] == [story]
        assert {a["id"] for a in data["articles"]} == set(story["article_ids"])
        claims = list(csv.DictReader(io.StringIO(export_stories(store, None, "claims-csv"))))
        assert [(c["claim_id"], c["status"]) for c in claims] == [
            (c["id"], c["status"]) for c in story["claims"]
        ]
        markdown = export_stories(store, [story["id"]], "markdown")
        assert markdown.count("\n- ") >= len(story["brief"]) and "## Sources" in markdown
        with pytest.raises(UnknownStory, match="no story 'nope'"):
            export_stories(store, ["nope"], "markdown")
    finally:
        store.close()
    # the static report carries the exports beside each story page, and the page links them
    out = analysed_sample["out"]
    page = (out / f"story-{story['id']}.html").read_text(encoding="utf-8")
    for suffix in ("md", "claims.csv", "quotes.csv"):
        assert (out / f"story-{story['id']}.{suffix}").is_file()
        assert f'href="story-{story["id"]}.{suffix}" download' in page


def test_export_command_writes_each_format_and_names_a_missing_story(analysed_sample, tmp_path):
    runner = CliRunner()
    db = str(analysed_sample["db"])
    story_id = analysed_sample["report"]["stories"][0]["id"]
    result = runner.invoke(main, ["export", story_id, "--db", db])
    assert result.exit_code == 0 and result.output.startswith("# ")
    out = tmp_path / "q.csv"
    result = runner.invoke(main, ["export", "--format", "quotes-csv", "--db", db, "-o", str(out)])
    assert result.exit_code == 0 and out.read_text(encoding="utf-8").startswith("story_id,speaker,")
    result = runner.invoke(main, ["export", "nope", "--db", db])
    assert result.exit_code == 2 and "no story 'nope'" in result.output
    choices = next(p for p in main.commands["export"].params if p.name == "format_name").type.choices
    assert set(choices) == set(FORMATS)


def test_web_app_serves_each_export_as_a_download(open_empty_store):
    store = hostile_store(open_empty_store())
    store.save_story(StoryState("old", "Old", np.zeros(4, dtype=np.float32), 1, None, None, merged_into="s1"))
    srv = make_server(store, port=0)
    srv.start_background()
    try:
        for fmt in FORMATS.values():
            status, headers, body = get(srv, f"/story/s1/export.{fmt.suffix}")
            assert status == 200, fmt.name
            assert headers["Content-Type"] == fmt.media_type
            assert headers["Content-Disposition"] == f'attachment; filename="story-s1.{fmt.suffix}"'
            # article text inside is inert: a download, never sniffed into a page
            assert headers["X-Content-Type-Options"] == "nosniff" and body
        status, headers, _ = get(srv, "/story/old/export.md")  # a merged-away id: the story it lives in
        assert status == 301 and headers["Location"] == "/story/s1/export.md"
        assert get(srv, "/story/nope/export.md")[0] == 404
        assert get(srv, "/story/s1/export.exe")[0] == 404
        status, _, page = get(srv, "/story/s1")
        assert b'href="/story/s1/export.md" download' in page
    finally:
        srv.shutdown()
        srv.server_close()
