"""A small seeded demo partnership for dashboard tests."""

import io

import pytest
from django.core.management import call_command

from reports.analysis import forget_analyses
from surveys.models import Membership, Partnership, Survey
from tests.factories import MembershipFactory


@pytest.fixture
def demo(db):
    """Seed 4 organisations with about 8 respondents each; the last is below the threshold."""
    forget_analyses()
    call_command(
        "seed_demo",
        organisations=4,
        respondents=8,
        seed=7,
        stdout=io.StringIO(),
    )
    partnership = Partnership.objects.get()
    survey = Survey.objects.filter(
        partnership=partnership, status=Survey.Status.OPEN
    ).get()
    return partnership, survey


@pytest.fixture
def closed_demo(demo):
    """The demo with its current round closed at the close: every response is published."""
    partnership, survey = demo
    survey.status = Survey.Status.CLOSED
    survey.release_rule = Survey.ReleaseRule.AT_CLOSE
    survey.save(update_fields=["status", "release_rule"])
    return partnership, survey


@pytest.fixture
def consultant_client(client, demo):
    partnership, _survey = demo
    membership = MembershipFactory(
        partnership=partnership, role=Membership.Role.CONSULTANT
    )
    client.force_login(membership.user)
    return client


@pytest.fixture
def outsider_client(client, demo):
    # A lead of some other partnership: signed in, but with no role on this one.
    client.force_login(MembershipFactory(role=Membership.Role.LEAD).user)
    return client


@pytest.fixture(scope="module")
def seeded_round(django_db_setup, django_db_blocker):
    """Seed the same demo as `demo` once per module, committed; flush it away afterwards.

    For modules whose many tests only read: each test still runs in a transaction of its
    own on top, so whatever a test changes is rolled back.
    """
    forget_analyses()
    with django_db_blocker.unblock():
        call_command(
            "seed_demo", organisations=4, respondents=8, seed=7, stdout=io.StringIO()
        )
        survey = Survey.objects.get(status=Survey.Status.OPEN)
    yield survey.pk
    forget_analyses()
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def seeded_demo(seeded_round, db):
    """Return (partnership, open round) from the module's seeded demo."""
    survey = Survey.objects.select_related("partnership", "instrument").get(
        pk=seeded_round
    )
    return survey.partnership, survey
