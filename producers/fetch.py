"""Polite HTTP fetching of feeds, standard library only.

One `fetch()` is one conditional GET with a total deadline (connect, headers, body and every
redirect together), a cap on the body (compressed and decompressed), gzip/deflate, at most
`max_redirects` redirects with loop detection, and a User-Agent that names axiswatch. Only
http and https; `file:` only when the policy allows it. Errors are `FetchError`s that say what
happened; `retry_after` carries a server's Retry-After in seconds.

Server-side request forgery: a feed URL, or any redirect on the way, whose host is or resolves
to a loopback, private, link-local, shared or reserved address is refused (the address checked
is the one connected to, so a name cannot resolve to another address in between), and a
redirect from https to http is refused. `AXISWATCH_FETCH_ALLOW_PRIVATE=1` (or
`FetchPolicy(allow_private=True)`) allows private targets: feeds on a private network, local
test servers. Name resolution counts toward the fetch's deadline.
"""

from __future__ import annotations

import base64
import contextlib
import email.utils
import functools
import http.client
import ipaddress
import socket
import ssl
import threading
import time
import urllib.request
import zlib
from dataclasses import dataclass, field
from datetime import UTC
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from axiswatch import __version__

__all__ = [
    "DEFAULT_MAX_BYTES",
    "DEFAULT_TIMEOUT",
    "USER_AGENT",
    "FetchError",
    "FetchPolicy",
    "FetchResult",
    "fetch",
    "parse_retry_after",
]

USER_AGENT = f"axiswatch/{__version__} (RSS/Atom poller for news monitoring; python-http.client)"
DEFAULT_TIMEOUT = 20.0
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
# A Retry-After beyond this is treated as this: a typo on the server must not silence a feed.
MAX_RETRY_AFTER = 24 * 3600.0

_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, "
    "application/xml;q=0.8, text/xml;q=0.8, */*;q=0.1"
)
_REDIRECTS = {301, 302, 303, 307, 308}
_CHUNK = 64 * 1024
_SSL_CONTEXT = ssl.create_default_context()


def _environment_allows_private() -> bool:
    """AXISWATCH_FETCH_ALLOW_PRIVATE, as the settings read it (1, true, yes or on allow)."""
    from axiswatch.settings import Environment

    return Environment.read().axiswatch_fetch_allow_private


@dataclass(frozen=True, slots=True)
class FetchPolicy:
    """Limits of one fetch."""

    timeout: float = DEFAULT_TIMEOUT  # seconds for everything: connect, redirects, body
    max_bytes: int = DEFAULT_MAX_BYTES  # cap on the body, before and after decompression
    max_redirects: int = 5
    allow_file: bool = False
    user_agent: str = USER_AGENT
    # Loopback, private and link-local targets: refused unless allowed (see the module's doc).
    allow_private: bool = field(default_factory=_environment_allows_private)


@dataclass(slots=True)
class FetchResult:
    url: str
    final_url: str
    status: int  # 200, 304, ...; 0 for file:
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    moved_to: str | None = None  # set when every redirect on the way was permanent
    elapsed: float = 0.0

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def etag(self) -> str | None:
        return self.headers.get("etag")

    @property
    def last_modified(self) -> str | None:
        return self.headers.get("last-modified")


class FetchError(Exception):
    """A fetch that did not give a usable response. `kind` is a short category (timeout, http,
    too_large, redirect, network, refused); `retry_after` the server's wait, in seconds."""

    def __init__(
        self,
        message: str,
        kind: str = "network",
        status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.kind = kind
        self.status = status
        self.retry_after = retry_after


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After value (delta-seconds or HTTP-date), capped at a day."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return min(float(value), MAX_RETRY_AFTER)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    now = time.time() if now is None else now
    return min(max(0.0, when.timestamp() - now), MAX_RETRY_AFTER)


class _Deadline:
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.at = time.monotonic() + seconds
        self.expired = False  # set by the watchdog when it cut the connection

    def remaining(self) -> float:
        left = self.at - time.monotonic()
        if left <= 0:
            raise self.error()
        return left

    def error(self) -> FetchError:
        return FetchError(
            f"timed out after {self.seconds:g}s (the whole fetch must finish within the feed's "
            "timeout; raise `timeout` for this feed if the server is just slow)",
            kind="timeout",
        )


def fetch(
    url: str,
    policy: FetchPolicy = FetchPolicy(),  # noqa: B008 - frozen, immutable default
    etag: str | None = None,
    last_modified: str | None = None,
) -> FetchResult:
    """GET `url` within `policy`; a 304 comes back as a result with `not_modified`."""
    started = time.monotonic()
    deadline = _Deadline(policy.timeout)
    scheme = urlsplit(url).scheme.lower()
    if scheme == "file":
        if not policy.allow_file:
            raise FetchError(
                f"{url}: file: URLs are refused by default; pass --allow-file to read local feeds",
                kind="refused",
            )
        result = _fetch_file(url, policy, last_modified)
        result.elapsed = time.monotonic() - started
        return result
    visited: list[str] = []
    current = url
    moved_to: str | None = None
    all_permanent = True
    previous: str | None = None
    while True:
        _check_scheme(current, url)
        if previous and _is_https(previous) and not _is_https(current):
            raise FetchError(
                f"{previous} redirects to {current}: a redirect from https to http is refused; "
                "use the http address in the feed list if the feed really is plain http",
                kind="refused",
            )
        if current in visited:
            raise FetchError(
                f"redirect loop: {' -> '.join([*visited, current])}; fix the feed URL",
                kind="redirect",
            )
        if len(visited) > policy.max_redirects:
            raise FetchError(
                f"more than {policy.max_redirects} redirects from {url}; use the final address",
                kind="redirect",
            )
        visited.append(current)
        status, headers, body = _request(current, policy, deadline, etag, last_modified)
        if status in _REDIRECTS:
            location = headers.get("location", "").strip()
            if not location:
                raise FetchError(f"HTTP {status} from {current} without a Location", kind="http")
            all_permanent = all_permanent and status in (301, 308)
            previous, current = current, urljoin(current, location)
            moved_to = current if all_permanent else None
            continue
        result = FetchResult(url, current, status, body, headers, moved_to)
        result.elapsed = time.monotonic() - started
        return result


def _is_https(url: str) -> bool:
    return urlsplit(url).scheme.lower() == "https"


def _public_address(
    url: str, host: str, port: int, deadline: _Deadline, allow: bool, proxied: bool = False
) -> str:
    """The address to connect to for `host`: its first address, resolved within the deadline,
    refused when it is not a public one (unless `allow`). Through a proxy a name is not
    resolved (the host itself is returned)."""
    try:
        literal = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        literal = None
    if literal is None and proxied:
        return host
    addresses = [str(literal)] if literal is not None else _resolve(url, host, port, deadline)
    if not allow:
        for address in addresses:
            ip = ipaddress.ip_address(address.split("%", 1)[0])
            if not ip.is_global or ip.is_multicast:
                raise FetchError(
                    f"{url}: {host} is {ip}, a loopback, private, link-local or reserved "
                    "address; such targets are refused (set AXISWATCH_FETCH_ALLOW_PRIVATE=1 for "
                    "feeds on a private network)",
                    kind="refused",
                )
    return addresses[0]


def _resolve(url: str, host: str, port: int, deadline: _Deadline) -> list[str]:
    """getaddrinfo within the fetch's deadline (it blocks, so it runs in a daemon thread)."""
    result: list = []
    error: list[BaseException] = []

    def run() -> None:
        try:
            result.extend(socket.getaddrinfo(host, port, type=socket.SOCK_STREAM))
        except (OSError, UnicodeError) as exc:
            error.append(exc)

    thread = threading.Thread(target=run, name="axiswatch-resolve", daemon=True)
    thread.start()
    thread.join(deadline.remaining())
    if thread.is_alive():
        raise deadline.error()
    if error or not result:
        reason = _describe(error[0]) if error else "no address"
        raise FetchError(f"{url}: cannot resolve {host} ({reason})", kind="network")
    return list(dict.fromkeys(info[4][0] for info in result))


def _check_scheme(current: str, original: str) -> None:
    scheme = urlsplit(current).scheme.lower()
    if scheme not in ("http", "https"):
        where = "" if current == original else f" (redirected from {original})"
        raise FetchError(f"{current}{where}: only http and https feeds are fetched", kind="refused")


def _request(
    url: str,
    policy: FetchPolicy,
    deadline: _Deadline,
    etag: str | None,
    last_modified: str | None,
) -> tuple[int, dict[str, str], bytes]:
    parts = urlsplit(url)
    host = parts.hostname
    if not host:
        raise FetchError(f"{url}: no host in the URL", kind="refused")
    https = parts.scheme.lower() == "https"
    try:
        port = parts.port or (443 if https else 80)
    except ValueError as exc:
        raise FetchError(f"{url}: bad port ({exc})", kind="refused") from exc
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    headers = {
        "User-Agent": policy.user_agent,
        "Accept": _ACCEPT,
        "Accept-Encoding": "gzip, deflate",
        "Connection": "close",
    }
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    conn = _connection(parts.scheme.lower(), host, port, deadline.remaining())
    # Through a proxy the proxy resolves the name (it may not resolve here): only a literal
    # address is checked. Without one, the name is resolved here, checked and pinned.
    proxied = conn.host != host
    address = _public_address(url, host, port, deadline, policy.allow_private, proxied)
    if conn.host != host and not https:
        target = url  # a plain-http proxy takes the absolute URL
        headers.update(getattr(conn, "proxy_headers", {}))
    if not proxied:
        # Connect to the address checked, not to whatever the name resolves to next; TLS still
        # verifies the certificate against the host name.
        conn._create_connection = functools.partial(_connect_to, address)  # type: ignore[attr-defined]
    watchdog = _Watchdog(conn, deadline)
    try:
        conn.connect()
        watchdog.arm()
        conn.request("GET", target, headers=headers)
        response = conn.getresponse()
        status = response.status
        header_map = {k.lower(): v for k, v in response.getheaders()}
        if status in _REDIRECTS or status == 304:
            return status, header_map, b""
        if status >= 400 or status < 200:
            raise _status_error(url, status, response.reason, header_map)
        body = _read_body(response, header_map, policy, deadline, watchdog.sock)
        return status, header_map, body
    except FetchError:
        raise
    except TimeoutError as exc:
        raise deadline.error() from exc
    except ssl.SSLCertVerificationError as exc:
        raise FetchError(f"{url}: TLS certificate not valid ({exc.verify_message})") from exc
    except (http.client.HTTPException, OSError, ValueError) as exc:
        if deadline.expired or time.monotonic() >= deadline.at:
            raise deadline.error() from exc
        raise FetchError(f"{url}: {_describe(exc)}") from exc
    finally:
        watchdog.cancel()
        conn.close()


def _connect_to(address: str, where: tuple[str, int], *args, **kwargs) -> socket.socket:  # noqa: ANN002, ANN003
    return socket.create_connection((address, where[1]), *args, **kwargs)


def _connection(scheme: str, host: str, port: int, timeout: float) -> http.client.HTTPConnection:
    proxy = _proxy_for(scheme, host)
    if scheme == "https":
        if proxy:
            conn = http.client.HTTPSConnection(
                proxy.host, proxy.port, timeout=timeout, context=_SSL_CONTEXT
            )
            conn.set_tunnel(host, port, headers=proxy.headers())
            return conn
        return http.client.HTTPSConnection(host, port, timeout=timeout, context=_SSL_CONTEXT)
    if proxy:
        conn = http.client.HTTPConnection(proxy.host, proxy.port, timeout=timeout)
        conn.proxy_headers = proxy.headers()  # type: ignore[attr-defined]
        return conn
    return http.client.HTTPConnection(host, port, timeout=timeout)


@dataclass(frozen=True, slots=True)
class _Proxy:
    host: str
    port: int
    username: str | None = None
    password: str | None = None

    def headers(self) -> dict[str, str]:
        """Proxy-Authorization for credentials in the proxy's URL (`http://user:pw@proxy`)."""
        if self.username is None:
            return {}
        pair = f"{unquote(self.username)}:{unquote(self.password or '')}".encode()
        return {"Proxy-Authorization": "Basic " + base64.b64encode(pair).decode("ascii")}


def _proxy_for(scheme: str, host: str) -> _Proxy | None:
    """The proxy from http_proxy / https_proxy, unless no_proxy or a loopback host says no."""
    if host in ("localhost", "::1") or host.startswith("127."):
        return None
    proxy = urllib.request.getproxies_environment().get(scheme)
    if not proxy or urllib.request.proxy_bypass_environment(host):
        return None
    parts = urlsplit(proxy if "://" in proxy else f"http://{proxy}")
    if not parts.hostname:
        return None
    return _Proxy(parts.hostname, parts.port or 8080, parts.username, parts.password)


class _Watchdog:
    """Cuts the connection when the deadline passes, whatever the socket is blocked in: a
    server that dribbles one header line or one byte at a time cannot hold a fetch longer."""

    def __init__(self, conn: http.client.HTTPConnection, deadline: _Deadline) -> None:
        self.conn = conn
        self.deadline = deadline
        self.sock: socket.socket | None = None
        self.timer: threading.Timer | None = None

    def arm(self) -> None:
        # The response keeps using this socket even after http.client drops conn.sock.
        self.sock = self.conn.sock
        left = max(0.0, self.deadline.at - time.monotonic())
        self.timer = threading.Timer(left, self._fire)
        self.timer.daemon = True
        self.timer.start()

    def _fire(self) -> None:
        self.deadline.expired = True
        if self.sock is not None:
            # The plain socket's shutdown wakes a blocked recv, TLS or not.
            with contextlib.suppress(OSError):
                socket.socket.shutdown(self.sock, socket.SHUT_RDWR)

    def cancel(self) -> None:
        if self.timer is not None:
            self.timer.cancel()


def _status_error(url: str, status: int, reason: str, headers: dict[str, str]) -> FetchError:
    retry_after = parse_retry_after(headers.get("retry-after"))
    hint = {
        401: "the feed needs credentials; remove it or use a public feed URL",
        403: "the site refuses this client; check the URL in a browser or ask the publisher",
        404: "check the feed URL",
        410: "the feed is gone; remove it from the feed list",
        429: "too many requests",
    }.get(status, "the server failed" if status >= 500 else "")
    wait = f"; the server asks to wait {retry_after:.0f}s" if retry_after is not None else ""
    return FetchError(
        f"HTTP {status} {reason or ''}".rstrip()
        + f" from {url}"
        + (f": {hint}" if hint else "")
        + wait,
        kind="http",
        status=status,
        retry_after=retry_after,
    )


def _too_large(what: str, cap: int) -> FetchError:
    return FetchError(
        f"{what} over the {cap:,}-byte cap; raise `max_bytes` for this feed if it is genuine",
        kind="too_large",
    )


def _read_body(
    response: http.client.HTTPResponse,
    headers: dict[str, str],
    policy: FetchPolicy,
    deadline: _Deadline,
    sock: socket.socket | None,
) -> bytes:
    cap = policy.max_bytes
    length = headers.get("content-length", "").strip()
    if length.isdigit() and int(length) > cap:
        raise _too_large(f"response of {int(length):,} bytes is", cap)
    encoding = headers.get("content-encoding", "identity").strip().lower()
    if encoding in ("gzip", "x-gzip"):
        decoder = zlib.decompressobj(16 + zlib.MAX_WBITS)
    elif encoding == "deflate":
        decoder = _Deflate()
    elif encoding in ("identity", ""):
        decoder = None
    else:
        raise FetchError(f"unsupported Content-Encoding {encoding!r}", kind="http")
    raw = 0
    out = bytearray()
    while True:
        if sock is not None:
            sock.settimeout(deadline.remaining())
        chunk = response.read1(_CHUNK)
        if not chunk:
            if deadline.expired:  # the watchdog cut the connection: not a real end of body
                raise deadline.error()
            break
        raw += len(chunk)
        if raw > cap:
            raise _too_large("response is", cap)
        if decoder is None:
            out += chunk
        else:
            _inflate(decoder, chunk, out, cap)
    if decoder is not None:
        out += decoder.flush()
        if len(out) > cap:
            raise _too_large("decompressed response is", cap)
    if decoder is None and out[:2] == b"\x1f\x8b":  # a .gz served without Content-Encoding
        gunzip = zlib.decompressobj(16 + zlib.MAX_WBITS)
        data, out = bytes(out), bytearray()
        _inflate(gunzip, data, out, cap)
        out += gunzip.flush()
    return bytes(out)


def _inflate(decoder, data: bytes, out: bytearray, cap: int) -> None:  # noqa: ANN001
    try:
        out += decoder.decompress(data, cap - len(out) + 1)
    except zlib.error as exc:
        raise FetchError(f"response is not valid compressed data ({exc})", kind="http") from exc
    if len(out) > cap or decoder.unconsumed_tail:
        raise _too_large("decompressed response is", cap)


class _Deflate:
    """HTTP 'deflate' is zlib-wrapped by the standard and raw deflate on some servers."""

    def __init__(self) -> None:
        self._inner = None
        self.unconsumed_tail = b""

    def decompress(self, data: bytes, max_length: int) -> bytes:
        if self._inner is None:
            wrapped = (
                len(data) >= 2 and (data[0] & 0x0F) == 8 and (data[0] << 8 | data[1]) % 31 == 0
            )
            self._inner = zlib.decompressobj(zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS)
        result = self._inner.decompress(data, max_length)
        self.unconsumed_tail = self._inner.unconsumed_tail
        return result

    def flush(self) -> bytes:
        return self._inner.flush() if self._inner is not None else b""


def _fetch_file(url: str, policy: FetchPolicy, last_modified: str | None) -> FetchResult:
    path = Path(urllib.request.url2pathname(urlsplit(url).path))
    try:
        stat = path.stat()
        modified = email.utils.formatdate(stat.st_mtime, usegmt=True)
        if last_modified == modified:
            return FetchResult(url, url, 304, headers={"last-modified": modified})
        if stat.st_size > policy.max_bytes:
            raise _too_large(f"{path} has {stat.st_size:,} bytes,", policy.max_bytes)
        with path.open("rb") as handle:
            body = handle.read(policy.max_bytes + 1)
    except OSError as exc:
        raise FetchError(f"cannot read {path}: {exc.strerror or exc}", kind="refused") from exc
    if len(body) > policy.max_bytes:
        raise _too_large(f"{path} is", policy.max_bytes)
    return FetchResult(url, url, 0, body, {"last-modified": modified})


def _describe(exc: BaseException) -> str:
    if isinstance(exc, socket.gaierror):
        return f"cannot resolve the host ({exc.strerror or exc})"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, ConnectionResetError):
        return "connection reset by the server"
    if isinstance(exc, http.client.IncompleteRead):
        return f"the server closed the connection early ({len(exc.partial)} bytes read)"
    if isinstance(exc, http.client.HTTPException):
        return f"malformed HTTP response ({type(exc).__name__}: {exc})"
    if isinstance(exc, OSError):
        return f"network error ({exc.strerror or exc})"
    return f"{type(exc).__name__}: {exc}"
