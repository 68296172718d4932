// Careloop in the browser (#14 item 2, docs/patient-app/offline.md): registers the app-wide
// service worker, and on a patient's pages keeps check-ins, journal entries and questionnaire
// answers written offline in the outbox (careloop/outbox.js), shows "Waiting to send (n)" in the
// header and sends them when the connection returns. Without JavaScript every form still posts
// to the server as usual; online, the forms post as usual too.
(function () {
  "use strict";
  const script = document.currentScript;
  const status = document.getElementById("outbox-status");
  const owner = script ? script.dataset.owner : "";
  const Outbox = window.CareloopOutbox;
  let sending = false;

  function words(name, count) {
    const text = status ? status.dataset[name] || "" : "";
    return text.replace("{n}", String(count));
  }

  // --- the service worker ------------------------------------------------------------------------

  let registration = null;
  // Not on the sign-in pages: a worker installing there stores pages with the session of before
  // the password or the one-time code, and those requests raced the sign-in (seen in the
  // browser tests under load). It installs on the first page after; a worker already installed
  // keeps working. (Fetching them without cookies instead stalled the page's own copies of the
  // same files for 20 s in Chromium.)
  const signingIn = location.pathname.startsWith("/accounts/");
  if ("serviceWorker" in navigator && script && script.dataset.sw && !signingIn) {
    navigator.serviceWorker.register(script.dataset.sw, { scope: "/" }).then((reg) => {
      registration = reg;
      if (owner) {
        warm();
      }
    }).catch(() => {
      // No worker (private window, old browser): pages still work online.
    });
    navigator.serviceWorker.addEventListener("message", (event) => {
      if (event.data && event.data.type === "outbox-send") {
        sendWaiting(true);
      }
    });
  }

  // Today's tasks and the pages they link to are stored once per visit, so they open offline.
  function warm() {
    if (!navigator.onLine || sessionStorage.getItem("careloop-warm") === owner) {
      return;
    }
    const paths = new Set(["/", "/checkin/", "/journal/", "/safety/plan/"]);
    document.querySelectorAll("main a[href^='/questionnaires/']").forEach((link) => {
      paths.add(new URL(link.href).pathname);
    });
    navigator.serviceWorker.ready.then((reg) => {
      if (reg.active) {
        reg.active.postMessage({ type: "warm", paths: Array.from(paths) });
        sessionStorage.setItem("careloop-warm", owner);
      }
    });
  }

  if (!owner || !Outbox || !status || !("indexedDB" in window)) {
    return;
  }

  // --- the status in the header ------------------------------------------------------------------

  const summary = status.querySelector("[data-summary]");
  const news = status.querySelector("[data-news]");
  const problems = status.querySelector("[data-problems]");

  function say(text, link) {
    const line = document.createElement("p");
    line.textContent = text;
    if (link) {
      const anchor = document.createElement("a");
      anchor.href = link.href;
      anchor.textContent = link.text;
      line.append(" ", anchor);
    }
    news.append(line);
  }

  async function showCounts() {
    const items = await Outbox.store.all();
    const mine = items.filter((item) => item.owner === owner);
    const count = Outbox.counts(items, owner);
    if (count.waiting) {
      summary.textContent = words(navigator.onLine ? "sending" : "waiting", count.waiting);
    } else {
      summary.textContent = "";
    }
    problems.replaceChildren();
    mine.filter((item) => item.state === "refused").forEach((item) => {
      const row = document.createElement("li");
      row.textContent = words("refused", 1).replace("{what}", item.label) + " " + item.problem + " ";
      const remove = document.createElement("button");
      remove.type = "button";
      remove.className = "secondary";
      remove.textContent = words("remove", 1);
      remove.addEventListener("click", async () => {
        if (window.confirm(words("removeConfirm", 1))) {
          await Outbox.store.remove(item.id);
          showCounts();
        }
      });
      row.append(remove);
      problems.append(row);
    });
    status.hidden = !(count.waiting || count.refused || news.childElementCount);
  }

  function crisisLink() {
    return { href: status.dataset.crisisUrl, text: words("crisisLink", 1) };
  }

  function report(result) {
    const label = result.item.label;
    if (result.outcome === "sent") {
      const data = result.data || {};
      // A questionnaire's result page, as the form online would have opened it.
      const link = result.item.kind === "assessment" && data.id
        ? { href: status.dataset.resultUrl.replace("00000000-0000-0000-0000-000000000000", data.id),
          text: words("seeResult", 1) }
        : null;
      if (Outbox.finishedEarlierDay(result.item, new Date())) {
        const day = new Date(result.item.createdAt).toLocaleDateString(document.documentElement.lang, {
          weekday: "long", day: "numeric", month: "long",
        });
        say(words("sentLate", 1).replace("{what}", label).replace("{day}", day), link);
      } else {
        say(words("sent", 1).replace("{what}", label), link);
      }
      const flagged = data.concern_raised || data.screened === false
        || (Array.isArray(data.risk_flags) && data.risk_flags.length > 0);
      if (flagged) {
        say(words("concern", 1), crisisLink());
      }
    } else if (result.outcome === "signed_out") {
      say(words("signIn", 1));
    }
  }

  // --- sending -------------------------------------------------------------------------------------

  function csrfToken() {
    const names = ["csrftoken", "__Host-careloop-csrf"];
    for (const part of document.cookie.split(";")) {
      const [name, ...rest] = part.trim().split("=");
      if (names.includes(name)) {
        return decodeURIComponent(rest.join("="));
      }
    }
    const field = document.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  async function sendWaiting(ignoreBackoff) {
    if (sending || !navigator.onLine) {
      return showCounts();
    }
    sending = true;
    try {
      const results = await Outbox.flush({
        owner: owner, csrf: csrfToken(), fetch: window.fetch.bind(window),
        ignoreBackoff: Boolean(ignoreBackoff),
      });
      results.forEach(report);
    } finally {
      sending = false;
    }
    await scheduleNext();
    return showCounts();
  }

  // The next try when the backoff of the soonest waiting item ends (a connection that came back
  // half-way, a server error), and a slow check in case the browser misses an "online" event.
  let timer = null;
  async function scheduleNext() {
    const items = Outbox.dueItems(await Outbox.store.all(), owner, Infinity, true);
    clearTimeout(timer);
    if (items.length) {
      const soonest = Math.min.apply(null, items.map((item) => item.nextTryAt));
      timer = setTimeout(() => sendWaiting(false), Math.max(1000, soonest - Date.now()));
    }
  }

  window.addEventListener("online", () => {
    showCounts();
    setTimeout(() => sendWaiting(true), 500); // let the connection settle
  });
  window.addEventListener("offline", showCounts);
  setInterval(() => sendWaiting(false), 60000);
  sendWaiting(true);

  // --- the forms -------------------------------------------------------------------------------------

  function payload(form) {
    const kind = form.dataset.outbox;
    if (kind === "checkin") {
      const mood = form.querySelector("input[name=mood]:checked");
      if (!mood) {
        return null;
      }
      return { mood: Number(mood.value), note: form.elements.note.value };
    }
    if (kind === "journal") {
      const body = form.elements.body.value.trim();
      if (!body) {
        return null;
      }
      const mood = form.elements.mood.value;
      return {
        body: form.elements.body.value,
        mood: mood === "" ? null : Number(mood),
        shared_with_team: form.elements.shared.checked,
      };
    }
    if (kind === "assessment") {
      const answers = Array.from(form.querySelectorAll("fieldset")).map((set) => {
        const chosen = set.querySelector("input[type=radio]:checked");
        return chosen ? { code: chosen.dataset.code } : null;
      });
      if (answers.every((answer) => answer === null)) {
        return null;
      }
      return { instrument: form.dataset.instrument, answers: answers };
    }
    return null;
  }

  function newId() {
    if (window.crypto && crypto.randomUUID) {
      return crypto.randomUUID();
    }
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
    return hex.replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, "$1-$2-$3-$4-$5");
  }

  document.querySelectorAll("form[data-outbox]").forEach((form) => {
    const notice = document.createElement("div");
    notice.setAttribute("role", "status");
    notice.className = "outbox-notice";
    form.before(notice);
    form.addEventListener("submit", async (event) => {
      if (navigator.onLine) {
        return; // online: the form posts to the server as usual
      }
      event.preventDefault();
      const body = payload(form);
      notice.replaceChildren();
      if (body === null) {
        const line = document.createElement("p");
        line.className = "error";
        line.textContent = words("empty", 1);
        notice.append(line);
        return;
      }
      // A fresh client id every time: a page opened from the offline store carries the id it had
      // when it was stored, which an earlier send may already have used.
      const item = Outbox.makeItem(form.dataset.outbox, body, {
        id: newId(), owner: owner, label: form.dataset.outboxLabel || "", now: new Date(),
      });
      await Outbox.store.put(item);
      if (registration && registration.sync) {
        registration.sync.register(Outbox.SYNC_TAG).catch(() => {});
      }
      form.reset();
      const line = document.createElement("p");
      line.className = "callout";
      line.textContent = words("saved", 1).replace("{what}", item.label);
      notice.append(line);
      // Nobody reads what is written offline until it is sent: say where help is now.
      const help = document.createElement("p");
      help.textContent = words("offlineHelp", 1) + " ";
      const link = document.createElement("a");
      link.href = status.dataset.crisisUrl;
      link.textContent = words("crisisLink", 1);
      help.append(link);
      notice.append(help);
      showCounts();
    });
  });

  // --- signing out -----------------------------------------------------------------------------------

  // Sign-out empties this device's stores (Clear-Site-Data), the outbox with them: send first, and
  // if something still waits, say so and let the patient choose.
  document.querySelectorAll("form.sign-out").forEach((form) => {
    form.addEventListener("submit", async (event) => {
      if (form.dataset.confirmed === "yes") {
        return;
      }
      event.preventDefault();
      await sendWaiting(true);
      const count = Outbox.counts(await Outbox.store.all(), owner);
      const left = count.waiting + count.refused;
      if (left === 0 || window.confirm(words("signOutWarning", left))) {
        form.dataset.confirmed = "yes";
        form.requestSubmit();
      }
    });
  });
})();
