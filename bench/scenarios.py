"""The benchmarks themselves: throughput, budget use, latency (and the memory soak, which is a long
latency run). Each takes a running broker (and simulator where it shares one), runs one
implementation -- "swift" (`faceid-enricher run`) or "python" (bench/baseline/consumer.py) -- on
fresh topics and a fresh group, and returns its figures as a dict. Every wait has a deadline;
every process started here is stopped here (try/finally).
"""

from __future__ import annotations

import re
import subprocess
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

from callgrind_self import self_costs
from rig import (ManagedProcess, enricher_binary, ProcessStats, child_pid, OutputCollector, Simulator, create_topics, input_event, log, log_time,
                 make_producer, median, percentile, produce_all, start_baseline, start_enricher, warm_up)

PARTITIONS = 6


def _topics(kind: str, run: str) -> dict[str, str]:
    return {"input": f"{kind}-in-{run}", "output": f"{kind}-out-{run}", "dlq": f"{kind}-dlq-{run}"}


def _start(impl: str, name: str, workdir: Path, brokers: str, run: str, topics: dict[str, str], endpoint: str,
           rate_limit: float, max_in_flight: int, threads: int, timeout: float,
           extra: dict[str, str] | None = None, run_args: list[str] | None = None,
           env_extra: dict[str, str] | None = None) -> ManagedProcess:
    if impl == "swift":
        process, _ = start_enricher(name, workdir, brokers, f"bench-{run}", topics, endpoint, rate_limit, max_in_flight, extra,
                                    run_args, env_extra)
        return process
    return start_baseline(name, workdir, brokers, f"bench-{run}", topics, endpoint, rate_limit, threads, timeout)


def _stop_all(processes: list[ManagedProcess]) -> dict[str, int | None]:
    codes = {}
    for process in processes:
        codes[process.name] = process.stop()
    return codes


def _rss_figures(process: ManagedProcess, start: float, end: float) -> dict[str, Any]:
    """Peak (VmHWM) and steady (median VmRSS of the window) RSS, and the steady split into anonymous memory (the
    process's own data) and file pages (its executable and libraries, shared with the page cache)."""
    window = process.rss_between(start, end)
    split = [(anon, file) for t, anon, file in process.split_samples if start <= t <= end]
    return {"peak_rss_mib": round(process.peak_kib / 1024, 1),
            "steady_rss_mib": round(median(window) / 1024, 1) if window else None,
            "steady_rss_anon_mib": round(median([a for a, _ in split]) / 1024, 1) if split else None,
            "steady_rss_file_mib": round(median([f for _, f in split]) / 1024, 1) if split else None,
            "rss_samples": len(window)}


def throughput(impl: str, brokers: str, simulator: Simulator, workdir: Path, events: int, threads: int = 16,
               max_in_flight: int = 256, timeout: float = 900.0, extra: dict[str, str] | None = None) -> dict[str, Any]:
    """One instance, unlimited simulator: events/s from the first input produced to the last output
    acknowledged (its Kafka timestamp), CPU s per 1,000 events, peak and steady RSS."""
    run = uuid.uuid4().hex[:8]
    topics = _topics("tp", run)
    create_topics(brokers, list(topics.values()), PARTITIONS)
    collector = OutputCollector(brokers, topics["output"], PARTITIONS)
    producer = make_producer(brokers, linger_ms=5)
    process: ManagedProcess | None = None
    try:
        process = _start(impl, f"{impl}-throughput-{run}", workdir, brokers, run, topics, simulator.endpoint,
                         rate_limit=100000, max_in_flight=max_in_flight, threads=threads, timeout=timeout, extra=extra)
        warm_up(producer, collector, topics["input"], PARTITIONS, run, process.alive)
        prefix = f"tp-{run}-"
        batch = [(f"{prefix}{i}", f"PASS-{uuid.uuid4()}") for i in range(events)]
        broker_pid = child_pid("tansu")
        broker = ProcessStats(broker_pid) if broker_pid else None
        broker_cpu_before = broker.cpu_seconds() if broker else 0.0
        cpu_before, simulator_cpu_before = process.stats.cpu_seconds(), simulator.stats.cpu_seconds()
        log(f"{impl} throughput: producing {events} events")
        first_input = produce_all(producer, topics["input"], batch)
        produced = time.time()
        complete = collector.wait_for(lambda i: i.startswith(prefix), events, timeout, process.alive)
        done = time.time()
        cpu_after, simulator_cpu_after = process.stats.cpu_seconds(), simulator.stats.cpu_seconds()
        broker_cpu = broker.cpu_seconds() - broker_cpu_before if broker else None
        if not complete:
            raise RuntimeError(f"{impl} throughput: {collector.count(lambda i: i.startswith(prefix))}/{events} outputs "
                               f"after {timeout:.0f} s\n{process.tail()}")
        outputs = [v for k, v in collector.snapshot().items() if k.startswith(prefix)]
        last_acknowledged = max(ts for ts, _ in outputs)
        last_read = max(read for _, read in outputs)
        cpu = cpu_after - cpu_before
        figures = {
            "implementation": impl, "events": events, "partitions": PARTITIONS,
            "events_per_s": round(events / (last_acknowledged - first_input), 1),
            "events_per_s_by_read_time": round(events / (last_read - first_input), 1),
            "seconds": round(last_acknowledged - first_input, 2),
            "input_produce_seconds": round(produced - first_input, 2),
            "cpu_s_per_1000_events": round(cpu / events * 1000, 3),
            "cpu_s": round(cpu, 2),
            "simulator_cpu_s": round(simulator_cpu_after - simulator_cpu_before, 2),
            "broker_cpu_s": round(broker_cpu, 2) if broker_cpu is not None else None,
            "duplicates": collector.duplicates,
            "settings": {"rate_limit": 100000, "max_in_flight": max_in_flight, "kafka_extra": extra or {}} if impl == "swift"
            else {"rate_limit": 100000, "threads": threads},
        }
        figures.update(_rss_figures(process, first_input, done))
        return figures
    finally:
        codes = _stop_all([process] if process else [])
        collector.close()
        if codes:
            log(f"{impl} throughput: exit codes {codes}")


def analyse_requests(requests: list[tuple[float, dict[str, Any]]], budget: float) -> dict[str, Any]:
    """Request-log figures: steady rate over the middle 80 % of requests (10th to 90th percentile of arrival
    times, leaving out group joins and the tail), RequestLimitExceeded answers, busiest wall-clock second."""
    if not requests:
        return {"requests": 0}
    arrivals = sorted(received - entry.get("latencyMs", 0) / 1000.0 for received, entry in requests)
    accepted = sorted(received - entry.get("latencyMs", 0) / 1000.0 for received, entry in requests
                      if not str(entry.get("outcome", "")).startswith("RequestLimitExceeded"))
    limited = len(arrivals) - len(accepted)

    def steady(times: list[float]) -> float | None:
        low, high = int(0.1 * len(times)), int(0.9 * len(times))
        if high - low < 2 or times[high] <= times[low]:
            return None
        return (high - low) / (times[high] - times[low])

    per_second = Counter(entry.get("time") for _, entry in requests)  # the simulator's own wall-clock second
    sliding, j = 0, 0
    for i in range(len(arrivals)):
        while arrivals[i] - arrivals[j] >= 1.0:
            j += 1
        sliding = max(sliding, i - j + 1)
    steady_rate = steady(arrivals)
    return {
        "requests": len(arrivals),
        "request_limit_exceeded": limited,
        "steady_requests_per_s": round(steady_rate, 2) if steady_rate else None,
        "steady_accepted_per_s": round(steady(accepted) or 0, 2),
        "budget_share": round((steady(accepted) or 0) / budget, 3),
        "overall_requests_per_s": round(len(arrivals) / max(1e-9, arrivals[-1] - arrivals[0]), 2),
        "busiest_wall_clock_second": max(per_second.values()),
        "busiest_sliding_1s_window": sliding,
        "span_s": round(arrivals[-1] - arrivals[0], 1),
    }


def budget(impl: str, brokers: str, simulator: Simulator, workdir: Path, instances: int, events: int,
           group_budget: float = 20.0, threads: int = 16) -> dict[str, Any]:
    """`instances` consumers over a backlog of `events` on 6 partitions, the simulator enforcing
    `group_budget` requests/s: how much of the budget the group uses, and whether it ever overshoots.
    The Swift service gets the group budget (each instance takes its partition share); the baseline has
    no group coordination, so each instance gets an equal static split."""
    run = uuid.uuid4().hex[:8]
    topics = _topics("bu", run)
    create_topics(brokers, list(topics.values()), PARTITIONS)
    collector = OutputCollector(brokers, topics["output"], PARTITIONS)
    producer = make_producer(brokers, linger_ms=5)
    prefix = f"bu-{run}-"
    produce_all(producer, topics["input"], [(f"{prefix}{i}", f"PASS-{uuid.uuid4()}") for i in range(events)])
    per_instance = group_budget if impl == "swift" else group_budget / instances
    timeout = events / group_budget * 3 + 90
    mark = simulator.mark()
    processes: list[ManagedProcess] = []
    try:
        log(f"{impl} budget: {instances} instance(s), backlog {events}")
        started = time.time()
        for k in range(instances):
            processes.append(_start(impl, f"{impl}-budget-{run}-{k}", workdir, brokers, run, topics, simulator.endpoint,
                                    rate_limit=per_instance, max_in_flight=64, threads=threads, timeout=timeout))
        complete = collector.wait_for(lambda i: i.startswith(prefix), events, timeout,
                                      lambda: all(p.alive() for p in processes))
        finished = time.time()
        if not complete:
            raise RuntimeError(f"{impl} budget: {collector.count(lambda i: i.startswith(prefix))}/{events} outputs after "
                               f"{timeout:.0f} s\n" + "\n".join(p.tail(5) for p in processes))
    finally:
        codes = _stop_all(processes)
        collector.close()
    outputs = [v for k, v in collector.snapshot().items() if k.startswith(prefix)]
    figures = {"implementation": impl, "instances": instances, "events": events, "partitions": PARTITIONS,
               "budget_per_s": group_budget, "per_instance_rate_limit": round(per_instance, 3),
               "seconds_to_drain": round(max(ts for ts, _ in outputs) - started, 1),
               "drain_after_start_s": round(finished - started, 1), "exit_codes": codes}
    figures.update(analyse_requests(simulator.requests_since(mark), group_budget))
    figures["requests_per_event"] = round(figures["requests"] / events, 3)
    return figures


def latency(impl: str, brokers: str, workdir: Path, rate: float = 15.0, duration: float = 60.0, latency_ms: int = 200,
            jitter_ms: int = 50, threads: int = 16, extra: dict[str, str] | None = None,
            run_args: list[str] | None = None, env_extra: dict[str, str] | None = None) -> dict[str, Any]:
    """A steady `rate` events/s for `duration` s against a simulator answering in latency_ms ± jitter_ms:
    end-to-end latency (input timestamp to the output's Kafka timestamp, and to when it was read), and the
    pipeline's overhead above the API call (end-to-end minus the simulator-reported latency of that call)."""
    run = uuid.uuid4().hex[:8]
    topics = _topics("la", run)
    create_topics(brokers, list(topics.values()), PARTITIONS)
    simulator = Simulator(workdir, rate_limit=20, latency_ms=latency_ms, jitter_ms=jitter_ms, log_requests=True)
    collector = OutputCollector(brokers, topics["output"], PARTITIONS)
    producer = make_producer(brokers, linger_ms=0)
    process: ManagedProcess | None = None
    prefix = f"la-{run}-"
    sent: dict[str, tuple[float, str]] = {}
    try:
        process = _start(impl, f"{impl}-latency-{run}", workdir, brokers, run, topics, simulator.endpoint,
                         rate_limit=20, max_in_flight=64, threads=threads, timeout=duration + 600, extra=extra,
                         run_args=run_args, env_extra=env_extra)
        warm_up(producer, collector, topics["input"], PARTITIONS, run, process.alive)
        mark = simulator.mark()
        count = int(rate * duration)
        log(f"{impl} latency: {count} events at {rate:g}/s")
        start = time.time()
        for i in range(count):
            pause = start + i / rate - time.time()
            if pause > 0:
                time.sleep(pause)
            event_id, token = f"{prefix}{i}", f"PASS-{uuid.uuid4()}"
            now_ms = int(time.time() * 1000)
            producer.produce(topics["input"], key=token, value=input_event(event_id, token), timestamp=now_ms)
            producer.poll(0)
            sent[event_id] = (now_ms / 1000.0, token)
            if not process.alive():
                raise RuntimeError(f"{impl} latency: the process exited\n{process.tail()}")
        producer.flush(30)
        produced = time.time()
        complete = collector.wait_for(lambda i: i.startswith(prefix), count, 120, process.alive)
        done = time.time()
        if not complete:
            raise RuntimeError(f"{impl} latency: {collector.count(lambda i: i.startswith(prefix))}/{count} outputs\n{process.tail()}")
        calls: dict[str, float] = {}
        for _, entry in simulator.requests_since(mark):
            token = entry.get("bizToken")
            if token:
                calls[token] = calls.get(token, 0.0) + entry.get("latencyMs", 0) / 1000.0
        outputs = collector.snapshot()
        e2e, e2e_read, overhead = [], [], []
        for event_id, (t_in, token) in sent.items():
            t_out, t_read = outputs[event_id]
            e2e.append(t_out - t_in)
            e2e_read.append(t_read - t_in)
            if token in calls:
                overhead.append(t_out - t_in - calls[token])
        ms = lambda values, q: round(percentile(values, q) * 1000, 1)  # noqa: E731
        figures = {
            "implementation": impl, "events": count, "rate_per_s": rate, "duration_s": duration,
            "api_latency_ms": f"{latency_ms} ± {jitter_ms}",
            "achieved_input_rate_per_s": round(count / (produced - start), 2),
            "e2e_ms": {"p50": ms(e2e, 0.5), "p99": ms(e2e, 0.99), "max": ms(e2e, 1.0)},
            "e2e_to_read_ms": {"p50": ms(e2e_read, 0.5), "p99": ms(e2e_read, 0.99), "max": ms(e2e_read, 1.0)},
            "overhead_ms": {"p50": ms(overhead, 0.5), "p99": ms(overhead, 0.99), "max": ms(overhead, 1.0),
                            "events": len(overhead)},
            "api_calls": sum(1 for _ in simulator.requests_since(mark)),
            "duplicates": collector.duplicates,
            "settings": {"kafka_extra": extra or {}, "run_args": run_args or []},
        }
        figures.update(_rss_figures(process, start, done))
        window = [(t, rss) for t, rss, _ in process.samples if start <= t <= done]
        if len(window) >= 4:
            first_minute = [rss for t, rss in window if t <= start + min(60, duration / 4)]
            last_minute = [rss for t, rss in window if t >= start + duration - min(60, duration / 4)]
            figures["rss_first_window_mib"] = round(median(first_minute) / 1024, 1)
            figures["rss_last_window_mib"] = round(median(last_minute) / 1024, 1)
        cpu = [c for t, _, c in process.samples if start <= t <= done]
        if len(cpu) >= 2:
            figures["cpu_s_per_1000_events"] = round((cpu[-1] - cpu[0]) / count * 1000, 3)
        return figures
    finally:
        codes = _stop_all([process] if process else [])
        collector.close()
        simulator.stop()
        if codes:
            log(f"{impl} latency: exit codes {codes}")



def startup(brokers: str, workdir: Path, runs: int = 5, backlog: int = 60, extra: dict[str, str] | None = None) -> dict[str, Any]:
    """Start to first API call. Per run, on a fresh topic and simulator: (1) "fresh": a backlog waits on 6
    partitions and an enricher (default flags, LOG_LEVEL=info) starts on a new group; (2) "restart": once it
    has enriched the backlog (its offsets committed) it is stopped, another backlog produced, and a new
    enricher started on the same group, which resumes from the committed offsets. Each figure is the time
    from the pipeline's "Partitions assigned" log line (the timestamp the service writes when it takes the
    group's assignment) to the arrival of the instance's first request at the simulator (when the harness
    read the simulator's --log-requests line, minus the latency the simulator reports for it), both on this
    machine's wall clock; process start to first call is kept too."""
    samples: dict[str, list[dict[str, float]]] = {"fresh": [], "restart": []}
    for k in range(runs):
        run = uuid.uuid4().hex[:8]
        topics = _topics("st", run)
        create_topics(brokers, list(topics.values()), PARTITIONS)
        producer = make_producer(brokers, linger_ms=5)
        simulator = Simulator(workdir, rate_limit=0, log_requests=True)
        collector = OutputCollector(brokers, topics["output"], PARTITIONS)
        try:
            for phase in ("fresh", "restart"):
                prefix = f"st-{run}-{phase}-"
                produce_all(producer, topics["input"], [(f"{prefix}{i}", f"PASS-{uuid.uuid4()}") for i in range(backlog)])
                mark = simulator.mark()
                started = time.time()
                process, _ = start_enricher(f"swift-startup-{run}-{phase}", workdir, brokers, f"bench-{run}", topics,
                                            simulator.endpoint, rate_limit=20, max_in_flight=64, extra=extra,
                                            log_level="info")
                try:
                    if not collector.wait_for(lambda i: i.startswith(prefix), backlog, 120, process.alive):
                        raise RuntimeError(f"startup ({phase}): {collector.count(lambda i: i.startswith(prefix))}/"
                                           f"{backlog} outputs\n{process.tail()}")
                    assigned = log_time(process.log_path, "Partitions assigned")
                    requests = simulator.requests_since(mark)
                    if assigned is None or not requests:
                        raise RuntimeError(f"startup ({phase}): no assignment line or no request\n{process.tail()}")
                    first_call = min(received - entry.get("latencyMs", 0) / 1000.0 for received, entry in requests)
                    samples[phase].append({"assigned_to_first_call_ms": round((first_call - assigned) * 1000, 1),
                                           "process_start_to_assigned_ms": round((assigned - started) * 1000, 1),
                                           "process_start_to_first_call_ms": round((first_call - started) * 1000, 1)})
                    log(f"startup run {k + 1}/{runs} ({phase}): {samples[phase][-1]}")
                finally:
                    # SIGTERM: the drain commits what was acknowledged, which the restart resumes from.
                    process.stop()
        finally:
            collector.close()
            simulator.stop()
    figures: dict[str, Any] = {"implementation": "swift", "runs": runs, "backlog": backlog, "partitions": PARTITIONS,
                               "samples": samples, "settings": {"kafka_extra": extra or {}}}
    for phase, values in samples.items():
        gaps = [s["assigned_to_first_call_ms"] for s in values]
        if gaps:
            figures[f"{phase}_assigned_to_first_call_ms"] = {"median": round(median(gaps), 1), "min": min(gaps),
                                                             "max": max(gaps)}
    return figures


def instructions(brokers: str, simulator: Simulator, workdir: Path, events: int = 2000, max_in_flight: int = 256,
                 extra: dict[str, str] | None = None, top: int = 25) -> dict[str, Any]:
    """CPU work per event as instructions, which a noisy shared machine does not change: the throughput run,
    smaller, with the enricher under `valgrind --tool=callgrind`. Counting is zeroed after the warm-up
    (`callgrind_control -z`) and dumped once every output was read, so the figure is instructions of the
    enricher's own process (all its threads, librdkafka's and libcurl's included) per event; the dump's top
    functions by self cost (read by bench/callgrind_self.py) are the profile."""
    run = uuid.uuid4().hex[:8]
    topics = _topics("ir", run)
    create_topics(brokers, list(topics.values()), PARTITIONS)
    collector = OutputCollector(brokers, topics["output"], PARTITIONS)
    producer = make_producer(brokers, linger_ms=5)
    out = workdir / f"callgrind.{run}.out"
    # Valgrind 3.19 (bookworm) cannot read the DWARF 5 the toolchain writes: profile a copy without debug
    # information (the symbol table, which is all the profile needs, stays).
    binary = workdir / "faceid-enricher-nodebug"
    subprocess.run(["objcopy", "--strip-debug", str(enricher_binary()), str(binary)], check=True, timeout=300)
    wrapper = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", "--dump-instr=no", "--collect-atstart=yes"]
    process: ManagedProcess | None = None
    try:
        process, _ = start_enricher(f"swift-instructions-{run}", workdir, brokers, f"bench-{run}", topics,
                                    simulator.endpoint, rate_limit=100000, max_in_flight=max_in_flight, extra=extra,
                                    wrapper=wrapper, binary=binary)
        warm_up(producer, collector, topics["input"], PARTITIONS, run, process.alive, seconds=600.0)
        subprocess.run(["callgrind_control", "-z", str(process.pid)], check=True, capture_output=True, timeout=120)
        prefix = f"ir-{run}-"
        log(f"instructions: producing {events} events into the enricher under callgrind")
        produce_all(producer, topics["input"], [(f"{prefix}{i}", f"PASS-{uuid.uuid4()}") for i in range(events)])
        if not collector.wait_for(lambda i: i.startswith(prefix), events, 1800, process.alive):
            raise RuntimeError(f"instructions: {collector.count(lambda i: i.startswith(prefix))}/{events} outputs\n"
                               f"{process.tail()}")
        subprocess.run(["callgrind_control", "-d", "measured", str(process.pid)], check=True, capture_output=True,
                       timeout=300)
    finally:
        if process:
            process.stop(grace=120)
        collector.close()
    dumps = sorted(workdir.glob(f"callgrind.{run}.out*"))
    measured = [d for d in dumps if "measured" in d.read_text(errors="replace")[:4000]] or dumps[-1:]
    if not measured:
        raise RuntimeError("instructions: no callgrind dump")
    dump = measured[0]
    by_function, by_object, total = self_costs(dump)
    names = [name for name, _ in by_function.most_common(top)]
    readable = demangle("\n".join(names)).splitlines()
    if len(readable) != len(names):
        readable = names
    return {"implementation": "swift", "events": events, "max_in_flight": max_in_flight,
            "instructions": total, "instructions_per_event": round(total / events) if total else None,
            "per_event_by_object": {Path(k).name.replace("faceid-enricher-nodebug", "faceid-enricher"): round(v / events)
                                    for k, v in by_object.most_common(8)},
            "top_self": [{"function": readable[i][:200], "instructions_per_event": round(by_function[name] / events),
                          "percent": round(by_function[name] / total * 100, 2)} for i, name in enumerate(names)],
            "settings": {"kafka_extra": extra or {}}}


def demangle(text: str) -> str:
    """Swift symbol names made readable (`swift demangle --simplified`, one per line), when the toolchain is on PATH."""
    try:
        return subprocess.run(["swift", "demangle", "--simplified", "--compact"], input=text, capture_output=True,
                              text=True, timeout=30).stdout.rstrip("\n") or text
    except (OSError, subprocess.SubprocessError):
        return text
