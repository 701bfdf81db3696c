"""The web app over HTTP: pages and their JSON twins, merged-story redirects, search, headers and limits."""

import http.client
import json
import socket
import time
from dataclasses import replace
from urllib.parse import quote

import numpy as np
import pytest

from newsprism.records import StoryState
from newsprism.report import views
from newsprism.report.html import render
from newsprism.store import SQLiteStore
from newsprism.store.sqlite import fts_query
from newsprism.web import make_server
from newsprism.web import server as web_server

from .test_report import hostile_store


@pytest.fixture
def server(open_empty_store):
    """The web app over a hostile story, on each store implementation."""
    store = hostile_store(open_empty_store())
    # "old" was merged into "s1": its URL must keep working.
    store.save_story(
        StoryState("old", "Old title", np.zeros(4, dtype=np.float32), 1, None, None, merged_into="s1")
    )
    srv = make_server(store, port=0)
    srv.start_background()
    yield srv
    srv.shutdown()
    srv.server_close()
    store.close()


def get(srv, path, method="GET", headers=None, body=None):
    host, port = srv.server_address[:2]
    conn = http.client.HTTPConnection(host, port, timeout=10)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, dict(resp.getheaders()), resp.read()
    finally:
        conn.close()


def test_every_page_and_its_json_twin(server):
    for path in ["/", "/story/s1", "/article/a1", "/rejected", "/search?q=officials"]:
        status, headers, body = get(server, path)
        assert status == 200, path
        assert headers["Content-Type"].startswith("text/html")
        twin = path.replace("?", ".json?") if "?" in path else ("/index" if path == "/" else path) + ".json"
        status, headers, data = get(server, twin)
        assert status == 200, twin
        assert headers["Content-Type"].startswith("application/json")
        assert json.loads(data)["page"] in {"index", "story", "article", "rejected", "search"}


def test_json_twin_is_the_view_the_page_renders(server):
    _, _, data = get(server, "/story/s1.json")
    assert json.loads(data) == json.loads(json.dumps(views.story_page(server.store, "s1")))
    page = json.loads(data)
    assert page["brief"][0]["citations"][0]["sentences"] == ["Officials met on Monday."]
    assert page["coverage"]["rows"][0]["cells"] == [1]


def test_a_story_card_names_its_outlets(server):
    _, _, data = get(server, "/index.json")
    (card,) = [s for s in json.loads(data)["stories"] if s["id"] == "s1"]
    assert card["outlets"] == [server.store.source_labels(["a1"])["a1"]] and card["more_outlets"] == 0
    _, _, page = get(server, "/")
    assert '<p class="outlets">' in page.decode()


def test_merged_story_redirects_to_where_it_lives(server):
    status, headers, _ = get(server, "/story/old")
    assert status == 301 and headers["Location"] == "/story/s1"
    status, headers, _ = get(server, "/story/old.json")
    assert status == 301 and headers["Location"] == "/story/s1.json"
    assert get(server, "/story/nope")[0] == 404
    status, _, data = get(server, "/article/nope.json")
    assert status == 404 and json.loads(data)["status"] == 404


def test_untrusted_text_is_escaped_and_headers_are_strict(server):
    label = server.store.source_labels(["a1"])["a1"]  # the hostile title names the source
    outlet = "/outlet/" + quote(label, safe="")
    for path in [
        "/",
        "/story/s1",
        "/article/a1",
        "/search?q=" + "Title%20%3Cscript%3E",
        outlet,
        "/?outlet=x",
    ]:
        status, headers, body = get(server, path)
        html = body.decode()
        assert "<script>alert" not in html and "<img" not in html and "javascript:" not in html, path
        assert "&lt;script&gt;" in html or path in {"/search?q=Title%20%3Cscript%3E", "/?outlet=x"}
        csp = headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert headers["X-Content-Type-Options"] == "nosniff"


def test_requests_are_capped_and_only_get_is_served(server):
    assert get(server, "/" + "a" * 5000)[0] == 414
    assert get(server, "/", method="POST", body=b"x=1")[0] == 405
    assert get(server, "/", headers={"Content-Length": "10"}, body=b"0123456789")[0] == 413
    assert get(server, "/", headers={"Host": "attacker.example"})[0] == 421  # DNS rebinding
    assert get(server, "/static/../../etc/passwd")[0] == 404
    many = "&".join(f"p{n}=1" for n in range(11))  # past the cap: a clear 400, not an empty reply
    status, _, body = get(server, f"/search?{many}")
    assert status == 400 and b"Too many query parameters" in body
    assert get(server, "/search?" + "&".join(f"p{n}=1" for n in range(10)))[0] == 200
    status, headers, _ = get(server, "/static/newsprism.js")
    assert status == 200 and headers["Content-Type"].startswith("text/javascript")


def test_search_finds_titles_text_and_entities_and_resists_syntax(store):
    hostile_store(store)
    hits = store.search("officials monday")
    assert [(h.kind, h.id) for h in hits] == [("article", "a1")]
    assert any(match for _, match in hits[0].snippet)
    assert {h.kind for h in store.search("story")} >= {"story"}
    for nasty in ['"', "NEAR(", "a OR", "*", "-x", "^title:", ")(", "\x00"]:
        store.search(nasty)  # quoted terms: never an FTS5 syntax error
    assert fts_query("Xi's visit") == '"Xi" "s" "visit"*'
    assert fts_query("!!!") is None


def test_search_index_is_backfilled_for_an_older_store(tmp_path):
    db = tmp_path / "old.db"
    store = SQLiteStore(db)
    from .test_store import make_article

    store.add_article(make_article(1, text="The harbour reopened on Friday."))
    # An older store: no search rows, no marker.
    store._exec("DELETE FROM search_articles")
    store._exec("DELETE FROM meta WHERE key = 'search_version'")
    store.close()
    reopened = SQLiteStore(db)
    assert [h.id for h in reopened.search("harbour")] == ["a1"]
    reopened.close()


def test_search_page_reaches_stories_through_articles(analysed_sample):
    store = SQLiteStore(analysed_sample["db"])
    page = views.search_page(store, "Xinhua")
    assert page["articles"] and page["stories"]
    assert all(a["story_id"] in {s["id"] for s in page["stories"]} for a in page["articles"])
    store.close()


def test_time_axis_keeps_order_and_compresses_long_gaps():
    axis = views.time_axis(["1991", "2024-05-16", "2024-05-17", "2024-05", "not a date"])
    assert list(axis) == ["1991", "2024-05", "2024-05-16", "2024-05-17"]
    assert axis["1991"] == 0.0 and axis["2024-05-17"] == 1.0
    # 33 years take most of the axis but the last days stay apart.
    assert axis["2024-05-17"] - axis["2024-05-16"] > 0.03


def test_serve_refuses_a_missing_store(tmp_path):
    from newsprism.errors import StoreError

    with pytest.raises(StoreError, match="newsprism analyze"):
        make_server(tmp_path / "missing.db", port=0)


def test_cached_pages_follow_writes_to_the_store(server):
    assert json.loads(get(server, "/story/s1.json")[2])["title"].startswith("Story")
    analysis = server.store.get_analysis("s1")
    server.store.put_analysis(replace(analysis, title="Renamed"))
    assert json.loads(get(server, "/story/s1.json")[2])["title"] == "Renamed"


def test_resaving_a_story_keeps_one_search_row(tmp_path):
    import numpy as np

    from newsprism.records import StoryState

    store = SQLiteStore(tmp_path / "s.db")
    centroid = np.ones(4, dtype=np.float32)
    for title in ["Harbour closes", "Harbour reopens", "Harbour reopens after storm"]:
        store.save_story(StoryState("s1", title, centroid, 1, None, None))
    store.save_story(StoryState("s2", "Harbour strike", centroid, 1, None, None))
    rows = store._query("SELECT story_id, title FROM search_stories ORDER BY story_id")
    assert [(r["story_id"], r["title"]) for r in rows] == [
        ("s1", "Harbour reopens after storm"),
        ("s2", "Harbour strike"),
    ]
    assert sorted(h.id for h in store.search("harbour") if h.kind == "story") == ["s1", "s2"]
    store.close()


def test_a_storyline_page_and_its_twin_show_the_events_in_time(server):
    store = server.store
    store.put_analysis(replace(store.get_analysis("s1"), story_id="s2", title="Second round", article_ids=()))
    store.save_story(
        StoryState("s2", "Second round", np.zeros(4, dtype=np.float32), 1, "2024-06-03", "2024-06-03")
    )
    store.link_stories("s2", "s1", 0.71, "mean score 0.71 <script>x</script>")
    (line,) = json.loads(get(server, "/index.json")[2])["storylines"]
    status, headers, body = get(server, "/storyline/" + line["id"])
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    html = body.decode()
    assert "<svg" in html and 'href="/story/s1"' in html and "<script>x" not in html
    page = json.loads(get(server, "/storyline/" + line["id"] + ".json")[2])
    assert page["page"] == "storyline" and [e["story_id"] for e in page["events"]] == ["s2", "s1"]
    assert get(server, "/storyline/nope")[0] == 404


def _cut_off_while_trickling(server, head: bytes) -> float:
    """Send `head`, then one byte every 0.25 s until the server closes the connection; seconds it took."""
    host, port = server.server_address[:2]
    started = time.monotonic()
    with socket.create_connection((host, port), timeout=10) as client:
        client.sendall(head)
        for _ in range(20):  # each wait is short, the whole is not
            time.sleep(0.25)
            try:
                client.sendall(b"X")
                if client.recv(1, socket.MSG_DONTWAIT) == b"":
                    return time.monotonic() - started
            except BlockingIOError:
                continue
            except OSError:
                return time.monotonic() - started
    raise AssertionError("the server kept a trickling connection open")


def test_a_client_trickling_its_headers_is_cut_off_at_the_deadline(server, monkeypatch):
    monkeypatch.setattr(web_server, "REQUEST_HEAD_DEADLINE_S", 1.0)
    assert _cut_off_while_trickling(server, b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n") < 3.0
    assert get(server, "/")[0] == 200  # the server goes on


def test_a_correction_whose_body_trickles_is_cut_off_at_the_deadline(server, monkeypatch):
    monkeypatch.setattr(web_server, "REQUEST_HEAD_DEADLINE_S", 1.0)
    head = (
        b"POST /correct HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
        b"Content-Length: 4000\r\n\r\n"
    )
    assert _cut_off_while_trickling(server, head) < 3.0
    assert get(server, "/")[0] == 200


def test_search_page_corrects_a_typo_filters_by_outlet_and_dates_its_hits(analysed_sample):
    store = SQLiteStore(analysed_sample["db"])
    try:
        page = views.search_page(store, "Harbni")
        assert page["corrected"] == "harbin" and page["articles"] and page["stories"]
        assert all(a["published"] is None or a["published"][:4] == "2024" for a in page["articles"])
        assert page["stories"][0]["first_date"].startswith("2024-05")
        outlet = page["articles"][0]["outlet"]
        kept = views.search_page(store, f'harbin outlet:"{outlet}"')
        assert kept["outlet"] == outlet and {a["outlet"] for a in kept["articles"]} == {outlet}
        assert views.search_page(store, "harbin outlet:nobody")["articles"] == []
        exact = views.search_page(store, "Harbin")
        assert exact["corrected"] is None and len(exact["articles"]) == len(page["articles"])
        html = render(views.search_page(store, "Harbni"), web=True)
        assert "showing results for “harbin”" in html
    finally:
        store.close()
