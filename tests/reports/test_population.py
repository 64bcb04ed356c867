"""A known number of people asked (N, MEASUREMENT §6.5): the finite-population factor, the
response rate, and where they show (scores.csv, dictionary.csv, the organisation page)."""

import io
import math

import numpy as np
import pandas as pd
import pytest
from django.urls import reverse

from reports import columns as c
from reports import exports, scoring
from reports.analysis import build_analysis
from surveys.models import Eligibility, Membership
from surveys.services.eligibility import set_eligible, submitted_count
from tests.factories import MembershipFactory

NAN = np.nan
T_975_DF3 = 3.1824463  # t(.975, 3) from printed tables


def resp_frame(scores: dict[str, list[float]]) -> pd.DataFrame:
    """Respondent scores on one dimension D1 from {organisation: [score per respondent]}."""
    rows = [
        (f"{org}-{i}", org, "D1", value)
        for org, values in scores.items()
        for i, value in enumerate(values)
    ]
    return pd.DataFrame(rows, columns=c.RESPONDENT_SCORE_COLUMNS)


# Scoring, by hand: A's four respondents score 2, 3, 4, 3 → mean 3, SS 2, var 2/3.
SD = math.sqrt(2 / 3)
SE = SD / math.sqrt(4)


def half_width(row: pd.Series) -> float:
    return (row[c.CI_HIGH] - row[c.CI_LOW]) / 2


def test_four_of_five_answering_halves_the_interval():
    resp = resp_frame({"A": [2, 3, 4, 3]})
    plain = scoring.organisation_scores(resp, threshold=3).iloc[0]
    known = scoring.organisation_scores(
        resp, threshold=3, population=pd.Series({"A": 5.0})
    ).iloc[0]
    # f = √((N − n)/(N − 1)) = √(1/4) = 0.5
    assert plain[c.SE] == pytest.approx(SE)
    assert known[c.SE] == pytest.approx(SE * 0.5)
    assert half_width(plain) == pytest.approx(T_975_DF3 * SE)
    assert half_width(known) == pytest.approx(T_975_DF3 * SE * 0.5)
    assert (known[c.CI_LOW], known[c.CI_HIGH]) == pytest.approx(
        (3 - T_975_DF3 * 0.20412415, 3 + T_975_DF3 * 0.20412415)
    )


def test_everyone_asked_answering_leaves_no_sampling_error():
    resp = resp_frame({"A": [2, 3, 4, 3]})
    row = scoring.organisation_scores(
        resp, threshold=3, population=pd.Series({"A": 4.0})
    ).iloc[0]
    assert row[c.SE] == 0
    assert (row[c.CI_LOW], row[c.CI_HIGH]) == (3.0, 3.0)


@pytest.mark.parametrize("population", [3.0, NAN, 1.0])
def test_an_n_below_n_unknown_or_of_one_is_ignored(population):
    resp = resp_frame({"A": [2, 3, 4, 3]})
    row = scoring.organisation_scores(
        resp, threshold=3, population=pd.Series({"A": population})
    ).iloc[0]
    assert row[c.SE] == pytest.approx(SE)  # f = 1


def test_usable_population_drops_an_n_below_the_responses_counted():
    eligible = pd.Series([5.0, 5.0, 4.0, NAN])
    counted = pd.Series([4, 5, 6, 3])
    pd.testing.assert_series_equal(
        scoring.usable_population(eligible, counted), pd.Series([5.0, 5.0, NAN, NAN])
    )


def test_response_rate_is_counted_out_of_n_and_blank_when_n_is_not_usable():
    eligible = pd.Series([5.0, 8.0, 4.0, NAN])
    counted = pd.Series([4, 0, 6, 3])
    pd.testing.assert_series_equal(
        scoring.response_rates(eligible, counted), pd.Series([0.8, 0.0, NAN, NAN])
    )


# Through the database: the demo round (4 organisations; the last is below K)


def organisations_by_submitted(survey) -> pd.DataFrame:
    orgs = build_analysis(survey).organisations
    return orgs.sort_values("submitted", ascending=False).reset_index(drop=True)


def record(survey, organisation_id: int, eligible: int | None) -> None:
    organisation = survey.partnership.members.get(pk=organisation_id)
    set_eligible(
        survey=survey, organisation=organisation, eligible=eligible, actor=None
    )


def submitted(survey, organisation_id: int) -> int:
    """Responses submitted so far: at least those counted (whole groups of K)."""
    organisation = survey.partnership.members.get(pk=organisation_id)
    return submitted_count(survey=survey, organisation=organisation)


@pytest.fixture
def known(demo):
    """N recorded for the two largest organisations (one usable, one below its count);
    the others' N left unknown, so that their intervals are the plain ones."""
    _partnership, survey = demo
    orgs = organisations_by_submitted(survey)
    first, second = orgs.iloc[0], orgs.iloc[1]
    assert first["submitted"] >= survey.anonymity_threshold
    for pk in orgs["organisation"]:
        record(survey, int(pk), None)
    first["eligible"] = submitted(survey, int(first["organisation"])) + 2
    record(survey, int(first["organisation"]), int(first["eligible"]))
    # N below the responses counted: must be wrong, so it is ignored (§6.5).
    Eligibility.objects.filter(
        survey=survey, organisation_id=int(second["organisation"])
    ).update(eligible=int(second["submitted"]) - 1)
    return survey, first, second


def test_the_analysis_uses_a_known_n_for_the_organisation_intervals(known):
    survey, first, second = known
    analysis = build_analysis(survey)
    orgs = analysis.organisations.set_index("organisation")
    big_n = first["eligible"]
    assert orgs.at[first["organisation"], "eligible"] == big_n
    assert orgs.at[first["organisation"], "population"] == big_n
    assert pd.isna(orgs.at[second["organisation"], "population"])
    scores = analysis.org_scores[~analysis.org_scores[c.SUPPRESSED]]
    n, sd, se = scores[c.N], scores[c.SD], scores[c.SE]
    f = np.sqrt((big_n - n) / (big_n - 1))
    is_first = scores[c.ORGANISATION] == first["organisation"]
    assert is_first.any()
    np.testing.assert_allclose(se[is_first], (sd / np.sqrt(n) * f)[is_first])
    np.testing.assert_allclose(se[~is_first], (sd / np.sqrt(n))[~is_first])
    assert (f[is_first] < 1).all()


def test_sector_groups_pool_organisations_and_keep_f_at_one(known):
    survey, _first, _second = known
    sectors = build_analysis(survey).sector_scores
    shown = sectors[~sectors[c.SUPPRESSED]]
    np.testing.assert_allclose(shown[c.SE], shown[c.SD] / np.sqrt(shown[c.N]))


def test_scores_csv_ends_with_eligible_and_response_rate(known):
    survey, first, second = known
    analysis = build_analysis(survey)
    body = exports.table_csv("scores.csv", survey=survey, analysis=analysis)
    header = body.decode("utf-8-sig").split("\n", 1)[0].split(",")
    assert header[-3:] == ["suppressed", "eligible", "response_rate"]
    frame = pd.read_csv(io.BytesIO(body))
    by_org = dict(list(frame.groupby("organisation")))

    rows = by_org[first["name"]]
    shown = rows[~rows["suppressed"]]
    assert (rows["eligible"] == first["eligible"]).all()
    assert shown["response_rate"].tolist() == pytest.approx(  # to six decimals
        [first["submitted"] / first["eligible"]] * len(shown), abs=5e-7
    )
    assert rows.loc[rows["suppressed"], "response_rate"].isna().all()

    rows = by_org[second["name"]]  # N below the count: shown as recorded, rate blank
    assert (rows["eligible"] == second["submitted"] - 1).all()
    assert rows["response_rate"].isna().all()

    hidden = analysis.organisations[analysis.organisations["suppressed"]]
    for name in hidden["name"]:
        assert by_org[name]["eligible"].isna().all()  # unknown here
        assert by_org[name]["response_rate"].isna().all()


def test_a_suppressed_organisation_shows_n_but_never_its_rate(demo):
    _partnership, survey = demo
    orgs = build_analysis(survey).organisations
    small = orgs[orgs["suppressed"]].iloc[0]
    asked = submitted(survey, int(small["organisation"])) + 3
    record(survey, int(small["organisation"]), asked)
    frame = pd.read_csv(
        io.BytesIO(
            exports.table_csv(
                "scores.csv", survey=survey, analysis=build_analysis(survey)
            )
        )
    )
    rows = frame[frame["organisation"] == small["name"]]
    assert (rows["eligible"] == asked).all()
    assert rows["response_rate"].isna().all()


def test_the_dictionary_documents_both_columns_and_the_rule(demo):
    _partnership, survey = demo
    frame = pd.read_csv(
        io.BytesIO(exports.table_csv("dictionary.csv", survey=survey, analysis=None))
    )
    scores = frame[(frame["kind"] == "column") & (frame["file"] == "scores.csv")]
    described = scores.set_index("column")["description"]
    assert list(scores["column"])[-2:] == ["eligible", "response_rate"]
    assert "personal links" in described["eligible"]
    assert "ignored" in described["response_rate"]
    assert "applied when N is known" in described["ci_low"]
    assert "ignored (f = 1)" in described["ci_low"]


def test_the_organisation_page_says_its_intervals_allow_for_n(client, known):
    survey, first, second = known
    client.force_login(
        MembershipFactory(
            partnership=survey.partnership, role=Membership.Role.CONSULTANT
        ).user
    )

    def page(org) -> str:
        url = reverse(
            "reports:organisation_detail", args=[survey.public_id, org["public_id"]]
        )
        return client.get(url).content.decode()

    assert f"Intervals allow for the {first['eligible']} people asked" in page(first)
    assert "so the intervals do not use it" in page(second)
