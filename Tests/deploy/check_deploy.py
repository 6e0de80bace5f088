#!/usr/bin/env python3
"""Check deploy/ against the product contract and against the service's sources.

Every YAML (multi-document) and JSON file under deploy/ must parse. Then the names
the files use must exist:
  * metric names (alerts, dashboard) among the metrics the service exposes, with the
    labels it gives them, and as a literal in Sources/ (metrics are named with full
    literal names so they can be found by grep);
  * environment variables, subcommands and flags (compose, Kubernetes) in the
    contract, and in Sources/ (env var literal "NAME"; a flag as "name" or as the
    ArgumentParser property name; a subcommand as commandName: "x" or struct X);
  * HTTP paths /metrics, /healthz, /readyz where they are probed and in Sources/;
  * ports, topics, the consumer group, selectors and object references consistent
    across Dockerfile, compose and Kubernetes;
  * the Dockerfile's shape (build and runtime stages, non-root USER, exec ENTRYPOINT).
PromQL expressions are parsed when promql-parser is installed (else one SKIP line).

The contract's tables are embedded below; when CONTRACT.md is found (--contract, or
../shared/CONTRACT.md beside the repository) they are checked against it, so a
contract change that this file misses fails here.

Prints each failure with exactly what is missing and where it is used, then
"N passed, N failed". Exit 0 when all passed, 1 on any failure, 2 on usage errors.
--skip-sources leaves out the Sources/ look-ups (for a tree without the service).
Needs: PyYAML; optional: promql-parser.
"""

from __future__ import annotations

import argparse
import json
import re
import shlex
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any, Iterable

import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
DEPLOY = REPO_ROOT / "deploy"
SOURCES = REPO_ROOT / "Sources"

# MARK: The contract, as data (checked against CONTRACT.md when it is available)

#: environment variable -> default ("" when none); the flag table and the credentials row.
CONTRACT_ENV = {
    "KAFKA_BROKERS": "localhost:9092",
    "KAFKA_GROUP_ID": "faceid-enricher",
    "INPUT_TOPIC": "faceid.verification.completed",
    "OUTPUT_TOPIC": "faceid.verification.result",
    "DLQ_TOPIC": "faceid.verification.dlq",
    "KAFKA_CONFIG": "",
    "FACEID_ENDPOINT": "https://faceid.tencentcloudapi.com",
    "TENCENTCLOUD_REGION": "ap-singapore",
    "FACEID_ACTION": "GetWebVerificationResult",
    "TENCENTCLOUD_SECRET_ID": "",
    "TENCENTCLOUD_SECRET_KEY": "",
    "TENCENTCLOUD_SESSION_TOKEN": "",
    "TENCENTCLOUD_CREDENTIALS_FILE": "",
    "FACEID_RATE_LIMIT": "20",
    "MAX_IN_FLIGHT": "64",
    "RETRY_MAX_ELAPSED": "10m",
    "HTTP_PORT": "8080",
    "LOG_FORMAT": "",
}
SECRET_ENV = {"TENCENTCLOUD_SECRET_ID", "TENCENTCLOUD_SECRET_KEY", "TENCENTCLOUD_SESSION_TOKEN"}
#: flags of the contract's table, shared by run, demo, fetch and replay.
SERVICE_FLAGS = {
    "--brokers", "--group", "--input-topic", "--output-topic", "--dlq-topic", "-X", "--endpoint", "--region",
    "--action", "--rate-limit", "--max-in-flight", "--retry-max-elapsed", "--http-port", "--log-format",
    "--keep-media-base64",
}
SUBCOMMAND_FLAGS = {
    "run": SERVICE_FLAGS,
    "demo": SERVICE_FLAGS,
    "fetch": SERVICE_FLAGS,
    "replay": SERVICE_FLAGS | {"--reason"},
    "simulate": {"--host", "--port", "--rate-limit", "--latency-ms", "--fault", "--slow-ms", "--secret", "--log-format"},
}
#: metric -> (type, labels). Histograms also expose _bucket (with le), _sum and _count.
CONTRACT_METRICS = {
    "faceid_enricher_consumer_lag": ("gauge", {"topic", "partition"}),
    "faceid_enricher_events_total": ("counter", {"status"}),
    "faceid_enricher_dlq_events_total": ("counter", {"reason"}),
    "faceid_enricher_api_calls_total": ("counter", {"code"}),
    "faceid_enricher_retries_total": ("counter", set()),
    "faceid_enricher_in_flight_events": ("gauge", set()),
    "faceid_enricher_rate_limit_share_requests_per_second": ("gauge", set()),
    "faceid_enricher_api_request_duration_seconds": ("histogram", set()),
    "faceid_enricher_end_to_end_latency_seconds": ("histogram", set()),
    "faceid_enricher_rebalances_total": ("counter", set()),
    "faceid_enricher_commit_failures_total": ("counter", set()),
    "faceid_enricher_halted": ("gauge", set()),
    "faceid_enricher_ready": ("gauge", set()),
}
#: labels Prometheus adds when scraping (and Grafana's histogram label).
TARGET_LABELS = {"job", "instance", "pod", "namespace", "container", "service", "endpoint", "le"}
HTTP_PATHS = {"/metrics", "/healthz", "/readyz"}
DRAIN_TIMEOUT_SECONDS = 30
STATUSES = {"passed", "failed", "incomplete", "expired", "invalid_token"}
DLQ_REASONS = {"malformed", "retries_exhausted"}


class Report:
    """Counts checks; prints failures (and passes with -v) as they happen."""

    def __init__(self, verbose: bool) -> None:
        self.passed = 0
        self.failed = 0
        self.verbose = verbose

    def check(self, name: str, problems: Iterable[str]) -> None:
        problems = list(problems)
        if problems:
            self.failed += 1
            print(f"FAIL {name}")
            for p in problems:
                print(f"     {p}")
        else:
            self.passed += 1
            if self.verbose:
                print(f"ok   {name}")

    @staticmethod
    def skip(name: str, why: str) -> None:
        print(f"SKIP {name}: {why}")


def rel(path: Path) -> str:
    return str(path.relative_to(REPO_ROOT)) if path.is_relative_to(REPO_ROOT) else str(path)


# MARK: Loading


def load_deploy_files(report: Report) -> dict[Path, list[Any]]:
    """Parses every YAML/JSON file under deploy/; returns path -> documents."""
    documents: dict[Path, list[Any]] = {}
    files = sorted(p for p in DEPLOY.rglob("*") if p.suffix in (".yml", ".yaml", ".json"))
    if not files:
        report.check("deploy/ holds YAML or JSON files", ["none found"])
    for path in files:
        try:
            text = path.read_text(encoding="utf-8")
            docs = [json.loads(text)] if path.suffix == ".json" else [d for d in yaml.safe_load_all(text) if d is not None]
        except (OSError, ValueError, yaml.YAMLError) as error:
            report.check(f"parse {rel(path)}", [f"{type(error).__name__}: {error}"])
            continue
        report.check(f"parse {rel(path)}", [] if docs else ["no document in file"])
        documents[path] = docs
    return documents


def kubernetes_objects(documents: dict[Path, list[Any]]) -> dict[str, list[tuple[Path, dict[str, Any]]]]:
    objects: dict[str, list[tuple[Path, dict[str, Any]]]] = defaultdict(list)
    for path, docs in documents.items():
        if DEPLOY / "kubernetes" not in path.parents:
            continue
        for doc in docs:
            if isinstance(doc, dict) and "kind" in doc:
                objects[doc["kind"]].append((path, doc))
    return objects


def dig(value: Any, *keys: Any, default: Any = None) -> Any:
    for key in keys:
        if isinstance(value, dict) and key in value:
            value = value[key]
        elif isinstance(value, list) and isinstance(key, int) and -len(value) <= key < len(value):
            value = value[key]
        else:
            return default
    return value


# MARK: Usage: what deploy/ refers to, and where


class Usage:
    """Names used by deploy/, each with the files that use it."""

    def __init__(self) -> None:
        self.metrics: dict[str, set[str]] = defaultdict(set)
        self.metric_labels: dict[tuple[str, str], set[str]] = defaultdict(set)
        self.env: dict[str, set[str]] = defaultdict(set)
        self.commands: dict[tuple[str, str], set[str]] = defaultdict(set)  # (subcommand, flag or "") -> files
        self.paths: dict[str, set[str]] = defaultdict(set)
        self.promql: list[tuple[str, str]] = []  # (where, expression)


METRIC_RE = re.compile(r"\b(faceid_enricher_[a-z0-9_]+)\b(\{[^}]*\})?")
LABEL_RE = re.compile(r"([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)")


def base_metric(name: str) -> str:
    for suffix in ("_bucket", "_sum", "_count"):
        if name.endswith(suffix) and CONTRACT_METRICS.get(name[: -len(suffix)], ("",))[0] == "histogram":
            return name[: -len(suffix)]
    return name


def note_promql(usage: Usage, where: str, expr: str) -> None:
    usage.promql.append((where, expr))
    for match in METRIC_RE.finditer(expr):
        name = base_metric(match.group(1))
        usage.metrics[name].add(where.split(" ")[0])
        for label in LABEL_RE.findall(match.group(2) or ""):
            usage.metric_labels[(name, label)].add(where.split(" ")[0])
    # Aggregation labels ("by (a, b)") are charged to every metric of the expression: the
    # expressions here aggregate one metric each, and a label no metric has is a typo either way.
    names = {base_metric(m[0]) for m in METRIC_RE.findall(expr)}
    for group in re.findall(r"\b(?:by|without)\s*\(([^)]*)\)", expr):
        for label in (l.strip() for l in group.split(",") if l.strip()):
            for name in names:
                usage.metric_labels[(name, label)].add(where.split(" ")[0])


def note_command(usage: Usage, where: str, argv: list[str]) -> None:
    if not argv:
        return
    if argv[0].endswith("faceid-enricher"):
        argv = argv[1:]
    sub = argv[0] if argv else "run"
    usage.commands[(sub, "")].add(where)
    for arg in argv[1:]:
        if arg.startswith("-"):
            usage.commands[(sub, arg.split("=", 1)[0])].add(where)


def collect_usage(documents: dict[Path, list[Any]]) -> Usage:
    usage = Usage()
    for path, docs in documents.items():
        where = rel(path)
        for doc in docs:
            if path.name == "alerts.yml":
                for group in dig(doc, "groups", default=[]) or []:
                    for rule in group.get("rules", []):
                        note_promql(usage, f"{where} {rule.get('alert') or rule.get('record')}", str(rule.get("expr", "")))
            elif path.suffix == ".json":
                for panel in walk_panels(doc.get("panels", [])):
                    for target in panel.get("targets", []):
                        if "expr" in target:
                            note_promql(usage, f"{where} panel {panel.get('title')!r}", target["expr"])
                for variable in dig(doc, "templating", "list", default=[]) or []:
                    query = variable.get("definition") or dig(variable, "query", "query")
                    if isinstance(query, str) and "faceid_enricher_" in query:
                        for name in METRIC_RE.findall(query):
                            usage.metrics[base_metric(name[0])].add(where)
            elif path.name == "docker-compose.yml":
                for name, service in (doc.get("services") or {}).items():
                    if not is_enricher_service(service):
                        continue
                    for env in env_names(service.get("environment")):
                        usage.env[env].add(f"{where} ({name})")
                    command = service.get("command")
                    note_command(usage, f"{where} ({name})", shlex.split(command) if isinstance(command, str) else list(command or []))
            elif isinstance(doc, dict) and doc.get("kind") == "ConfigMap":
                for env in doc.get("data") or {}:
                    usage.env[env].add(where)
            elif isinstance(doc, dict) and doc.get("kind") == "Secret":
                for env in {**(doc.get("stringData") or {}), **(doc.get("data") or {})}:
                    usage.env[env].add(where)
            elif isinstance(doc, dict) and doc.get("kind") == "Deployment":
                for container in dig(doc, "spec", "template", "spec", "containers", default=[]) or []:
                    for env in container.get("env") or []:
                        usage.env[env.get("name")].add(where)
                    note_command(usage, where, list(container.get("command") or []) + list(container.get("args") or []))
                    for probe in ("livenessProbe", "readinessProbe", "startupProbe"):
                        path_used = dig(container, probe, "httpGet", "path")
                        if path_used:
                            usage.paths[path_used].add(f"{where} {probe}")
            elif isinstance(doc, dict) and doc.get("kind") == "ServiceMonitor":
                for endpoint in dig(doc, "spec", "endpoints", default=[]) or []:
                    usage.paths[endpoint.get("path", "/metrics")].add(f"{where} ServiceMonitor")
    return usage


def walk_panels(panels: list[Any]) -> Iterable[dict[str, Any]]:
    for panel in panels:
        if isinstance(panel, dict):
            yield panel
            yield from walk_panels(panel.get("panels", []))


def is_enricher_service(service: Any) -> bool:
    if not isinstance(service, dict):
        return False
    image = str(service.get("image", ""))
    dockerfile = str(dig(service, "build", "dockerfile", default=""))
    return "faceid-enricher" in image or dockerfile.endswith("deploy/Dockerfile")


def env_names(environment: Any) -> list[str]:
    if isinstance(environment, dict):
        return [k for k in environment if k != "<<"]
    if isinstance(environment, list):
        return [str(item).split("=", 1)[0] for item in environment]
    return []


# MARK: The contract itself


def check_contract(report: Report, contract: Path | None) -> None:
    """The embedded tables above must match CONTRACT.md's flag table."""
    if contract is None:
        report.skip("contract cross-check", "CONTRACT.md not found (pass --contract PATH)")
        return
    lines = contract.read_text(encoding="utf-8").splitlines()
    try:
        start = next(i for i, line in enumerate(lines) if re.match(r"\|\s*flag\s*\|\s*environment\s*\|", line))
    except StopIteration:
        report.check(f"contract flag table in {contract}", ["no '| flag | environment |' table"])
        return
    env: dict[str, str] = {}
    flags: set[str] = set()
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        flag_cell, env_cell, default_cell = (cells + ["", "", ""])[:3]
        flags.update(re.findall(r"`(--?[A-Za-z][A-Za-z0-9-]*)", flag_cell))
        default = (re.findall(r"`([^`]*)`", default_cell) or [""])[0]
        for name in re.findall(r"`([A-Z][A-Z0-9_]+)`", env_cell):
            env[name] = default
        for name in re.findall(r"`([A-Z][A-Z0-9_]+)`", cells[-1] if len(cells) > 3 else ""):
            env.setdefault(name, "")
    problems = []
    for name in sorted(set(env) ^ set(CONTRACT_ENV)):
        side = "the contract" if name in env else "check_deploy.py"
        problems.append(f"environment variable {name} is only in {side}")
    for name in sorted(set(env) & set(CONTRACT_ENV)):
        if env[name] and CONTRACT_ENV[name] and env[name] != CONTRACT_ENV[name]:
            problems.append(f"default of {name}: contract says {env[name]!r}, check_deploy.py says {CONTRACT_ENV[name]!r}")
    for flag in sorted(flags - SERVICE_FLAGS):
        problems.append(f"flag {flag} is in the contract but not in check_deploy.py's SERVICE_FLAGS")
    report.check(f"embedded contract tables match {contract}", problems)


# MARK: Dockerfile


def dockerfile_instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with line continuations joined and comments dropped."""
    instructions, pending = [], ""
    for raw in text.splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if pending and line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        line, pending = pending + line, ""
        keyword, _, args = line.partition(" ")
        instructions.append((keyword.upper(), args.strip()))
    return instructions


def check_dockerfile(report: Report) -> int | None:
    """Returns the EXPOSEd port of the runtime stage."""
    path = DEPLOY / "Dockerfile"
    if not path.exists():
        report.check("deploy/Dockerfile exists", ["missing"])
        return None
    stages: list[dict[str, Any]] = []
    for keyword, args in dockerfile_instructions(path.read_text(encoding="utf-8")):
        if keyword == "FROM":
            words = args.split()
            name = words[2] if len(words) >= 3 and words[1].upper() == "AS" else None
            stages.append({"image": words[0] if words else "", "name": name, "ins": []})
        elif stages:
            stages[-1]["ins"].append((keyword, args))
    problems = []
    if len(stages) < 2:
        problems.append(f"{len(stages)} stage(s); expected a build stage and a runtime stage")
        report.check("Dockerfile shape", problems)
        return None
    build, runtime = stages[0], stages[-1]
    runs = lambda stage: " ".join(a for k, a in stage["ins"] if k == "RUN")
    if not build["image"].startswith("swift:6.3") or "bookworm" not in build["image"]:
        problems.append(f"build stage is FROM {build['image']}, expected swift:6.3-bookworm")
    for package in ("librdkafka-dev", "libcurl4-openssl-dev", "libssl-dev", "pkg-config"):
        if package not in runs(build):
            problems.append(f"build stage does not install {package}")
    if not re.search(r"swift build\b[^&;]*-c release[^&;]*--static-swift-stdlib", runs(build)):
        problems.append("build stage lacks 'swift build -c release --static-swift-stdlib'")
    if runtime["image"] != "debian:bookworm-slim":
        problems.append(f"runtime stage is FROM {runtime['image']}, expected debian:bookworm-slim")
    for package in ("librdkafka1", "libcurl4", "ca-certificates"):
        if not re.search(rf"\b{re.escape(package)}\b", runs(runtime)):
            problems.append(f"runtime stage does not install {package}")
    if not any(k == "COPY" and f"--from={build['name']}" in a for k, a in runtime["ins"]):
        problems.append(f"runtime stage does not COPY --from={build['name']}")
    users = [a for k, a in runtime["ins"] if k == "USER"]
    if not users:
        problems.append("runtime stage has no USER (it would run as root)")
    elif users[-1].split(":")[0] in ("root", "0"):
        problems.append(f"runtime stage runs as USER {users[-1]}")
    entrypoints = [a for k, a in runtime["ins"] if k == "ENTRYPOINT"]
    try:
        entry = json.loads(entrypoints[-1]) if entrypoints else None
    except ValueError:
        entry = None
    if not (isinstance(entry, list) and entry and str(entry[0]).endswith("faceid-enricher")):
        problems.append("ENTRYPOINT is not the exec form [\".../faceid-enricher\"]")
    cmds = [a for k, a in runtime["ins"] if k == "CMD"]
    if not cmds or cmds[-1].replace(" ", "") != '["run"]':
        problems.append('CMD is not ["run"]')
    exposed = [int(p.split("/")[0]) for k, a in runtime["ins"] if k == "EXPOSE" for p in a.split() if p.split("/")[0].isdigit()]
    if exposed != [8080]:
        problems.append(f"EXPOSE {exposed}, expected [8080]")
    report.check("Dockerfile shape (stages, packages, non-root USER, ENTRYPOINT, CMD, EXPOSE)", problems)
    return exposed[0] if exposed else None


# MARK: docker-compose.yml


def check_compose(report: Report, documents: dict[Path, list[Any]]) -> None:
    path = DEPLOY / "docker-compose.yml"
    docs = documents.get(path)
    if not docs:
        report.check("deploy/docker-compose.yml", ["missing or unparsable"])
        return
    services = docs[0].get("services") or {}
    problems = []
    kafka = [(n, s) for n, s in services.items() if str(s.get("image", "")).startswith("apache/kafka") and "KAFKA_PROCESS_ROLES" in env_names(s.get("environment"))]
    if not kafka:
        problems.append("no apache/kafka service with KAFKA_PROCESS_ROLES (KRaft)")
    else:
        kenv = kafka[0][1]["environment"]
        if "controller" not in str(kenv.get("KAFKA_PROCESS_ROLES")) or any("ZOOKEEPER" in k for k in kenv):
            problems.append("the Kafka service is not in KRaft mode (process roles broker,controller, no ZooKeeper)")
    scripts = " ".join(json.dumps(s.get("command", "")) + json.dumps(s.get("entrypoint", "")) for s in services.values())
    for topic in ("INPUT_TOPIC", "OUTPUT_TOPIC", "DLQ_TOPIC"):
        if CONTRACT_ENV[topic] not in scripts or "kafka-topics.sh" not in scripts:
            problems.append(f"no topic-creation step creates {CONTRACT_ENV[topic]}")
    roles = {}
    for name, service in services.items():
        if is_enricher_service(service):
            command = service.get("command") or []
            command = shlex.split(command) if isinstance(command, str) else list(command)
            roles[command[0] if command else "run"] = (name, service, command)
    if "simulate" not in roles:
        problems.append("no service runs 'faceid-enricher simulate'")
    if "run" not in roles:
        problems.append("no service runs 'faceid-enricher run'")
    if "simulate" in roles and "run" in roles:
        sim_name, _, sim_cmd = roles["simulate"]
        port = sim_cmd[sim_cmd.index("--port") + 1] if "--port" in sim_cmd[:-1] else None
        if "--host" not in sim_cmd or sim_cmd[sim_cmd.index("--host") + 1] != "0.0.0.0":
            problems.append("the simulator does not bind --host 0.0.0.0 (unreachable from other containers)")
        run_name, run_service, _ = roles["run"]
        env = run_service.get("environment") or {}
        if env.get("FACEID_ENDPOINT") != f"http://{sim_name}:{port}":
            problems.append(f"{run_name}'s FACEID_ENDPOINT is {env.get('FACEID_ENDPOINT')!r}, not the simulator http://{sim_name}:{port}")
        if kafka and not str(env.get("KAFKA_BROKERS", "")).startswith(f"{kafka[0][0]}:"):
            problems.append(f"{run_name}'s KAFKA_BROKERS does not point at the {kafka[0][0]} service")
        sim_env = roles["simulate"][1].get("environment") or {}
        for key in ("TENCENTCLOUD_SECRET_ID", "TENCENTCLOUD_SECRET_KEY"):
            if key not in env or env.get(key) != sim_env.get(key):
                problems.append(f"{key} differs between the simulator and the enricher (signatures would not verify)")
        http_port = str(env.get("HTTP_PORT", CONTRACT_ENV["HTTP_PORT"]))
        if not any(str(p).split(":")[-1] == http_port for p in run_service.get("ports", [])):
            problems.append(f"{run_name} does not publish its HTTP_PORT {http_port}")
        depends = run_service.get("depends_on") or {}
        if not any(dig(depends, n, "condition") == "service_completed_successfully" for n in depends if isinstance(depends, dict)):
            problems.append(f"{run_name} does not wait for the topic-creation step to complete")
    report.check("docker-compose.yml wiring (KRaft broker, topics, simulator, enricher)", problems)


# MARK: Kubernetes


def check_kubernetes(report: Report, documents: dict[Path, list[Any]], exposed: int | None) -> None:
    objects = kubernetes_objects(documents)
    one = lambda kind: (objects.get(kind) or [(None, {})])[0][1]
    for kind in ("Deployment", "ConfigMap", "Secret", "PodDisruptionBudget", "ScaledObject", "Service", "ServiceMonitor"):
        report.check(f"kubernetes: a {kind}", [] if objects.get(kind) else [f"no {kind} under deploy/kubernetes/"])
    deployment, configmap, secret = one("Deployment"), one("ConfigMap"), one("Secret")
    pod = dig(deployment, "spec", "template", default={})
    pod_labels = dig(pod, "metadata", "labels", default={}) or {}
    containers = dig(pod, "spec", "containers", default=[]) or []
    container = containers[0] if containers else {}
    config = configmap.get("data") or {}
    http_port = int(config.get("HTTP_PORT", CONTRACT_ENV["HTTP_PORT"]))

    problems = []
    ports = {p.get("name"): p.get("containerPort") for p in container.get("ports", [])}
    if ports.get("http") != http_port:
        problems.append(f"container port named http is {ports.get('http')}, expected HTTP_PORT {http_port}")
    if exposed is not None and exposed != http_port:
        problems.append(f"Dockerfile EXPOSEs {exposed} but HTTP_PORT is {http_port}")
    for probe, wanted in (("livenessProbe", "/healthz"), ("readinessProbe", "/readyz")):
        get = dig(container, probe, "httpGet", default={}) or {}
        if get.get("path") != wanted:
            problems.append(f"{probe} path is {get.get('path')!r}, expected {wanted}")
        if get.get("port") not in ("http", http_port):
            problems.append(f"{probe} port is {get.get('port')!r}, expected http")
    grace = dig(pod, "spec", "terminationGracePeriodSeconds")
    if not isinstance(grace, int) or grace <= DRAIN_TIMEOUT_SECONDS:
        problems.append(f"terminationGracePeriodSeconds {grace} does not outlast the {DRAIN_TIMEOUT_SECONDS} s drain")
    resources = container.get("resources") or {}
    if not dig(resources, "requests", "cpu") or not dig(resources, "requests", "memory") or not dig(resources, "limits", "memory"):
        problems.append("resources lack requests.cpu, requests.memory or limits.memory")
    if dig(pod, "spec", "securityContext", "runAsNonRoot") is not True:
        problems.append("pod securityContext.runAsNonRoot is not true")
    refs = {(k, dig(e, k, "name")) for e in container.get("envFrom", []) for k in ("configMapRef", "secretRef") if k in e}
    if ("configMapRef", dig(configmap, "metadata", "name")) not in refs:
        problems.append("envFrom does not reference the ConfigMap")
    if ("secretRef", dig(secret, "metadata", "name")) not in refs:
        problems.append("envFrom does not reference the credentials Secret")
    report.check("kubernetes: Deployment (port http, probes, grace period, resources, non-root, env)", problems)

    problems = []
    for name in sorted(set(CONTRACT_ENV) - SECRET_ENV - {"TENCENTCLOUD_CREDENTIALS_FILE"} - set(config)):
        problems.append(f"ConfigMap lacks {name}")
    for name in sorted(set(config) & SECRET_ENV):
        problems.append(f"ConfigMap holds the credential {name}: it belongs in the Secret")
    report.check("kubernetes: ConfigMap has every non-secret contract variable and no credential", problems)

    values = {**(secret.get("stringData") or {}), **(secret.get("data") or {})}
    problems = [f"Secret lacks {k}" for k in ("TENCENTCLOUD_SECRET_ID", "TENCENTCLOUD_SECRET_KEY") if k not in values]
    report.check("kubernetes: Secret example holds the credentials", problems)

    for kind in ("PodDisruptionBudget", "Service", "ServiceMonitor"):
        for path, obj in objects.get(kind, []):
            selector = dig(obj, "spec", "selector", "matchLabels") if kind != "Service" else dig(obj, "spec", "selector")
            target = pod_labels if kind != "ServiceMonitor" else dig(one("Service"), "metadata", "labels", default={})
            problems = [] if selector and all(target.get(k) == v for k, v in selector.items()) else [f"selector {selector} does not select the {'Service' if kind == 'ServiceMonitor' else 'pods'}"]
            if kind == "Service":
                port = next((p for p in dig(obj, "spec", "ports", default=[]) if p.get("name") == "http"), None)
                if not port or port.get("targetPort") not in ("http", http_port):
                    problems.append("no port named http targeting the container's http port")
            if kind == "ServiceMonitor":
                for endpoint in dig(obj, "spec", "endpoints", default=[]) or []:
                    if endpoint.get("port") != "http" or endpoint.get("path") != "/metrics":
                        problems.append(f"endpoint scrapes port {endpoint.get('port')!r} path {endpoint.get('path')!r}, expected http /metrics")
            report.check(f"kubernetes: {kind} {dig(obj, 'metadata', 'name')}", problems)

    for path, scaled in objects.get("ScaledObject", []):
        problems = []
        if dig(scaled, "spec", "scaleTargetRef", "name") != dig(deployment, "metadata", "name"):
            problems.append("scaleTargetRef does not name the Deployment")
        triggers = [t for t in dig(scaled, "spec", "triggers", default=[]) or [] if t.get("type") == "kafka"]
        if not triggers:
            problems.append("no kafka trigger")
        for trigger in triggers:
            meta = trigger.get("metadata") or {}
            for key, env in (("topic", "INPUT_TOPIC"), ("consumerGroup", "KAFKA_GROUP_ID"), ("bootstrapServers", "KAFKA_BROKERS")):
                if meta.get(key) != config.get(env, CONTRACT_ENV[env]):
                    problems.append(f"trigger {key} {meta.get(key)!r} differs from the ConfigMap's {env} {config.get(env)!r}")
        partitions = dig(scaled, "metadata", "annotations", "faceid-enricher/input-partitions")
        maximum = dig(scaled, "spec", "maxReplicaCount")
        if not (str(partitions).isdigit() and isinstance(maximum, int) and maximum <= int(partitions)):
            problems.append(f"maxReplicaCount {maximum} is not at most the input partitions (annotation faceid-enricher/input-partitions: {partitions})")
        report.check(f"kubernetes: ScaledObject {dig(scaled, 'metadata', 'name')} (kafka lag on the input topic)", problems)

    for path, kustomization in objects.get("Kustomization", []):
        missing = [r for r in kustomization.get("resources", []) if not (path.parent / r).exists()]
        report.check("kubernetes: kustomization resources exist", [f"{r} not found" for r in missing])


# MARK: Metrics, PromQL, alerts and dashboard coverage


def check_metrics(report: Report, usage: Usage, documents: dict[Path, list[Any]]) -> None:
    for name in sorted(usage.metrics):
        problems = [] if name in CONTRACT_METRICS else [f"not a metric the service exposes (known: {', '.join(sorted(CONTRACT_METRICS))})"]
        report.check(f"metric {name} is exposed by the service (used in {', '.join(sorted(usage.metrics[name]))})", problems)
    problems = []
    for (name, label), where in sorted(usage.metric_labels.items()):
        if name in CONTRACT_METRICS and label not in CONTRACT_METRICS[name][1] | TARGET_LABELS:
            problems.append(f"{name} has no label {label!r} (labels: {', '.join(sorted(CONTRACT_METRICS[name][1])) or 'none'}), used in {', '.join(sorted(where))}")
    report.check("metric labels used exist", problems)

    dashboards = [rel(p) for p in documents if p.suffix == ".json"]
    for dashboard in dashboards:
        missing = [m for m in CONTRACT_METRICS if dashboard not in usage.metrics.get(m, set())]
        report.check(f"{dashboard} shows every metric", [f"no panel uses {m}" for m in missing])

    alerts = [(w, e) for w, e in usage.promql if w.startswith("deploy/prometheus/")]
    wanted = {
        "consumer lag growing": lambda e: "faceid_enricher_consumer_lag" in e and re.search(r"\b(delta|deriv|increase|rate)\(", e),
        "instance not ready": lambda e: re.search(r"faceid_enricher_ready\s*(==\s*0|<\s*1)", e),
        "instance halted": lambda e: re.search(r"faceid_enricher_halted\s*(==\s*1|>\s*0)", e),
        "DLQ rate above zero": lambda e: "faceid_enricher_dlq_events_total" in e and re.search(r">\s*0\b", e),
        "RequestLimitExceeded rate above zero": lambda e: "faceid_enricher_api_calls_total" in e and "RequestLimitExceeded" in e,
    }
    report.check("alerts cover lag, readiness, halt, DLQ and rate limiting",
                 [f"no alert for {what}" for what, test in wanted.items() if not any(test(e) for _, e in alerts)])
    for path, docs in documents.items():
        if path.name != "alerts.yml":
            continue
        problems = []
        for group in dig(docs[0], "groups", default=[]) or []:
            for rule in group.get("rules", []):
                name = rule.get("alert", "?")
                if not rule.get("expr"):
                    problems.append(f"{name}: no expr")
                if dig(rule, "labels", "severity") not in ("info", "warning", "critical"):
                    problems.append(f"{name}: labels.severity is not info, warning or critical")
                if not dig(rule, "annotations", "summary"):
                    problems.append(f"{name}: no annotations.summary")
        report.check(f"{rel(path)} rules are complete (expr, severity, summary)", problems)


GRAFANA_VARIABLES = re.compile(r"\$(__rate_interval|__interval|__range)|\$\{[a-z_]+\}|\$[a-z_]+")


def check_promql(report: Report, usage: Usage) -> None:
    try:
        import promql_parser  # noqa: PLC0415 - optional dependency
    except ImportError:
        report.skip("PromQL syntax", "promql-parser not installed (pip install promql-parser)")
        return
    problems = []
    for where, expr in usage.promql:
        text = GRAFANA_VARIABLES.sub(lambda m: "5m" if m.group(1) else ".*", expr)
        try:
            promql_parser.parse(text)
        except ValueError as error:
            problems.append(f"{where}: {error}")
    report.check(f"PromQL of {len(usage.promql)} alert and panel expressions parses", problems)


# MARK: Names that must exist in Sources/


def camel(flag: str) -> str:
    head, *rest = flag.lstrip("-").split("-")
    return head + "".join(w.capitalize() for w in rest)


def check_sources(report: Report, usage: Usage) -> None:
    files = sorted(SOURCES.rglob("*.swift"))
    text = "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in files)
    where = lambda uses: ", ".join(sorted(uses))
    if not files:
        report.check("Sources/ holds Swift files", [f"none under {SOURCES}"])
        return

    for name in sorted(set(usage.metrics) & set(CONTRACT_METRICS)):
        found = re.search(rf'"{re.escape(name)}"', text)
        report.check(f"Sources: metric {name}",
                     [] if found else [f'no literal "{name}" in Sources/**/*.swift; used in {where(usage.metrics[name])}'])
    for (name, label), uses in sorted(usage.metric_labels.items()):
        if label in CONTRACT_METRICS.get(name, ("", set()))[1]:
            found = re.search(rf'"{re.escape(label)}"', text)
            report.check(f"Sources: label {label} of {name}",
                         [] if found else [f'no literal "{label}" in Sources/**/*.swift; used in {where(uses)}'])
    for name in sorted(n for n in usage.env if n):
        found = re.search(rf'"{re.escape(name)}"', text)
        report.check(f"Sources: environment variable {name}",
                     [] if found else [f'no literal "{name}" in Sources/**/*.swift; set in {where(usage.env[name])}'])
    for (sub, flag), uses in sorted(usage.commands.items()):
        if flag == "":
            pattern = rf'commandName:\s*"{re.escape(sub)}"|\b(struct|enum|final class)\s+{sub.capitalize()}(Command)?\b'
            what = f'subcommand {sub} (commandName: "{sub}" or a type named {sub.capitalize()}[Command])'
        elif flag == "-X":
            pattern, what = r'(name:\s*\.short|customShort\("X"\)|"X")', "flag -X (short name X)"
        else:
            pattern = rf'"{re.escape(flag.lstrip("-"))}"|\b(var|let)\s+{camel(flag)}\b'
            what = f'flag {flag} of {sub} ("{flag.lstrip("-")}" or a property {camel(flag)})'
        report.check(f"Sources: {what}",
                     [] if re.search(pattern, text) else [f"not found in Sources/**/*.swift; used in {where(uses)}"])
    for path in sorted(HTTP_PATHS | set(usage.paths)):
        found = re.search(rf'"/?{re.escape(path.lstrip("/"))}"', text)
        uses = usage.paths.get(path, {"the contract"})
        report.check(f"Sources: HTTP path {path}",
                     [] if found else [f'no literal "{path}" or "{path.lstrip("/")}" in Sources/**/*.swift; used in {where(uses)}'])


def check_names_in_contract(report: Report, usage: Usage) -> None:
    problems = []
    for name, uses in sorted(usage.env.items()):
        if name not in CONTRACT_ENV:
            problems.append(f"environment variable {name} is not in the contract; set in {', '.join(sorted(uses))}")
    for (sub, flag), uses in sorted(usage.commands.items()):
        if sub not in SUBCOMMAND_FLAGS:
            problems.append(f"subcommand {sub!r} is not in the contract; used in {', '.join(sorted(uses))}")
        elif flag and flag not in SUBCOMMAND_FLAGS[sub]:
            problems.append(f"flag {flag} is not a flag of {sub} in the contract; used in {', '.join(sorted(uses))}")
    for path, uses in sorted(usage.paths.items()):
        if path not in HTTP_PATHS:
            problems.append(f"HTTP path {path} is not served (only {', '.join(sorted(HTTP_PATHS))}); used in {', '.join(sorted(uses))}")
    report.check("environment variables, subcommands, flags and paths used are in the contract", problems)


# MARK: Main


def find_contract(explicit: Path | None) -> Path | None:
    if explicit:
        return explicit if explicit.exists() else None
    for candidate in (REPO_ROOT / "docs" / "CONTRACT.md", REPO_ROOT.parent / "shared" / "CONTRACT.md", Path("/work/shared/CONTRACT.md")):
        if candidate.exists():
            return candidate
    return None


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--contract", type=Path, help="path of CONTRACT.md to check the embedded tables against")
    parser.add_argument("--skip-sources", action="store_true", help="do not look names up in Sources/")
    parser.add_argument("-v", "--verbose", action="store_true", help="also list the checks that pass")
    args = parser.parse_args(argv)
    if args.contract and not args.contract.exists():
        print(f"check_deploy.py: {args.contract} does not exist", file=sys.stderr)
        return 2

    report = Report(args.verbose)
    check_contract(report, find_contract(args.contract))
    documents = load_deploy_files(report)
    exposed = check_dockerfile(report)
    check_compose(report, documents)
    check_kubernetes(report, documents, exposed)
    usage = collect_usage(documents)
    check_names_in_contract(report, usage)
    check_metrics(report, usage, documents)
    check_promql(report, usage)
    if args.skip_sources:
        report.skip("Sources/ look-ups", "--skip-sources")
    else:
        check_sources(report, usage)
    print(f"{report.passed} passed, {report.failed} failed")
    return 1 if report.failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
