"""Dashboard pages: who may see them, what they show, and what they must never show."""

import re

import pytest
from django.urls import reverse

from reports import narrative
from reports.analysis import analyse_survey
from reports.figures import Estimate
from surveys.models import Membership, Organisation

pytestmark = pytest.mark.django_db


def urls_for(survey) -> list[str]:
    orgs = list(
        Organisation.objects.filter(partnerships=survey.partnership).order_by("name")
    )
    a, b = orgs[0], orgs[1]
    return [
        reverse("reports:survey_overview", args=[survey.public_id]),
        reverse("reports:fit_matrix", args=[survey.public_id]),
        reverse("reports:fit_matrix", args=[survey.public_id]) + "?measure=trust",
        reverse("reports:fit_matrix", args=[survey.public_id]) + "?measure=shape",
        *[
            reverse("reports:organisation_detail", args=[survey.public_id, o.public_id])
            for o in orgs
        ],
        reverse(
            "reports:pair_detail", args=[survey.public_id, a.public_id, b.public_id]
        ),
    ]


@pytest.mark.parametrize("role", [r.value for r in Membership.Role])
def test_every_role_on_the_partnership_sees_every_dashboard(client, demo, role):
    from tests.factories import MembershipFactory

    partnership, survey = demo
    client.force_login(MembershipFactory(partnership=partnership, role=role).user)
    for url in urls_for(survey):
        page = client.get(url)
        assert page.status_code == 200, url
        assert "Traceback" not in page.content.decode()


def test_outsiders_get_404(outsider_client, demo):
    _partnership, survey = demo
    for url in urls_for(survey):
        assert outsider_client.get(url).status_code == 404, url


def test_anonymous_visitors_are_sent_to_sign_in(client, demo):
    _partnership, survey = demo
    for url in urls_for(survey):
        page = client.get(url)
        assert page.status_code == 302
        assert reverse("login") in page["Location"]


def test_dashboards_use_a_bounded_number_of_queries(
    consultant_client, demo, django_assert_max_num_queries
):
    _partnership, survey = demo
    for url in urls_for(survey):
        consultant_client.get(url)  # warm the analysis cache
        # Session, user, round, role; two per round for the cache signature (this round and
        # the previous one); the page's focus areas.
        with django_assert_max_num_queries(16):
            consultant_client.get(url)


def test_a_suppressed_organisation_never_shows_figures(consultant_client, closed_demo):
    _partnership, survey = closed_demo
    analysis = analyse_survey(survey)
    hidden = analysis.organisations[analysis.organisations["suppressed"]]
    assert len(hidden) == 1
    org = hidden.iloc[0]
    # Figures a leak would show: the hidden organisation's own means, recomputed here from raw
    # answers (the dashboards never compute them).
    raw = analysis.answers[analysis.answers["organisation"] == org["organisation"]]
    leaked = {f"{raw.groupby('dimension')['scored_value'].mean().round(2).iloc[0]:.2f}"}
    page = consultant_client.get(
        reverse(
            "reports:organisation_detail", args=[survey.public_id, org["public_id"]]
        )
    )
    html = page.content.decode()
    assert f"fewer than {survey.anonymity_threshold} responses" in html.lower()
    assert "data-plotly" not in html
    overview = consultant_client.get(
        reverse("reports:survey_overview", args=[survey.public_id])
    )
    html = overview.content.decode()
    row = re.search(rf"{re.escape(org['name'])}</a></th>(.*?)</tr>", html, re.S).group(
        1
    )
    assert f"Fewer than {survey.anonymity_threshold}" in row
    assert not re.search(r"\d+\.\d", row)
    figures = re.findall(
        r'<script id="[^"]+-figure" type="application/json">(.*?)</script>', html, re.S
    )
    assert figures
    for figure in figures:
        assert org["name"] not in figure or "null" in figure
    assert leaked  # sanity: there was something that could have leaked


def test_pairs_with_a_suppressed_side_show_no_figures(consultant_client, demo):
    _partnership, survey = demo
    analysis = analyse_survey(survey)
    hidden = analysis.organisations[analysis.organisations["suppressed"]].iloc[0]
    shown = analysis.organisations[~analysis.organisations["suppressed"]].iloc[0]
    page = consultant_client.get(
        reverse(
            "reports:pair_detail",
            args=[survey.public_id, shown["public_id"], hidden["public_id"]],
        )
    )
    html = page.content.decode()
    assert "not enough responses to compare" in html.lower()
    assert "data-plotly" not in html


def test_the_pair_page_summarises_the_figures_in_words(consultant_client, demo):
    _partnership, survey = demo
    analysis = analyse_survey(survey)
    pair = analysis.pairs[~analysis.pairs["suppressed"]].iloc[0]
    ids = analysis.organisations.set_index("organisation")["public_id"]
    page = consultant_client.get(
        reverse(
            "reports:pair_detail",
            args=[
                survey.public_id,
                ids[pair["organisation_a"]],
                ids[pair["organisation_b"]],
            ],
        )
    )
    html = page.content.decode()
    summary = re.search(r'app-summary-panel">(.*?)</div>', html, re.S).group(1)
    assert "overall fit" in summary
    assert f"{pair['fit']:.0f} of 100, 95% interval" in summary
    assert "Show data table" in html


def misjudgements(pair) -> list[str]:
    """What the pair's two meta-perception cells must say, from the analysis' own figures."""
    return [
        narrative.misjudgement(
            Estimate(
                pair[f"meta_gap_{side}"],
                0,
                pair[f"meta_gap_{side}_low"],
                pair[f"meta_gap_{side}_high"],
            )
        )
        for side in ("a", "b")
    ]


def test_the_pair_page_says_in_words_how_each_side_judges_the_others_trust(
    consultant_client, demo
):
    _partnership, survey = demo
    analysis = analyse_survey(survey)
    pairs = analysis.pairs[~analysis.pairs["suppressed"]]
    pair = pairs[pairs["meta_gap_a_low"].notna()].iloc[0]
    ids = analysis.organisations.set_index("organisation")["public_id"]
    html = consultant_client.get(
        reverse(
            "reports:pair_detail",
            args=[
                survey.public_id,
                ids[pair["organisation_a"]],
                ids[pair["organisation_b"]],
            ],
        )
    ).content.decode()
    section = html[html.index("How they see each other") :]
    for cell in misjudgements(pair):
        assert f'<dd class="govuk-summary-list__value">{cell}</dd>' in section
    # A direction is over- or underestimated only when its interval lies on one side of 0.
    low, high = pair["meta_gap_a_low"], pair["meta_gap_a_high"]
    first = misjudgements(pair)[0]
    assert first.startswith(
        "Overestimates" if low > 0 else "Underestimates" if high < 0 else "About right"
    )
    assert "(positive:" not in html
    assert "misjudges" not in html


def test_an_unknown_organisation_is_404(consultant_client, demo):
    _partnership, survey = demo
    url = reverse(
        "reports:organisation_detail",
        args=[survey.public_id, "00000000-0000-0000-0000-000000000000"],
    )
    assert consultant_client.get(url).status_code == 404


def test_later_rounds_show_change_since_the_previous_round(consultant_client, demo):
    _partnership, survey = demo
    html = consultant_client.get(
        reverse("reports:survey_overview", args=[survey.public_id])
    ).content.decode()
    assert "change since Baseline, autumn 2025" in html
