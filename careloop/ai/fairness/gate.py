"""The fairness gate: may a model (or a screening rule) be switched on, given its per-group results?

Default policy (issue #15): it **blocks** when two groups' sensitivities differ by more than
5 percentage points **and** their 95 % CIs do not overlap (a gap we can tell from noise). Both
parts are configurable: the metric, the largest gap, whether a gap counts only when the CIs are
apart, and what to do with a group too small to judge (by default it does not block, but it is
listed so a reviewer sees it: a gate that cannot see a group has not cleared it).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from itertools import combinations

_ROUNDING = 1e-9  # 0.80 − 0.75 is 0.05000000000000004 in floating point


@dataclass(frozen=True)
class Estimate:
    """One group's figure for the gated metric (0–1) with its 95 % CI."""

    value: float | None
    ci_low: float | None
    ci_high: float | None
    suppressed: bool = False  # too few people (or too wide a CI) to judge

    @property
    def judgeable(self) -> bool:
        return (
            not self.suppressed
            and self.value is not None
            and self.ci_low is not None
            and self.ci_high is not None
        )


@dataclass(frozen=True)
class GatePolicy:
    metric: str = "sensitivity"
    max_gap: float = 0.05  # 5 percentage points
    require_separate_cis: bool = True  # a gap blocks only when the CIs do not overlap
    block_when_unjudged: bool = False  # block if any group is suppressed

    def __post_init__(self) -> None:
        if not 0 <= self.max_gap <= 1:
            raise ValueError("max_gap is a share between 0 and 1")


@dataclass(frozen=True)
class GroupGap:
    group_a: str
    group_b: str
    gap: float  # |a − b|, 0–1
    cis_overlap: bool
    blocks: bool


@dataclass(frozen=True)
class GateDecision:
    policy: GatePolicy
    blocked: bool
    gaps: tuple[GroupGap, ...]
    unjudged: tuple[str, ...] = field(default=())

    @property
    def blocking(self) -> tuple[GroupGap, ...]:
        return tuple(gap for gap in self.gaps if gap.blocks)

    def explain(self) -> str:
        """One plain sentence for a reviewer."""
        metric = self.policy.metric
        if self.blocking:
            worst = max(self.blocking, key=lambda gap: gap.gap)
            return (
                f"Blocked: {metric} differs by {worst.gap * 100:.1f} points between "
                f"{worst.group_a} and {worst.group_b} (more than {self.policy.max_gap * 100:g})"
                + (
                    ", and their confidence intervals do not overlap."
                    if not worst.cis_overlap
                    else "."
                )
            )
        if self.blocked:
            return f"Blocked: too few people to judge {metric} for {', '.join(self.unjudged)}."
        note = f" Not judged (too few people): {', '.join(self.unjudged)}." if self.unjudged else ""
        return f"Passed: no {metric} gap between groups met the blocking rule.{note}"


def evaluate_gate(
    estimates: Mapping[str, Estimate], policy: GatePolicy | None = None
) -> GateDecision:
    """Compare every pair of judgeable groups under the policy."""
    policy = policy or GatePolicy()
    judged = {name: e for name, e in estimates.items() if e.judgeable}
    unjudged = tuple(sorted(name for name in estimates if name not in judged))
    gaps = []
    for (name_a, a), (name_b, b) in combinations(sorted(judged.items()), 2):
        assert a.value is not None and b.value is not None
        assert a.ci_low is not None and a.ci_high is not None
        assert b.ci_low is not None and b.ci_high is not None
        gap = abs(a.value - b.value)
        overlap = a.ci_low <= b.ci_high and b.ci_low <= a.ci_high
        too_wide = gap > policy.max_gap + _ROUNDING  # exactly the limit does not block
        blocks = too_wide and (not overlap or not policy.require_separate_cis)
        gaps.append(GroupGap(name_a, name_b, gap, overlap, blocks))
    blocked = any(gap.blocks for gap in gaps) or (policy.block_when_unjudged and bool(unjudged))
    return GateDecision(policy=policy, blocked=blocked, gaps=tuple(gaps), unjudged=unjudged)
