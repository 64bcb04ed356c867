"""Action planning: the two to five focus areas a partnership or a pair agrees after a round."""

from datetime import date

from django.db import transaction

from surveys.models import (
    MAX_FOCUS_AREAS,
    Block,
    Dimension,
    FocusArea,
    Organisation,
    Survey,
    User,
)


class FocusAreaError(ValueError):
    """A focus area that cannot be saved, with a message to show the user."""


Pair = tuple[Organisation, Organisation]


def _check(*, survey: Survey, dimension: Dimension, owner: Organisation) -> None:
    if dimension.instrument_id != survey.instrument_id or dimension.block != Block.SELF:
        raise FocusAreaError("Choose one of this round’s dimensions.")
    if not survey.partnership.members.filter(pk=owner.pk).exists():
        raise FocusAreaError(
            "The owner must be one of the partnership’s organisations."
        )


def _ordered_pair(*, survey: Survey, pair: Pair | None) -> Pair | tuple[None, None]:
    if pair is None:
        return None, None
    a, b = pair
    if a.pk == b.pk:
        raise FocusAreaError("A pair needs two different organisations.")
    members = survey.partnership.members.filter(pk__in=[a.pk, b.pk]).count()
    if members != 2:
        raise FocusAreaError("Both organisations must belong to the partnership.")
    return (a, b) if a.pk < b.pk else (b, a)


@transaction.atomic
def create_focus_area(
    *,
    survey: Survey,
    pair: Pair | None,
    dimension: Dimension,
    finding: str,
    action: str,
    owner: Organisation,
    due_date: date,
    actor: User | None,
) -> FocusArea:
    """Record a focus area for the partnership (pair None) or one pair, at most five each."""
    # Lock the round so that two people adding the fifth focus area at once cannot make six.
    Survey.objects.select_for_update().filter(pk=survey.pk).first()
    _check(survey=survey, dimension=dimension, owner=owner)
    a, b = _ordered_pair(survey=survey, pair=pair)
    existing = FocusArea.objects.filter(survey=survey).for_scope(pair=pair).count()
    if existing >= MAX_FOCUS_AREAS:
        raise FocusAreaError(
            f"There are already {MAX_FOCUS_AREAS} focus areas here: change or delete one "
            "before adding another."
        )
    return FocusArea.objects.create(
        survey=survey,
        organisation_a=a,
        organisation_b=b,
        dimension=dimension,
        finding=finding.strip(),
        action=action.strip(),
        owner=owner,
        due_date=due_date,
        created_by=actor,
    )


@transaction.atomic
def update_focus_area(
    *,
    focus_area: FocusArea,
    dimension: Dimension,
    finding: str,
    action: str,
    owner: Organisation,
    due_date: date,
) -> FocusArea:
    """Change what a focus area says, who owns it and when it is due."""
    _check(survey=focus_area.survey, dimension=dimension, owner=owner)
    focus_area.dimension = dimension
    focus_area.finding = finding.strip()
    focus_area.action = action.strip()
    focus_area.owner = owner
    focus_area.due_date = due_date
    focus_area.save(
        update_fields=[
            "dimension",
            "finding",
            "action",
            "owner",
            "due_date",
            "updated_at",
        ]
    )
    return focus_area


@transaction.atomic
def delete_focus_area(*, focus_area: FocusArea) -> None:
    """Remove a focus area."""
    focus_area.delete()
