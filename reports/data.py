"""Load a survey round's submitted answers from the database into DataFrames, one query each."""

import pandas as pd
from django.db.models import Count, F, Q

from surveys.models import (
    Answer,
    Block,
    Comment,
    Item,
    Organisation,
    ProfileAnswer,
    Survey,
)

ANSWER_COLUMNS = [
    "response_id",
    "organisation",
    "dimension",
    "item",
    "reverse",
    "value",
]
ITEM_COLUMNS = [
    "dimension",
    "item",
    "reverse",
    "text",
    "dimension_title",
    "dimension_order",
]
PARTNER_COLUMNS = ["response_id", "organisation", "subject", "item", "value"]
PROFILE_COLUMNS = ["response_id", "organisation", "prompt", "culture_type", "points"]
ORGANISATION_COLUMNS = [
    "organisation",
    "public_id",
    "name",
    "short_name",
    "sector",
    "submitted",
]
COMMENT_COLUMNS = ["organisation", "dimension", "text"]


def _frame(rows, columns: list[str]) -> pd.DataFrame:
    # Passing columns means an empty result still has its columns.
    return pd.DataFrame.from_records(list(rows), columns=columns)


def _submitted(survey: Survey) -> Q:
    return Q(response__survey=survey, response__submitted_at__isnull=False)


def load_answers(survey: Survey) -> pd.DataFrame:
    """Return one row per submitted rating about the respondent's own organisation."""
    rows = (
        Answer.objects.filter(_submitted(survey), item__block=Block.SELF)
        .order_by()
        .values_list(
            "response__public_id",
            "response__organisation_id",
            "item__dimension__key",
            "item__code",
            "item__reverse_scored",
            "value",
        )
    )
    frame = _frame(rows, ANSWER_COLUMNS)
    frame["response_id"] = frame["response_id"].astype(str)
    frame["value"] = frame["value"].astype("float64")
    return frame


def load_items(survey: Survey) -> pd.DataFrame:
    """Return the instrument's self-block items with their dimensions, in survey order."""
    rows = (
        Item.objects.filter(
            dimension__instrument_id=survey.instrument_id, block=Block.SELF
        )
        .order_by("dimension__order", "order")
        .values_list(
            "dimension__key",
            "code",
            "reverse_scored",
            "text",
            "dimension__title",
            "dimension__order",
        )
    )
    return _frame(rows, ITEM_COLUMNS)


def load_partner_answers(survey: Survey) -> pd.DataFrame:
    """Return one row per submitted rating of a partner organisation."""
    rows = (
        Answer.objects.filter(_submitted(survey), item__block=Block.PARTNER)
        .order_by()
        .values_list(
            "response__public_id",
            "response__organisation_id",
            "subject_organisation_id",
            "item__code",
            "value",
        )
    )
    frame = _frame(rows, PARTNER_COLUMNS)
    frame["response_id"] = frame["response_id"].astype(str)
    frame["value"] = frame["value"].astype("float64")
    return frame


def load_profile_points(survey: Survey) -> pd.DataFrame:
    """Return one row per submitted culture-profile allocation."""
    rows = (
        ProfileAnswer.objects.filter(_submitted(survey))
        .order_by()
        .values_list(
            "response__public_id",
            "response__organisation_id",
            "item__prompt",
            "item__culture_type",
            "points",
        )
    )
    frame = _frame(rows, PROFILE_COLUMNS)
    frame["response_id"] = frame["response_id"].astype(str)
    frame["points"] = frame["points"].astype("float64")
    return frame


def load_alignment(survey: Survey) -> pd.DataFrame:
    """Return one row per submitted alignment answer, shifted from 1–5 to −2…+2."""
    rows = (
        Answer.objects.filter(
            _submitted(survey), item__response_format=Item.Format.ALIGNMENT
        )
        .order_by()
        .values_list(
            "response__public_id", "response__organisation_id", "item__code", "value"
        )
    )
    frame = _frame(rows, ["response_id", "organisation", "item", "value"])
    frame["response_id"] = frame["response_id"].astype(str)
    frame["value"] = frame["value"].astype("float64") - 3
    return frame


def load_organisations(survey: Survey) -> pd.DataFrame:
    """Return the partnership's organisations with their count of submitted responses."""
    rows = (
        Organisation.objects.filter(partnerships=survey.partnership_id)
        .annotate(
            submitted=Count(
                "responses",
                filter=Q(
                    responses__survey=survey, responses__submitted_at__isnull=False
                ),
            )
        )
        .order_by("name")
        .values_list("pk", "public_id", "name", "short_name", "sector", "submitted")
    )
    frame = _frame(rows, ORGANISATION_COLUMNS)
    frame["public_id"] = frame["public_id"].astype(str)
    return frame


def load_comments(survey: Survey) -> pd.DataFrame:
    """Return every submitted comment with its organisation and dimension (no respondent)."""
    rows = (
        Comment.objects.filter(_submitted(survey))
        .order_by("dimension__order", "pk")
        .values_list("response__organisation_id", "dimension__key", "text")
    )
    return _frame(rows, COMMENT_COLUMNS)


def previous_round(survey: Survey) -> Survey | None:
    """Return the partnership's round before this one (by opening date), if any."""
    return (
        Survey.objects.filter(partnership_id=survey.partnership_id)
        .exclude(pk=survey.pk)
        .filter(
            Q(opens_at__lt=survey.opens_at)
            if survey.opens_at
            else Q(created_at__lt=survey.created_at)
        )
        .order_by(F("opens_at").desc(nulls_last=True), "-created_at")
        .first()
    )
