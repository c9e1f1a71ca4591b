"""The history's web server (aiohttp, which Faust already brings): the page and a JSON API.

- `GET /`: the page (`page.py`), filtered by the query string;
- `GET /api/alerts?category=cyber&kind=new&actor=lazarus&language=ko&since=2d&q=drones`
  (and `limit`, `offset`): `{"alerts": [...], "total": N, "filter": {...}}`, each alert as
  the topic carries it, newest first; a filter that cannot be used answers 400 with
  `{"error": "..."}`;
- `GET /api/status`: the store, how many alert records it holds, and what the sink is doing;
- `GET /healthz`: 200 while the store answers (503 otherwise).

Store queries run in a thread, so a slow database holds up no other request. Every answer
forbids scripts, framing and sniffing (Content-Security-Policy, X-Frame-Options,
X-Content-Type-Options) and sends no referrer.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable, Mapping
from typing import Any

from aiohttp import web

from axiswatch.alertfilter import escape_json_text
from axiswatch.exceptions import InputError
from axiswatch.history.page import render_page
from axiswatch.history.store import HistoryQuery, HistoryStore

__all__ = ["make_app"]

log = logging.getLogger("axiswatch.history")

_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}


def _params(request: web.Request) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for name, value in request.query.items():
        out.setdefault(name, []).append(value)
    return out


def _json(data: Any, status: int = 200) -> web.Response:
    body = escape_json_text(json.dumps(data, ensure_ascii=False))
    return web.Response(text=body, status=status, content_type="application/json")


def make_app(
    store: HistoryStore, status: Callable[[], Mapping[str, Any] | None] = lambda: None
) -> web.Application:
    """The application over `store`; `status()` says what the sink is doing (None without)."""

    async def run(function, *args):
        return await asyncio.get_running_loop().run_in_executor(None, function, *args)

    @web.middleware
    async def headers(request: web.Request, handler):
        response = await handler(request)
        response.headers.update(_HEADERS)
        return response

    async def page(request: web.Request) -> web.Response:
        params = _params(request)
        # An empty select of the GET form ("any") sends `category=`: no condition.
        try:
            query = HistoryQuery.from_params(params)
        except InputError as exc:
            html = render_page(
                [], None, params, error=str(exc), store=store.describe(), status=status()
            )
            return web.Response(text=html, status=400, content_type="text/html")
        alerts, total = await run(store.query, query)
        html = render_page(
            alerts, query, params, total=total, store=store.describe(), status=status()
        )
        return web.Response(text=html, content_type="text/html")

    async def api_alerts(request: web.Request) -> web.Response:
        try:
            query = HistoryQuery.from_params(_params(request))
        except InputError as exc:
            return _json({"error": str(exc)}, status=400)
        alerts, total = await run(store.query, query)
        return _json(
            {"alerts": alerts, "count": len(alerts), "total": total, "filter": query.describe()}
        )

    async def api_status(request: web.Request) -> web.Response:
        count = await run(store.count)
        return _json({"store": store.describe(), "alerts_stored": count, "sink": status()})

    async def health(request: web.Request) -> web.Response:
        try:
            await run(store.count)
        except Exception as exc:  # the database is away: say so, do not crash the server
            log.warning("history store does not answer: %s", exc)
            return web.Response(text="store unavailable\n", status=503)
        return web.Response(text="ok\n")

    app = web.Application(middlewares=[headers])
    app.router.add_get("/", page)
    app.router.add_get("/api/alerts", api_alerts)
    app.router.add_get("/api/status", api_status)
    app.router.add_get("/healthz", health)
    return app
