"""The broker's jars, fetched from Maven Central on first use, and the Java that runs them.

`deploy/kafka/pom.xml` names the broker's artifacts; `mvn dependency:copy-dependencies` copies
them (once, then cached) to `deploy/kafka/target/dependency/` in a checkout, to the data folder
when installed.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from axiswatch.exceptions import BrokerError
from axiswatch.settings import default_data_root, in_checkout, project_root

__all__ = ["LOG4J", "ensure_jars", "require_java"]


def _kafka_files() -> Path:
    """The folder of the broker's pom.xml and log4j2.yaml: deploy/kafka in a checkout, the
    installed `axiswatch_kafka` package data otherwise."""
    if in_checkout():
        return project_root() / "deploy" / "kafka"
    import axiswatch_kafka  # the wheel's copy of deploy/kafka

    return Path(axiswatch_kafka.__path__[0])


def _jars_dir() -> Path:
    """Where the fetched jars go: deploy/kafka/target/dependency in a checkout, the data
    folder otherwise (never into the installed package)."""
    if in_checkout():
        return project_root() / "deploy" / "kafka" / "target" / "dependency"
    return default_data_root() / "kafka-jars"


_POM = _kafka_files() / "pom.xml"
_JARS = _jars_dir()
LOG4J = _kafka_files() / "log4j2.yaml"


def ensure_jars(quiet: bool = False) -> Path:
    """The folder of broker jars, fetched with Maven on first use."""
    if any(_JARS.glob("kafka_2.13-*.jar")) and any(_JARS.glob("log4j-core-*.jar")):
        return _JARS
    mvn = shutil.which("mvn")
    if not mvn:
        raise BrokerError(
            "Maven (mvn) is not on PATH; it fetches the Kafka jars once. Install it "
            "(Debian: apt-get install maven) or set KAFKA_BOOTSTRAP_SERVERS to an existing cluster."
        )
    require_java()
    if not quiet:
        print(
            f"Fetching the Kafka broker jars from Maven Central (first run only) into {_JARS} ...",
            file=sys.stderr,  # stdout carries the broker's address only
            flush=True,
        )
    result = subprocess.run(
        [
            mvn,
            "-B",
            "-q",
            "-f",
            str(_POM),
            "dependency:copy-dependencies",
            f"-DoutputDirectory={_JARS}",
        ],  # fmt: skip
        capture_output=True,
        text=True,
    )
    if result.returncode != 0 or not any(_JARS.glob("kafka_2.13-*.jar")):
        tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-15:])
        raise BrokerError(
            f"Fetching the Kafka jars failed (mvn exit {result.returncode}). Check that Maven "
            f"Central is reachable and ~/.m2 is writable, then retry.\n{tail}"
        )
    return _JARS


def require_java() -> str:
    java = shutil.which("java")
    if not java:
        raise BrokerError(
            "Java is not on PATH; the local Kafka broker needs Java 17 or newer "
            "(Debian: apt-get install openjdk-17-jre-headless), or set KAFKA_BOOTSTRAP_SERVERS."
        )
    return java
