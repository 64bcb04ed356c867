"""Loading instrument definitions: the default one, idempotence, and malformed files."""

import importlib
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from surveys.instrument_schema import (
    SEEDS,
    InstrumentError,
    parse_instrument,
    read_instrument,
)
from surveys.models import Block, Dimension, Instrument, Item, Response
from tests.conftest import DEFAULT_INSTRUMENT

pytestmark = pytest.mark.django_db

REQUIRED_THEMES = [
    "purpose",
    "trust",
    "leadership",
    "governance",
    "funding",
    "workforce",
    "communication",
    "openness",
]


def default_text() -> str:
    return DEFAULT_INSTRUMENT.read_text(encoding="utf-8")


def test_default_instrument_covers_the_barrier_themes(instrument):
    self_dimensions = list(instrument.dimensions.filter(block=Block.SELF))
    assert 8 <= len(self_dimensions) <= 10
    keys = " ".join(d.key for d in self_dimensions)
    assert all(theme in keys for theme in REQUIRED_THEMES)
    for dimension in self_dimensions:
        assert 4 <= dimension.items.count() <= 6, dimension.key
    items = Item.objects.filter(dimension__instrument=instrument, block=Block.SELF)
    reversed_share = items.filter(reverse_scored=True).count() / items.count()
    assert 0.1 <= reversed_share <= 0.3


def test_every_item_cites_the_seed_documents(instrument):
    items = Item.objects.filter(dimension__instrument=instrument)
    assert items.count() > 50
    for item in items:
        assert item.sources, item.code
        assert set(item.sources) <= set(SEEDS), item.code
    seed_dir = Path(__file__).resolve().parents[3] / "shared" / "seeds"
    if seed_dir.exists():
        assert {p.name for p in seed_dir.glob("0*.txt")} == set(SEEDS)


def test_default_instrument_has_partner_and_profile_blocks(instrument):
    partner = instrument.dimensions.get(block=Block.PARTNER)
    assert list(partner.items.values_list("code", flat=True)) == [
        "P0",
        "P1",
        "P2",
        "P3",
        "P4",
        "P5",
        "P6",
    ]
    assert partner.items.get(code="P5").reverse_scored
    profile = instrument.dimensions.get(block=Block.PROFILE)
    statements = profile.items.filter(response_format=Item.Format.POINTS)
    assert statements.count() == 12
    assert set(statements.values_list("culture_type", flat=True)) == {
        "H",
        "I",
        "E",
        "F",
    }
    assert profile.items.filter(response_format=Item.Format.ALIGNMENT).count() == 3


def test_loading_twice_changes_nothing(capsys):
    call_command("load_instrument", str(DEFAULT_INSTRUMENT))
    first = list(Item.objects.values_list("pk", "code"))
    call_command("load_instrument", str(DEFAULT_INSTRUMENT))
    assert "unchanged" in capsys.readouterr().out
    assert list(Item.objects.values_list("pk", "code")) == first
    assert Instrument.objects.count() == 1


def test_an_edited_version_without_responses_is_refreshed(instrument, tmp_path):
    edited = tmp_path / "edited.yaml"
    edited.write_text(
        default_text().replace(
            "en: Collaboration Readiness", "en: Partnership Readiness", 1
        )
    )
    call_command("load_instrument", str(edited))
    instrument.refresh_from_db()
    assert instrument.title == "Partnership Readiness"
    assert Dimension.objects.filter(instrument=instrument).count() == 11


def test_a_version_with_responses_cannot_change(survey_setup, tmp_path):
    Response.objects.create(
        survey=survey_setup.survey,
        organisation=survey_setup.home,
        invitation=survey_setup.personal_link,
        start_key="personal",
    )
    edited = tmp_path / "edited.yaml"
    edited.write_text(
        default_text().replace("en: Collaboration Readiness", "en: Something else", 1)
    )
    with pytest.raises(CommandError, match="already has responses"):
        call_command("load_instrument", str(edited))


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            ("version: 1", "version: one"),
            r"line \d+: version: Input should be a valid integer",
        ),
        (
            ("      - code: SP1", "      - code: sp1"),
            r"dimensions\[0\]\.items\[0\]\.code",
        ),
        (("      - code: SP2", "      - code: SP1"), "item code 'SP1' is used twice"),
        (
            ("    sources: [", "    sourcez: ["),
            r"dimensions\[0\]\.sourcez: Extra inputs",
        ),
        (
            ("key: collaboration_readiness", "key: [unclosed"),
            r"line 1\d*: not valid YAML",
        ),
    ],
)
def test_malformed_files_are_rejected_naming_the_line_or_field(change, expected):
    old, new = change
    text = default_text()
    assert old in text
    with pytest.raises(InstrumentError, match=expected):
        parse_instrument(text.replace(old, new, 1), filename="bad.yaml")


def test_unknown_seed_citation_is_rejected():
    text = default_text().replace(
        "sources: [001_95947a61467bd91b.txt", "sources: [999_made_up.txt", 1
    )
    with pytest.raises(InstrumentError, match=r"line \d+: .*sources\[\d+\]"):
        parse_instrument(text, filename="bad.yaml")


def test_command_reports_a_malformed_file_without_a_traceback(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("key: x\nversion: 1\n")
    with pytest.raises(
        CommandError, match=r"bad.yaml: line \d+: title: Field required"
    ):
        call_command("load_instrument", str(bad))


def test_cite_gives_the_human_titles_in_the_order_asked(instrument):
    assert instrument.cite(
        ["003_247bfaf6bae303af.txt", "000_1234be2258cd8520.txt"]
    ) == [
        'RSA blog: "Joining up is hard to do"',
        'Good Governance Institute: "How to work better across sectors – '
        'minding the culture gap" (2023)',
    ]
    assert instrument.cite([]) == []


def test_every_source_the_default_instrument_cites_has_a_title(instrument):
    cited = {
        s
        for item in Item.objects.filter(dimension__instrument=instrument)
        for s in item.sources
    }
    cited |= {s for d in instrument.dimensions.all() for s in d.sources}
    assert cited == set(instrument.source_titles)
    assert not any(title.endswith(".txt") for title in instrument.cite(sorted(cited)))


def test_cite_never_shows_an_unknown_file_name(instrument):
    assert instrument.cite(["999_unknown.txt"]) == ["Unnamed source"]


def test_a_cited_source_without_a_title_is_rejected_at_the_citing_line():
    text = default_text()
    title_line = next(
        line
        for line in text.splitlines()
        if line.startswith("  002_c0ddc0bd0045b7bc.txt:")
    )
    without = text.replace(title_line + "\n", "", 1)
    first_citing_line = next(
        n
        for n, line in enumerate(without.splitlines(), start=1)
        if "002_c0ddc0bd0045b7bc.txt" in line
    )
    with pytest.raises(InstrumentError) as raised:
        parse_instrument(without, filename="bad.yaml")
    assert str(raised.value).startswith(
        f"bad.yaml: line {first_citing_line}: dimensions[0].sources[1]: "
        "'002_c0ddc0bd0045b7bc.txt' has no title under source_titles"
    )


def test_an_instrument_without_source_titles_is_rejected():
    text = default_text()
    start = text.index("source_titles:")
    end = text.index("scale:", start)
    with pytest.raises(InstrumentError, match=r"source_titles: Field required"):
        parse_instrument(text[:start] + text[end:], filename="bad.yaml")


def test_a_used_version_loaded_before_titles_existed_gets_them_and_keeps_its_rows(
    survey_setup, capsys
):
    instrument = survey_setup.survey.instrument
    Instrument.objects.filter(pk=instrument.pk).update(
        source_titles={}, definition_sha256="0" * 64
    )
    Response.objects.create(
        survey=survey_setup.survey,
        organisation=survey_setup.home,
        invitation=survey_setup.personal_link,
        start_key="personal",
    )
    rows = list(Item.objects.order_by("pk").values_list("pk", "code", "text"))
    call_command("load_instrument", str(DEFAULT_INSTRUMENT))
    assert "retitled" in capsys.readouterr().out
    instrument.refresh_from_db()
    assert instrument.cite(["004_7f19ff9a577783db.txt"]) == [
        'Briefing: "Culture: a barrier to partnership working?"'
    ]
    assert list(Item.objects.order_by("pk").values_list("pk", "code", "text")) == rows
    call_command("load_instrument", str(DEFAULT_INSTRUMENT))
    assert "unchanged" in capsys.readouterr().out


def test_the_migration_fills_titles_for_instruments_already_loaded(instrument):
    from django.apps import apps

    fill = importlib.import_module(
        "surveys.migrations.0008_instrument_source_titles"
    ).fill_source_titles
    spec, _ = read_instrument(DEFAULT_INSTRUMENT)
    Instrument.objects.filter(pk=instrument.pk).update(source_titles={})
    fill(apps, None)
    instrument.refresh_from_db()
    assert instrument.source_titles == spec.source_titles
