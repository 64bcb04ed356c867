"""Which submitted responses count in a round's published figures (MEASUREMENT §6.6).

The property every rule here keeps: for any organisation, the sets of responses behind any
two views anyone could see during the round's life are identical or differ by at least K
(the round's anonymity threshold). Two rules, chosen per round by the lead:

- **At the close** (`Survey.ReleaseRule.AT_CLOSE`, the default): no figures until the
  round first closes; then every response submitted by that moment counts. The moment is
  kept (`Survey.results_released_at`), so moving the closing date later never hides the
  figures again; anything submitted afterwards counts in whole groups of K, oldest first.
- **Provisional** (`Survey.ReleaseRule.GROUPS`): from the start, each organisation's
  responses count in whole groups of K, oldest first, and the same rule holds after the
  close, so the last fewer-than-K responses stay out of the figures for good (they stay in
  responses.csv, marked as not counted).

Both rules depend only on the round's responses in submission order and on one stored
moment, never on the clock or the closing date as such, so no change of dates brings back
an earlier state.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
    Window,
)
from django.db.models.functions import RowNumber

from surveys.models import Response, Survey


def _in_whole_groups(responses: QuerySet[Response], k: int, *partition) -> QuerySet:
    """Rank each organisation's responses oldest first and keep whole groups of K."""
    by_group = {"partition_by": [F("organisation_id"), *partition]}
    return responses.annotate(
        position=Window(
            RowNumber(),
            # The order of responses.csv's rows, so an analyst can follow the rule.
            order_by=[F("submitted_at").asc(), F("public_id").asc()],
            **by_group,
        ),
        group_size=Window(Count("pk"), **by_group),
    )


def counted_responses(
    survey: Survey, *, now: datetime | None = None, closing: bool = False
) -> QuerySet[Response]:
    """Return the submitted responses that the round's published figures are built from.

    `closing` answers "what would count if the lead closed the round now" for the close
    confirmation page.
    """
    submitted = Response.objects.filter(survey=survey, submitted_at__isnull=False)
    k = survey.anonymity_threshold
    if survey.release_rule == Survey.ReleaseRule.GROUPS:
        ranked = _in_whole_groups(submitted, k)
        return ranked.filter(position__lte=F("group_size") / k * k)
    released = survey.release_moment(now=now, closing=closing)
    if released is None:
        # Nothing yet; an empty set that still compiles to SQL (COPY and subqueries).
        return submitted.filter(submitted_at__isnull=True)
    after = Case(
        When(submitted_at__lte=released, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    ranked = _in_whole_groups(submitted.annotate(after=after), k, F("after"))
    return ranked.filter(Q(after=0) | Q(position__lte=F("group_size") / k * k))


@dataclass(frozen=True)
class OrganisationCount:
    """How many of an organisation's submitted responses count, and how many wait."""

    submitted: int
    counted: int


def organisation_counts(
    survey: Survey, *, now: datetime | None = None, closing: bool = False
) -> dict[int, OrganisationCount]:
    """Return, per organisation id, its submitted and counted responses (two queries)."""
    submitted = dict(
        Response.objects.filter(survey=survey, submitted_at__isnull=False)
        .values_list("organisation_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counted = dict(
        Response.objects.filter(
            pk__in=counted_responses(survey, now=now, closing=closing).values("pk")
        )
        .values_list("organisation_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {
        organisation_id: OrganisationCount(
            submitted=n, counted=counted.get(organisation_id, 0)
        )
        for organisation_id, n in submitted.items()
    }
