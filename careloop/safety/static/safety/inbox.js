// The clinician's live alert inbox: short polling of /api/alerts/inbox?after_seq=N every few
// seconds (docs/workspace/alerts.md says why polling and not server-sent events). The numbering
// and gap rules are in inbox_stream.js; this file only draws rows and speaks.
// No inline script (CSP script-src 'self'); text is set with textContent only; focus is never
// moved: new alerts are announced through the polite live region.
(function () {
  "use strict";
  var root = document.getElementById("alert-inbox");
  var stream = window.CareloopInboxStream;
  if (!root || !window.fetch || !stream) { return; }
  var url = root.getAttribute("data-inbox-url");
  var detailBase = root.getAttribute("data-detail-url");
  var pollMs = Number(root.getAttribute("data-poll-ms")) || 5000;
  var idleMs = Number(root.getAttribute("data-idle-ms")) || 450000;
  var lastSeq = Number(root.getAttribute("data-last-seq")) || 0;
  var labels = JSON.parse(root.getAttribute("data-labels") || "{}");
  var body = root.querySelector("tbody");
  var status = document.getElementById("alert-inbox-status");
  var baseTitle = document.title;
  var unseen = 0;
  var state = { failures: 0, behind: false, stalled: 0 };
  var lastActivity = Date.now();
  var paused = false;

  // Polls are not activity (the staff idle sign-out must still happen): after a long time with
  // nobody touching the page, stop; the next key, pointer, scroll or focus starts again.
  ["keydown", "pointerdown", "scroll", "focusin"].forEach(function (name) {
    window.addEventListener(name, function () {
      lastActivity = Date.now();
      if (paused) {
        paused = false;
        announce(labels.up_to_date || "");
        poll();
      }
    }, { passive: true });
  });

  function label(group, value) {
    return (labels[group] && labels[group][value]) || value;
  }

  function format(text, values) {
    Object.keys(values).forEach(function (key) {
      text = text.split("%(" + key + ")s").join(String(values[key]));
    });
    return text;
  }

  function announce(text) {
    status.textContent = text;
  }

  function cell(row, text) {
    var td = document.createElement("td");
    td.textContent = text;
    row.appendChild(td);
    return td;
  }

  function render(entry) {
    var empty = body.querySelector("tr.empty");
    if (empty) { empty.remove(); }
    var row = document.createElement("tr");
    row.setAttribute("data-seq", String(entry.seq));
    cell(row, String(entry.seq));
    if (!entry.alert) {
      cell(row, labels.hidden || "").colSpan = 5;
      body.appendChild(row);
      return;
    }
    row.setAttribute("data-alert-id", entry.alert.id);
    var what = entry.kind === "alert" ? labels.respond : labels.acknowledged;
    var whatText = entry.step ? what + " (" + labels.step + " " + entry.step + ")" : what;
    if (entry.step) { row.setAttribute("data-step", String(entry.step)); }
    var whatCell = cell(row, "");
    whatCell.className = "what";
    if (entry.kind === "alert") {
      row.className = "respond";
      var strong = document.createElement("strong");
      strong.textContent = whatText;
      whatCell.appendChild(strong);
    } else {
      whatCell.textContent = whatText;
    }
    var who = cell(row, "");
    var link = document.createElement("a");
    link.href = detailBase + entry.alert.id + "/";
    link.textContent = entry.alert.patient_name;
    who.appendChild(link);
    var severity = cell(row, "");
    var badge = document.createElement("span");
    badge.className = "badge severity-" + entry.alert.severity;
    badge.textContent = label("severity", entry.alert.severity);
    severity.appendChild(badge);
    cell(row, entry.alert.reason);
    // Earlier rows about the same alert now read as its latest state; once it is taken on they
    // no longer ask for a response.
    var status_ = label("status", entry.alert.status);
    body.querySelectorAll('tr[data-alert-id="' + entry.alert.id + '"]').forEach(function (old) {
      var oldStatus = old.querySelector(".alert-status");
      if (oldStatus) { oldStatus.textContent = status_; }
      var asked = old.querySelector(".what");
      if (entry.kind !== "alert" && old.classList.contains("respond") && asked) {
        old.classList.remove("respond");
        var step = old.getAttribute("data-step");
        asked.textContent = step ? labels.asked + " (" + labels.step + " " + step + ")" : labels.asked;
      }
    });
    var statusCell = cell(row, status_);
    statusCell.className = "alert-status";
    body.appendChild(row);  // whole, after the rows above were brought up to date
  }

  function schedule() {
    if (Date.now() - lastActivity > idleMs) {
      paused = true;
      announce(labels.paused || "");
      return;
    }
    setTimeout(poll, stream.nextDelay(state, pollMs));
  }

  function show(result) {
    var fresh = [];
    result.accepted.forEach(function (entry) {
      render(entry);
      if (entry.kind === "alert" && entry.alert) { fresh.push(entry); }
    });
    if (fresh.length === 1) {
      announce(format(labels.announce_one, {
        what: fresh[0].alert.patient_name + ": " + fresh[0].alert.reason,
      }));
    } else if (fresh.length > 1) {
      announce(format(labels.announce_many, { n: fresh.length }));
    }
    if (fresh.length && document.hidden) {
      unseen += fresh.length;
      document.title = "(" + unseen + ") " + baseTitle;
    }
  }

  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) { unseen = 0; document.title = baseTitle; }
  });

  function poll() {
    fetch(url + "?after_seq=" + lastSeq, {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then(function (response) {
        if (response.status === 401 || response.status === 403) {
          announce(labels.ended || "");
          throw null;  // signed out (idle limit): stop; the page says so
        }
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      })
      .then(function (page) {
        var result = stream.take(lastSeq, page);
        if (state.failures > 0) { announce(labels.up_to_date || ""); }
        state.stalled = result.accepted.length ? 0 : state.stalled + (result.behind ? 1 : 0);
        state.behind = result.behind;
        state.failures = 0;
        lastSeq = result.lastSeq;
        show(result);
        if (result.gap && state.stalled >= 3) { announce(labels.gap || ""); }
        schedule();
      })
      .catch(function (error) {
        if (error === null) { return; }
        state.failures += 1;
        announce(labels.lost || "");
        schedule();
      });
  }

  setTimeout(poll, pollMs);
})();
