"""`careloop screen-text`: JSON lines in, JSON lines out; malformed lines reported, never fatal
to the others, and the exit status says whether every line was screened."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from careloop.safety.text import semantic

pytestmark = pytest.mark.usefixtures("rules_only")

REQUESTS: list[dict[str, Any]] = [
    {"id": "j-1", "text": "I had a good day at work."},
    {"id": 2, "text": "I want to kill myself tonight.", "language": "en"},
    {"id": "j-3", "text": "Ya no quiero vivir.", "language": "es-MX"},
    {"id": "j-4", "text": "My friend is suicidal and I’m worried."},
]


def run(lines: list[str]) -> tuple[list[dict[str, Any]], str, CommandError | None]:
    out, err = io.StringIO(), io.StringIO()
    failure = None
    try:
        call_command(
            "screen_text", stdin=io.StringIO("\n".join(lines) + "\n"), stdout=out, stderr=err
        )
    except CommandError as error:
        failure = error
    return [json.loads(line) for line in out.getvalue().splitlines()], err.getvalue(), failure


def test_round_trip_keeps_ids_order_and_explains_each_level() -> None:
    results, errors, failure = run([json.dumps(r) for r in REQUESTS])
    assert failure is None and errors == ""
    assert [r["id"] for r in results] == ["j-1", 2, "j-3", "j-4"]
    assert [r["level"] for r in results] == ["none", "high", "moderate", "low"]
    for request, result in zip(REQUESTS, results, strict=True):
        assert set(result) == {"id", "level", "score", "evidence", "detector_version", "model"}
        for span in result["evidence"]:
            assert request["text"][span["start"] : span["end"]] == span["text"]
    assert results[1]["evidence"][0]["rule_id"] == "en.active_ideation.kill_myself"
    assert results[0]["evidence"] == [] and results[0]["score"] == 0.0


def test_malformed_lines_are_reported_and_the_rest_still_screened() -> None:
    lines = [
        json.dumps(REQUESTS[1]),
        "this is not json",
        json.dumps(["a", "list"]),
        json.dumps({"id": "no-text"}),
        json.dumps({"id": True, "text": "booleans are not ids"}),
        json.dumps({"id": "x", "text": "hola", "language": "not a tag!"}),
        "",
        json.dumps(REQUESTS[2]),
    ]
    results, errors, failure = run(lines)
    assert [r["id"] for r in results] == [2, "j-3"]
    assert failure is not None and "5 malformed line(s) not screened; 2 line(s) screened" in str(
        failure
    )
    assert errors.splitlines() == [
        "line 2: not valid JSON (Expecting value at column 1)",
        'line 3: expected a JSON object like {"id": "1", "text": "..."}',
        "line 4: \"text\" must be a string (id 'no-text')",
        'line 5: "id" must be a string or an integer',
        "line 6: language 'not a tag!' is not a language tag such as 'fr' or 'pt-BR' "
        "(screened: en, es, fr, pt, de, ar); leave it out to detect the language",
    ]


def test_a_language_the_detector_does_not_cover_is_marked_unscreened_not_none() -> None:
    lines = [
        json.dumps({"id": "it", "text": "Oggi sono andato al mare.", "language": "it"}),
        json.dumps({"id": "ru", "text": "Сегодня хорошая погода."}),
        json.dumps({"id": "ar", "text": "أريد أن أقتل نفسي"}),
    ]
    results, errors, failure = run(lines)
    assert (errors, failure) == ("", None)
    assert [(r["id"], r["level"]) for r in results] == [
        ("it", "unscreened"),
        ("ru", "unscreened"),
        ("ar", "moderate"),
    ]


def test_empty_input_is_not_an_error() -> None:
    results, errors, failure = run([])
    assert (results, errors, failure) == ([], "", None)


def test_a_lone_surrogate_is_screened_not_refused() -> None:
    results, _, failure = run(['{"id": "s", "text": "I want to die \\ud800 now"}'])
    assert failure is None
    assert results[0]["level"] == "moderate"


def _careloop(stdin: bytes) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, semantic.KILL_SWITCH: "off", "PYTHONIOENCODING": "utf-8"}
    return subprocess.run(
        [sys.executable, "-m", "careloop.core.cli", "screen-text"],
        input=stdin,
        capture_output=True,
        env=env,
        cwd=Path(__file__).resolve().parents[4],
        timeout=120,
        check=False,
    )


def test_the_real_command_exits_zero_when_every_line_is_screened() -> None:
    done = _careloop(b'{"id": "a", "text": "Quiero morirme."}\n')
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["level"] == "moderate"


def test_the_real_command_exits_non_zero_after_a_malformed_line() -> None:
    done = _careloop(
        b'{"id": "a", "text": "fine"}\n\xff\xfe broken bytes\n{"id": "b", "text": "ok"}\n'
    )
    assert done.returncode == 1
    assert [json.loads(line)["id"] for line in done.stdout.splitlines()] == ["a", "b"]
    assert b"line 2: not valid UTF-8" in done.stderr


def test_the_issue_spelling_careloop_safety_screen_text_runs_the_same_command() -> None:
    import io
    import json

    from django.core.management import call_command

    out = io.StringIO()
    lines = io.StringIO(json.dumps({"id": "a", "text": "I want to kill myself tonight."}) + "\n")
    call_command("safety", "screen-text", stdin=lines, stdout=out)
    [result] = [json.loads(line) for line in out.getvalue().splitlines()]
    assert result["id"] == "a"
    assert result["level"] in ("moderate", "high")
