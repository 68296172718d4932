"""k-anonymity for research extracts (pure: no Django).

Each person is one record of quasi-identifiers (QIs): attributes that, combined, could single a
person out (age, gender, ethnicity, postcode district, deprivation). Every QI has a
generalisation hierarchy, level 0 the value itself and the top level "*" (nothing). The search
walks the lattice of level vectors (full-domain generalisation, as in Samarati's algorithm),
lowest total generalisation first, and takes the first vector for which suppressing the people
in classes smaller than k removes no more than `max_suppressed` of them. Every released
equivalence class then holds at least k people. k counts people, not rows, so the caller passes
one record per person and joins their events afterwards.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

STAR = "*"
Level = Callable[[Any], str]


@dataclass(frozen=True)
class QuasiIdentifier:
    name: str
    levels: tuple[Level, ...]  # most specific first; the last returns STAR

    @property
    def height(self) -> int:
        return len(self.levels) - 1

    def generalise(self, value: Any, level: int) -> str:
        if value is None or value == "":
            return STAR if level == self.height else "unknown"
        return self.levels[level](value)


def _band(width: int) -> Level:
    def band(age: Any) -> str:
        low = int(age) // width * width
        return f"{low}-{low + width - 1}"

    return band


def _star(_: Any) -> str:
    return STAR


AGE = QuasiIdentifier("age", (_band(5), _band(10), _band(20), _star))
GENDER = QuasiIdentifier("gender", (str, _star))
# "white_british" → "white": Careloop stores ONS-style codes whose first word is the broad group.
ETHNICITY = QuasiIdentifier("ethnicity", (str, lambda v: str(v).split("_")[0], _star))
# "SW1A 1AA" → district "SW1A" → area "SW" (the letters of the outward code).
POSTCODE = QuasiIdentifier(
    "postcode",
    (
        lambda v: str(v).upper().split()[0],
        lambda v: "".join(itertools.takewhile(str.isalpha, str(v).upper())),
        _star,
    ),
)
DEPRIVATION = QuasiIdentifier(
    "deprivation_quintile",
    (str, lambda q: "1-2" if int(q) <= 2 else ("3" if int(q) == 3 else "4-5"), _star),
)
DEFAULT_QIS = (AGE, GENDER, ETHNICITY, DEPRIVATION)


@dataclass(frozen=True)
class Anonymised:
    """The released people (each QI generalised), what was suppressed, and at what levels."""

    records: list[dict[str, Any]]
    suppressed: list[dict[str, Any]]
    levels: dict[str, int]
    k: int
    qis: tuple[str, ...]
    k_achieved: int | None = None  # smallest released class; None when nothing is released
    classes: int = field(default=0)


def _key(
    record: Mapping[str, Any], qis: Sequence[QuasiIdentifier], vector: Sequence[int]
) -> tuple[str, ...]:
    pairs = zip(qis, vector, strict=True)
    return tuple(qi.generalise(record.get(qi.name), level) for qi, level in pairs)


def min_class_size(records: Sequence[Mapping[str, Any]], qi_names: Sequence[str]) -> int | None:
    """The size of the smallest equivalence class over `qi_names` (None for no records)."""
    sizes = Counter(tuple(str(r.get(name)) for name in qi_names) for r in records)
    return min(sizes.values()) if sizes else None


def anonymise(
    records: Sequence[Mapping[str, Any]],
    *,
    qis: Sequence[QuasiIdentifier] = DEFAULT_QIS,
    k: int = 5,
    max_suppressed: float = 0.05,
) -> Anonymised:
    """Generalise and suppress until every released equivalence class has at least k people."""
    if k < 2:
        raise ValueError("k must be at least 2")
    if not 0 <= max_suppressed <= 1:
        raise ValueError("max_suppressed is a fraction between 0 and 1")
    budget = int(len(records) * max_suppressed)
    vectors = sorted(
        itertools.product(*(range(qi.height + 1) for qi in qis)),
        key=lambda v: (sum(v), v),
    )
    # The top vector ("everything is *") always ends the search: if even it leaves fewer than
    # k people, they are all suppressed.
    vector = vectors[-1]
    for candidate in vectors:
        sizes = Counter(_key(r, qis, candidate) for r in records)
        if sum(size for size in sizes.values() if size < k) <= budget:
            vector = candidate
            break
    keys = [_key(r, qis, vector) for r in records]
    sizes = Counter(keys)
    released, suppressed = [], []
    for record, key in zip(records, keys, strict=True):
        if sizes[key] >= k:
            out = dict(record)
            out.update({qi.name: value for qi, value in zip(qis, key, strict=True)})
            released.append(out)
        else:
            suppressed.append(dict(record))
    kept_sizes = [size for size in sizes.values() if size >= k]
    return Anonymised(
        records=released,
        suppressed=suppressed,
        levels={qi.name: level for qi, level in zip(qis, vector, strict=True)},
        k=k,
        qis=tuple(qi.name for qi in qis),
        k_achieved=min(kept_sizes) if kept_sizes else None,
        classes=len(kept_sizes),
    )
