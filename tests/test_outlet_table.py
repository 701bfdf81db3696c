"""The outlet table: built-in rows with their sources, the user's CSV over them, names and one-owner origins."""

from __future__ import annotations

import pytest

from newsprism import settings
from newsprism.claims import build_claims
from newsprism.clean import outlet_at
from newsprism.errors import SettingError
from newsprism.records import Article, DuplicateReport
from newsprism.report.views import outlet_view
from newsprism.text.outlets import outlet_table, read_outlets

from .builders import analysis
from .fixtures.claims import seed


def test_every_built_in_row_says_where_its_facts_come_from():
    table = outlet_table()
    assert len(table.outlets) >= 25
    for row in table.outlets.values():
        assert row.source and row.source.startswith("https://") and row.as_of and row.owner and row.country
    assert table.at("https://edition.cnn.com/2024/x").name == "CNN"  # a subdomain is its domain's outlet
    assert table.at("https://www.foxnews.com/politics/x").name == "Fox News"
    assert table.at("https://example.org/x") is None and table.at("http://[bad") is None
    assert table.named("the new york  times").name == "The New York Times"
    assert table.origin("Fox Business", None) == table.origin(None, "https://foxnews.com/a")
    assert table.origin("Daily Planet", None) == "outlet:daily planet" and table.origin(None, None) is None


def test_a_users_table_overrides_and_extends_and_a_bad_one_is_named(tmp_path):
    path = tmp_path / "outlets.csv"
    path.write_text(
        "name,domains,owner,state_controlled\n"
        "Daily Planet,dailyplanet.example,Galaxy Communications,no\n"
        "Fox News,foxnews.com,Someone Else,\n",
        encoding="utf-8",
    )
    with settings.override({"outlets_file": str(path)}):
        table = outlet_table()
        assert table.at("https://dailyplanet.example/a").owner == "Galaxy Communications"
        assert table.named("Fox News").owner == "Someone Else" and table.named("Fox News").from_user
        assert table.named("Reuters").owner == "Thomson Reuters"
    assert outlet_table().named("Fox News").owner == "Fox Corporation"
    with pytest.raises(SettingError, match=r"x.csv, row 2: state_controlled is 'maybe'"):
        read_outlets("name,state_controlled\nA,maybe\n", "x.csv")
    with pytest.raises(SettingError, match="unknown columns lean"):
        read_outlets("name,lean\nA,left\n", "x.csv")  # no political-lean column, on purpose
    with settings.override({"outlets_file": str(tmp_path / "missing.csv")}):
        with pytest.raises(SettingError, match="missing.csv .setting outlets_file.: cannot read it"):
            outlet_table()


def test_a_page_that_names_no_outlet_is_named_by_its_domain():
    assert outlet_at("https://www.nytimes.com/2024/05/16/world/x.html") == "The New York Times"
    assert outlet_at("https://news.example.org/a") == "news.example.org"


def test_outlets_of_one_owner_are_one_origin_of_a_claim():
    text = "The earthquake in Vantor province killed 12 people on Monday, officials said."
    arts = [
        Article(id="a0", source="t0", text=text, published="2024-03-01", outlet="Fox News"),
        Article(id="a1", source="t1", text=text.replace("killed", "left") + " ", published="2024-03-02",
                outlet="Fox Business"),
    ]  # fmt: skip
    groups, _ = build_claims(seed.material_for(arts), DuplicateReport())
    [group] = [g for g in groups if len(g.article_ids) == 2]
    assert group.independent_sources == 1
    assert "Fox Business and Fox News have one owner, Fox Corporation" in group.reason


def test_the_outlet_page_shows_the_tables_row_and_its_source():
    story = analysis("s1", ["a1"], title="T")
    page = outlet_view("Reuters", [(story, None, None)], {"a1": "Reuters"})
    assert page["facts"]["owner"] == "Thomson Reuters" and page["facts"]["wire_service"]
    assert page["facts"]["source"] == "https://en.wikipedia.org/wiki/Reuters"
    assert outlet_view("Nobody Known", [(story, None, None)], {"a1": "Nobody Known"})["facts"] is None


def test_two_outlets_running_one_agencys_copy_are_one_origin():
    text = "The earthquake in Vantor province killed 12 people on Monday, officials said."
    arts = [
        Article(id="a0", source="t0", text=text, published="2024-03-01", outlet="Daily Planet", wire_credit="Reuters"),
        Article(id="a1", source="t1", text=text.replace("killed", "left") + " ", published="2024-03-02",
                outlet="Gotham Gazette", wire_credit="Reuters"),
    ]  # fmt: skip
    groups, _ = build_claims(seed.material_for(arts), DuplicateReport())
    [group] = [g for g in groups if len(g.article_ids) == 2]
    assert (
        group.independent_sources == 1 and "Daily Planet and Gotham Gazette run Reuters copy" in group.reason
    )
