"""The media archive's benchmarks (issue 10): end-to-end latency with `--media-archive` on (a directory,
and S3 on a moto server) next to the same run with it off, and the enricher's memory while it archives
5 MiB videos at the default `--media-concurrency`. Every process started here is stopped here.
"""

from __future__ import annotations

import re
import shutil
import time
import traceback
import uuid
from pathlib import Path
from typing import Any

import scenarios
from rig import (ManagedProcess, MotoS3, OutputCollector, ProcessStats, Simulator, create_topics, log, make_producer, median,
                 metric_lines, produce_all, start_enricher, warm_up)

PARTITIONS = scenarios.PARTITIONS


def latency(brokers: str, workdir: Path, rate: float, duration: float) -> dict[str, Any]:
    """The latency scenario (rate events/s for duration s, API 200 ± 50 ms, the simulator's small media)
    three times: archiving off, into a directory, into S3 (moto)."""
    def attempt(label: str, run: Any) -> dict[str, Any]:
        try:
            return run()
        except Exception as error:  # noqa: BLE001 - recorded in the figures and the exit status, the others still run
            log(f"media latency {label} failed: {error}")
            traceback.print_exc()
            return {"error": str(error)[:2000]}

    def into_directory() -> dict[str, Any]:
        archive = workdir / f"archive-{uuid.uuid4().hex[:8]}"
        archive.mkdir()
        try:
            figures = scenarios.latency("swift", brokers, workdir, rate=rate, duration=duration,
                                        run_args=["--media-archive", f"file://{archive}"])
            figures["objects_stored"] = sum(1 for p in archive.rglob("*")
                                            if p.is_file() and ".faceid-enricher-staging" not in p.parts)
            return figures
        finally:
            shutil.rmtree(archive, ignore_errors=True)

    def into_s3() -> dict[str, Any]:
        moto = MotoS3(workdir, f"bench-{uuid.uuid4().hex[:8]}")
        try:
            cpu_before = moto.stats.cpu_seconds()
            figures = scenarios.latency("swift", brokers, workdir, rate=rate, duration=duration,
                                        run_args=["--media-archive", f"s3://{moto.bucket}/faceid", "--s3-endpoint", moto.endpoint],
                                        env_extra=moto.environment())
            figures["moto_cpu_s"] = round(moto.stats.cpu_seconds() - cpu_before, 2)
            return figures
        finally:
            moto.stop()

    return {
        "off": attempt("off", lambda: scenarios.latency("swift", brokers, workdir, rate=rate, duration=duration)),
        "file": attempt("file", into_directory),
        "s3": attempt("s3", into_s3),
    }


def _metric(lines: list[str], name: str, labels: str = "") -> float:
    total = 0.0
    for line in lines:
        match = re.match(rf"{re.escape(name)}(\{{[^}}]*\}})?\s+(\S+)$", line)
        if match and labels in (match.group(1) or ""):
            total += float(match.group(2))
    return total


def memory(brokers: str, workdir: Path, events: int, video_bytes: int, concurrency: int | None, archive_on: bool) -> dict[str, Any]:
    """A backlog of `events` results whose videos are `video_bytes` each, against an unlimited simulator and a
    rate limit high enough that archiving (not the API budget) is the bottleneck, so all the archive slots stay
    busy: peak and steady RSS, archives/s, MiB/s, and the average number of archives in flight (the archive
    latency histogram's sum over the wall time, Little's law). With `archive_on` False, the same run without
    `--media-archive`, for comparison."""
    run = uuid.uuid4().hex[:8]
    topics = {"input": f"mm-in-{run}", "output": f"mm-out-{run}", "dlq": f"mm-dlq-{run}"}
    create_topics(brokers, list(topics.values()), PARTITIONS)
    simulator = Simulator(workdir, rate_limit=0, video_bytes=video_bytes)
    collector = OutputCollector(brokers, topics["output"], PARTITIONS)
    producer = make_producer(brokers, linger_ms=5)
    archive = workdir / f"archive-{run}"
    archive.mkdir()
    run_args: list[str] = []
    if archive_on:
        run_args = ["--media-archive", f"file://{archive}"]
        if concurrency:
            run_args += ["--media-concurrency", str(concurrency)]
    process: ManagedProcess | None = None
    try:
        process, http_port = start_enricher(f"swift-media-memory-{run}", workdir, brokers, f"bench-{run}", topics,
                                            simulator.endpoint, rate_limit=1000, max_in_flight=64, run_args=run_args)
        warm_up(producer, collector, topics["input"], PARTITIONS, run, process.alive)
        before = metric_lines(http_port, "faceid_enricher_media_")
        prefix = f"mm-{run}-"
        log(f"media memory: {events} events, {video_bytes} B videos, archive {'on' if archive_on else 'off'}")
        cpu_before, sim_cpu_before = process.stats.cpu_seconds(), simulator.stats.cpu_seconds()
        start = produce_all(producer, topics["input"], [(f"{prefix}{i}", f"PASS-{uuid.uuid4()}") for i in range(events)])
        complete = collector.wait_for(lambda i: i.startswith(prefix), events, 900, process.alive)
        done = time.time()
        if not complete:
            raise RuntimeError(f"media memory: {collector.count(lambda i: i.startswith(prefix))}/{events} outputs\n{process.tail()}")
        after = metric_lines(http_port, "faceid_enricher_media_")
        outputs = [v for k, v in collector.snapshot().items() if k.startswith(prefix)]
        last = max(ts for ts, _ in outputs)
        seconds = last - start
        window = process.rss_between(start, done)
        figures: dict[str, Any] = {
            "archive": "file" if archive_on else "off", "events": events, "video_bytes": video_bytes,
            "media_concurrency": concurrency or ("default (16)" if archive_on else None),
            "seconds": round(seconds, 2), "events_per_s": round(events / seconds, 1),
            "peak_rss_mib": round(process.peak_kib / 1024, 1),
            "steady_rss_mib": round(median(window) / 1024, 1) if window else None,
            "max_sampled_rss_mib": round(max(window) / 1024, 1) if window else None,
            "rss_samples": len(window),
            "cpu_s": round(process.stats.cpu_seconds() - cpu_before, 2),
            "simulator_cpu_s": round(simulator.stats.cpu_seconds() - sim_cpu_before, 2),
        }
        if archive_on:
            stored = _metric(after, "faceid_enricher_media_objects_total", 'result="stored"') - \
                _metric(before, "faceid_enricher_media_objects_total", 'result="stored"')
            stored_bytes = _metric(after, "faceid_enricher_media_bytes_total") - _metric(before, "faceid_enricher_media_bytes_total")
            busy = _metric(after, "faceid_enricher_media_archive_duration_seconds_sum") - \
                _metric(before, "faceid_enricher_media_archive_duration_seconds_sum")
            count = _metric(after, "faceid_enricher_media_archive_duration_seconds_count") - \
                _metric(before, "faceid_enricher_media_archive_duration_seconds_count")
            figures.update({
                "objects_stored": int(stored), "mib_stored": round(stored_bytes / 1048576, 1),
                "mib_per_s": round(stored_bytes / 1048576 / seconds, 1),
                "archive_mean_ms": round(busy / count * 1000, 1) if count else None,
                "average_archives_in_flight": round(busy / seconds, 1),
                "md5_mismatches": int(_metric(after, "faceid_enricher_media_md5_mismatches_total")),
            })
        return figures
    finally:
        if process:
            process.stop()
        collector.close()
        simulator.stop()
        shutil.rmtree(archive, ignore_errors=True)
