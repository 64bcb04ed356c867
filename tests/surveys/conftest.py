"""Fixtures for the management pages: a partnership with a lead, a consultant, an analyst
and an outsider (the lead of another partnership), and a round with links."""

from dataclasses import dataclass, field

import pytest
from django.tasks import TaskBackendHandler

from surveys.models import (
    Invitation,
    Membership,
    Organisation,
    Partnership,
    Sector,
    Survey,
    User,
)
from tests.factories import (
    InstrumentFactory,
    InvitationFactory,
    MembershipFactory,
    OrganisationFactory,
    PartnershipFactory,
    SurveyFactory,
    UserFactory,
)

IMMEDIATE_TASKS = {
    "default": {
        "BACKEND": "django.tasks.backends.immediate.ImmediateBackend",
        "QUEUES": ["default"],
    }
}


@pytest.fixture(autouse=True)
def _immediate_tasks(monkeypatch) -> None:
    """Run background tasks at once, in-process.

    The root conftest.py sets TASKS_BACKEND too late: pytest-django has configured Django
    (and read TASKS) before it is imported, so the database backend would only queue them.
    """
    monkeypatch.setattr(
        "django.tasks.task_backends", TaskBackendHandler(IMMEDIATE_TASKS)
    )


@dataclass
class Team:
    partnership: Partnership
    organisations: list[Organisation]
    lead: User
    consultant: User
    analyst: User
    outsider: User
    round: Survey
    org_links: dict[str, Invitation] = field(default_factory=dict)


@pytest.fixture
def team(db) -> Team:
    organisations = [
        OrganisationFactory(
            name="Northshire Hospitals NHS Foundation Trust",
            short_name="NHFT",
            sector=Sector.NHS_ACUTE,
        ),
        OrganisationFactory(
            name="Northshire County Council",
            short_name="NCC",
            sector=Sector.LOCAL_AUTHORITY,
        ),
    ]
    partnership = PartnershipFactory(
        name="Northshire Place Partnership", members=organisations
    )
    people = {
        role: MembershipFactory(
            partnership=partnership,
            role=role,
            user=UserFactory(
                first_name="Jo",
                last_name=role.label,
                can_create_partnerships=role == Membership.Role.LEAD,
            ),
        ).user
        for role in Membership.Role
    }
    outsider = MembershipFactory(
        partnership=PartnershipFactory(name="Elsewhere Partnership")
    ).user
    survey = SurveyFactory(
        partnership=partnership,
        instrument=InstrumentFactory(),
        title="Autumn round",
        status=Survey.Status.OPEN,
    )
    links = {
        org.short_name: InvitationFactory(
            survey=survey,
            organisation=org,
            kind=Invitation.Kind.ORGANISATION,
            email=None,
        )
        for org in organisations
    }
    return Team(
        partnership=partnership,
        organisations=organisations,
        lead=people[Membership.Role.LEAD],
        consultant=people[Membership.Role.CONSULTANT],
        analyst=people[Membership.Role.ANALYST],
        outsider=outsider,
        round=survey,
        org_links=links,
    )


@pytest.fixture
def lead_client(client, team: Team):
    client.force_login(team.lead)
    return client
