"""The offline outbox's pure logic (static/careloop/outbox.js), run in node (#14 item 2): what an
answer means for an item, the backoff, which items are due and whose, and a whole send round
against a fake server that de-duplicates on client_id, as the JSON API does."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.contrib.staticfiles import finders

NODE = shutil.which("node")
pytestmark = pytest.mark.skipif(NODE is None, reason="node is not installed")


def run(body: str) -> Any:
    """Run `body` (async JS with `o` bound to the module) and return what it hands to `done`."""
    path = finders.find("careloop/outbox.js")
    assert isinstance(path, str)
    script = (
        f"const o = require({json.dumps(str(Path(path)))});"
        "const done = (v) => process.stdout.write(JSON.stringify(v));"
        f"(async () => {{ {body} }})().catch((e) => {{ console.error(e); process.exit(1); }});"
    )
    finished = subprocess.run(  # noqa: S603  # our own node and script, fixed inputs
        [str(NODE), "-e", script], capture_output=True, text=True, timeout=30, check=True
    )
    return json.loads(finished.stdout)


ITEM = (
    'o.makeItem("checkin", {mood: 4, note: ""}, {id: "11111111-1111-4111-8111-111111111111",'
    ' owner: "ada", label: "your mood check-in", now: new Date("2026-12-07T08:00:00Z")})'
)


def test_an_item_carries_its_client_id_and_when_it_was_finished() -> None:
    item = run(f"done({ITEM})")
    assert item == {
        "id": "11111111-1111-4111-8111-111111111111",
        "kind": "checkin",
        "owner": "ada",
        "label": "your mood check-in",
        "body": {
            "mood": 4,
            "note": "",
            "client_id": "11111111-1111-4111-8111-111111111111",
            "completed_at": "2026-12-07T08:00:00.000Z",
        },
        "createdAt": "2026-12-07T08:00:00.000Z",
        "attempts": 0,
        "nextTryAt": 0,
        "state": "waiting",
        "problem": "",
    }


def test_a_journal_entry_sends_when_it_was_written() -> None:
    body = run(
        'done(o.makeItem("journal", {body: "x"}, {id: "i", owner: 1,'
        ' now: new Date("2026-12-07T08:00:00Z")}).body)'
    )
    assert body == {"body": "x", "client_id": "i", "written_at": "2026-12-07T08:00:00.000Z"}


@pytest.mark.parametrize(
    ("status", "outcome"),
    [
        (200, "sent"),  # a replay: stored earlier under this client id
        (201, "sent"),
        (0, "retry"),  # no connection
        (408, "retry"),
        (429, "retry"),
        (500, "retry"),
        (503, "retry"),
        (401, "signed_out"),
        (403, "signed_out"),
        (404, "refused"),
        (409, "refused"),  # this client id was used for different content: never dropped
        (422, "refused"),
    ],
)
def test_what_an_answer_means(status: int, outcome: str) -> None:
    assert run(f"done(o.classify({status}))") == outcome


def test_backoff_doubles_from_five_seconds_up_to_ten_minutes() -> None:
    waits = run("done([1, 2, 3, 4, 8, 20].map(o.backoffMs))")
    assert waits == [5000, 10000, 20000, 40000, 600000, 600000]


def test_only_a_2xx_removes_an_item_and_a_refusal_keeps_it_with_the_reason() -> None:
    results = run(
        f"const item = {ITEM};"
        "done([o.afterAttempt(item, 201, 1000, ''), o.afterAttempt(item, 503, 1000, ''),"
        " o.afterAttempt(item, 422, 1000, 'mood must be 0 to 10')]);"
    )
    sent, retry, refused = results
    assert sent == {"item": None, "outcome": "sent"}
    assert retry["outcome"] == "retry"
    assert retry["item"]["state"] == "waiting"
    assert retry["item"]["attempts"] == 1
    assert retry["item"]["nextTryAt"] == 1000 + 5000
    assert refused["item"]["state"] == "refused"
    assert refused["item"]["problem"] == "mood must be 0 to 10"


def test_due_items_are_the_owners_waiting_ones_past_their_backoff_oldest_first() -> None:
    ids = run(
        "const items = ["
        ' {id: "late", owner: "ada", state: "waiting", nextTryAt: 0, createdAt: "T09"},'
        ' {id: "early", owner: "ada", state: "waiting", nextTryAt: 0, createdAt: "T08"},'
        ' {id: "backing-off", owner: "ada", state: "waiting", nextTryAt: 5000, createdAt: "T07"},'
        ' {id: "refused", owner: "ada", state: "refused", nextTryAt: 0, createdAt: "T01"},'
        ' {id: "someone-else", owner: "bo", state: "waiting", nextTryAt: 0, createdAt: "T01"}];'
        'done([o.dueItems(items, "ada", 1000).map((i) => i.id),'
        ' o.dueItems(items, "ada", 1000, true).map((i) => i.id), o.counts(items, "ada")]);'
    )
    assert ids == [
        ["early", "late"],
        ["backing-off", "early", "late"],
        {"waiting": 3, "refused": 1},
    ]


FAKE = """
const stored = new Map();  // the server: one row per client_id, as core/idempotency.py keeps it
let failNext = 0;
const memory = new Map();
const store = {
  all: async () => Array.from(memory.values()),
  put: async (item) => { memory.set(item.id, item); },
  remove: async (id) => { memory.delete(id); },
};
const fetch = async (url, init) => {
  if (failNext > 0) { failNext -= 1; throw new TypeError("Failed to fetch"); }
  const body = JSON.parse(init.body);
  if (init.headers["X-CSRFToken"] !== "token") {
    return { ok: false, status: 403, json: async () => ({ detail: "CSRF" }) };
  }
  const created = !stored.has(body.client_id);
  if (created) stored.set(body.client_id, { url, body });
  return { ok: true, status: created ? 201 : 200, json: async () => stored.get(body.client_id) };
};
const make = (n) => o.makeItem("checkin", { mood: n, note: "" },
  { id: "id-" + n, owner: "ada", label: "check-in " + n, now: new Date(Date.UTC(2026, 11, 7, n)) });
"""


def test_a_round_sends_each_item_once_and_empties_the_outbox() -> None:
    result = run(
        FAKE + "await store.put(make(2)); await store.put(make(1));"
        "const sent = await o.flushNow({owner: 'ada', csrf: 'token', fetch, store});"
        "done({outcomes: sent.map((r) => [r.item.id, r.outcome]), left: memory.size,"
        " server: Array.from(stored.keys())});"
    )
    assert result == {
        "outcomes": [["id-1", "sent"], ["id-2", "sent"]],
        "left": 0,
        "server": ["id-1", "id-2"],
    }


def test_a_dropped_connection_keeps_the_item_and_a_resend_is_stored_once() -> None:
    """The first try fails before any answer; the next round sends it; a third copy of the same
    item (say, a second tab) is answered 200 by the server and still stored once."""
    result = run(
        FAKE + "const item = make(1); await store.put(item); failNext = 1;"
        "const first = await o.flushNow({owner: 'ada', csrf: 'token', fetch, store, "
        " now: () => 0});"
        "const kept = memory.get('id-1');"
        "const early = await o.flushNow({owner: 'ada', csrf: 'token', fetch, store, "
        " now: () => 1000});"
        "const second = await o.flushNow({owner: 'ada', csrf: 'token', fetch, store, "
        " now: () => 6000});"
        "await store.put(item);"
        "const third = await o.flushNow({owner: 'ada', csrf: 'token', fetch, store});"
        "done({first: first.map((r) => r.outcome), kept: [kept.attempts, kept.nextTryAt],"
        " early: early.length, second: second.map((r) => r.outcome),"
        " third: third.map((r) => r.outcome), left: memory.size, server: stored.size});"
    )
    assert result == {
        "first": ["retry"],
        "kept": [1, 5000],
        "early": 0,  # still backing off
        "second": ["sent"],
        "third": ["sent"],
        "left": 0,
        "server": 1,
    }


def test_a_refused_token_keeps_everything_and_stops_the_round() -> None:
    result = run(
        FAKE + "await store.put(make(1)); await store.put(make(2));"
        "const sent = await o.flushNow({owner: 'ada', csrf: 'stale', fetch, store});"
        "done({outcomes: sent.map((r) => r.outcome), left: memory.size, server: stored.size});"
    )
    assert result == {"outcomes": ["signed_out"], "left": 2, "server": 0}


def test_another_patients_items_are_never_sent_with_this_session() -> None:
    result = run(
        FAKE + "await store.put(make(1));"
        "const sent = await o.flushNow({owner: 'bo', csrf: 'token', fetch, store});"
        "done({sent: sent.length, left: memory.size});"
    )
    assert result == {"sent": 0, "left": 1}


def test_a_questionnaire_finished_on_an_earlier_day_is_told_so() -> None:
    result = run(
        'const q = o.makeItem("assessment", {instrument: "phq9", answers: []},'
        ' {id: "q", owner: "ada", now: new Date(2026, 11, 6, 22, 0)});'
        'const c = o.makeItem("checkin", {mood: 1}, {id: "c", owner: "ada",'
        " now: new Date(2026, 11, 6, 22, 0)});"
        "done([o.finishedEarlierDay(q, new Date(2026, 11, 7, 9, 0)),"
        " o.finishedEarlierDay(q, new Date(2026, 11, 6, 23, 0)),"
        " o.finishedEarlierDay(c, new Date(2026, 11, 7, 9, 0))]);"
    )
    assert result == [True, False, False]
