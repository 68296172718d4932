"""Synthetic treatment episodes: session dates, weekly PHQ-9/GAD-7 totals and item answers
(`episode`), where the points of a total fall among the items (`answers`), and the fast draws
both use (`draws`).

Standard library only, no Django. `careloop.seed.population` draws one episode per patient from
that patient's own `random.Random`, and every draw below happens in a fixed order, so the same
generator state always yields the same episode.

The constants are calibrated (see careloop/seed/tests/test_population.py) so that among finished
courses about 50 % recover, about two thirds improve reliably and 5-8 % deteriorate reliably,
like the NHS Talking Therapies national figures in the clinical spec §15.
"""

from careloop.seed.trajectories.answers import (
    GAD7_ITEM_WEIGHTS,
    ITEM_MAX,
    PHQ9_ITEM_WEIGHTS,
    ItemWeights,
    phq9_answers,
    spread_total,
)
from careloop.seed.trajectories.draws import WeightedTable, uniform_int
from careloop.seed.trajectories.episode import (
    GAD7_CASENESS,
    GAD7_MAX,
    GAD7_RELIABLE_CHANGE,
    PHQ9_CASENESS,
    PHQ9_MAX,
    PHQ9_RELIABLE_CHANGE,
    Ending,
    OutcomeClass,
    SyntheticEpisode,
    SyntheticMeasurement,
    generate_episode,
    is_case,
)

__all__ = [
    "GAD7_CASENESS",
    "GAD7_ITEM_WEIGHTS",
    "GAD7_MAX",
    "GAD7_RELIABLE_CHANGE",
    "ITEM_MAX",
    "PHQ9_CASENESS",
    "PHQ9_ITEM_WEIGHTS",
    "PHQ9_MAX",
    "PHQ9_RELIABLE_CHANGE",
    "Ending",
    "ItemWeights",
    "OutcomeClass",
    "SyntheticEpisode",
    "SyntheticMeasurement",
    "WeightedTable",
    "generate_episode",
    "is_case",
    "phq9_answers",
    "spread_total",
    "uniform_int",
]
