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
PromQL expressions are parsed when promql-parser is installed (else one SKIP line, or a failure
with --require-promql, which .ci/test passes: its setup installs the parser).
With --metrics-scrape FILE (a /metrics answer saved from a real run; the integration tests
pass one), every metric of the contract table must be in it with its type and exactly its
labels, the scrape must hold no faceid_enricher_ family the table lacks, and every metric
and label deploy/ uses must be in it; the media archive's metrics only when the scrape has any
of them (they exist only with --media-archive).

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

from contract_names import CONTRACT_ENV, CONTRACT_METRICS, HTTP_PATHS, MEDIA_METRICS, SUBCOMMAND_FLAGS, TARGET_LABELS, check_contract
from deploy_shapes import check_compose, check_dockerfile, check_kubernetes
from support import DEPLOY, REPO_ROOT, SOURCES, Report, dig, env_names, is_enricher_service, rel


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
                runbook = dig(rule, "annotations", "runbook")
                if runbook and not runbook.startswith("http"):
                    problems += [f"{name}: runbook {runbook}: {p}" for p in missing_anchor(runbook)]
        report.check(f"{rel(path)} rules are complete (expr, severity, summary)", problems)


def missing_anchor(link: str) -> list[str]:
    """Problems with a repository-relative "file.md#anchor" link (GitHub heading slugs)."""
    file, _, anchor = link.partition("#")
    path = REPO_ROOT / file
    if not path.exists():
        return [f"{file} does not exist"]
    slugs = {re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-")
             for h in re.findall(r"^#+\s+(.*)$", path.read_text(encoding="utf-8"), re.MULTILINE)}
    return [] if not anchor or anchor in slugs else [f"no heading #{anchor} in {file}"]


GRAFANA_VARIABLES = re.compile(r"\$(__rate_interval|__interval|__range)|\$\{[a-z_]+\}|\$[a-z_]+")


def check_promql(report: Report, usage: Usage, required: bool) -> None:
    try:
        import promql_parser  # noqa: PLC0415 - optional dependency
    except ImportError:
        if required:
            report.check("PromQL syntax", ["promql-parser not installed (pip install promql-parser)"])
            return
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


# MARK: A real scrape


def parse_scrape(text: str) -> tuple[dict[str, str], dict[str, set[str]]]:
    """Prometheus text format -> (family -> type, sample name -> label names)."""
    types: dict[str, str] = {}
    labels: dict[str, set[str]] = defaultdict(set)
    for line in text.splitlines():
        if line.startswith("# TYPE "):
            parts = line.split()
            if len(parts) >= 4:
                types[parts[2]] = parts[3]
            continue
        if not line or line.startswith("#"):
            continue
        match = re.match(r"([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([^}]*)\})?\s", line)
        if match:
            names = re.findall(r'([a-zA-Z_][a-zA-Z0-9_]*)="', match.group(3) or "")
            labels[match.group(1)].update(names)
    return types, labels


def check_scrape(report: Report, usage: Usage, path: Path) -> None:
    try:
        types, labels = parse_scrape(path.read_text(encoding="utf-8"))
    except OSError as error:
        report.check(f"read {path}", [str(error)])
        return
    # A run without --media-archive exposes no media metrics; with it, all of them must be there.
    archiving = any(name in MEDIA_METRICS for name in types)
    for name, (kind, expected) in sorted(CONTRACT_METRICS.items()):
        if name in MEDIA_METRICS and not archiving:
            continue
        problems = []
        if types.get(name) != kind:
            problems.append(f"TYPE is {types.get(name, 'missing')}, the contract table says {kind}")
        sample = name + "_bucket" if kind == "histogram" else name
        if sample not in labels:
            problems.append(f"no {sample} sample")
        else:
            got = labels[sample] - ({"le"} if kind == "histogram" else set())
            if got != expected:
                problems.append(f"labels {sorted(got)}, the contract table says {sorted(expected)}")
        report.check(f"scrape: {name} is a {kind} with labels {sorted(expected)}", problems)
    unknown = sorted(n for n in types if n.startswith("faceid_enricher_") and n not in CONTRACT_METRICS)
    report.check("scrape: every faceid_enricher_ family is in the contract table", [f"{n} ({types[n]}) is not" for n in unknown])
    problems = [f"{name} (used in {', '.join(sorted(uses))}) is not in the scrape" for name, uses in sorted(usage.metrics.items())
                if name not in types and (archiving or name not in MEDIA_METRICS)]
    for (name, label), uses in sorted(usage.metric_labels.items()):
        if label in TARGET_LABELS or name not in types:
            continue
        sample = name + "_bucket" if types[name] == "histogram" else name
        if label not in labels.get(sample, set()):
            problems.append(f"{name} has no label {label!r} in the scrape (used in {', '.join(sorted(uses))})")
    report.check("scrape: metrics and labels used in deploy/ are exposed", problems)


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
    parser.add_argument("--metrics-scrape", type=Path, help="a saved /metrics answer of a real run to check the metric names against")
    parser.add_argument("--require-promql", action="store_true", help="fail, rather than skip, when promql-parser is missing")
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
    check_promql(report, usage, args.require_promql)
    if args.metrics_scrape:
        check_scrape(report, usage, args.metrics_scrape)
    if args.skip_sources:
        report.skip("Sources/ look-ups", "--skip-sources")
    else:
        check_sources(report, usage)
    print(f"{report.passed} passed, {report.failed} failed")
    return 1 if report.failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
