"""Every UI string has a translation in every shipped language (#14 item 3 acceptance: "a test
fails if any UI string lacks a translation in a shipped language"): no empty msgstr, no fuzzy
flag, every plural form the language has.
"""

from __future__ import annotations

import pytest

from careloop.core.i18n_catalogues import catalogue_paths, incomplete_entries, parse_po


@pytest.mark.parametrize("language", sorted(catalogue_paths()))
def test_catalogue_is_complete(language: str) -> None:
    path = catalogue_paths()[language]
    problems = incomplete_entries(parse_po(path.read_text(encoding="utf-8")))
    shown = "\n".join(problems[:40])
    assert not problems, f"{path}: {len(problems)} to do, first ones:\n{shown}"
