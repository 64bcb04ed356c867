"""One factory per model, for tests."""

import factory
from factory.django import DjangoModelFactory

from surveys.models import (
    Invitation,
    Membership,
    Organisation,
    Partnership,
    Sector,
    Survey,
    User,
)


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("correct-horse-battery")


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
            self.members.add(*extracted)


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
