"""Shape checks of the deploy files: Dockerfile stages, compose wiring, Kubernetes objects."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path
from typing import Any

from contract_names import CONTRACT_ENV, DRAIN_TIMEOUT_SECONDS, SECRET_ENV
from support import DEPLOY, Report, dig, env_names, is_enricher_service, kubernetes_objects


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
