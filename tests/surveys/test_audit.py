"""The audit trail: who opened, closed, imported, sent or changed what, and when."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from surveys.models import AuditEvent, Survey
from surveys.services.audit import record_event
from surveys.services.invitations import (
    InvitationRow,
    import_invitations,
    send_invitations,
    send_reminders,
)
from surveys.services.partnerships import create_partnership, invite_member
from surveys.services.rounds import (
    close_round,
    create_round,
    open_round,
    regenerate_organisation_link,
)
from tests.factories import AuditEventFactory, InvitationFactory, UserFactory

pytestmark = pytest.mark.django_db


def latest() -> AuditEvent:
    return AuditEvent.objects.order_by("-pk").first()


def test_every_round_action_is_recorded_with_who_and_when(team):
    before = timezone.now()
    survey = create_round(
        partnership=team.partnership,
        instrument=team.round.instrument,
        title="Spring round",
        opens_on=None,
        closes_on=None,
        anonymity_threshold=5,
        actor=team.lead,
    )
    survey = open_round(survey=survey, actor=team.lead)
    import_invitations(
        survey=survey,
        rows=[
            InvitationRow(
                line=1, email="a@x.org", organisation=team.organisations[0], role=""
            ),
            InvitationRow(
                line=2, email="A@x.org", organisation=team.organisations[0], role=""
            ),
            InvitationRow(
                line=3, email="b@x.org", organisation=team.organisations[1], role=""
            ),
        ],
        actor=team.lead,
    )
    send_invitations(survey=survey, actor=team.lead)
    survey.invitations.update(sent_at=timezone.now() - timedelta(days=3))
    send_reminders(survey=survey, actor=team.lead)
    regenerate_organisation_link(
        survey=survey, organisation=team.organisations[1], actor=team.lead
    )
    close_round(survey=survey, actor=team.lead)

    events = list(AuditEvent.objects.filter(survey=survey).order_by("pk"))
    assert [(e.action, e.detail) for e in events] == [
        ("round_created", {"round": "Spring round"}),
        ("round_opened", {"round": "Spring round"}),
        ("invitations_imported", {"created": 2, "skipped": 1}),
        ("invitations_sent", {"count": 2}),
        ("reminders_sent", {"count": 2}),
        (
            "link_regenerated",
            {"organisation": "Northshire County Council", "revoked": 1},
        ),
        ("round_closed", {"round": "Spring round"}),
    ]
    assert {e.actor for e in events} == {team.lead}
    assert {e.actor_name for e in events} == {"Jo ICS lead"}
    assert all(e.partnership == team.partnership for e in events)
    assert all(before <= e.created_at <= timezone.now() for e in events)
    assert [e.summary for e in events] == [
        "Created the round ‘Spring round’",
        "Opened the round ‘Spring round’",
        "Imported 2 people (1 duplicates skipped)",
        "Sent invitations to 2 people",
        "Sent reminders to 2 people",
        "Replaced an organisation link: Northshire County Council",
        "Closed the round ‘Spring round’",
    ]


def test_partnership_actions_are_recorded(team):
    partnership = create_partnership(name="Eastshire", kind="place", lead=team.lead)
    assert latest().action == "partnership_created"
    invite_member(
        partnership=partnership,
        email="new@example.org",
        first_name="New",
        last_name="Person",
        role="analyst",
        actor=team.lead,
    )
    event = latest()
    assert (event.action, event.survey, event.detail) == (
        "member_invited",
        None,
        {"email": "new@example.org", "role": "Analyst"},
    )
    assert event.summary == "Invited new@example.org as Analyst"


def test_nothing_is_recorded_when_nothing_was_sent(team):
    assert send_invitations(survey=team.round, actor=team.lead) == 0
    assert send_reminders(survey=team.round, actor=team.lead).count == 0
    assert not AuditEvent.objects.exists()


def test_a_failed_action_records_nothing(team):
    with pytest.raises(Exception, match="cannot be opened"):
        open_round(survey=team.round, actor=team.lead)
    assert not AuditEvent.objects.exists()


def test_the_trail_keeps_the_name_of_a_deleted_account(team):
    event = record_event(
        partnership=team.partnership,
        survey=team.round,
        actor=team.consultant,
        action=AuditEvent.Action.ROUND_OPENED,
        detail={"round": "Autumn round"},
    )
    team.consultant.delete()
    event.refresh_from_db()
    assert event.actor is None
    assert str(event) == "Jo Consultant: Opened the round ‘Autumn round’"


def test_round_page_shows_the_latest_events_of_that_round(lead_client, team):
    other = Survey.objects.create(
        partnership=team.partnership, instrument=team.round.instrument, title="Other"
    )
    AuditEventFactory(
        partnership=team.partnership, survey=other, detail={"round": "Other round"}
    )
    now = timezone.now()
    for n in range(12):
        AuditEventFactory(
            partnership=team.partnership,
            survey=team.round,
            action="invitations_sent",
            detail={"count": n},
            created_at=now - timedelta(minutes=n),
        )
    page = lead_client.get(team.round.get_absolute_url())
    events = page.context["events"]
    assert len(events) == 10
    assert [e.detail["count"] for e in events] == list(range(10))
    html = page.content.decode()
    assert "Sent invitations to 0 people" in html
    assert "Other round" not in html
    assert "Jo Lead" in html


def test_partnership_page_shows_events_of_every_round(client, team):
    InvitationFactory(survey=team.round, organisation=team.organisations[0])
    AuditEventFactory(
        partnership=team.partnership,
        survey=team.round,
        detail={"round": "Autumn round"},
    )
    AuditEventFactory(
        partnership=team.partnership,
        action="organisation_added",
        detail={"organisation": "NVA"},
    )
    client.force_login(team.analyst)  # readers see the trail too
    html = client.get(
        reverse("surveys:partnership_detail", args=[team.partnership.public_id])
    ).content.decode()
    assert "Opened the round ‘Autumn round’" in html
    assert "Added an organisation: NVA" in html


def test_support_staff_read_the_trail_in_the_admin_but_cannot_change_it(client, team):
    event = AuditEventFactory(partnership=team.partnership, survey=team.round)
    client.force_login(
        UserFactory(username="support", is_staff=True, is_superuser=True)
    )
    changelist = client.get(reverse("admin:surveys_auditevent_changelist"))
    assert changelist.status_code == 200
    assert "Jo Lead" in changelist.content.decode()
    change = client.get(reverse("admin:surveys_auditevent_change", args=[event.pk]))
    assert change.status_code == 200
    assert 'name="_save"' not in change.content.decode()
    assert client.get(reverse("admin:surveys_auditevent_add")).status_code == 403
