"""Polite, safe HTTP fetching of article pages and feeds -> RawDocuments.

Polite: robots.txt is obeyed (per host, cached), requests to one host are spaced by `fetch_host_interval_s`,
transient failures (connection errors, 429, 5xx) are retried with exponential backoff (a server's
Retry-After is honoured up to a cap), and every request names itself with a User-Agent.
Safe: only http(s); every hop's host is resolved and refused when any address is loopback, private,
link-local, multicast or reserved (unless `allow_private`, which tests use for a local server); redirects
are followed by hand so each target is checked again; a body is read in chunks and refused past
`fetch_max_bytes` after decompression, so a gzip bomb or a 100 MB page stops early with a clear reason.

A name can resolve differently between that check and the connection (DNS rebinding), so the address each
connection actually reached is checked again before a byte is sent. The whole answer, its headers as well as
its body, must arrive within `fetch_body_timeout_s`, however slowly it trickles.
"""

from __future__ import annotations

import ipaddress
import json
import socket
import threading
import time
import urllib.robotparser
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import SplitResult, urljoin, urlsplit

from .. import __version__, settings
from ..errors import InputError, TooLarge, UnsupportedInput
from ..records import RawDocument, Rejection
from .decode import decode
from .feeds import entry_document, looks_like_feed

_RETRY_STATUS = frozenset({429, 500, 502, 503, 504})
_REDIRECT_STATUS = frozenset({301, 302, 303, 307, 308})
_MAX_RETRY_AFTER_S = 60.0


@dataclass(frozen=True)
class FetchPolicy:
    """How to fetch; the defaults come from settings.py (fetch_*)."""

    allow_private: bool = False
    respect_robots: bool = True
    user_agent: str = field(default_factory=lambda: f"newsprism/{__version__} (+offline news analysis)")
    timeout_s: float = field(default_factory=lambda: settings.current().fetch_timeout_s)
    body_timeout_s: float = field(default_factory=lambda: settings.current().fetch_body_timeout_s)
    max_bytes: int = field(default_factory=lambda: settings.current().fetch_max_bytes)
    retries: int = field(default_factory=lambda: settings.current().fetch_retries)
    backoff_s: float = field(default_factory=lambda: settings.current().fetch_backoff_s)
    host_interval_s: float = field(default_factory=lambda: settings.current().fetch_host_interval_s)
    max_redirects: int = 5


@dataclass(frozen=True)
class Fetched:
    url: str  # the final URL after redirects
    status: int
    content_type: str
    body: bytes
    language: str = ""  # the Content-Language header: the server's word on the page's language


class Fetcher:
    """One fetching session: a connection pool, robots.txt cache and per-host clock."""

    def __init__(self, policy: FetchPolicy | None = None):
        import urllib3

        self.policy = policy or FetchPolicy()
        self._pool = urllib3.PoolManager(
            headers={"User-Agent": self.policy.user_agent, "Accept-Encoding": "gzip, deflate"},
            retries=False,
            timeout=urllib3.Timeout(connect=self.policy.timeout_s, read=self.policy.timeout_s),
        )
        self._pool.pool_classes_by_scheme = _guarded_pools(
            check_peer=not self.policy.allow_private, head_timeout_s=self.policy.body_timeout_s
        )
        self._robots: dict[str, urllib.robotparser.RobotFileParser | None] = {}
        self._last: dict[str, float] = {}

    # ------------------------------------------------------------ public

    def get(self, url: str) -> Fetched:
        """GET a URL under the policy; raises an InputError subclass whose cause says why it was refused."""
        parts = self._check_url(url)  # the URL's own reason for a refusal comes before robots.txt's
        if self.policy.respect_robots and not self._allowed(url):
            raise UnsupportedInput(url, "robots.txt of the site disallows fetching this page; not fetched")
        current = url
        for _ in range(self.policy.max_redirects + 1):
            result = self._get_once(current, parts)
            if result.status in _REDIRECT_STATUS:
                target = result.content_type  # _get_once returns the Location here
                current = urljoin(current, target)
                parts = self._check_url(current)
                if self.policy.respect_robots and not self._allowed(current):
                    raise UnsupportedInput(url, f"redirects to {current}, which robots.txt disallows")
                continue
            if result.status >= 400:
                raise InputError(url, f"server answered HTTP {result.status}; check the URL")
            return result
        raise InputError(url, f"more than {self.policy.max_redirects} redirects; not followed further")

    # ------------------------------------------------------------ internals

    def _get_once(self, url: str, parts: SplitResult | None = None) -> Fetched:
        """One hop with retries; a redirect comes back as status 3xx with its Location in content_type.
        `parts`: the URL as `_check_url` passed it (checked once, its host resolved once), else checked here."""
        import urllib3

        if parts is None:
            parts = self._check_url(url)
        attempt = 0
        while True:
            self._wait_turn(parts.hostname)
            try:
                resp = self._pool.request("GET", url, redirect=False, preload_content=False)
            except urllib3.exceptions.HTTPError as exc:
                if attempt >= self.policy.retries:
                    raise InputError(
                        url, f"cannot be fetched ({type(exc).__name__}) after {attempt + 1} tries"
                    ) from None
                self._sleep_backoff(attempt, None)
                attempt += 1
                continue
            try:
                if resp.status in _RETRY_STATUS and attempt < self.policy.retries:
                    self._sleep_backoff(attempt, resp.headers.get("Retry-After"))
                    attempt += 1
                    continue
                if resp.status in _REDIRECT_STATUS:
                    location = resp.headers.get("Location")
                    if not location:
                        raise InputError(url, f"HTTP {resp.status} redirect without a Location header")
                    return Fetched(url, resp.status, location, b"")
                body = self._read_capped(resp, url)
                return Fetched(
                    url,
                    resp.status,
                    resp.headers.get("Content-Type", ""),
                    body,
                    resp.headers.get("Content-Language", ""),
                )
            finally:
                resp.release_conn()

    def _check_url(self, url: str) -> SplitResult:
        """Refuse a URL that is not http(s), has no usable port, or names a host that is not public."""
        try:
            parts = urlsplit(url)
            port = parts.port  # raises for a port that is not a number from 0 to 65535
        except ValueError as exc:
            raise UnsupportedInput(url, f"not a usable URL ({exc}); not fetched") from None
        if parts.scheme not in {"http", "https"} or not parts.hostname:
            raise UnsupportedInput(url, "only http:// and https:// URLs are fetched")
        check_host(parts.hostname, port, url, self.policy.allow_private)
        return parts

    def _read_capped(self, resp: Any, url: str) -> bytes:
        import urllib3

        cap = self.policy.max_bytes
        declared = resp.headers.get("Content-Length")
        if declared and declared.isdigit() and int(declared) > cap:
            raise TooLarge(
                url, f"page declares {int(declared):,} bytes, over fetch_max_bytes={cap:,}; not fetched"
            )
        out = bytearray()
        # The read timeout bounds each wait, not the whole body: a server sending a byte now and then would
        # hold the fetch forever. A watchdog cuts the connection when the body's time is up.
        limit = self.policy.body_timeout_s
        too_slow = InputError(
            url, f"the page took longer than {limit:g} s to arrive (fetch_body_timeout_s); not fetched"
        )
        with _cut_after(limit, resp.shutdown) as expired:
            try:
                for chunk in resp.stream(65_536, decode_content=True):
                    out += chunk
                    if len(out) > cap:
                        raise TooLarge(
                            url,
                            f"page inflates past fetch_max_bytes={cap:,} bytes (a huge page or a gzip bomb); "
                            "refused",
                        )
            except urllib3.exceptions.DecodeError as exc:
                if expired.is_set():
                    raise too_slow from None
                raise InputError(url, f"compressed body cannot be decoded ({exc}); refused") from None
            except (urllib3.exceptions.ProtocolError, urllib3.exceptions.ReadTimeoutError, OSError) as exc:
                if expired.is_set():
                    raise too_slow from None
                raise InputError(url, f"connection broke while reading ({type(exc).__name__})") from None
        if expired.is_set():  # a body without a length just ends when the connection is cut
            raise too_slow
        return bytes(out)

    def _wait_turn(self, host: str) -> None:
        """Space requests to one host by host_interval_s (a crawler courtesy most sites ask for)."""
        last = self._last.get(host)
        if last is not None:
            delay = self.policy.host_interval_s - (time.monotonic() - last)
            if delay > 0:
                time.sleep(delay)
        self._last[host] = time.monotonic()

    def _sleep_backoff(self, attempt: int, retry_after: str | None) -> None:
        delay = self.policy.backoff_s * (2**attempt)
        if retry_after and retry_after.strip().isdigit():
            delay = max(delay, float(retry_after))
        time.sleep(min(delay, _MAX_RETRY_AFTER_S))

    def _allowed(self, url: str) -> bool:
        parts = urlsplit(url)
        base = f"{parts.scheme}://{parts.netloc}"
        if base not in self._robots:
            self._robots[base] = self._load_robots(base)
        parser = self._robots[base]
        return True if parser is None else parser.can_fetch(self.policy.user_agent, url)

    def _load_robots(self, base: str) -> urllib.robotparser.RobotFileParser | None:
        """The site's robots.txt as RFC 9309 asks: followed through up to five redirects; a missing one (4xx,
        or more redirects than that) allows everything; one that cannot be had (5xx, a network failure, a
        body too large or too slow to read) disallows everything, since its rules are unknown."""
        parser = urllib.robotparser.RobotFileParser()
        url = base + "/robots.txt"
        try:
            for _ in range(6):
                got = self._get_once(url)
                if got.status not in _REDIRECT_STATUS:
                    break
                url = urljoin(url, got.content_type)  # _get_once returns the Location here
            else:
                return None
        except InputError:
            parser.disallow_all = True
            return parser
        if got.status >= 500:
            parser.disallow_all = True
        elif got.status >= 400:
            return None
        else:
            parser.parse(got.body.decode("utf-8", errors="replace").splitlines())
        return parser


# Not global, though the ipaddress module of some Pythons says so: the 6to4 relay anycast (RFC 7526).
_NOT_GLOBAL = (ipaddress.ip_network("192.88.99.0/24"),)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")  # the last 32 bits are an IPv4 address


def _with_embedded(addr: ipaddress.IPv4Address | ipaddress.IPv6Address) -> list[Any]:
    """The address and every IPv4 address an IPv6 one carries (mapped, 6to4, Teredo, NAT64): any of them may
    be where the packets go."""
    out: list[Any] = [addr]
    if isinstance(addr, ipaddress.IPv6Address):
        out += [a for a in (addr.ipv4_mapped, addr.sixtofour) if a is not None]
        out += list(addr.teredo or ())
        if addr in _NAT64:
            out.append(ipaddress.IPv4Address(int(addr) & 0xFFFFFFFF))
    return out


def is_public(addr: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Global unicast, and so is every IPv4 address it carries (shared address space 100.64.0.0/10, which
    holds a cloud metadata address, is not; nor is IPv6 site-local fec0::/10)."""
    return all(
        a.is_global
        and not a.is_multicast
        and not (isinstance(a, ipaddress.IPv6Address) and a.is_site_local)
        and not any(a in net for net in _NOT_GLOBAL if net.version == a.version)
        for a in _with_embedded(addr)
    )


@contextmanager
def _cut_after(seconds: float, cut: Callable[[], None]) -> Iterator[threading.Event]:
    """A watchdog over the block: after `seconds` it sets the event it yields and calls `cut` (which closes
    the connection the block is reading), so a read timeout that bounds one wait cannot be stretched for
    ever by a peer sending a byte now and then."""
    expired = threading.Event()

    def expire() -> None:
        expired.set()
        cut()

    watchdog = threading.Timer(seconds, expire)
    watchdog.daemon = True
    watchdog.start()
    try:
        yield expired
    finally:
        watchdog.cancel()


def _guarded(connection_class: type, check_peer: bool, head_timeout_s: float) -> type:
    """`connection_class` that refuses a peer that is not a public address (`check_peer`: the name may have
    resolved differently for check_host), and cuts a response whose status line and headers have not all
    arrived within `head_timeout_s` (the read timeout bounds one wait only, so a server trickling its
    headers a byte at a time would hold the fetch for ever)."""

    class Guarded(connection_class):  # type: ignore[misc, valid-type]
        def _new_conn(self) -> socket.socket:
            sock = super()._new_conn()
            peer = ipaddress.ip_address(sock.getpeername()[0].split("%", 1)[0])
            if check_peer and not is_public(peer):
                sock.close()
                # not an urllib3 error: nothing retries it, and the fetch is refused with this reason
                raise UnsupportedInput(
                    self.host, f"host {self.host} connected to the non-public address {peer}; refused"
                )
            return sock

        def getresponse(self, *args: Any, **kwargs: Any) -> Any:
            too_slow = InputError(
                self.host,
                f"the server's answer took longer than {head_timeout_s:g} s to start (fetch_body_timeout_s);"
                " not fetched",
            )
            with _cut_after(head_timeout_s, self._cut_socket) as expired:
                try:
                    response = super().getresponse(*args, **kwargs)
                except Exception:
                    if expired.is_set():
                        raise too_slow from None
                    raise
            if expired.is_set():  # cut mid-headers, what arrived can parse as a (broken) answer
                raise too_slow
            return response

        def _cut_socket(self) -> None:
            try:
                self.sock.shutdown(socket.SHUT_RDWR)
            except (AttributeError, OSError):
                pass  # already closed

    return Guarded


def _guarded_pools(check_peer: bool, head_timeout_s: float) -> dict[str, type]:
    from urllib3.connection import HTTPConnection, HTTPSConnection
    from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

    return {
        "http": type(
            "GuardedHTTPPool",
            (HTTPConnectionPool,),
            {"ConnectionCls": _guarded(HTTPConnection, check_peer, head_timeout_s)},
        ),
        "https": type(
            "GuardedHTTPSPool",
            (HTTPSConnectionPool,),
            {"ConnectionCls": _guarded(HTTPSConnection, check_peer, head_timeout_s)},
        ),
    }


def check_host(host: str, port: int | None, url: str, allow_private: bool) -> None:
    """Refuse hosts that resolve to any address that is not public (is_public)."""
    try:
        infos = socket.getaddrinfo(host, port or 80, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as exc:
        raise InputError(url, f"host {host!r} does not resolve ({exc}); check the URL") from None
    if allow_private:
        return
    for info in infos:
        addr = ipaddress.ip_address(info[4][0].split("%", 1)[0])
        if not is_public(addr):
            raise UnsupportedInput(
                url,
                f"host {host} resolves to the non-public address {addr}; refused "
                "(pass --allow-private to fetch from your own network)",
            )


def fetch_documents(
    urls: Iterable[str], policy: FetchPolicy | None = None, follow_links: bool = False
) -> Iterator[RawDocument | Rejection]:
    """Fetch each URL: an HTML page becomes one document, a feed one document per entry.

    With `follow_links`, a feed entry's linked page is fetched instead of the entry's own text (feeds often
    carry a summary only). Every failure is a Rejection naming the URL and the reason.
    """
    fetcher = Fetcher(policy)
    for raw_url in urls:
        url = raw_url.strip()
        if not url or url.startswith("#"):
            continue
        try:
            got = fetcher.get(url)
        except InputError as exc:
            yield Rejection(input=url, reason=exc.cause)
            continue
        ctype = got.content_type.lower()
        if "xml" in ctype or "rss" in ctype or "atom" in ctype or looks_like_feed(got.body):
            yield from _feed_documents(fetcher, got, follow_links)
        elif "html" in ctype or not ctype:
            try:
                content = decode(got.body, got.url, html=True)
            except InputError as exc:
                yield Rejection(input=url, reason=exc.cause)
                continue
            hints = {"url": got.url, **({"language": got.language} if got.language else {})}
            yield RawDocument(source=got.url, kind="html", content=content, hints=hints)
        else:
            yield Rejection(input=url, reason=f"content type {ctype.split(';')[0]} is not a page or a feed")


def _feed_documents(fetcher: Fetcher, got: Fetched, follow_links: bool) -> Iterator[RawDocument | Rejection]:
    import feedparser

    try:
        parsed = feedparser.parse(decode(got.body, got.url, html=True))
    except InputError as exc:
        yield Rejection(input=got.url, reason=exc.cause)
        return
    outlet = (parsed.feed.get("title") or "").strip() or None
    language = parsed.feed.get("language") or got.language or None
    for n, entry in enumerate(parsed.entries, start=1):
        where = f"{got.url}#entry-{n}"
        doc = entry_document(entry, where, outlet, language)
        link = entry.get("link")
        if follow_links and link:
            try:
                page = fetcher.get(urljoin(got.url, link))
                content = decode(page.body, page.url, html=True)
            except InputError as exc:
                yield Rejection(input=link, reason=exc.cause)
                continue
            hints = dict(doc.hints) if doc else {}
            hints["url"] = page.url
            if page.language:
                hints["language"] = page.language
            yield RawDocument(source=page.url, kind="html", content=content, hints=hints)
        elif doc is None:
            yield Rejection(
                input=where, reason="feed entry has no content or summary text; nothing to analyse"
            )
        else:
            yield doc


def save_jsonl(docs: Iterable[RawDocument | Rejection], path: str | Path) -> tuple[int, list[Rejection]]:
    """Write documents as JSONL lines `newsprism analyze` reads back ({url, title, ..., html|text}).

    Returns (documents written, rejections) so the caller can report both.
    """
    written = 0
    rejections: list[Rejection] = []
    with Path(path).open("w", encoding="utf-8") as fh:
        for doc in docs:
            if isinstance(doc, Rejection):
                rejections.append(doc)
                continue
            record = {**doc.hints, doc.kind: doc.content}
            record.setdefault("url", doc.source)
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
            written += 1
    return written, rejections
