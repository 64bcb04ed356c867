"""Personal data of survey rounds: invitees' email addresses, deleted after a round or on request.

What is personal is the personal invitation: an email address, a role typed next to it, and
the link emailed to that address. Deleting it blanks the address and role and gives the link
(and every resume link of the round) a new random token, so that nothing in the database, in
an old email or in a mail server's log leads from a person to their answers. The answers stay:
without the link they are anonymous, and the round's figures and reports are unchanged.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.db.models.functions import Lower
from django.utils import timezone

from surveys.models import (
    AuditAction,
    Invitation,
    Response,
    RetiredLink,
    Survey,
    User,
    new_token,
    retired_link_digest,
)
from surveys.services.audit import record_event
from surveys.services.rounds import keep_released

RETENTION_ACTOR = "Retention policy (automatic)"
ERASURE_ACTOR = "Erasure request (erase_invitee command)"


class PersonalDataError(Exception):
    """Personal data cannot be deleted now; the message says why."""


@dataclass(frozen=True)
class Erasure:
    """What erasing one person's address changed: links per round title."""

    invitations: int
    rounds: list[str]


def deletion_due(*, survey: Survey) -> datetime | None:
    """Return when the retention policy deletes the round's personal data (None: not closed)."""
    if survey.closes_at is None or not survey.has_closed():
        return None
    return survey.closes_at + timedelta(days=settings.PERSONAL_DATA_RETENTION_DAYS)


def _retire(tokens: list[tuple[str, int]]) -> None:
    """Remember cut links by their keyed hash only, so that opening an old email is
    "this link no longer works", not a guess counted towards the unknown-link lockout."""
    RetiredLink.objects.bulk_create(
        [
            RetiredLink(digest=retired_link_digest(token), survey_id=survey_id)
            for token, survey_id in tokens
        ],
        batch_size=500,
        ignore_conflicts=True,
    )


def _cut_links(invitations: QuerySet[Invitation]) -> None:
    """Blank these links' address and role and give each a new token: old emails lead nowhere."""
    rows = list(invitations.only("pk", "token", "survey_id"))
    _retire([(invitation.token, invitation.survey_id) for invitation in rows])
    now = timezone.now()
    for invitation in rows:
        invitation.email, invitation.role = None, ""
        invitation.token, invitation.updated_at = new_token(), now
    Invitation.objects.bulk_update(
        rows, ["email", "role", "token", "updated_at"], batch_size=500
    )


def _cut_responses(responses: QuerySet[Response]) -> None:
    """Give these responses new resume tokens and drop what they took from the invitation.

    A resume link someone kept no longer opens them, and the invitee's role no longer
    sits beside their answers.
    """
    rows = list(responses.only("pk", "resume_token", "survey_id"))
    _retire([(response.resume_token, response.survey_id) for response in rows])
    now = timezone.now()
    for response in rows:
        response.resume_token, response.role = new_token(), ""
        response.updated_at = now
    Response.objects.bulk_update(
        rows, ["resume_token", "role", "updated_at"], batch_size=500
    )


@transaction.atomic
def delete_round_personal_data(
    *, survey: Survey, actor: User | None, automatic: bool = False
) -> int:
    """Delete every invitee's address from a closed round; return how many links held one.

    The round is closed for good (a round past its closing date could otherwise be given new
    dates and reopened), its links stop working, and the answers are kept.
    """
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    if not survey.has_closed():
        raise PersonalDataError(
            "Personal data can be deleted only once the round has closed."
        )
    if survey.personal_data_deleted_at is not None:
        raise PersonalDataError("This round’s personal data has already been deleted.")
    count = Invitation.objects.filter(survey=survey, email__isnull=False).count()
    _cut_links(Invitation.objects.filter(survey=survey, kind=Invitation.Kind.PERSONAL))
    # Organisation links hold no address, but each visitor's resume link is theirs alone;
    # every response also loses the role it took from its invitation.
    _cut_responses(Response.objects.filter(survey=survey))
    keep_released(survey)
    survey.status = Survey.Status.CLOSED
    survey.personal_data_deleted_at = timezone.now()
    survey.save(
        update_fields=[
            "status",
            "personal_data_deleted_at",
            "results_released_at",
            "updated_at",
        ]
    )
    record_event(
        partnership=survey.partnership,
        survey=survey,
        actor=actor,
        actor_name=RETENTION_ACTOR if automatic else "",
        action=AuditAction.PERSONAL_DATA_DELETED,
        detail={"round": survey.title, "count": count, "automatic": automatic},
    )
    return count


def rounds_past_retention(*, now: datetime | None = None) -> QuerySet[Survey]:
    """Return the rounds closed longer than the retention period whose data is still held."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.PERSONAL_DATA_RETENTION_DAYS)
    return Survey.objects.filter(
        personal_data_deleted_at__isnull=True, closes_at__lte=cutoff
    ).order_by("closes_at", "pk")


def purge_personal_data(*, now: datetime | None = None) -> list[tuple[Survey, int]]:
    """Delete the personal data of every round past its retention period, one round at a time."""
    return [
        (survey, delete_round_personal_data(survey=survey, actor=None, automatic=True))
        for survey in rounds_past_retention(now=now).select_related("partnership")
    ]


def _blank_shared_roles(survey: Survey, links: list[Invitation]) -> None:
    """Blank the role of everyone in the erased people's role groups, not theirs alone.

    responses.csv shows a role only for groups of K or more; blanking one row of such a
    group would mark that row as the person who asked to be erased.
    """
    groups = (
        Response.objects.filter(invitation__in=links)
        .exclude(role="")
        .values_list("organisation_id", "role")
        .distinct()
    )
    for organisation_id, role in list(groups):
        Response.objects.filter(
            survey=survey, organisation_id=organisation_id, role=role
        ).update(role="", updated_at=timezone.now())


@transaction.atomic
def erase_invitee(*, email: str, survey: Survey | None = None) -> Erasure:
    """Remove one person's address from every round (or one), cutting their links.

    Answers they submitted stay, anonymous: once the link is cut nothing ties them to the
    person, and they are already part of reported figures. Running it twice changes nothing.
    """
    invitations = Invitation.objects.alias(address=Lower("email")).filter(
        address=email.strip().lower()
    )
    if survey is not None:
        invitations = invitations.filter(survey=survey)
    found = list(invitations.select_related("survey__partnership").order_by("pk"))
    by_round: dict[int, list[Invitation]] = {}
    for invitation in found:
        by_round.setdefault(invitation.survey_id, []).append(invitation)
    for links in by_round.values():
        round_ = links[0].survey
        _cut_links(Invitation.objects.filter(pk__in=[i.pk for i in links]))
        _blank_shared_roles(round_, links)  # before their own roles are cleared
        _cut_responses(Response.objects.filter(invitation__in=links))
        # The address itself is never written to the trail: it is what is being erased.
        record_event(
            partnership=round_.partnership,
            survey=round_,
            actor=None,
            actor_name=ERASURE_ACTOR,
            action=AuditAction.INVITEE_ERASED,
            detail={"round": round_.title, "count": len(links)},
        )
    return Erasure(
        invitations=len(found),
        rounds=[links[0].survey.title for links in by_round.values()],
    )
