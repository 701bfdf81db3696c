"""Fetching over HTTP against a local server (allowed only with allow_private, as `--allow-private`)."""

from __future__ import annotations

import gzip
import ipaddress
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from newsprism import settings
from newsprism.ingest.fetch import FetchPolicy, fetch_documents, save_jsonl
from newsprism.ingest.readers import read_jsonl
from newsprism.records import RawDocument, Rejection

PAGE = (
    "<html><head><title>Tram line opens</title></head><body><article><h1>Tram line opens</h1>"
    + "".join(f"<p>Sentence {i} about the new tram line that opened on Monday.</p>" for i in range(5))
    + "</article></body></html>"
).encode()
FEED = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>City Wire</title>
<item><title>Tram line opens</title><link>/page</link><pubDate>Mon, 04 Mar 2024 09:00:00 +0100</pubDate>
<description>The new tram line opened on Monday with free rides all day.</description></item></channel></rss>"""
HITS: dict[str, int] = {}


class QuietServer(ThreadingHTTPServer):
    def handle_error(self, request, client_address) -> None:
        pass  # the fetcher hangs up on oversized pages on purpose; the broken pipe is expected


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args: object) -> None:  # keep test output quiet
        pass

    def _send(self, status: int, body: bytes, ctype: str = "text/html", extra: dict | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        HITS[self.path] = HITS.get(self.path, 0) + 1
        if self.path == "/robots.txt":
            self._send(200, b"User-agent: *\nDisallow: /private\n", "text/plain")
        elif self.path == "/page":
            self._send(200, PAGE)
        elif self.path == "/feed":
            self._send(200, FEED, "application/rss+xml")
        elif self.path == "/moved":
            self._send(302, b"", extra={"Location": "/page"})
        elif self.path == "/trickle":  # a byte now and then, never a timeout between two
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            for _ in range(40):
                self.wfile.write(b"x")
                self.wfile.flush()
                time.sleep(0.1)
        elif self.path == "/trickle-headers":  # the status line, then a header a byte at a time
            self.wfile.write(b"HTTP/1.1 200 OK\r\n")
            for _ in range(40):
                self.wfile.write(b"X")
                self.wfile.flush()
                time.sleep(0.1)
            self.wfile.write(b": y\r\nContent-Length: 0\r\n\r\n")
        elif self.path == "/to-bad-port":
            self._send(302, b"", extra={"Location": "http://127.0.0.1:99999/x"})
        elif self.path == "/to-private":
            self._send(302, b"", extra={"Location": "/private/x"})
        elif self.path == "/flaky":
            if HITS[self.path] < 2:
                self._send(503, b"busy")
            else:
                self._send(200, PAGE)
        elif self.path == "/bomb":
            body = gzip.compress(b"<p>" + b"a" * 5_000_000)
            self._send(200, body, extra={"Content-Encoding": "gzip"})
        elif self.path == "/huge":
            self._send(200, b"<p>" + b"x" * 3_000_000)
        else:
            self._send(404, b"missing")


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = QuietServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


@pytest.fixture(autouse=True)
def nothing_leaves_the_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    """A socket guard: any connection outside loopback fails the test instead of leaving the machine."""
    connect = socket.socket.connect

    def guarded(self: socket.socket, address: object) -> None:
        host = address[0] if isinstance(address, tuple) else ""
        if isinstance(host, str) and not ipaddress.ip_address(host.split("%", 1)[0]).is_loopback:
            raise AssertionError(f"a connection to {host} would have left the machine")
        return connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)


def resolving(monkeypatch: pytest.MonkeyPatch, answers: dict[str, list[str]]) -> None:
    """An injected resolver: each test host name answers with its next address (the last one repeats)."""
    real = socket.getaddrinfo

    def getaddrinfo(host: str, port: object, *args: object, **kwargs: object) -> list:
        if host not in answers:
            return real(host, port, *args, **kwargs)
        address = answers[host].pop(0) if len(answers[host]) > 1 else answers[host][0]
        family = socket.AF_INET6 if ":" in address else socket.AF_INET
        return [(family, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (address, int(port or 80)))]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


@pytest.fixture(autouse=True)
def fast() -> Iterator[None]:
    with settings.override(
        {"fetch_host_interval_s": 0.0, "fetch_backoff_s": 0.0, "fetch_max_bytes": 1_000_000}
    ):
        yield


def fetch(urls: list[str], **kw: object) -> list[RawDocument | Rejection]:
    return list(fetch_documents(urls, FetchPolicy(allow_private=True), **kw))  # type: ignore[arg-type]


def test_loopback_is_refused_without_the_flag(server: str) -> None:
    (rej,) = list(fetch_documents([f"{server}/page"], FetchPolicy()))
    assert isinstance(rej, Rejection) and "non-public address 127.0.0.1" in rej.reason
    assert "--allow-private" in rej.reason


def test_page_fetch_and_redirect(server: str) -> None:
    page, moved = fetch([f"{server}/page", f"{server}/moved"])
    assert isinstance(page, RawDocument) and page.kind == "html" and "tram line" in page.content
    assert isinstance(moved, RawDocument) and moved.hints["url"] == f"{server}/page"


def test_robots_txt_is_obeyed_also_after_a_redirect(server: str) -> None:
    direct, redirected = fetch([f"{server}/private/x", f"{server}/to-private"])
    assert isinstance(direct, Rejection) and "robots.txt" in direct.reason
    assert isinstance(redirected, Rejection) and "robots.txt" in redirected.reason


def test_retries_a_503_then_succeeds(server: str) -> None:
    (doc,) = fetch([f"{server}/flaky"])
    assert isinstance(doc, RawDocument) and HITS["/flaky"] == 2


def test_gzip_bomb_and_huge_page_are_refused(server: str) -> None:
    bomb, huge = fetch([f"{server}/bomb", f"{server}/huge"])
    assert isinstance(bomb, Rejection) and "gzip bomb" in bomb.reason
    assert isinstance(huge, Rejection) and "fetch_max_bytes" in huge.reason


def test_bad_scheme_and_404(server: str) -> None:
    ftp, missing = fetch(["ftp://example.org/x", f"{server}/nothing"])
    assert isinstance(ftp, Rejection) and "http" in ftp.reason
    assert isinstance(missing, Rejection) and "404" in missing.reason


def test_feed_url_entries_and_following_links(server: str, tmp_path: Path) -> None:
    (entry,) = fetch([f"{server}/feed"])
    assert isinstance(entry, RawDocument) and entry.kind == "text"
    assert entry.hints["outlet"] == "City Wire" and entry.hints["published"] == "2024-03-04T09:00:00+01:00"
    (page,) = fetch([f"{server}/feed"], follow_links=True)
    assert isinstance(page, RawDocument) and page.kind == "html" and page.hints["url"] == f"{server}/page"
    # saved as JSONL, the documents come back through the ordinary reader
    out = tmp_path / "fetched.jsonl"
    written, rejected = save_jsonl([entry, page, Rejection("x", "y")], out)
    assert written == 2 and len(rejected) == 1
    back = list(read_jsonl(out.read_bytes(), str(out)))
    assert [d.kind for d in back] == ["text", "html"] and back[1].hints["url"] == f"{server}/page"


def test_cli_fetch_writes_jsonl_and_names_refusals(server: str, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from newsprism.cli import main

    out = tmp_path / "f.jsonl"
    urls = tmp_path / "urls.txt"
    urls.write_text(f"{server}/page\n# a comment\n{server}/nothing\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["fetch", "--urls", str(urls), "--out", str(out), "--allow-private"])
    assert result.exit_code == 1, result.output
    assert "1 documents written" in result.output and "404" in result.output
    assert out.read_text(encoding="utf-8").count("\n") == 1


@pytest.mark.parametrize(
    "address",
    [
        "100.100.100.200",  # shared address space: a cloud metadata address
        "2002:7f00:1::",  # 6to4 form of 127.0.0.1
        "64:ff9b::a00:1",  # NAT64 form of 10.0.0.1
        "2001:0:4136:e378:8000:63bf:3fff:fdd2",  # Teredo
        "::ffff:192.168.0.1",
        "fec0::1",  # IPv6 site-local
        "192.88.99.1",  # 6to4 relay anycast
        "224.0.0.1",
    ],
)
def test_every_address_that_is_not_public_is_refused(address: str) -> None:
    from newsprism.errors import UnsupportedInput
    from newsprism.ingest.fetch import check_host

    with pytest.raises(UnsupportedInput, match="non-public address"):
        check_host(address, 80, f"http://[{address}]/" if ":" in address else f"http://{address}/", False)


def test_public_addresses_and_their_6to4_forms_are_allowed() -> None:
    import ipaddress

    from newsprism.ingest.fetch import is_public

    for address in ("8.8.8.8", "2606:2800:220:1:248:1893:25c8:1946", "2002:808:808::"):
        assert is_public(ipaddress.ip_address(address)), address


def test_a_redirect_to_an_impossible_port_is_one_rejection_and_the_batch_goes_on(server: str) -> None:
    bad, good = fetch([f"{server}/to-bad-port", f"{server}/page"])
    assert isinstance(bad, Rejection) and "not a usable URL" in bad.reason
    assert isinstance(good, RawDocument)


def test_headers_trickled_byte_by_byte_are_cut_off_at_the_deadline(server: str) -> None:
    with settings.override({"fetch_body_timeout_s": 1.0, "fetch_timeout_s": 2.0}):
        started = time.monotonic()
        slow, good = fetch([f"{server}/trickle-headers", f"{server}/page"])
    assert isinstance(slow, Rejection) and "took longer than 1 s to start" in slow.reason
    assert time.monotonic() - started < 4.0 and isinstance(good, RawDocument)


def test_a_body_trickled_byte_by_byte_is_cut_off_at_the_body_deadline(server: str) -> None:
    with settings.override({"fetch_body_timeout_s": 1.0, "fetch_timeout_s": 2.0}):
        slow, good = fetch([f"{server}/trickle", f"{server}/page"])
    assert isinstance(slow, Rejection) and "took longer than 1 s" in slow.reason
    assert isinstance(good, RawDocument)


class RobotsHandler(BaseHTTPRequestHandler):
    """A site whose robots.txt is served as `mode` says."""

    mode = "redirect"

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        if self.path == "/robots.txt" and self.mode == "redirect":
            self.send_response(301)
            self.send_header("Location", "/rules.txt")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if self.path == "/robots.txt":  # "huge": more than fetch_max_bytes
            body = b"# " + b"x" * 1_200_000 + b"\nUser-agent: *\nAllow: /\n"
        elif self.path == "/rules.txt":
            body = b"User-agent: *\nDisallow: /secret\n"
        else:
            body = PAGE
        self.send_response(200)
        self.send_header("Content-Type", "text/plain" if self.path.endswith(".txt") else "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.mark.parametrize("mode", ["redirect", "huge"])
def test_robots_txt_is_followed_through_redirects_and_one_that_cannot_be_read_disallows(mode: str) -> None:
    handler = type("Handler", (RobotsHandler,), {"mode": mode})
    httpd = QuietServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    try:
        secret, page = fetch([f"{base}/secret/plan", f"{base}/page"])
    finally:
        httpd.shutdown()
    assert isinstance(secret, Rejection) and "robots.txt" in secret.reason
    if mode == "redirect":  # the rules behind the redirect apply: only /secret is disallowed
        assert isinstance(page, RawDocument)
    else:  # rules that cannot be read disallow everything
        assert isinstance(page, Rejection) and "robots.txt" in page.reason


NOT_PUBLIC = [
    "127.0.0.1",
    "10.0.0.1",
    "169.254.169.254",
    "100.100.100.200",
    "2002:7f00:1::",
    "::1",
    "fec0::1",
]


@pytest.mark.parametrize("address", NOT_PUBLIC)
def test_a_name_that_resolves_to_an_address_that_is_not_public_is_refused_before_connecting(
    address: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    resolving(monkeypatch, {"news.test": [address]})
    (only,) = fetch_documents(["http://news.test/page"], FetchPolicy())
    assert isinstance(only, Rejection) and f"non-public address {address}" in only.reason


def test_a_name_that_rebinds_to_loopback_after_the_check_is_refused_at_the_connection(
    server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    port = server.rsplit(":", 1)[1]
    resolving(monkeypatch, {"rebind.test": ["93.184.215.14", "127.0.0.1"]})  # public for the check only
    hits = dict(HITS)
    (only,) = fetch_documents([f"http://rebind.test:{port}/page"], FetchPolicy(respect_robots=False))
    assert isinstance(only, Rejection) and "connected to the non-public address 127.0.0.1" in only.reason
    assert HITS == hits  # refused before a request was sent
