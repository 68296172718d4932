"""The detector is pure: nothing in careloop.safety.text imports Django (or ninja)."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1]


def _imported_roots(path: Path) -> set[str]:
    roots: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def test_no_module_of_the_detector_imports_django() -> None:
    modules = [p for p in PACKAGE.rglob("*.py") if "tests" not in p.relative_to(PACKAGE).parts]
    assert len(modules) >= 10
    offenders = {p.name: _imported_roots(p) & {"django", "ninja"} for p in modules}
    assert {name: found for name, found in offenders.items() if found} == {}
