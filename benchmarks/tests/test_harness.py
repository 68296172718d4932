"""The harness's own arithmetic: percentiles, ratios to the floor, targets and the table."""

from __future__ import annotations

import pytest

from benchmarks.harness.load import Measurement, RequestSpec, percentile
from benchmarks.harness.report import (
    Operation,
    operation_entries,
    ratio,
    table,
    target_results,
)


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
