"""k-anonymity of research extracts: every released equivalence class holds at least k people,
whatever the input (property test), with the least generalisation that stays within the
suppression budget (table tests)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from careloop.analytics.kanonymity import (
    AGE,
    DEFAULT_QIS,
    DEPRIVATION,
    ETHNICITY,
    GENDER,
    POSTCODE,
    STAR,
    anonymise,
    min_class_size,
)

QI_NAMES = [qi.name for qi in DEFAULT_QIS]

people = st.lists(
    st.fixed_dictionaries(
        {
            "age": st.one_of(st.none(), st.integers(min_value=16, max_value=95)),
            "gender": st.sampled_from(["female", "male", "non_binary", "prefer_not_to_say"]),
            "ethnicity": st.sampled_from(
                ["white_british", "white_other", "asian_indian", "black_african", "mixed_other", ""]
            ),
            "deprivation_quintile": st.one_of(st.none(), st.integers(min_value=1, max_value=5)),
            "pid": st.uuids().map(str),
        }
    ),
    max_size=120,
)


@pytest.mark.slow  # 150 populations of up to 120 people, each anonymised: the bulk of this file
@settings(max_examples=150, deadline=None)
@given(people, st.integers(min_value=2, max_value=8), st.sampled_from([0.0, 0.05, 0.2]))
def test_every_released_class_has_at_least_k_people(records, k, budget):
    result = anonymise(records, k=k, max_suppressed=budget)
    smallest = min_class_size(result.records, QI_NAMES)
    assert smallest is None or smallest >= k
    assert result.k_achieved == smallest
    assert len(result.records) + len(result.suppressed) == len(records)
    # nobody is lost or invented: the released people are exactly the unsuppressed ones
    released = sorted(r["pid"] for r in result.records)
    suppressed = {r["pid"] for r in result.suppressed}
    assert sorted(r["pid"] for r in records if r["pid"] not in suppressed) == released


@settings(max_examples=80, deadline=None)
@given(people)
def test_suppression_stays_within_budget_when_anything_is_released(records):
    result = anonymise(records, k=5, max_suppressed=0.05)
    if result.records:
        assert len(result.suppressed) <= int(len(records) * 0.05) or all(
            result.levels[name] == qi.height for name, qi in zip(QI_NAMES, DEFAULT_QIS, strict=True)
        )


def _person(age: int, gender: str = "female", ethnicity: str = "white_british") -> dict[str, Any]:
    return {"age": age, "gender": gender, "ethnicity": ethnicity, "deprivation_quintile": 3}


def test_identical_people_need_no_generalisation():
    result = anonymise([_person(30) for _ in range(5)], k=5)
    assert result.levels == dict.fromkeys(QI_NAMES, 0)
    assert result.records[0]["age"] == "30-34"
    assert result.k_achieved == 5 and not result.suppressed


def test_ages_are_widened_before_anything_else_is_given_up():
    records = [_person(age) for age in (30, 31, 33, 36, 38, 39)]
    result = anonymise(records, k=5, max_suppressed=0.0)
    assert result.levels["age"] == 1  # 10-year bands: one class of six
    assert {r["age"] for r in result.records} == {"30-39"}
    assert result.levels["gender"] == 0


def test_an_outlier_is_suppressed_within_budget():
    records = [_person(40) for _ in range(40)] + [_person(90, gender="male")]
    result = anonymise(records, k=5, max_suppressed=0.05)
    assert len(result.suppressed) == 1 and result.suppressed[0]["age"] == 90
    assert result.levels["age"] == 0  # the other 40 keep their detail


def test_fewer_than_k_people_are_never_released():
    result = anonymise([_person(30) for _ in range(4)], k=5)
    assert result.records == [] and len(result.suppressed) == 4
    assert result.k_achieved is None


@pytest.mark.parametrize(
    ("qi", "value", "level", "expected"),
    [
        (AGE, 37, 0, "35-39"),
        (AGE, 37, 1, "30-39"),
        (AGE, 37, 2, "20-39"),
        (AGE, 37, 3, STAR),
        (GENDER, "male", 1, STAR),
        (ETHNICITY, "asian_indian", 1, "asian"),
        (POSTCODE, "sw1a 1aa", 0, "SW1A"),
        (POSTCODE, "SW1A 1AA", 1, "SW"),
        (DEPRIVATION, 2, 1, "1-2"),
        (DEPRIVATION, 5, 1, "4-5"),
        (AGE, None, 0, "unknown"),
        (AGE, None, 3, STAR),
    ],
)
def test_hierarchies(qi, value, level, expected):
    assert qi.generalise(value, level) == expected


def test_k_below_two_is_refused():
    with pytest.raises(ValueError, match="k must be"):
        anonymise([], k=1)
