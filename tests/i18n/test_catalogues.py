"""The translation catalogues stay in step with the code (#14 item 3): a string marked in the
code and missing from a catalogue (or a compiled .mo older than its .po) fails here, so a new
untranslated string fails CI. Completeness (every string translated) is
test_catalogues_complete.py."""

from __future__ import annotations

import pytest

from careloop.core.i18n_catalogues import (
    catalogue_paths,
    incomplete_entries,
    parse_po,
    stale_catalogues,
)

SAMPLE = r"""# header comment
msgid ""
msgstr ""
"Language: ar\n"
"Plural-Forms: nplurals=3; plural=(n==1 ? 0 : n==2 ? 1 : 2);\n"

#: careloop/a.py
msgid "Hello"
msgstr "مرحبا"

#: careloop/b.html
#, python-format
msgid ""
"A long string "
"on two lines with a \"quote\"\n"
msgstr ""

#, fuzzy
msgctxt "button"
msgid "Open"
msgstr "افتح"

msgid "%(n)s day"
msgid_plural "%(n)s days"
msgstr[0] "يوم"
msgstr[1] "يومان"

#~ msgid "Gone"
#~ msgstr ""
"""


def test_the_reader_reads_contexts_plurals_flags_and_continuations() -> None:
    entries = parse_po(SAMPLE)
    assert [e.msgid for e in entries] == [
        "",
        "Hello",
        'A long string on two lines with a "quote"\n',
        "Open",
        "%(n)s day",
        "Gone",
    ]
    assert entries[3].msgctxt == "button" and "fuzzy" in entries[3].flags
    assert entries[4].msgid_plural == "%(n)s days" and entries[4].msgstr == {0: "يوم", 1: "يومان"}
    assert entries[5].obsolete


def test_incomplete_entries_name_empty_fuzzy_and_short_plurals() -> None:
    problems = incomplete_entries(parse_po(SAMPLE))
    assert problems == [
        "not translated: 'A long string on two lines with a \"quote\"\\n'",
        "fuzzy (check it, then remove the flag): 'Open'",
        "needs 3 plural forms: '%(n)s day'",
    ]


def test_every_shipped_language_but_english_has_a_catalogue() -> None:
    assert sorted(catalogue_paths()) == ["ar", "de", "es", "fr", "pt"]
    for path in catalogue_paths().values():
        assert path.exists(), path
        assert path.with_suffix(".mo").exists(), path


@pytest.mark.slow
def test_catalogues_hold_exactly_the_strings_the_code_marks_and_the_mo_files_are_compiled() -> None:
    problems = stale_catalogues()
    assert not problems, "\n".join(problems)


def test_a_string_missing_from_the_catalogues_is_reported() -> None:
    problems = stale_catalogues(fresh={(None, "A string nobody extracted")})
    assert any("missing 'A string nobody extracted'" in p for p in problems)
