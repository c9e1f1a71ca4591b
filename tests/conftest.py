import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# The test feed servers listen on loopback: the suite allows private fetch targets (the CLI
# commands it runs inherit this); the SSRF tests refuse them explicitly.
os.environ["AXISWATCH_FETCH_ALLOW_PRIVATE"] = "1"
SEED = ROOT / "seeds" / "000_7bc7d1cde3bf7f1e.txt"


@pytest.fixture
def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


@pytest.fixture
def seed_path() -> Path:
    return SEED
