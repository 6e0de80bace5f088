#!/usr/bin/env python3
"""Baseline for issue 6: the FaceID enricher written the way a typical Python user would.

A confluent-kafka consumer and producer, the official Tencent Cloud SDK's FaceidClient,
a ThreadPoolExecutor and a token bucket. Reads input events (the contract's input format),
calls GetWebVerificationResult (or ...Intl) for each bizToken, publishes a simple enriched
JSON event to the output topic, and commits after the outputs are acknowledged, batch by
batch (at least once). Compare it with `faceid-enricher run` on the same topics and the
same simulator:

    TENCENTCLOUD_SECRET_ID=... TENCENTCLOUD_SECRET_KEY=... python3 bench/baseline/consumer.py \
        --brokers 127.0.0.1:9092 --group bench-py --input-topic in --output-topic out \
        --endpoint 127.0.0.1:9000 --rate-limit 20 --threads 16 --expect 1000

It exits after --expect outputs were acknowledged and prints one JSON line of statistics
(events/s, API requests and their outcomes, latency). Exit 0 when all expected outputs were
published, 1 on timeout, 2 on a usage or configuration error.

The SDK release on PyPI for the mainland API has no typed method for GetWebVerificationResult
(it lives in the international SDK), so the call goes through the SDK's generic call_json,
which signs with TC3-HMAC-SHA256 exactly like the typed methods.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from typing import Any

from confluent_kafka import Consumer, KafkaError, KafkaException, Producer
from tencentcloud.common import credential
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile
from tencentcloud.faceid.v20180301.faceid_client import FaceidClient

REGIONS = ("ap-jakarta", "ap-singapore")
#: Error codes worth another try; everything else is final for this baseline.
TRANSIENT_PREFIXES = ("RequestLimitExceeded", "InternalError", "ServiceUnavailable", "ClientNetworkError", "ServerNetworkError")
TRANSIENT_CODES = {"ResourceUnavailable"}


class TokenBucket:
    """A classic token bucket shared by the worker threads: `rate` tokens a second, at most `burst` saved."""

    def __init__(self, rate: float, burst: int) -> None:
        self.rate = rate
        self.capacity = max(1, burst)
        self.tokens = float(self.capacity)
        self.updated = time.monotonic()
        self.lock = threading.Lock()

    def acquire(self) -> None:
        while True:
            with self.lock:
                now = time.monotonic()
                self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
                self.updated = now
                if self.tokens >= 1:
                    self.tokens -= 1
                    return
                wait = (1 - self.tokens) / self.rate
            time.sleep(wait)


class Stats:
    """Counters the worker threads and the delivery callback update."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.requests = 0
        self.retries = 0
        self.codes: Counter[str] = Counter()
        self.statuses: Counter[str] = Counter()
        self.latencies: list[float] = []
        self.delivered = 0
        self.delivery_errors = 0
        self.first_consumed: float | None = None

    def call(self, code: str, seconds: float) -> None:
        with self.lock:
            self.requests += 1
            self.codes[code] += 1
            self.latencies.append(seconds)

    def summary(self, started: float, args: argparse.Namespace) -> dict[str, Any]:
        now = time.monotonic()
        elapsed = now - (self.first_consumed or started)
        ordered = sorted(self.latencies)
        pct = lambda q: round(ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000, 2) if ordered else None
        return {
            "implementation": "python-baseline",
            "events": self.delivered,
            "expected": args.expect,
            "elapsed_s": round(elapsed, 3),
            "wall_s": round(now - started, 3),
            "events_per_s": round(self.delivered / elapsed, 2) if elapsed > 0 else None,
            "requests": self.requests,
            "requests_per_s": round(self.requests / elapsed, 2) if elapsed > 0 else None,
            "retries": self.retries,
            "rate_limited": sum(n for c, n in self.codes.items() if c.startswith("RequestLimitExceeded")),
            "codes": dict(self.codes),
            "statuses": dict(self.statuses),
            "delivery_errors": self.delivery_errors,
            "api_latency_ms": {"p50": pct(0.50), "p95": pct(0.95), "p99": pct(0.99), "max": pct(1.0)},
            "threads": args.threads,
            "rate_limit": args.rate_limit,
            "librdkafka": __import__("confluent_kafka").libversion()[0],
        }


def make_client_factory(args: argparse.Namespace):
    """One FaceidClient per thread and region: the SDK keeps an HTTP session per client."""
    secret_id, secret_key = os.environ.get("TENCENTCLOUD_SECRET_ID"), os.environ.get("TENCENTCLOUD_SECRET_KEY")
    if not secret_id or not secret_key:
        raise ValueError("set TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY")
    cred = credential.Credential(secret_id, secret_key, os.environ.get("TENCENTCLOUD_SESSION_TOKEN") or None)
    endpoint = args.endpoint
    scheme = "https"
    if "://" in endpoint:
        scheme, endpoint = endpoint.split("://", 1)
    elif endpoint.startswith(("127.", "localhost", "[::1]")):
        scheme = "http"
    endpoint = endpoint.rstrip("/")
    local = threading.local()

    def client(region: str) -> FaceidClient:
        clients = getattr(local, "clients", None)
        if clients is None:
            clients = local.clients = {}
        if region not in clients:
            http = HttpProfile(protocol=scheme, endpoint=endpoint, reqTimeout=args.request_timeout, keepAlive=True)
            clients[region] = FaceidClient(cred, region, ClientProfile(httpProfile=http))
        return clients[region]

    return client


def is_transient(code: str) -> bool:
    return code in TRANSIENT_CODES or code.startswith(TRANSIENT_PREFIXES)


def status_of(result: dict[str, Any] | None, error: dict[str, Any] | None) -> str:
    if error is not None:
        code = error["code"]
        if code == "InvalidParameterValue.BizTokenExpired":
            return "expired"
        if code == "InvalidParameter" or code.startswith("InvalidParameterValue"):
            return "invalid_token"
        return "error"
    code = (result or {}).get("ErrorCode")
    return "incomplete" if code is None else "passed" if code == 0 else "failed"


def enrich(message: Any, client, bucket: TokenBucket, stats: Stats, args: argparse.Namespace) -> tuple[bytes | None, bytes]:
    """Worker: one input record in, (key, output value) out. Retries transient errors and pending results."""
    try:
        event = json.loads(message.value())
        event_id, token = event["eventId"], event["bizToken"]
        region = event.get("region") or args.region
        if not isinstance(event_id, str) or not isinstance(token, str) or region not in REGIONS:
            raise ValueError("bad field")
    except (ValueError, KeyError, TypeError):
        with stats.lock:
            stats.statuses["malformed"] += 1
        value = {"status": "malformed", "source": {"topic": message.topic(), "partition": message.partition(), "offset": message.offset()}}
        return message.key(), json.dumps(value).encode()

    result, error, attempts = None, None, 0
    for attempt in range(args.max_attempts):
        if attempt:
            with stats.lock:
                stats.retries += 1
            time.sleep(min(args.backoff * 2 ** (attempt - 1), 5.0))
        bucket.acquire()
        attempts += 1
        started = time.monotonic()
        try:
            response = client(region).call_json(args.action, {"BizToken": token})
            result, error = response["Response"], None
            stats.call("Success", time.monotonic() - started)
            if result.get("ErrorCode") is None:
                continue  # verification not finished yet: ask again
            break
        except TencentCloudSDKException as exc:
            code = exc.get_code() or "ClientError"
            stats.call(code, time.monotonic() - started)
            result, error = None, {"code": code, "message": exc.get_message(), "requestId": exc.get_request_id()}
            if not is_transient(code):
                break

    fetched = datetime.now(timezone.utc)
    has_media = bool(result and (result.get("VideoUrl") or result.get("VideoBestFrameUrl")))
    status = status_of(result, error)
    with stats.lock:
        stats.statuses[status] += 1
    output = {
        "id": event_id,
        "bizToken": token,
        "region": region,
        "status": status,
        "result": result,
        "error": error,
        "attempts": attempts,
        "fetchedAt": fetched.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "mediaExpiresAt": (fetched + timedelta(minutes=10)).isoformat(timespec="milliseconds").replace("+00:00", "Z") if has_media else None,
        "source": {"topic": message.topic(), "partition": message.partition(), "offset": message.offset()},
    }
    if "metadata" in event:
        output["metadata"] = event["metadata"]
    return message.key(), json.dumps(output, ensure_ascii=False).encode()


def run(args: argparse.Namespace) -> int:
    stats = Stats()
    started = time.monotonic()
    try:
        client = make_client_factory(args)
    except ValueError as error:
        print(f"consumer.py: {error}", file=sys.stderr)
        return 2
    bucket = TokenBucket(args.rate_limit, args.burst)
    kafka_extra = dict(kv.split("=", 1) for kv in args.X)
    consumer = Consumer({
        "bootstrap.servers": args.brokers,
        "group.id": args.group,
        "enable.auto.commit": False,
        "auto.offset.reset": "earliest",
        **kafka_extra,
    })
    producer = Producer({
        "bootstrap.servers": args.brokers,
        "acks": "all",
        "enable.idempotence": True,
        "linger.ms": 5,
        **kafka_extra,
    })
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    signal.signal(signal.SIGINT, lambda *_: stopping.set())

    def delivered(err: KafkaError | None, _msg: Any) -> None:
        with stats.lock:
            if err is None:
                stats.delivered += 1
            else:
                stats.delivery_errors += 1

    consumer.subscribe([args.input_topic])
    deadline = started + args.timeout
    try:
        with ThreadPoolExecutor(max_workers=args.threads) as pool:
            while not stopping.is_set() and stats.delivered < args.expect and time.monotonic() < deadline:
                batch = consumer.consume(num_messages=args.batch, timeout=0.5)
                records = []
                for message in batch:
                    if message.error():
                        if message.error().code() != KafkaError._PARTITION_EOF:
                            raise KafkaException(message.error())
                        continue
                    records.append(message)
                if not records:
                    continue
                if stats.first_consumed is None:
                    stats.first_consumed = time.monotonic()
                for key, value in pool.map(lambda m: enrich(m, client, bucket, stats, args), records):
                    while True:
                        try:
                            producer.produce(args.output_topic, value=value, key=key, on_delivery=delivered)
                            break
                        except BufferError:
                            producer.poll(0.1)
                    producer.poll(0)
                # At least once: commit the batch only once every output of it is acknowledged.
                remaining = producer.flush(max(1.0, deadline - time.monotonic()))
                if remaining == 0 and stats.delivery_errors == 0:
                    consumer.commit(asynchronous=False)
    finally:
        consumer.close()
        producer.flush(5)
    print(json.dumps(stats.summary(started, args)), flush=True)
    return 0 if stats.delivered >= args.expect else 1


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--brokers", default="localhost:9092")
    parser.add_argument("--group", default="faceid-enricher-python-baseline")
    parser.add_argument("--input-topic", default="faceid.verification.completed")
    parser.add_argument("--output-topic", default="faceid.verification.result")
    parser.add_argument("--endpoint", required=True, help="host:port of the API (http for 127.x/localhost), or a URL")
    parser.add_argument("--region", default="ap-singapore", choices=REGIONS)
    parser.add_argument("--action", default="GetWebVerificationResult", choices=("GetWebVerificationResult", "GetWebVerificationResultIntl"))
    parser.add_argument("--rate-limit", type=float, default=20.0, help="requests per second (token bucket rate)")
    parser.add_argument("--burst", type=int, default=1, help="token bucket capacity")
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--batch", type=int, default=0, help="records per poll (default: 4 x threads)")
    parser.add_argument("--expect", type=int, required=True, help="exit after this many outputs are acknowledged")
    parser.add_argument("--max-attempts", type=int, default=8, help="API calls per event at most")
    parser.add_argument("--backoff", type=float, default=0.2, help="first retry delay in seconds, doubled per retry")
    parser.add_argument("--request-timeout", type=int, default=10, help="seconds")
    parser.add_argument("--timeout", type=float, default=900.0, help="give up after this many seconds")
    parser.add_argument("-X", action="append", default=[], metavar="KEY=VALUE", help="librdkafka property for both clients")
    args = parser.parse_args(argv)
    if args.rate_limit <= 0 or args.threads < 1 or args.expect < 1 or any("=" not in kv for kv in args.X):
        parser.error("--rate-limit, --threads and --expect must be positive; -X takes key=value")
    args.batch = args.batch or 4 * args.threads
    return args


if __name__ == "__main__":
    sys.exit(run(parse_args(sys.argv[1:])))
