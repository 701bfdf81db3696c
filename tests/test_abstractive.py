"""The optional abstractive brief, against a real loopback HTTP server playing an OpenAI-compatible endpoint.

The server answers canned completions; the seed story supplies the sources every generated sentence is
checked against.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from newsprism import settings
from newsprism.brief import write_brief
from newsprism.brief.abstractive import (
    GeneratorError,
    LlamaCpp,
    OpenAICompatible,
    abstractive_brief,
    build_messages,
    make_generator,
    parse_reply,
    write_abstractive_brief,
)
from newsprism.claims import build_claims, support_score
from newsprism.errors import MissingExtra, SettingError

from .fixtures.claims import seed

# Facts the seed story states, reworded as a model would: "no limits" in 001 and 004 (one wire story, two
# rewrites), the trade record only in 003, the welcome ceremony in 001 and 004.
NO_LIMITS = 'China and Russia declared a "no limits" partnership in February 2022, shortly before Russia sent troops into Ukraine.'
TRADE = "Chinese-Russian trade reached a record $240 billion last year."
WELCOME = "Xi welcomed Putin at the Great Hall of the People in Beijing with a 21-gun salute."
AFGHANISTAN = "Russia and China said they would increase their partnership with Afghanistan."


class _Endpoint(BaseHTTPRequestHandler):
    """POST /v1/chat/completions; what it answers is `server.action`: (kind, payload)."""

    def do_POST(self) -> None:  # noqa: N802 (http.server's name)
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.server.requests.append(
            {"path": self.path, "headers": dict(self.headers), "body": json.loads(body)}
        )
        kind, payload = self.server.action
        if kind == "sleep":
            time.sleep(payload)
            kind, payload = "chat", "[]"
        if kind == "chat":
            reply = {"choices": [{"index": 0, "message": {"role": "assistant", "content": payload}}]}
            self._send(200, json.dumps(reply).encode(), "application/json")
        elif kind == "raw":
            self._send(200, payload, "text/html")
        elif kind == "status":
            self._send(payload, b'{"error": {"message": "model overloaded"}}', "application/json")
        elif kind == "redirect":
            self.send_response(302)
            self.send_header("Location", payload)
            self.send_header("Content-Length", "0")
            self.end_headers()

    def _send(self, code: int, body: bytes, ctype: str) -> None:
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:  # keep test output quiet
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:  # the timeout test's client hangs up: expected
        pass


@pytest.fixture(scope="module")
def endpoint():
    server = _Server(("127.0.0.1", 0), _Endpoint)
    server.requests = []
    server.action = ("chat", "[]")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture()
def serve(endpoint):
    """serve(kind, payload) -> a generator pointed at the loopback endpoint."""
    endpoint.requests.clear()

    def _serve(kind: str, payload, **kwargs) -> OpenAICompatible:
        endpoint.action = (kind, payload)
        return OpenAICompatible(f"http://127.0.0.1:{endpoint.server_port}/v1", "test-model", **kwargs)

    return _serve


@pytest.fixture(scope="module")
def story():
    material = seed.seed_material()
    groups, _ = build_claims(material, seed.wire_duplicates())
    return material, groups


@pytest.fixture(scope="module")
def extractive(story):
    material, groups = story
    return write_brief(material, groups)


def _reply(*items: tuple[str, list[str]]) -> str:
    return json.dumps({"sentences": [{"text": t, "cites": c} for t, c in items]})


def _check_evidence(material, brief) -> None:
    texts = {a.id: a.text for a in material.articles}
    threshold = settings.current().support_threshold
    for sentence in brief:
        assert sentence.citations
        assert set(sentence.citations) == {e.article_id for e in sentence.evidence}
        for ev in sentence.evidence:
            assert texts[ev.article_id][ev.start : ev.end] == ev.text
        # Each citation holds up under the score the summaries eval checks citations with.
        for aid in sentence.citations:
            best = max(support_score(sentence.text, e.text) for e in sentence.evidence if e.article_id == aid)
            assert best >= threshold, (sentence.text, aid)


def test_good_cited_brief_is_kept(story, serve, endpoint):
    material, groups = story
    generator = serve("chat", _reply((NO_LIMITS, ["001", "004"]), (TRADE, ["A3"])), api_key="sk-test")
    result = abstractive_brief(material, groups, generator)
    assert result.mode == "abstractive" and result.note is None
    assert [s.text for s in result.sentences] == [NO_LIMITS, TRADE]
    assert result.sentences[0].citations == ("001", "004")
    assert result.sentences[1].citations == ("003",)  # label A3 is article 003 (date order)
    assert "$240 billion" in result.sentences[1].evidence[0].text
    assert all(s.claim_id for s in result.sentences)
    _check_evidence(material, result.sentences)
    # What went over the wire: the chat request, the key as a bearer token, claims numbered as data.
    request = endpoint.requests[-1]
    assert request["path"] == "/v1/chat/completions"
    assert request["headers"]["Authorization"] == "Bearer sk-test"
    body = request["body"]
    assert body["model"] == "test-model" and body["temperature"] == 0
    data = json.loads(body["messages"][1]["content"].split("Story data:\n", 1)[1].rsplit("\n\n", 1)[0])
    assert [c["label"] for c in data["claims"][:3]] == ["C1", "C2", "C3"]
    assert {"id", "text", "status", "articles", "outlets"} <= set(data["claims"][0])
    assert "sk-test" not in repr(generator)


def test_unsupported_citation_is_removed_and_unsupported_sentence_dropped(story, serve):
    material, groups = story
    # 000 says nothing about trade; 002 says nothing about Afghanistan (only 000 does).
    reply = _reply((TRADE, ["003", "000"]), (AFGHANISTAN, ["002"]), (WELCOME, ["C999", "001"]))
    result = abstractive_brief(material, groups, serve("chat", reply))
    kept = {s.text: s for s in result.sentences}
    assert kept[TRADE].citations == ("003",)
    assert AFGHANISTAN not in kept
    assert kept[WELCOME].citations == ("001",)  # the unknown claim label is ignored
    reasons = {d.text: d.reason for d in result.dropped}
    assert "no cited article supports it" in reasons[AFGHANISTAN]
    assert "000" in reasons[TRADE] and "removed" in reasons[TRADE]
    _check_evidence(material, result.sentences)


def test_invented_figures_are_dropped(story, serve):
    material, groups = story
    reply = _reply(
        (TRADE.replace("240", "310"), ["003"]),
        ("Putin has met Xi more than 90 times since 2012.", ["003"]),
        ("Putin has met Xi more than 40 times since 2012.", ["003"]),
        (TRADE, ["003"]),
        ("Putin will attend the 7th Russia-China forum on interregional cooperation in Harbin.", ["003"]),
        ("Putin will attend the 4th Russia-China forum on interregional cooperation in Harbin.", ["003"]),
    )
    result = abstractive_brief(material, groups, serve("chat", reply))
    assert [s.text for s in result.sentences] == [
        "Putin has met Xi more than 40 times since 2012.",
        TRADE,
        "Putin will attend the 4th Russia-China forum on interregional cooperation in Harbin.",
    ]
    reasons = [d.reason for d in result.dropped]
    assert "figure 310 billion is in no cited source sentence" in reasons
    assert "figure 90 is in no cited source sentence" in reasons
    assert "figure 7 is in no cited source sentence" in reasons  # an ordinal the quantity parser skips
    _check_evidence(material, result.sentences)


def test_one_sides_loaded_words_are_dropped(story, serve):
    material, groups = story
    loaded = "The United States is an aggressive Cold War hegemon causing global chaos."
    quoted = 'Xi said "unilateral hegemony, bloc confrontation, and power politics" threaten world peace.'
    result = abstractive_brief(material, groups, serve("chat", _reply((loaded, ["004"]), (quoted, ["003"]))))
    assert [s.text for s in result.sentences] == [quoted]  # quoted and attributed: kept
    assert any(d.text == loaded and "loaded wording" in d.reason for d in result.dropped)


@pytest.mark.parametrize(
    ("kind", "payload", "message"),
    [
        ("chat", "I'm sorry, I cannot help with that.", "did not answer JSON"),
        ("chat", '{"sentences": [{"text": "unterminated', "not valid JSON"),
        ("chat", '{"answer": 42}', "no list of sentences"),
        ("chat", "[" * 5000 + "]" * 5000, "not valid JSON"),
        ("raw", b"<html><body>Welcome to nginx!</body></html>", "did not answer JSON"),
        ("status", 500, 'answered HTTP 500: {"error": {"message": "model overloaded"}}'),
        ("status", 401, "answered HTTP 401"),
        ("sleep", 3.0, "did not answer within 0.5 s"),
        ("redirect", "http://localhost:1/v1/chat/completions", "redirected to another host"),
        ("chat", _reply((AFGHANISTAN, ["002"])), "none of the model's 1 sentences held up"),
    ],
)
def test_failures_fall_back_to_the_extractive_brief(story, extractive, serve, caplog, kind, payload, message):
    material, groups = story
    with caplog.at_level(logging.WARNING, logger="newsprism"):
        result = abstractive_brief(material, groups, serve(kind, payload, timeout=0.5))
    assert result.mode == "extractive"
    assert message in result.note
    assert result.sentences == extractive
    assert any(message in r.getMessage() for r in caplog.records)


def test_unreachable_endpoint_and_raising_generator_fall_back(story, extractive):
    material, groups = story
    closed = OpenAICompatible("http://127.0.0.1:9/v1", "m", timeout=2)
    assert "cannot reach the LLM endpoint" in abstractive_brief(material, groups, closed).note

    class Broken:
        def complete(self, messages):
            raise RuntimeError("CUDA out of memory")

    result = abstractive_brief(material, groups, Broken())
    assert result.mode == "extractive" and "CUDA out of memory" in result.note
    assert write_abstractive_brief(material, groups, Broken()) == extractive


def test_markup_is_kept_as_text_and_output_is_capped(story, serve):
    material, groups = story
    marked = (
        "Xi Jinping said relations between China and Russia have become "
        '"a model of mutual respect and cooperation" <script>alert("x")</script>.'
    )
    too_long = "Putin and Xi met in Beijing and talked about many things " * 10 + "."
    items = [("**" + marked + "**", ["003"]), (too_long, ["003"])] + [(TRADE, ["003"])] * 3
    items += [(WELCOME, ["001"])] * 10
    result = abstractive_brief(material, groups, serve("chat", _reply(*items)))
    texts = [s.text for s in result.sentences]
    assert texts[0] == marked  # markdown emphasis stripped, HTML left for the report to escape
    assert texts == [marked, TRADE, WELCOME]  # repeats dropped
    reasons = [d.reason for d in result.dropped]
    assert "longer than 400 characters" in reasons
    assert reasons.count("repeats an earlier sentence") == 11
    with settings.override({"brief_max_sentences": 2}):
        capped = abstractive_brief(material, groups, serve("chat", _reply(*items)))
    assert len(capped.sentences) == 2
    assert any("over the 2-sentence limit" in d.reason for d in capped.dropped)
    # A reply or a response over its cap is refused before parsing.
    huge = _reply((TRADE + " " + "x" * 30_000, ["003"]))
    assert "over the 20000 cap" in abstractive_brief(material, groups, serve("chat", huge)).note
    small = serve("chat", _reply((TRADE, ["003"])), max_bytes=100)
    assert "cap" in abstractive_brief(material, groups, small).note


def test_parse_reply_is_defensive():
    fenced = 'Here is the brief:\n```json\n[{"text": "- The two leaders **met** in Beijing.", "cites": "A1, c1"}]\n```'
    assert [(d.text, d.cites) for d in parse_reply(fenced)] == [
        ("The two leaders met in Beijing.", ("a1", "c1"))
    ]
    inline = json.dumps({"brief": ["Xi hosted Putin for talks in Beijing [A2, C1].", {"no": "text"}, 7]})
    drafts = parse_reply(inline, known={"a2", "c1"})
    assert [(d.text, d.cites) for d in drafts] == [("Xi hosted Putin for talks in Beijing.", ("a2", "c1"))]
    # A bracket that is not a known citation stays in the text.
    assert (
        parse_reply('[{"text": "Trade grew [sic] fast.", "cites": []}]', {"a1"})[0].text
        == "Trade grew [sic] fast."
    )
    with pytest.raises(GeneratorError, match="not answer JSON"):
        parse_reply("no json here")
    with pytest.raises(GeneratorError, match="no list of sentences"):
        parse_reply('{"sentences": "one string"}')


def test_prompt_is_bounded_and_names_the_rules(story):
    material, groups = story
    with settings.override({"abstractive_max_claims": 5}):
        messages = build_messages(material, groups)
    assert [m["role"] for m in messages] == ["system", "user"]
    assert "JSON" in messages[0]["content"] and "cite" in messages[0]["content"].lower()
    data = json.loads(messages[1]["content"].split("Story data:\n", 1)[1].rsplit("\n\n", 1)[0])
    assert len(data["claims"]) == 5
    assert [a["id"] for a in data["articles"]] == [a.id for a in material.articles]
    assert max(c["independent_sources"] for c in data["claims"]) == max(g.independent_sources for g in groups)


def test_generator_options(monkeypatch, tmp_path):
    assert make_generator() is None
    with pytest.raises(SettingError, match="not both"):
        make_generator(endpoint="http://localhost:8080/v1", gguf="m.gguf")
    with pytest.raises(SettingError, match="need --llm-endpoint"):
        make_generator(model="m")
    monkeypatch.delenv("NEWSPRISM_TEST_KEY", raising=False)
    with pytest.raises(SettingError, match="NEWSPRISM_TEST_KEY"):
        make_generator("http://localhost:8080/v1", "m", api_key_env="NEWSPRISM_TEST_KEY")
    monkeypatch.setenv("NEWSPRISM_TEST_KEY", "k")
    gen = make_generator("http://localhost:8080/v1/", "m", api_key_env="NEWSPRISM_TEST_KEY")
    assert gen.url == "http://localhost:8080/v1/chat/completions"
    with pytest.raises(SettingError, match="not an http"):
        OpenAICompatible("file:///etc/passwd", "m")
    with pytest.raises(SettingError, match="model name"):
        OpenAICompatible("http://localhost:8080/v1", " ")


def test_llama_cpp_missing_names_the_package(tmp_path):
    # llama-cpp-python is not a dependency; where someone has installed it, the missing file is named instead.
    try:
        import llama_cpp  # noqa: F401
    except ImportError:
        with pytest.raises(MissingExtra, match="pip install 'llama-cpp-python'"):
            LlamaCpp(tmp_path / "model.gguf")
    else:
        with pytest.raises(SettingError, match="does not exist"):
            LlamaCpp(tmp_path / "model.gguf")


def test_cli_analyze_with_an_endpoint_writes_a_verified_brief(endpoint, tmp_path):
    """`newsprism analyze --llm-endpoint`: the model's sentence survives with the one citation that supports it,
    report.json says which mode wrote the brief, and a failing endpoint falls back without failing the run."""
    from pathlib import Path

    from click.testing import CliRunner

    from newsprism.cli import main

    sample = Path(__file__).resolve().parent.parent / "examples" / "seed-story"
    url = f"http://127.0.0.1:{endpoint.server_port}/v1"
    endpoint.action = ("chat", _reply((TRADE, ["A1", "A2", "A3", "A4", "A5"])))
    out = tmp_path / "report"
    args = ["analyze", str(sample), "--db", str(tmp_path / "n.db"), "--out", str(out), "--quiet"]
    result = CliRunner().invoke(main, [*args, "--llm-endpoint", url, "--llm-model", "m"])
    assert result.exit_code == 0, result.output
    report = json.loads((out / "report.json").read_text())
    (story,) = report["stories"]
    assert story["brief_mode"] == "abstractive"
    assert [s["text"] for s in story["brief"]] == [TRADE]
    (cited,) = story["brief"][0]["citations"]
    assert "$240 billion" in next(a for a in report["articles"] if a["id"] == cited)["text"]
    from newsprism.report.html import page_id

    assert "Written by a language model" in (out / f"story-{page_id(story['id'])}.html").read_text()

    endpoint.action = ("status", 500)
    out2 = tmp_path / "report2"
    args = ["analyze", str(sample), "--db", str(tmp_path / "m.db"), "--out", str(out2), "--quiet"]
    result = CliRunner().invoke(main, [*args, "--llm-endpoint", url, "--llm-model", "m"])
    assert result.exit_code == 0, result.output
    (story,) = json.loads((out2 / "report.json").read_text())["stories"]
    assert story["brief_mode"] == "extractive" and "500" in story["brief_note"]
    assert story["brief"]
