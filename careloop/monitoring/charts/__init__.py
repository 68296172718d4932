"""Server-rendered SVG charts for the clinician's patient page (issue #13): pure, typed, no Django.

Every function here takes plain values (the dataclasses in `types`) and returns SVG markup as a
string, with every piece of text escaped (`svg.esc`), so the view may pass the result through
`mark_safe` without trusting any input. Words the chart shows (axis titles, legend titles) come
in as arguments, so the caller translates them.

* `scales` — linear scales and tick steps;
* `svg` — escaping, number formatting and element building;
* `types` — chart inputs: score points, severity bands, thresholds, dated markers, expected bands;
* `measures` — what each scored instrument's chart shows (range, bands, caseness, reliable
  change, risk items), read from the pure scorers with their UNVERIFIED labels;
* `trajectory` — score over weeks in treatment with bands, caseness, reliable change, the
  expected-recovery band and markers;
* `heatmap` — item scores by administration (which symptoms drive the total).

The registry's sparkline (`sparkline`) is a sibling built by the caseload work.
"""
