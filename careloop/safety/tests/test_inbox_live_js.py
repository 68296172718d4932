"""The live inbox's gap logic (static/safety/inbox_stream.js), run in node: entries are taken
only while their numbers continue without a jump, and a jump or a page limit asks again at once."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders

NODE = shutil.which("node")
pytestmark = pytest.mark.skipif(NODE is None, reason="node is not installed")


def run(expression: str) -> object:
    path = finders.find("safety/inbox_stream.js")
    assert isinstance(path, str)
    script = (
        f"const s = require({json.dumps(str(Path(path)))});"
        f"process.stdout.write(JSON.stringify({expression}));"
    )
    done = subprocess.run(  # noqa: S603  # our own node and script, fixed inputs
        [str(NODE), "-e", script], capture_output=True, text=True, timeout=30, check=True
    )
    return json.loads(done.stdout)


def page(head: int, *numbers: int) -> str:
    return json.dumps({"last_seq": head, "entries": [{"seq": n} for n in numbers]})


def test_contiguous_entries_are_all_taken() -> None:
    result = run(f"s.take(3, {page(5, 4, 5)})")
    assert result == {
        "accepted": [{"seq": 4}, {"seq": 5}],
        "lastSeq": 5,
        "gap": False,
        "behind": False,
    }


def test_a_jump_stops_at_the_last_contiguous_number_and_asks_again() -> None:
    result = run(f"s.take(3, {page(7, 4, 6, 7)})")
    assert result == {"accepted": [{"seq": 4}], "lastSeq": 4, "gap": True, "behind": True}


def test_a_jump_right_after_the_last_number_takes_nothing() -> None:
    result = run(f"s.take(3, {page(6, 5, 6)})")
    assert result == {"accepted": [], "lastSeq": 3, "gap": True, "behind": True}


def test_repeated_and_unordered_entries_are_shown_once_in_order() -> None:
    result = run(f"s.take(3, {page(5, 5, 2, 3, 4)})")
    assert [e["seq"] for e in result["accepted"]] == [4, 5]  # type: ignore[index]
    assert result["lastSeq"] == 5  # type: ignore[index]


def test_a_page_limit_leaves_the_client_behind_the_head() -> None:
    result = run(f"s.take(0, {page(250, *range(1, 101))})")
    assert result["lastSeq"] == 100 and result["behind"] and not result["gap"]  # type: ignore[index]


def test_an_empty_reply_at_the_head_waits_for_the_next_poll() -> None:
    assert run(f"s.take(9, {page(9)})") == {
        "accepted": [],
        "lastSeq": 9,
        "gap": False,
        "behind": False,
    }


def test_delays_poll_steadily_retry_at_once_when_behind_and_back_off_on_failures() -> None:
    delays = run(
        "[s.nextDelay({failures: 0, behind: false, stalled: 0}, 5000),"
        " s.nextDelay({failures: 0, behind: true, stalled: 0}, 5000),"
        " s.nextDelay({failures: 0, behind: true, stalled: 3}, 5000),"
        " s.nextDelay({failures: 1, behind: false, stalled: 0}, 5000),"
        " s.nextDelay({failures: 9, behind: false, stalled: 0}, 5000)]"
    )
    # Steady; at once when behind; no hot loop when a jump will not fill; doubling; capped.
    assert delays == [5000, 0, 5000, 10000, 60000]
