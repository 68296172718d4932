// The clinician's live alert inbox: short polling of /api/alerts/inbox?after_seq=N.
// Each entry carries the next number of this clinician's stream, so a jump in the numbers means
// something was missed and is fetched again from the last number seen (no entry is ever lost).
// No framework, no inline script (served from static); text is set with textContent only.
(function () {
  "use strict";
  var root = document.getElementById("alert-inbox");
  if (!root || !window.fetch) { return; }
  var url = root.getAttribute("data-inbox-url");
  var detailBase = root.getAttribute("data-detail-url");
  var pollMs = Number(root.getAttribute("data-poll-ms")) || 5000;
  var lastSeq = Number(root.getAttribute("data-last-seq")) || 0;
  var body = root.querySelector("tbody");
  var status = document.getElementById("alert-inbox-status");

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
      cell(row, "No longer visible to you").colSpan = 5;
    } else {
      var what = entry.kind === "alert" ? "Please respond" : "Acknowledged";
      cell(row, entry.step ? what + " (step " + entry.step + ")" : what);
      var who = cell(row, "");
      var link = document.createElement("a");
      link.href = detailBase + entry.alert.id + "/";
      link.textContent = entry.alert.patient_name;
      who.appendChild(link);
      var severity = cell(row, "");
      var badge = document.createElement("span");
      badge.className = "badge";
      badge.textContent = entry.alert.severity;
      severity.appendChild(badge);
      cell(row, entry.alert.reason);
      cell(row, entry.alert.status);
    }
    body.appendChild(row);
  }

  function poll() {
    fetch(url + "?after_seq=" + lastSeq, {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      })
      .then(function (page) {
        var fresh = 0;
        page.entries.forEach(function (entry) {
          if (entry.seq === lastSeq + 1) {  // contiguous: take it
            render(entry);
            lastSeq = entry.seq;
            if (entry.kind === "alert") { fresh += 1; }
          }
        });
        if (fresh > 0) {
          status.textContent = fresh + " new alert(s) need a response (stream number " + lastSeq + ").";
        }
        // Behind the head (a page limit or a gap): ask again at once from the last number seen.
        setTimeout(poll, page.last_seq > lastSeq ? 0 : pollMs);
      })
      .catch(function () {
        status.textContent = "Connection lost: retrying. Reload if this persists.";
        setTimeout(poll, pollMs);
      });
  }

  setTimeout(poll, pollMs);
})();
