"""Board reports: the PDFs carry the dashboards' figures, never a suppressed one, and charts."""

import datetime as dt
import io
import re
import subprocess
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from reports import board_pack, charts, fit, narrative, pages, pdf, scoring
from reports.analysis import analyse_survey
from reports.data import previous_round
from reports.figures import Estimate
from reports.narrative.numbers import signed
from surveys.models import Dimension, FocusArea, Membership, Organisation, Survey
from surveys.services.focus_areas import create_focus_area
from surveys.workshop_prompts import prompts_for
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

DUE = dt.date(2027, 3, 31)
DECIMAL = re.compile(r"(?<![\d.])\d\.\d\d(?!\d)")


@pytest.fixture(scope="module", autouse=True)
def _one_browser():
    """Draw every chart of the module in one Chromium (about 2 s saved per PDF)."""
    with pdf.chart_server():
        yield


def text_of(document: bytes, tmp_path: Path, *, layout: bool = True) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(document)
    result = subprocess.run(
        ["pdftotext", *(["-layout"] if layout else []), str(path), "-"],
        check=True,
        capture_output=True,
        text=True,
    )
    return result.stdout


def flat(text: str) -> str:
    return " ".join(text.split())


def images_in(document: bytes, tmp_path: Path) -> int:
    path = tmp_path / "images.pdf"
    path.write_bytes(document)
    listing = subprocess.run(
        ["pdfimages", "-list", str(path)], check=True, capture_output=True, text=True
    ).stdout
    return sum(1 for line in listing.splitlines()[2:] if line.split()[2] == "image")


def page_count(text: str) -> int:
    return text.count("\f")


def organisations(survey: Survey) -> tuple[list, list]:
    orgs = analyse_survey(survey).organisations
    return (
        list(orgs.loc[~orgs["suppressed"]].itertuples()),
        list(orgs.loc[orgs["suppressed"]].itertuples()),
    )


def add(survey: Survey, *, key: str, action: str, pair=None) -> FocusArea:
    return create_focus_area(
        survey=survey,
        pair=pair,
        dimension=Dimension.objects.get(instrument=survey.instrument, key=key),
        finding="The lowest score of all.",
        action=action,
        owner=survey.partnership.members.order_by("name").first(),
        due_date=DUE,
        actor=None,
    )


def test_the_partnership_report_shows_the_dashboard_figures_and_nothing_hidden(
    closed_demo, tmp_path
):
    _partnership, survey = closed_demo
    baseline = previous_round(survey)
    add(baseline, key="funding_finance", action="Explain each other's funding.")
    add(survey, key="capacity_workforce", action="Protect two days a month.")
    document = pdf.partnership_pdf(survey)
    assert document.startswith(b"%PDF")
    text = text_of(document, tmp_path)
    words = flat(text)
    analysis, before = analyse_survey(survey), analyse_survey(baseline)
    k = survey.anonymity_threshold
    shown, hidden = organisations(survey)
    assert len(hidden) == 1

    # Cover, contents, page numbers, A4.
    sheets = page_count(text)
    assert 6 <= sheets <= 14
    assert f"Page 1 of {sheets}" in text
    assert f"Page {sheets} of {sheets}" in text
    for heading in ["Contents", "Method and responses", "Fit between partners"]:
        assert heading in words
    assert survey.partnership.name in words
    assert survey.title in words

    # The dashboards' figures: readiness per organisation, and the partnership profile.
    overall = analysis.overall.set_index("organisation")
    for org in shown:
        rows = [li for li in text.splitlines() if li.strip().startswith(org.name)]
        assert any(str(org.submitted) in li.split() for li in rows)
        readiness = charts.fmt(overall.at[org.organisation, "readiness"], 0)
        assert any(
            readiness in li.split() for li in text.splitlines() if org.name[:20] in li
        )
    for row in analysis.partnership_profile.itertuples():
        assert f"{row.mean:.2f}" in words, row.dimension

    # The hidden organisation: named, "fewer than 5", and never a figure.
    org = hidden[0]
    assert f"fewer than {k}" in words
    for line in text.splitlines():
        if org.name in line:
            assert not DECIMAL.search(line), line
    legit = {f"{v:.2f}" for v in analysis.partnership_profile["mean"]}
    legit |= {f"{v:.2f}" for v in before.partnership_profile["mean"]}
    legit |= {
        f"{abs(a - b):.2f}"
        for a, b in zip(
            analysis.partnership_profile.sort_values("dimension")["mean"],
            before.partnership_profile.sort_values("dimension")["mean"],
            strict=True,
        )
    }
    sectors = analysis.sector_scores[~analysis.sector_scores["suppressed"]]
    visible = analysis.org_scores[~analysis.org_scores["suppressed"]]
    legit |= {f"{v:.2f}" for v in visible["mean"]}  # chart summaries name extremes
    legit |= {f"{v:.2f}" for v in sectors["mean"]}
    # "Sector groups differ most on …" gives the widest difference's interval, allowing
    # for every group pair on every dimension.
    means = sectors.pivot(index="dimension", columns="sector_group", values="mean")
    widest = (means.max(axis=1) - means.min(axis=1)).idxmax()
    cells = sectors.set_index(["sector_group", "dimension"])
    hi = cells.loc[(means.loc[widest].idxmax(), widest)]
    lo = cells.loc[(means.loc[widest].idxmin(), widest)]
    groups = means.shape[1]
    m = len(means) * groups * (groups - 1) // 2
    legit |= {
        f"{abs(v):.2f}"
        for v in scoring.welch_interval(
            hi["mean"],
            hi["sd"],
            int(hi["n"]),
            lo["mean"],
            lo["sd"],
            int(lo["n"]),
            level=1 - 0.05 / m,
        )
    }
    for frame, columns in [
        (analysis.reliability, ["alpha", "mean_inter_item_r"]),
        (analysis.icc, ["icc1", "icc2"]),
    ]:
        legit |= {f"{abs(v):.2f}" for c in columns for v in frame[c].dropna()}
    legit |= {"3.99", "0.70"}  # band and reliability rules of thumb
    # Each dimension's change since the baseline, with its Welch interval (95%, and
    # adjusted for the k dimensions where the summary names the largest).
    k_dims = len(analysis.partnership_profile)
    for level in (0.95, 1 - 0.05 / k_dims):
        for row in pages.partnership_profile(analysis, before, level=level):
            legit |= {
                f"{abs(v):.2f}"
                for v in (row.change.value, row.change.low, row.change.high)
            }
    unexplained = set(DECIMAL.findall(text)) - legit
    assert not unexplained, unexplained
    raw = analysis.respondent_scores
    hidden_means = {
        f"{m:.2f}"
        for m in raw[raw["organisation"] == org.organisation]
        .groupby("dimension")["score"]
        .mean()
    }
    assert hidden_means - legit, "the check needs a figure that could leak"
    assert not (hidden_means - legit) & set(DECIMAL.findall(text))

    # Charts are embedded pictures: readiness, sectors, heatmap, fit matrix.
    assert images_in(document, tmp_path) >= 4

    # Focus areas of this round, and how last round's moved.
    assert "Protect two days a month." in words
    start = before.partnership_profile.set_index("dimension").at[
        "funding_finance", "mean"
    ]
    end = analysis.partnership_profile.set_index("dimension").at[
        "funding_finance", "mean"
    ]
    assert (
        f"We said we would work on funding and finance; it was {start:.2f} in "
        f"{baseline.title} and is {end:.2f} now: " in words
    )


def test_the_pair_report_from_the_command_has_gaps_prompts_and_charts(
    closed_demo, tmp_path
):
    _partnership, survey = closed_demo
    analysis = analyse_survey(survey)
    a, b, a_id, b_id = compared_pair(survey)
    pair = analysis.pairs.set_index(["organisation_a", "organisation_b"]).loc[(a, b)]
    out = tmp_path / "pair.pdf"
    call_command(
        "board_pack",
        str(survey.public_id),
        "--pair",
        a_id,
        b_id,
        "--out",
        str(out),
        stdout=io.StringIO(),
    )
    document = out.read_bytes()
    words = flat(text_of(document, tmp_path))
    assert "overall fit" in words
    assert f"{pair['fit']:.0f} of 100, 95% interval" in words
    gaps = fit.dimension_gaps(analysis.respondent_scores, a, b, threshold=5)
    for row in gaps.itertuples():
        assert f"{row.mean_a:.2f} {row.mean_b:.2f} {signed(row.gap, 2)}" in words
    clear = gaps[gaps["clear"]]
    assert len(clear), "the demo pair should have a clear gap"
    titles = dict(
        zip(analysis.dimensions["dimension"], analysis.dimensions["title"], strict=True)
    )
    workshop = words[words.rindex("Questions for a joint workshop") :]
    for dimension in clear["dimension"]:
        assert titles[dimension] in workshop
        questions = prompts_for(dimension)
        assert 2 <= len(questions) <= 3
        for question in questions:
            assert flat(question.text) in workshop
            assert "; ".join(survey.instrument.cite(question.sources)) in workshop
            assert ".txt" not in workshop
    assert f"{pair['trust_a_to_b']:.0f} of 100 " in words
    assert f"{pair['trust_b_to_a']:.0f} of 100 " in words
    perception = flat(text_of(document, tmp_path, layout=False))
    for side in ("a", "b"):
        cell = narrative.misjudgement(
            Estimate(
                pair[f"meta_gap_{side}"],
                0,
                pair[f"meta_gap_{side}_low"],
                pair[f"meta_gap_{side}_high"],
            )
        )
        assert cell in perception
    assert "(positive:" not in words
    assert "misjudges" not in words
    assert images_in(document, tmp_path) >= 3


def test_focus_areas_added_on_the_pair_page_reach_its_pdf(client, demo, tmp_path):
    partnership, survey = demo
    shown, _hidden = organisations(survey)
    a = Organisation.objects.get(pk=shown[0].organisation)
    b = Organisation.objects.get(pk=shown[1].organisation)
    client.force_login(
        MembershipFactory(partnership=partnership, role=Membership.Role.LEAD).user
    )
    dimension = Dimension.objects.get(instrument=survey.instrument, key="leadership")
    response = client.post(
        reverse(
            "surveys:pair_focus_area_create",
            args=[partnership.public_id, survey.public_id, a.public_id, b.public_id],
        ),
        {
            "dimension": dimension.pk,
            "finding": "Leadership churn has cost us two commitments.",
            "action": "Agree a joint succession plan for the partnership's sponsors.",
            "owner": b.pk,
            "due_date_0": "31",
            "due_date_1": "3",
            "due_date_2": "2027",
        },
        follow=True,
    )
    html = response.content.decode()
    assert "Focus area added." in html
    assert "Agree a joint succession plan" in html
    download = client.get(
        reverse("reports:pair_pdf", args=[survey.public_id, b.public_id, a.public_id])
    )
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].startswith("attachment; filename=")
    words = flat(text_of(download.content, tmp_path))
    assert "Agree a joint succession plan for the partnership's sponsors." in words
    assert "Leadership churn has cost us two commitments." in words
    assert f"Led by {b.name}" in words
    assert "31 March 2027" in words


def test_a_suppressed_pair_gets_a_report_without_figures(demo, tmp_path):
    _partnership, survey = demo
    shown, hidden = organisations(survey)
    document = pdf.pair_pdf(survey, shown[0].public_id, hidden[0].public_id)
    words = flat(text_of(document, tmp_path))
    assert "not enough responses to compare these two organisations" in words
    assert f"{hidden[0].name}: fewer than {survey.anonymity_threshold}" in words
    assert set(DECIMAL.findall(words)) <= {"3.99"}  # the band rule, not a figure
    assert images_in(document, tmp_path) == 0


@pytest.fixture
def fake_pdf(monkeypatch):
    monkeypatch.setattr(pdf, "partnership_pdf", lambda survey, **_: b"%PDF-1.7 whole")
    monkeypatch.setattr(pdf, "pair_pdf", lambda survey, a, b, **_: b"%PDF-1.7 pair")


def pdf_urls(survey: Survey) -> list[str]:
    shown, _hidden = organisations(survey)
    return [
        reverse("reports:partnership_pdf", args=[survey.public_id]),
        reverse(
            "reports:pair_pdf",
            args=[survey.public_id, shown[0].public_id, shown[1].public_id],
        ),
    ]


def test_every_role_downloads_the_reports(client, demo, fake_pdf):
    partnership, survey = demo
    for role in Membership.Role.values:
        client.force_login(MembershipFactory(partnership=partnership, role=role).user)
        for url in pdf_urls(survey):
            response = client.get(url)
            assert response.status_code == 200, (role, url)
            assert response.content.startswith(b"%PDF")
            assert "no-store" in response["Cache-Control"]
            assert re.match(
                r'attachment; filename="northshire[a-z0-9-]*-board-report\.pdf"',
                response["Content-Disposition"],
            )


def test_outsiders_get_404_and_visitors_sign_in_for_reports(
    client, outsider_client, demo, fake_pdf
):
    _partnership, survey = demo
    for url in pdf_urls(survey):
        assert outsider_client.get(url).status_code == 404, url
    outsider_client.logout()
    for url in pdf_urls(survey):
        page = client.get(url)
        assert page.status_code == 302
        assert reverse("login") in page["Location"]


def test_an_unknown_pair_is_404(consultant_client, demo):
    _partnership, survey = demo
    shown, _hidden = organisations(survey)
    url = reverse(
        "reports:pair_pdf",
        args=[
            survey.public_id,
            shown[0].public_id,
            "00000000-0000-0000-0000-000000000000",
        ],
    )
    assert consultant_client.get(url).status_code == 404


def test_the_dashboards_link_to_their_reports(consultant_client, demo):
    _partnership, survey = demo
    overview, pair = pdf_urls(survey)
    html = consultant_client.get(
        reverse("reports:survey_overview", args=[survey.public_id])
    ).content.decode()
    assert overview in html
    assert "Download board report (PDF)" in html
    pair_page = pair.removesuffix("board-report.pdf")
    assert pair in consultant_client.get(pair_page).content.decode()


def compared_pair(survey: Survey) -> tuple[int, int, str, str]:
    """Return the keys and public ids of the first pair the dashboards compare."""
    analysis = analyse_survey(survey)
    pair = analysis.pairs[~analysis.pairs["suppressed"]].iloc[0]
    ids = analysis.organisations.set_index("organisation")["public_id"]
    a, b = int(pair["organisation_a"]), int(pair["organisation_b"])
    return a, b, ids[a], ids[b]


def test_the_pair_page_shows_prompts_for_each_clear_gap(consultant_client, demo):
    _partnership, survey = demo
    a, b, a_id, b_id = compared_pair(survey)
    gaps = fit.dimension_gaps(
        analyse_survey(survey).respondent_scores,
        a,
        b,
        threshold=survey.anonymity_threshold,
    )
    assert gaps["clear"].any()
    html = consultant_client.get(
        reverse("reports:pair_detail", args=[survey.public_id, a_id, b_id])
    ).content.decode()
    workshop = html[html.index("Questions for a joint workshop") :]
    for dimension in gaps.loc[gaps["clear"], "dimension"]:
        for question in prompts_for(dimension):
            escaped = question.text.replace("'", "&#x27;").replace('"', "&quot;")
            assert escaped in workshop
    for dimension in gaps.loc[~gaps["clear"], "dimension"]:
        assert prompts_for(dimension)[0].text[:40] not in workshop


def test_the_command_rejects_unknown_rounds_and_pairs(demo, tmp_path):
    _partnership, survey = demo
    out = str(tmp_path / "x.pdf")
    with pytest.raises(CommandError, match="No survey round"):
        call_command("board_pack", "00000000-0000-0000-0000-000000000000", "--out", out)
    with pytest.raises(CommandError, match="Not a valid organisation id"):
        call_command(
            "board_pack", str(survey.public_id), "--pair", "x", "y", "--out", out
        )


def test_the_report_draws_the_print_version_of_each_chart(demo, monkeypatch):
    _partnership, survey = demo
    figures = board_pack.partnership_report(survey)["figures"]
    drawn = []
    monkeypatch.setattr(
        pdf.ChartBrowser,
        "draw",
        lambda self, figure, opts: drawn.append(figure) or b"png",
    )
    pdf.render_images(figures)
    readiness = drawn[0]["data"]
    assert all(
        re.search(r"· (strength|develop|concern)$", t) for t in readiness[0]["text"]
    )
    assert all(t["marker"]["pattern"]["shape"] is not None for t in readiness)
    shapes = [t["marker"]["pattern"]["shape"] for t in drawn[1]["data"]]
    assert len(set(shapes)) == len(shapes) >= 2
    # The dashboard's own figures are untouched.
    assert all("pattern" not in t["marker"] for t in figures["sectors"].figure["data"])


def test_without_chromium_the_report_keeps_its_tables(demo, tmp_path, monkeypatch):
    _partnership, survey = demo
    monkeypatch.setattr(pdf, "browser_path", lambda: None)
    _a, _b, a_id, b_id = compared_pair(survey)
    document = pdf.pair_pdf(survey, a_id, b_id)
    words = flat(text_of(document, tmp_path))
    assert "This chart could not be drawn; the table gives its figures." in words
    assert "Gaps by dimension, largest first" in words
    assert images_in(document, tmp_path) == 0
