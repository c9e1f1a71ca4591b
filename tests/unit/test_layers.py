"""The house's layers: every import runs downward or within its layer, none runs in a circle,
and no module takes another package's private name.

From the bottom:
0. contracts: message models, headers, topic specs (schemas/), the error tree, the version;
1. pure logic: text, actors, signals, frames, events, fingerprints, stories, the evaluations,
   reading article files, alert filters and alert text (no Kafka, runs offline);
2. runtime: settings, connection checks, topics, metrics, compacted-topic reading, the alert
   ledger, lag;
3. what runs: the worker's stages and app, the producers, notify, the history;
4. the local broker tool (the package axiswatch/broker/);
5. the command line.

A new module must be given its layer here. Imports inside functions count as much as those at
the top: a lazy import that runs upward is still upward. Importing a module of a package runs
the package's __init__ too, so that counts as importing the package.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("schemas", "streams", "producers", "axiswatch")

LAYERS: dict[str, int] = {
    "schemas": 0,
    "axiswatch": 0,  # the package itself: its version
    "axiswatch.exceptions": 0,
    "streams.catalogue": 1,
    "streams.phrases": 1,
    "streams.text": 1,
    "streams.actors": 1,
    "streams.signals": 1,
    "streams.frames": 1,
    "streams.expiry": 1,
    "streams.events": 1,
    "streams.fingerprints": 1,
    "streams.stories": 1,
    "streams.learned": 1,
    "streams.train_filter": 1,
    "streams.analyze": 1,
    "streams.articles": 1,
    "streams.evaluate": 1,
    "streams.eventeval": 1,
    "streams.storyeval": 1,
    "axiswatch.alertfilter": 1,
    "axiswatch.alerttext": 1,
    "axiswatch.brokerstate": 2,  # the broker tool's state file, read by the settings
    "axiswatch.clients": 2,
    "axiswatch.settings": 2,
    "axiswatch.connection": 2,
    "axiswatch.topics": 2,
    "axiswatch.metrics": 2,
    "axiswatch.compacted": 2,
    "axiswatch.ledger": 2,
    "axiswatch.lag": 2,
    "streams.delivery": 3,
    "streams.stage": 3,
    "streams.analyze_stage": 3,
    "streams.handlers": 3,
    "streams.app": 3,
    "producers": 3,
    "axiswatch.notify": 3,
    "axiswatch.history": 3,
    "axiswatch.broker": 4,
    "axiswatch.cli": 5,  # the top parser and main; common; one module per command
    "axiswatch.__main__": 5,
}


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = path
    return found


MODULES = _modules()


def layer_of(module: str) -> int | None:
    """The layer of `module`: its own entry, else its closest package's (`axiswatch` names the
    package itself only: each of its modules has its own entry)."""
    parts = module.split(".")
    for end in range(len(parts), 0, -1):
        prefix = ".".join(parts[:end])
        if prefix in LAYERS and (end == len(parts) or prefix != "axiswatch"):
            return LAYERS[prefix]
    return None


def imports_of(module: str) -> list[tuple[str, list[str], int]]:
    """(imported module, names taken from it, line) for every import of the project's own
    modules in `module`, at any depth, and the packages around each (importing `a.b.c` runs
    `a/b/__init__.py`: a package's __init__ is imported with each of its modules)."""
    found = _direct_imports(module)
    return found + [
        (package, [], line)
        for target, _, line in found
        for package in _packages_around(target)
        if package in MODULES
    ]


def _packages_around(target: str) -> list[str]:
    parts = target.split(".")
    return [".".join(parts[:end]) for end in range(1, len(parts))]


def _direct_imports(module: str) -> list[tuple[str, list[str], int]]:
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] in PACKAGES:
                    out.append((alias.name, [], node.lineno))
        elif (
            isinstance(node, ast.ImportFrom)
            and node.module
            and node.level == 0
            and node.module.split(".")[0] in PACKAGES
        ):
            names = [a.name for a in node.names]
            out.append((node.module, names, node.lineno))
            # `from package import module` imports the module too.
            out.extend(
                (f"{node.module}.{n}", [], node.lineno)
                for n in names
                if f"{node.module}.{n}" in MODULES
            )
    return out


def test_every_module_has_a_layer():
    assert [m for m in MODULES if layer_of(m) is None] == []


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_run_downward_or_within_the_layer(module):
    mine = layer_of(module)
    upward = [
        f"line {line}: {target} (layer {layer_of(target)})"
        for target, _, line in imports_of(module)
        if target in MODULES and layer_of(target) > mine
    ]
    assert upward == [], f"{module} (layer {mine}) imports upward"


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_private_name_is_taken_from_another_package(module):
    taken = [
        f"line {line}: {target}.{name}"
        for target, names, line in imports_of(module)
        for name in names
        if name.startswith("_")
        and not name.endswith("__")  # __version__ is public
        and target.split(".")[0] != module.split(".")[0]
    ]
    assert taken == []


def test_no_import_cycle():
    graph = {m: {t for t, _, _ in imports_of(m) if t in MODULES and t != m} for m in MODULES}
    # A package's __init__ importing its own modules is not a cycle with them.
    for module in graph:
        graph[module] = {t for t in graph[module] if not module.startswith(t + ".")}
    cycles = []
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for target in sorted(graph[node]):
            if state.get(target) == 1:
                cycles.append(path[path.index(target) :] + [target])
            elif target not in state:
                visit(target, [*path, target])
        state[node] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert cycles == []


def test_a_command_module_takes_nothing_from_another_command():
    """The command line's modules (axiswatch/cli/) import only `common` of their package, so a
    command's arguments, help and code live in its own module; the demo also follows alerts with
    the alerts command's reader."""
    allowed = {"axiswatch.cli", "axiswatch.cli.common"}
    taken = [
        f"{module} line {line}: {target}"
        for module in MODULES
        if module.startswith("axiswatch.cli.")
        for target, _, line in imports_of(module)
        if target.startswith("axiswatch.cli.")
        and target not in allowed
        and (module, target) != ("axiswatch.cli.demo", "axiswatch.cli.alerts")
    ]
    assert taken == []


def test_the_readme_names_only_folders_and_modules_that_exist():
    """The README's layout and flow name the code's folders and modules: none that has moved."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    folders = "|".join((*PACKAGES, "deploy", "seeds", "docs", "scripts", "tests", "benchmarks"))
    named = set(re.findall(rf"`((?:{folders})/[^`\s*]*)`", readme))
    generated = {"deploy/kafka/target/"}  # the broker's jars, fetched on first use
    assert named
    assert sorted(n for n in named - generated if not (ROOT / n).exists()) == []


def test_the_checks_see_an_upward_import(tmp_path):
    """The walk finds imports inside functions too (a lazy import upward is still upward)."""
    assert ("axiswatch.cli", ["main"], 3) in imports_of("axiswatch.__main__")
    # Importing a module of a package imports the package's __init__ too.
    assert any(t == "axiswatch.history" for t, _, _ in imports_of("axiswatch.history.serve"))
    assert layer_of("axiswatch.history.page") == 3 and layer_of("producers.poller") == 3
    assert layer_of("schemas.models") == 0 and layer_of("streams.frames") == 1


# Names private to the libraries under the house, and the one module that may use each: a
# library's internals change without notice, so each is reached from one place only.
LIBRARY_INTERNALS = {
    "_client": "axiswatch.clients",  # aiokafka's client: another topic's partitions
    "_settings_extra": "streams.app",  # Faust's producer settings: idempotence
    "_thread": "streams.app",  # Faust's consumer thread
    "_ensure_consumer": "streams.app",
    "call_thread": "streams.app",
}


def _attributes(module: str) -> list[tuple[str, int]]:
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    return [
        (node.attr, node.lineno)
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and not (isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"))
    ]


@pytest.mark.parametrize("module", sorted(MODULES))
def test_library_internals_are_reached_from_their_one_module(module):
    reached = [
        f"line {line}: .{name} (only in {LIBRARY_INTERNALS[name]})"
        for name, line in _attributes(module)
        if name in LIBRARY_INTERNALS and LIBRARY_INTERNALS[name] != module
    ]
    assert reached == []
