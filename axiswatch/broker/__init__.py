"""The local broker tool (`axiswatch broker`): a single-node Apache Kafka (KRaft) on 127.0.0.1,
run from jars fetched from Maven Central.

Whether a broker runs in a data folder (its state file) is read by axiswatch/brokerstate.py,
a layer below: the settings find the local broker through it without importing this tool.
"""

from axiswatch.broker.node import (
    SCRAM_MECHANISM,
    SCRAM_PROTOCOL,
    Scram,
    Tls,
    client_protocol,
    default_data_dir,
    ensure_jars,
    free_port,
    start,
    status,
    stop,
    tls_material,
)
from axiswatch.brokerstate import read_state

__all__ = [
    "SCRAM_MECHANISM",
    "SCRAM_PROTOCOL",
    "Scram",
    "Tls",
    "client_protocol",
    "default_data_dir",
    "ensure_jars",
    "free_port",
    "read_state",
    "start",
    "status",
    "stop",
    "tls_material",
]
