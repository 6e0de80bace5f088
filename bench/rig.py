"""The benchmark rig: the processes a benchmark runs (simulator, enricher, Python baseline), the
output collector, input producers and /proc sampling.

Every server binds 127.0.0.1 and is stopped by its own handle (SIGTERM, then SIGKILL by PID);
every wait is bounded by a deadline. Nothing here decides what a figure means: see scenarios.py.
"""

from __future__ import annotations

import glob
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaError, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
BASELINE = HERE / "baseline"
sys.path.insert(0, str(BASELINE))

from harness import free_port, tansu_broker  # noqa: E402  (the baseline's Tansu starter, reused)

SECRET_ID, SECRET_KEY = "AKIDbenchmark", "benchmark-secret-key"
#: Tansu group joins take ~23 s with librdkafka's defaults; these bring them to ~3-4 s (RIG.md).
GROUP_SETTINGS = {"session.timeout.ms": "6000", "heartbeat.interval.ms": "500", "max.poll.interval.ms": "7000"}
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")

__all__ = ["tansu_broker", "free_port"]


def log(message: str) -> None:
    """Progress on stderr, so stdout carries only the figures."""
    print(f"[{datetime.now().strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def enricher_binary() -> Path:
    """The release build of faceid-enricher (FACEID_ENRICHER_BIN overrides)."""
    path = Path(os.environ.get("FACEID_ENRICHER_BIN") or REPO / ".build" / "release" / "faceid-enricher")
    if not path.is_file():
        raise SystemExit(f"bench: {path} not found; build it first: swift build -c release --product faceid-enricher")
    return path


def rdkafka_216_dir(workdir: Path) -> str:
    """A private directory holding librdkafka 2.16 (confluent-kafka's bundled copy) as librdkafka.so.1, which
    Tansu needs. Private on purpose: `.ci/setup` rewrites its copy in place with `cp -f` each time anyone
    sources it, and a running process that has the old file mapped then dies of SIGBUS."""
    target = workdir / "librdkafka-2.16"
    if (target / "librdkafka.so.1").is_file():
        return str(target)
    import confluent_kafka

    libs = sorted(glob.glob(str(Path(confluent_kafka.__file__).parent.parent / "confluent_kafka.libs" / "librdkafka-*.so.1")))
    if not libs:
        raise SystemExit("bench: confluent-kafka's bundled librdkafka (2.16) not found: pip install confluent-kafka")
    target.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(libs[0], target / "librdkafka.so.1")
    return str(target)


def child_pid(name: str) -> int | None:
    """The PID of this process's child whose command name is `name` (the Tansu that harness.py started)."""
    for stat in glob.glob("/proc/[0-9]*/stat"):
        try:
            with open(stat) as f:
                head, tail = f.read().rsplit(")", 1)
        except OSError:
            continue
        if head.split("(", 1)[1] == name and int(tail.split()[1]) == os.getpid():
            return int(stat.split("/")[2])
    return None


def create_topics(brokers: str, topics: list[str], partitions: int) -> None:
    admin = AdminClient({"bootstrap.servers": brokers})
    futures = admin.create_topics([NewTopic(t, num_partitions=partitions, replication_factor=1) for t in topics])
    for future in futures.values():
        future.result(timeout=30)


def input_event(event_id: str, token: str) -> bytes:
    """One input event per CONTRACT.md ("Input event")."""
    occurred = datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return json.dumps({"eventId": event_id, "bizToken": token, "region": "ap-singapore", "occurredAt": occurred}).encode()


class ProcessStats:
    """CPU and memory of one process from /proc: utime+stime, VmRSS, VmHWM."""

    def __init__(self, pid: int) -> None:
        self.pid = pid

    def cpu_seconds(self) -> float:
        with open(f"/proc/{self.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS

    def memory_kib(self) -> dict[str, int]:
        values: dict[str, int] = {}
        with open(f"/proc/{self.pid}/status") as f:
            for line in f:
                if line.startswith(("VmRSS:", "VmHWM:", "RssAnon:", "RssFile:")):
                    values[line.split(":")[0]] = int(line.split()[1])
        return values


class ManagedProcess:
    """A child process with its output in a file, sampled every `interval` s, stopped by PID."""

    def __init__(self, name: str, command: list[str], env: dict[str, str], workdir: Path, interval: float = 0.5) -> None:
        self.name = name
        self.log_path = workdir / f"{name}.log"
        self._log = open(self.log_path, "wb")
        self.process = subprocess.Popen(command, env=env, stdout=self._log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        self.stats = ProcessStats(self.process.pid)
        self.samples: list[tuple[float, int, float]] = []  # (time, VmRSS KiB, CPU s)
        self.split_samples: list[tuple[float, int, int]] = []  # (time, RssAnon KiB, RssFile KiB)
        self.peak_kib = 0
        self._stop = threading.Event()
        self._sampler = threading.Thread(target=self._sample, args=(interval,), daemon=True)
        self._sampler.start()

    @property
    def pid(self) -> int:
        return self.process.pid

    def _sample(self, interval: float) -> None:
        while not self._stop.is_set() and self.process.poll() is None:
            try:
                memory = self.stats.memory_kib()
                now = time.time()
                self.samples.append((now, memory.get("VmRSS", 0), self.stats.cpu_seconds()))
                self.split_samples.append((now, memory.get("RssAnon", 0), memory.get("RssFile", 0)))
                self.peak_kib = max(self.peak_kib, memory.get("VmHWM", 0))
            except (OSError, IndexError, ValueError):
                break
            self._stop.wait(interval)

    def rss_between(self, start: float, end: float) -> list[int]:
        return [rss for t, rss, _ in self.samples if start <= t <= end]

    def alive(self) -> bool:
        return self.process.poll() is None

    def tail(self, lines: int = 15) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def signal_stop(self) -> None:
        """SIGTERM without waiting (a rolling replacement); `stop` later reaps it."""
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGTERM)

    def stop(self, grace: float = 30.0) -> int | None:
        """SIGTERM (the enricher drains and exits 0), SIGKILL by PID after `grace` seconds."""
        self._stop.set()
        if self.process.poll() is None:
            try:
                memory = self.stats.memory_kib()
                self.peak_kib = max(self.peak_kib, memory.get("VmHWM", 0))
            except OSError:
                pass
            os.kill(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                os.kill(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        self._sampler.join(timeout=5)
        self._log.close()
        return self.process.returncode


class Simulator:
    """`faceid-enricher simulate` on a free loopback port; with --log-requests, every request line is
    kept with the time this process read it (the simulator's own `time` has whole seconds)."""

    def __init__(self, workdir: Path, rate_limit: int, latency_ms: int = 0, jitter_ms: int = 0, log_requests: bool = False,
                 video_bytes: int | None = None) -> None:
        command = [str(enricher_binary()), "simulate", "--port", "0", "--host", "127.0.0.1", "--rate-limit", str(rate_limit),
                   "--latency-ms", str(latency_ms), "--jitter-ms", str(jitter_ms), "--secret", f"{SECRET_ID}={SECRET_KEY}", "--seed", "6"]
        if log_requests:
            command.append("--log-requests")
        if video_bytes:
            command += ["--media-video-bytes", str(video_bytes)]
        env = {k: v for k, v in os.environ.items() if not k.startswith("TENCENTCLOUD_")}
        self.settings = {"rate_limit": rate_limit, "latency_ms": latency_ms, "jitter_ms": jitter_ms, "video_bytes": video_bytes}
        self._stderr_path = workdir / "simulator.log"
        self._stderr = open(self._stderr_path, "wb")
        self.process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=self._stderr, stdin=subprocess.DEVNULL)
        self.stats = ProcessStats(self.process.pid)
        self.requests: list[tuple[float, dict[str, Any]]] = []
        self._lock = threading.Lock()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self.port = self._wait_for_port(20.0)
        self.endpoint = f"http://127.0.0.1:{self.port}"

    def _wait_for_port(self, seconds: float) -> int:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            match = re.search(r"listening on http://127\.0\.0\.1:(\d+)/", self._stderr_path.read_text(errors="replace"))
            if match:
                return int(match.group(1))
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"simulator did not start: {self._stderr_path.read_text(errors='replace')[-2000:]}")

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            received = time.time()
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            with self._lock:
                self.requests.append((received, entry))

    def mark(self) -> int:
        with self._lock:
            return len(self.requests)

    def requests_since(self, mark: int) -> list[tuple[float, dict[str, Any]]]:
        with self._lock:
            return list(self.requests[mark:])

    def stop(self) -> None:
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.kill(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        self._reader.join(timeout=5)
        self._stderr.close()


def start_enricher(name: str, workdir: Path, brokers: str, group: str, topics: dict[str, str], endpoint: str,
                   rate_limit: float, max_in_flight: int, extra: dict[str, str] | None = None,
                   run_args: list[str] | None = None, env_extra: dict[str, str] | None = None,
                   log_level: str | None = None, wrapper: list[str] | None = None,
                   binary: Path | None = None) -> tuple[ManagedProcess, int]:
    """`faceid-enricher run` with the contract's flags (plus `run_args`, e.g. `--media-archive URI`, and
    `env_extra`, e.g. the AWS_* keys; under `wrapper`, e.g. valgrind, and from `binary` instead of the release
    build, when given); returns the process and its /metrics port. The log level is `log_level`, else
    `BENCH_LOG_LEVEL`, else warning."""
    http_port = free_port()
    command = (wrapper or []) + [str(binary or enricher_binary()), "run", "--brokers", brokers, "--group", group, "--input-topic", topics["input"],
               "--output-topic", topics["output"], "--dlq-topic", topics["dlq"], "--endpoint", endpoint,
               "--region", "ap-singapore", "--rate-limit", f"{rate_limit:g}", "--max-in-flight", str(max_in_flight),
               "--http-port", str(http_port), "--log-format", "json"] + (run_args or [])
    for key, value in {**GROUP_SETTINGS, **(extra or {})}.items():
        command += ["-X", f"{key}={value}"]
    env = dict(os.environ, TENCENTCLOUD_SECRET_ID=SECRET_ID, TENCENTCLOUD_SECRET_KEY=SECRET_KEY,
               LD_LIBRARY_PATH=rdkafka_216_dir(workdir),
               LOG_LEVEL=log_level or os.environ.get("BENCH_LOG_LEVEL", "warning"), **(env_extra or {}))
    return ManagedProcess(name, command, env, workdir), http_port


def start_baseline(name: str, workdir: Path, brokers: str, group: str, topics: dict[str, str], endpoint: str,
                   rate_limit: float, threads: int, timeout: float) -> ManagedProcess:
    """bench/baseline/consumer.py (confluent-kafka, official SDK, thread pool, token bucket); stopped by SIGTERM.

    Its --expect is out of reach on purpose (with several instances none knows its share), so it
    exits 1 ("stopped before --expect") once the harness has seen every output and stops it."""
    host_port = endpoint.removeprefix("http://")
    command = [sys.executable, str(BASELINE / "consumer.py"), "--brokers", brokers, "--group", group,
               "--input-topic", topics["input"], "--output-topic", topics["output"], "--endpoint", host_port,
               "--rate-limit", f"{rate_limit:g}", "--threads", str(threads), "--expect", str(10**9),
               "--timeout", str(timeout)]
    # Not max.poll.interval.ms: the baseline blocks its poll loop for a whole batch (64 events at a few
    # requests/s take longer than 7 s), so it keeps librdkafka's default of 300 s.
    for key in ("session.timeout.ms", "heartbeat.interval.ms"):
        value = GROUP_SETTINGS[key]
        command += ["-X", f"{key}={value}"]
    env = dict(os.environ, TENCENTCLOUD_SECRET_ID=SECRET_ID, TENCENTCLOUD_SECRET_KEY=SECRET_KEY, PYTHONUNBUFFERED="1")
    return ManagedProcess(name, command, env, workdir)


def log_time(path: Path, message: str) -> float | None:
    """The wall-clock time (Unix seconds) of the first JSON log line in `path` whose message is `message`:
    the enricher's own `timestamp` member (RFC 3339, milliseconds, UTC)."""
    try:
        lines = path.read_text(errors="replace").splitlines()
    except OSError:
        return None
    for line in lines:
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if isinstance(entry, dict) and entry.get("message") == message and "timestamp" in entry:
            return datetime.fromisoformat(entry["timestamp"].replace("Z", "+00:00")).timestamp()
    return None


def metric_lines(port: int, prefix: str) -> list[str]:
    """Lines of an enricher's /metrics that start with `prefix` (empty when it does not answer)."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=2) as response:
            return [line for line in response.read().decode().splitlines() if line.startswith(prefix)]
    except OSError:
        return []


class OutputCollector:
    """Reads an output topic from the beginning of every partition (assigned, no group join) and keeps,
    per CloudEvents/baseline `id`, the record's Kafka timestamp and the time it was read."""

    def __init__(self, brokers: str, topic: str, partitions: int) -> None:
        self.seen: dict[str, tuple[float, float]] = {}
        self.duplicates = 0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._consumer = Consumer({"bootstrap.servers": brokers, "group.id": f"bench-reader-{uuid.uuid4().hex[:8]}",
                                   "enable.auto.commit": False, "fetch.wait.max.ms": 10, "enable.partition.eof": False})
        self._consumer.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in range(partitions)])
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            for message in self._consumer.consume(num_messages=1000, timeout=0.1):
                if message.error():
                    if message.error().code() != KafkaError._PARTITION_EOF:
                        log(f"output reader: {message.error()}")
                    continue
                read = time.time()
                try:
                    event_id = json.loads(message.value())["id"]
                except (ValueError, KeyError, TypeError):
                    continue
                with self._lock:
                    if event_id in self.seen:
                        self.duplicates += 1
                    else:
                        self.seen[event_id] = (message.timestamp()[1] / 1000.0, read)

    def count(self, predicate: Callable[[str], bool]) -> int:
        with self._lock:
            return sum(1 for event_id in self.seen if predicate(event_id))

    def wait_for(self, predicate: Callable[[str], bool], expected: int, seconds: float,
                 alive: Callable[[], bool] = lambda: True) -> bool:
        """Waits (at most `seconds`) until `expected` ids matching `predicate` were read."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.count(predicate) >= expected:
                return True
            if not alive():
                return False
            time.sleep(0.05)
        return self.count(predicate) >= expected

    def snapshot(self) -> dict[str, tuple[float, float]]:
        with self._lock:
            return dict(self.seen)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)
        self._consumer.close()


def make_producer(brokers: str, linger_ms: int) -> Producer:
    return Producer({"bootstrap.servers": brokers, "acks": "all", "enable.idempotence": True, "linger.ms": linger_ms,
                     "queue.buffering.max.messages": 200000})


def produce_all(producer: Producer, topic: str, events: list[tuple[str, str]], partition: int | None = None) -> float:
    """Produces (eventId, bizToken) pairs as fast as the client takes them; returns when the first was produced."""
    first = time.time()
    for event_id, token in events:
        while True:
            try:
                if partition is None:
                    producer.produce(topic, key=token, value=input_event(event_id, token))
                else:
                    producer.produce(topic, key=token, value=input_event(event_id, token), partition=partition)
                break
            except BufferError:
                producer.poll(0.05)
        producer.poll(0)
    if producer.flush(120) != 0:
        raise RuntimeError("input events not acknowledged within 120 s")
    return first


def warm_up(producer: Producer, collector: OutputCollector, topic: str, partitions: int, run: str,
            alive: Callable[[], bool], seconds: float = 120.0) -> None:
    """One event per input partition, waited for at the output: the group has joined, every partition is
    assigned and the API connections are open before anything is measured."""
    prefix = f"warm-{run}-"
    for p in range(partitions):
        produce_all(producer, topic, [(f"{prefix}{p}", f"PASS-{uuid.uuid4()}")], partition=p)
    if not collector.wait_for(lambda i: i.startswith(prefix), partitions, seconds, alive):
        raise RuntimeError(f"warm-up outputs not seen within {seconds:.0f} s")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, max(0, int(round(q * (len(ordered) - 1)))))]


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    with open("/proc/meminfo") as f:
        total_kib = int(f.readline().split()[1])
    model = ""
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    commit = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    binary = os.environ.get("FACEID_ENRICHER_BIN") or str(REPO / ".build" / "release" / "faceid-enricher")
    return {"cores": os.cpu_count(), "memory_gib": round(total_kib / 1024 / 1024, 1), "cpu": model,
            "load_average_at_start": os.getloadavg(), "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "commit": commit, "enricher_binary": binary, "python": sys.version.split()[0]}


def new_workdir() -> Path:
    return Path(tempfile.mkdtemp(prefix="faceid-bench-"))


class MotoS3:
    """A real S3-compatible server for the media benchmarks: moto (`python3 -m moto.server`) on a free
    loopback port, with a writer key and a bucket made by the tests' rig (s3_rig.py) and SigV4
    verification on; stopped by PID."""

    def __init__(self, workdir: Path, bucket: str) -> None:
        sys.path.insert(0, str(REPO / "Sources" / "TestSupport" / "S3"))
        import s3_rig  # noqa: PLC0415 - the tests' own rig, found next to MotoServer.swift

        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.bucket = bucket
        self._log = open(workdir / "moto.log", "wb")
        self.process = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
                                        stdout=self._log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(self.endpoint + "/moto-api/data.json", timeout=2).read()
                break
            except OSError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    self.stop()
                    raise RuntimeError("moto did not start (pip install 'moto[server]')")
                time.sleep(0.1)
        self.writer = s3_rig.setup(self.endpoint, [bucket])["writer"]
        self.stats = ProcessStats(self.process.pid)

    def environment(self) -> dict[str, str]:
        return {"AWS_ACCESS_KEY_ID": self.writer["id"], "AWS_SECRET_ACCESS_KEY": self.writer["secret"],
                "AWS_REGION": "us-east-1"}

    def stop(self) -> None:
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.kill(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        self._log.close()
