"""Every UI string goes through gettext (#14 item 3), checked without rendering:

- templates: Django's own lexer splits each template into text and tags; text inside
  {% blocktranslate %} and comments is dropped, every other tag becomes a space, and what is left
  is parsed as HTML. Any text node, or user-facing attribute (alt, title, placeholder,
  aria-label, a submit input's value), that still has a letter is a string nobody marked.
  Content of an element marked translate="no" (a name, a format such as "FHIR JSON") is left out.
- Python: the literal strings handed to the messages framework and form fields' labels/help texts
  (the UI strings views and forms make), outside models (no admin site: model help texts are for
  developers) and tests. Not covered: strings built elsewhere and shown later (presenters, pure
  modules' labels, domain errors' messages): docs/patient-app/languages.md lists the known ones.

ALLOWED holds the words that are the same in every language (the brand, instrument names).
"""

from __future__ import annotations

import ast
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.template.base import Lexer, TokenType

ROOT = Path(__file__).resolve().parents[2]
CARELOOP = ROOT / "careloop"
ALLOWED = re.compile(r"\b(?:Careloop|PHQ-9|GAD-7|UTC)\b|^n$")  # n: a sample size's symbol
LETTER = re.compile(r"[^\W\d_]")
_VOID = frozenset({"area", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"})
USER_FACING_ATTRIBUTES = frozenset(
    {"alt", "title", "placeholder", "aria-label", "aria-description", "aria-roledescription"}
)

# Unmarked strings known today in files other helpers own (#14): each owner wraps them, then the
# entry goes. Keyed by path relative to the repository and the string's start.
PENDING: dict[str, tuple[str, ...]] = {}


def untranslated_template_text(source: str) -> list[tuple[int, str]]:
    """(line, text) of every piece of user-facing text outside translation tags."""
    kept: list[str] = []
    in_blocktranslate = in_comment = False
    for token in Lexer(source).tokenize():
        if token.token_type == TokenType.BLOCK:
            name = token.contents.split()[0] if token.contents.strip() else ""
            if name in {"blocktranslate", "blocktrans"}:
                in_blocktranslate = True
            elif name in {"endblocktranslate", "endblocktrans"}:
                in_blocktranslate = False
            elif name == "comment":
                in_comment = True
            elif name == "endcomment":
                in_comment = False
            kept.append(" ")
        elif token.token_type != TokenType.TEXT or in_blocktranslate or in_comment:
            kept.append(" ")
        else:
            # Keep line breaks so positions stay true.
            kept.append(token.contents)
    parser = _TextFinder()
    parser.feed("".join(kept))
    parser.close()
    return parser.found


class _TextFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int, str]] = []
        self.raw_depth = 0
        # Open elements marked translate="no" (names, codes, formats: the same in every language).
        self.untranslated: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"script", "style"}:
            self.raw_depth += 1
        if dict(attrs).get("translate") == "no" or self.untranslated:
            if tag not in _VOID:
                self.untranslated.append(tag)
            return
        kind = dict(attrs).get("type")
        for name, value in attrs:
            shown = name in USER_FACING_ATTRIBUTES or (
                tag == "input" and name == "value" and kind in {"submit", "button", "reset"}
            )
            if shown:
                self._check(value or "")

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style"}:
            self.raw_depth = max(0, self.raw_depth - 1)
        if self.untranslated and self.untranslated[-1] == tag:
            self.untranslated.pop()

    def handle_data(self, data: str) -> None:
        if not self.raw_depth and not self.untranslated:
            self._check(data)

    def _check(self, text: str) -> None:
        words = " ".join(ALLOWED.sub(" ", text).split())
        if LETTER.search(words):
            self.found.append((self.getpos()[0], words[:100]))


def _templates() -> list[Path]:
    return sorted(CARELOOP.glob("**/templates/**/*.html"))


def test_the_checker_finds_unmarked_text_and_passes_marked_text() -> None:
    found = untranslated_template_text(
        '{% load i18n %}<h1>{% translate "Fine" %}</h1><p class="x">Not marked</p>'
        '<img alt="A picture"><input type="submit" value="Send">'
        "{% blocktranslate %}Fine {{ x }} too{% endblocktranslate %}{# ok #}"
        "{% comment %}Skipped{% endcomment %}<a href=\"{% url 'home' %}\">Careloop</a>"
        '<button name="choice" value="given">{% translate "Agree" %}</button>'
        '(<span translate="no">FHIR <b>JSON</b></span>) <th>n</th>'
        "<script>const words = 'not UI';</script>"
    )
    assert [text for _, text in found] == ["Not marked", "A picture", "Send"]


@pytest.mark.parametrize("path", _templates(), ids=lambda p: str(p.relative_to(CARELOOP)))
def test_every_template_string_is_marked_for_translation(path: Path) -> None:
    found = untranslated_template_text(path.read_text(encoding="utf-8"))
    assert not found, f"{path.relative_to(ROOT)}: wrap in {{% translate %}}: {found}"


_MESSAGE_FUNCTIONS = frozenset({"debug", "info", "success", "warning", "error", "add_message"})
_FIELD_KEYWORDS = frozenset({"label", "help_text", "empty_label"})


def _literal_strings(node: ast.AST) -> list[ast.expr]:
    if not isinstance(node, ast.Call):
        return []
    function = node.func
    found: list[ast.expr] = []
    if (
        isinstance(function, ast.Attribute)
        and function.attr in _MESSAGE_FUNCTIONS
        and isinstance(function.value, ast.Name)
        and function.value.id == "messages"
    ):
        position = 2 if function.attr == "add_message" else 1
        found += node.args[position : position + 1]
    name = function.attr if isinstance(function, ast.Attribute) else getattr(function, "id", "")
    if name.endswith("Field"):  # a form field: forms.CharField(label=...)
        found += [keyword.value for keyword in node.keywords if keyword.arg in _FIELD_KEYWORDS]
    return [
        value
        for value in found
        if isinstance(value, ast.JoinedStr)
        or (isinstance(value, ast.Constant) and isinstance(value.value, str))
    ]


def _python_files() -> list[Path]:
    return sorted(
        path
        for path in CARELOOP.rglob("*.py")
        if "tests" not in path.parts
        and "migrations" not in path.parts
        and path.name != "models.py"
        and "models" not in path.parts
    )


def test_python_ui_strings_are_marked_for_translation() -> None:
    found = []
    for path in _python_files():
        relative = str(path.relative_to(ROOT))
        pending = PENDING.get(relative, ())
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            for value in _literal_strings(node):
                text = ast.unparse(value)
                if not any(text.lstrip("f").strip("'\"").startswith(p) for p in pending):
                    found.append(f"{relative}:{value.lineno}: {text[:80]}")
    assert not found, "wrap in gettext / gettext_lazy:\n" + "\n".join(found)
