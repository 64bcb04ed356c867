"""No pooled figure lets a hidden group be recovered (found in review; kept as regressions)."""

import pandas as pd
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from reports import columns as c
from reports import fit, scoring
from reports.analysis import analyse_survey
from reports.analysis import build as analysis
from surveys.models import Answer, Invitation, Response, Survey
from tests.factories import ResponseFactory

K = 5


def test_a_partner_figure_answered_by_fewer_than_k_people_is_blanked():
    # Five people know the partner (P0 = 3), but four answer "Don't know" to P1–P3, P4, P6.
    rows = [
        ("r0", 1, 2, "P0", 3.0),
        ("r0", 1, 2, "P1", 1.0),
        ("r0", 1, 2, "P2", 1.0),
        ("r0", 1, 2, "P3", 1.0),
        ("r0", 1, 2, "P4", 1.0),
        ("r0", 1, 2, "P6", 1.0),
    ]
    for i in range(1, 5):
        rows += [(f"r{i}", 1, 2, "P0", 3.0)] + [
            (f"r{i}", 1, 2, item, float("nan"))
            for item in ("P1", "P2", "P3", "P4", "P6")
        ]
    answers = pd.DataFrame(rows, columns=c.PARTNER_ANSWER_COLUMNS)
    rating = fit.partner_ratings(answers, threshold=K).iloc[0]
    assert rating[c.N_RATERS] == 5
    assert pd.isna(rating[c.TRUST])
    assert pd.isna(rating[c.COMPATIBILITY])
    assert pd.isna(rating[c.META])
    assert rating[c.N_TRUST] == rating[c.N_COMPATIBILITY] == rating[c.N_META] == 0


def test_a_hidden_cell_cannot_be_recovered_from_its_sector_by_subtraction():
    # Organisations 1 and 2 share a sector. Organisation 1 has six respondents, but only one
    # scored dimension "a" (the rest said "Don't know"), so its "a" cell is hidden.
    rows = [("p1", 1, "a", 1.0)] + [(f"q{i}", 1, "b", 4.0) for i in range(6)]
    rows += [(f"s{i}", 2, "a", 4.0) for i in range(6)]
    resp = pd.DataFrame(
        rows, columns=["response_id", "organisation", "dimension", "score"]
    )
    org_scores = scoring.organisation_scores(resp, threshold=K)
    organisations = pd.DataFrame(
        {"organisation": [1, 2], "sector_group": ["NHS", "NHS"]}
    )

    shown = analysis._in_shown_cells(resp, org_scores)
    sector = analysis._sector_scores(shown, organisations, K)

    row = sector[sector["dimension"] == "a"].iloc[0]
    org2 = org_scores[
        (org_scores["organisation"] == 2) & (org_scores["dimension"] == "a")
    ]
    assert row["n"] == org2["n"].iloc[0]  # organisation 1's lone score is not pooled
    assert row["mean"] == org2["mean"].iloc[0]


# Differencing: comparing a live dashboard before and after one more response must never
# isolate that person's answers.


def _submit(responses) -> None:
    for response in responses:
        response.submitted_at = timezone.now()
        response.save(update_fields=["submitted_at"])


def test_an_open_round_counts_each_organisations_responses_in_whole_groups_of_k(demo):
    _partnership, survey = demo
    k = survey.anonymity_threshold
    analysis = analyse_survey(survey)
    raw = dict(
        Response.objects.filter(survey=survey, submitted_at__isnull=False)
        .values_list("organisation_id")
        .annotate(n=Count("pk"))
    )
    for org in analysis.organisations.itertuples():
        assert org.submitted % k == 0
        assert (
            raw.get(org.organisation, 0) - k
            < org.submitted
            <= raw.get(org.organisation, 0)
        )
    counted = analysis.respondent_scores.groupby("organisation")[
        "response_id"
    ].nunique()
    assert (counted % k == 0).all()


def _answered_like(source: Response, *, link: Invitation) -> Response:
    """A new response on the same link with the source's items all answered 1."""
    response = ResponseFactory(invitation=link)
    Answer.objects.bulk_create(
        Answer(
            response=response,
            item_id=answer.item_id,
            subject_organisation_id=answer.subject_organisation_id,
            value=1,
        )
        for answer in source.answers.all()
    )
    return response


def test_one_more_response_leaves_an_open_rounds_figures_as_they_were(demo):
    _partnership, survey = demo
    k = survey.anonymity_threshold
    before = analyse_survey(survey)
    shown = before.visible_organisations().iloc[0]
    org = int(shown.organisation)
    submitted = Response.objects.filter(
        survey=survey, organisation_id=org, submitted_at__isnull=False
    )
    left_over = submitted.count() - shown.submitted  # answered, not yet counted
    source = submitted.first()
    link = source.invitation
    # Fill the organisation's unfinished group up to one short of K: nothing may move.
    extra = [_answered_like(source, link=link) for _ in range(k - left_over)]
    _submit(extra[:-1])
    same = analyse_survey(survey)

    def scores(analysis):
        frame = analysis.org_scores
        return frame[frame["organisation"] == org].reset_index(drop=True)

    pd.testing.assert_frame_equal(scores(same), scores(before))
    # The K-th completes the group: the count moves by K and the figures move with it.
    _submit(extra[-1:])
    after = analyse_survey(survey)
    assert after.organisations.set_index("organisation").at[org, "submitted"] == (
        shown.submitted + k
    )
    assert not scores(after)["mean"].equals(scores(before)["mean"])


def test_closing_a_round_counted_at_the_close_counts_every_response(closed_demo):
    _partnership, survey = closed_demo
    analysis = analyse_survey(survey)
    raw = Response.objects.filter(survey=survey, submitted_at__isnull=False).count()
    assert analysis.organisations["submitted"].sum() == raw


def test_closing_a_provisional_round_keeps_the_last_fewer_than_k_out(demo):
    _partnership, survey = demo
    assert survey.release_rule == Survey.ReleaseRule.GROUPS
    live = analyse_survey(survey).organisations.set_index("organisation")["submitted"]
    survey.status = Survey.Status.CLOSED
    survey.save(update_fields=["status"])
    closed = analyse_survey(survey).organisations.set_index("organisation")
    pd.testing.assert_series_equal(closed["submitted"], live)


def test_live_dashboards_explain_the_groups_of_k(consultant_client, demo):
    _partnership, survey = demo
    page = consultant_client.get(
        reverse("reports:survey_overview", args=[survey.public_id])
    )
    assert "in whole groups of 5" in page.content.decode()
