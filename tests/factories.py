"""One factory per model, for tests."""

import datetime

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from surveys.models import (
    Invitation,
    Membership,
    Organisation,
    Partnership,
    PartnershipMember,
    Sector,
    Survey,
    User,
)
from surveys.tenancy import create_partnership_permission


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("correct-horse-battery")

    @factory.post_generation
    def can_create_partnerships(
        self, create: bool, extracted: bool | None, **kwargs: object
    ) -> None:
        """Grant "Can create partnerships", as a site administrator would."""
        if create and extracted:
            self.user_permissions.add(create_partnership_permission())


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")
    short_name = factory.Sequence(lambda n: f"Org{n}")
    sector = Sector.LOCAL_AUTHORITY


class PartnershipFactory(DjangoModelFactory):
    class Meta:
        model = Partnership
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Partnership {n}")

    @factory.post_generation
    def members(
        self, create: bool, extracted: list[Organisation] | None, **kwargs: object
    ) -> None:
        if create and extracted:
            PartnershipMember.objects.add(partnership=self, organisations=extracted)


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    partnership = factory.SubFactory(PartnershipFactory)
    role = Membership.Role.LEAD


class SurveyFactory(DjangoModelFactory):
    class Meta:
        model = Survey

    partnership = factory.SubFactory(PartnershipFactory)
    title = factory.Sequence(lambda n: f"Round {n}")
    status = Survey.Status.OPEN
    instrument = None  # tests pass the loaded default instrument


class InvitationFactory(DjangoModelFactory):
    class Meta:
        model = Invitation

    survey = factory.SubFactory(SurveyFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    kind = Invitation.Kind.PERSONAL
    email = factory.Sequence(lambda n: f"person{n}@example.org")


class InstrumentFactory(DjangoModelFactory):
    """A bare instrument row (no dimensions): enough for rounds that nobody answers."""

    class Meta:
        model = "surveys.Instrument"

    key = factory.Sequence(lambda n: f"instrument-{n}")
    version = 1
    title = factory.Sequence(lambda n: f"Questionnaire {n}")
    scale = factory.LazyFunction(dict)
    definition_sha256 = "0" * 64


class ResponseFactory(DjangoModelFactory):
    class Meta:
        model = "surveys.Response"

    invitation = factory.SubFactory(InvitationFactory)
    survey = factory.SelfAttribute("invitation.survey")
    organisation = factory.SelfAttribute("invitation.organisation")
    start_key = factory.Sequence(lambda n: f"start-key-{n:024d}")
    # An hour ago, so that tests may pass submitted_at=timezone.now().
    started_at = factory.LazyFunction(
        lambda: timezone.now() - datetime.timedelta(hours=1)
    )


class AuditEventFactory(DjangoModelFactory):
    class Meta:
        model = "surveys.AuditEvent"

    partnership = factory.SubFactory(PartnershipFactory)
    action = "round_opened"
    actor_name = "Jo Lead"
    detail = factory.LazyFunction(lambda: {"round": "Spring round"})
