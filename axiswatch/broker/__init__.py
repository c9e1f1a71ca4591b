"""The local broker tool (`axiswatch broker`): a single-node Apache Kafka (KRaft) on 127.0.0.1,
run from jars fetched from Maven Central.

- `jars`: the broker's jars, fetched with Maven once (deploy/kafka/pom.xml), and Java;
- `security`: the SCRAM user and the TLS material of a broker started with --scram or --tls;
- `node`: one broker process: its configuration, its storage's formatting, start and stop;
- `status`: whether the broker of a data folder answers.

Whether a broker runs in a data folder (its state file) is read by axiswatch/brokerstate.py,
a layer below: the settings find the local broker through it without importing this tool.
"""

from axiswatch.broker.jars import ensure_jars
from axiswatch.broker.node import free_port, start, stop
from axiswatch.broker.security import (
    SCRAM_MECHANISM,
    SCRAM_PROTOCOL,
    Scram,
    Tls,
    client_protocol,
    tls_material,
)
from axiswatch.broker.status import default_data_dir, status
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
