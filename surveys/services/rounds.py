"""Survey rounds: create, open, close, extend and reopen them, and replace links."""

from dataclasses import dataclass
from datetime import date, datetime, time

from django.db import transaction
from django.utils import dateformat, timezone

from surveys.counting import OrganisationCount, organisation_counts
from surveys.models import (
    AuditAction,
    Instrument,
    Invitation,
    Organisation,
    Partnership,
    Survey,
    User,
    default_survey_languages,
)
from surveys.services.audit import record_event

# A round closes at the end of its closing day, so "closes on 12 March" means all of it.
CLOSING_TIME = time(23, 59)


class RoundStateError(Exception):
    """The round cannot make that change in its current state; the message says why."""


def start_of_day(day: date) -> datetime:
    """Return midnight at the start of a day in the site's time zone."""
    return timezone.make_aware(datetime.combine(day, time.min))


def end_of_day(day: date) -> datetime:
    """Return the closing moment of a day (23:59) in the site's time zone."""
    return timezone.make_aware(datetime.combine(day, CLOSING_TIME))


def create_organisation_links(
    *, survey: Survey, organisations: list[Organisation]
) -> list[Invitation]:
    """Issue one organisation link (shared, many responses) per organisation."""
    return Invitation.objects.bulk_create(
        Invitation(survey=survey, organisation=org, kind=Invitation.Kind.ORGANISATION)
        for org in organisations
    )


@transaction.atomic
def create_round(
    *,
    partnership: Partnership,
    instrument: Instrument,
    title: str,
    opens_on: date | None,
    closes_on: date | None,
    anonymity_threshold: int,
    actor: User,
    release_rule: str = Survey.ReleaseRule.AT_CLOSE,
    reminder_days: list[int] | None = None,
    languages: list[str] | None = None,
) -> Survey:
    """Create a draft round with one organisation link per member organisation."""
    survey = Survey.objects.create(
        reminder_days=reminder_days or [],
        languages=languages or default_survey_languages(),
        partnership=partnership,
        instrument=instrument,
        title=title,
        opens_at=start_of_day(opens_on) if opens_on else None,
        closes_at=end_of_day(closes_on) if closes_on else None,
        anonymity_threshold=anonymity_threshold,
        release_rule=release_rule,
    )
    create_organisation_links(
        survey=survey, organisations=list(partnership.members.all())
    )
    record_event(
        partnership=partnership,
        survey=survey,
        actor=actor,
        action=AuditAction.ROUND_CREATED,
        detail={"round": title},
    )
    return survey


@transaction.atomic
def update_round(
    *,
    survey: Survey,
    title: str,
    opens_on: date | None,
    closes_on: date | None,
    anonymity_threshold: int,
    release_rule: str | None = None,
    reminder_days: list[int] | None = None,
    languages: list[str] | None = None,
) -> Survey:
    """Change a round's title, dates and (while it is a draft) threshold and release rule.

    Moving the closing date of a round whose figures are already out (it passed its
    closing date) keeps them out: the moment of release is stored first, so the figures
    are never hidden again only to come back with fewer than K more responses.
    """
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    release_rule = release_rule or survey.release_rule
    if survey.status == Survey.Status.CLOSED:
        raise RoundStateError("A closed round cannot be changed.")
    if survey.status != Survey.Status.DRAFT and (
        anonymity_threshold != survey.anonymity_threshold
        or release_rule != survey.release_rule
    ):
        raise RoundStateError(
            "The anonymity threshold and when results appear cannot change once the "
            "round is open."
        )
    keep_released(survey)
    survey.title = title
    survey.opens_at = start_of_day(opens_on) if opens_on else None
    survey.closes_at = end_of_day(closes_on) if closes_on else None
    survey.anonymity_threshold = anonymity_threshold
    survey.release_rule = release_rule
    if reminder_days is not None:
        survey.reminder_days = reminder_days
    if languages:
        survey.languages = languages
    survey.save(
        update_fields=[
            "reminder_days",
            "languages",
            "title",
            "opens_at",
            "closes_at",
            "anonymity_threshold",
            "release_rule",
            "results_released_at",
            "updated_at",
        ]
    )
    return survey


def keep_released(survey: Survey) -> None:
    """Store the moment a round's figures came out, before anything moves its dates.

    The caller holds the round's row lock and saves `results_released_at`.
    """
    if survey.results_released_at is None:
        survey.results_released_at = survey.release_moment()


@transaction.atomic
def open_round(*, survey: Survey, actor: User) -> Survey:
    """Open a draft round so its links take answers (from its opening date, if later)."""
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    now = timezone.now()
    if survey.status != Survey.Status.DRAFT:
        raise RoundStateError(
            f"‘{survey.title}’ is {survey.get_status_display().lower()}, so it cannot be opened."
        )
    if survey.closes_at is not None and survey.closes_at <= now:
        raise RoundStateError(
            "The closing date has passed. Change the closing date, then open the round."
        )
    survey.status = Survey.Status.OPEN
    if survey.opens_at is None:
        survey.opens_at = now
    survey.save(update_fields=["status", "opens_at", "updated_at"])
    record_event(
        partnership=survey.partnership,
        survey=survey,
        actor=actor,
        action=AuditAction.ROUND_OPENED,
        detail={"round": survey.title},
    )
    return survey


@transaction.atomic
def close_round(*, survey: Survey, actor: User) -> Survey:
    """Close an open round now: its links stop taking answers."""
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    now = timezone.now()
    if survey.status != Survey.Status.OPEN:
        raise RoundStateError(
            f"‘{survey.title}’ is {survey.get_status_display().lower()}, so it cannot be closed."
        )
    survey.status = Survey.Status.CLOSED
    if survey.closes_at is None or survey.closes_at > now:
        survey.closes_at = now
    if survey.opens_at is not None and survey.opens_at >= survey.closes_at:
        # Closed before its opening date: it never opened.
        survey.opens_at = None
    keep_released(survey)
    survey.save(
        update_fields=[
            "status",
            "opens_at",
            "closes_at",
            "results_released_at",
            "updated_at",
        ]
    )
    record_event(
        partnership=survey.partnership,
        survey=survey,
        actor=actor,
        action=AuditAction.ROUND_CLOSED,
        detail={"round": survey.title},
    )
    return survey


@transaction.atomic
def regenerate_organisation_link(
    *, survey: Survey, organisation: Organisation, actor: User
) -> Invitation:
    """Revoke the organisation's current link for this round and issue a new one."""
    if survey.status == Survey.Status.CLOSED:
        raise RoundStateError("Links of a closed round cannot be replaced.")
    now = timezone.now()
    revoked = Invitation.objects.filter(
        survey=survey,
        organisation=organisation,
        kind=Invitation.Kind.ORGANISATION,
        revoked_at__isnull=True,
    ).update(revoked_at=now, updated_at=now)
    link = Invitation.objects.create(
        survey=survey, organisation=organisation, kind=Invitation.Kind.ORGANISATION
    )
    record_event(
        partnership=survey.partnership,
        survey=survey,
        actor=actor,
        action=AuditAction.LINK_REGENERATED,
        detail={"organisation": organisation.name, "revoked": revoked},
    )
    return link


def _long_date(moment: datetime | None) -> str:
    return dateformat.format(timezone.localtime(moment), "j F Y") if moment else ""


def closing_date_problem(
    *, survey: Survey, closes_on: date, now: datetime | None = None
) -> str | None:
    """Say why the round cannot be extended or reopened to this date, or None if it can."""
    now = now or timezone.now()
    closes_at = end_of_day(closes_on)
    if survey.status == Survey.Status.DRAFT:
        return "This round is a draft: change its dates on the round details page."
    if survey.personal_data_deleted_at is not None:
        return (
            "This round’s personal data has been deleted and its resume links no "
            "longer work, so it cannot take answers again. Start a new round instead."
        )
    if closes_at <= now:
        return "The new closing date must be today or in the future."
    if survey.closes_at is not None and closes_at <= survey.closes_at:
        return (
            "The new closing date must be after the current one, "
            f"{_long_date(survey.closes_at)}."
        )
    if survey.opens_at is not None and closes_at <= survey.opens_at:
        return "The new closing date must be after the opening date."
    return None


@transaction.atomic
def move_closing_date(*, survey: Survey, closes_on: date, actor: User) -> Survey:
    """Extend an open round, or reopen a closed one, to close at the end of `closes_on`.

    The moment the results came out is stored before the dates move and never reset, so
    the figures shown at the first close stay as they are, and responses submitted
    afterwards count only in whole groups of K per organisation (surveys.counting).
    """
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    now = timezone.now()
    closes_at = end_of_day(closes_on)
    if problem := closing_date_problem(survey=survey, closes_on=closes_on, now=now):
        raise RoundStateError(problem)
    reopening = survey.status == Survey.Status.CLOSED
    previous = survey.closes_at
    keep_released(survey)
    survey.status = Survey.Status.OPEN
    survey.closes_at = closes_at
    survey.save(
        update_fields=["status", "closes_at", "results_released_at", "updated_at"]
    )
    record_event(
        partnership=survey.partnership,
        survey=survey,
        actor=actor,
        action=AuditAction.ROUND_REOPENED if reopening else AuditAction.ROUND_EXTENDED,
        detail={
            "round": survey.title,
            "closes": _long_date(closes_at),
            "previous": _long_date(previous),
        },
    )
    return survey


@dataclass(frozen=True)
class OrganisationNow:
    """One organisation's responses in the figures now, and those waiting for a group."""

    name: str
    counted: int
    waiting: int
    shown: bool


@dataclass(frozen=True)
class DateChangeEffect:
    """What extending or reopening a round does to what its results show, in figures."""

    reopening: bool
    in_groups: bool
    released_at: datetime | None
    organisations: list[OrganisationNow]

    @property
    def counted(self) -> int:
        return sum(o.counted for o in self.organisations if o.shown)

    @property
    def shown(self) -> int:
        return sum(1 for o in self.organisations if o.shown)


def date_change_effect(*, survey: Survey) -> DateChangeEffect:
    """Return what moving the round's closing date later means for its figures now."""
    counts = organisation_counts(survey)
    threshold = survey.anonymity_threshold
    organisations = []
    for organisation in survey.partnership.members.order_by("name"):
        count = counts.get(organisation.pk, OrganisationCount(submitted=0, counted=0))
        organisations.append(
            OrganisationNow(
                name=organisation.name,
                counted=count.counted,
                waiting=count.submitted - count.counted,
                shown=count.counted >= threshold,
            )
        )
    return DateChangeEffect(
        reopening=survey.status == Survey.Status.CLOSED,
        in_groups=survey.provisional_in_groups,
        released_at=None if survey.provisional_in_groups else survey.release_moment(),
        organisations=organisations,
    )
