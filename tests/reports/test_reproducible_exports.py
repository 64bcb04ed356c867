"""An analyst holding responses.csv and dictionary.csv reproduces scores.csv (MEASUREMENT §6.9).

The re-computation below uses only the two files and the rules dictionary.csv states: the
`counted` column, the release moment it gives, each dimension's items, the half-the-items
rule for a respondent's score, and whole groups of K contributors per figure, oldest first in
the order of the file's rows. It shares no code with the engine.
"""

import io
import math
import re

import pandas as pd
import pytest
from django.core.management import call_command

from reports import exports
from reports.analysis import analyse_survey, forget_analyses
from surveys.models import Answer, Response, Survey
from tests.reports.test_confidentiality import _answered_like, _submit


def is_true(column: pd.Series) -> pd.Series:
    """Read a boolean column as written ("true"/"false"), however pandas parsed it."""
    return column.astype(str).str.lower() == "true"


def files(survey: Survey) -> dict[str, pd.DataFrame]:
    analysis = analyse_survey(survey, fresh=True)
    body = b"".join(exports.stream_responses_csv(survey))
    read = {
        "responses.csv": pd.read_csv(
            io.BytesIO(body), encoding="utf-8-sig", keep_default_na=False
        )
    }
    for name in ("scores.csv", "dictionary.csv"):
        table = exports.table_csv(name, survey=survey, analysis=analysis)
        read[name] = pd.read_csv(
            io.BytesIO(table), encoding="utf-8-sig", keep_default_na=False
        )
    return read


def recompute_scores(found: dict[str, pd.DataFrame], k: int) -> pd.DataFrame:
    """Return n and mean per organisation and dimension, from the two files alone."""
    dictionary = found["dictionary.csv"]
    items = dictionary[(dictionary["kind"] == "item") & (dictionary["block"] == "self")]
    per_dimension = items.groupby("dimension")["item_code"].nunique()
    counted_rule = dictionary.loc[
        (dictionary["file"] == "responses.csv") & (dictionary["column"] == "counted"),
        "description",
    ].iloc[0]
    released = re.search(r"released at (\S+):", counted_rule)
    answers = found["responses.csv"]
    answers = answers[
        is_true(answers["counted"]) & answers["item_code"].isin(items["item_code"])
    ].copy()
    answers["order"] = range(len(answers))  # the file's order is the rule's
    answers["score"] = pd.to_numeric(answers["scored_value"], errors="coerce")
    people = answers.groupby(["organisation", "dimension", "response_id"]).agg(
        answered=("score", "count"),
        score=("score", "mean"),
        order=("order", "min"),
        submitted_at=("submitted_at", "first"),
    )
    people = people.reset_index()
    needed = people["dimension"].map(per_dimension).map(lambda j: math.ceil(j / 2))
    people = people[people["answered"] >= needed].sort_values("order")
    people["later"] = people["submitted_at"] > released.group(1) if released else True
    keep = []
    for _key, group in people.groupby(["organisation", "dimension", "later"]):
        if not group["later"].iloc[0]:
            keep.append(group)
        else:
            keep.append(group.iloc[: len(group) // k * k])
    kept = pd.concat(keep)
    cells = kept.groupby(["organisation", "dimension"])["score"].agg(["count", "mean"])
    return cells[cells["count"] >= k]


def assert_scores_reproduced(survey: Survey) -> None:
    found = files(survey)
    expected = recompute_scores(found, survey.anonymity_threshold)
    scores = found["scores.csv"]
    shown = scores[~is_true(scores["suppressed"])].set_index(
        ["organisation", "dimension"]
    )
    assert len(shown) > 0
    assert set(shown.index) == set(expected.index)
    for key, row in shown.iterrows():
        assert int(row["n"]) == expected.at[key, "count"], key
        # scores.csv writes means to six decimals
        assert float(row["mean"]) == pytest.approx(expected.at[key, "mean"], abs=5e-7)


def skip_a_dimension(survey: Survey, responses: list[Response]) -> None:
    """Make these respondents say "Don't know" to the first dimension, so that its
    scorers are fewer than their organisation's counted responses."""
    dimension = survey.instrument.dimensions.order_by("order").first()
    Answer.objects.filter(response__in=responses, item__dimension=dimension).update(
        value=None
    )


def first_counted(survey: Survey, people: int) -> list[Response]:
    """Return the first `people` submitted responses of each organisation."""
    chosen: list[Response] = []
    for organisation in survey.partnership.members.all():
        chosen += Response.objects.filter(
            survey=survey, organisation=organisation, submitted_at__isnull=False
        ).order_by("submitted_at")[:people]
    return chosen


@pytest.mark.django_db
def test_an_open_provisional_rounds_scores_follow_from_responses_csv():
    forget_analyses()
    call_command(
        "seed_demo", organisations=3, respondents=12, seed=7, stdout=io.StringIO()
    )
    survey = Survey.objects.get(status=Survey.Status.OPEN)
    assert survey.release_rule == Survey.ReleaseRule.GROUPS
    # Ten counted, eight of them scoring the first dimension: it counts five.
    skip_a_dimension(survey, first_counted(survey, people=2))
    analysis = analyse_survey(survey, fresh=True)
    assert (analysis.org_scores["n"].dropna() % survey.anonymity_threshold == 0).all()
    assert_scores_reproduced(survey)


@pytest.mark.django_db
def test_a_closed_rounds_scores_follow_from_responses_csv(closed_demo):
    _partnership, survey = closed_demo
    assert_scores_reproduced(survey)


@pytest.mark.django_db
def test_a_round_extended_after_its_release_still_follows_from_responses_csv(
    closed_demo,
):
    # Released at its close, then given a later date: later responses count in groups.
    _partnership, survey = closed_demo
    Survey.objects.filter(pk=survey.pk).update(
        results_released_at=survey.closes_at, status=Survey.Status.OPEN
    )
    survey.refresh_from_db()
    source = Response.objects.filter(survey=survey, submitted_at__isnull=False).first()
    Survey.objects.filter(pk=survey.pk).update(closes_at=None)
    survey.refresh_from_db()
    extra = [_answered_like(source, link=source.invitation) for _ in range(7)]
    _submit(extra)
    # Five of the seven count; two of those skip a dimension, so it gains no whole group.
    skip_a_dimension(survey, extra[:2])
    assert_scores_reproduced(survey)
