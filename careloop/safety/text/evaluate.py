"""Evaluate the crisis-text detector on crisis_text_dev (tuning data only: never shipped).

    .venv/bin/python -m careloop.safety.text.evaluate --data /work/shared/data/crisis_text_dev

1. Load both sets (SDCNL r/SuicideWatch vs r/depression; Kaggle r/SuicideWatch vs r/teenagers
   subset). The labels are subreddit labels: noisy, not clinical (see each PROVENANCE.md).
2. Split by a hash of each post's id: HELD_OUT_PERCENT % is held out and was never looked at
   while writing rules or tuning; the rest is the tuning split.
3. Screen every text of the chosen split; report ROC AUC of the score, and recall and precision
   of the suicide class at the alert operating point (level moderate or high), per set and
   pooled, for the full detector and for rules alone; and texts per second.
The semantic calibration was tuned with tune.py on the tuning split (detector.CALIBRATION).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from careloop.safety.text import detector, semantic
from careloop.safety.text.result import Level, Source
from careloop.safety.text.scoring import ALERT_SCORE

HELD_OUT_PERCENT = 30
RECALL_TARGET = 0.95
SDCNL = "sdcnl_reddit_suicide_vs_depression"
KAGGLE = "suicide_detection_reddit_subset"


@dataclass(frozen=True)
class Example:
    example_id: str
    dataset: str
    text: str
    is_suicide: bool


@dataclass(frozen=True)
class Scored:
    example: Example
    score: float
    rules_score: float  # the same screen with the model's evidence left out
    level: Level


def _rows(path: Path) -> Iterator[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        yield from csv.DictReader(handle)


def load_examples(data: Path) -> list[Example]:
    examples = []
    for part in ("training", "testing"):
        for row in _rows(data / SDCNL / f"{part}-set_deidentified.csv"):
            examples.append(
                Example(
                    example_id=f"sdcnl-{part}:{row['orig_row_id']}",
                    dataset=SDCNL,
                    text=f"{row['title']}\n{row['selftext']}".strip(),
                    is_suicide=row["is_suicide"] == "1",
                )
            )
    for row in _rows(data / KAGGLE / "Suicide_Detection_subset5000.csv"):
        examples.append(
            Example(
                example_id=f"kaggle:{row['']}",
                dataset=KAGGLE,
                text=row["text"],
                is_suicide=row["class"] == "suicide",
            )
        )
    return examples


def hash_bucket(example_id: str) -> int:
    return int(hashlib.sha256(example_id.encode()).hexdigest()[:8], 16) % 100


def is_held_out(example: Example) -> bool:
    return hash_bucket(example.example_id) < HELD_OUT_PERCENT


def deterministic_sample(examples: Sequence[Example], size: int) -> list[Example]:
    """The `size` examples with the smallest id hashes: the same subset on every machine."""
    digest = {
        e.example_id: hashlib.sha256(f"sample:{e.example_id}".encode()).hexdigest()
        for e in examples
    }
    return sorted(examples, key=lambda e: digest[e.example_id])[:size]


def roc_auc(scores: Sequence[float], labels: Sequence[bool]) -> float:
    """Mann-Whitney U / (n_pos * n_neg), ties counted half."""
    order = sorted(range(len(scores)), key=lambda i: scores[i])
    ranks = [0.0] * len(scores)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and scores[order[j + 1]] == scores[order[i]]:
            j += 1
        for k in range(i, j + 1):
            ranks[order[k]] = (i + j) / 2 + 1
        i = j + 1
    positives = sum(labels)
    negatives = len(labels) - positives
    if positives == 0 or negatives == 0:
        return float("nan")
    rank_sum = sum(rank for rank, label in zip(ranks, labels, strict=True) if label)
    return (rank_sum - positives * (positives + 1) / 2) / (positives * negatives)


def at_threshold(
    scores: Sequence[float], labels: Sequence[bool], threshold: float
) -> dict[str, float]:
    flagged = [score >= threshold for score in scores]
    tp = sum(f and y for f, y in zip(flagged, labels, strict=True))
    fp = sum(f and not y for f, y in zip(flagged, labels, strict=True))
    fn = sum(not f and y for f, y in zip(flagged, labels, strict=True))
    tn = len(labels) - tp - fp - fn
    return {
        "recall": tp / (tp + fn) if tp + fn else float("nan"),
        "precision": tp / (tp + fp) if tp + fp else float("nan"),
        "specificity": tn / (tn + fp) if tn + fp else float("nan"),
        "flagged": sum(flagged),
        "n": len(labels),
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "tn": tn,
    }


def screen_examples(examples: Sequence[Example]) -> tuple[list[Scored], float]:
    """Screen every example; return the results and the elapsed (wall-clock) seconds."""
    results, seconds, _ = _timed_screen(examples)
    return results, seconds


def _timed_screen(examples: Sequence[Example]) -> tuple[list[Scored], float, float]:
    results = []
    started, cpu_started = time.perf_counter(), time.process_time()
    for example in examples:
        screen = detector.screen_text(example.text)
        rules = [span.weight for span in screen.evidence if span.source is Source.RULE]
        results.append(Scored(example, screen.score, max(rules, default=0.0), screen.level))
    return results, time.perf_counter() - started, time.process_time() - cpu_started


def summarise(results: Sequence[Scored]) -> dict[str, Any]:
    labels = [r.example.is_suicide for r in results]
    full = [r.score for r in results]
    rules = [r.rules_score for r in results]
    levels = {label: {level.value: 0 for level in Level} for label in ("suicide", "not_suicide")}
    for r in results:
        levels["suicide" if r.example.is_suicide else "not_suicide"][r.level.value] += 1
    return {
        "n": len(results),
        "suicide": sum(labels),
        "auc": roc_auc(full, labels),
        "auc_rules_only": roc_auc(rules, labels),
        "at_alert": at_threshold(full, labels, ALERT_SCORE),
        "at_alert_rules_only": at_threshold(rules, labels, ALERT_SCORE),
        "levels": levels,
    }


def report(
    results: Sequence[Scored], seconds: float, split: str, cpu_seconds: float = float("nan")
) -> dict[str, Any]:
    by_set = {name: [r for r in results if r.example.dataset == name] for name in (SDCNL, KAGGLE)}
    return {
        "split": split,
        "detector_version": detector.DETECTOR_VERSION,
        "model": semantic.model_version(),
        "alert_score": ALERT_SCORE,
        "calibration": vars(detector.CALIBRATION),
        "pooled": summarise(results),
        **{name: summarise(rows) for name, rows in by_set.items() if rows},
        "texts_per_second": len(results) / seconds if seconds else float("nan"),
        "texts_per_cpu_second": len(results) / cpu_seconds if cpu_seconds else float("nan"),
        "seconds": seconds,
        "cpu_seconds": cpu_seconds,
    }


def _print(summary: dict[str, Any]) -> None:
    print(
        f"split={summary['split']} detector={summary['detector_version']} model={summary['model']}"
    )
    for name in ("pooled", SDCNL, KAGGLE):
        if name not in summary:
            continue
        part = summary[name]
        full, rules = part["at_alert"], part["at_alert_rules_only"]
        print(
            f"  {name}: n={part['n']} suicide={part['suicide']} AUC={part['auc']:.3f} "
            f"recall={full['recall']:.3f} precision={full['precision']:.3f} "
            f"specificity={full['specificity']:.3f} | rules only: AUC={part['auc_rules_only']:.3f} "
            f"recall={rules['recall']:.3f} precision={rules['precision']:.3f}"
        )
    print(
        f"  throughput: {summary['texts_per_second']:.2f} texts/s wall-clock "
        f"({summary['seconds']:.1f} s), {summary['texts_per_cpu_second']:.2f} texts per CPU-second"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--data", type=Path, required=True, help="the crisis_text_dev folder")
    parser.add_argument("--split", choices=("held-out", "tune"), default="held-out")
    parser.add_argument("--limit", type=int, help="screen a deterministic sample of this size")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)
    examples = [e for e in load_examples(args.data) if is_held_out(e) == (args.split == "held-out")]
    if args.limit:
        examples = deterministic_sample(examples, args.limit)
    semantic.index()  # load the model before the clock starts: throughput is per text
    results, seconds, cpu_seconds = _timed_screen(examples)
    summary = report(results, seconds, args.split, cpu_seconds)
    _print(summary)
    if args.json:
        args.json.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
