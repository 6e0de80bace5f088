"""The product contract's names, as data, and a check that they still match CONTRACT.md.

Used by check_deploy.py: deploy files may only use these environment variables, flags,
subcommands, metrics and paths.
"""

from __future__ import annotations

import re
from pathlib import Path

from support import Report


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
    "MEDIA_ARCHIVE": "",
    "S3_ENDPOINT": "",
    "MEDIA_CONCURRENCY": "",
    "AWS_ACCESS_KEY_ID": "",
    "AWS_SECRET_ACCESS_KEY": "",
    "AWS_SESSION_TOKEN": "",
    "AWS_REGION": "",
}
SECRET_ENV = {
    "TENCENTCLOUD_SECRET_ID", "TENCENTCLOUD_SECRET_KEY", "TENCENTCLOUD_SESSION_TOKEN",
    "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
}
#: flags of the contract's table, shared by run, demo, fetch and replay.
SERVICE_FLAGS = {
    "--brokers", "--group", "--input-topic", "--output-topic", "--dlq-topic", "-X", "--endpoint", "--region",
    "--action", "--rate-limit", "--max-in-flight", "--retry-max-elapsed", "--http-port", "--log-format",
    "--keep-media-base64", "--media-archive", "--s3-endpoint", "--media-concurrency",
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
    "faceid_enricher_retries_total": ("counter", {"reason"}),
    "faceid_enricher_in_flight_events": ("gauge", set()),
    "faceid_enricher_rate_limit_share_requests_per_second": ("gauge", set()),
    "faceid_enricher_rate_demand_requests_per_second": ("gauge", set()),
    "faceid_enricher_rate_group_demand_requests_per_second": ("gauge", set()),
    "faceid_enricher_rate_group_members": ("gauge", set()),
    "faceid_enricher_rate_coordination_fallback": ("gauge", set()),
    "faceid_enricher_rate_coordination_records_ignored_total": ("counter", {"reason"}),
    "faceid_enricher_api_request_duration_seconds": ("histogram", set()),
    "faceid_enricher_end_to_end_latency_seconds": ("histogram", set()),
    "faceid_enricher_rebalances_total": ("counter", set()),
    "faceid_enricher_commit_failures_total": ("counter", set()),
    "faceid_enricher_halted": ("gauge", set()),
    "faceid_enricher_ready": ("gauge", set()),
    "faceid_enricher_media_objects_total": ("counter", {"kind", "result"}),
    "faceid_enricher_media_bytes_total": ("counter", {"kind"}),
    "faceid_enricher_media_md5_mismatches_total": ("counter", {"kind"}),
    "faceid_enricher_media_archive_duration_seconds": ("histogram", set()),
    "faceid_enricher_assigned_partitions": ("gauge", set()),
    "faceid_enricher_unassigned_seconds": ("gauge", set()),
}
#: the media archive's metrics: exposed only with --media-archive, so a scrape of a run without it lacks them.
MEDIA_METRICS = {name for name in CONTRACT_METRICS if name.startswith("faceid_enricher_media_")}
#: labels Prometheus adds when scraping (and Grafana's histogram label).
TARGET_LABELS = {"job", "instance", "pod", "namespace", "container", "service", "endpoint", "le"}
HTTP_PATHS = {"/metrics", "/healthz", "/readyz"}
DRAIN_TIMEOUT_SECONDS = 30


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
