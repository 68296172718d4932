"""`careloop instruments list` and `careloop score`: pure helpers and the Django commands."""

from __future__ import annotations

import json
import os
from io import StringIO
from pathlib import Path

import pytest

from careloop.instruments import cli
from careloop.instruments.library import list_instruments
from careloop.instruments.scoring import InvalidAnswers, InvalidContext

REPO_ROOT = Path(__file__).resolve().parents[3]
needs_django = pytest.mark.skipif(
    not (REPO_ROOT / "config" / "settings.py").exists()
    or "DJANGO_SETTINGS_MODULE" not in os.environ,
    reason="needs config/settings.py and pytest-django",
)


@pytest.mark.parametrize(
    ("raw", "answers"),
    [("0,1,2", [0, 1, 2]), ("1,,2", [1, None, 2]), ("-,1, 2 ", [None, 1, 2]), ("3", [3])],
)
def test_parse_answers(raw: str, answers: list[int | None]) -> None:
    assert cli.parse_answers(raw) == answers


def test_parse_answers_names_the_bad_entry() -> None:
    with pytest.raises(InvalidAnswers, match="answer 2 \\('x'\\) is not an integer"):
        cli.parse_answers("1,x,2")


def test_parse_options() -> None:
    assert cli.parse_options(["cutoff=31", "mode=screen"]) == {"cutoff": 31, "mode": "screen"}
    with pytest.raises(InvalidContext, match="KEY=VALUE"):
        cli.parse_options(["cutoff"])


def test_table_lists_every_instrument_with_its_status() -> None:
    table = cli.instruments_table(list_instruments()).splitlines()
    assert table[0].split() == ["ID", "VERSION", "TITLE", "ITEMS", "STATUS"]
    rows = {line.split()[0]: line for line in table[1:]}
    assert set(rows) == {d.id for d in list_instruments()}
    assert "10 (9 scored)" in rows["phq9"]
    assert rows["phq9"].endswith("enabled")
    assert "disabled: Licence-gated" in rows["epds"]


def test_json_listing_round_trips() -> None:
    listing = json.loads(cli.instruments_json(list_instruments()))
    by_id = {entry["id"]: entry for entry in listing}
    assert by_id["phq9"]["versioned_id"] == "phq9@1.0.0"
    assert by_id["epds"]["enabled"] is False


@needs_django
def test_instruments_list_command_prints_the_table() -> None:
    from django.core.management import call_command

    out = StringIO()
    call_command("instruments", "list", stdout=out)
    assert "phq9" in out.getvalue()
    assert "disabled: Licence-gated" in out.getvalue()


@needs_django
def test_instruments_list_command_prints_json() -> None:
    from django.core.management import call_command

    out = StringIO()
    call_command("instruments", "list", "--json", stdout=out)
    assert len(json.loads(out.getvalue())) == len(list_instruments())


@needs_django
def test_score_command_prints_the_result_json() -> None:
    from django.core.management import call_command

    out = StringIO()
    call_command("score", "phq9", "--answers", "3,3,3,3,3,3,3,3,1", stdout=out)
    result = json.loads(out.getvalue())
    assert (result["total"], result["band"], result["caseness"]) == (25, "severe", True)
    assert result["risk_flags"][0]["code"] == "phq9_item9_positive"
    assert result["instrument_version"] == "1.0.0"


@needs_django
def test_score_command_handles_missing_items_and_sex() -> None:
    from django.core.management import call_command

    out = StringIO()
    call_command("score", "phq9", "--answers=-,1,1,1,1,1,1,1,1", stdout=out)
    assert json.loads(out.getvalue())["prorated"] is True
    out = StringIO()
    call_command("score", "audit_c", "--answers", "1,1,1", "--sex", "female", stdout=out)
    assert json.loads(out.getvalue())["caseness"] is True


@needs_django
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["phq9", "--answers", "1,2"], "PHQ-9 expects 9 answers"),
        (["phq9", "--answers", "1,x"], "not an integer"),
        (["nope", "--answers", "1"], "unknown instrument 'nope'"),
        (["pcl5", "--answers", ",".join(["0"] * 20), "--option", "cutoff=40"], "cutoff"),
    ],
)
def test_score_command_turns_bad_input_into_a_command_error(args: list[str], message: str) -> None:
    from django.core.management import call_command
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match=message):
        call_command("score", *args, stdout=StringIO())
