"""Learn (issue #14 item 6): self-help modules in six languages, open to everyone, with the
emergency number and crisis page first in "If you do not feel safe"; read aloud where the
browser can speak (the buttons come from read_aloud.js)."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from careloop.monitoring import learn

CRISIS_URL = "/safety/crisis/"


def test_the_format_is_escaped_and_small():
    module = learn.parse(
        "x",
        "en",
        "title: A <b>title</b>\nsummary: s\nminutes: 2\n---\nHello <script>alert(1)</script> "
        "and **strong** words.\n\n## Head & more\n- one\n- two\n  continued\n",
    )
    html = learn.render(module.blocks, slug="x")
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<strong>strong</strong>" in html
    assert '<h2 id="x-1">Head &amp; more</h2>' in html
    assert "<ul><li>one</li><li>two continued</li></ul>" in html
    assert module.title == "A <b>title</b>"  # escaped by the template, like any value


def test_a_file_without_its_header_is_refused():
    with pytest.raises(learn.ContentError):
        learn.parse("x", "en", "no header here")
    with pytest.raises(learn.ContentError):
        learn.parse("x", "en", "title: t\n---\nbody")


@pytest.mark.parametrize("lang", learn.LANGUAGES)
def test_every_module_is_written_in_every_language(lang):
    for slug in learn.SLUGS:
        module = learn.load(slug, lang)
        assert module is not None, f"{lang}/{slug}.md"
        assert module.title and module.summary and module.blocks
        english = learn.load(slug, "en")
        assert english is not None
        # a translation keeps the source's shape: same sections, same urgency
        assert [b.kind for b in module.blocks if b.kind == "h2"] == [
            b.kind for b in english.blocks if b.kind == "h2"
        ], f"{lang}/{slug}"
        assert module.urgent == english.urgent


def test_the_list_starts_with_not_feeling_safe():
    assert learn.SLUGS[0] == "not-safe"
    module = learn.load("not-safe", "en")
    assert module is not None and module.urgent


@pytest.mark.django_db
@pytest.mark.parametrize("lang", learn.LANGUAGES)
def test_pages_in_each_language_signed_out(lang):
    client = Client()
    index = client.get(f"/learn/?lang={lang}")
    assert index.status_code == 200
    html = index.content.decode()
    direction = "rtl" if lang == "ar" else "ltr"
    assert f'lang="{lang}" dir="{direction}"' in html
    for slug in learn.SLUGS:
        module = learn.load(slug, lang)
        assert module is not None
        assert f"/learn/{slug}/" in html and module.title in html.replace("&#x27;", "'")
        page = client.get(f"/learn/{slug}/?lang={lang}")
        assert page.status_code == 200
        body = page.content.decode()
        assert re.search(rf'<article class="learn-module" lang="{lang}" dir="{direction}"', body)
        assert CRISIS_URL in body
        # read aloud: the script, its translated label, and what it reads
        assert "careloop/read_aloud.js" in body and 'data-read="Read aloud"' in body
        assert body.count("data-read-aloud") >= 2


@pytest.mark.django_db
def test_not_safe_puts_the_emergency_number_and_crisis_page_first(ada, as_user):
    signed_out = Client().get("/learn/not-safe/").content.decode()
    main = signed_out[signed_out.index("<main") :]
    emergency = main.index("call your local emergency number")
    crisis = main.index(CRISIS_URL)
    article = main.index("<article")
    assert emergency < article and crisis < article

    signed_in_page = as_user(ada).get("/learn/not-safe/").content.decode()
    assert "In an emergency" in signed_in_page
    assert CRISIS_URL in signed_in_page


@pytest.mark.django_db
def test_an_unknown_module_is_404_and_an_unwritten_language_falls_back_to_english():
    client = Client()
    assert client.get("/learn/no-such-module/").status_code == 404
    page = client.get("/learn/sleep/?lang=xx").content.decode()
    assert '<article class="learn-module" lang="en"' in page


@pytest.mark.django_db
def test_urls_are_named():
    assert reverse("monitoring:learn") == "/learn/"
    assert reverse("monitoring:learn-module", args=["sleep"]) == "/learn/sleep/"
    assert reverse("monitoring:progress") == "/progress/"


@pytest.mark.django_db
def test_every_question_and_its_options_can_be_read_aloud(ada, as_user):
    html = as_user(ada).get("/questionnaires/phq9/").content.decode()
    assert "careloop/read_aloud.js" in html and 'data-read="Read aloud"' in html
    fieldsets = re.findall(r"<fieldset[^>]*>", html)
    assert len(fieldsets) == 10  # PHQ-9's nine questions and the difficulty question
    assert all("data-read-aloud" in tag for tag in fieldsets)


def test_the_script_adds_buttons_only_where_the_browser_can_speak():
    from pathlib import Path

    script = (
        Path(__file__).resolve().parents[2] / "core" / "static" / "careloop" / "read_aloud.js"
    ).read_text()
    assert '"speechSynthesis" in window' in script  # progressive enhancement: no speech, no button
    assert "utterance.lang = lang" in script  # spoken in the language of the text
    assert 'button.type = "button"' in script and "aria-pressed" in script
