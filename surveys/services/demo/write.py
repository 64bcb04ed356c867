"""Write the planned demo to the database: organisations, logins, rounds and answers."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from surveys.instrument_schema import read_instrument
from surveys.instrument_text import language_key
from surveys.models import (
    Answer,
    Comment,
    Eligibility,
    Instrument,
    Invitation,
    Item,
    Membership,
    Organisation,
    Partnership,
    PartnershipMember,
    ProfileAnswer,
    Response,
    Survey,
    User,
)
from surveys.services.demo.answers import DemoItem
from surveys.services.demo.plan import PlannedRound, plan_demo
from surveys.services.demo.profiles import (
    ANONYMITY_THRESHOLD,
    DEFAULT_ORGANISATIONS,
    DEFAULT_RESPONDENTS,
    DEFAULT_SEED,
    DemoOrganisation,
)
from surveys.services.instruments import load_instrument
from surveys.tenancy import create_partnership_permission

DEMO_PARTNERSHIP_NAME = "Northshire Place Partnership"
# Printed by seed_demo and in the README: it signs in to the fictional demo accounts only.
DEMO_PASSWORD = "collab-demo-2026"  # nosec B105
DEMO_USERS = (
    ("lead", Membership.Role.LEAD),
    ("consultant", Membership.Role.CONSULTANT),
    ("analyst", Membership.Role.ANALYST),
)
DEFAULT_INSTRUMENT = Path("instruments") / "collaboration_readiness_v1.yaml"
BATCH_SIZE = 2000


@dataclass
class DemoResult:
    partnership: Partnership
    organisations: int
    submitted: dict[str, int] = field(default_factory=dict)  # round title -> count
    in_progress: int = 0
    answers: int = 0
    profile_answers: int = 0
    comments: int = 0
    try_invitation: Invitation | None = None


class DemoExistsError(Exception):
    """The demo partnership is already there and was not asked to be replaced."""


def demo_items(*, instrument: Instrument) -> list[DemoItem]:
    """Return the instrument's items, in questionnaire order, as generator input."""
    rows = (
        Item.objects.filter(dimension__instrument=instrument)
        .order_by("dimension__order", "order")
        .values_list(
            "code",
            "dimension__key",
            "block",
            "response_format",
            "reverse_scored",
            "prompt",
            "culture_type",
        )
    )
    return [DemoItem(*row) for row in rows]


def ensure_default_instrument() -> Instrument:
    """Return the default instrument, loading it from its YAML file if it is not there."""
    path = Path(apps.get_app_config("surveys").path) / DEFAULT_INSTRUMENT
    spec, text = read_instrument(path)
    existing = Instrument.objects.filter(key=spec.key, version=spec.version).first()
    return existing or load_instrument(spec=spec, source_text=text).instrument


def _delete_demo(partnership: Partnership) -> None:
    """Delete a demo partnership and its rounds, children first (links and answers PROTECT)."""
    surveys = Survey.objects.filter(partnership=partnership)
    Answer.objects.filter(response__survey__in=surveys).delete()
    ProfileAnswer.objects.filter(response__survey__in=surveys).delete()
    Comment.objects.filter(response__survey__in=surveys).delete()
    Response.objects.filter(survey__in=surveys).delete()
    Invitation.objects.filter(survey__in=surveys).delete()
    surveys.delete()
    member_ids = list(partnership.members.values_list("pk", flat=True))
    partnership.delete()
    Organisation.objects.filter(pk__in=member_ids, partnerships__isnull=True).exclude(
        pk__in=Invitation.objects.values("organisation_id")
    ).exclude(pk__in=Response.objects.values("organisation_id")).exclude(
        pk__in=Answer.objects.filter(subject_organisation__in=member_ids).values(
            "subject_organisation_id"
        )
    ).delete()


def _save_organisations(orgs: Sequence[DemoOrganisation]) -> dict[str, Organisation]:
    saved = {}
    for org in orgs:
        row = Organisation.objects.filter(
            name__iexact=org.name
        ).first() or Organisation(name=org.name)
        row.short_name, row.sector = org.short_name, org.sector
        row.save()
        saved[org.short_name] = row
    return saved


def _save_users(partnership: Partnership) -> None:
    """Create or refresh the demo logins and their memberships of the demo partnership."""
    # One hash for all three: it is the slow part, and the password is published anyway.
    password = make_password(DEMO_PASSWORD)
    for username, role in DEMO_USERS:
        user = User.objects.filter(username=username).first() or User(username=username)
        user.first_name, user.last_name = "Demo", role.label
        user.email = f"{username}@northshire-demo.example"
        # Not staff: the product's own pages enforce the roles; the Django admin would
        # show a consultant every raw answer.
        user.is_staff, user.is_active, user.password = False, True, password
        user.save()
        user.user_permissions.clear()
        # The demo lead may start partnerships of their own.
        if role == Membership.Role.LEAD:
            user.user_permissions.add(create_partnership_permission())
        Membership.objects.update_or_create(
            user=user, partnership=partnership, defaults={"role": role}
        )


def _save_round(
    *,
    planned: PlannedRound,
    partnership: Partnership,
    instrument: Instrument,
    orgs: dict[str, Organisation],
    item_ids: dict[str, int],
    dimension_ids: dict[str, int],
) -> tuple[Survey, list[Invitation], list[Response], int]:
    """Write one planned round with bulk inserts; return it and the answer count."""
    survey = Survey.objects.create(
        partnership=partnership,
        instrument=instrument,
        title=planned.title,
        status=planned.status,
        opens_at=planned.opens_at,
        closes_at=planned.closes_at,
        anonymity_threshold=ANONYMITY_THRESHOLD,
        # In English and Welsh wherever the questionnaire has Welsh, so that the demo shows
        # the language switcher and the Welsh journey.
        languages=[
            code
            for code, _name in settings.LANGUAGES
            if language_key(code) in instrument.languages
        ],
        # The live round shows provisional figures, so the demo has something to show
        # while it is open; the closed one released its figures at its close.
        release_rule=(
            Survey.ReleaseRule.GROUPS
            if planned.status == Survey.Status.OPEN
            else Survey.ReleaseRule.AT_CLOSE
        ),
        results_released_at=(
            planned.closes_at if planned.status == Survey.Status.CLOSED else None
        ),
    )
    Survey.objects.filter(pk=survey.pk).update(
        created_at=planned.opens_at - timedelta(days=7)
    )
    invitations = Invitation.objects.bulk_create(
        [
            Invitation(
                survey=survey,
                organisation=orgs[i.organisation],
                kind=i.kind,
                email=i.email,
                role=i.role,
                sent_at=i.sent_at,
                reminded_at=i.reminded_at,
            )
            for i in planned.invitations
        ],
        batch_size=BATCH_SIZE,
    )
    responses = Response.objects.bulk_create(
        [
            Response(
                survey=survey,
                organisation=orgs[r.organisation],
                invitation=invitations[r.invitation],
                start_key=r.start_key,
                role=r.role,
                started_at=r.started_at,
                submitted_at=r.submitted_at,
            )
            for r in planned.responses
        ],
        batch_size=BATCH_SIZE,
    )
    answers, points, comments = [], [], []
    for row, plan in zip(responses, planned.responses, strict=True):
        answers += [
            Answer(
                response_id=row.pk,
                item_id=item_ids[code],
                value=value,
                subject_organisation_id=orgs[subject].pk if subject else None,
            )
            for code, subject, value in plan.answers
        ]
        points += [
            ProfileAnswer(response_id=row.pk, item_id=item_ids[code], points=p)
            for code, p in plan.points
        ]
        comments += [
            Comment(response_id=row.pk, dimension_id=dimension_ids[key], text=text)
            for key, text in plan.comments
        ]
    Answer.objects.bulk_create(answers, batch_size=BATCH_SIZE)
    ProfileAnswer.objects.bulk_create(points, batch_size=BATCH_SIZE)
    Comment.objects.bulk_create(comments, batch_size=BATCH_SIZE)
    Eligibility.objects.bulk_create(
        Eligibility(survey=survey, organisation=orgs[short_name], eligible=n)
        for short_name, n in planned.eligible
    )
    return survey, invitations, responses, len(answers)


@transaction.atomic
def seed_demo(
    *,
    organisations: int = DEFAULT_ORGANISATIONS,
    respondents: int = DEFAULT_RESPONDENTS,
    seed: int = DEFAULT_SEED,
    replace: bool = False,
    now: datetime | None = None,
) -> DemoResult:
    """Create the demo partnership, its logins, two rounds and their answers."""
    existing = Partnership.objects.filter(name=DEMO_PARTNERSHIP_NAME).first()
    if existing is not None and not replace:
        raise DemoExistsError(
            f'The demo partnership "{DEMO_PARTNERSHIP_NAME}" already exists.'
        )
    if existing is not None:
        _delete_demo(existing)
    instrument = ensure_default_instrument()
    plan = plan_demo(
        items=demo_items(instrument=instrument),
        now=now or timezone.now(),
        organisations=organisations,
        respondents=respondents,
        seed=seed,
    )

    orgs = _save_organisations(plan.organisations)
    partnership = Partnership.objects.create(
        name=DEMO_PARTNERSHIP_NAME, kind=Partnership.Kind.PLACE
    )
    PartnershipMember.objects.add(
        partnership=partnership, organisations=list(orgs.values())
    )
    _save_users(partnership)

    item_ids = dict(
        Item.objects.filter(dimension__instrument=instrument).values_list("code", "pk")
    )
    dimension_ids = dict(instrument.dimensions.values_list("key", "pk"))
    result = DemoResult(partnership=partnership, organisations=len(orgs))
    for planned in plan.rounds:
        survey, invitations, responses, n_answers = _save_round(
            planned=planned,
            partnership=partnership,
            instrument=instrument,
            orgs=orgs,
            item_ids=item_ids,
            dimension_ids=dimension_ids,
        )
        result.submitted[survey.title] = sum(1 for r in responses if r.submitted_at)
        result.in_progress += sum(1 for r in responses if not r.submitted_at)
        result.answers += n_answers
        result.profile_answers += sum(len(r.points) for r in planned.responses)
        result.comments += sum(len(r.comments) for r in planned.responses)
        if survey.status == Survey.Status.OPEN:
            result.try_invitation = next(
                i for i in invitations if i.kind == Invitation.Kind.ORGANISATION
            )
    return result
