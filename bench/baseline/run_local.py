#!/usr/bin/env python3
"""Runs the Python baseline once on fresh topics and prints its statistics line.

By default it starts everything it needs on loopback: Tansu (in-memory) and the FaceID
stand-in of harness.py. Point it at the project's simulator to compare with the Swift service
under the same conditions:

    faceid-enricher simulate --port 9000 &          # with TENCENTCLOUD_SECRET_ID/KEY set
    python3 bench/baseline/run_local.py --events 1000 --endpoint 127.0.0.1:9000

--brokers uses an existing broker instead of starting Tansu. Events carry PASS-<n> tokens
(--mix adds FAIL, PEND2, EXPD and ILLG tokens, one in ten). The consumer's JSON line is printed
as is, with "events_produced" and "brokers" added. Exit status is the consumer's.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import uuid
from contextlib import ExitStack
from pathlib import Path

from confluent_kafka import Producer

from harness import SECRET_ID, SECRET_KEY, create_topics, fake_faceid, tansu_broker

HERE = Path(__file__).resolve().parent
MIX = ("FAIL1001", "PEND2", "EXPD", "ILLG")


def produce_events(brokers: str, topic: str, suffix: str, args: argparse.Namespace) -> bool:
    """Produces the input events; the producer is gone when this returns (before the broker stops)."""
    producer = Producer({"bootstrap.servers": brokers, "acks": "all", "enable.idempotence": True, "linger.ms": 5})
    for i in range(args.events):
        kind = MIX[(i // 10) % len(MIX)] if args.mix and i % 10 == 9 else "PASS"
        token = f"{kind}-{suffix}-{i}"
        producer.produce(topic, key=token, value=json.dumps({"eventId": f"{suffix}-{i}", "bizToken": token}))
        producer.poll(0)
    return producer.flush(60) == 0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=500)
    parser.add_argument("--rate-limit", type=float, default=20.0)
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--partitions", type=int, default=6)
    parser.add_argument("--endpoint", help="an existing FaceID endpoint (default: start the stand-in)")
    parser.add_argument("--brokers", help="an existing broker (default: start Tansu)")
    parser.add_argument("--mix", action="store_true", help="one event in ten gets a non-PASS token")
    parser.add_argument("--timeout", type=float, default=900.0)
    args = parser.parse_args(argv)
    if args.events < 1:
        parser.error("--events must be positive")

    with ExitStack() as stack:
        brokers = args.brokers or stack.enter_context(tansu_broker())
        endpoint = args.endpoint or stack.enter_context(fake_faceid())
        suffix = uuid.uuid4().hex[:8]
        input_topic, output_topic = f"bench-in-{suffix}", f"bench-out-{suffix}"
        create_topics(brokers, input_topic, output_topic, partitions=args.partitions)

        if not produce_events(brokers, input_topic, suffix, args):
            print("run_local.py: could not produce the input events within 60 s", file=sys.stderr)
            return 1

        environment = dict(os.environ)
        if not args.endpoint:
            environment.update(TENCENTCLOUD_SECRET_ID=SECRET_ID, TENCENTCLOUD_SECRET_KEY=SECRET_KEY)
        command = [
            sys.executable, str(HERE / "consumer.py"), "--brokers", brokers, "--group", f"bench-{suffix}",
            "--input-topic", input_topic, "--output-topic", output_topic, "--endpoint", endpoint,
            "--rate-limit", str(args.rate_limit), "--threads", str(args.threads), "--expect", str(args.events),
            "--timeout", str(args.timeout),
        ]
        completed = subprocess.run(command, env=environment, capture_output=True, text=True, timeout=args.timeout + 60)
        if completed.returncode != 0 or not completed.stdout.strip():
            sys.stderr.write(completed.stderr[-4000:])
        lines = completed.stdout.strip().splitlines()
        if lines:
            stats = json.loads(lines[-1])
            stats.update(events_produced=args.events, brokers="tansu" if not args.brokers else args.brokers)
            print(json.dumps(stats))
        return completed.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
