"""The browsable history of alerts (`axiswatch serve`): a sink consumer copies the `alerts`
topic into a store (SQLite by default, PostgreSQL when a URL is given), and a small web
server shows it as a page and a JSON API with filters.

- `store`: the tables, idempotent writes, filtered queries (SQLite and PostgreSQL alike);
- `sink`: the consumer (its own group, read_committed) that writes alerts to the store and
  commits its position only after the write;
- `page`: the HTML page, rendered on the server, every text escaped;
- `web`: the aiohttp application (`/`, `/api/alerts`, `/api/status`, `/healthz`);
- `serve`: the command, which runs the sink and the server together.
"""
