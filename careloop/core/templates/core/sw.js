// Careloop app-wide service worker (scope /), version {{ version }}. docs/patient-app/offline.md.
//
// * The app shell (styles, scripts, icons, the offline page), the public crisis page and Learn
//   are stored when the worker installs; static files are then served from the store.
// * Pages are network first: the stored copy is used only when the network fails. Only a short
//   list of pages is ever stored, and a patient's own page only when it says it is one (the
//   <meta name="careloop-offline" content="patient"> base.html prints for a signed-in patient):
//   staff pages are never stored. A page never stored shows the offline page instead.
// * Sign-out answers with Clear-Site-Data, which empties every store and removes this worker.
// * Writes made offline wait in IndexedDB (careloop/outbox.js); the pages send them.
"use strict";
const VERSION = "{{ version }}";
const SHELL = "careloop-shell-" + VERSION;
const PAGES = "careloop-pages-" + VERSION;
const OFFLINE_URL = "{{ offline_url }}";
const CRISIS_URL = "{{ crisis_url }}";
const LEARN_URL = "{{ learn_url }}";
const LOGIN_URL = "{{ login_url }}";
const STATIC_PREFIX = "{{ static_prefix }}";
const SHELL_URLS = [{% for url in shell %}"{{ url }}", {% endfor %}OFFLINE_URL];
// Public pages: stored for everyone. Patient pages: stored only with the patient marker.
const PUBLIC_PAGES = [/^\/safety\/crisis\/$/, /^\/learn\/$/, /^\/learn\/[\w-]+\/$/];
const PATIENT_PAGES = [
  /^\/$/,                                   // today's tasks
  /^\/checkin\/$/,                          // mood check-in
  /^\/journal\/$/,                          // journal
  /^\/questionnaires\/(?!history\/)[\w-]+\/$/,  // a questionnaire to answer
  /^\/safety\/plan\/$/,                     // my safety plan (redirects to the page below)
  /^\/safety\/patients\/[0-9a-f-]+\/plan\/$/,
];
const PATIENT_MARKER = /<meta name="careloop-offline" content="patient">/;

const SYNC_TAG = "careloop-outbox";  // CareloopOutbox.SYNC_TAG

function matches(patterns, path) {
  return patterns.some((pattern) => pattern.test(path));
}

async function keep(cacheName, url, response) {
  // A redirected response may not answer a navigation: store a plain copy under the asked URL.
  const body = await response.clone().arrayBuffer();
  const copy = new Response(body, {
    status: response.status, statusText: response.statusText, headers: response.headers,
  });
  const cache = await caches.open(cacheName);
  await cache.put(url, copy);
}

async function store(url) {
  try {
    const response = await fetch(url, { credentials: "same-origin" });
    if (response.ok && !response.redirected) {
      await keep(SHELL, url, response);
      return response;
    }
  } catch (error) {
    // Offline while installing: the page is stored on the next visit instead.
  }
  return null;
}

async function storeLearn() {
  // Learn's index names its modules; each is stored with it, so all of Learn opens offline.
  const index = await store(LEARN_URL);
  if (!index) {
    return;
  }
  const html = await index.text();
  const links = new Set();
  for (const found of html.matchAll(/href="(\/learn\/[\w-]+\/)"/g)) {
    links.add(found[1]);
  }
  await Promise.all([...links].map(store));
}

self.addEventListener("install", (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(SHELL);
    await cache.addAll(SHELL_URLS);
    await Promise.all([store(CRISIS_URL), storeLearn()]);
    await self.skipWaiting();
  })());
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    const keys = await caches.keys();
    await Promise.all(keys
      .filter((key) => (key.startsWith("careloop-shell-") || key.startsWith("careloop-pages-"))
        && key !== SHELL && key !== PAGES)
      .map((key) => caches.delete(key)));
    await self.clients.claim();
  })());
});

async function page(request) {
  const url = new URL(request.url);
  const path = url.pathname;
  const isPublic = matches(PUBLIC_PAGES, path);
  const isPatient = matches(PATIENT_PAGES, path);
  let response;
  try {
    response = await fetch(request);
  } catch (error) {
    // Vary (Cookie, Accept-Language) is ignored: copies stored by this worker were fetched
    // without the browser's headers, and there is one copy per page on this device anyway.
    // The patient's own copy first (their crisis page carries their safety plan).
    const own = await caches.open(PAGES);
    const stored = await own.match(path, { ignoreVary: true })
      || await caches.match(request, { ignoreSearch: isPublic, ignoreVary: true })
      || await caches.match(path, { ignoreVary: true });
    return stored || (await caches.match(OFFLINE_URL, { ignoreVary: true })) || Response.error();
  }
  const signedOut = response.redirected && new URL(response.url).pathname === LOGIN_URL;
  if (signedOut) {
    await caches.delete(PAGES);  // the session ended: its pages go with it
  } else if (response.ok && (isPublic || isPatient)) {
    const html = await response.clone().text();
    if (PATIENT_MARKER.test(html)) {
      await keep(PAGES, path, response);
    } else if (isPublic) {
      await keep(SHELL, path, response);
    }
  }
  return response;
}

async function staticFile(request) {
  const stored = await caches.match(request, { ignoreSearch: true, ignoreVary: true });
  if (stored) {
    return stored;
  }
  const response = await fetch(request);
  if (response.ok) {
    const cache = await caches.open(SHELL);
    await cache.put(request, response.clone());
  }
  return response;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) {
    return;
  }
  if (request.mode === "navigate") {
    event.respondWith(page(request));
  } else if (url.pathname.startsWith(STATIC_PREFIX)) {
    event.respondWith(staticFile(request));
  }
});

// Background Sync: when the connection returns, wake the open Careloop pages to send what waits
// in the outbox. The worker does not send it itself: only a page knows whose session it is, and
// an item goes only with its own patient's session (careloop/pwa.js).
self.addEventListener("sync", (event) => {
  if (event.tag === SYNC_TAG) {
    event.waitUntil(tellPages());
  }
});

async function tellPages() {
  const pages = await self.clients.matchAll({ type: "window" });
  pages.forEach((client) => client.postMessage({ type: "outbox-send" }));
}

// A patient's page asks, once per visit, for today's tasks and the pages linked from them to be
// stored now, so they open offline even if the patient has not opened them yet.
async function warm(paths) {
  await Promise.all(paths.filter((path) => matches(PATIENT_PAGES, path)).map(async (path) => {
    try {
      const response = await fetch(path, { credentials: "same-origin" });
      if (response.ok && PATIENT_MARKER.test(await response.clone().text())) {
        await keep(PAGES, path, response);
      }
    } catch (error) {
      // Offline: nothing to store now.
    }
  }));
}

self.addEventListener("message", (event) => {
  const data = event.data || {};
  if (data.type === "warm" && Array.isArray(data.paths)) {
    event.waitUntil(warm(data.paths.slice(0, 20)));
  }
});
