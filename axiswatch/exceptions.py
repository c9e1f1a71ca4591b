"""Errors that carry what went wrong and what to do about it."""

from __future__ import annotations

__all__ = ["AxiswatchError", "BrokerError", "InputError"]


class AxiswatchError(Exception):
    """Base class: the CLI prints the message (no traceback) and exits with status 2."""


class BrokerError(AxiswatchError):
    """The local broker could not be fetched, started, reached or stopped."""


class InputError(AxiswatchError):
    """An input file or argument cannot be used."""
