"""Tiny helpers to build SVG text safely: every attribute value and text node is escaped."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from html import escape

AttrValue = str | int | float | None


def esc(text: object) -> str:
    """Text for an SVG/HTML text node or attribute value (quotes escaped too)."""
    return escape(str(text), quote=True)


def num(value: float) -> str:
    """A coordinate with at most two decimals and no trailing zeros ("12", "12.5", "-3.25")."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in {"-0", ""} else text


def attrs(values: Mapping[str, AttrValue]) -> str:
    parts = []
    for name, value in values.items():
        if value is None:
            continue
        shown = num(value) if isinstance(value, float) else str(value)
        parts.append(f' {name.rstrip("_").replace("_", "-")}="{esc(shown)}"')
    return "".join(parts)


def element(tag: str, values: Mapping[str, AttrValue] | None = None, *children: str) -> str:
    """`<tag attrs>children</tag>`; children must already be markup (use `text` for words)."""
    inner = "".join(children)
    opened = f"<{tag}{attrs(values or {})}"
    return f"{opened}>{inner}</{tag}>" if inner else f"{opened}/>"


def text(tag: str, values: Mapping[str, AttrValue] | None, words: object) -> str:
    """An element holding escaped words (`<text>`, `<title>`, `<desc>`)."""
    return f"<{tag}{attrs(values or {})}>{esc(words)}</{tag}>"


def group(values: Mapping[str, AttrValue], children: Iterable[str]) -> str:
    return f"<g{attrs(values)}>{''.join(children)}</g>"


def points(pairs: Iterable[tuple[float, float]]) -> str:
    """The `points` attribute of a polyline or polygon."""
    return " ".join(f"{num(x)},{num(y)}" for x, y in pairs)
