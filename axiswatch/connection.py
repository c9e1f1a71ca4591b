"""Why a Kafka client cannot connect, said so that the user knows what to change.

kafka-python (3.0) retries a refused SASL login until its bootstrap timeout and then reports
only "Unable to bootstrap": wrong credentials look like a broker that is down. `diagnose` opens
one connection to the first bootstrap server the way the clients would (with aiokafka, which
reports the broker's answer) and sends one metadata request.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from dataclasses import dataclass

from axiswatch.exceptions import BrokerError
from axiswatch.settings import KafkaSettings

__all__ = ["Diagnosis", "check_login", "connection_error", "diagnose"]


@dataclass(frozen=True)
class Diagnosis:
    """`kind`: "ok", "refused" (credentials), "mechanism" (SASL mechanism not enabled),
    "no-sasl" (a SASL login to a listener without SASL), "closed" (the broker hung up at the
    first request: a plaintext client on a SASL or TLS listener), "untrusted" (the broker's
    TLS certificate failed verification), "tls" (the TLS handshake failed otherwise: a TLS
    client on a plaintext listener), "unreachable" or "other"."""

    kind: str
    detail: str = ""

    @property
    def fatal(self) -> bool:
        """Retrying with the same settings cannot help."""
        return self.kind in {"refused", "mechanism", "no-sasl", "closed", "untrusted", "tls"}


def diagnose(kafka: KafkaSettings, timeout: float = 10.0) -> Diagnosis:
    """Connect to the first bootstrap server with `kafka`'s settings and ask for metadata."""
    kafka.check()
    server = kafka.servers[0]
    host, _, port = server.rpartition(":")
    config = {k: v for k, v in kafka.aiokafka().items() if k != "bootstrap_servers"}

    async def probe() -> Diagnosis:
        import ssl

        from aiokafka.conn import create_conn
        from aiokafka.errors import (
            IllegalSaslStateError,
            KafkaConnectionError,
            KafkaError,
            SaslAuthenticationFailed,
            UnsupportedSaslMechanismError,
        )
        from aiokafka.protocol.metadata import MetadataRequest

        try:
            conn = await create_conn(
                host.strip("[]"), int(port), request_timeout_ms=int(timeout * 1000), **config
            )
        except SaslAuthenticationFailed as exc:
            return Diagnosis("refused", str(exc))
        except UnsupportedSaslMechanismError as exc:
            return Diagnosis("mechanism", str(exc))
        except IllegalSaslStateError as exc:
            return Diagnosis("no-sasl", str(exc))
        except ssl.SSLCertVerificationError as exc:
            return Diagnosis("untrusted", exc.verify_message or str(exc))
        except ssl.SSLError as exc:  # before OSError, of which it is one
            return Diagnosis("tls", str(exc))
        except ConnectionResetError as exc:
            if kafka.security_protocol.endswith("SSL"):
                # Connected, then reset at the TLS client hello: a plaintext listener (Kafka
                # reads the hello as an oversized request).
                return Diagnosis("tls", str(exc) or "connection reset during the handshake")
            return Diagnosis("unreachable", str(exc) or type(exc).__name__)
        except (TimeoutError, OSError) as exc:
            return Diagnosis("unreachable", str(exc) or type(exc).__name__)
        except KafkaConnectionError as exc:
            # Connected, then closed at the first request (the version lookup): a plaintext
            # client on a TLS listener (a SASL listener answers that request, and closes later).
            return Diagnosis("closed", str(exc))
        except KafkaError as exc:
            return Diagnosis("other", str(exc))
        try:
            await asyncio.wait_for(conn.send(MetadataRequest([])), timeout)
            return Diagnosis("ok")
        except KafkaConnectionError as exc:
            return Diagnosis("closed", str(exc))
        except (TimeoutError, KafkaError, OSError) as exc:
            return Diagnosis("other", str(exc) or type(exc).__name__)
        finally:
            conn.close()

    # In a thread of its own: the caller may run inside an event loop (the Faust worker).
    with concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="axiswatch-diagnose") as pool:
        try:
            return pool.submit(asyncio.run, probe()).result(timeout + 5)
        except concurrent.futures.TimeoutError:
            return Diagnosis("unreachable", f"no answer within {timeout:.0f}s")


def connection_error(
    kafka: KafkaSettings, diagnosis: Diagnosis, cause: object = None
) -> BrokerError:
    """A `BrokerError` saying what `diagnosis` means for these settings and what to do."""
    where = kafka.bootstrap_servers
    if diagnosis.kind == "refused":
        return BrokerError(
            f"Kafka at {where} refused the credentials: SASL {kafka.sasl_mechanism} login as "
            f"{kafka.sasl_username!r} failed. Check KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD "
            "(for a local broker started with `axiswatch broker start --scram`: the user and "
            "password it was started with)."
        )
    if diagnosis.kind == "mechanism":
        return BrokerError(
            f"Kafka at {where} does not enable the SASL mechanism {kafka.sasl_mechanism} "
            "(KAFKA_SASL_MECHANISM): set one it enables (the local broker started with "
            "--scram enables SCRAM-SHA-256)."
        )
    if diagnosis.kind == "no-sasl":
        return BrokerError(
            f"Kafka at {where} does not take SASL logins on this listener "
            f"(KAFKA_SECURITY_PROTOCOL={kafka.security_protocol}): it is probably plaintext "
            "(or TLS only). Unset KAFKA_SECURITY_PROTOCOL and KAFKA_SASL_MECHANISM, or set "
            "them to what the cluster uses (`axiswatch broker start` without --scram is "
            "PLAINTEXT)."
        )
    if diagnosis.kind == "closed":
        return BrokerError(
            f"Kafka at {where} closed the connection at the first request "
            f"(KAFKA_SECURITY_PROTOCOL={kafka.security_protocol}): it probably requires "
            "another security protocol. For a broker that requires SASL/SCRAM (such as "
            "`axiswatch broker start --scram`) set KAFKA_SECURITY_PROTOCOL=SASL_PLAINTEXT "
            "(SASL_SSL with TLS), KAFKA_SASL_MECHANISM=SCRAM-SHA-256, KAFKA_SASL_USERNAME and "
            "KAFKA_SASL_PASSWORD. For a TLS listener (`axiswatch broker start --tls`) set "
            "KAFKA_SECURITY_PROTOCOL=SSL, or SASL_SSL with SASL, and KAFKA_SSL_CAFILE to the "
            "CA certificate that signed the broker's."
        )
    if diagnosis.kind == "untrusted":
        cafile = kafka.ssl_cafile or "(unset: the system's CAs)"
        return BrokerError(
            f"Kafka at {where} presented a TLS certificate that failed verification "
            f"({diagnosis.detail or 'certificate verify failed'}) against KAFKA_SSL_CAFILE="
            f"{cafile}. Set KAFKA_SSL_CAFILE to the PEM file of the CA that signed the "
            "broker's certificate (for `axiswatch broker start --tls`: the ca.pem it prints, "
            "in the tls folder of its data dir)."
        )
    if diagnosis.kind == "tls":
        return BrokerError(
            f"The TLS handshake with Kafka at {where} failed ({diagnosis.detail}) "
            f"(KAFKA_SECURITY_PROTOCOL={kafka.security_protocol}): the listener probably does "
            "not speak TLS. Set KAFKA_SECURITY_PROTOCOL to what the cluster uses (PLAINTEXT, "
            "or SASL_PLAINTEXT for `axiswatch broker start --scram` without --tls)."
        )
    reason = diagnosis.detail or (str(cause) if cause else "no answer")
    return BrokerError(
        f"Cannot reach Kafka at {where} ({reason}). Start the local broker with "
        "`axiswatch broker start`, or set KAFKA_BOOTSTRAP_SERVERS."
    )


def check_login(kafka: KafkaSettings) -> None:
    """Raise `BrokerError` at once if the cluster refuses these settings (credentials, SASL
    mechanism, security protocol); a cluster not reachable yet is left to the caller's retries."""
    diagnosis = diagnose(kafka)
    if diagnosis.fatal:
        raise connection_error(kafka, diagnosis)
