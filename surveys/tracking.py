"""Reads for the people who run a survey: their partnerships, rounds, response tracking, audit trail.

Access is checked before these run (`surveys.selectors`); every figure is a database aggregate,
and counts use correlated subqueries rather than joins, because joining an organisation to both
its links and its responses multiplies the rows (links x responses) before counting.
"""

from dataclasses import dataclass

from django.db.models import (
    BooleanField,
    Case,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest, Least, Lower

from surveys.counting import (
    OrganisationCount,
    counted_responses,
    organisation_counts,
)
from surveys.models import (
    Answer,
    AuditEvent,
    Eligibility,
    Invitation,
    Membership,
    Organisation,
    Partnership,
    Response,
    Survey,
    User,
)
from surveys.selectors import partnerships_for_user

RECENT_EVENTS = 10


class SubqueryCount(Subquery):
    """COUNT(*) of a correlated subquery, as an integer annotation (0 when empty)."""

    template = "(SELECT count(*) FROM (%(subquery)s) _count)"
    output_field = IntegerField()


def partnership_rows(*, user: User) -> QuerySet[Partnership]:
    """Return the user's partnerships with their role and organisation and round counts."""
    members = Partnership.members.through.objects.filter(
        partnership_id=OuterRef("pk")
    ).values("pk")
    rounds = Survey.objects.filter(partnership_id=OuterRef("pk")).values("pk")
    open_rounds = Survey.objects.filter(
        partnership_id=OuterRef("pk"), status=Survey.Status.OPEN
    ).values("pk")
    return partnerships_for_user(user=user).annotate(
        organisation_count=SubqueryCount(members),
        round_count=SubqueryCount(rounds),
        open_round_count=SubqueryCount(open_rounds),
    )


def partnership_organisations(*, partnership: Partnership) -> QuerySet[Organisation]:
    """Return the member organisations, each marked `removable` if nobody answered from or about it."""
    rounds = Survey.objects.filter(partnership=partnership)
    answered_from = Response.objects.filter(
        survey__in=rounds, organisation=OuterRef("pk")
    )
    answered_about = Answer.objects.filter(
        response__survey__in=rounds, subject_organisation=OuterRef("pk")
    )
    return partnership.members.annotate(
        removable=ExpressionWrapper(
            ~Exists(answered_from) & ~Exists(answered_about),
            output_field=BooleanField(),
        )
    ).order_by("name")


def partnership_rounds(*, partnership: Partnership) -> QuerySet[Survey]:
    """Return every round of the partnership, newest first, with its submitted count."""
    submitted = Response.objects.filter(
        survey=OuterRef("pk"), submitted_at__isnull=False
    ).values("pk")
    return (
        Survey.objects.filter(partnership=partnership)
        .select_related("instrument")
        .annotate(submitted=SubqueryCount(submitted))
        .order_by("-created_at")
    )


def partnership_team(*, partnership: Partnership) -> QuerySet[Membership]:
    """Return who has a role on the partnership, leads first."""
    order = Case(
        When(role=Membership.Role.LEAD, then=Value(0)),
        When(role=Membership.Role.CONSULTANT, then=Value(1)),
        default=Value(2),
    )
    return (
        Membership.objects.filter(partnership=partnership)
        .select_related("user")
        .order_by(order, "user__last_name", "user__first_name", "user__username")
    )


def recent_events(
    *,
    partnership: Partnership,
    survey: Survey | None = None,
    limit: int = RECENT_EVENTS,
) -> list[AuditEvent]:
    """Return the latest audit events of a partnership, or of one of its rounds."""
    events = AuditEvent.objects.filter(partnership=partnership)
    if survey is not None:
        events = events.filter(survey=survey)
    return list(events.select_related("survey")[:limit])


def _personal_links(survey: Survey) -> QuerySet[Invitation]:
    return Invitation.objects.filter(
        survey=survey,
        organisation=OuterRef("pk"),
        kind=Invitation.Kind.PERSONAL,
        revoked_at__isnull=True,
    )


def with_eligible(
    organisations: QuerySet[Organisation], *, survey: Survey
) -> QuerySet[Organisation]:
    """Annotate organisations with how many people the round asked: N (MEASUREMENT §6.5).

    Annotations: `issued` (personal links not revoked), `eligible_recorded` (the lead
    has entered a number, or said it is not known) and `eligible`: the lead's number,
    else the personal links issued if there are any and no counted response came through
    the organisation's shared link, else NULL (not known). Once the shared link is used, the
    personal links no longer say how many were asked: a default that is too low would
    narrow the intervals more than the data allow.
    """
    recorded = Eligibility.objects.filter(survey=survey, organisation=OuterRef("pk"))
    # Counted responses only: a response merely started, or held back, must not flip N
    # (and with it the intervals) while no count the figures rest on has moved.
    shared = Response.objects.filter(
        pk__in=counted_responses(survey).values("pk"),
        organisation=OuterRef("pk"),
        invitation__kind=Invitation.Kind.ORGANISATION,
    )
    return organisations.annotate(
        issued=SubqueryCount(_personal_links(survey).values("pk")),
        eligible_recorded=Exists(recorded),
        shared_link_used=Exists(shared),
    ).annotate(
        eligible=Case(
            When(
                eligible_recorded=True,
                then=Subquery(recorded.values("eligible")[:1]),
            ),
            When(issued__gt=0, shared_link_used=False, then=F("issued")),
            default=Value(None),
            output_field=IntegerField(),
        )
    )


def organisation_progress(*, survey: Survey) -> QuerySet[Organisation]:
    """Return each member organisation with this round's response figures, in one query.

    Annotations: those of `with_eligible`, then `sent`, `started` (all responses,
    submitted or not), `submitted`, `personal_submitted`, `over_eligible` (more
    submitted than people asked, so N is wrong and not used), `rate` (percentage of
    the people asked who submitted; NULL when N is unknown or not used), `reached`
    (submitted >= anonymity threshold), `needed` (responses still missing to reach it),
    `progress` out of `progress_max` for the progress bar (personal links submitted out
    of issued, or submitted out of the threshold without personal links) and
    `link_token` (the current organisation link).
    """
    personal = _personal_links(survey)
    responses = Response.objects.filter(survey=survey, organisation=OuterRef("pk"))
    submitted = responses.filter(submitted_at__isnull=False)
    org_link = Invitation.objects.filter(
        survey=survey,
        organisation=OuterRef("pk"),
        kind=Invitation.Kind.ORGANISATION,
        revoked_at__isnull=True,
    ).order_by("-created_at", "-pk")
    threshold = survey.anonymity_threshold
    return (
        with_eligible(survey.partnership.members, survey=survey)
        .annotate(
            sent=SubqueryCount(personal.filter(sent_at__isnull=False).values("pk")),
            started=SubqueryCount(responses.values("pk")),
            submitted=SubqueryCount(submitted.values("pk")),
            personal_submitted=SubqueryCount(
                submitted.filter(
                    invitation__kind=Invitation.Kind.PERSONAL,
                    invitation__revoked_at__isnull=True,
                ).values("pk")
            ),
            link_token=Subquery(org_link.values("token")[:1]),
        )
        .annotate(
            over_eligible=ExpressionWrapper(
                Q(eligible__isnull=False, submitted__gt=F("eligible")),
                output_field=BooleanField(),
            ),
        )
        .annotate(
            rate=Case(
                When(eligible__isnull=True, then=Value(None)),
                When(eligible=0, then=Value(None)),
                When(over_eligible=True, then=Value(None)),
                default=F("submitted") * 100 / F("eligible"),
                output_field=IntegerField(),
            ),
            reached=ExpressionWrapper(
                Q(submitted__gte=threshold), output_field=BooleanField()
            ),
            needed=Greatest(Value(threshold) - F("submitted"), Value(0)),
            # The bar shows the response rate of personal links; an organisation
            # with only its shared link shows its progress towards the threshold.
            progress=Case(
                When(issued=0, then=Least(F("submitted"), Value(threshold))),
                default=F("personal_submitted"),
            ),
            progress_max=Case(
                When(issued=0, then=Value(threshold)), default=F("issued")
            ),
        )
        .order_by("name")
    )


@dataclass(frozen=True)
class RoundTotals:
    issued: int
    sent: int
    started: int
    submitted: int
    personal_submitted: int
    organisations: int
    reached: int
    # Over the organisations whose N is known and used (see organisation_progress.rate).
    asked: int = 0
    asked_submitted: int = 0
    asked_organisations: int = 0

    @property
    def unsent(self) -> int:
        return self.issued - self.sent

    @property
    def rate(self) -> int | None:
        """Percentage of the people asked who submitted, or None when no N is usable."""
        return self.asked_submitted * 100 // self.asked if self.asked else None

    @property
    def asked_partly(self) -> bool:
        """Say whether some organisations are left out of the rate (N unknown or unused)."""
        return self.asked_organisations < self.organisations


def round_totals(*, survey: Survey, reached_only: bool = False) -> RoundTotals:
    """Return the whole round's figures, summed over its organisations in one query.

    `reached_only` sums only the organisations at the threshold: for people who may not
    see a smaller organisation's count, which the total would give away by subtraction.
    """
    rows = organisation_progress(survey=survey)
    if reached_only:
        rows = rows.filter(reached=True)
    fields = ["issued", "sent", "started", "submitted", "personal_submitted"]
    usable = Q(rate__isnull=False)
    # Aggregates take new names: reusing an annotation's name would shadow it.
    totals = rows.aggregate(
        **{f"total_{name}": Coalesce(Sum(name), 0) for name in fields},
        total_organisations=Coalesce(Sum(Value(1)), 0),
        total_reached=Coalesce(Sum(Case(When(reached=True, then=1))), 0),
        total_asked=Coalesce(Sum("eligible", filter=usable), 0),
        total_asked_submitted=Coalesce(Sum("submitted", filter=usable), 0),
        total_asked_organisations=Coalesce(Sum(Value(1), filter=usable), 0),
    )
    return RoundTotals(**{k.removeprefix("total_"): v for k, v in totals.items()})


@dataclass(frozen=True)
class ClosingOutcome:
    """What closing the round now would mean for one organisation's figures."""

    name: str
    submitted: int
    counted: int
    shown: bool

    @property
    def held_back(self) -> int:
        return self.submitted - self.counted


def closing_outcomes(*, survey: Survey) -> list[ClosingOutcome]:
    """Return, per member organisation, how many responses would count if closed now."""
    counts = organisation_counts(survey, closing=True)
    threshold = survey.anonymity_threshold
    outcomes = []
    for organisation in survey.partnership.members.order_by("name"):
        count = counts.get(organisation.pk, OrganisationCount(submitted=0, counted=0))
        outcomes.append(
            ClosingOutcome(
                name=organisation.name,
                submitted=count.submitted,
                counted=count.counted,
                shown=count.counted >= threshold,
            )
        )
    return outcomes


class InviteeStatus:
    """Where one personal invitation stands: a status, never the answers behind it."""

    NOT_SENT = "not_sent"
    SENT = "sent"
    UNDELIVERABLE = "bounced"
    STARTED = "started"
    SUBMITTED = "submitted"
    WITHDRAWN = "withdrawn"

    LABELS = {
        NOT_SENT: "Not sent",
        SENT: "Sent",
        UNDELIVERABLE: "Could not be delivered",
        STARTED: "Started",
        SUBMITTED: "Submitted",
        WITHDRAWN: "Withdrawn",
    }


def invitee_rows(
    *, survey: Survey, search: str = "", status: str = ""
) -> QuerySet[Invitation]:
    """Return the round's invitees (address, organisation, role, status, last reminder).

    Annotation `status` is one of InviteeStatus. Only a status: no answer, score or time of
    submission, which could be matched against the exports. Rows whose address was
    corrected (the old row has none) or erased are not invitees any more.
    """
    responses = Response.objects.filter(invitation=OuterRef("pk"))
    rows = (
        Invitation.objects.filter(
            survey=survey, kind=Invitation.Kind.PERSONAL, email__isnull=False
        )
        .select_related("organisation")
        .annotate(
            status=Case(
                When(revoked_at__isnull=False, then=Value(InviteeStatus.WITHDRAWN)),
                When(
                    Exists(responses.filter(submitted_at__isnull=False)),
                    then=Value(InviteeStatus.SUBMITTED),
                ),
                When(Exists(responses), then=Value(InviteeStatus.STARTED)),
                When(bounced_at__isnull=False, then=Value(InviteeStatus.UNDELIVERABLE)),
                When(sent_at__isnull=False, then=Value(InviteeStatus.SENT)),
                default=Value(InviteeStatus.NOT_SENT),
            )
        )
    )
    if search := search.strip():
        rows = rows.filter(
            Q(email__icontains=search)
            | Q(organisation__name__icontains=search)
            | Q(organisation__short_name__icontains=search)
        )
    if status in InviteeStatus.LABELS:
        rows = rows.filter(status=status)
    return rows.order_by("organisation__name", Lower("email"), "pk")
