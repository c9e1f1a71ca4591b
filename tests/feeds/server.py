"""A scripted HTTP server on 127.0.0.1 (a free port) for feed tests and the benchmark.

Routes answer with a body (bytes, or a callable giving bytes), a status and headers, and can
honour ETag / Last-Modified, gzip the body, hang without answering, dribble bytes, or stream
a large body. Every request is logged with its headers.
"""

from __future__ import annotations

import gzip
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


class _Server(ThreadingHTTPServer):
    request_queue_size = 256  # the default 5 drops connections under benchmark load


@dataclass
class Route:
    body: bytes | Callable[[], bytes] = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/rss+xml"
    etag: str | None = None
    last_modified: str | None = None
    gzip: bool = False
    mode: str = "normal"  # normal | hang | drip | stream
    stream_bytes: int = 0  # for mode "stream"
    send_length: bool = True  # for mode "stream": announce Content-Length or not


@dataclass
class Request:
    path: str
    headers: dict[str, str]


class FeedServer:
    """`with FeedServer() as server: server.add("/a.xml", body=...)`; `server.url("/a.xml")`."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[Request] = []
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802 - the http.server API
                owner._handle(self)

            def log_message(self, *args) -> None:  # quiet
                pass

        self.httpd = _Server(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def port(self) -> int:
        return self.httpd.server_address[1]

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def add(self, path: str, **route) -> str:
        self.routes[path] = Route(**route)
        return self.url(path)

    def hits(self, path: str) -> list[Request]:
        with self._lock:
            return [r for r in self.requests if r.path == path]

    def start(self) -> FeedServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self) -> FeedServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # ------------------------------------------------------------------------- handling
    def _handle(self, h: BaseHTTPRequestHandler) -> None:
        with self._lock:
            self.requests.append(Request(h.path, {k.lower(): v for k, v in h.headers.items()}))
        h.close_connection = True
        route = self.routes.get(h.path)
        try:
            if route is None:
                self._send(h, 404, b"not found", {"Content-Type": "text/plain"})
            elif route.mode == "hang":
                self.stopping.wait(600)  # read the request, never answer
            elif route.mode == "drip":
                h.send_response(200)
                h.send_header("Content-Type", route.content_type)
                h.end_headers()
                deadline = time.monotonic() + 120
                while not self.stopping.is_set() and time.monotonic() < deadline:
                    h.wfile.write(b" ")
                    h.wfile.flush()
                    time.sleep(0.1)
            elif route.mode == "stream":
                self._stream(h, route)
            else:
                self._normal(h, route)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up, as it should

    def _normal(self, h: BaseHTTPRequestHandler, route: Route) -> None:
        if route.etag and h.headers.get("If-None-Match") == route.etag:
            self._send(h, 304, b"", {"ETag": route.etag})
            return
        if route.last_modified and h.headers.get("If-Modified-Since") == route.last_modified:
            self._send(h, 304, b"", {"Last-Modified": route.last_modified})
            return
        body = route.body() if callable(route.body) else route.body
        headers = {"Content-Type": route.content_type, **route.headers}
        if route.etag:
            headers["ETag"] = route.etag
        if route.last_modified:
            headers["Last-Modified"] = route.last_modified
        if route.gzip:
            body = gzip.compress(body)
            headers["Content-Encoding"] = "gzip"
        self._send(h, route.status, body, headers)

    def _stream(self, h: BaseHTTPRequestHandler, route: Route) -> None:
        h.send_response(200)
        h.send_header("Content-Type", route.content_type)
        if route.send_length:
            h.send_header("Content-Length", str(route.stream_bytes))
        h.send_header("Connection", "close")
        h.end_headers()
        chunk = b"<" + b"x" * (64 * 1024 - 1)
        sent = 0
        while sent < route.stream_bytes and not self.stopping.is_set():
            piece = chunk[: route.stream_bytes - sent]
            h.wfile.write(piece)
            sent += len(piece)

    @staticmethod
    def _send(h: BaseHTTPRequestHandler, status: int, body: bytes, headers: dict) -> None:
        h.send_response(status)
        for name, value in headers.items():
            h.send_header(name, value)
        h.send_header("Content-Length", str(len(body)))
        h.send_header("Connection", "close")
        h.end_headers()
        if body and status != 304:
            h.wfile.write(body)


def rss(channel: str, items: list[dict[str, str]], link: str = "https://example.org/") -> bytes:
    """A small RSS 2.0 document; each item may set title, link, guid, description, pubDate."""
    parts = [
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>',
        f"<title>{channel}</title><link>{link}</link><description>test</description>",
    ]
    for item in items:
        parts.append("<item>")
        for tag in ("title", "link", "guid", "description", "pubDate"):
            if tag in item:
                attrs = ' isPermaLink="false"' if tag == "guid" else ""
                parts.append(f"<{tag}{attrs}>{item[tag]}</{tag}>")
        parts.append("</item>")
    parts.append("</channel></rss>\n")
    return "".join(parts).encode("utf-8")
