"""Reading and checking the translation catalogues (#14, docs/patient-app/languages.md).

A small reader for the gettext .po files `careloop messages` writes (no extra dependency): each
entry's context, msgid, plural msgid, translations and flags. The checks the tests and
`careloop messages --check` run:

- `incomplete_entries`: an entry with an empty translation (any plural form), marked fuzzy, or
  with a number of plural forms different from the catalogue's Plural-Forms header;
- `stale_catalogues`: extracting the strings again from the code gives other msgids than a
  catalogue holds (a new string nobody added, or one no longer used), or a compiled .mo does not
  hold exactly the .po's translations.
"""

from __future__ import annotations

import ast
import gettext
import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.test.utils import override_settings

_NPLURALS = re.compile(r"nplurals\s*=\s*(\d+)")


@dataclass
class Entry:
    msgid: str
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: frozenset[str] = frozenset()
    obsolete: bool = False

    @property
    def key(self) -> tuple[str | None, str]:
        return (self.msgctxt, self.msgid)


def _unquote(text: str) -> str:
    value = ast.literal_eval(text)  # a C-style quoted string; .po escapes are Python's too
    if not isinstance(value, str):
        raise ValueError(f"not a quoted string: {text!r}")
    return value


def _entry(block: list[str]) -> Entry | None:
    """One entry from its lines (comments, flags, keywords and continuation lines)."""
    fields: dict[str, str] = {}
    flags: set[str] = set()
    obsolete = False
    current: str | None = None
    for raw in block:
        line = raw.strip()
        if line.startswith("#~"):
            obsolete, line = True, line[2:].strip()
        elif line.startswith("#,"):
            flags.update(flag.strip() for flag in line[2:].split(","))
            continue
        if not line or line.startswith("#"):
            continue
        if line.startswith('"'):
            if current is None:
                raise ValueError(f"continuation without a keyword: {raw!r}")
            fields[current] += _unquote(line)
            continue
        current, _, rest = line.partition(" ")
        fields[current] = _unquote(rest.strip())
    if "msgid" not in fields:
        return None
    return Entry(
        msgid=fields["msgid"],
        msgctxt=fields.get("msgctxt"),
        msgid_plural=fields.get("msgid_plural"),
        msgstr={
            (0 if name == "msgstr" else int(name[7:-1])): value
            for name, value in fields.items()
            if name.startswith("msgstr")
        },
        flags=frozenset(flags),
        obsolete=obsolete,
    )


def parse_po(text: str) -> list[Entry]:
    """Every entry of a .po file, the header (msgid "") first. Entries are separated by blank
    lines, as msgmerge and makemessages write them."""
    entries = []
    for block in re.split(r"\n[ \t]*\n", text.replace("\r\n", "\n")):
        entry = _entry(block.splitlines())
        if entry is not None:
            entries.append(entry)
    return entries


def nplurals(entries: list[Entry]) -> int:
    header = next((e for e in entries if e.msgid == "" and e.msgctxt is None), None)
    match = _NPLURALS.search(header.msgstr.get(0, "")) if header else None
    return int(match.group(1)) if match else 2


def incomplete_entries(entries: list[Entry]) -> list[str]:
    """What a translator still has to do in one catalogue, one line per entry."""
    forms = nplurals(entries)
    problems = []
    for entry in entries:
        if entry.obsolete or (entry.msgid == "" and entry.msgctxt is None):
            continue
        label = repr(entry.msgid[:70])
        if "fuzzy" in entry.flags:
            problems.append(f"fuzzy (check it, then remove the flag): {label}")
        expected = range(forms) if entry.msgid_plural is not None else range(1)
        if entry.msgid_plural is not None and set(entry.msgstr) != set(expected):
            problems.append(f"needs {forms} plural forms: {label}")
        elif any(not entry.msgstr.get(n, "").strip() for n in expected):
            problems.append(f"not translated: {label}")
    return problems


def catalogue_paths() -> dict[str, Path]:
    locale = Path(settings.LOCALE_PATHS[0])
    return {
        code: locale / code / "LC_MESSAGES" / "django.po"
        for code, _ in settings.LANGUAGES
        if code != settings.LANGUAGE_CODE
    }


def _msgids(entries: list[Entry]) -> set[tuple[str | None, str]]:
    return {e.key for e in entries if not e.obsolete and not (e.msgid == "" and not e.msgctxt)}


def extracted_msgids() -> set[tuple[str | None, str]]:
    """The strings the code marks today, extracted the way `careloop messages` does but into a
    scratch folder (the committed catalogues are not touched)."""
    from careloop.core.management.commands.messages import extract

    root = Path(settings.BASE_DIR)
    with tempfile.TemporaryDirectory(prefix="careloop-messages-") as scratch:
        for name in ("careloop", "config"):
            os.symlink(root / name, Path(scratch) / name)
        locale = Path(scratch) / "locale"
        locale.mkdir()
        with override_settings(BASE_DIR=Path(scratch), LOCALE_PATHS=[locale]):
            extract(["xx"], follow_symlinks=True)
        text = (locale / "xx" / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
        shutil.rmtree(locale)
    return _msgids(parse_po(text))


def _mo_catalogue(path: Path) -> dict[object, str]:
    with path.open("rb") as handle:
        catalog: dict[object, str] = gettext.GNUTranslations(handle)._catalog  # type: ignore[attr-defined]
    return {key: value for key, value in catalog.items() if key != ""}


def _po_catalogue(entries: list[Entry]) -> dict[object, str]:
    """What msgfmt compiles: translated, non-fuzzy, non-obsolete entries."""
    catalog: dict[object, str] = {}
    for entry in entries:
        if entry.obsolete or "fuzzy" in entry.flags or entry.msgid == "":
            continue
        msgid = f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt is not None else entry.msgid
        if entry.msgid_plural is None:
            if entry.msgstr.get(0):
                catalog[msgid] = entry.msgstr[0]
        elif all(entry.msgstr.values()) and entry.msgstr:
            for n, text in entry.msgstr.items():
                catalog[(msgid, n)] = text
    return catalog


def stale_catalogues(*, fresh: set[tuple[str | None, str]] | None = None) -> list[str]:
    """Why the committed catalogues do not match the code, one line each (empty: they do)."""
    problems = []
    wanted = extracted_msgids() if fresh is None else fresh
    for language, path in catalogue_paths().items():
        if not path.exists():
            problems.append(f"{language}: no catalogue at {path} (run `careloop messages`)")
            continue
        entries = parse_po(path.read_text(encoding="utf-8"))
        held = _msgids(entries)
        for _context, msgid in sorted(wanted - held, key=str)[:20]:
            problems.append(f"{language}: missing {msgid[:70]!r} (run `careloop messages`)")
        for _context, msgid in sorted(held - wanted, key=str)[:20]:
            problems.append(f"{language}: no longer used {msgid[:70]!r} (run `careloop messages`)")
        mo = path.with_suffix(".mo")
        if not mo.exists() or _mo_catalogue(mo) != _po_catalogue(entries):
            problems.append(f"{language}: {mo.name} differs from the .po (run `careloop messages`)")
    return problems
