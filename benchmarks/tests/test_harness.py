"""The harness's own arithmetic: percentiles, ratios to the floor, targets, the table, and the
sanity gates' verdicts (pure functions over measurements)."""

from __future__ import annotations

import pytest

from benchmarks.harness.config import FULL, QUICK, chosen_profile
from benchmarks.harness.gates import (
    failures,
    headroom_gate,
    headroom_in_run,
    judged_attempts,
    latency_gate,
)
from benchmarks.harness.load import Measurement, RequestSpec, percentile
from benchmarks.harness.report import (
    Operation,
    operation_entries,
    ratio,
    table,
    target_results,
)
from benchmarks.harness.servers import _option, floor_command, floor_stack


def _run(rps: float, p50: float = 10.0, p99: float = 20.0) -> Measurement:
    return Measurement(rps=rps, p50_ms=p50, p99_ms=p99, requests=100, errors=0, load_avg_1m=1.0)


def test_percentile_is_nearest_rank() -> None:
    samples = [float(n) for n in range(1, 101)]
    assert percentile(samples, 0.5) == 50.0
    assert percentile(samples, 0.99) == 99.0
    assert percentile(samples[:30], 0.99) == 30.0  # of 30 samples, p99 is the largest
    assert percentile([3.0, 1.0, 2.0], 0.5) == 2.0


def test_ratio_is_the_median_of_same_round_ratios() -> None:
    floor = Operation("floor_read", "floor", runs=[_run(100), _run(200), _run(400)])
    careloop = Operation("read", "read", floor="floor_read", runs=[_run(50), _run(60), _run(100)])
    # rounds: 0.5, 0.3, 0.25 -> median 0.3 (not 70 / 200 = 0.35 from medians of each side)
    assert ratio(careloop, {"floor_read": floor}) == pytest.approx(0.3)
    assert ratio(Operation("x", "x"), {"floor_read": floor}) is None


def test_entries_carry_the_fields_the_issue_names_and_targets_judge_them() -> None:
    operations = [
        Operation("floor_insert", "floor insert", runs=[_run(1000)]),
        Operation("submit_phq9", "submit", floor="floor_insert", runs=[_run(400)]),
        Operation("alert_visible", "alert", runs=[_run(3, p50=50, p99=1500)]),
        Operation("bulk_export", "export", available=False, note="not in this build"),
    ]
    entries = operation_entries(operations)
    assert {"name", "rps", "p50_ms", "p99_ms", "ratio_to_floor"} <= set(entries[1])
    assert entries[1]["ratio_to_floor"] == 0.4
    verdicts = {t["operation"]: t["met"] for t in target_results(entries)}
    assert verdicts["submit_phq9"] is False  # 40% < 50%
    assert verdicts["alert_visible"] is False  # p99 1.5 s > 1 s
    assert verdicts["bulk_export"] is None  # not measured is not "met"
    printed = table(entries, target_results(entries))
    assert "not available: not in this build" in printed
    assert "MISSED" in printed


def test_a_request_line_cannot_smuggle_a_field_separator() -> None:
    assert RequestSpec("GET", "/x", "a=b").line() == "GET\t/x\ta=b\t\t"
    with pytest.raises(ValueError, match="tabs or newlines"):
        RequestSpec("POST", "/x", body="{\n}").line()


def test_the_latency_gate_names_the_delayed_ack_stall() -> None:
    fast = latency_gate("floor", "/healthz", [0.4] * 150 + [3.0] * 50, load_1m=1.0, cores=2)
    assert fast.passed and fast.cause == ""
    assert fast.entry()["p50_ms"] == 0.4 and fast.entry()["threshold_p50_ms"] == 5.0
    stalled = latency_gate(
        "floor", "/healthz", [44.0] * 200, load_1m=1.0, cores=2, remedy="use uvloop+httptools"
    )
    assert not stalled.passed
    assert stalled.cause.startswith("the floor's trivial endpoint /healthz answers in 44 ms")
    assert "delayed-ACK stall" in stalled.cause and "use uvloop+httptools" in stalled.cause
    entry = stalled.entry()
    assert entry["passed"] is False and entry["p50_ms"] == 44.0 and entry["min_ms"] == 44.0


def test_a_slow_trivial_endpoint_without_the_stall_blames_the_load() -> None:
    busy = latency_gate("careloop", "/healthz?check=web", [12.0] * 200, load_1m=9.5, cores=2)
    assert not busy.passed
    assert "delayed-ACK" in busy.cause and "without the delayed-ACK signature" in busy.cause
    assert "load average 9.5 on 2 cores" in busy.cause
    # exactly the bound is not under it
    assert not latency_gate("floor", "/", [5.0] * 3, load_1m=0, cores=2).passed


def test_latency_attempts_stop_at_the_first_pass_and_are_all_recorded() -> None:
    slow = latency_gate("careloop", "/h", [9.0], load_1m=8.0, cores=2)
    quick = latency_gate("careloop", "/h", [2.0], load_1m=6.0, cores=2)
    judged = judged_attempts([slow, quick])
    assert judged.passed and judged.figures["p50_ms"] == 2.0
    assert judged.figures["attempts"] == [
        {"p50_ms": 9.0, "load_avg_1m": 8.0},
        {"p50_ms": 2.0, "load_avg_1m": 6.0},
    ]
    assert not judged_attempts([slow, slow, slow]).passed
    with pytest.raises(ValueError, match="no attempts"):
        judged_attempts([])


def test_the_load_generator_needs_five_times_the_fastest_floor() -> None:
    ok = headroom_gate(30_000.0, {"floor_insert": 2_000.0, "floor_read": 2_500.0})
    assert ok.passed and ok.figures["headroom"] == 12.0  # against the faster floor operation
    short = headroom_gate(8_000.0, {"floor_insert": 2_000.0})
    assert not short.passed
    assert "8,000 req/s" in short.cause and "only 4.0x" in short.cause
    assert "floor_insert" in short.cause
    assert failures([ok, short]) == [short]
    # judged again on the timed runs' floor medians: recorded, not enforced
    again = headroom_in_run([ok], {"floor_insert": 7_000.0})
    assert again is not None and not again.passed and again.figures["enforced"] is False
    assert headroom_in_run([], {"floor_insert": 1.0}) is None


def test_the_floor_names_its_event_loop_and_parser_and_both_stacks_are_recorded() -> None:
    command = floor_command()
    assert "--loop=uvloop" in command and "--http=httptools" in command
    stack = floor_stack()
    assert stack["event_loop"] == "uvloop" and stack["http_parser"] == "httptools"
    assert stack["event_loop_version"] and stack["http_parser_version"]  # installed, pinned
    granian = ["python", "-m", "granian", "--interface", "wsgi", "--workers", "2"]
    assert _option(granian, "--workers") == "2" and _option(["--port=8"], "--port") == "8"
    assert _option(granian, "--threads") is None


def test_the_command_line_overrides_only_rounds_and_seconds() -> None:
    assert chosen_profile(quick=False, rounds=None, seconds=None) == FULL
    changed = chosen_profile(quick=True, rounds=2, seconds=3.0)
    assert (changed.rounds, changed.seconds) == (2, 3.0)
    assert changed.patients == QUICK.patients and changed.name == "quick"
