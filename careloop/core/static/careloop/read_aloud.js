/* Read aloud (#14 item 4): a "Read aloud" button on every element marked data-read-aloud, spoken
   by the browser's own speech synthesis in the element's language (its nearest lang attribute).

   Progressive enhancement: the buttons are added by this script only where speechSynthesis
   exists, so a page without JavaScript or without speech shows no button that does nothing.
   The label comes from the script tag (data-read), translated by the server; it stays the same
   while reading (a toggle: aria-pressed says it is reading, a second press stops). Nothing is
   sent anywhere: speechSynthesis runs in the browser (some systems use an online voice; the
   browser, not Careloop, decides that). */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!("speechSynthesis" in window) || typeof window.SpeechSynthesisUtterance !== "function") {
    return;
  }
  var readLabel = (script && script.getAttribute("data-read")) || "Read aloud";
  var speaking = null; // the button whose text is being read

  function languageOf(element) {
    var holder = element.closest("[lang]");
    return holder ? holder.getAttribute("lang") : document.documentElement.lang || "";
  }

  function voiceFor(lang) {
    var voices = window.speechSynthesis.getVoices() || [];
    var primary = lang.toLowerCase().split("-")[0];
    for (var i = 0; i < voices.length; i++) {
      if ((voices[i].lang || "").toLowerCase().split(/[-_]/)[0] === primary) {
        return voices[i];
      }
    }
    return null;
  }

  // The words a reader sees, each line a pause; the read-aloud buttons themselves are skipped.
  function textOf(element) {
    var copy = element.cloneNode(true);
    var buttons = copy.querySelectorAll(".read-aloud");
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].parentNode.removeChild(buttons[i]);
    }
    var parts = [];
    var blocks = copy.querySelectorAll("h1, h2, h3, legend, p, li, label, dt, dd");
    for (var j = 0; j < blocks.length; j++) {
      // the innermost blocks only (a <li> holding a <p> is read once)
      if (!blocks[j].querySelector("h1, h2, h3, legend, p, li, label, dt, dd")) {
        var words = blocks[j].textContent.replace(/\s+/g, " ").trim();
        if (words) parts.push(words);
      }
    }
    if (!parts.length) parts.push(copy.textContent.replace(/\s+/g, " ").trim());
    return parts.join(".\n").replace(/([.?!:;])\.\n/g, "$1\n");
  }

  function reset(button) {
    button.setAttribute("aria-pressed", "false");
    button.textContent = readLabel;
  }

  function stop() {
    window.speechSynthesis.cancel();
    if (speaking) reset(speaking);
    speaking = null;
  }

  function read(button, element) {
    var wasThis = speaking === button;
    stop();
    if (wasThis) return; // a second press stops
    var utterance = new window.SpeechSynthesisUtterance(textOf(element));
    var lang = languageOf(element);
    if (lang) utterance.lang = lang;
    var voice = voiceFor(lang);
    if (voice) utterance.voice = voice;
    utterance.onend = utterance.onerror = function () {
      if (speaking === button) {
        reset(button);
        speaking = null;
      }
    };
    speaking = button;
    button.setAttribute("aria-pressed", "true");
    window.speechSynthesis.speak(utterance);
  }

  function addButton(element) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "read-aloud";
    // the label is in the page's language, which may differ from the text it reads
    button.lang = document.documentElement.lang || "";
    button.dir = document.documentElement.dir || "auto";
    reset(button);
    var heading = element.querySelector("legend, h1, h2, h3");
    if (heading) {
      if (!heading.id) heading.id = "read-aloud-" + Math.random().toString(36).slice(2, 10);
      button.setAttribute("aria-describedby", heading.id);
    }
    button.addEventListener("click", function () {
      read(button, element);
    });
    // after the element's heading or legend, so the button is where the words start
    if (heading && heading.parentNode === element) {
      heading.insertAdjacentElement("afterend", button);
    } else {
      element.insertBefore(button, element.firstChild);
    }
  }

  function start() {
    var elements = document.querySelectorAll("[data-read-aloud]");
    for (var i = 0; i < elements.length; i++) addButton(elements[i]);
    window.addEventListener("pagehide", stop);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
