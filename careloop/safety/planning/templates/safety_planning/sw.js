{% load static %}// Careloop safety service worker (scope /safety/): keeps the patient's crisis page, which
// includes their safety plan, and the offline snapshot available without a connection.
// Network first: the stored copy is used only when the network fails. A sign-out (redirect to
// sign-in) or a 401/403/404 wipes the stored copy, so the plan does not outlive the session online.
"use strict";
const CACHE = "careloop-safety-v1";
const OFFLINE_URLS = [
  "{% url 'safety_planning:crisis' %}",
  "{% url 'api:safety_offline_snapshot' %}",
  "{% static 'careloop/careloop.css' %}",
  "{% static 'safety_planning/safety_planning.css' %}",
];

async function store(cache, url) {
  try {
    const response = await fetch(url, { credentials: "same-origin", redirect: "manual" });
    if (response.ok && response.type === "basic") {
      await cache.put(url, response);
    }
  } catch (error) {
    // Offline while installing: the page is stored on the next successful visit instead.
  }
}

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(CACHE)
      .then((cache) => Promise.all(OFFLINE_URLS.map((url) => store(cache, url))))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(
        keys.filter((key) => key.startsWith("careloop-safety-") && key !== CACHE)
          .map((key) => caches.delete(key)),
      ))
      .then(() => self.clients.claim()),
  );
});

async function networkFirst(request) {
  const cache = await caches.open(CACHE);
  let response;
  try {
    response = await fetch(request);
  } catch (error) {
    // Any of the origin's stores: the app-wide worker (/sw.js) keeps the crisis page too. Vary
    // (Cookie, Accept-Language) is ignored: a copy stored at install time was fetched by this
    // worker without the browser's headers, so it would never match a navigation otherwise.
    const stored = await cache.match(request, { ignoreSearch: true, ignoreVary: true })
      || await caches.match(request, { ignoreSearch: true, ignoreVary: true });
    if (stored) {
      return stored;
    }
    throw error;
  }
  const signedOut = response.type === "opaqueredirect" || response.redirected
    || [401, 403, 404].includes(response.status);
  if (signedOut) {
    await caches.delete(CACHE);
  } else if (response.ok) {
    await cache.put(request, response.clone());
  }
  return response;
}

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== self.location.origin) {
    return;
  }
  if (OFFLINE_URLS.includes(url.pathname)) {
    event.respondWith(networkFirst(event.request));
  } else {
    // Everything else a page under /safety/ asks for (the patient's safety plan, the app's
    // scripts): network, else what the app-wide worker (/sw.js) stored (it never stores staff
    // pages), else, for a page, its offline page. docs/patient-app/offline.md.
    const navigation = event.request.mode === "navigate";
    event.respondWith(fetch(event.request).catch(async (error) => {
      const stored = await caches.match(event.request, { ignoreSearch: !navigation, ignoreVary: true })
        || (navigation && (await caches.match(url.pathname, { ignoreVary: true })
          || await caches.match("{% url 'offline' %}", { ignoreVary: true })));
      if (stored) {
        return stored;
      }
      throw error;
    }));
  }
});
