"""The local web app: the report's page views served over HTTP, each page also at a `.json` twin.

Standard library only (`http.server.ThreadingHTTPServer`): the app is local and reads with GET; its one
write is an editor's correction (POST /correct, /undo), accepted only from a browser that opened the
/unlock link `serve` printed (an HttpOnly SameSite=Strict cookie) and only with the token its own pages put
in each form. A framework would add dependencies without removing code. One view function per page
(`report.views`) feeds both renderings: `/story/ID` renders the dict that `/story/ID.json` returns.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
import secrets
import socket
import threading
from collections import OrderedDict
from collections.abc import Callable
from http import HTTPStatus
from http.cookies import CookieError, SimpleCookie
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlsplit

from .. import corrections
from ..errors import NewsprismError, StoreError, UnknownStory
from ..report import views
from ..report.export import by_suffix, export_name, export_stories
from ..report.html import STATIC_FILES, WebUrls, render, render_feed, static_asset
from ..store import POSTGRES_SCHEMES, Store, open_store

log = logging.getLogger("newsprism.web")
MAX_QUERY_FIELDS = 10  # the index reads five (its filters)

# Scripts and styles only from this server, nothing inline, no frames, forms only to ourselves.
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self';"
    " base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}
MAX_URL_CHARS = 2048  # longer request targets get 414; no page needs more
MAX_BODY_BYTES = 0  # a GET's body is refused unread
MAX_FORM_BYTES = 8192  # a correction form (POST /correct, /undo)
MAX_FORM_FIELDS = 300  # a split names each article that leaves; the byte cap bounds it first
EDIT_COOKIE = "newsprism_edit"
REQUEST_TIMEOUT_S = 15  # a client that stalls mid-request loses its thread after this
# A request line and headers must arrive within this, however they trickle: REQUEST_TIMEOUT_S bounds one wait
# only, so a client sending a byte every few seconds would otherwise hold its thread for ever.
REQUEST_HEAD_DEADLINE_S = 20.0
LOOPBACK_NAMES = {"localhost", "127.0.0.1", "::1"}
# a story's downloads: /story/ID/export.md, export.claims.csv, export.quotes.csv, export.json
_EXPORT_PATH = re.compile(r"/story/(?P<story>[^/]+)/export\.(?P<suffix>[a-z.]+)")
CACHE_PAGES = 256  # rendered pages kept until the store changes (a story page takes ~100 ms to build)


class _Redirect(Exception):
    def __init__(self, location: str):
        super().__init__(location)
        self.location = location


class NewsprismServer(ThreadingHTTPServer):
    """A threaded HTTP server bound to one store. `url` is where it listens."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, store: Store, host: str = "127.0.0.1", port: int = 8000):
        self.store = store
        self.allowed_hosts = _allowed_hosts(host)
        self._cache: OrderedDict[tuple, tuple[bytes, str]] = OrderedDict()
        self._cache_lock = threading.Lock()
        self._cache_version: Any = None
        self._store_key: str | None = None
        # Corrections need this token, printed at start: `/unlock?token=...` sets it as a cookie in the
        # editor's browser, and each correction form carries it too, so no other page can forge a write.
        self.edit_token = secrets.token_urlsafe(24)
        super().__init__((host, port), _Handler)

    def cached(self, key: tuple) -> tuple[bytes, str] | None:
        """A page rendered earlier, if the store has not changed since (pages are pure functions of it)."""
        version = self.store.data_version()
        with self._cache_lock:
            if version != self._cache_version:
                self._cache.clear()
                self._cache_version = version
                return None
            hit = self._cache.get(key)
            if hit is not None:
                self._cache.move_to_end(key)
            return hit

    def remember(self, key: tuple, value: tuple[bytes, str]) -> None:
        with self._cache_lock:
            self._cache[key] = value
            while len(self._cache) > CACHE_PAGES:
                self._cache.popitem(last=False)

    def store_key(self) -> str:
        """A name for this store that stays the same across restarts (a feed's id): from its first run."""
        first = self.store.runs()[-1:] if self._store_key is None else None
        if first:
            digest = hashlib.blake2b(first[0].started_at.encode(), digest_size=8).hexdigest()
            self._store_key = f"urn:newsprism:store:{digest}"
        return self._store_key or "urn:newsprism:store:new"

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        shown = f"[{host}]" if ":" in str(host) else host
        return f"http://{shown}:{port}"

    def start_background(self) -> threading.Thread:
        """Serve on a daemon thread (tests, benchmarks); stop with `shutdown()` then `server_close()`."""
        thread = threading.Thread(target=self.serve_forever, name="newsprism-web", daemon=True)
        thread.start()
        return thread


def _allowed_hosts(host: str) -> set[str] | None:
    """Host header names accepted: a loopback server answers only to loopback names (DNS rebinding guard)."""
    if host in {"", "0.0.0.0", "::"}:
        return None  # the user chose to listen everywhere
    if host in LOOPBACK_NAMES or host.startswith("127."):
        return LOOPBACK_NAMES | {host}
    return {host}


def route(store: Store, path: str, query: dict[str, list[str]]) -> dict[str, Any]:
    """The page dict for a path (without its `.json` suffix). Raises views.NotFound or _Redirect."""
    parts = [unquote(p) for p in path.strip("/").split("/")] if path.strip("/") else []
    if parts in ([], ["index"]):
        return views.index_page(store, views.StoryFilter.from_query(query))
    if len(parts) == 2 and parts[0] == "outlet":
        return views.outlet_page(store, parts[1])
    if parts == ["rejected"]:
        return views.rejected_page(store)
    if parts == ["corrections"]:
        return views.corrections_page(store)
    if parts == ["changes"]:
        return views.changes_page(store, (query.get("since") or [None])[0], (query.get("story") or [None])[0])
    if parts == ["search"]:
        return views.search_page(store, (query.get("q") or [""])[0])
    if len(parts) == 2 and parts[0] == "story":
        try:
            return views.story_page(store, parts[1])
        except views.Moved as moved:
            raise _Redirect(f"/story/{quote(moved.story_id, safe='')}") from None
    if len(parts) == 2 and parts[0] == "article":
        return views.article_page(store, parts[1])
    if len(parts) == 2 and parts[0] == "storyline":
        return views.storyline_page(store, parts[1])
    raise views.NotFound(path)


class _Handler(BaseHTTPRequestHandler):
    server: NewsprismServer
    server_version = "newsprism"
    sys_version = ""
    protocol_version = "HTTP/1.1"  # keep-alive: every response carries Content-Length
    timeout = REQUEST_TIMEOUT_S

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (stdlib signature)
        log.debug("%s " + format, self.address_string(), *args)

    def handle_one_request(self) -> None:
        # The watchdog closes the connection if the request's head is not in by the deadline; parse_request
        # stops it once the headers are read (an idle keep-alive connection is closed by it too).
        self._watchdog = threading.Timer(REQUEST_HEAD_DEADLINE_S, self._cut_off)
        self._watchdog.daemon = True
        self._watchdog.start()
        try:
            super().handle_one_request()
        finally:
            self._watchdog.cancel()

    def parse_request(self) -> bool:
        parsed = super().parse_request()
        self._watchdog.cancel()
        return parsed

    def _cut_off(self) -> None:
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass  # already closed

    # ------------------------------------------------------------ methods

    def do_GET(self) -> None:
        self._serve(head=False)

    def do_HEAD(self) -> None:
        self._serve(head=True)

    def _refuse_method(self) -> None:
        self.close_connection = True
        self._send_error(
            HTTPStatus.METHOD_NOT_ALLOWED, "Only GET and HEAD are served.", {"Allow": "GET, HEAD"}
        )

    do_PUT = do_DELETE = do_PATCH = do_OPTIONS = _refuse_method

    def do_POST(self) -> None:
        """A correction (`/correct`) or its undoing (`/undo`), from the forms an unlocked browser shows."""
        self._head = False
        self.close_connection = True  # a write is one request per connection
        if not self._host_allowed():
            return self._send_error(HTTPStatus.MISDIRECTED_REQUEST, "Unknown Host header.")
        path = urlsplit(self.path).path if len(self.path) <= MAX_URL_CHARS else ""
        if path not in {"/correct", "/undo"}:
            return self._send_error(
                HTTPStatus.METHOD_NOT_ALLOWED, "Only corrections are posted.", {"Allow": "GET, HEAD"}
            )
        # Our pages send no referrer, so a browser posts their forms with "Origin: null"; any other origin is
        # another site's page (which could hold neither the SameSite cookie nor the form's token anyway).
        origin = self.headers.get("Origin")
        if origin not in (None, "null") and urlsplit(origin).netloc != (self.headers.get("Host") or ""):
            return self._send_error(HTTPStatus.FORBIDDEN, "A correction must come from this app's own pages.")
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if not 0 <= length <= MAX_FORM_BYTES or self.headers.get("Transfer-Encoding"):
            return self._send_error(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "A correction form is small.")
        if (self.headers.get("Content-Type") or "").split(";")[
            0
        ].strip() != "application/x-www-form-urlencoded":
            return self._send_error(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, "Send the correction form as a form.")
        # the body too must arrive within the deadline, however it trickles
        deadline = threading.Timer(REQUEST_HEAD_DEADLINE_S, self._cut_off)
        deadline.daemon = True
        deadline.start()
        try:
            body = self.rfile.read(length)
        except OSError:
            return None  # cut off: nothing to answer on a closed connection
        finally:
            deadline.cancel()
        if len(body) != length:
            return None  # the client went away (or was cut off) mid-body
        try:
            fields = parse_qs(body.decode("utf-8"), max_num_fields=MAX_FORM_FIELDS)
            form = {k: v[0] for k, v in fields.items()}
        except (ValueError, UnicodeDecodeError):
            return self._send_error(HTTPStatus.BAD_REQUEST, "Malformed form.")
        if not (self._unlocked() and hmac.compare_digest(form.get("token", ""), self.server.edit_token)):
            return self._send_error(
                HTTPStatus.FORBIDDEN,
                "Corrections need the token `newsprism serve` printed: open its /unlock link in this browser.",
            )
        try:
            back = self._write(path, form, fields.get("article", []))
        except (NewsprismError, ValueError) as exc:
            return self._send_error(HTTPStatus.BAD_REQUEST, f"The correction was not made: {exc}")
        except Exception as exc:  # a bug: answer 500, keep serving, log the cause
            log.exception("error on POST %s: %s", path, exc)
            return self._send_error(HTTPStatus.INTERNAL_SERVER_ERROR, "The correction could not be made.")
        self._send(
            HTTPStatus.SEE_OTHER, f"See {back}\n".encode(), "text/plain; charset=utf-8", {"Location": back}
        )

    def _write(self, path: str, form: dict[str, str], articles: list[str]) -> str:
        """Make the correction a form asks for (`articles`: every article it names, for a split); the page
        to go back to."""
        store = self.server.store
        author = "web app"
        note = form.get("note", "")
        if path == "/undo":
            corrections.undo(store, _form_number(form))
            return "/corrections"
        story = form.get("story", "")
        kind = form.get("kind")
        if kind == "speaker":
            name = None if form.get("remove") else form.get("name", "")
            if name is not None and not name.strip():
                raise ValueError("type the speaker's name, or choose No speaker")
            fix = corrections.speaker_fix(store, story, _form_number(form), name, note, author)
        elif kind == "contradiction":
            fix = corrections.contradiction_fix(store, story, _form_number(form), note, author)
        elif kind == "claim":
            fix = corrections.claim_fix(store, story, form.get("claim", ""), note, author)
        elif kind == "date":
            fix = corrections.date_fix(store, form.get("article", ""), form.get("date", ""), note, author)
        elif kind == "merge":
            fix = corrections.merge_fix(store, story, form.get("other", ""), note, author)
        elif kind == "move":
            fix = corrections.move_fix(
                store, form.get("article", ""), form.get("to", "").strip(), note, author
            )
        elif kind == "split":
            fix = corrections.split_fix(store, story, articles, note, author)
        else:
            raise ValueError(f"unknown correction {kind!r}")
        stored, stories = corrections.apply(store, fix)
        if kind == "move":
            return WebUrls().article(stored.target)
        live = (
            stored.value
            if kind in ("merge", "split")
            else stories[0]
            if stories
            else store.resolve_story(story) or story
        )
        return WebUrls().story(live) if live else "/corrections"

    def _unlocked(self) -> bool:
        """Whether this browser holds the edit token (its cookie)."""
        cookies = SimpleCookie()
        try:
            cookies.load(self.headers.get("Cookie") or "")
        except CookieError:
            return False
        held = cookies.get(EDIT_COOKIE)
        return held is not None and hmac.compare_digest(held.value, self.server.edit_token)

    def _unlock(self, query: str) -> None:
        token = (parse_qs(query, max_num_fields=MAX_QUERY_FIELDS).get("token") or [""])[0]
        if not hmac.compare_digest(token, self.server.edit_token):
            return self._send_error(
                HTTPStatus.FORBIDDEN, "Wrong token: use the /unlock link `newsprism serve` printed."
            )
        cookie = f"{EDIT_COOKIE}={token}; HttpOnly; SameSite=Strict; Path=/"
        self._send(
            HTTPStatus.SEE_OTHER,
            b"Unlocked\n",
            "text/plain; charset=utf-8",
            {"Location": "/", "Set-Cookie": cookie},
        )

    # ------------------------------------------------------------ the request

    def _serve(self, head: bool) -> None:
        self._head = head
        if len(self.path) > MAX_URL_CHARS:
            self.close_connection = True
            return self._send_error(HTTPStatus.REQUEST_URI_TOO_LONG, "The address is too long.")
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = MAX_BODY_BYTES + 1
        if length > MAX_BODY_BYTES or self.headers.get("Transfer-Encoding"):
            self.close_connection = True  # the body stays unread, so the connection cannot be reused
            return self._send_error(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "Requests carry no body here.")
        if not self._host_allowed():
            self.close_connection = True
            return self._send_error(HTTPStatus.MISDIRECTED_REQUEST, "Unknown Host header.")
        try:
            split = urlsplit(self.path)
        except ValueError:
            return self._send_error(HTTPStatus.BAD_REQUEST, "Malformed address.")
        path = split.path
        if path.startswith("/static/"):
            return self._static(unquote(path.removeprefix("/static/")))
        if (export := _EXPORT_PATH.fullmatch(path)) is not None:
            return self._export(unquote(export["story"]), export["suffix"])
        if path == "/changes.atom":
            return self._feed(split.query)
        if path == "/unlock":
            return self._unlock(split.query)
        as_json = path.endswith(".json")
        if as_json:
            path = path.removesuffix(".json")
        try:
            query = parse_qs(split.query, max_num_fields=MAX_QUERY_FIELDS)
        except ValueError:  # more fields than the cap
            return self._send_error(
                HTTPStatus.BAD_REQUEST,
                f"Too many query parameters (at most {MAX_QUERY_FIELDS}).",
                as_json=as_json,
            )
        editing = not as_json and self._unlocked()
        key = (path, as_json, split.query, editing)
        cached = self.server.cached(key)
        if cached is not None:
            return self._send(HTTPStatus.OK, *cached)
        try:
            page = route(self.server.store, path, query)
            if as_json:
                body, content_type = _json_bytes(page), "application/json; charset=utf-8"
            else:
                twin = path.rstrip("/") or "/index"
                json_url = f"{twin}.json" + (f"?{split.query}" if split.query else "")
                token = self.server.edit_token if editing else None
                body = render(page, web=True, json_url=json_url, edit_token=token).encode("utf-8")
                content_type = "text/html; charset=utf-8"
        except _Redirect as moved:
            return self._redirect(moved.location + (".json" if as_json else ""))
        except views.NotFound:
            return self._send_error(HTTPStatus.NOT_FOUND, "No such page, story or article.", as_json=as_json)
        except Exception as exc:  # a bug or a broken store: answer 500, keep serving, log the cause
            log.exception("error on %s: %s", self.path, exc)
            return self._send_error(
                HTTPStatus.INTERNAL_SERVER_ERROR, "The page could not be made.", as_json=as_json
            )
        self.server.remember(key, (body, content_type))
        self._send(HTTPStatus.OK, body, content_type)

    def _host_allowed(self) -> bool:
        allowed = self.server.allowed_hosts
        if allowed is None:
            return True
        host = (self.headers.get("Host") or "").strip()
        if host.startswith("["):
            name = host[1 : host.find("]")] if "]" in host else host
        else:
            name = host.rsplit(":", 1)[0] if host.count(":") == 1 else host
        return name.lower() in allowed

    def _export(self, story_id: str, suffix: str) -> None:
        """A story's export as a download (report.export); a merged-away id redirects to its story's."""
        fmt = by_suffix(suffix)
        if fmt is None:
            return self._send_error(HTTPStatus.NOT_FOUND, "No such export.")
        live = self.server.store.resolve_story(story_id)
        if live is not None and live != story_id:
            return self._redirect(WebUrls().export(live, fmt.name))
        key = ("export", story_id, suffix)
        cached = self.server.cached(key)
        if cached is None:
            try:
                body = export_stories(self.server.store, [story_id], fmt.name).encode("utf-8")
            except UnknownStory:
                return self._send_error(HTTPStatus.NOT_FOUND, "No such story.")
            except Exception as exc:  # as for pages: answer 500, keep serving, log the cause
                log.exception("error on %s: %s", self.path, exc)
                return self._send_error(HTTPStatus.INTERNAL_SERVER_ERROR, "The export could not be made.")
            cached = (body, fmt.media_type)
            self.server.remember(key, cached)
        # the file name is ours (export_name keeps [A-Za-z0-9_-]), so it needs no quoting
        disposition = f'attachment; filename="{export_name(story_id, fmt.name)}"'
        self._send(HTTPStatus.OK, *cached, {"Content-Disposition": disposition})

    def _feed(self, query_text: str) -> None:
        """An Atom feed of the run log, of the whole store or of one story (`?story=ID`)."""
        try:
            query = parse_qs(query_text, max_num_fields=MAX_QUERY_FIELDS)
        except ValueError:
            return self._send_error(HTTPStatus.BAD_REQUEST, "Too many query parameters.")
        story_id = (query.get("story") or [None])[0]
        key = ("feed", query_text)
        cached = self.server.cached(key)
        if cached is None:
            try:
                page = views.changes_page(self.server.store, story_id=story_id)
            except views.NotFound:
                return self._send_error(HTTPStatus.NOT_FOUND, "No such story.")
            except Exception as exc:  # as for pages
                log.exception("error on %s: %s", self.path, exc)
                return self._send_error(HTTPStatus.INTERNAL_SERVER_ERROR, "The feed could not be made.")
            body = render_feed(page, self.server.url, self.server.store_key()).encode("utf-8")
            cached = (body, "application/atom+xml; charset=utf-8")
            self.server.remember(key, cached)
        self._send(HTTPStatus.OK, *cached)

    def _static(self, name: str) -> None:
        try:
            body = static_asset(name)
        except KeyError:
            return self._send_error(HTTPStatus.NOT_FOUND, "No such file.")
        self._send(HTTPStatus.OK, body, STATIC_FILES[name], cache="public, max-age=3600")

    # ------------------------------------------------------------ responses

    def _send(
        self,
        status: HTTPStatus,
        body: bytes,
        content_type: str,
        extra: dict[str, str] | None = None,
        cache: str = "no-store",
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", cache)
        for name, value in {**SECURITY_HEADERS, **(extra or {})}.items():
            self.send_header(name, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if not getattr(self, "_head", False):
            self.wfile.write(body)

    def _redirect(self, location: str) -> None:
        body = f"Moved to {location}\n".encode()
        self._send(HTTPStatus.MOVED_PERMANENTLY, body, "text/plain; charset=utf-8", {"Location": location})

    def _send_error(
        self, status: HTTPStatus, message: str, extra: dict[str, str] | None = None, as_json: bool = False
    ) -> None:
        if as_json:
            body = _json_bytes({"error": status.phrase, "status": int(status), "message": message})
            return self._send(status, body, "application/json; charset=utf-8", extra)
        page = {"page": "error", "status": int(status), "title": status.phrase, "message": message}
        self._send(status, render(page, web=True).encode("utf-8"), "text/html; charset=utf-8", extra)

    # BaseHTTPRequestHandler calls send_error itself for malformed requests and oversized headers.
    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        self.close_connection = True
        try:
            status = HTTPStatus(code)
        except ValueError:
            status = HTTPStatus.BAD_REQUEST
        self._send_error(status, message or status.phrase)


def _form_number(form: dict[str, str]) -> int:
    """The number a correction form names (a quote, a contradiction, a correction)."""
    value = form.get("number", "").strip()
    if not value.isdigit():
        raise ValueError(f"the form's number {value[:20]!r} is not a number")
    return int(value)


def _json_bytes(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8")


def make_server(db: str | Path | Store, host: str = "127.0.0.1", port: int = 8000) -> NewsprismServer:
    """A server over a store (a path, or an open store); port 0 picks a free port. Not yet serving."""
    if not isinstance(db, str | Path):
        store = db
    else:
        is_file = str(db) != ":memory:" and not str(db).startswith(POSTGRES_SCHEMES)
        if is_file and not Path(db).exists():
            raise StoreError(f"{db}: no such store; run `newsprism analyze FOLDER --db {db}` first")
        store = open_store(str(db))
    return NewsprismServer(store, host, port)


def serve(
    db: str | Path = "newsprism.db",
    host: str = "127.0.0.1",
    port: int = 8000,
    ready: Callable[[str, str], None] | None = None,
) -> None:
    """Serve the store at `db` until interrupted; `ready(url, unlock_url)` is called once the socket listens
    (`unlock_url` lets the browser that opens it make corrections)."""
    server = make_server(db, host, port)
    if ready is not None:
        ready(server.url, f"{server.url}/unlock?token={server.edit_token}")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        server.store.close()
