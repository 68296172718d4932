// Careloop offline outbox (#14 item 2, docs/patient-app/offline.md). A check-in, journal entry or
// questionnaire written without a connection waits here, in IndexedDB, under a client-chosen id
// (its client_id), until it reaches the JSON API. The API stores one row per client_id and answers
// a re-send with the stored row (200), so sending twice never makes two copies; an item leaves
// the outbox only after a 2xx answer, so it is never lost on the way.
//
// The pure parts (making an item, judging an answer, backoff, which items are due) take their
// inputs as arguments and are tested under node (careloop/core/tests/test_outbox_js.py). The same
// file runs in the page (window.CareloopOutbox) and in the service worker (importScripts).
(function (root, factory) {
  "use strict";
  const api = factory();
  if (typeof module === "object" && module.exports) {
    module.exports = api;
  } else {
    root.CareloopOutbox = api;
  }
})(typeof self !== "undefined" ? self : this, function () {
  "use strict";
  const DB_NAME = "careloop-outbox";
  const STORE = "items";
  const SYNC_TAG = "careloop-outbox";
  const ENDPOINTS = {
    checkin: "/api/checkins",
    journal: "/api/journal/entries",
    assessment: "/api/assessments",
  };
  const FIRST_WAIT_MS = 5000;
  const LONGEST_WAIT_MS = 10 * 60 * 1000;

  // --- pure ------------------------------------------------------------------------------------

  /** A new outbox item. `id` is the client_id the API de-duplicates on; `completedAt` is when the
   *  patient finished, sent as completed_at (check-ins, questionnaires) or written_at (journal). */
  function makeItem(kind, payload, options) {
    if (!ENDPOINTS[kind]) {
      throw new Error("unknown kind of item: " + kind);
    }
    const completedAt = options.now.toISOString();
    const body = Object.assign({}, payload, { client_id: options.id });
    body[kind === "journal" ? "written_at" : "completed_at"] = completedAt;
    return {
      id: options.id,
      kind: kind,
      owner: String(options.owner),
      label: options.label || "",
      body: body,
      createdAt: completedAt,
      attempts: 0,
      nextTryAt: 0,
      state: "waiting", // "waiting" (will be sent) or "refused" (the server said no: shown)
      problem: "",
    };
  }

  /** What an HTTP answer means for an item: "sent" (2xx: stored now or earlier under this id),
   *  "retry" (no answer, a timeout, too many requests, a server error: try again later),
   *  "signed_out" (401/403: the session ended or its token changed; kept until signed in again),
   *  "refused" (any other 4xx: the server will never take it as it is; kept and shown). */
  function classify(status) {
    if (status >= 200 && status < 300) {
      return "sent";
    }
    if (status === 0 || status === 408 || status === 425 || status === 429 || status >= 500) {
      return "retry";
    }
    if (status === 401 || status === 403) {
      return "signed_out";
    }
    return "refused";
  }

  /** Wait before the next try after `attempts` failed ones: 5 s, 10 s, 20 s … at most 10 min. */
  function backoffMs(attempts) {
    const wait = FIRST_WAIT_MS * Math.pow(2, Math.max(0, attempts - 1));
    return Math.min(wait, LONGEST_WAIT_MS);
  }

  /** The item after one try (null when it is to leave the outbox) and the outcome. */
  function afterAttempt(item, status, nowMs, problem) {
    const outcome = classify(status);
    if (outcome === "sent") {
      return { item: null, outcome: outcome };
    }
    const next = Object.assign({}, item, { attempts: item.attempts + 1, problem: problem || "" });
    if (outcome === "refused") {
      next.state = "refused";
    } else {
      next.nextTryAt = nowMs + backoffMs(next.attempts);
    }
    return { item: next, outcome: outcome };
  }

  /** The owner's waiting items whose time has come, oldest first (the order they were made). */
  function dueItems(items, owner, nowMs, ignoreBackoff) {
    return items
      .filter((item) => item.owner === String(owner) && item.state === "waiting")
      .filter((item) => ignoreBackoff || item.nextTryAt <= nowMs)
      .sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0));
  }

  function counts(items, owner) {
    const mine = items.filter((item) => item.owner === String(owner));
    return {
      waiting: mine.filter((item) => item.state === "waiting").length,
      refused: mine.filter((item) => item.state === "refused").length,
    };
  }

  /** True when a questionnaire was finished on an earlier day than it reached the server: the
   *  patient is told it counts for the day they finished it (the expiry rule, offline.md). */
  function finishedEarlierDay(item, now) {
    if (item.kind !== "assessment") {
      return false;
    }
    return new Date(item.createdAt).toDateString() !== now.toDateString();
  }

  // --- IndexedDB -------------------------------------------------------------------------------

  function request(req) {
    return new Promise((resolve, reject) => {
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
  }

  function openDb() {
    const req = indexedDB.open(DB_NAME, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE, { keyPath: "id" });
    return request(req);
  }

  async function withStore(mode, use) {
    const db = await openDb();
    try {
      const tx = db.transaction(STORE, mode);
      const result = await request(use(tx.objectStore(STORE)));
      await new Promise((resolve, reject) => {
        tx.oncomplete = resolve;
        tx.onerror = () => reject(tx.error);
        tx.onabort = () => reject(tx.error);
      });
      return result;
    } finally {
      db.close();
    }
  }

  const idbStore = {
    all: () => withStore("readonly", (store) => store.getAll()),
    put: (item) => withStore("readwrite", (store) => store.put(item)),
    remove: (id) => withStore("readwrite", (store) => store.delete(id)),
  };

  // --- sending ---------------------------------------------------------------------------------

  async function send(item, csrf, fetchImpl) {
    try {
      const response = await fetchImpl(ENDPOINTS[item.kind], {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf || "" },
        body: JSON.stringify(item.body),
      });
      let detail = "";
      if (!response.ok) {
        try {
          const data = await response.json();
          detail = (data && (data.detail || data.message)) || "";
        } catch (error) {
          detail = "";
        }
      }
      let data = null;
      if (response.ok) {
        try {
          data = await response.json();
        } catch (error) {
          data = null;
        }
      }
      return { status: response.status, detail: String(detail), data: data };
    } catch (error) {
      return { status: 0, detail: "", data: null }; // no connection
    }
  }

  /** Send the owner's due items one by one (oldest first). Returns what happened to each:
   *  [{item, outcome, data}]. A "retry" stops the round: the connection is likely gone. */
  async function flushNow(options) {
    const store = options.store || idbStore;
    const now = options.now || (() => Date.now());
    const items = dueItems(await store.all(), options.owner, now(), options.ignoreBackoff);
    const results = [];
    for (const item of items) {
      const answer = await send(item, options.csrf, options.fetch);
      const next = afterAttempt(item, answer.status, now(), answer.detail);
      if (next.item === null) {
        await store.remove(item.id);
      } else {
        await store.put(next.item);
      }
      results.push({ item: item, outcome: next.outcome, data: answer.data });
      if (next.outcome === "retry" || next.outcome === "signed_out") {
        break;
      }
    }
    return results;
  }

  /** flushNow, one tab at a time where the browser has Web Locks (two tabs sending the same item
   *  would still store it once: the server de-duplicates on client_id). */
  function flush(options) {
    const locks = typeof navigator !== "undefined" && navigator.locks;
    if (locks && !options.store) {
      return locks.request("careloop-outbox", () => flushNow(options));
    }
    return flushNow(options);
  }

  return {
    SYNC_TAG: SYNC_TAG,
    ENDPOINTS: ENDPOINTS,
    makeItem: makeItem,
    classify: classify,
    backoffMs: backoffMs,
    afterAttempt: afterAttempt,
    dueItems: dueItems,
    counts: counts,
    finishedEarlierDay: finishedEarlierDay,
    store: idbStore,
    flush: flush,
    flushNow: flushNow,
  };
});
