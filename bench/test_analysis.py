"""Checks of the benchmark's arithmetic (no broker, no binary): the request-log analysis and percentiles.

Run: python3 -m pytest -q bench/test_analysis.py
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from rig import percentile  # noqa: E402
from scenarios import analyse_requests  # noqa: E402


def entry(second: int, outcome: str = "0", latency_ms: int = 0) -> dict:
    return {"time": f"2026-11-25T13:00:{second:02d}Z", "outcome": outcome, "latencyMs": latency_ms, "bizToken": "PASS-x"}


def test_steady_rate_counts_accepted_requests_over_the_middle_of_the_run() -> None:
    # 20 requests a second for 10 s, evenly spaced, then a 3-request tail 5 s later.
    requests = [(1000.0 + i / 20, entry(int(i / 20))) for i in range(200)]
    requests += [(1015.0 + i, entry(15 + i)) for i in range(3)]
    figures = analyse_requests(requests, budget=20)
    assert figures["requests"] == 203
    assert figures["request_limit_exceeded"] == 0
    assert 19.5 <= figures["steady_accepted_per_s"] <= 20.5
    assert 0.97 <= figures["budget_share"] <= 1.03
    assert figures["busiest_wall_clock_second"] == 20


def test_limit_answers_are_counted_and_left_out_of_the_accepted_rate() -> None:
    requests = [(1000.0 + i / 40, entry(int(i / 40), "RequestLimitExceeded" if i % 2 else "0")) for i in range(400)]
    figures = analyse_requests(requests, budget=20)
    assert figures["request_limit_exceeded"] == 200
    assert 38 <= figures["steady_requests_per_s"] <= 42
    assert 19 <= figures["steady_accepted_per_s"] <= 21
    assert figures["busiest_wall_clock_second"] == 40
    assert figures["busiest_sliding_1s_window"] == 40


def test_arrival_is_the_log_time_minus_the_reported_latency() -> None:
    # Logged in a burst at t=1005 but answered after 0..4.5 s: arrivals were spread over 5 s.
    requests = [(1005.0, entry(5, latency_ms=int(5000 - i * 500))) for i in range(10)]
    figures = analyse_requests(requests, budget=20)
    assert figures["busiest_sliding_1s_window"] == 2
    assert figures["span_s"] == 4.5


def test_percentile_picks_the_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 0.5) in (50.0, 51.0)
    assert percentile(values, 0.99) == 99.0
    assert percentile(values, 1.0) == 100.0
    assert percentile([3.0], 0.99) == 3.0


def test_media_metric_sums_the_matching_series():
    from media import _metric  # noqa: PLC0415

    lines = [
        'faceid_enricher_media_objects_total{kind="video",result="stored"} 5',
        'faceid_enricher_media_objects_total{kind="best_frame",result="stored"} 7',
        'faceid_enricher_media_objects_total{kind="video",result="md5_mismatch"} 2',
        "faceid_enricher_media_archive_duration_seconds_sum 1.5",
        "faceid_enricher_media_archive_duration_seconds_count 12",
    ]
    assert _metric(lines, "faceid_enricher_media_objects_total", 'result="stored"') == 12
    assert _metric(lines, "faceid_enricher_media_objects_total") == 14
    assert _metric(lines, "faceid_enricher_media_archive_duration_seconds_sum") == 1.5
    assert _metric(lines, "faceid_enricher_media_archive_duration_seconds") == 0


def test_callgrind_self_costs_leave_out_the_inclusive_cost_of_calls(tmp_path: Path) -> None:
    from callgrind_self import self_costs

    dump = tmp_path / "callgrind.out"
    dump.write_text("\n".join([
        "events: Ir",
        "ob=(1) /bin/app",
        "fn=(1) main",
        "10 5",
        "cob=(2) /lib/libc.so.6",
        "cfn=(2) malloc",
        "calls=2 0",
        "11 100",  # inclusive cost of the two calls: not main's own
        "+1 7",
        "ob=(2)",
        "fn=(2)",
        "0 100",
        "",
    ]))
    by_function, by_object, total = self_costs(dump)
    assert by_function == {"main": 12, "malloc": 100}
    assert by_object == {"/bin/app": 12, "/lib/libc.so.6": 100}
    assert total == 112
