"""Whether the local broker of a data folder runs and answers (`axiswatch broker status`).

Its state file is read by axiswatch/brokerstate.py, which the settings use too; this module
asks the broker itself.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from axiswatch.broker.security import SCRAM_MECHANISM, Scram, client_protocol
from axiswatch.brokerstate import read_state
from axiswatch.settings import default_data_root

__all__ = ["default_data_dir", "probe", "status"]


def default_data_dir() -> Path:
    return default_data_root() / "broker"


def status(data_dir: Path | None = None, scram: Scram | None = None) -> dict[str, Any] | None:
    """The state of the broker in `data_dir` with whether it answers, or None. A broker that
    requires SCRAM is asked with `scram`'s credentials: `answer` is "answering", "refused"
    (wrong credentials), "no credentials" (none given) or "silent"."""
    data_dir = Path(data_dir or default_data_dir()).resolve()
    state = read_state(data_dir)
    if state:
        security = state.get("security") or {}
        needs_scram = bool(security.get("mechanism"))
        cafile = Path(security["cafile"]) if security.get("cafile") else None
        if needs_scram and scram is None:
            answer = "no credentials"
        else:
            answer = probe(state["bootstrap"], scram if needs_scram else None, cafile)
        state = {
            **state,
            "answer": answer,
            "answers": answer == "answering",
            "data_dir": str(data_dir),
        }
    return state


def probe(bootstrap: str, scram: Scram | None = None, cafile: Path | None = None) -> str:
    """How the broker at `bootstrap` answers: "answering" once it serves metadata (not merely
    accepts TCP connections), "refused" if it refuses `scram`'s credentials, else "silent".
    With `cafile`, over TLS, trusting that CA."""
    from kafka import KafkaAdminClient
    from kafka.errors import KafkaError

    security: dict[str, Any] = {}
    if scram or cafile:
        # kafka-python reports a refused login (or certificate) only as a bootstrap timeout;
        # ask once directly.
        from axiswatch.connection import diagnose
        from axiswatch.settings import KafkaSettings

        kafka = KafkaSettings(
            bootstrap_servers=bootstrap,
            security_protocol=client_protocol(scram is not None, cafile is not None),
            sasl_mechanism=SCRAM_MECHANISM if scram else None,
            sasl_username=scram.username if scram else None,
            sasl_password=scram.password if scram else None,
            ssl_cafile=str(cafile) if cafile else None,
        )
        diagnosis = diagnose(kafka, timeout=3.0)
        if diagnosis.kind == "refused":
            return "refused"
        if diagnosis.kind != "ok":
            return "silent"
        security = {**kafka.kafka_python(), "bootstrap_timeout_ms": 5000}
        del security["bootstrap_servers"], security["client_id"]
    try:
        admin = KafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=3000, **security)
    except (KafkaError, OSError, ValueError):
        return "silent"
    try:
        return "answering" if admin.describe_cluster().get("brokers") else "silent"
    except (KafkaError, OSError):
        return "silent"
    finally:
        admin.close()
