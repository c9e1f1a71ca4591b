"""A normal install works: the wheel built from this checkout, installed into a fresh
virtualenv outside it, finds its seeds and the broker's pom as package data, keeps its state in
the user's data folder, prints no warnings, and runs `analyze` and `demo --until-idle`."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from axiswatch import broker

ROOT = Path(__file__).resolve().parents[2]
SEED = next((ROOT / "seeds").glob("000_*.txt"))


def run(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(args, capture_output=True, text=True, check=False, **kwargs)


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A fresh virtualenv with the wheel installed (the dependencies come from the test's own
    environment through a .pth file: nothing is downloaded but the build backend)."""
    folder = tmp_path_factory.mktemp("install")
    wheels = folder / "wheels"
    built = run(sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels),
                str(ROOT))  # fmt: skip
    assert built.returncode == 0, built.stdout + built.stderr
    (wheel,) = wheels.glob("axiswatch-*.whl")
    venv = folder / "venv"
    created = run(sys.executable, "-m", "venv", str(venv))
    assert created.returncode == 0, created.stderr
    python = venv / "bin" / "python"
    purelib = run(str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])")
    (Path(purelib.stdout.strip()) / "deps.pth").write_text(sysconfig.get_paths()["purelib"])
    done = run(str(python), "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel))
    assert done.returncode == 0, done.stdout + done.stderr
    return venv


def env_outside(tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AXISWATCH_", "KAFKA_"))}
    env.pop("PYTHONPATH", None)
    env["XDG_DATA_HOME"] = str(tmp / "data")  # the user's data folder, here
    return env


def test_installed_analyze_finds_its_seeds_and_warns_of_nothing(installed, tmp_path):
    article = tmp_path / "article.txt"
    article.write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
    result = run(str(installed / "bin" / "axiswatch"), "analyze", str(article),
                 cwd=tmp_path, env=env_outside(tmp_path), timeout=120)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # no deprecation or packaging warnings on a first run
    assert '"cooperation":true' in result.stdout
    where = run(str(installed / "bin" / "python"), "-c",
                "from streams.catalogue import seeds_dir; print(seeds_dir())",
                cwd=tmp_path, env=env_outside(tmp_path))  # fmt: skip
    assert "site-packages" in where.stdout and str(ROOT) not in where.stdout


@pytest.mark.integration
def test_installed_demo_runs_the_pipeline_with_state_in_the_user_data_folder(installed, tmp_path):
    env = env_outside(tmp_path)
    result = run(str(installed / "bin" / "axiswatch"), "demo", "--until-idle",
                 "--port", str(broker.free_port()),
                 cwd=tmp_path, env=env, timeout=600)  # fmt: skip
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    assert result.stdout.count("[NEW]") == 4, result.stdout[-3000:]
    data = tmp_path / "data" / "axiswatch"
    assert (data / "broker").is_dir() and (data / "worker.log").is_file()
    assert any((data / "kafka-jars").glob("kafka_2.13-*.jar"))
    site = Path(
        run(
            str(installed / "bin" / "python"),
            "-c",
            "import sysconfig; print(sysconfig.get_paths()['purelib'])",
        ).stdout.strip()
    )
    assert not list(site.glob("**/*.jar"))  # nothing fetched into the installed package
    assert "Warning" not in result.stderr, result.stderr
