// The escalation clock ticks: every <time data-clock="since|until" datetime="..."> is rewritten
// each 15 s in the same words the server used ("12 min ago", "in 3 min", "due now"). The server
// rendered the first value, so without JavaScript the page is right as of its loading.
// No inline script (CSP script-src 'self'); text is set with textContent only.
(function () {
  "use strict";
  var words = document.getElementById("clock-words");
  var clocks = document.querySelectorAll("time[data-clock]");
  if (!words || !clocks.length) { return; }

  function say(name, values) {
    var text = words.getAttribute("data-" + name) || "";
    Object.keys(values).forEach(function (key) {
      text = text.split("{" + key + "}").join(String(values[key]));
    });
    return text;
  }

  // The same bands as careloop.safety.presenters.duration_words.
  function duration(seconds) {
    var minutes = Math.floor(Math.max(seconds, 0) / 60);
    if (minutes < 1) { return say("less", {}); }
    if (minutes < 60) { return say("min", { m: minutes }); }
    var hours = Math.floor(minutes / 60);
    if (hours < 24) { return say("hours", { h: hours, m: minutes % 60 }); }
    var days = Math.floor(hours / 24);
    return say(days === 1 ? "day" : "days", { d: days, h: hours % 24 });
  }

  function tick() {
    var now = Date.now();
    clocks.forEach(function (clock) {
      var at = Date.parse(clock.getAttribute("datetime"));
      if (isNaN(at)) { return; }
      if (clock.getAttribute("data-clock") === "since") {
        clock.textContent = say("ago", { t: duration((now - at) / 1000) });
      } else {
        clock.textContent = at > now ? say("in", { t: duration((at - now) / 1000) }) : say("due", {});
      }
    });
  }

  tick();
  setInterval(tick, 15000);
})();
