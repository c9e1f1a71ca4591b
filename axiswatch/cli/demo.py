"""`axiswatch demo`: the whole pipeline on a local broker: worker, seed replay, alerts."""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys

from axiswatch.cli.alerts import AlertFollower
from axiswatch.cli.common import add_command, scram_from_env
from axiswatch.exceptions import AxiswatchError
from axiswatch.settings import Settings, in_checkout, project_root
from streams.catalogue import seeds_dir

__all__ = ["add_parser", "run"]


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = add_command(
        sub,
        "demo",
        "The whole pipeline on a local broker: worker, seed replay, alerts.",
        run,
        bootstrap=False,
    )
    p.add_argument("paths", nargs="*", metavar="PATH", help="what to replay (default: seeds/)")
    p.add_argument(
        "--until-idle",
        action="store_true",
        help="stop once no alert has arrived for --idle-seconds",
    )
    p.add_argument(
        "--idle-seconds",
        type=float,
        default=5.0,
        help="quiet time after the replayed articles are processed (default 5)",
    )
    p.add_argument("--rate", type=float, help="replay rate, articles per second")
    p.add_argument("--port", type=int, default=9092, help="port of the local broker")
    p.add_argument(
        "--fresh",
        action="store_true",
        help="wipe the local broker's data first, so every signal is new again",
    )


def run(args: argparse.Namespace) -> int:
    from axiswatch import broker
    from axiswatch.topics import ensure_topics
    from producers.replay import replay

    settings = Settings.from_env()
    started_broker = False
    if not settings.kafka.external:
        if args.fresh:
            import shutil

            broker.stop()
            shutil.rmtree(broker.default_data_dir(), ignore_errors=True)
            print(
                "Removed the local broker's data: starting from an empty cluster.", file=sys.stderr
            )
        print("Starting the local Kafka broker (first run fetches its jars) ...", file=sys.stderr)
        running = broker.read_state(broker.default_data_dir())
        started_broker = running is None
        # A local broker already running with --scram (or --tls) is used as it runs, with the
        # clients' credentials.
        security = (running or {}).get("security") or {}
        tls = bool(security.get("tls"))
        scram = scram_from_env(required=True, tls=tls) if security.get("mechanism") else None
        bootstrap = broker.start(port=args.port, scram=scram, tls=tls)
        settings = Settings.from_env()  # the local broker's address and security
        if settings.kafka.bootstrap_servers != bootstrap:
            settings = settings.with_bootstrap(bootstrap)
    print(f"Kafka: {settings.kafka.bootstrap_servers}", file=sys.stderr)
    ensure_topics(settings)
    log_path = settings.data_dir / "worker.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    # The worker gets the cluster and how to log in to it (a local broker's security too:
    # with KAFKA_BOOTSTRAP_SERVERS set, it would not look the local broker up).
    env = {
        **os.environ,
        "KAFKA_BOOTSTRAP_SERVERS": settings.kafka.bootstrap_servers,
        "KAFKA_SECURITY_PROTOCOL": settings.kafka.security_protocol,
    }
    if settings.kafka.sasl_mechanism:
        env["KAFKA_SASL_MECHANISM"] = settings.kafka.sasl_mechanism
    if settings.kafka.ssl_cafile:
        env["KAFKA_SSL_CAFILE"] = settings.kafka.ssl_cafile
    with log_path.open("ab") as log:
        worker = subprocess.Popen(
            [sys.executable, "-m", "axiswatch", "worker"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            # Faust keeps its data folder in the working directory: the project in a
            # checkout, the data folder when installed (never site-packages).
            cwd=project_root() if in_checkout() else settings.data_dir,
            start_new_session=True,
        )
    print(f"Worker started (pid {worker.pid}, log {log_path}).", file=sys.stderr)
    interrupted = False
    follower = None

    def worker_alive() -> None:
        if worker.poll() is not None:
            tail = "\n".join(log_path.read_text(errors="replace").splitlines()[-15:])
            raise AxiswatchError(
                f"the worker exited with status {worker.returncode}; see {log_path}:\n{tail}"
            )

    try:
        # Only what this run raises: alerts of earlier runs are history (`alerts --from-beginning`).
        follower = AlertFollower(settings, from_beginning=False, watch_enriched=True)
        paths = args.paths or [str(seeds_dir())]
        report = replay(
            settings,
            paths,
            rate=args.rate,
            progress=False,
            on_bad=lambda b: print(f"skipped {b.where}: {b.reason}", file=sys.stderr),
        )
        print(
            f"Replayed {report.published} article(s) from {', '.join(paths)}. "
            "Alerts as they arrive (Ctrl-C to stop):\n",
            file=sys.stderr,
        )
        shown = follower.run(
            as_json=False,
            idle=args.idle_seconds if args.until_idle else None,
            pending=set(report.article_ids),
            check=worker_alive,
        )
        if not shown:
            print(
                "No new alerts: every signal in these articles was raised before. "
                "`axiswatch alerts --from-beginning` shows the earlier alerts.",
                file=sys.stderr,
            )
    except KeyboardInterrupt:
        interrupted = True
    finally:
        if follower:
            follower.close()
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
        if started_broker:
            broker.stop()
            print("Stopped the worker and the local broker.", file=sys.stderr)
        else:
            print("Stopped the worker.", file=sys.stderr)
    return 130 if interrupted else 0
