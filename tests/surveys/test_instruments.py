"""Loading instrument definitions: the default one, idempotence, and malformed files."""

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from surveys.instrument_schema import SEEDS, InstrumentError, parse_instrument
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
            "title: Collaboration Readiness", "title: Partnership Readiness", 1
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
        default_text().replace(
            "title: Collaboration Readiness", "title: Something else", 1
        )
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
    text = default_text().replace("001_95947a61467bd91b.txt", "999_made_up.txt", 1)
    with pytest.raises(InstrumentError, match=r"line \d+: .*sources\[\d+\]"):
        parse_instrument(text, filename="bad.yaml")


def test_command_reports_a_malformed_file_without_a_traceback(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("key: x\nversion: 1\n")
    with pytest.raises(
        CommandError, match=r"bad.yaml: line \d+: title: Field required"
    ):
        call_command("load_instrument", str(bad))
