"""Whether a local broker (`axiswatch broker start`) runs in a data folder, and its state.

Read by the settings (a local broker's address and security when no cluster is configured) and
by the broker tool itself; it imports nothing of the project, so the settings need not import
the tool.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

__all__ = ["STATE_FILE", "alive", "read_state"]

STATE_FILE = "broker.json"


def read_state(data_dir: Path) -> dict[str, Any] | None:
    """The running broker's state (pid, bootstrap) in `data_dir`, or None if none runs there."""
    path = Path(data_dir) / STATE_FILE
    try:
        state = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return state if alive(state.get("pid")) else None


def alive(pid: Any) -> bool:
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie child of ours is not alive.
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().split(") ", 1)[1][:1] != "Z"
    except OSError:
        return True
