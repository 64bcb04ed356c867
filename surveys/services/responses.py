"""Writes of the respondent journey: start, save a page, submit."""

from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import get_language

from surveys.journey import FAMILIARITY_SKIP, Step, build_steps, completed_slugs
from surveys.models import (
    PERSONAL_START_KEY,
    Answer,
    Comment,
    Invitation,
    Item,
    ProfileAnswer,
    Response,
)
from surveys.prepared import replace_answers, replace_comment, replace_points
from surveys.signals import response_submitted


class ResponseLockedError(Exception):
    """The response can no longer change: it was submitted or the survey closed."""


class ResponseIncompleteError(Exception):
    """Some pages still need answers."""

    def __init__(self, missing: list[Step]) -> None:
        super().__init__(f"{len(missing)} pages still need answers")
        self.missing = missing


@dataclass(frozen=True)
class PageAnswers:
    """Cleaned answers for one page: ratings (None = Don't know), points and a comment."""

    ratings: dict[Item, int | None] = field(default_factory=dict)
    points: dict[Item, int] = field(default_factory=dict)
    comment: str = ""


def _lock(response: Response) -> Response:
    # Only the response's row: FOR UPDATE on the join would lock the round's row too, so
    # every page save of a round would wait for every other (issue 17). A page save needs
    # no lock on the round: unsubmitted answers count for nothing, and submit_response
    # still locks the round, so a submission cannot slip past a close.
    locked = (
        Response.objects.select_for_update(of=("self",))
        .select_related("survey")
        .only(
            "submitted_at",
            "survey__status",
            "survey__opens_at",
            "survey__closes_at",
        )
        .get(pk=response.pk)
    )
    _refuse_if_closed(locked)
    return locked


def _refuse_if_closed(response: Response) -> None:
    if response.is_submitted or not response.survey.is_accepting_answers():
        raise ResponseLockedError


@transaction.atomic
def start_response(*, invitation: Invitation, start_key: str) -> Response:
    """Return the response for this link and visitor, creating it on first start."""
    if not invitation.survey.is_accepting_answers():
        raise ResponseLockedError
    key = PERSONAL_START_KEY if invitation.is_personal else start_key
    # get_or_create retries the lookup after an IntegrityError, so two concurrent starts
    # of the same personal link (or a double-clicked Start) end with one row.
    response, _created = Response.objects.get_or_create(
        invitation=invitation,
        start_key=key,
        defaults={
            "survey_id": invitation.survey_id,
            "organisation_id": invitation.organisation_id,
            "role": invitation.role,
        },
    )
    # The response's round and organisation are the link's, already read with it: the
    # first page's address is worked out from them without reading them again.
    response.invitation = invitation
    response.survey = invitation.survey
    response.organisation = invitation.organisation
    # The members as the link's lookup read them (selectors._invitation_link), if it did.
    response.partners_key = getattr(invitation, "partners_key", None)
    return response


def save_page(
    *, response: Response, step: Step, answers: PageAnswers, locked: bool = False
) -> None:
    """Replace this page's answers with the given ones, all or nothing.

    `locked` says that the caller read `response` with find_link(lock=True) in the
    transaction this joins: its row is locked and its submission and round were read
    under the lock, so they are checked as read, without a second query, and the writes
    need no savepoint of their own: a failure rolls the caller's transaction back (issue 17).
    """
    if locked:
        _refuse_if_closed(response)
    with transaction.atomic(savepoint=not locked):
        if not locked:
            _lock(response)
        _replace_answers(response=response, step=step, answers=answers)


def _replace_answers(*, response: Response, step: Step, answers: PageAnswers) -> None:
    subject = step.subject
    item_ids = [item.pk for item in step.items]
    ratings = answers.ratings
    if subject is not None:
        familiarity = step.items[0]
        if ratings.get(familiarity) == FAMILIARITY_SKIP:
            ratings = {familiarity: FAMILIARITY_SKIP}
    if connection.vendor == "postgresql":
        # Prepared once per connection: every page save writes its ratings (issue 17).
        replace_answers(
            response_id=response.pk,
            item_ids=item_ids,
            subject_id=subject.pk if subject is not None else None,
            values={item.pk: value for item, value in ratings.items()},
        )
    else:
        Answer.objects.filter(
            response=response, item_id__in=item_ids, subject_organisation=subject
        ).delete()
        Answer.objects.bulk_create(
            Answer(
                response=response, item=item, subject_organisation=subject, value=value
            )
            for item, value in ratings.items()
        )
    if step.block == "profile":
        if connection.vendor == "postgresql":
            replace_points(
                response_id=response.pk,
                item_ids=item_ids,
                points={item.pk: points for item, points in answers.points.items()},
            )
        else:
            ProfileAnswer.objects.filter(
                response=response, item_id__in=item_ids
            ).delete()
            ProfileAnswer.objects.bulk_create(
                ProfileAnswer(response=response, item=item, points=points)
                for item, points in answers.points.items()
            )
    if subject is None:
        if connection.vendor == "postgresql":
            replace_comment(
                response_id=response.pk,
                dimension_id=step.dimension.pk,
                text=answers.comment,
                language=comment_language(),
            )
        else:
            Comment.objects.filter(response=response, dimension=step.dimension).delete()
            if answers.comment:
                Comment.objects.create(
                    response=response,
                    dimension=step.dimension,
                    text=answers.comment,
                    language=comment_language(),
                )


def comment_language() -> str:
    """Return the language of the page being answered, as one of settings.LANGUAGES."""
    offered = dict(settings.LANGUAGES)
    language = get_language() or settings.LANGUAGE_CODE
    return language if language in offered else settings.LANGUAGE_CODE


@transaction.atomic
def submit_response(*, response: Response, steps: list[Step] | None = None) -> Response:
    """Mark the response submitted; submitting twice is a no-op that returns it.

    `steps` are the response's pages if the caller has built them in this request (check
    your answers has, from its lookup's partners): a response's round, organisation and
    questionnaire never change, so they are not read again under the lock. Its answers
    are, since a page saved in another tab may have changed them.
    """
    # The round's row is locked too: a close waits for this submission, or this one sees
    # the close.
    locked = (
        Response.objects.select_for_update()
        .select_related("survey")
        .get(pk=response.pk)
    )
    if locked.is_submitted:
        return locked
    if not locked.survey.is_accepting_answers():
        raise ResponseLockedError
    steps = steps if steps is not None else build_steps(response=locked)
    done = completed_slugs(response=locked, steps=steps)
    missing = [step for step in steps if step.slug not in done]
    if missing:
        raise ResponseIncompleteError(missing)
    locked.submitted_at = timezone.now()
    locked.save(update_fields=["submitted_at", "updated_at"])
    survey_id = locked.survey_id
    # robust: the answers are saved whatever a listener does (e.g. a cache that is down).
    transaction.on_commit(
        lambda: response_submitted.send(sender=Response, survey_id=survey_id),
        robust=True,
    )
    return locked
