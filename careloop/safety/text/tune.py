"""Tune the semantic calibration on the tuning split only (never the held-out split).

    .venv/bin/python -m careloop.safety.text.tune --data /work/shared/data/crisis_text_dev

1. Take a deterministic sample of the tuning split and embed each text once, keeping for every
   text its rules score and, per sentence, the construct, qualifiers and similarity.
2. For every calibration (floor, alert, full) on a grid, rebuild each score exactly as the
   detector does and measure recall and precision at the alert score, per set.
3. Print the candidates that reach the recall target on both sets, best precision first; the
   chosen calibration is written by hand into detector.CALIBRATION (a reviewed change).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from careloop.safety.text import detector, evaluate, semantic
from careloop.safety.text.language import detect
from careloop.safety.text.result import Construct, Qualifier
from careloop.safety.text.rules import RuleHit, match_rules
from careloop.safety.text.scoring import ALERT_SCORE
from careloop.safety.text.segment import normalise, sentences

TUNE_RECALL_TARGET = 0.955  # a little margin above 0.95, for the held-out split to keep


class CachingEncoder:
    """Remembers every sentence vector in a .npz file, so re-tuning after a rule change is quick."""

    def __init__(self, encoder: semantic.Encoder, path: Path | None) -> None:
        self.encoder = encoder
        self.version = encoder.version
        self.path = path
        self.vectors: dict[str, Any] = {}
        if path is not None and path.exists():
            import numpy as np  # after semantic set OPENBLAS_NUM_THREADS (see semantic._load)

            with np.load(path, allow_pickle=False) as stored:
                self.vectors = dict(zip(stored["texts"].tolist(), stored["vectors"], strict=True))

    def encode(self, texts: Sequence[str]) -> Any:
        import numpy as np

        missing = sorted({t for t in texts if t not in self.vectors})
        if missing:
            self.vectors.update(zip(missing, self.encoder.encode(missing), strict=True))
        return np.stack([self.vectors[t] for t in texts])

    def save(self) -> None:
        if self.path is not None and self.vectors:
            import numpy as np

            texts = list(self.vectors)
            np.savez(
                self.path, texts=np.array(texts), vectors=np.stack([self.vectors[t] for t in texts])
            )


@dataclass(frozen=True)
class Record:
    example: evaluate.Example
    rules_score: float
    # per sentence the model read: (nearest exemplar's construct, qualifiers, similarity)
    sentences: tuple[tuple[Construct, tuple[Qualifier, ...], float], ...]

    def score(self, calibration: detector.Calibration) -> float:
        weights = [detector.semantic_weight(sim, c, q, calibration) for c, q, sim in self.sentences]
        return max(self.rules_score, detector.aggregate(weights))


def record(example: evaluate.Example, index: semantic.SentenceIndex) -> Record:
    text = normalise(example.text)
    parts = sentences(text)
    languages = detector.lexicons_for(detect(text))
    hits: list[RuleHit] = match_rules(text, parts, languages)
    found = []
    for near in detector.nearest_exemplars(index, parts) if parts else []:
        construct = near.exemplar.construct
        assert construct is not None
        qualifiers = detector.sentence_qualifiers(near, hits, parts[near.sentence_index])
        found.append((construct, qualifiers, near.similarity))
    return Record(example, max((h.weight for h in hits), default=0.0), tuple(found))


Row = tuple[detector.Calibration, dict[str, dict[str, float]]]


def _metrics(
    records: Sequence[Record], calibration: detector.Calibration
) -> dict[str, dict[str, float]]:
    metrics = {}
    for name in (evaluate.SDCNL, evaluate.KAGGLE, "pooled"):
        subset = [r for r in records if name in (r.example.dataset, "pooled")]
        labels = [r.example.is_suicide for r in subset]
        scores = [r.score(calibration) for r in subset]
        metrics[name] = evaluate.at_threshold(scores, labels, ALERT_SCORE)
        metrics[name]["auc"] = evaluate.roc_auc(scores, labels)
    return metrics


def grid(records: Sequence[Record]) -> list[Row]:
    """`alert` sets recall and precision; `floor` and `full` only shape the ranking (AUC)."""
    rows = []
    for alert in [round(0.08 + 0.005 * i, 3) for i in range(25)]:
        for floor in (-0.05, 0.0):
            for full in (0.45, 0.5, 0.55, 0.6):
                calibration = detector.Calibration(floor=floor, alert=alert, full=full)
                rows.append((calibration, _metrics(records, calibration)))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--sample", type=int, default=1000)
    parser.add_argument("--cache", type=Path, help="an .npz file of sentence vectors to reuse")
    args = parser.parse_args(argv)
    tuning = [e for e in evaluate.load_examples(args.data) if not evaluate.is_held_out(e)]
    index = semantic.index()
    if index is None:
        print("the model is unavailable: nothing to tune", file=sys.stderr)
        return 1
    cache = CachingEncoder(index.encoder, args.cache)
    index.encoder = cache
    records = []
    try:
        for number, example in enumerate(evaluate.deterministic_sample(tuning, args.sample), 1):
            records.append(record(example, index))
            if number % 100 == 0:
                cache.save()  # a long run that is stopped keeps what it embedded
                print(f"{number} texts embedded", file=sys.stderr, flush=True)
    finally:
        cache.save()
    _print_best(grid(records), len(records))
    return 0


def _print_best(rows: list[Row], texts: int) -> None:
    sets = (evaluate.SDCNL, evaluate.KAGGLE)
    reaching = [r for r in rows if all(r[1][n]["recall"] >= TUNE_RECALL_TARGET for n in sets)]
    # Best precision at the target; among equals, the best pooled AUC.
    reaching.sort(key=lambda r: (-round(r[1]["pooled"]["precision"], 3), -r[1]["pooled"]["auc"]))
    print(f"{texts} tuning texts; {len(reaching)} of {len(rows)} grid points reach the target")
    if not reaching:  # show the nearest misses instead
        reaching = sorted(rows, key=lambda r: -min(r[1][n]["recall"] for n in sets))
    for calibration, metrics in reaching[:15]:
        cells = " ".join(
            f"{name[:6]}: R={m['recall']:.3f} P={m['precision']:.3f} AUC={m['auc']:.3f}"
            for name, m in metrics.items()
        )
        print(f"{calibration} {cells}")


if __name__ == "__main__":
    sys.exit(main())
