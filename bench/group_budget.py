"""The group-budget benchmarks of issue 9: does a consumer group *use* the API's whole budget, under
skew and churn, without ever going over it?

Three instances on six input partitions of a real broker (Tansu), a simulator enforcing 20 requests/s,
a backlog produced before the group starts:

- even   the backlog spread over all six partitions;
- skew   70 % of it on two partitions (one member's, with the range assignor), the rest on the other four;
- churn  the even backlog, with one instance replaced (SIGTERM to the oldest, a new one started) every 6 s.

Each run prints and returns: budget used over the drain (accepted API requests ÷ (budget × drain time),
drain = first API request → last output's Kafka timestamp), the same for distinct events (useful work),
RequestLimitExceeded answers, the busiest wall-clock second as the simulator counted it, the busiest
sliding second, and the drain time against the ideal (events ÷ budget).

The Swift service runs with its defaults (every instance gets the group budget and shares it through its
coordination topic). The plain Python consumer has no group coordination, so each of its instances gets
an equal static split of the budget, as its users would configure it.
"""

from __future__ import annotations

import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

from rig import ManagedProcess, OutputCollector, Simulator, create_topics, log, make_producer, produce_all
from scenarios import PARTITIONS, _start, _stop_all, _topics

SCENARIOS = ("even", "skew", "churn")


def _backlog(scenario: str, run: str, events: int) -> list[tuple[list[tuple[str, str]], int | None]]:
    """(events, partition) batches: by key for an even spread, on chosen partitions for the skew."""
    prefix = f"gb-{run}-"
    batch = [(f"{prefix}{i}", f"PASS-{uuid.uuid4()}") for i in range(events)]
    if scenario != "skew":
        # Round-robin over the partitions: exactly even, so the only skew is the one asked for.
        return [([e for i, e in enumerate(batch) if i % PARTITIONS == p], p) for p in range(PARTITIONS)]
    heavy = int(events * 0.7)
    hot, cold = batch[:heavy], batch[heavy:]
    batches: list[tuple[list[tuple[str, str]], int | None]] = [(hot[0::2], 0), (hot[1::2], 1)]
    batches += [(cold[k::4], 2 + k) for k in range(4)]
    return batches


def drain_figures(requests: list[tuple[float, dict[str, Any]]], outputs: list[float], events: int,
                  budget: float) -> dict[str, Any]:
    """What the simulator saw, over the drain: from the first request to the last output."""
    arrivals = sorted(received - entry.get("latencyMs", 0) / 1000.0 for received, entry in requests)
    limited = sum(1 for _, entry in requests if str(entry.get("outcome", "")).startswith("RequestLimitExceeded"))
    accepted = len(arrivals) - limited
    first, last = arrivals[0], max(outputs)
    drain = max(1e-9, last - first)
    per_second = Counter(entry.get("time") for _, entry in requests)
    sliding, j = 0, 0
    for i in range(len(arrivals)):
        while arrivals[i] - arrivals[j] >= 1.0:
            j += 1
        sliding = max(sliding, i - j + 1)
    return {
        "events": events,
        "requests": len(arrivals),
        "requests_accepted": accepted,
        "request_limit_exceeded": limited,
        "drain_s": round(drain, 1),
        "ideal_drain_s": round(events / budget, 1),
        "budget_used": round(accepted / (budget * drain), 3),
        "useful_budget_used": round(events / (budget * drain), 3),
        "busiest_wall_clock_second": max(per_second.values()),
        "busiest_sliding_1s_window": sliding,
    }


def group_run(impl: str, scenario: str, brokers: str, workdir: Path, events: int = 1200, instances: int = 3,
              budget: float = 20.0, churn_every: float = 6.0, threads: int = 16,
              extra: dict[str, str] | None = None) -> dict[str, Any]:
    """One scenario for one implementation, on fresh topics, a fresh group and a fresh simulator."""
    run = uuid.uuid4().hex[:8]
    topics = _topics(f"gb{scenario[:2]}", run)
    create_topics(brokers, list(topics.values()), PARTITIONS)
    simulator = Simulator(workdir, rate_limit=int(budget), log_requests=True)
    collector = OutputCollector(brokers, topics["output"], PARTITIONS)
    producer = make_producer(brokers, linger_ms=5)
    for batch, partition in _backlog(scenario, run, events):
        produce_all(producer, topics["input"], batch, partition=partition)
    per_instance = budget if impl == "swift" else budget / instances
    timeout = events / budget * 4 + 120
    prefix = f"gb-{run}-"
    processes: list[ManagedProcess] = []
    retired: list[ManagedProcess] = []
    started_count = 0
    exited_by_themselves = 0

    def start() -> None:
        nonlocal started_count
        processes.append(_start(impl, f"{impl}-{scenario}-{run}-{started_count}", workdir, brokers, run, topics,
                                simulator.endpoint, rate_limit=per_instance, max_in_flight=64, threads=threads,
                                timeout=timeout, extra=extra))
        started_count += 1

    try:
        log(f"{impl} {scenario}: {instances} instances, backlog {events}")
        began = time.monotonic()
        for _ in range(instances):
            start()
        next_churn = began + churn_every
        while collector.count(lambda i: i.startswith(prefix)) < events:
            now = time.monotonic()
            if now - began > timeout:
                raise RuntimeError(f"{impl} {scenario}: {collector.count(lambda i: i.startswith(prefix))}/{events} "
                                   f"outputs after {timeout:.0f} s\n" + "\n".join(p.tail(5) for p in processes))
            if scenario == "churn" and now >= next_churn:
                oldest = processes.pop(0)
                oldest.signal_stop()
                retired.append(oldest)
                start()
                next_churn += churn_every
            # An instance that exits by itself is replaced, as its supervisor would; it is counted.
            for dead in [p for p in processes if not p.alive()]:
                log(f"{impl} {scenario}: {dead.name} exited by itself; replacing it\n{dead.tail(5)}")
                processes.remove(dead)
                retired.append(dead)
                exited_by_themselves += 1
                if exited_by_themselves > 20:
                    raise RuntimeError(f"{impl} {scenario}: more than 20 instances exited by themselves")
                start()
            time.sleep(0.05)
        finished = time.monotonic()
    finally:
        codes = _stop_all(processes + retired)
        collector.close()
        simulator.stop()
    outputs = [ts for key, (ts, _) in collector.snapshot().items() if key.startswith(prefix)]
    figures = {"implementation": impl, "scenario": scenario, "instances": instances, "partitions": PARTITIONS,
               "budget_per_s": budget, "per_instance_rate_limit": round(per_instance, 3),
               "instances_started": started_count, "instances_exited_by_themselves": exited_by_themselves,
               "duplicates": collector.duplicates,
               "wall_s": round(finished - began, 1), "exit_codes": codes,
               "settings": {"kafka_extra": extra or {}} if impl == "swift" else {"threads": threads}}
    figures.update(drain_figures(simulator.requests_since(0), outputs, events, budget))
    return figures


def summary_line(key: str, r: dict[str, Any]) -> str:
    return (f"group [{key}]: budget used {r['budget_used']:.2f} (useful {r['useful_budget_used']:.2f}), "
            f"drain {r['drain_s']} s (ideal {r['ideal_drain_s']} s), RequestLimitExceeded {r['request_limit_exceeded']}, "
            f"busiest wall-clock second {r['busiest_wall_clock_second']} (sliding {r['busiest_sliding_1s_window']}), "
            f"{r['requests']} requests for {r['events']} events, {r['instances_started']} instances started "
            f"({r.get('instances_exited_by_themselves', 0)} after exiting by themselves), {r['duplicates']} duplicate outputs")
