"""The architecture map and the how-to name only code that exists (#12 item 6).

docs/ARCHITECTURE.md and docs/how-to.md are where a newcomer starts; after a refactor they went
stale silently (`care/selectors.py` after it became a package, `follow_up_services.py` with no
domain). These tests read every file path they name — `careloop/...`, a backticked path relative
to `careloop/` (`fhir/search/parameters.py`) or to the repository, a relative Markdown link — and
every backticked dotted name that starts with a domain (`care.selectors.access`), and fail for
any that no longer resolves. A `<placeholder>` segment (`careloop/safety/rules/<name>.py`) must
match at least one file.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
CARELOOP = ROOT / "careloop"
DOCS = [ROOT / "docs" / "ARCHITECTURE.md", ROOT / "docs" / "how-to.md"]
DOMAINS = frozenset(p.name for p in CARELOOP.iterdir() if (p / "__init__.py").exists())

_BACKTICKED = re.compile(r"`([^`\s]+)`")
_PATHLIKE = re.compile(r"^[\w.<>-]+(?:/[\w.<>-]+)*/?$")
# A bare file path in prose or in a code block: core/cache_control.py, docs/api/errors.md.
_BARE_FILE = re.compile(r"(?<![\w/.`-])((?:[\w-]+/)+[\w<>-]+\.(?:py|md|json|yaml|js|html))\b")
_LINK = re.compile(r"\]\(([^)\s#]+)(?:#[^)]*)?\)")
_DOTTED = re.compile(r"^([a-z_]+(?:\.[A-Za-z_]\w*)+)$")


def path_mentions(text: str) -> set[str]:
    # `templates/` or `tests/` alone is the name of a kind of folder, not a path to check.
    found = {
        m
        for m in _BACKTICKED.findall(text)
        if _PATHLIKE.match(m) and ("/" in m.rstrip("/") or m.rstrip("/") in DOMAINS)
    }
    found |= set(_BARE_FILE.findall(text))
    found |= {m for m in _LINK.findall(text) if not re.match(r"^[a-z]+:", m)}
    # A URL path (`/me/`) is not a file; `../shared/…` is outside the repository, not ours to check.
    return {m for m in found if not m.startswith(("/", "../"))}


def resolves(mention: str, doc: Path) -> bool:
    pattern = re.sub(r"<[^>/]+>", "*", mention.rstrip("/"))
    for base in (ROOT, CARELOOP, doc.parent):
        if "*" in pattern:
            if any(base.glob(pattern)):
                return True
        elif (base / pattern).exists():
            return True
    return False


def dotted_mentions(text: str) -> set[str]:
    names = {m for m in _BACKTICKED.findall(text) if _DOTTED.match(m)}
    return {n.removeprefix("careloop.") for n in names if n.split(".")[0] in DOMAINS | {"careloop"}}


def importable(dotted: str) -> bool:
    """`a.b.c.Name`: the longest importable module prefix, then attributes on it. An app-label
    model reference (`care.Patient`) is looked up in the domain's models."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj: object = importlib.import_module("careloop." + ".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        rest = parts[cut:]
        if cut == 1 and len(rest) == 1 and rest[0][:1].isupper():
            obj = importlib.import_module(f"careloop.{parts[0]}.models")
        for attr in rest:
            if not hasattr(obj, attr):
                return False
            obj = getattr(obj, attr)
        return True
    return False


@pytest.mark.parametrize("doc", DOCS, ids=lambda d: d.name)
def test_every_path_the_doc_names_exists(doc: Path) -> None:
    mentions = path_mentions(doc.read_text(encoding="utf-8"))
    assert mentions, f"no paths found in {doc.name}: the extraction is broken"
    missing = sorted(m for m in mentions if not resolves(m, doc))
    assert not missing, f"{doc.name} names paths that do not exist: {missing}"


@pytest.mark.parametrize("doc", DOCS, ids=lambda d: d.name)
def test_every_module_the_doc_names_imports(doc: Path) -> None:
    names = dotted_mentions(doc.read_text(encoding="utf-8"))
    assert names, f"no dotted names found in {doc.name}: the extraction is broken"
    broken = sorted(n for n in names if not importable(n))
    assert not broken, f"{doc.name} names modules or attributes that do not exist: {broken}"


def test_a_stale_path_is_caught(tmp_path: Path) -> None:
    doc = tmp_path / "map.md"
    text = (
        "`care/selectors.py` and careloop/fhir/resources/patient.py, `fhir/search/<family>.py`,"
        " `audit.chain`, `care.Patient`, `monitoring.follow_up_services.no_such_function`"
    )
    doc.write_text(text)
    stale = sorted(m for m in path_mentions(text) if not resolves(m, doc))
    assert stale == ["care/selectors.py", "careloop/fhir/resources/patient.py"]
    assert [n for n in sorted(dotted_mentions(text)) if not importable(n)] == [
        "monitoring.follow_up_services.no_such_function"
    ]
