"""Alerts as text for people: one line for the event frame, a few lines for the alert.

Used by `axiswatch alerts`, `axiswatch notify` and the history page alike.
"""

from __future__ import annotations

__all__ = ["format_alert", "format_event"]

_SIDE_NAMES = {"russia": "the Russian side", "dprk": "the DPRK side"}


def format_event(alert: dict) -> str:
    """The alert's event frame on one line: action, categories, quantities, objects, places,
    date, who sent it (messages and gifts), who the report attributes it to, and basis."""
    parts = [alert.get("action") or "?"]
    categories = alert.get("categories") or []
    if len(categories) > 1:
        parts.append("+".join(categories))
    parts += [
        f"{q['value']:,} {q['unit']}" if q.get("value") else f"{q.get('text')} {q.get('unit')}"
        for q in alert.get("quantities") or []
    ]
    parts += alert.get("objects") or []
    parts += [f"in {p}" for p in alert.get("places") or []]
    if alert.get("event_date"):
        parts.append(f"on {alert['event_date']}")
    if alert.get("sender"):
        parts.append(f"from {_SIDE_NAMES.get(alert['sender'], alert['sender'])}")
    if alert.get("claimants"):
        parts.append(f"per {', '.join(alert['claimants'])}")
    if alert.get("basis") == "background":
        parts.append("(stated as background)")
    return " · ".join(parts)


def format_alert(alert: dict) -> str:
    """One alert as a few readable lines."""
    actors = ", ".join(a.get("name", a.get("id", "?")) for a in alert.get("actors", []))
    kind = alert.get("kind")
    if kind == "new":
        marker = "NEW"
    elif kind == "updated":
        marker = "UPDATED"
    else:
        marker = f"+{alert.get('source_count', 1)} sources"
    hedge = "  (hedged)" if alert.get("hedged") else ""
    lines = [
        f"[{marker}] {alert.get('category', '?').upper()}  {alert.get('title', '')}{hedge}",
        f"    “{alert.get('evidence', '')}”",
        f"    event: {format_event(alert)}",
        f"    actors: {actors}",
        f"    source: {alert.get('source')}  published: {alert.get('published_at') or '-'}  "
        f"detected: {alert.get('detected_at')}",
        f"    alert {alert.get('alert_id')}  story {alert.get('story_id')}"
        f"  confidence {alert.get('confidence')}",
    ]
    if alert.get("changes"):
        lines.insert(3, f"    adds: {', '.join(alert['changes'])}")
    if alert.get("url"):
        lines.insert(len(lines) - 1, f"    {alert['url']}")
    return "\n".join(lines)
