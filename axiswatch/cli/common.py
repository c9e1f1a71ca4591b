"""What the commands share: a command's subparser with its --bootstrap option, the settings
that option gives, and the local broker's SCRAM user from the clients' settings."""

from __future__ import annotations

import argparse
from collections.abc import Callable

from axiswatch.exceptions import AxiswatchError
from axiswatch.settings import Environment, Settings

__all__ = ["add_command", "scram_from_env", "settings_from"]


def add_command(
    sub: argparse._SubParsersAction,
    name: str,
    help_text: str,
    func: Callable[[argparse.Namespace], int],
    bootstrap: bool = True,
) -> argparse.ArgumentParser:
    """The subparser of the command `name`, running `func`; with `bootstrap`, its --bootstrap."""
    p = sub.add_parser(
        name,
        help=help_text,
        description=help_text,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    if bootstrap:
        p.add_argument(
            "--bootstrap",
            metavar="HOST:PORT",
            help="Kafka bootstrap servers (default: KAFKA_BOOTSTRAP_SERVERS, "
            "else the local broker)",
        )
    p.set_defaults(func=func)
    return p


def settings_from(args: argparse.Namespace) -> Settings:
    settings = Settings.from_env()
    if getattr(args, "bootstrap", None):
        settings = settings.with_bootstrap(args.bootstrap)
    return settings


def scram_from_env(required: bool, tls: bool = False):
    """The SCRAM user of `broker start --scram`: the clients' KAFKA_SASL_* settings."""
    from axiswatch import broker

    kafka = Settings.from_env().kafka
    if not required and not (kafka.sasl_username and kafka.sasl_password):
        return None
    environment = Environment.read()
    protocol = environment.kafka_security_protocol
    mechanism = environment.kafka_sasl_mechanism
    expected = broker.client_protocol(scram=True, tls=tls)
    if required and (
        protocol not in (None, "", expected) or mechanism not in (None, "", broker.SCRAM_MECHANISM)
    ):
        raise AxiswatchError(
            f"The local broker's SCRAM listener is {expected} with "
            f"{broker.SCRAM_MECHANISM}, but KAFKA_SECURITY_PROTOCOL={protocol or '(unset)'} and "
            f"KAFKA_SASL_MECHANISM={mechanism or '(unset)'}: the clients could not log in. "
            "Set them to those values, or unset them (commands using the local broker then "
            "pick them up by themselves)."
        )
    return broker.Scram(kafka.sasl_username or "", kafka.sasl_password or "")
