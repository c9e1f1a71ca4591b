"""The deployment files, checked statically (Docker cannot run here): the compose stack, the
Dockerfile, the Prometheus configuration and rules, the Grafana provisioning and dashboard.
They must agree with the code (commands, flags, settings, metric names and labels) and with
each other (ports, service names, mount paths, the data source uid)."""

from __future__ import annotations

import base64
import importlib.util
import json
import re
import tomllib
from pathlib import Path

import pytest
import yaml
from prometheus_client.metrics import MetricWrapperBase

from axiswatch import metrics
from axiswatch.broker import node as broker_node
from axiswatch.cli import build_parser
from axiswatch.settings import Environment
from producers import poller

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
COMPOSE = DEPLOY / "compose.yaml"
DOCKERFILE = DEPLOY / "Dockerfile"
PROMETHEUS = DEPLOY / "prometheus" / "prometheus.yml"
RULES = DEPLOY / "prometheus" / "rules.yml"
GRAFANA = DEPLOY / "grafana"
DASHBOARD = GRAFANA / "dashboards" / "axiswatch.json"
DATASOURCES = GRAFANA / "provisioning" / "datasources" / "prometheus.yaml"
HISTORY_SOURCE = GRAFANA / "provisioning" / "datasources" / "postgres.yaml"
PROVIDERS = GRAFANA / "provisioning" / "dashboards" / "axiswatch.yaml"
PACKAGES = ("axiswatch", "schemas", "producers", "streams")
# Labels Prometheus adds itself, or that series outside axiswatch carry.
OUTSIDE_LABELS = {"le", "job", "instance", "alertname", "alertstate", "severity"}


def load_yaml(path: Path):
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def load_dashboard_module():
    spec = importlib.util.spec_from_file_location("axiswatch_dashboard", GRAFANA / "dashboard.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def compose() -> dict:
    return load_yaml(COMPOSE)


@pytest.fixture(scope="module")
def services(compose) -> dict:
    return compose["services"]


def axiswatch_services(services: dict) -> dict:
    return {name: s for name, s in services.items() if s.get("image") == "axiswatch:local"}


# ----------------------------------------------------------------------------- metrics
def defined_metrics() -> dict[str, set[str]]:
    """Every series name the axiswatch processes expose -> its label names."""
    out: dict[str, set[str]] = {}
    for module in (metrics, poller):
        for value in vars(module).values():
            if not isinstance(value, MetricWrapperBase):
                continue
            name, labels = value._name, set(value._labelnames)
            if value._type == "counter":
                names = [f"{name}_total", f"{name}_created"]
            elif value._type == "histogram":
                names = [f"{name}_bucket", f"{name}_sum", f"{name}_count", f"{name}_created"]
            else:
                names = [name]
            for series in names:
                out[series] = labels | ({"le"} if series.endswith("_bucket") else set())
    return out


def check_expression(expr: str, defined: dict[str, set[str]]) -> list[str]:
    """Problems in a PromQL expression: unknown axiswatch metrics, matchers on labels the
    metric does not have, grouping by labels none of its metrics has."""
    problems = []
    used = set(re.findall(r"\baxiswatch_[a-z0-9_]+", expr))
    for name in used - set(defined):
        problems.append(f"unknown metric {name}")
    for name, matchers in re.findall(r"\b(axiswatch_[a-z0-9_]+)\{([^}]*)\}", expr):
        for label in re.findall(r"(\w+)\s*(?:=~|!~|!=|=)", matchers):
            if name in defined and label not in defined[name]:
                problems.append(f"{name} has no label {label}")
    known = set().union(*(defined.get(name, set()) for name in used)) | OUTSIDE_LABELS
    for group in re.findall(r"\b(?:by|without|on|ignoring)\s*\(([^)]*)\)", expr):
        for label in filter(None, (part.strip() for part in group.split(","))):
            if label not in known:
                problems.append(f"grouping by {label}, a label none of {sorted(used)} has")
    return problems


def test_the_metric_catalogue_is_read_from_the_code():
    defined = defined_metrics()
    assert defined["axiswatch_articles_in_total"] == {"stage", "source"}
    assert "le" in defined["axiswatch_stage_seconds_bucket"]
    assert "axiswatch_feed_schedule_lag_seconds_count" in defined
    assert check_expression('sum by (stag) (axiswatch_alerts_total{kind="new"})', defined) == [
        "grouping by stag, a label none of ['axiswatch_alerts_total'] has"
    ]
    assert check_expression("axiswatch_nope_total", defined) == [
        "unknown metric axiswatch_nope_total"
    ]


# ----------------------------------------------------------------------------- compose
def test_compose_has_the_whole_stack(services):
    assert {
        "kafka", "topics", "worker", "poller", "history", "postgres", "prometheus", "alertmanager",
        "grafana",
    } <= set(services)  # fmt: skip
    for name, service in services.items():
        assert "image" in service or "build" in service, name
        for dependency in service.get("depends_on", {}):
            assert dependency in services, f"{name} depends on unknown {dependency}"


def test_kafka_is_the_official_4x_image_in_kraft_mode_like_the_local_broker(services):
    kafka = services["kafka"]
    image, _, tag = kafka["image"].partition(":")
    assert image == "apache/kafka" and tag.split(".")[0] == "4"
    pom = (DEPLOY / "kafka" / "pom.xml").read_text()
    assert f"<kafka.version>{tag}</kafka.version>" in pom, "same Kafka as the local broker"
    env = {k: str(v) for k, v in kafka["environment"].items()}
    assert set(env["KAFKA_PROCESS_ROLES"].split(",")) == {"broker", "controller"}
    node = env["KAFKA_NODE_ID"]
    assert env["KAFKA_CONTROLLER_QUORUM_VOTERS"] == f"{node}@kafka:9093"
    assert "CONTROLLER://:9093" in env["KAFKA_LISTENERS"]
    assert "CONTROLLER" not in env["KAFKA_ADVERTISED_LISTENERS"]
    assert "PLAINTEXT://kafka:9092" in env["KAFKA_ADVERTISED_LISTENERS"]
    for listener in env["KAFKA_LISTENERS"].split(","):
        assert listener.split(":")[0] in env["KAFKA_LISTENER_SECURITY_PROTOCOL_MAP"]
    cluster_id = env["CLUSTER_ID"]
    assert len(base64.urlsafe_b64decode(cluster_id + "==")) == 16
    # The same broker settings as `axiswatch broker start` (listeners and paths aside).
    local = dict(
        line.split("=", 1)
        for line in broker_node._properties(9092, 9093, Path("/tmp")).splitlines()
        if "=" in line and not line.startswith("#")
    )
    compose_props = {
        k[len("KAFKA_") :].lower().replace("__", "\0").replace("_", ".").replace("\0", "_"): v
        for k, v in env.items()
        if k.startswith("KAFKA_")
    }
    for key, value in local.items():
        if key in {"listeners", "advertised.listeners", "controller.quorum.voters", "log.dirs",
                   "listener.security.protocol.map"}:  # fmt: skip
            continue
        assert compose_props.get(key) == value, (
            f"{key}: compose {compose_props.get(key)}, local {value}"
        )


def test_axiswatch_services_run_real_commands_with_known_settings(services):
    parser = build_parser()
    sources = "\n".join(
        path.read_text(encoding="utf-8") for pkg in PACKAGES for path in (ROOT / pkg).rglob("*.py")
    )
    # The settings' environment variables are the fields of their typed model.
    typed = {name.upper() for name in Environment.model_fields}
    ours = axiswatch_services(services)
    assert {"topics", "worker", "poller"} <= set(ours)
    commands = {}
    for name, service in ours.items():
        command = service["command"]
        assert isinstance(command, list), f"{name}: exec form, a list"
        try:
            args = parser.parse_args(command)
        except SystemExit as exc:  # argparse rejects an unknown command or flag
            raise AssertionError(f"{name}: `axiswatch {' '.join(command)}` is not valid") from exc
        commands[name] = args.command
        build = service["build"]
        assert (COMPOSE.parent / build["context"] / build["dockerfile"]).resolve() == DOCKERFILE
        for key in service.get("environment", {}):
            if key.startswith(("AXISWATCH_", "KAFKA_")):
                assert key in typed or f'"{key}"' in sources, (
                    f"{name}: {key} is read nowhere in the code"
                )
        assert service["environment"]["KAFKA_BOOTSTRAP_SERVERS"] == "kafka:9092"
    assert commands["topics"] == "topics"
    assert commands["worker"] == "worker"
    assert commands["poller"] == "poll"
    assert commands["history"] == "serve"
    assert services["topics"]["restart"] == "no"
    for name in ("worker", "poller", "history"):
        assert services[name]["depends_on"]["topics"]["condition"] == (
            "service_completed_successfully"
        )
    assert services["topics"]["depends_on"]["kafka"]["condition"] == "service_healthy"
    assert services["kafka"]["healthcheck"]["test"]


def test_workers_scale_and_prometheus_finds_each_of_them(services):
    worker = services["worker"]
    # Anything fixed per container would stop `--scale worker=3`.
    assert not {"ports", "container_name", "hostname"} & set(worker)
    env = worker["environment"]
    assert env["AXISWATCH_METRICS_HOST"] == "0.0.0.0"
    port = int(env["AXISWATCH_METRICS_PORT"])
    jobs = {job["job_name"]: job for job in load_yaml(PROMETHEUS)["scrape_configs"]}
    [dns] = jobs["axiswatch-worker"]["dns_sd_configs"]
    assert dns["names"] == ["worker"] and dns["type"] == "A" and dns["port"] == port
    poller_env = services["poller"]["environment"]
    assert poller_env["AXISWATCH_METRICS_HOST"] == "0.0.0.0"
    [static] = jobs["axiswatch-poller"]["static_configs"]
    assert static["targets"] == [f"poller:{poller_env['AXISWATCH_METRICS_PORT']}"]


def test_published_ports_listen_on_loopback_only(services):
    published = [p for s in services.values() for p in s.get("ports", [])]
    assert published
    assert all(str(p).startswith("127.0.0.1:") for p in published), published


def mounts(service: dict) -> dict[str, str]:
    """Container path -> host path (relative to deploy/) of the bind mounts."""
    out = {}
    for volume in service.get("volumes", []):
        source, target = volume.split(":")[:2]
        if source.startswith("."):
            out[target] = source
    return out


def test_prometheus_gets_its_config_and_rules(services):
    prometheus = services["prometheus"]
    bound = mounts(prometheus)
    for source in bound.values():
        assert (COMPOSE.parent / source).exists(), source
    config_path = next(
        a.split("=", 1)[1] for a in prometheus["command"] if a.startswith("--config.file=")
    )
    assert (COMPOSE.parent / bound[config_path]).resolve() == PROMETHEUS
    for rule_file in load_yaml(PROMETHEUS)["rule_files"]:
        assert (COMPOSE.parent / bound[rule_file]).resolve() == RULES


def test_every_service_has_a_healthcheck_that_runs_a_command(services):
    for name, service in services.items():
        check = service.get("healthcheck")
        assert check and check["test"][0] in ("CMD", "CMD-SHELL"), name
        assert len(check["test"]) > 1, name


def test_alertmanager_gets_its_config_and_prometheus_sends_to_it(services):
    manager = services["alertmanager"]
    bound = mounts(manager)
    config_path = next(
        a.split("=", 1)[1] for a in manager["command"] if a.startswith("--config.file=")
    )
    config = (COMPOSE.parent / bound[config_path]).resolve()
    assert config == DEPLOY / "alertmanager" / "alertmanager.yml"
    targets = [
        target
        for manager_config in load_yaml(PROMETHEUS)["alerting"]["alertmanagers"]
        for static in manager_config["static_configs"]
        for target in static["targets"]
    ]
    assert targets == ["alertmanager:9093"]
    assert "alertmanager" in services["prometheus"]["depends_on"]
    # Every severity the rules use has a route (critical pages; the rest goes to the team).
    routes = load_yaml(config)["route"]
    severities = {r["labels"]["severity"] for g in load_yaml(RULES)["groups"] for r in g["rules"]}
    assert severities <= {"critical", "warning"}
    assert any('severity = "critical"' in m for r in routes["routes"] for m in r["matchers"])


def test_grafana_gets_the_data_source_and_the_dashboard(services):
    grafana = services["grafana"]
    bound = mounts(grafana)
    assert (COMPOSE.parent / bound["/etc/grafana/provisioning"]).resolve() == (
        GRAFANA / "provisioning"
    )
    [provider] = load_yaml(PROVIDERS)["providers"]
    dashboards = (COMPOSE.parent / bound[provider["options"]["path"]]).resolve()
    assert dashboards == DASHBOARD.parent
    home = grafana["environment"]["GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH"]
    assert (dashboards / Path(home).relative_to(provider["options"]["path"])).exists()
    [source] = load_yaml(DATASOURCES)["datasources"]
    assert source["type"] == "prometheus"
    host, port = source["url"].removeprefix("http://").split(":")
    assert host in services and port == "9090"
    scrape = load_yaml(PROMETHEUS)["global"]["scrape_interval"]
    assert source["jsonData"]["timeInterval"] == scrape


# ----------------------------------------------------------------------------- Dockerfile
def dockerfile_instructions() -> list[tuple[str, str]]:
    text = DOCKERFILE.read_text(encoding="utf-8").replace("\\\n", " ")
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            out.append((keyword.upper(), rest.strip()))
    return out


def test_dockerfile_builds_a_non_root_axiswatch_image():
    steps = dockerfile_instructions()
    assert steps[0] == ("FROM", "python:3.11-slim")
    users = [rest for keyword, rest in steps if keyword == "USER"]
    assert users and users[-1].split(":")[0] not in {"root", "0"}
    last_user = max(i for i, (keyword, _) in enumerate(steps) if keyword == "USER")
    assert all(keyword != "RUN" for keyword, _ in steps[last_user:]), "RUN after USER"
    entrypoint = [json.loads(rest) for keyword, rest in steps if keyword == "ENTRYPOINT"]
    assert entrypoint == [["axiswatch"]], "exec form, the axiswatch command"
    assert any(keyword == "RUN" and "pip install" in rest for keyword, rest in steps)


def _package_folder(package: str, folders: dict[str, str]) -> str:
    """The folder setuptools builds `package` from: its own `package-dir` entry, else its
    nearest listed parent's folder with the rest of its name (axiswatch_seeds.eval is
    seeds/eval)."""
    parts = package.split(".")
    for n in range(len(parts), 0, -1):
        parent = ".".join(parts[:n])
        if parent in folders:
            return "/".join([folders[parent], *parts[n:]])
    return package.replace(".", "/")


def test_dockerfile_copies_what_the_package_needs_and_dockerignore_keeps_it():
    lines = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    ignored = {line for line in lines if not line.startswith("!")}
    kept = {line[1:] for line in lines if line.startswith("!")}
    assert {".git", ".venv", ".axiswatch"} <= ignored
    copied = set()
    for keyword, rest in dockerfile_instructions():
        if keyword == "COPY":
            *sources, _target = rest.split()
            for source in sources:
                assert (ROOT / source).exists(), source
                assert source not in ignored, f"{source} is in .dockerignore"
                if source.split("/")[0] in ignored:
                    assert source in kept, f"{source} is under an ignored folder: add !{source}"
                copied.add(source)
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    folders = setuptools.get("package-dir", {})
    needed = {"pyproject.toml", "README.md"}
    for package in setuptools["packages"]:
        folder = _package_folder(package, folders)
        if folder in copied or folder.split("/")[0] in copied:  # a subpackage: in its folder
            continue
        # A data package copied file by file: each of its (plain) package-data files.
        files = setuptools["package-data"][package]
        needed |= {f"{folder}/{name}" for name in files}
    assert needed <= copied, needed - copied


def test_the_wheel_lists_every_package_of_the_code():
    """setuptools packages only what [tool.setuptools] packages names: a subpackage left out
    (axiswatch.history was) installs a command that fails on import."""
    listed = set(
        tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    )
    found = {
        ".".join(path.parent.relative_to(ROOT).parts)
        for package in PACKAGES
        for path in (ROOT / package).rglob("*.py")
    }
    assert found - listed == set()


# ----------------------------------------------------------------------------- Prometheus rules
def test_rules_page_with_a_delay_a_severity_and_what_to_do():
    groups = load_yaml(RULES)["groups"]
    rules = [rule for group in groups for rule in group["rules"]]
    names = [rule["alert"] for rule in rules]
    assert len(names) == len(set(names))
    assert {
        "AxiswatchPipelineStalled", "AxiswatchConsumerLagGrowing", "AxiswatchDeadLetterSpike",
        "AxiswatchFeedDown", "AxiswatchNoAlertsForLong", "AxiswatchWorkerDown",
    } <= set(names)  # fmt: skip
    for rule in rules:
        assert re.fullmatch(r"\d+[smh]", rule["for"]), rule["alert"]
        assert rule["labels"]["severity"] in {"critical", "warning", "info"}
        assert {"summary", "description", "action"} <= set(rule["annotations"]), rule["alert"]


def test_rule_expressions_use_only_metrics_and_labels_the_code_defines():
    defined = defined_metrics()
    jobs = {job["job_name"] for job in load_yaml(PROMETHEUS)["scrape_configs"]}
    for group in load_yaml(RULES)["groups"]:
        for rule in group["rules"]:
            assert check_expression(rule["expr"], defined) == [], rule["alert"]
            for job in re.findall(r'job="([^"]+)"', rule["expr"]):
                assert job in jobs, f"{rule['alert']}: no scrape job {job}"


def test_readme_explains_every_rule():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    operations = readme.split("## Operations", 1)[1].split("\n## ", 1)[0]
    for group in load_yaml(RULES)["groups"]:
        for rule in group["rules"]:
            assert rule["alert"] in operations, rule["alert"]


# ----------------------------------------------------------------------------- Grafana
def dashboard_panels(dashboard: dict) -> list[dict]:
    return [p for p in dashboard["panels"] if p["type"] not in {"row", "text"}]


def test_committed_dashboard_is_the_generated_one():
    module = load_dashboard_module()
    assert module.OUTPUT == DASHBOARD
    assert DASHBOARD.read_text(encoding="utf-8") == module.render(), (
        "run python deploy/grafana/dashboard.py"
    )


def test_dashboard_uses_the_provisioned_data_sources_in_every_panel():
    dashboard = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    [source] = load_yaml(DATASOURCES)["datasources"]
    [history] = load_yaml(HISTORY_SOURCE)["datasources"]
    ids = [p["id"] for p in dashboard["panels"]]
    assert len(ids) == len(set(ids))
    panels = dashboard_panels(dashboard)
    assert len(panels) >= 15
    sql = [p for p in panels if p["datasource"]["uid"] == history["uid"]]
    assert [p["title"] for p in sql] == ["Latest alerts"]
    for panel in panels:
        if panel in sql:
            continue
        assert panel["datasource"]["uid"] == source["uid"], panel["title"]
        assert panel["targets"], f"{panel['title']} has no query"
        for target in panel["targets"]:
            assert target["datasource"]["uid"] == source["uid"]
            assert target["expr"].strip()
        pos = panel["gridPos"]
        assert pos["x"] + pos["w"] <= 24
    for variable in dashboard["templating"]["list"]:
        assert variable["datasource"]["uid"] == source["uid"]


def test_dashboard_covers_what_the_issue_asks_for():
    dashboard = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    exprs = " ".join(t.get("expr", "") for p in dashboard_panels(dashboard) for t in p["targets"])
    for needed in (
        "axiswatch_articles_in_total", "axiswatch_articles_out_total",
        "axiswatch_stage_seconds_bucket", "axiswatch_pipeline_latency_seconds_bucket",
        "axiswatch_publication_to_alert_seconds_bucket", "axiswatch_consumer_lag_messages",
        "axiswatch_alerts_total", "axiswatch_duplicates_total", "axiswatch_dead_letters_total",
        "axiswatch_feed_up", "axiswatch_feed_fetches_total", "axiswatch_story_index_entries",
    ):  # fmt: skip
        assert needed in exprs, needed
    kinds = {p["type"] for p in dashboard["panels"]}
    assert {"timeseries", "stat", "table", "text", "row"} <= kinds
    text = next(p for p in dashboard["panels"] if p["type"] == "text")
    assert "axiswatch alerts" in text["options"]["content"]


def test_dashboard_queries_use_defined_metrics_labels_and_variables():
    dashboard = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    defined = defined_metrics()
    jobs = {job["job_name"] for job in load_yaml(PROMETHEUS)["scrape_configs"]}
    variables = {v["name"] for v in dashboard["templating"]["list"]}
    builtin = {"__rate_interval", "__interval", "__range"}
    queries = [
        (p["title"], t) for p in dashboard_panels(dashboard) for t in p["targets"] if "expr" in t
    ]
    queries += [("annotation", a) for a in dashboard["annotations"]["list"] if "expr" in a]
    for title, target in queries:
        expr = target["expr"]
        assert check_expression(expr, defined) == [], title
        for used in re.findall(r"\$(\w+)", expr):
            assert used in variables | builtin, f"{title}: ${used} is not defined"
        for job in re.findall(r'job="([^"]+)"', expr):
            assert job in jobs, f"{title}: no scrape job {job}"
        for label in re.findall(r"\{\{\s*(\w+)\s*\}\}", target.get("legendFormat", "")):
            assert re.search(rf"\b{label}\b", expr), f"{title}: legend label {label}"
    for variable in dashboard["templating"]["list"]:
        metric, label = re.fullmatch(
            r"label_values\((\w+), (\w+)\)", variable["definition"]
        ).groups()
        assert label in defined[metric]


# ----------------------------------------------------------------------------- the alert history
def test_the_history_service_writes_into_the_compose_postgres(services):
    history, postgres = services["history"], services["postgres"]
    db = postgres["environment"]
    assert history["depends_on"]["postgres"]["condition"] == "service_healthy"
    url = history["environment"]["AXISWATCH_DATABASE_URL"]
    assert url == (
        f"postgresql://{db['POSTGRES_USER']}:${{POSTGRES_PASSWORD:-axiswatch}}@postgres:5432/"
        f"{db['POSTGRES_DB']}"
    )
    assert db["POSTGRES_PASSWORD"] == "${POSTGRES_PASSWORD:-axiswatch}"
    args = build_parser().parse_args(history["command"])
    assert args.host == "0.0.0.0" and f"127.0.0.1:{args.port}:{args.port}" in history["ports"]
    assert f"127.0.0.1:{args.port}/healthz" in " ".join(history["healthcheck"]["test"])
    assert "pg_isready" in " ".join(postgres["healthcheck"]["test"])
    # The read-only user Grafana logs in as is created when the volume is first initialised.
    init = mounts(postgres)["/docker-entrypoint-initdb.d/grafana-reader.sh"]
    script = (COMPOSE.parent / init).read_text(encoding="utf-8")
    [source] = load_yaml(HISTORY_SOURCE)["datasources"]
    assert f"CREATE ROLE {source['user']} LOGIN" in script
    assert f"GRANT SELECT ON TABLES TO {source['user']}" in script
    assert "${GRAFANA_DB_PASSWORD}" in script and "GRAFANA_DB_PASSWORD" in db
    assert services["grafana"]["environment"]["GRAFANA_DB_PASSWORD"] == db["GRAFANA_DB_PASSWORD"]
    assert source["secureJsonData"]["password"] == "${GRAFANA_DB_PASSWORD}"
    assert "postgres" in services["grafana"]["depends_on"]
    host, port = source["url"].split(":")
    assert host == "postgres" and port == "5432"
    assert source["jsonData"]["database"] == db["POSTGRES_DB"]
    assert source["type"] == "postgres"


def test_the_latest_alerts_table_reads_the_history_store_columns():
    from axiswatch.history import store

    dashboard = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    [source] = load_yaml(HISTORY_SOURCE)["datasources"]
    [panel] = [p for p in dashboard["panels"] if p["title"] == "Latest alerts"]
    assert panel["type"] == "table" and panel["gridPos"]["w"] == 24
    assert panel["datasource"] == {"type": source["type"], "uid": source["uid"]}
    [target] = panel["targets"]
    assert target["datasource"]["uid"] == source["uid"] and target["format"] == "table"
    sql = target["rawSql"]
    assert sql == load_dashboard_module().HISTORY_SQL
    assert "FROM alert_history" in sql and "$__timeFilter(detected_at)" in sql
    columns = set(re.findall(r"^\s+(\w+) ", store._PG_SCHEMA, re.M))
    assert {"detected_at", "evidence", "doc", "url", "kafka_offset"} <= columns
    used = set(re.findall(r"\b([a-z_]+)\b", sql.split("FROM alert_history")[0]))
    assert used & columns >= {"detected_at", "kind", "category", "title", "evidence", "url", "doc"}
