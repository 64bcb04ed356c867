"""The overview, round page, board packs and exports agree on every count, and say why."""

import csv
import io
import re
import subprocess
from pathlib import Path

import pytest
from django.urls import reverse

from reports import exports, pages, pdf
from reports.analysis import analyse_survey
from surveys.models import Membership, Response
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module", autouse=True)
def _one_browser():
    with pdf.chart_server():
        yield


def pdf_text(document: bytes, tmp_path: Path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(document)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def flat(text: str) -> str:
    return " ".join(text.split())


def responses_in_csv(survey) -> int:
    body = b"".join(exports.stream_responses_csv(survey)).decode()
    return len({row["response_id"] for row in csv.DictReader(io.StringIO(body))})


def lead_client(client, partnership):
    client.force_login(
        MembershipFactory(partnership=partnership, role=Membership.Role.LEAD).user
    )
    return client


def test_an_open_rounds_board_pack_is_provisional_on_its_cover_and_every_page(
    client, demo, tmp_path
):
    partnership, survey = demo
    assert not survey.has_closed()
    counts = pages.overview(survey).counts
    document = lead_client(client, partnership).get(
        reverse("reports:partnership_pdf", args=[survey.public_id])
    )
    text = pdf_text(document.content, tmp_path)
    sheets = text.split("\f")[:-1]
    cover, rest = flat(sheets[0]), [flat(s) for s in sheets[1:]]
    assert "Provisional figures as of" in cover
    assert f"{counts.published} responses counted" in cover
    footer = (
        f"PROVISIONAL: round still open. Figures as of "
        f"{counts.as_of:%-d %B %Y}, counting {counts.published} responses"
    )
    assert rest
    assert all(footer in page for page in rest)


def test_the_overview_round_page_pack_and_export_agree_and_say_why_they_differ(
    client, demo, tmp_path
):
    partnership, survey = demo
    client = lead_client(client, partnership)
    submitted = Response.objects.filter(
        survey=survey, submitted_at__isnull=False
    ).count()
    assert responses_in_csv(survey) == submitted
    analysis = analyse_survey(survey)
    orgs = analysis.organisations
    published = int(orgs.loc[~orgs["suppressed"], "submitted"].sum())
    assert published < submitted  # the demo has a small organisation and a remainder

    round_page = client.get(survey.get_absolute_url()).content.decode()
    assert f">{submitted}<" in round_page.replace(" ", "")

    why = (
        f"{submitted} responses have been submitted and these figures count "
        f"{published} of them"
    )
    overview = client.get(
        reverse("reports:survey_overview", args=[survey.public_id])
    ).content.decode()
    tile = re.search(r'app-stat__value">(\d+)</span>', overview).group(1)
    assert int(tile) == published
    assert why in flat(overview)

    words = flat(
        pdf_text(
            client.get(
                reverse("reports:partnership_pdf", args=[survey.public_id])
            ).content,
            tmp_path,
        )
    )
    assert f"Responses {published} counted, from" in words
    assert f"{published} responses counted" in words
    assert why in words
    assert f"{submitted} reported" not in words


def test_consultants_are_told_why_without_counts_below_the_threshold(
    consultant_client, demo
):
    _partnership, survey = demo
    submitted = Response.objects.filter(
        survey=survey, submitted_at__isnull=False
    ).count()
    html = flat(
        consultant_client.get(
            reverse("reports:survey_overview", args=[survey.public_id])
        ).content.decode()
    )
    note = re.search(r'id="response-counts">(.*?)</p>', html).group(1)
    assert "those from organisations with fewer than" in note
    assert str(submitted) not in note


def test_no_page_or_pdf_names_a_source_by_its_file_name(
    consultant_client, demo, tmp_path
):
    _partnership, survey = demo
    analysis = analyse_survey(survey)
    ids = analysis.organisations.set_index("organisation")["public_id"]
    shown = analysis.pairs[~analysis.pairs["suppressed"]]
    urls = [
        reverse("reports:survey_overview", args=[survey.public_id]),
        reverse("reports:fit_matrix", args=[survey.public_id]),
        *[
            reverse("reports:organisation_detail", args=[survey.public_id, public_id])
            for public_id in ids
        ],
        *[
            reverse(
                "reports:pair_detail",
                args=[survey.public_id, ids[r.organisation_a], ids[r.organisation_b]],
            )
            for r in shown.head(3).itertuples()
        ],
    ]
    for url in urls:
        html = consultant_client.get(url).content.decode()
        assert not re.search(r"\w+\.txt\b", html), url
    pair = shown.iloc[0]
    first = reverse(
        "reports:pair_detail",
        args=[
            survey.public_id,
            ids[pair["organisation_a"]],
            ids[pair["organisation_b"]],
        ],
    )
    html = consultant_client.get(first).content.decode()
    assert "Sources:" in html  # the demo pair has workshop questions, cited by title
    for document in (
        pdf.partnership_pdf(survey),
        pdf.pair_pdf(survey, ids[pair["organisation_a"]], ids[pair["organisation_b"]]),
    ):
        text = pdf_text(document, tmp_path)
        assert not re.search(r"\w+\.txt\b", text)
