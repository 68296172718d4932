"""Learn: short self-help modules in plain language (issue #14 item 6), one text file per module
and language under `content/<lang>/<slug>.md`, so a translator edits plain text.

The format is a tiny, safe subset of Markdown that this module renders itself (no library, no raw
HTML: every character of the file is escaped before the few tags below are added):

    title: The module's title            <- header lines, up to the first line "---"
    summary: One sentence for the list
    minutes: 3
    urgent: yes                          <- optional: emergency number and crisis page shown first
    ---
    A paragraph. Lines next to each other join into one paragraph.

    ## A heading                         <- <h2>
    - a list item                        <- <ul><li>
    **strong words** inside any text     <- <strong>

Pure: no Django (the views add the URLs and translations of the page around the module).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from html import escape
from pathlib import Path

CONTENT_DIR = Path(__file__).resolve().parent / "content"

# The languages every module is written in; English is the source and the fallback.
LANGUAGES: tuple[str, ...] = ("en", "es", "fr", "pt", "ar", "de")
LANGUAGE_NAMES: dict[str, str] = {  # each language in its own words (the switcher's link text)
    "en": "English",
    "es": "Español",
    "fr": "Français",
    "pt": "Português",
    "ar": "العربية",
    "de": "Deutsch",
}
RIGHT_TO_LEFT = frozenset({"ar"})

# The order of the list on /learn/. "not-safe" first: it is the one that can matter most.
SLUGS: tuple[str, ...] = (
    "not-safe",
    "doing-more",
    "worry-time",
    "sleep",
    "grounding",
    "your-scores",
)

_STRONG = re.compile(r"\*\*(.+?)\*\*")


class ContentError(ValueError):
    """A module file that does not follow the format (found by the tests, never at run time)."""


@dataclass(frozen=True)
class Block:
    kind: str  # "h2", "p" or "ul"
    lines: tuple[str, ...]  # the text of a heading or paragraph (one line), or the list's items


@dataclass(frozen=True)
class Module:
    slug: str
    lang: str
    title: str
    summary: str
    minutes: int
    blocks: tuple[Block, ...]
    urgent: bool = False  # "urgent: yes": the page shows the emergency number and crisis page first

    @property
    def direction(self) -> str:
        return "rtl" if self.lang in RIGHT_TO_LEFT else "ltr"

    @property
    def html(self) -> str:
        return render(self.blocks, slug=self.slug)

    @property
    def plain_text(self) -> str:
        """The words a reader reads (for the readability tests)."""
        parts = [self.title, self.summary]
        for block in self.blocks:
            parts.extend(_STRONG.sub(r"\1", line) for line in block.lines)
        return "\n".join(parts)


def content_language(tag: str | None) -> str:
    """The module language for a language tag ("pt-br" → "pt"); English when not written."""
    primary = (tag or "").strip().lower().replace("_", "-").split("-")[0]
    return primary if primary in LANGUAGES else "en"


def parse(slug: str, lang: str, text: str) -> Module:
    head, separator, body = text.partition("\n---\n")
    if not separator:
        raise ContentError(f"{lang}/{slug}: no '---' line after the header")
    fields: dict[str, str] = {}
    for line in head.strip().splitlines():
        name, colon, value = line.partition(":")
        if not colon:
            raise ContentError(f"{lang}/{slug}: header line without ':': {line!r}")
        fields[name.strip()] = value.strip()
    missing = {"title", "summary", "minutes"} - fields.keys()
    if missing:
        raise ContentError(f"{lang}/{slug}: header lacks {sorted(missing)}")
    return Module(
        slug=slug,
        lang=lang,
        title=fields["title"],
        summary=fields["summary"],
        minutes=int(fields["minutes"]),
        blocks=_blocks(body),
        urgent=fields.get("urgent", "no").lower() == "yes",
    )


def _blocks(body: str) -> tuple[Block, ...]:
    blocks: list[Block] = []
    paragraph: list[str] = []
    items: list[str] = []

    def close() -> None:
        if paragraph:
            blocks.append(Block("p", (" ".join(paragraph),)))
            paragraph.clear()
        if items:
            blocks.append(Block("ul", tuple(items)))
            items.clear()

    for raw in body.splitlines():
        line = raw.strip()
        if not line:
            close()
        elif line.startswith("## "):
            close()
            blocks.append(Block("h2", (line[3:].strip(),)))
        elif line.startswith("- "):
            if paragraph:
                close()
            items.append(line[2:].strip())
        elif items:  # a continued list item
            items[-1] = f"{items[-1]} {line}"
        else:
            paragraph.append(line)
    close()
    return tuple(blocks)


def _inline(text: str) -> str:
    return _STRONG.sub(r"<strong>\1</strong>", escape(text, quote=True))


def render(blocks: tuple[Block, ...], *, slug: str = "module") -> str:
    """HTML for the blocks: every heading gets an id (for links and the read-aloud buttons)."""
    out: list[str] = []
    heading = 0
    for block in blocks:
        if block.kind == "h2":
            heading += 1
            out.append(f'<h2 id="{escape(slug)}-{heading}">{_inline(block.lines[0])}</h2>')
        elif block.kind == "ul":
            items = "".join(f"<li>{_inline(item)}</li>" for item in block.lines)
            out.append(f"<ul>{items}</ul>")
        else:
            out.append(f"<p>{_inline(block.lines[0])}</p>")
    return "\n".join(out)


@dataclass(frozen=True)
class Section:
    id: str
    heading: str  # HTML (escaped, may hold <strong>); "" for the text before the first heading
    body: str  # HTML


def sections(module: Module) -> list[Section]:
    """The module cut at its headings: the text before the first heading, then each heading's
    part (the page reads aloud one section at a time, or the whole module)."""
    result: list[Section] = []
    current: list[Block] = []
    heading = ""

    def close() -> None:
        if current or heading:
            number = len(result) + 1
            body = render(tuple(current), slug=module.slug)
            result.append(Section(f"{module.slug}-{number}", heading, body))

    for block in module.blocks:
        if block.kind == "h2":
            close()
            heading, current = _inline(block.lines[0]), []
        else:
            current.append(block)
    close()
    return result


@cache
def load(slug: str, lang: str) -> Module | None:
    """The module in `lang`, or None when it is not written in that language (or not at all)."""
    if slug not in SLUGS or lang not in LANGUAGES:
        return None
    path = CONTENT_DIR / lang / f"{slug}.md"
    if not path.is_file():
        return None
    return parse(slug, lang, path.read_text(encoding="utf-8"))


def module_in(slug: str, lang: str) -> Module | None:
    """The module in `lang`, else in English (the source): None for an unknown slug."""
    return load(slug, lang) or load(slug, "en")


def languages_of(slug: str) -> tuple[str, ...]:
    return tuple(lang for lang in LANGUAGES if load(slug, lang) is not None)


def all_modules(lang: str) -> list[Module]:
    return [module for slug in SLUGS if (module := module_in(slug, lang)) is not None]
