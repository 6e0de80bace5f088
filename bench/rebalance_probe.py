"""How much of the time a consumer group holds its partitions while members are replaced: the ceiling
of any consumer's budget use under churn, whatever it does with its records.

Plain confluent-kafka consumers that only poll (no processing, no API calls) join one group on the
broker under test; every `period` seconds the oldest closes and a new one starts, as in the churn
benchmark. The probe records every assignment and revocation and reports the share of the time every
partition had an owner, and the share of the time at least one had.
"""

from __future__ import annotations

import threading
import time
import uuid
from typing import Any

from confluent_kafka import Consumer

from rig import GROUP_SETTINGS, create_topics, log


def probe(brokers: str, partitions: int = 6, members: int = 3, period: float = 6.0, duration: float = 60.0,
          strategy: str = "range,roundrobin") -> dict[str, Any]:
    topic = f"probe-{uuid.uuid4().hex[:8]}"
    group = f"probe-{uuid.uuid4().hex[:8]}"
    create_topics(brokers, [topic], partitions)
    owned: dict[str, set[int]] = {}
    changes: list[tuple[float, int, int]] = []  # (time, partitions owned by anyone, distinct owners)
    lock = threading.Lock()
    stops: dict[str, threading.Event] = {}
    threads: dict[str, threading.Thread] = {}

    def record() -> None:
        union = set().union(*owned.values()) if owned else set()
        changes.append((time.monotonic(), len(union), sum(1 for v in owned.values() if v)))

    def member(name: str, stop: threading.Event) -> None:
        consumer = Consumer({"bootstrap.servers": brokers, "group.id": group, "enable.auto.commit": False,
                             "partition.assignment.strategy": strategy, **GROUP_SETTINGS})

        def on_assign(_: Any, parts: list[Any]) -> None:
            with lock:
                owned.setdefault(name, set()).update(p.partition for p in parts)
                record()

        def on_revoke(_: Any, parts: list[Any]) -> None:
            with lock:
                owned.setdefault(name, set()).difference_update(p.partition for p in parts)
                record()

        consumer.subscribe([topic], on_assign=on_assign, on_revoke=on_revoke)
        while not stop.is_set():
            consumer.poll(0.1)
        consumer.close()
        with lock:
            owned.pop(name, None)
            record()

    def start(name: str) -> None:
        stops[name] = threading.Event()
        threads[name] = threading.Thread(target=member, args=(name, stops[name]), daemon=True)
        threads[name].start()

    order = [f"m{k}" for k in range(members)]
    for name in order:
        start(name)
    began = time.monotonic()
    next_change, k = began + period, members
    while time.monotonic() - began < duration:
        if time.monotonic() >= next_change:
            oldest = order.pop(0)
            stops[oldest].set()
            name = f"m{k}"
            k += 1
            order.append(name)
            start(name)
            next_change += period
        time.sleep(0.02)
    end = time.monotonic()
    for stop in stops.values():
        stop.set()
    for thread in threads.values():
        thread.join(timeout=30)
    # Time-weighted shares over [first full assignment, end].
    with lock:
        timeline = sorted(changes)
    start_at = next((t for t, union, _ in timeline if union == partitions), end)
    full = anything = 0.0
    state = (0, 0)
    last = start_at
    for t, union, owners in timeline:
        if t <= start_at:
            state = (union, owners)
            continue
        if t > end:
            break
        full += (t - last) if state[0] == partitions else 0
        anything += (t - last) if state[0] > 0 else 0
        last, state = t, (union, owners)
    full += (end - last) if state[0] == partitions else 0
    anything += (end - last) if state[0] > 0 else 0
    span = max(1e-9, end - start_at)
    result = {"strategy": strategy, "period_s": period, "duration_s": round(span, 1),
              "all_partitions_owned_share": round(full / span, 3), "any_partition_owned_share": round(anything / span, 3),
              "replacements": k - members}
    log(f"rebalance probe: {result}")
    return result
