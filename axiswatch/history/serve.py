"""`axiswatch serve`: the sink and the web server in one process, until Ctrl-C or SIGTERM."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import threading
from collections.abc import Callable
from pathlib import Path

from axiswatch.exceptions import AxiswatchError
from axiswatch.history.sink import DEFAULT_GROUP, HistorySink
from axiswatch.history.store import HistoryStore, open_store
from axiswatch.settings import Settings

__all__ = ["DEFAULT_PORT", "run_serve"]

DEFAULT_PORT = 8080


def run_serve(
    settings: Settings,
    *,
    database_url: str | None = None,
    host: str = "127.0.0.1",
    port: int = DEFAULT_PORT,
    group: str = DEFAULT_GROUP,
    sink: bool = True,
    say: Callable[[str], None] = print,
) -> int:
    """Open the store, start the sink (unless `sink` is False: only what is stored is
    shown), serve the page and the API on host:port. Returns the exit status."""
    store = open_store(database_url, Path(settings.data_dir))
    try:
        say(f"history store: {store.describe()} ({store.count()} alert record(s))")
        stop = threading.Event()
        worker = None
        if sink:
            _check_kafka(settings)
            worker = HistorySink(settings, store, group=group, stop=stop, say=say)
            worker.start()
        else:
            say("no sink (--no-sink): showing what the store holds, nothing new is added")
        try:
            asyncio.run(_serve(store, worker, host, port, say))
        finally:
            stop.set()
            if worker is not None:
                worker.join(timeout=30)
    finally:
        store.close()
    return 0


def _check_kafka(settings: Settings) -> None:
    """Fail at once, saying what to do, when the cluster cannot be reached or refuses us."""
    from axiswatch.connection import check_login, connection_error, diagnose
    from axiswatch.topics import ensure_topics

    check_login(settings.kafka)
    diagnosis = diagnose(settings.kafka)
    if diagnosis.kind == "unreachable":
        error = connection_error(settings.kafka, diagnosis)
        raise AxiswatchError(
            f"{error} To browse what the history store already holds without Kafka, run "
            "`axiswatch serve --no-sink`."
        )
    ensure_topics(settings)


async def _serve(
    store: HistoryStore,
    worker: HistorySink | None,
    host: str,
    port: int,
    say: Callable[[str], None],
) -> None:
    from aiohttp import web

    from axiswatch.history.web import make_app

    app = make_app(store, (lambda: worker.status.as_dict()) if worker else (lambda: None))
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    try:
        await site.start()
    except OSError as exc:
        await runner.cleanup()
        raise AxiswatchError(
            f"cannot listen on {host}:{port}: {exc.strerror or exc}. Choose another port with "
            "--port (or stop what uses it)"
        ) from exc
    shown = f"[{host}]" if ":" in host else host
    say(f"serving the alert history at http://{shown}:{port}/ (JSON: /api/alerts); Ctrl-C stops")
    if host not in ("127.0.0.1", "localhost", "::1"):
        say(
            f"note: listening on {host}, not only this machine: the page has no login; put it "
            "behind a proxy that authenticates if the network is not trusted"
        )
    stopped = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signum, stopped.set)
    try:
        await stopped.wait()
    finally:
        say("stopping the history server")
        await runner.cleanup()
