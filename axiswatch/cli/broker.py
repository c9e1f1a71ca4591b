"""`axiswatch broker start|stop|status`: the local single-node Kafka (axiswatch/broker/)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from axiswatch.cli.common import add_command, scram_from_env
from axiswatch.settings import Environment

__all__ = ["add_parser", "run"]


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = add_command(
        sub,
        "broker",
        "Run a local single-node Kafka (KRaft) on 127.0.0.1.",
        run,
        bootstrap=False,
    )
    p.add_argument("action", choices=["start", "stop", "status"])
    p.add_argument("--port", type=int, default=9092, help="client port (default 9092)")
    p.add_argument(
        "--scram",
        action="store_true",
        help="start: clients must log in with SASL/SCRAM-SHA-256 (SASL_PLAINTEXT on 127.0.0.1) "
        "as the user KAFKA_SASL_USERNAME with the password KAFKA_SASL_PASSWORD, the settings "
        "the clients use; the user is created when the data dir is first formatted",
    )
    p.add_argument(
        "--tls",
        action="store_true",
        help="start: the client listener on 127.0.0.1 speaks TLS (SSL; SASL_SSL with --scram), "
        "with a certificate signed by a throwaway local CA generated in the data dir when it is "
        "first formatted; the CA's ca.pem is printed, and axiswatch commands using this broker "
        "trust it by themselves (KAFKA_SSL_CAFILE overrides)",
    )
    p.add_argument(
        "--data-dir",
        help="folder for the broker's config, data and log "
        "(default .axiswatch/broker in the project)",
    )


def run(args: argparse.Namespace) -> int:
    from axiswatch import broker

    servers = Environment.read().kafka_bootstrap_servers
    if servers:
        print(
            f"KAFKA_BOOTSTRAP_SERVERS is set ({servers}): axiswatch uses that cluster and starts "
            "no local broker."
        )
        return 0
    data_dir = Path(args.data_dir) if args.data_dir else None
    if args.action == "start":
        scram = scram_from_env(required=True, tls=args.tls) if args.scram else None
        bootstrap = broker.start(port=args.port, data_dir=data_dir, scram=scram, tls=args.tls)
        print(bootstrap)
        print(
            f"Kafka is up at {bootstrap}. Stop it with `axiswatch broker stop"
            f"{' --data-dir ' + args.data_dir if args.data_dir else ''}`.",
            file=sys.stderr,
        )
        if scram:
            print(
                f"Clients must log in with SASL/{broker.SCRAM_MECHANISM} as {scram.username!r} "
                "(KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD). axiswatch commands using this "
                "broker do so by themselves; others (or with KAFKA_BOOTSTRAP_SERVERS) need "
                f"KAFKA_SECURITY_PROTOCOL={broker.client_protocol(True, args.tls)} "
                f"KAFKA_SASL_MECHANISM={broker.SCRAM_MECHANISM}.",
                file=sys.stderr,
            )
        if args.tls:
            cafile = broker.tls_material(data_dir or broker.default_data_dir()).cafile
            print(
                f"The listener speaks TLS; its certificate (for 127.0.0.1 and localhost) is "
                f"signed by the local CA {cafile}. axiswatch commands using this broker trust "
                "it by themselves; other clients (or with KAFKA_BOOTSTRAP_SERVERS) need "
                f"KAFKA_SECURITY_PROTOCOL={broker.client_protocol(bool(scram), True)} "
                f"KAFKA_SSL_CAFILE={cafile}.",
                file=sys.stderr,
            )
        return 0
    if args.action == "stop":
        stopped = broker.stop(data_dir)
        print("stopped" if stopped else "no broker was running there")
        return 0
    state = broker.status(data_dir, scram=scram_from_env(required=False))
    if not state:
        print("not running")
        return 3
    security = state.get("security") or {}
    listener = (
        f"SASL/{security['mechanism']} over {security['protocol']}, user {security['username']}"
        if security.get("mechanism")
        else security.get("protocol") or "PLAINTEXT"
    )
    if security.get("tls"):
        listener += f", TLS with the local CA {security.get('cafile')}"
    answer = {
        "answering": "answering",
        "silent": "NOT answering",
        "refused": "REFUSES the credentials in KAFKA_SASL_USERNAME / KAFKA_SASL_PASSWORD: set "
        "the ones it was started with",
        "no credentials": "requires SCRAM: set KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD to "
        "ask whether it answers",
    }[state["answer"]]
    print(
        f"running: {state['bootstrap']} (pid {state['pid']}, data in {state['data_dir']}, "
        f"listener {listener}, {answer})"
    )
    return 0 if state["answers"] else 1
