"""A page fetched again with changed text is a new version of one article, and its page says what changed."""

from __future__ import annotations

import json

from newsprism.pipeline import analyze
from newsprism.report import views
from newsprism.store import SQLiteStore

BODY = (
    "Officials in Vantor said the bridge would reopen on Monday after repairs. The mayor thanked the workers for"
    " their speed. Traffic is expected to be heavy."
)


def _page(path, text):
    record = {"url": "https://news.example/a", "title": "Bridge", "text": text, "published": "2024-05-01"}
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    return path


def test_the_second_version_of_a_page_lists_the_sentences_it_changed(tmp_path):
    db, out = tmp_path / "n.db", tmp_path / "report"
    analyze([_page(tmp_path / "v1.jsonl", BODY)], db=db, out=out)
    changed = BODY.replace("on Monday", "on Tuesday") + " Police will direct traffic."
    analyze([_page(tmp_path / "v2.jsonl", changed)], db=db, out=out)
    store = SQLiteStore(db)
    try:
        first, second = store.versions("https://news.example/a")
        page = views.article_page(store, second)
        assert page["changes"] == {
            "previous": first,
            "added": [
                "Officials in Vantor said the bridge would reopen on Tuesday after repairs.",
                "Police will direct traffic.",
            ],
            "removed": ["Officials in Vantor said the bridge would reopen on Monday after repairs."],
            "more": 0,
            "unchanged": 2,
        }
        assert views.article_page(store, first)["changes"] is None  # the first version has nothing before it
    finally:
        store.close()
    html = (out / f"article-{second}.html").read_text(encoding="utf-8")
    assert "What changed since" in html and "<ins>Police will direct traffic.</ins>" in html
