"""Board packs are tagged PDF/UA: structure tree, language, title, alt text and header cells."""

import io

import pikepdf
import pytest

from reports import pdf

pytestmark = pytest.mark.django_db


def structure(node, found=None) -> list[pikepdf.Dictionary]:
    """Return every structure element under `node`, depth first."""
    found = [] if found is None else found
    if isinstance(node, pikepdf.Dictionary):
        if "/S" in node:
            found.append(node)
        kids = node.get("/K")
        for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
            structure(kid, found)
    return found


@pytest.fixture(scope="module")
def partnership_pack(django_db_setup, django_db_blocker):
    """Draw the demo's partnership pack once for the module."""
    import io as _io

    from django.core.management import call_command

    from reports.analysis import forget_analyses
    from surveys.models import Survey

    with django_db_blocker.unblock():
        forget_analyses()
        call_command(
            "seed_demo", organisations=4, respondents=8, seed=7, stdout=_io.StringIO()
        )
        survey = Survey.objects.filter(status=Survey.Status.OPEN).get()
        try:
            with pdf.chart_server():
                document = pdf.partnership_pdf(survey)
            yield survey, pikepdf.open(io.BytesIO(document))
        finally:
            call_command("flush", interactive=False, verbosity=0)


def test_the_pack_is_tagged_with_its_language_and_title(partnership_pack):
    survey, document = partnership_pack
    root = document.Root
    assert root.MarkInfo.Marked is True
    assert "/StructTreeRoot" in root
    assert str(root.Lang) == "en-GB"
    assert str(document.docinfo.Title).startswith(survey.partnership.name)
    assert root.ViewerPreferences.DisplayDocTitle is True


def test_every_chart_in_the_pack_has_alt_text_from_its_summary(partnership_pack):
    _survey, document = partnership_pack
    figures = [e for e in structure(document.Root.StructTreeRoot) if e.S == "/Figure"]
    assert figures, "the pack draws charts"
    for figure in figures:
        assert len(str(figure.get("/Alt", ""))) > 20


def test_the_packs_tables_have_header_cells(partnership_pack):
    _survey, document = partnership_pack
    kinds = [str(e.S) for e in structure(document.Root.StructTreeRoot)]
    assert "/Table" in kinds
    assert "/TH" in kinds
    assert kinds.count("/TH") >= kinds.count("/Table")
