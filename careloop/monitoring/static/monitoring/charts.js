// Progressive enhancement for the patient page charts (#13): shows a point's value next to it on
// hover or keyboard focus. The charts, their <title> tooltips and the data tables work without it.
(function () {
  "use strict";
  function readoutFor(box) {
    var readout = box.querySelector(".chart-readout");
    if (!readout) {
      readout = document.createElement("div");
      readout.className = "chart-readout";
      readout.setAttribute("aria-hidden", "true");
      readout.hidden = true;
      box.appendChild(readout);
    }
    return readout;
  }
  function show(point) {
    var box = point.closest(".chart-scroll");
    if (!box) { return; }
    var readout = readoutFor(box);
    var dot = point.getBoundingClientRect();
    var frame = box.getBoundingClientRect();
    readout.textContent = point.getAttribute("data-value");
    readout.style.left = (dot.left - frame.left + dot.width / 2 + box.scrollLeft) + "px";
    readout.style.top = (dot.top - frame.top) + "px";
    readout.hidden = false;
  }
  function hide(point) {
    var box = point.closest(".chart-scroll");
    var readout = box && box.querySelector(".chart-readout");
    if (readout) { readout.hidden = true; }
  }
  document.querySelectorAll("svg.chart-trajectory .point[data-value]").forEach(function (point) {
    point.addEventListener("mouseenter", function () { show(point); });
    point.addEventListener("mouseleave", function () { hide(point); });
  });
}());
