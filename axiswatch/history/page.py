"""The history page, rendered on the server: a filter form (a plain GET form, no script) and
the alerts that match, newest first.

Alert text is news from outside and hostile until shown otherwise: every value goes through
`text()`, which writes control characters out (`\\x1b`, `\\u202e`, as `axiswatch alerts`
does) and then escapes HTML (`<`, `&`, quotes). Only http and https addresses become links
(never `javascript:` or `data:`), opened without a referrer. The server sends a
Content-Security-Policy that allows no script at all (`web.py`).
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any
from urllib.parse import urlencode, urlsplit

from axiswatch.alertfilter import CATEGORIES, KINDS, escape_controls
from axiswatch.history.store import MAX_LIMIT, HistoryQuery

__all__ = ["render_page", "safe_link", "text"]


def text(value: Any) -> str:
    """Any value as HTML text: control characters written out, then HTML-escaped."""
    return html.escape(escape_controls("" if value is None else str(value)), quote=True)


def safe_link(url: Any) -> str | None:
    """The address as an href when it is http(s) with a host, else None (shown as text)."""
    if not isinstance(url, str):
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return text(url.strip())


def _time(value: Any) -> str:
    """An ISO time as `2026-12-01 04:01:56 UTC` in a <time> element (as given if unreadable)."""
    if not value:
        return "-"
    try:
        when = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return text(value)
    shown = when.strftime("%Y-%m-%d %H:%M:%S") + (" UTC" if when.utcoffset() is not None else "")
    return f'<time datetime="{text(value)}">{text(shown)}</time>'


def _event_line(alert: Mapping[str, Any]) -> str:
    from axiswatch.alerttext import format_event

    try:
        return format_event(dict(alert))
    except (KeyError, TypeError, ValueError, AttributeError):  # a record of another shape
        return str(alert.get("action") or "?")


def _alert(alert: Mapping[str, Any]) -> str:
    kind = str(alert.get("kind") or "?")
    marker = {"new": "NEW", "updated": "UPDATED"}.get(
        kind, f"CORROBORATED · {text(alert.get('source_count', 1))} sources"
    )
    categories = [str(c) for c in alert.get("categories") or [] if c]
    category = str(alert.get("category") or "?")
    others = [c for c in categories if c != category]
    actors = ", ".join(
        f'<span class="actor" data-actor-id="{text(a.get("id"))}">'
        f'{text(a.get("name") or a.get("id"))}<span class="id"> ({text(a.get("id"))})</span></span>'
        for a in alert.get("actors") or []
        if isinstance(a, dict)
    )
    sources = [str(s) for s in alert.get("sources") or [] if s] or [str(alert.get("source") or "")]
    link = safe_link(alert.get("url"))
    if link:
        address = f'<a href="{link}" rel="noopener noreferrer nofollow">{link}</a>'
    else:
        address = text(alert.get("url")) if alert.get("url") else "-"
    flags = [f"basis {text(alert.get('basis') or '-')}"]
    if alert.get("hedged"):
        flags.append("hedged")
    rows = [
        ("event", f'<span class="event">{text(_event_line(alert))}</span>'),
    ]
    if alert.get("changes"):
        rows.append(("adds", text(", ".join(map(str, alert["changes"])))))
    rows += [
        ("actors", actors or "-"),
        (
            "sources",
            f'<span class="sources">{text(", ".join(sources))}</span> · '
            f"{text(alert.get('source_count', 1))} source(s)"
            + (
                f" · languages {text(', '.join(map(str, alert['languages'])))}"
                if alert.get("languages")
                else ""
            ),
        ),
        ("link", f'<span class="link">{address}</span>'),
        (
            "times",
            f"published {_time(alert.get('published_at'))} · detected "
            f"{_time(alert.get('detected_at'))}"
            + (
                f" · first reported {_time(alert.get('first_reported_at'))}"
                if alert.get("first_reported_at")
                else ""
            )
            + (
                f" · latest reported {_time(alert.get('latest_reported_at'))}"
                if alert.get("latest_reported_at")
                else ""
            ),
        ),
        (
            "ids",
            f'alert <code class="alert-id">{text(alert.get("alert_id"))}</code> · story '
            f"<code>{text(alert.get('story_id'))}</code> · article "
            f"<code>{text(alert.get('article_id'))}</code> · confidence "
            f"{text(alert.get('confidence'))} · {' · '.join(flags)}",
        ),
    ]
    details = "".join(f"<dt>{name}</dt><dd>{value}</dd>" for name, value in rows)
    also = f'<span class="also"> +{text(", ".join(others))}</span>' if others else ""
    return (
        f'<article class="alert kind-{text(kind)}" data-alert-id="{text(alert.get("alert_id"))}"'
        f' data-kind="{text(kind)}" data-category="{text(category)}"'
        f' data-article-id="{text(alert.get("article_id"))}">'
        f'<header><span class="kind">{marker}</span> '
        f'<span class="category">{text(category.upper())}</span>{also} '
        f'<h2 class="title">{text(alert.get("title") or alert.get("action") or "")}</h2></header>'
        f'<blockquote class="evidence">“{text(alert.get("evidence"))}”</blockquote>'
        f"<dl>{details}</dl></article>"
    )


def _select(name: str, label: str, choices: Sequence[str], chosen: Sequence[str]) -> str:
    options = ['<option value="">any</option>'] + [
        f'<option value="{text(c)}"{" selected" if c in chosen else ""}>{text(c)}</option>'
        for c in choices
    ]
    return f'<label>{label} <select name="{name}">{"".join(options)}</select></label>'


def _input(name: str, label: str, value: str, placeholder: str, size: int = 12) -> str:
    return (
        f'<label>{label} <input type="text" name="{name}" value="{text(value)}" '
        f'placeholder="{text(placeholder)}" size="{size}"></label>'
    )


def _form(params: Mapping[str, Sequence[str]]) -> str:
    def first(name: str) -> str:
        values = [v for v in params.get(name, ()) if v]
        return values[0] if values else ""

    chosen = first("limit") or "50"
    limits = {20, 50, 100, 200, MAX_LIMIT}
    if chosen.isdigit() and 1 <= int(chosen) <= MAX_LIMIT:
        limits.add(int(chosen))
    limit_options = "".join(
        f'<option value="{n}"{" selected" if str(n) == chosen else ""}>{n}</option>'
        for n in sorted(limits)
    )
    return (
        '<form method="get" action="/" class="filters">'
        + _select("category", "category", CATEGORIES, list(params.get("category", ())))
        + _select("kind", "kind", KINDS, list(params.get("kind", ())))
        + _input("actor", "actor id", first("actor"), "kim_jong_un")
        + _input("language", "language", first("language"), "en, ru, ko", 6)
        + _input("since", "since", first("since"), "2d or 2026-11-01", 12)
        + _input("q", "text", first("q"), "words in title or evidence", 22)
        + f'<label>show <select name="limit">{limit_options}</select></label>'
        + '<button type="submit">Filter</button> <a href="/">clear</a></form>'
    )


_STYLE = """
body{font:15px/1.45 system-ui,sans-serif;margin:0;background:#f6f7f9;color:#1c2330}
header.top{background:#1c2330;color:#fff;padding:12px 24px}
header.top h1{font-size:20px;margin:0}
main{padding:12px 24px;max-width:1100px}
form.filters{display:flex;flex-wrap:wrap;gap:8px 14px;align-items:center;background:#fff;
 padding:10px 12px;border:1px solid #d8dde6;border-radius:6px}
form.filters label{font-size:13px;color:#4a5568}
p.count{color:#4a5568}
p.error{background:#fde8e8;border:1px solid #e53e3e;padding:8px 12px;border-radius:6px}
article.alert{background:#fff;border:1px solid #d8dde6;border-left:6px solid #718096;
 border-radius:6px;margin:12px 0;padding:10px 14px}
article.kind-new{border-left-color:#c53030}
article.kind-updated{border-left-color:#d69e2e}
article.kind-corroborated{border-left-color:#3182ce}
article.alert header .kind{font-weight:700;font-size:12px;letter-spacing:.04em}
article.alert header .category{font-weight:700;font-size:12px;color:#2d3748}
article.alert h2{font-size:16px;margin:4px 0}
blockquote.evidence{margin:6px 0 8px;padding:6px 12px;background:#f1f4f8;border-radius:4px}
dl{display:grid;grid-template-columns:80px 1fr;gap:2px 10px;margin:0;font-size:13px}
dt{color:#718096}dd{margin:0;overflow-wrap:anywhere}
.actor .id{color:#718096}
nav.pages a{margin-right:14px}
footer{color:#718096;font-size:12px;padding:12px 24px}
"""


def render_page(
    alerts: Sequence[Mapping[str, Any]],
    query: HistoryQuery | None,
    params: Mapping[str, Sequence[str]],
    *,
    total: int = 0,
    error: str | None = None,
    store: str = "",
    status: Mapping[str, Any] | None = None,
) -> str:
    """The whole page: the form (filled in with `params`), then either `error` (a filter
    that cannot be used) or the alerts of `query` with how many match, and links to the
    newer and older ones."""
    parts = [_form(params)]
    if error is not None or query is None:
        parts.append(f'<p class="error">{text(error or "bad request")}</p>')
    else:
        shown = len(alerts)
        first = query.offset + 1 if shown else 0
        parts.append(
            f'<p class="count"><span id="total">{total}</span> alert record(s) match'
            + (f"; showing {first}–{query.offset + shown}, newest first" if shown else "")
            + "</p>"
        )
        parts.append(
            '<section id="alerts">' + "".join(_alert(a) for a in alerts) + "</section>"
            if alerts
            else '<p class="empty">No alert matches these filters.</p>'
        )
        links = []
        if query.offset:
            newer = query.params(offset=max(0, query.offset - query.limit))
            links.append(f'<a href="/?{text(urlencode(newer))}">← newer</a>')
        if query.offset + shown < total:
            older = query.params(offset=query.offset + query.limit)
            links.append(f'<a href="/?{text(urlencode(older))}">older →</a>')
        if links:
            parts.append(f'<nav class="pages">{"".join(links)}</nav>')
    sink = ""
    if status:
        lag = status.get("lag")
        sink = f" · sink {text(status.get('state'))}, group {text(status.get('group'))}" + (
            f", {text(lag)} record(s) behind" if lag is not None else ""
        )
        if status.get("last_error"):
            sink += f", last error: {text(status['last_error'])}"
    api = f"/api/alerts?{urlencode(query.params())}" if query else "/api/alerts"
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>axiswatch · alert history</title><style>{_STYLE}</style></head><body>"
        '<header class="top"><h1>axiswatch · alert history</h1></header>'
        f"<main>{''.join(parts)}</main>"
        f'<footer>store: {text(store)}{sink} · the same as JSON: <a href="{text(api)}">'
        f"{text(api)}</a></footer></body></html>"
    )
