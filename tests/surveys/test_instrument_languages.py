"""The questionnaire in Welsh and English: the file format, loading, InstrumentText, pages."""

import io
from html import unescape

import pandas as pd
import pytest
import yaml
from django.core.management import call_command
from django.utils import translation

from reports import exports
from surveys.instrument_schema import InstrumentError, parse_instrument, read_instrument
from surveys.instrument_text import InstrumentText, language_key
from surveys.journey import build_steps
from surveys.models import Answer, Block, Instrument, Item, Response
from surveys.services.instruments import load_instrument
from tests.conftest import DEFAULT_INSTRUMENT, build_survey_setup
from tests.surveys.test_respondent import check_url, page_url, start, valid_data

pytestmark = pytest.mark.django_db

WELSH_SP1 = "Gallwn ddweud mewn un frawddeg beth yw diben y bartneriaeth hon."
ENGLISH_SP1 = "We can say in one sentence what this partnership is for."


def default_text() -> str:
    return DEFAULT_INSTRUMENT.read_text(encoding="utf-8")


def _english(node):
    if isinstance(node, dict) and "en" in node and set(node) <= {"en", "cy"}:
        return node["en"]
    if isinstance(node, dict):
        return {key: _english(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_english(value) for value in node]
    return node


def english_only_text() -> str:
    """Return the default instrument as it was before Welsh: every text a plain string."""
    data = _english(yaml.safe_load(default_text()))
    del data["languages"]
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def line_of(text: str, needle: str, *, after: str) -> int:
    """Return the 1-based line of the first `needle` line following the line `after`."""
    lines = text.splitlines()
    start_at = lines.index(after)
    return next(n for n, line in enumerate(lines, 1) if n > start_at and needle in line)


# The file format


def test_every_text_of_the_default_instrument_has_welsh():
    spec, _ = read_instrument(DEFAULT_INSTRUMENT)
    assert spec.languages == ["en", "cy"]
    texts = spec.texts()
    assert len(texts) > 90
    for loc, key, value in texts:
        welsh = value.translations["cy"]
        assert welsh, key
        assert welsh != value or key.startswith("scale."), (loc, welsh)
        if isinstance(value, str):
            # A partner's name goes where the English puts it, once.
            assert welsh.count("{partner}") == value.count("{partner}"), key


def test_every_item_of_the_loaded_default_instrument_has_a_welsh_text(instrument):
    welsh = instrument.translations["cy"]
    items = Item.objects.filter(dimension__instrument=instrument)
    assert items.count() > 50
    for item in items:
        assert welsh[f"item.{item.code}.text"].strip(), item.code
        if item.prompt:
            assert welsh[f"item.{item.code}.prompt"].strip(), item.code
    for dimension in instrument.dimensions.all():
        assert welsh[f"dimension.{dimension.key}.title"], dimension.key
        assert welsh[f"dimension.{dimension.key}.description"], dimension.key
    for key in ("labels", "dont_know", "familiarity_labels", "alignment_labels"):
        assert welsh[f"scale.{key}"], key
    assert len(welsh["scale.labels"]) == 5
    assert len(welsh["scale.familiarity_labels"]) == 4


def test_the_english_wording_is_exactly_the_plain_files():
    with_welsh, _ = read_instrument(DEFAULT_INSTRUMENT)
    plain = parse_instrument(english_only_text())
    assert plain.languages == ["en"]
    assert plain.translations() == {}
    english = [(loc, key, value) for loc, key, value in with_welsh.texts()]
    assert english == plain.texts()
    assert str(with_welsh.dimensions[0].items[0].text) == ENGLISH_SP1


def test_a_missing_welsh_text_is_refused_naming_the_field_and_line():
    text = default_text()
    welsh_le2 = (
        "          cy: Mae ein harweinyddiaeth wedi bod yn ddigon sefydlog i gadw ein "
        "hymrwymiadau i bartneriaid.\n"
    )
    assert welsh_le2 in text
    without = text.replace(welsh_le2, "", 1)
    # The line of the text's English, where its Welsh belongs.
    english_line = line_of(without, "en: Our leadership has", after="      - code: LE2")
    with pytest.raises(InstrumentError) as raised:
        parse_instrument(without, filename="bad.yaml")
    assert str(raised.value) == (
        f"bad.yaml: line {english_line}: dimensions[2].items[1].text has no 'cy' text"
    )


def test_a_plain_english_text_in_a_welsh_file_is_refused():
    text = default_text().replace(
        "  dont_know:\n    en: Don't know\n    cy: Ddim yn gwybod\n",
        "  dont_know: Don't know\n",
        1,
    )
    with pytest.raises(
        InstrumentError, match=r"line \d+: scale\.dont_know has no 'cy'"
    ):
        parse_instrument(text, filename="bad.yaml")


def test_welsh_labels_must_number_as_many_as_the_english():
    text = default_text().replace(
        "    cy: [Ddim o gwbl, Ychydig, Yn eithaf da, Yn dda iawn]",
        "    cy: [Ddim o gwbl, Ychydig, Yn dda iawn]",
        1,
    )
    with pytest.raises(
        InstrumentError,
        match=r"partner\.familiarity\.labels: should be a list of 4 labels",
    ):
        parse_instrument(text, filename="bad.yaml")


def test_a_language_the_file_does_not_list_is_refused():
    text = default_text().replace("languages: [en, cy]\n", "", 1)
    with pytest.raises(
        InstrumentError, match=r"title has a 'cy' text, but languages does not list"
    ):
        parse_instrument(text, filename="bad.yaml")


def test_a_text_without_english_is_refused():
    text = default_text().replace(
        "title:\n  en: Collaboration Readiness\n  cy:", "title:\n  cy:", 1
    )
    with pytest.raises(InstrumentError, match=r"line \d+: title: has no 'en' text"):
        parse_instrument(text, filename="bad.yaml")


def test_languages_must_include_english():
    text = default_text().replace("languages: [en, cy]", "languages: [cy]", 1)
    with pytest.raises(InstrumentError, match=r"languages must include en"):
        parse_instrument(text, filename="bad.yaml")


# Loading


def _used_english_only_survey():
    """Load the English-only file, open a round on it and give it a response with answers."""
    spec = parse_instrument(english_only_text())
    instrument = load_instrument(spec=spec, source_text=english_only_text()).instrument
    setup = build_survey_setup(instrument)
    response = Response.objects.create(
        survey=setup.survey,
        organisation=setup.home,
        invitation=setup.personal_link,
        start_key="personal",
    )
    for item in Item.objects.filter(dimension__instrument=instrument, block=Block.SELF)[
        :5
    ]:
        Answer.objects.create(response=response, item=item, value=4)
    return instrument


def _rows(instrument: Instrument) -> tuple[list, list]:
    items = list(
        Item.objects.filter(dimension__instrument=instrument)
        .order_by("pk")
        .values_list("pk", "code", "text", "prompt", "dimension_id", "order")
    )
    answers = list(Answer.objects.order_by("pk").values_list("pk", "item_id", "value"))
    return items, answers


def test_adding_welsh_to_a_used_version_keeps_every_row_and_answer(capsys):
    instrument = _used_english_only_survey()
    assert instrument.languages == ["en"]
    before = _rows(instrument)
    call_command("load_instrument", str(DEFAULT_INSTRUMENT))
    assert "retitled" in capsys.readouterr().out
    instrument.refresh_from_db()
    assert _rows(instrument) == before
    assert instrument.languages == ["en", "cy"]
    assert instrument.translations["cy"]["item.SP1.text"] == WELSH_SP1
    assert instrument.title == "Collaboration Readiness"


def test_correcting_the_welsh_of_a_used_version_updates_it_in_place(tmp_path):
    instrument = _used_english_only_survey()
    call_command("load_instrument", str(DEFAULT_INSTRUMENT))
    before = _rows(instrument)
    corrected = tmp_path / "corrected.yaml"
    corrected.write_text(
        default_text().replace(WELSH_SP1, "Gallwn ddweud mewn brawddeg beth yw'r nod.")
    )
    call_command("load_instrument", str(corrected))
    instrument.refresh_from_db()
    assert _rows(instrument) == before
    assert instrument.translations["cy"]["item.SP1.text"] == (
        "Gallwn ddweud mewn brawddeg beth yw'r nod."
    )


# InstrumentText


def test_a_django_language_code_maps_to_its_primary_subtag():
    assert language_key("en-gb") == "en"
    assert language_key("cy") == "cy"
    assert language_key("CY-gb") == "cy"
    assert language_key(None) == "en"


def test_instrument_text_gives_welsh_and_falls_back_to_english(instrument):
    sp1 = Item.objects.get(dimension__instrument=instrument, code="SP1")
    welsh = InstrumentText(instrument, "cy")
    assert welsh.language == "cy"
    assert welsh.item_text(sp1) == WELSH_SP1
    assert welsh.labels[-1] == "Cytuno'n gryf"
    assert welsh.dont_know == "Ddim yn gwybod"
    assert welsh.familiarity_labels[0] == "Ddim o gwbl"
    assert welsh.title == "Parodrwydd i Gydweithio"
    for code in ("en-gb", "fr", None):
        english = InstrumentText(instrument, code)
        assert english.language == "en"
        assert english.item_text(sp1) == ENGLISH_SP1
        assert english.scale == instrument.scale
        assert english.title == "Collaboration Readiness"


def test_a_text_without_its_welsh_is_shown_in_english(instrument):
    sp1 = Item.objects.get(dimension__instrument=instrument, code="SP1")
    sp2 = Item.objects.get(dimension__instrument=instrument, code="SP2")
    partial = Instrument(
        pk=instrument.pk,
        title=instrument.title,
        description=instrument.description,
        scale=instrument.scale,
        languages=["en", "cy"],
        translations={"cy": {"item.SP1.text": WELSH_SP1}},
        definition_sha256="partial" + "0" * 57,
    )
    text = InstrumentText(partial, "cy")
    assert text.item_text(sp1) == WELSH_SP1
    assert text.item_text(sp2) == sp2.text
    assert text.labels == instrument.scale["labels"]
    assert text.dimension_title(sp1.dimension) == sp1.dimension.title


def test_instrument_text_is_built_once_per_version_and_language(
    instrument, django_assert_num_queries
):
    sp1 = Item.objects.get(dimension__instrument=instrument, code="SP1")
    first = InstrumentText(instrument, "cy")
    with django_assert_num_queries(0):
        again = InstrumentText(instrument, "cy")
        assert again.item_text(sp1) == WELSH_SP1
    assert again == first
    assert again._texts is first._texts
    assert InstrumentText(instrument, "en-gb") != first


# Respondent pages


@pytest.fixture
def survey_setup(survey_setup):
    """The round offers Welsh as well as English: its pages are never in another language."""
    survey_setup.survey.languages = ["en-gb", "cy"]
    survey_setup.survey.save(update_fields=["languages"])
    return survey_setup


@pytest.fixture
def in_welsh(client):
    client.cookies["collab_language"] = "cy"
    return client


def test_a_step_page_in_welsh_shows_the_welsh_questions_and_scale(client, survey_setup):
    response = start(client, survey_setup.personal_link)
    english = unescape(
        client.get(page_url(response, "shared_purpose")).content.decode()
    )
    assert ENGLISH_SP1 in english
    assert "Strongly agree" in english
    assert "Shared purpose and priorities" in english

    client.cookies["collab_language"] = "cy"
    html = unescape(client.get(page_url(response, "shared_purpose")).content.decode())
    assert WELSH_SP1 in html
    assert ENGLISH_SP1 not in html
    assert "Cytuno'n gryf" in html
    assert "Ddim yn gwybod" in html
    assert "Strongly agree" not in html
    assert "Diben a blaenoriaethau cyffredin" in html
    assert "a oes gan y partneriaid ddiben clir" in html


def test_a_partner_page_in_welsh_names_the_partner_in_the_welsh_wording(
    in_welsh, survey_setup
):
    response = start(in_welsh, survey_setup.personal_link)
    partner_step = next(s for s in build_steps(response=response) if s.subject)
    html = unescape(in_welsh.get(page_url(response, partner_step)).content.decode())
    name = partner_step.subject.name
    assert f"Pa mor dda rydych chi'n gwybod sut mae {name} yn gweithio?" in html
    assert f"Mae {name} yn gallu cyflawni" in html
    assert "{partner}" not in html
    assert "Yn dda iawn" in html


def test_the_culture_profile_in_welsh_asks_the_welsh_prompts(in_welsh, survey_setup):
    response = start(in_welsh, survey_setup.personal_link)
    html = unescape(
        in_welsh.get(page_url(response, "culture_profile")).content.decode()
    )
    assert "Beth sy'n gwneud i bobl gael sylw yma?" in html
    assert "Dilyn y broses gywir" in html
    assert "Tynnu tuag ato yn gryf" in html
    assert "What gets people noticed here?" not in html


def test_points_that_do_not_add_up_are_explained_with_the_welsh_prompt(
    in_welsh, survey_setup
):
    response = start(in_welsh, survey_setup.personal_link)
    with translation.override("cy"):
        step = next(s for s in build_steps(response=response) if s.block == "profile")
    data = valid_data(step)
    data[next(k for k in data if k.startswith("cp2_"))] = "90"
    html = unescape(in_welsh.post(page_url(response, step), data).content.decode())
    assert "Beth sy'n gwneud i bobl gael sylw yma?" in html
    assert "(maen nhw’n adio i 165)" in html  # the message itself in Welsh too


def test_check_answers_in_welsh_shows_the_welsh_wording_and_labels(
    in_welsh, survey_setup
):
    response = start(in_welsh, survey_setup.personal_link)
    first = build_steps(response=response)[0]
    in_welsh.post(page_url(response, first), valid_data(first, value="5"))
    html = unescape(in_welsh.get(check_url(response)).content.decode())
    assert WELSH_SP1 in html
    assert "Cytuno'n gryf" in html
    assert "Diben a blaenoriaethau cyffredin" in html


def test_the_start_page_in_welsh_describes_the_survey_in_welsh(in_welsh, survey_setup):
    html = unescape(in_welsh.get(f"/s/{survey_setup.org_link.token}/").content.decode())
    assert "Mae'r arolwg hwn yn gofyn pa mor barod yw eich sefydliad" in html


def test_answers_given_in_welsh_are_stored_under_the_same_items(in_welsh, survey_setup):
    response = start(in_welsh, survey_setup.personal_link)
    first = build_steps(response=response)[0]
    result = in_welsh.post(page_url(response, first), valid_data(first, value="2"))
    assert result.status_code == 302
    stored = dict(
        Answer.objects.filter(response=response).values_list("item__code", "value")
    )
    assert stored == {item.code: 2 for item in first.items}


# dictionary.csv

DICTIONARY_HEADER = (
    "kind,file,column,type,description,item_code,item_text,dimension,dimension_title,"
    "block,reverse_scored,response_format,sources,item_text_cy"
)


def dictionary(survey) -> pd.DataFrame:
    body = exports.table_csv("dictionary.csv", survey=survey, analysis=None)
    return pd.read_csv(io.BytesIO(body), encoding="utf-8-sig", keep_default_na=False)


def test_dictionary_csv_carries_the_welsh_wording_in_its_last_column(survey_setup):
    frame = dictionary(survey_setup.survey)
    assert ",".join(frame.columns) == DICTIONARY_HEADER
    items = frame[frame["kind"] == "item"].set_index("item_code")
    assert items.loc["SP1", "item_text"] == ENGLISH_SP1
    assert items.loc["SP1", "item_text_cy"] == WELSH_SP1
    assert items.loc["P1", "item_text_cy"] == (
        "Mae {partner} yn gallu cyflawni'r hyn y mae'n ymrwymo iddo."
    )
    assert items.loc["CP2_H", "item_text_cy"] == "Dilyn y broses gywir"
    assert (items["item_text_cy"] != "").all()
    own = frame[(frame["kind"] == "column") & (frame["file"] == "dictionary.csv")]
    assert ",".join(own["column"]) == DICTIONARY_HEADER
    described = own.set_index("column").loc["item_text_cy", "description"]
    assert "Welsh wording" in described
    assert "same item_code" in described


def test_dictionary_csv_welsh_column_is_empty_for_an_english_only_instrument():
    spec = parse_instrument(english_only_text())
    instrument = load_instrument(spec=spec, source_text=english_only_text()).instrument
    frame = dictionary(build_survey_setup(instrument).survey)
    assert list(frame.columns)[-1] == "item_text_cy"
    items = frame[frame["kind"] == "item"]
    assert len(items) > 50
    assert (items["item_text_cy"] == "").all()
