"""Where the editable data lives: the actor catalogue and the signal cues under `seeds/`."""

from __future__ import annotations

import importlib.util
import os
import re
import tomllib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

__all__ = ["SeedDataError", "load_toml", "pattern_regex", "seeds_dir"]


class SeedDataError(ValueError):
    """A catalogue or cue file is missing or malformed; the message names the file and the entry."""


def seeds_dir() -> Path:
    """The seeds folder: `AXISWATCH_SEEDS_DIR`, else `seeds/` beside the packages (a
    checkout), else the installed copy (the `axiswatch_seeds` package data of the wheel)."""
    override = os.environ.get("AXISWATCH_SEEDS_DIR")
    if override:
        return Path(override)
    beside = Path(__file__).resolve().parent.parent / "seeds"
    if beside.is_dir():
        return beside
    spec = importlib.util.find_spec("axiswatch_seeds")
    if spec and spec.submodule_search_locations:
        return Path(next(iter(spec.submodule_search_locations)))
    return beside


def load_toml(name_or_path: str | Path) -> dict[str, Any]:
    """Read a TOML data file from the seeds folder (or a path), with an error that says which."""
    path = Path(name_or_path)
    if not path.is_absolute() and not path.exists():
        path = seeds_dir() / path
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError as exc:
        raise SeedDataError(
            f"{path} not found: set AXISWATCH_SEEDS_DIR to the folder holding the seed data"
        ) from exc
    except tomllib.TOMLDecodeError as exc:
        raise SeedDataError(f"{path} is not valid TOML: {exc}") from exc


def pattern_regex(patterns: Sequence[str]) -> str:
    """An alternation of the seed files' word patterns (`*` = up to six more letters), longest
    first."""
    parts = []
    for pattern in sorted(patterns, key=len, reverse=True):
        escaped = re.escape(pattern.rstrip("*"))
        parts.append(escaped + (r"\w{0,6}" if pattern.endswith("*") else ""))
    return "|".join(parts)
