// The gap logic of the live alert inbox, with no page in it (node tests it directly:
// careloop/safety/tests/test_inbox_live_js.py).
//
// Each clinician's inbox entries are numbered 1, 2, 3... with no gaps (safety.services.inbox).
// The page remembers the last number it showed and asks for everything after it. `take` keeps
// only the entries that continue the numbers without a jump; anything after a jump is left for
// the next request, which starts again from the last number kept, so nothing is ever skipped,
// shown twice or shown out of order.
(function (root, factory) {
  "use strict";
  var api = factory();
  if (typeof module === "object" && module.exports) { module.exports = api; }
  else { root.CareloopInboxStream = api; }
})(this, function () {
  "use strict";

  // page: {last_seq: <head of the stream>, entries: [{seq: n, ...}, ...]} from the inbox API.
  // Returns {accepted: [...], lastSeq: n, gap: bool, behind: bool}:
  //   accepted - the entries to show now, in order;
  //   gap      - an entry further on than lastSeq + 1 came back (something in between is missing);
  //   behind   - the stream's head is past what was taken (a gap, or a page limit): ask again now.
  function take(lastSeq, page) {
    var entries = (page && page.entries ? page.entries : []).slice();
    entries.sort(function (a, b) { return a.seq - b.seq; });
    var accepted = [];
    var seq = lastSeq;
    var gap = false;
    for (var i = 0; i < entries.length; i += 1) {
      var number = entries[i].seq;
      if (number <= seq) { continue; }  // already shown (a repeated or overlapping reply)
      if (number !== seq + 1) { gap = true; break; }
      accepted.push(entries[i]);
      seq = number;
    }
    var head = page && typeof page.last_seq === "number" ? page.last_seq : seq;
    return { accepted: accepted, lastSeq: seq, gap: gap, behind: head > seq };
  }

  // How long to wait before the next request: at once when behind (but not in a loop: after
  // `maxRetries` immediate retries that made no progress, wait as usual), and longer after
  // each failure in a row (doubling, at most a minute).
  function nextDelay(state, pollMs) {
    if (state.failures > 0) { return Math.min(pollMs * Math.pow(2, state.failures), 60000); }
    if (state.behind && state.stalled < 3) { return 0; }
    return pollMs;
  }

  return { take: take, nextDelay: nextDelay };
});
