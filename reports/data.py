"""Load a survey round's submitted answers from the database into DataFrames, one query each."""

import io

import pandas as pd
from django.db import connection
from django.db.models import Count, F, Q, QuerySet
from django.utils.crypto import salted_hmac

from reports import columns as c
from reports import grouping
from surveys.counting import counted_responses
from surveys.models import (
    Answer,
    Block,
    Comment,
    Item,
    Organisation,
    ProfileAnswer,
    Response,
    Survey,
)
from surveys.tracking import with_eligible

# Each loader names its columns beside the ORM lookups that fill them.
ANSWER_FIELDS = {
    "response_id": "response_id",
    "organisation": "response__organisation_id",
    "dimension": "item__dimension__key",
    "item": "item__code",
    "reverse": "item__reverse_scored",
    "value": "value",
}
ITEM_FIELDS = {
    "dimension": "dimension__key",
    "item": "code",
    "reverse": "reverse_scored",
    "text": "text",
    "dimension_title": "dimension__title",
    "dimension_order": "dimension__order",
}
PARTNER_FIELDS = {
    "response_id": "response_id",
    "organisation": "response__organisation_id",
    "subject": "subject_organisation_id",
    "item": "item__code",
    "value": "value",
}
PROFILE_FIELDS = {
    "response_id": "response_id",
    "organisation": "response__organisation_id",
    "prompt": "item__prompt",
    "culture_type": "item__culture_type",
    "points": "points",
}
ALIGNMENT_FIELDS = {
    "response_id": "response_id",
    "organisation": "response__organisation_id",
    "item": "item__code",
    "value": "value",
}
ORGANISATION_FIELDS = {
    "organisation": "pk",
    "public_id": "public_id",
    "name": "name",
    "short_name": "short_name",
    "sector": "sector",
    "submitted": "submitted",
    "eligible": "eligible",
}
COMMENT_FIELDS = {
    "organisation": "response__organisation_id",
    "dimension": "dimension__key",
    "text": "text",
}


COMMENT_ORDER_SALT = "reports.data.load_comments"

TEXT_COLUMNS = {"dimension", "item", "prompt", "culture_type"}


def _copy_frame(queryset: QuerySet, columns: list[str]) -> pd.DataFrame:
    """Run the queryset's SQL through COPY … TO STDOUT and parse the CSV with pandas."""
    sql, params = queryset.query.sql_with_params()
    buffer = io.BytesIO()
    with connection.cursor() as cursor:
        statement = cursor.mogrify(sql, params).decode()
        cursor.copy_expert(f"COPY ({statement}) TO STDOUT WITH (FORMAT csv)", buffer)
    buffer.seek(0)
    if not buffer.getbuffer().nbytes:
        return pd.DataFrame(columns=columns)
    return pd.read_csv(
        buffer,
        header=None,
        names=columns,
        keep_default_na=False,
        na_values=[""],
        true_values=["t"],  # PostgreSQL writes booleans as t and f
        false_values=["f"],
        # Codes stay text even when one looks like a number.
        dtype={name: "str" for name in columns if name in TEXT_COLUMNS},
    )


def _frame(
    queryset: QuerySet,
    fields: dict[str, str],
    *,
    floats: tuple[str, ...] = (),
    bulk: bool = False,
) -> pd.DataFrame:
    """Run one query and return its rows as a frame with the given column names.

    `bulk` frames (one row per answer) are read with COPY on PostgreSQL; they hold only
    numbers, codes and booleans, which survive the CSV round trip unchanged.
    """
    rows = queryset.values_list(*fields.values())
    if bulk and connection.vendor == "postgresql":
        frame = _copy_frame(rows, list(fields))
    else:
        # Passing columns means an empty result still has its columns.
        frame = pd.DataFrame.from_records(list(rows), columns=list(fields))
    if "public_id" in frame:
        frame["public_id"] = frame["public_id"].astype(str)
    for column in floats:
        frame[column] = frame[column].astype("float64")
    return frame


def published_responses(survey: Survey) -> QuerySet[Response]:
    """Return the submitted responses the reports are built from (surveys.counting)."""
    return counted_responses(survey)


def _submitted(survey: Survey) -> Q:
    return Q(response__in=published_responses(survey).values("pk"))


def load_answers(survey: Survey) -> pd.DataFrame:
    """Return one row per submitted rating about the respondent's own organisation."""
    answers = Answer.objects.filter(_submitted(survey), item__block=Block.SELF)
    return _frame(answers.order_by(), ANSWER_FIELDS, floats=("value",), bulk=True)


def load_items(survey: Survey) -> pd.DataFrame:
    """Return the instrument's self-block items with their dimensions, in survey order."""
    items = Item.objects.filter(
        dimension__instrument_id=survey.instrument_id, block=Block.SELF
    ).order_by("dimension__order", "order")
    return _frame(items, ITEM_FIELDS)


def load_partner_answers(survey: Survey) -> pd.DataFrame:
    """Return one row per submitted rating of a partner organisation."""
    answers = Answer.objects.filter(_submitted(survey), item__block=Block.PARTNER)
    return _frame(answers.order_by(), PARTNER_FIELDS, floats=("value",), bulk=True)


def load_profile_points(survey: Survey) -> pd.DataFrame:
    """Return one row per submitted culture-profile allocation."""
    points = ProfileAnswer.objects.filter(_submitted(survey))
    return _frame(points.order_by(), PROFILE_FIELDS, floats=("points",), bulk=True)


def load_alignment(survey: Survey) -> pd.DataFrame:
    """Return one row per submitted alignment answer, shifted from 1–5 to −2…+2."""
    answers = Answer.objects.filter(
        _submitted(survey), item__response_format=Item.Format.ALIGNMENT
    )
    frame = _frame(answers.order_by(), ALIGNMENT_FIELDS, floats=("value",), bulk=True)
    return frame.assign(value=frame["value"] - 3)


def load_alignment_items(survey: Survey) -> pd.DataFrame:
    """Return the instrument's alignment items (code and wording), in survey order."""
    items = Item.objects.filter(
        dimension__instrument_id=survey.instrument_id,
        response_format=Item.Format.ALIGNMENT,
    ).order_by("dimension__order", "order")
    return _frame(items, {"item": "code", "text": "text"})


def load_organisations(survey: Survey) -> pd.DataFrame:
    """Return the partnership's organisations with their published responses and N.

    `submitted` counts the published responses; `eligible` is how many people the
    organisation asked (MEASUREMENT §6.5, `surveys.tracking.with_eligible`), NaN when
    not known.
    """
    organisations = with_eligible(
        Organisation.objects.filter(partnerships=survey.partnership_id), survey=survey
    ).annotate(
        submitted=Count(
            "responses",
            filter=Q(responses__in=published_responses(survey).values("pk")),
        )
    )
    return _frame(
        organisations.order_by("name"), ORGANISATION_FIELDS, floats=("eligible",)
    )


def load_release_order(survey: Survey) -> pd.DataFrame:
    """Return the counted responses oldest first, each marked `later` if submitted after
    the first release (reports.grouping counts those only in whole groups of K)."""
    rows = published_responses(survey).values_list("pk", "submitted_at", "public_id")
    frame = pd.DataFrame.from_records(
        [(pk, at, str(public_id)) for pk, at, public_id in rows],
        columns=[c.RESPONSE_ID, "submitted_at", "public_id"],
    )
    released = (
        None
        if survey.release_rule == Survey.ReleaseRule.GROUPS
        else survey.release_moment()
    )
    later = (
        frame["submitted_at"] > released
        if released is not None
        else pd.Series(True, index=frame.index)
    )
    return grouping.release_order(frame.assign(**{grouping.LATER: later}))


def load_comments(survey: Survey, order: pd.DataFrame | None = None) -> pd.DataFrame:
    """Return the comments that may be shown, in a random order, with no respondent or date.

    MEASUREMENT §6.7: an organisation's comments on a dimension appear only once at least
    K different people (of the responses that count) wrote one there, and, like every
    figure, their writers count in whole groups of K (reports.grouping). Both rules apply
    within each language the comments were written in: one Welsh comment among an
    organisation's English ones would otherwise point at its one Welsh-speaking writer.
    The order is a keyed hash of each comment within its dimension, so it says nothing
    about who wrote first.
    """
    comments = Comment.objects.filter(_submitted(survey)).order_by()
    fields = {
        **COMMENT_FIELDS,
        "response_id": "response_id",
        "key": "pk",
        "dimension_order": "dimension__order",
        "language": "language",
    }
    frame = _frame(comments, fields)
    order = load_release_order(survey) if order is None else order
    group = ["organisation", "dimension", "language"]
    frame = grouping.whole_groups(
        frame, figure=group, order=order, threshold=survey.anonymity_threshold
    )
    writers = frame.groupby(group)["response_id"].transform("nunique")
    shown = frame[writers >= survey.anonymity_threshold]
    order = shown["key"].map(
        lambda pk: salted_hmac(
            COMMENT_ORDER_SALT, f"{survey.pk}:{pk}", algorithm="sha256"
        ).hexdigest()
    )
    return (
        shown.assign(_order=order)
        .sort_values(["dimension_order", "_order"])[list(COMMENT_FIELDS)]
        .reset_index(drop=True)
    )


def previous_round(survey: Survey) -> Survey | None:
    """Return the partnership's round before this one (by opening date), if any."""
    earlier = (
        Q(opens_at__lt=survey.opens_at)
        if survey.opens_at
        else Q(created_at__lt=survey.created_at)
    )
    return (
        Survey.objects.filter(earlier, partnership_id=survey.partnership_id)
        .exclude(pk=survey.pk)
        .order_by(F("opens_at").desc(nulls_last=True), "-created_at")
        .first()
    )
