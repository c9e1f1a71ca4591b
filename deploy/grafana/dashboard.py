"""The axiswatch Grafana dashboard, as code.

    python deploy/grafana/dashboard.py           # writes deploy/grafana/dashboards/axiswatch.json
    python deploy/grafana/dashboard.py --check   # exit 1 if the committed JSON is out of date

Grafana loads the JSON through the file provider in `provisioning/dashboards/`; every panel and
query uses the provisioned Prometheus data source (`provisioning/datasources/`, uid below),
but the table of the latest alerts, which reads the alert history `axiswatch serve` keeps in
PostgreSQL (the "axiswatch history" data source, `HISTORY_UID`; its columns:
axiswatch/history/store.py).
Metric names and labels: `axiswatch/metrics.py` and `producers/poller.py`. A unit test checks
that the committed JSON equals what this script writes; an integration test evaluates every
query on a real Prometheus scraping a real worker.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

__all__ = ["DATASOURCE_UID", "HISTORY_SQL", "HISTORY_UID", "OUTPUT", "build", "render"]

DATASOURCE_UID = "axiswatch-prometheus"
HISTORY_UID = "axiswatch-history"
HISTORY = {"type": "postgres", "uid": HISTORY_UID}
# The latest alerts of the selected time range; a link only for an http(s) address.
HISTORY_SQL = """\
SELECT
  detected_at AS "detected",
  kind,
  category,
  title,
  evidence,
  (SELECT string_agg(a->>'name', ', ') FROM jsonb_array_elements(doc::jsonb->'actors') AS a)
    AS "actors",
  source,
  source_count AS "sources",
  CASE WHEN url ~* '^https?://' THEN url END AS "link",
  alert_id
FROM alert_history
WHERE $__timeFilter(detected_at)
ORDER BY detected_at DESC, kafka_offset DESC
LIMIT 200"""
DASHBOARD_UID = "axiswatch-pipeline"
OUTPUT = Path(__file__).resolve().parent / "dashboards" / "axiswatch.json"
DATASOURCE = {"type": "prometheus", "uid": DATASOURCE_UID}
RATE = "$__rate_interval"
PER_SECOND = "suffix:/s"  # a Grafana custom unit: "12 /s"

# Scrape job names, shared with deploy/prometheus/prometheus.yml.
WORKER_JOB = "axiswatch-worker"

_ALERTS_TEXT = """\
**Alert texts are not metrics.** Prometheus holds counts, not the evidence sentences, titles or
links; the table beside this shows which categories and kinds of alert were written in the
selected time range. The alerts themselves are in the table below (the alert history that
`axiswatch serve` keeps in PostgreSQL; its page: http://127.0.0.1:8080), and:

- `axiswatch alerts --from-beginning` (readable) or `axiswatch alerts --json`
- with Docker: `docker compose -f deploy/compose.yaml run --rm cli alerts --from-beginning`
- any Kafka client: `kcat -b HOST:PORT -C -t alerts -o -20 -e`

Each alert carries its `alert_id`, `kind` (`new` / `corroborated`), `category`, the verbatim
`evidence` sentence, the actors, the source and the times.
"""


class _Layout:
    """Places panels left to right on Grafana's 24-column grid, wrapping to a new line."""

    def __init__(self) -> None:
        self.x = self.y = self.row_height = 0
        self.next_id = 1

    def take_id(self) -> int:
        self.next_id += 1
        return self.next_id - 1

    def place(self, width: int, height: int) -> dict[str, int]:
        if self.x + width > 24:
            self.x, self.y, self.row_height = 0, self.y + self.row_height, 0
        pos = {"h": height, "w": width, "x": self.x, "y": self.y}
        self.x += width
        self.row_height = max(self.row_height, height)
        return pos

    def new_row(self) -> dict[str, int]:
        self.y += self.row_height
        self.x, self.row_height = 0, 0
        pos = {"h": 1, "w": 24, "x": 0, "y": self.y}
        self.y += 1
        return pos


def _target(expr: str, legend: str = "", ref: str = "A", instant: bool = False) -> dict[str, Any]:
    target: dict[str, Any] = {
        "datasource": DATASOURCE,
        "editorMode": "code",
        "expr": expr,
        "legendFormat": legend or "__auto",
        "range": not instant,
        "instant": instant,
        "refId": ref,
    }
    if instant:
        target["format"] = "table"
    return target


def _targets(*queries: tuple[str, str]) -> list[dict[str, Any]]:
    return [_target(expr, legend, chr(ord("A") + i)) for i, (expr, legend) in enumerate(queries)]


class _Dashboard:
    def __init__(self) -> None:
        self.layout = _Layout()
        self.panels: list[dict[str, Any]] = []

    def row(self, title: str) -> None:
        self.panels.append(
            {
                "collapsed": False,
                "gridPos": self.layout.new_row(),
                "id": self.layout.take_id(),
                "panels": [],
                "title": title,
                "type": "row",
            }
        )

    def _panel(
        self,
        kind: str,
        title: str,
        description: str,
        width: int,
        height: int,
        targets: list[dict[str, Any]],
        field_config: dict[str, Any],
        options: dict[str, Any],
        **extra: Any,
    ) -> None:
        panel = {
            "datasource": DATASOURCE,
            "description": description,
            "fieldConfig": {"defaults": field_config, "overrides": []},
            "gridPos": self.layout.place(width, height),
            "id": self.layout.take_id(),
            "options": options,
            "targets": targets,
            "title": title,
            "type": kind,
        }
        panel.update(extra)
        self.panels.append(panel)

    def stat(
        self,
        title: str,
        description: str,
        expr: str,
        *,
        unit: str = "short",
        width: int = 3,
        height: int = 4,
        thresholds: list[tuple[float | None, str]] | None = None,
        mappings: list[dict[str, Any]] | None = None,
        legend: str = "",
        decimals: int | None = None,
    ) -> None:
        steps = [{"color": c, "value": v} for v, c in thresholds or [(None, "blue")]]
        field_config: dict[str, Any] = {
            "color": {"mode": "thresholds"},
            "mappings": mappings or [],
            "thresholds": {"mode": "absolute", "steps": steps},
            "unit": unit,
        }
        if decimals is not None:
            field_config["decimals"] = decimals
        self._panel(
            "stat",
            title,
            description,
            width,
            height,
            [_target(expr, legend)],
            field_config,
            {
                "colorMode": "background",
                "graphMode": "area",
                "justifyMode": "auto",
                "orientation": "auto",
                "reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False},
                "textMode": "auto",
            },
        )

    def timeseries(
        self,
        title: str,
        description: str,
        queries: list[tuple[str, str]],
        *,
        unit: str = "short",
        width: int = 8,
        height: int = 8,
        bars: bool = False,
        min_interval: str | None = None,
    ) -> None:
        custom: dict[str, Any] = {
            "drawStyle": "bars" if bars else "line",
            "fillOpacity": 60 if bars else 10,
            "lineWidth": 1,
            "pointSize": 4,
            "showPoints": "never",
            "spanNulls": False,
            "stacking": {"group": "A", "mode": "normal" if bars else "none"},
        }
        extra = {"interval": min_interval} if min_interval else {}
        self._panel(
            "timeseries",
            title,
            description,
            width,
            height,
            _targets(*queries),
            {"color": {"mode": "palette-classic"}, "custom": custom, "min": 0, "unit": unit},
            {
                "legend": {
                    "calcs": ["lastNotNull", "max"],
                    "displayMode": "table",
                    "placement": "bottom",
                    "showLegend": True,
                },
                "tooltip": {"mode": "multi", "sort": "desc"},
            },
            **extra,
        )

    def table(self, title: str, description: str, expr: str, *, width: int = 12) -> None:
        self._panel(
            "table",
            title,
            description,
            width,
            8,
            [_target(expr, instant=True)],
            {"custom": {"align": "auto"}, "unit": "short"},
            {"showHeader": True, "sortBy": [{"desc": True, "displayName": "Value"}]},
            transformations=[
                {
                    "id": "organize",
                    "options": {
                        "excludeByName": {"Time": True},
                        "renameByName": {"Value": "alerts in range"},
                    },
                }
            ],
        )

    def history_table(self, title: str, description: str, sql: str) -> None:
        """A table of rows from the alert history database (PostgreSQL), newest first."""
        self._panel(
            "table",
            title,
            description,
            24,
            12,
            [
                {
                    "datasource": HISTORY,
                    "editorMode": "code",
                    "format": "table",
                    "rawQuery": True,
                    "rawSql": sql,
                    "refId": "A",
                }
            ],
            {"custom": {"align": "auto", "cellOptions": {"type": "auto"}, "inspect": True}},
            {"showHeader": True, "cellHeight": "sm", "footer": {"show": False}},
            datasource=HISTORY,
        )
        widths = {"detected": 170, "kind": 110, "category": 100, "evidence": 520, "sources": 70}
        self.panels[-1]["fieldConfig"]["overrides"] = [
            {
                "matcher": {"id": "byName", "options": name},
                "properties": [{"id": "custom.width", "value": width}],
            }
            for name, width in widths.items()
        ] + [
            {
                "matcher": {"id": "byName", "options": "link"},
                "properties": [
                    {
                        "id": "links",
                        "value": [{"targetBlank": True, "title": "open", "url": "${__value.raw}"}],
                    }
                ],
            }
        ]

    def text(self, title: str, content: str, *, width: int = 12) -> None:
        self.panels.append(
            {
                "gridPos": self.layout.place(width, 8),
                "id": self.layout.take_id(),
                "options": {"content": content, "mode": "markdown"},
                "title": title,
                "type": "text",
            }
        )


def _quantiles(
    metric: str, by: str, qs: tuple[float, ...] = (0.5, 0.95, 0.99), window: str = RATE
) -> list[tuple[str, str]]:
    group = f"le, {by}" if by else "le"
    prefix = f"{{{{{by}}}}} " if by else ""
    return [
        (
            f"histogram_quantile({q}, sum by ({group}) (rate({metric}_bucket[{window}])))",
            f"{prefix}p{round(q * 100)}",
        )
        for q in qs
    ]


def build() -> dict[str, Any]:
    """The dashboard model (Grafana JSON, schema version 39)."""
    d = _Dashboard()

    d.row("Health at a glance")
    d.stat(
        "Workers up",
        "Worker processes Prometheus scrapes successfully. 0: nothing is processing articles.",
        f'sum(up{{job="{WORKER_JOB}"}}) or vector(0)',
        thresholds=[(None, "red"), (1, "green")],
        decimals=0,
    )
    d.stat(
        "Articles enriched /s",
        "Articles leaving the last stage (stories) per second, all sources.",
        f'sum(rate(axiswatch_articles_out_total{{stage="stories"}}[{RATE}])) or vector(0)',
        unit=PER_SECOND,
        width=4,
    )
    d.stat(
        "Consumer lag",
        "Messages in articles.raw and articles.analyzed that the worker group has not "
        "processed yet (all partitions).",
        "sum(max by (topic, partition) (axiswatch_consumer_lag_messages))",
        thresholds=[(None, "green"), (100, "orange"), (1000, "red")],
        decimals=0,
    )
    d.stat(
        "New alerts",
        "Alerts of kind `new` written in the selected time range.",
        'sum(increase(axiswatch_alerts_total{kind="new"}[$__range])) or vector(0)',
        decimals=0,
    )
    d.stat(
        "Dead letters",
        "Messages sent to articles.dlq in the selected time range (not decodable, not an "
        "article, too large, or failed in processing).",
        "sum(increase(axiswatch_dead_letters_total[$__range])) or vector(0)",
        width=4,
        thresholds=[(None, "green"), (1, "orange"), (50, "red")],
        decimals=0,
    )
    d.stat(
        "Feeds down",
        "Feeds whose last fetch failed (axiswatch_feed_up == 0).",
        "count(max by (feed) (axiswatch_feed_up) == 0) or vector(0)",
        thresholds=[(None, "green"), (1, "orange")],
        decimals=0,
    )
    d.stat(
        "Rules firing",
        "axiswatch alerting rules firing now (deploy/prometheus/rules.yml; README, Operations).",
        'count(ALERTS{alertstate="firing", alertname=~"Axiswatch.*"}) or vector(0)',
        width=4,
        thresholds=[(None, "green"), (1, "red")],
        decimals=0,
    )

    d.row("Throughput")
    d.timeseries(
        "Articles per second by stage",
        "Read (in) and written (out) by each stage: replay and poll publish to articles.raw, "
        "analyze reads it, stories writes articles.enriched. In above out for long: a stage "
        "drops or dead-letters articles (see Dead letters).",
        [
            (
                f'sum by (stage) (rate(axiswatch_articles_in_total{{source=~"$source"}}[{RATE}]))',
                "{{stage}} in",
            ),
            (
                f'sum by (stage) (rate(axiswatch_articles_out_total{{source=~"$source"}}[{RATE}]))',
                "{{stage}} out",
            ),
        ],
        unit=PER_SECOND,
        width=12,
    )
    d.timeseries(
        "Articles enriched per second by source",
        "Where the analysed articles come from (the source label is capped at 100 names; later "
        "ones count as `other`).",
        [
            (
                "sum by (source) (rate(axiswatch_articles_out_total"
                f'{{stage="stories", source=~"$source"}}[{RATE}]))',
                "{{source}}",
            )
        ],
        unit=PER_SECOND,
        width=12,
    )
    d.timeseries(
        "Duplicate ratio",
        "Share of articles that repeat a known story: the same URL, the same text, or a "
        "near-duplicate (MinHash). A sudden change: a syndication burst, or a feed that "
        "re-publishes old entries.",
        [
            (
                f"sum(rate(axiswatch_duplicates_total[{RATE}])) / "
                f'sum(rate(axiswatch_articles_in_total{{stage="stories"}}[{RATE}]))',
                "all duplicates",
            ),
            (
                f"sum by (match) (rate(axiswatch_duplicates_total[{RATE}])) / ignoring(match) "
                f'group_left sum(rate(axiswatch_articles_in_total{{stage="stories"}}[{RATE}]))',
                "{{match}}",
            ),
        ],
        unit="percentunit",
    )
    d.timeseries(
        "Stories started per second",
        "Articles that start a new story (not a copy of a known one).",
        [(f"sum(rate(axiswatch_stories_total[{RATE}]))", "stories")],
        unit=PER_SECOND,
    )
    d.timeseries(
        "Dead letters per second by reason",
        "What goes to articles.dlq and why: invalid_utf8, invalid_json, invalid_article, "
        "too_large (a producer problem) or processing_error (a bug: see the worker log).",
        [
            (
                f"sum by (stage, reason) (rate(axiswatch_dead_letters_total[{RATE}]))",
                "{{stage}} {{reason}}",
            )
        ],
        unit=PER_SECOND,
    )
    d.timeseries(
        "Messages read again per second",
        "Input messages the worker's consumer skipped (it happens around rebalances) and the "
        "worker read again itself before committing past them. Occasional bursts after a "
        "rebalance are expected; a steady rate means the consumer keeps skipping: see the "
        "worker log.",
        [(f"sum by (topic) (rate(axiswatch_reread_messages_total[{RATE}]))", "{{topic}}")],
        unit=PER_SECOND,
    )

    d.row("Latency")
    d.timeseries(
        "Processing time per stage",
        "Time to process one article in each stage (p50, p95, p99).",
        _quantiles("axiswatch_stage_seconds", "stage"),
        unit="s",
    )
    d.timeseries(
        "Ingestion to output",
        "From an article's ingestion (fetched_at, set by replay or the poller) to its enriched "
        "record or its alert (p50, p95, p99): the pipeline's own delay, lag included.",
        _quantiles("axiswatch_pipeline_latency_seconds", "output"),
        unit="s",
    )
    d.timeseries(
        "Publication to alert",
        "From an article's publication (published_at, from the feed) to its alert, over the "
        "last hour (p50, p95): how late the news reaches the monitoring team, the feed's own "
        "delay and polling interval included.",
        _quantiles("axiswatch_publication_to_alert_seconds", "", (0.5, 0.95), "1h"),
        unit="s",
    )

    d.row("Lag and state")
    d.timeseries(
        "Consumer lag by topic and partition",
        "Messages the worker group has not committed yet. Every worker reports the whole "
        "group's lag, hence max by (topic, partition). Growing: the workers cannot keep up "
        "(scale them: up to 6 share articles.raw) or are stuck.",
        [
            (
                "max by (topic, partition) (axiswatch_consumer_lag_messages)",
                "{{topic}} [{{partition}}]",
            )
        ],
        width=12,
    )
    d.timeseries(
        "Story index size",
        "Entries in the stories stage's state tables (fingerprints, stories, events); bounded "
        "by the story and event windows (AXISWATCH_STORY_WINDOW_DAYS, "
        "AXISWATCH_EVENT_WINDOW_DAYS) and AXISWATCH_MAX_STORIES, AXISWATCH_MAX_EVENTS.",
        [("max by (table) (axiswatch_story_index_entries)", "{{table}}")],
        width=12,
    )

    d.row("Alerts")
    d.timeseries(
        "Alerts by category",
        "Alerts written per category: `new` (a signal no story in the window carries) and "
        "`corroborated` (a known signal from another source or story).",
        [
            (
                'sum by (category) (increase(axiswatch_alerts_total{kind="new"}[$__interval]))',
                "{{category}} new",
            ),
            (
                "sum by (category) (increase(axiswatch_alerts_total"
                '{kind="corroborated"}[$__interval]))',
                "{{category}} corroborated",
            ),
        ],
        width=24,
        bars=True,
        min_interval="1m",
    )
    d.table(
        "Latest alerts: counts by category and kind",
        "Alerts written in the selected time range, by category and kind. The alerts "
        "themselves (evidence, actors, links) are in the alerts topic: see the note beside.",
        "sort_desc(sum by (category, kind) (increase(axiswatch_alerts_total[$__range])) > 0)",
    )
    d.text("Reading the alerts themselves", _ALERTS_TEXT)
    d.history_table(
        "Latest alerts",
        "The alerts themselves, newest first (at most 200 of the selected time range): kind, "
        "category, the evidence sentence, actors, source and link, from the alert history that "
        "`axiswatch serve` keeps in PostgreSQL (compose service history; its page with filters: "
        "http://127.0.0.1:8080).",
        HISTORY_SQL,
    )

    d.row("Feeds")
    d.stat(
        "Feed health",
        "One tile per feed: up when its last fetch worked, DOWN when it failed.",
        'max by (feed) (axiswatch_feed_up{feed=~"$feed"})',
        width=8,
        height=8,
        legend="{{feed}}",
        thresholds=[(None, "red"), (1, "green")],
        mappings=[
            {
                "options": {
                    "0": {"color": "red", "index": 0, "text": "DOWN"},
                    "1": {"color": "green", "index": 1, "text": "up"},
                },
                "type": "value",
            }
        ],
    )
    d.timeseries(
        "Hours since a feed's last successful fetch",
        "Rises by one per hour while a feed fails. Compare with its interval in "
        "seeds/feeds.toml; `axiswatch poll --status` shows the last error.",
        [
            (
                "(time() - max by (feed) (axiswatch_feed_last_success_timestamp_seconds"
                '{feed=~"$feed"})) / 3600',
                "{{feed}}",
            )
        ],
        unit="h",
    )
    d.timeseries(
        "Feed fetches per second by result",
        "ok (new content), not_modified (HTTP 304) and error, all feeds.",
        [
            (
                f'sum by (result) (rate(axiswatch_feed_fetches_total{{feed=~"$feed"}}[{RATE}]))',
                "{{result}}",
            )
        ],
        unit=PER_SECOND,
    )
    d.timeseries(
        "Feed errors per second by feed",
        "Failed fetches per feed (network, HTTP status, not a feed, too large, ...).",
        [
            (
                "sum by (feed) (rate(axiswatch_feed_fetches_total"
                f'{{result="error", feed=~"$feed"}}[{RATE}]))',
                "{{feed}}",
            )
        ],
        unit=PER_SECOND,
    )
    d.timeseries(
        "Entries published per second by feed",
        "New or changed feed entries the poller published to articles.raw.",
        [
            (
                "sum by (feed) (rate(axiswatch_feed_items_published_total"
                f'{{feed=~"$feed"}}[{RATE}]))',
                "{{feed}}",
            )
        ],
        unit=PER_SECOND,
    )
    d.timeseries(
        "Poll schedule lag",
        "How late feed polls start after they are due (p50, p99): a poller falling behind "
        "(too few --workers for the feeds, or a slow host) shows here.",
        _quantiles("axiswatch_feed_schedule_lag_seconds", "", (0.5, 0.99)),
        unit="s",
    )

    return {
        "annotations": {
            "list": [
                {
                    "builtIn": 1,
                    "datasource": {"type": "grafana", "uid": "-- Grafana --"},
                    "enable": True,
                    "hide": True,
                    "iconColor": "rgba(0, 211, 255, 1)",
                    "name": "Annotations & Alerts",
                    "type": "dashboard",
                },
                {
                    "datasource": DATASOURCE,
                    "enable": True,
                    "expr": 'ALERTS{alertstate="firing", alertname=~"Axiswatch.*"}',
                    "iconColor": "red",
                    "name": "Rules firing",
                    "step": "60s",
                    "tagKeys": "alertname,severity",
                    "titleFormat": "{{alertname}}",
                },
            ]
        },
        "description": "axiswatch: is the pipeline healthy, and what is it finding? "
        "Operations guide: README.md, section Operations.",
        "editable": True,
        "fiscalYearStartMonth": 0,
        "graphTooltip": 1,
        "links": [],
        "panels": d.panels,
        "refresh": "30s",
        "schemaVersion": 39,
        "tags": ["axiswatch", "kafka"],
        "templating": {
            "list": [
                _label_variable("source", "axiswatch_articles_out_total", "Source"),
                _label_variable("feed", "axiswatch_feed_fetches_total", "Feed"),
            ]
        },
        "time": {"from": "now-6h", "to": "now"},
        "timepicker": {},
        "timezone": "utc",
        "title": "axiswatch pipeline",
        "uid": DASHBOARD_UID,
        "version": 1,
    }


def _label_variable(name: str, metric: str, label: str) -> dict[str, Any]:
    query = f"label_values({metric}, {name})"
    return {
        "allValue": ".*",
        "current": {"selected": True, "text": ["All"], "value": ["$__all"]},
        "datasource": DATASOURCE,
        "definition": query,
        "includeAll": True,
        "label": label,
        "multi": True,
        "name": name,
        "options": [],
        "query": {"qryType": 1, "query": query, "refId": "PrometheusVariableQueryEditor"},
        "refresh": 2,
        "sort": 1,
        "type": "query",
    }


def render() -> str:
    return json.dumps(build(), indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def main(argv: list[str]) -> int:
    text = render()
    if "--check" in argv:
        if not OUTPUT.exists() or OUTPUT.read_text(encoding="utf-8") != text:
            print(f"{OUTPUT} is out of date: run python {Path(__file__).name}", file=sys.stderr)
            return 1
        return 0
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(text, encoding="utf-8")
    print(OUTPUT)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
