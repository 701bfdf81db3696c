"""Takedown: `newsprism forget` deletes an article and everything derived from it, and re-analyses its story."""

from __future__ import annotations

import json
import sqlite3

import numpy as np
from click.testing import CliRunner

from newsprism.clean.site import line_hash
from newsprism.cli import main
from newsprism.forget import forget
from newsprism.pipeline import analyze
from newsprism.records import Article, ArticleExtraction, Change, Correction, StoryAssignment
from newsprism.store import SQLiteStore

from .test_corrections import BRIDGE, BRIDGE_AGAIN, VOTE

FOOTER = "Subscribe to the Vantor Courier newsletter for the day's news."


def test_the_store_forgets_an_articles_rows_and_keeps_the_others(store):
    for n in (1, 2):
        store.add_article(
            Article(
                id=f"a{n}", source=f"{n}.txt", text=f"Officials met on Monday, number {n}.", title=f"T{n}"
            )
        )
        store.put_vectors(f"a{n}", "sentences", np.ones((1, 4), dtype=np.float32))
        store.put_extraction(ArticleExtraction(f"a{n}"))
        store.set_membership(StoryAssignment(f"a{n}", "s1", 1.0, "joined"))
        store.mark_done("extract", [f"a{n}"])
    store.add_alias("x1", "a1", "copy.txt")
    store.add_correction(Correction("date", "a1", "2024-01-01", "a1", "s1"))
    run = store.begin_run()
    store.add_changes(run, [Change("article_joined", "s1", "“T1” joined", subject="a1")])
    store.forget_article("a1")
    assert [a.id for a in store.articles()] == ["a2"] and store.resolve_article("x1") is None
    assert store.get_vectors("a1", "sentences") is None and store.get_extraction("a1") is None
    assert [m.article_id for m in store.memberships("s1")] == ["a2"] and store.undone("extract", ["a1"]) == [
        "a1"
    ]
    assert store.corrections() == [] and store.changes() == []
    assert [h.id for h in store.search("Officials")] == ["a2"]
    # what a forgotten article taught its site is given back, never below zero, never as a new line
    store.add_site_line_counts("site.example", {"h1": 2})
    store.add_site_line_counts("site.example", {"h1": -1, "h2": -1})
    assert dict(store.site_line_counts("site.example", ["h1", "h2"])) == {"h1": 1}
    store.add_site_line_counts("site.example", {"h1": -5})
    assert dict(store.site_line_counts("site.example", ["h1", "h2"])) in ({}, {"h1": 0})


def _write(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


def test_forgetting_takes_an_article_out_of_its_story_its_site_and_the_term_counts(tmp_path):
    site = "https://courier.example/news/"
    rows = [
        {"url": site + "1", "title": "Harlow Street bridge collapses in Vantor", "text": BRIDGE + "\n\n" + FOOTER, "published": "2024-05-07"},
        {"url": site + "2", "title": "Three dead as Vantor bridge falls", "text": BRIDGE_AGAIN + "\n\n" + FOOTER, "published": "2024-05-07"},
        {"url": site + "3", "title": "Petra Danes wins Corvala presidency", "text": VOTE + "\n\n" + FOOTER, "published": "2024-06-02"},
    ]  # fmt: skip
    (tmp_path / "in").mkdir()
    _write(tmp_path / "in" / "a.jsonl", rows)
    db = tmp_path / "n.db"
    analyze([tmp_path / "in"], db=db, out=None)
    raw = sqlite3.connect(db)

    def footer_count() -> int:
        row = raw.execute(
            "SELECT article_count FROM site_lines WHERE line_hash = ?", (line_hash(FOOTER),)
        ).fetchone()
        return row[0] if row else 0

    before = footer_count()
    store = SQLiteStore(db)
    try:
        documents = store.term_frequencies()[0]
        [gone] = store.versions(site + "2")
        story = store.story_of(gone)
        done = forget(store, site + "2")  # by URL: every version read from it
        assert done.articles == (gone,) and done.stories_analysed == (story,) and done.stories_deleted == ()
        assert store.resolve_article(gone) is None and gone not in store.get_analysis(story).article_ids
        assert store.story_state(story).size == len(store.memberships(story)) == 1
        assert store.term_frequencies()[0] == documents - 1
        assert footer_count() == before - 1  # what it taught its site is taken back
        assert store.search("divers") == []  # its words are no longer found
        lone = store.versions(site + "3")[0]
        lone_story = store.story_of(lone)
        done = forget(store, lone)
        assert done.stories_deleted == (lone_story,) and lone_story not in store.story_ids()
        assert store.get_analysis(lone_story) is None and store.story_state(lone_story) is None
    finally:
        store.close()
        raw.close()


def test_forget_command_names_what_it_forgot_and_refuses_what_is_not_stored(tmp_path):
    (tmp_path / "in").mkdir()
    _write(tmp_path / "in" / "a.jsonl", [{"title": "Vote", "text": VOTE, "published": "2024-06-02"}])
    db = tmp_path / "n.db"
    analyze([tmp_path / "in"], db=db, out=None)
    store = SQLiteStore(db)
    article = store.articles()[0].id
    store.close()
    runner = CliRunner()
    done = runner.invoke(main, ["forget", article, "--db", str(db)])
    assert (
        done.exit_code == 0
        and f"forgot 1 article ({article})" in done.output
        and "stories deleted: s" in done.output
    )
    missing = runner.invoke(main, ["forget", "nope", "--db", str(db)])
    assert missing.exit_code == 2 and "'nope' names no stored article" in missing.output
