"""Nothing a respondent reads is left untranslated: templates, catalogue, and a Welsh walk.

(a) every respondent template shows no text outside {% translate %}/{% blocktranslate %};
(b) every message the respondent's templates and Python modules use has a Welsh msgstr;
(c) a whole journey with Welsh chosen shows none of the catalogue's English.
"""

import ast
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import polib
import pytest
from django.conf import settings
from django.template.base import Lexer, TokenType
from django.urls import reverse
from django.utils.translation.template import templatize

from surveys.models import Dimension, Item

BASE = Path(settings.BASE_DIR)
TEMPLATES = BASE / "templates"
CATALOGUE = BASE / "locale/cy/LC_MESSAGES/django.po"
# Every template a respondent page is drawn with (and the error pages anyone may see).
RESPONDENT_TEMPLATES = sorted(
    [
        *TEMPLATES.glob("surveys/respondent/*.html"),
        *TEMPLATES.glob("gds/**/*.html"),
        TEMPLATES / "base.html",
        TEMPLATES / "includes/_messages.html",
        TEMPLATES / "includes/_privacy_summary.html",
        TEMPLATES / "legal/privacy.html",
        *(TEMPLATES / f"{code}.html" for code in (400, 403, 404, 429, 500, 503)),
    ]
)
# The Python modules whose strings respondents see.
RESPONDENT_MODULES = [
    BASE / "surveys/forms/respondent.py",
    BASE / "surveys/forms/text.py",
    BASE / "surveys/views/respondent.py",
    BASE / "surveys/journey.py",
    *sorted((BASE / "surveys/templatetags").glob("*.py")),
]
# Attributes people see or hear (the data-* ones are words our scripts show).
VISIBLE_ATTRIBUTES = {
    "alt",
    "title",
    "aria-label",
    "placeholder",
    "data-copy-label",
    "data-copy-name",
    "data-copy-done",
    "data-copy-manual",
    "data-skip-note",
    "data-total",
}
# Stand-ins for a translated message, and for a variable or other tag: letters, so that a
# tag whose name is a variable (<{{ tag }} class="…">) still parses as a tag.
TRANSLATED = "qqtranslatedqq"
VARIABLE = "qqvariableqq"
# Not words: a link's target written as text, e.g. {% block home_url %}#main-content.
URL_TEXT = re.compile(r"^[#/][\w/#.-]*$")
WORDS = re.compile(r"[^\W\d_]{2,}")
LITERAL = re.compile(r"u'(?:[^'\\]|\\.)*'")
GETTEXT_IN_TEMPLATE = re.compile(rf"\bn?gettext\(((?:\s*{LITERAL.pattern},?)+)")
GETTEXT_CALLS = {"_", "gettext", "gettext_lazy", "ngettext", "ngettext_lazy"}


def without_translated_text(source: str, origin: str) -> str:
    """Return a template's HTML with each translated message and each tag replaced."""
    parts: list[str] = []
    inside = ""  # the tag whose end we are looking for: its text is not shown as is
    for token in Lexer(source).tokenize():
        words = token.contents.split()
        tag = words[0] if token.token_type == TokenType.BLOCK and words else ""
        if inside:
            if tag == inside:
                parts.append(TRANSLATED if inside == "endblocktranslate" else "")
                inside = ""
            continue
        if tag in ("blocktranslate", "blocktrans"):
            inside = "endblocktranslate"
        elif tag == "comment":
            inside = "endcomment"
        elif tag in ("translate", "trans"):
            parts.append(TRANSLATED)
        elif token.token_type == TokenType.TEXT:
            parts.append(token.contents)
        elif token.token_type in (TokenType.VAR, TokenType.BLOCK):
            parts.append(VARIABLE)
    assert not inside, f"{origin}: {{% {inside} %}} missing"
    return "".join(parts).replace("{% endblocktrans %}", "")


class VisibleText(HTMLParser):
    """Collect the text and visible attributes of HTML, outside scripts and styles."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._hidden += 1
        for name, value in attrs:
            if value and (name in VISIBLE_ATTRIBUTES or name.startswith("data-i18n")):
                self.texts.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden and data.strip():
            self.texts.append(data.strip())


def visible_texts(html: str) -> list[str]:
    parser = VisibleText()
    parser.feed(html)
    parser.close()
    return parser.texts


def untranslated_text(path: Path) -> list[str]:
    """Return the bits of a template's visible text that are not in a translate tag."""
    html = without_translated_text(path.read_text(), str(path))
    shown = [
        text.replace(TRANSLATED, " ").replace(VARIABLE, " ").strip()
        for text in visible_texts(html)
    ]
    return [text for text in shown if WORDS.search(text) and not URL_TEXT.match(text)]


def template_messages(path: Path) -> set[str]:
    """Return the msgids (singular and plural) a template marks, as makemessages sees them."""
    code = templatize(path.read_text(), str(path))
    found = set()
    for call in GETTEXT_IN_TEMPLATE.finditer(code):
        found |= {ast.literal_eval(s) for s in LITERAL.findall(call.group(1))}
    return found


def python_messages(path: Path) -> set[str]:
    """Return the string literals a module passes to gettext and its relations."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in GETTEXT_CALLS
        ):
            found |= {
                a.value
                for a in node.args
                if isinstance(a, ast.Constant) and isinstance(a.value, str)
            }
    return found


def welsh_catalogue() -> dict[str, polib.POEntry]:
    """Return the Welsh catalogue's entries by msgid and by plural msgid."""
    entries = {}
    for entry in polib.pofile(str(CATALOGUE)):
        entries[entry.msgid] = entry
        if entry.msgid_plural:
            entries[entry.msgid_plural] = entry
    return entries


def is_translated(entry: polib.POEntry) -> bool:
    if entry.fuzzy or entry.obsolete:
        return False
    if entry.msgid_plural:
        return all(entry.msgstr_plural.get(n) for n in range(4))
    return bool(entry.msgstr)


@pytest.mark.parametrize(
    "path", RESPONDENT_TEMPLATES, ids=lambda p: str(p.relative_to(TEMPLATES))
)
def test_respondent_templates_show_no_text_outside_translate_tags(path):
    assert untranslated_text(path) == []


@pytest.mark.parametrize(
    "path",
    RESPONDENT_TEMPLATES + RESPONDENT_MODULES,
    ids=lambda p: str(p.relative_to(BASE)),
)
def test_every_message_respondents_see_has_a_welsh_translation(path):
    messages = (
        python_messages(path) if path.suffix == ".py" else template_messages(path)
    )
    catalogue = welsh_catalogue()
    missing = sorted(m for m in messages if m not in catalogue)
    untranslated = sorted(
        m for m in messages if m in catalogue and not is_translated(catalogue[m])
    )
    assert (missing, untranslated) == ([], [])


def test_the_static_check_finds_text_left_out_of_translate_tags(tmp_path):
    page = tmp_path / "page.html"
    page.write_text(
        '{% load i18n %}<p title="Your link">{% translate "Back" %}</p>'
        "{% comment %}A note{% endcomment %}<p>{{ name }}, {% blocktranslate %}Hi "
        "{{ name }}{% endblocktranslate %}</p><button>Start now</button>"
        "<script>const s = 'ignored';</script>"
    )
    assert untranslated_text(page) == ["Your link", "Start now"]


def test_the_catalogue_check_reads_what_makemessages_would_extract(tmp_path):
    page = tmp_path / "page.html"
    page.write_text(
        '{% load i18n %}{% translate "Back" %}{% blocktranslate trimmed count n=k %}'
        "{{ n }} page{% plural %}{{ n }} pages{% endblocktranslate %}"
    )
    assert template_messages(page) == {"Back", "%(n)s page", "%(n)s pages"}


# (c) A Welsh journey through a round offered in English and Welsh.


def english_phrases() -> set[str]:
    """Return the catalogue's English, cut at placeholders and tags, of two words or more.

    One word alone ("Back") could be part of the questionnaire's own wording, and a web
    address (ico.org.uk/make-a-complaint) is a name: neither counts.
    """
    phrases = set()
    for entry in polib.pofile(str(CATALOGUE)):
        for msgid in filter(None, (entry.msgid, entry.msgid_plural)):
            for piece in re.split(r"%\(\w+\)s|%%\{\w+\}|<[^>]+>", msgid):
                piece = piece.strip(" .,:;()‘’")
                if len(piece.split()) >= 2:
                    phrases.add(piece)
    return phrases


def questionnaire_text(survey) -> list[str]:
    """Return the instrument's own words and the names typed by leads (not UI text)."""
    instrument = survey.instrument
    texts = [survey.title, survey.partnership.name, instrument.description]
    texts += [o.name for o in survey.partnership.members.all()]
    texts += [o.short_name for o in survey.partnership.members.all()]
    for title, description in Dimension.objects.filter(
        instrument=instrument
    ).values_list("title", "description"):
        texts += [title, description]
    for text, prompt in Item.objects.filter(
        dimension__instrument=instrument
    ).values_list("text", "prompt"):
        texts += [text, prompt]
    scale = instrument.scale
    for key in ("labels", "alignment_labels", "familiarity_labels"):
        texts += scale.get(key, [])
    texts.append(scale.get("dont_know", ""))
    return sorted(filter(None, texts), key=len, reverse=True)


def english_on(page: str, survey) -> list[str]:
    """Return the catalogue's English phrases found in a page's visible text."""
    text = "\n".join(visible_texts(page))
    for own_words in questionnaire_text(survey):
        text = text.replace(own_words, " ")
    for partner in survey.partnership.members.all():
        text = text.replace(partner.name.replace("’", "&rsquo;"), " ")
    return sorted(p for p in english_phrases() if p in text)


def answers_for(page) -> dict[str, str]:
    """Answer every question of a page: the scale's middle, or 25 points each."""
    form = page.context["form"]
    data = {}
    for name, field in form.fields.items():
        if name == "comment":
            data[name] = "Dim sylw."
        elif hasattr(field, "choices"):
            data[name] = str(list(field.choices)[-2][0])
        else:
            data[name] = "25"
    return data


@pytest.mark.django_db
def test_a_welsh_journey_shows_no_english_from_the_catalogue(client, survey_setup):
    survey = survey_setup.survey
    survey.languages = ["en-gb", "cy"]
    survey.save(update_fields=["languages"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "cy"
    link = survey_setup.org_link
    pages = []

    start = client.get(reverse("surveys:respondent_start", args=[link.token]))
    pages.append(("start", start))
    page = client.post(
        reverse("surveys:respondent_start", args=[link.token]),
        {"start_key": start.context["form"]["start_key"].value()},
        follow=True,
    )
    pages.append(("first page, blank", page))
    url = page.redirect_chain[-1][0]
    pages.append(("page with errors", client.post(url, {"continue": "1"})))
    pages.append(
        (
            "resume email refused",
            client.post(url, {"email_link": "1", "resume_email": "not an address"}),
        )
    )
    saved = client.post(url, {**answers_for(page), "save_and_exit": "1"}, follow=True)
    pages.append(("saved", saved))
    resume = urlsplit(saved.context["resume_link"]).path
    page = client.get(saved.context["continue_url"])
    while page.context.get("step"):
        pages.append((page.context["step"].slug, page))
        page = client.post(
            page.wsgi_request.path, {**answers_for(page), "continue": "1"}, follow=True
        )
    pages.append(("check your answers", page))
    done = client.post(
        page.wsgi_request.path,
        {"digest": page.context["form"]["digest"].value(), "submit": "1"},
        follow=True,
    )
    pages.append(("submitted", done))
    pages.append(("already answered", client.get(resume)))
    pages.append(("unknown link", client.get("/s/not-a-real-link/")))

    assert done.context["survey"] == survey  # the walk reached the end
    assert len(pages) > 10
    found = {
        name: english_on(response.content.decode(), survey)
        for name, response in pages
        if english_on(response.content.decode(), survey)
    }
    assert found == {}
    assert all('<html lang="cy"' in r.content.decode() for _, r in pages)
