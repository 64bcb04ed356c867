"""A lead manages the team from the partnership page: change a role, remove a colleague, never
leave the partnership without a lead, and every change is in the activity list."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from surveys.models import AuditEvent, Membership, User
from surveys.services.partnerships import (
    LastLeadError,
    TeamInvitationLimitError,
    accept_invitation,
    change_member_role,
    invite_member,
    remove_member,
)
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

LEAD, CONSULTANT, ANALYST = (
    Membership.Role.LEAD,
    Membership.Role.CONSULTANT,
    Membership.Role.ANALYST,
)


def membership(team, user) -> Membership:
    return team.partnership.memberships.get(user=user)


def team_url(team) -> str:
    return reverse("surveys:team_detail", args=[team.partnership.public_id])


def role_url(team, user) -> str:
    return reverse(
        "surveys:member_role_edit",
        args=[team.partnership.public_id, membership(team, user).public_id],
    )


def remove_url(team, user) -> str:
    return reverse(
        "surveys:member_remove",
        args=[team.partnership.public_id, membership(team, user).public_id],
    )


def test_the_team_page_is_linked_from_the_partnership_page(lead_client, team):
    page = lead_client.get(team.partnership.get_absolute_url())
    assert team_url(team) in page.content.decode()


def test_the_team_page_lists_everyone_with_their_actions(
    lead_client, team, django_assert_max_num_queries
):
    with django_assert_max_num_queries(5):
        page = lead_client.get(team_url(team))
    html = page.content.decode()
    for user in (team.lead, team.consultant, team.analyst):
        assert user.get_full_name() in html
        assert role_url(team, user) in html
        assert remove_url(team, user) in html
    assert reverse("surveys:member_invite", args=[team.partnership.public_id]) in html


@pytest.mark.parametrize("reader", ["consultant", "analyst"])
def test_readers_cannot_manage_the_team(client, team, reader):
    client.force_login(getattr(team, reader))
    assert client.get(team_url(team)).status_code == 403
    page = client.post(role_url(team, team.lead), {"role": ANALYST})
    assert page.status_code == 403
    assert client.post(remove_url(team, team.lead)).status_code == 403
    assert membership(team, team.lead).role == LEAD


def test_an_outsider_gets_404(client, team):
    client.force_login(team.outsider)
    assert client.get(team_url(team)).status_code == 404
    assert client.post(role_url(team, team.analyst), {"role": LEAD}).status_code == 404


def test_a_lead_changes_a_colleagues_role_and_it_is_recorded(lead_client, team):
    page = lead_client.get(role_url(team, team.analyst))
    assert "What should Jo Analyst’s role be?" in page.content.decode()
    page = lead_client.post(role_url(team, team.analyst), {"role": CONSULTANT})
    assert page["Location"] == team_url(team)
    assert membership(team, team.analyst).role == CONSULTANT
    event = AuditEvent.objects.get(action="member_role_changed")
    assert (event.actor, event.partnership) == (team.lead, team.partnership)
    assert event.summary == "Changed Jo Analyst’s role from Analyst to Consultant"
    detail = lead_client.get(team.partnership.get_absolute_url()).content.decode()
    assert "Changed Jo Analyst’s role from Analyst to Consultant" in detail


def test_a_role_must_be_one_of_the_three(lead_client, team):
    page = lead_client.post(role_url(team, team.analyst), {"role": "owner"})
    assert page.status_code == 200
    assert "Select one of the roles" in page.content.decode()
    assert membership(team, team.analyst).role == ANALYST


def test_a_lead_removes_a_colleague_and_it_is_recorded(lead_client, team):
    page = lead_client.get(remove_url(team, team.consultant))
    assert "Are you sure you want to remove Jo Consultant" in page.content.decode()
    page = lead_client.post(remove_url(team, team.consultant))
    assert page["Location"] == team_url(team)
    assert not team.partnership.memberships.filter(user=team.consultant).exists()
    team.consultant.refresh_from_db()  # the account stays
    event = AuditEvent.objects.get(action="member_removed")
    assert event.summary == "Removed Jo Consultant (Consultant) from the team"
    assert event.actor == team.lead


def test_the_last_lead_can_neither_be_demoted_nor_removed(lead_client, team):
    page = lead_client.post(role_url(team, team.lead), {"role": ANALYST})
    assert page.status_code == 200
    assert "is the partnership’s only lead" in page.content.decode()
    assert (
        "cannot be removed"
        in lead_client.get(remove_url(team, team.lead)).content.decode()
    )
    page = lead_client.post(remove_url(team, team.lead), follow=True)
    assert "is the partnership’s only lead" in page.content.decode()
    assert membership(team, team.lead).role == LEAD
    assert not AuditEvent.objects.filter(
        action__in=["member_role_changed", "member_removed"]
    ).exists()


def test_with_a_second_lead_a_lead_may_step_down(lead_client, team):
    second = MembershipFactory(
        partnership=team.partnership, role=LEAD, user=UserFactory()
    ).user
    page = lead_client.post(remove_url(team, team.lead))
    assert page["Location"] == reverse("surveys:partnership_list")
    assert list(team.partnership.memberships.filter(role=LEAD)) == [
        membership(team, second)
    ]


def test_the_services_keep_a_lead_too(team):
    only = membership(team, team.lead)
    with pytest.raises(LastLeadError):
        change_member_role(membership=only, role=CONSULTANT, actor=team.lead)
    with pytest.raises(LastLeadError):
        remove_member(membership=only, actor=team.lead)
    promoted = change_member_role(
        membership=membership(team, team.analyst), role=LEAD, actor=team.lead
    )
    remove_member(membership=only, actor=promoted.user)
    assert list(team.partnership.memberships.filter(role=LEAD)) == [promoted]


# Team invitations: each emails a password-set link from the service's own sender, so a
# lead has a daily allowance of them (found by the audit: 30 in a row all went out).


def invite_url(team) -> str:
    return reverse("surveys:member_invite", args=[team.partnership.public_id])


def invite(client, team, n: int, **extra):
    return client.post(
        invite_url(team),
        {
            "first_name": "Colleague",
            "last_name": str(n),
            "email": f"colleague{n}@example.org",
            "role": ANALYST,
            **extra,
        },
    )


def test_team_invitations_past_the_daily_allowance_are_refused(
    lead_client, team, settings, django_capture_on_commit_callbacks
):
    settings.TEAM_INVITATIONS_PER_LEAD_PER_DAY = 3
    with django_capture_on_commit_callbacks(execute=True):
        codes = [invite(lead_client, team, n).status_code for n in range(3)]
    assert codes == [302, 302, 302]
    assert len(mail.outbox) == 3
    users_before = User.objects.count()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        page = invite(lead_client, team, 3)
    assert page.status_code == 200
    html = page.content.decode()
    assert "govuk-error-summary" in html
    assert (
        "Nothing was sent. Each lead can invite up to 3 colleagues in 24 hours; you "
        "have invited 3, so no more can go now."
    ) in html
    # Nothing half-written: no account, no membership, no audit event, no email.
    assert callbacks == []
    assert len(mail.outbox) == 3
    assert User.objects.count() == users_before
    assert not User.objects.filter(email="colleague3@example.org").exists()
    assert AuditEvent.objects.filter(action="member_invited").count() == 3


def test_leads_made_by_a_lead_share_the_partnerships_allowance(
    client, team, settings, django_capture_on_commit_callbacks
):
    # Found by the review: each lead had their own allowance, so a lead who invited new
    # leads (their own mailboxes) multiplied what one partnership could send.
    settings.TEAM_INVITATIONS_PER_LEAD_PER_DAY = 2
    settings.TEAM_INVITATIONS_PER_PARTNERSHIP_PER_DAY = 3
    made = invite_member(
        partnership=team.partnership,
        email="second.lead@example.org",
        first_name="Second",
        last_name="Lead",
        role=LEAD,
        actor=team.lead,
    )
    accept_invitation(membership=made, user=made.user, role=LEAD)
    invite_member(
        partnership=team.partnership,
        email="a@example.org",
        first_name="A",
        last_name="A",
        role=ANALYST,
        actor=team.lead,
    )
    invite_member(
        partnership=team.partnership,
        email="b@example.org",
        first_name="B",
        last_name="B",
        role=ANALYST,
        actor=made.user,
    )
    users_before = User.objects.count()
    client.force_login(made.user)  # one of their own two is still unused
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        page = invite(client, team, 7)
    assert page.status_code == 200
    html = page.content.decode()
    assert "govuk-error-summary" in html
    assert (
        "Nothing was sent. Each partnership can invite up to 3 colleagues in 24 "
        "hours; its leads have invited 3, so no more can go now."
    ) in html
    assert callbacks == []
    assert User.objects.count() == users_before
    assert AuditEvent.objects.filter(action="member_invited").count() == 3


def test_the_team_allowance_counts_every_partnership_and_only_the_last_day(
    team, settings
):
    settings.TEAM_INVITATIONS_PER_LEAD_PER_DAY = 2
    other = MembershipFactory(user=team.lead, role=LEAD).partnership
    for n, partnership in enumerate((other, team.partnership)):
        invite_member(
            partnership=partnership,
            email=f"p{n}@example.org",
            first_name="P",
            last_name=str(n),
            role=ANALYST,
            actor=team.lead,
        )
    with pytest.raises(TeamInvitationLimitError):
        invite_member(
            partnership=team.partnership,
            email="p9@example.org",
            first_name="P",
            last_name="9",
            role=ANALYST,
            actor=team.lead,
        )
    AuditEvent.objects.update(created_at=timezone.now() - timedelta(hours=25))
    invite_member(
        partnership=team.partnership,
        email="p9@example.org",
        first_name="P",
        last_name="9",
        role=ANALYST,
        actor=team.lead,
    )


@pytest.mark.django_db(transaction=True)
def test_two_leads_inviting_the_same_new_address_at_once_share_one_account(
    monkeypatch,
):
    # Found by the review: both found no account and both created one, so one lead got an
    # error page (the username was taken a moment before).
    import contextlib
    import threading

    from django.db import connection

    from surveys.services import partnerships

    leads = [MembershipFactory(role=LEAD).user for _ in range(2)]
    both_looked = threading.Barrier(2, timeout=2)
    real = partnerships._find_user

    def find_then_wait(email):
        found = real(email)
        # Each looks before the other creates, unless the lookups are serialised.
        with contextlib.suppress(threading.BrokenBarrierError):
            both_looked.wait()
        return found

    monkeypatch.setattr(partnerships, "_find_user", find_then_wait)
    results = []

    def invite_as(lead):
        try:
            invite_member(
                partnership=lead.memberships.get().partnership,
                email="Same.New@example.org",
                first_name="S",
                last_name="N",
                role=ANALYST,
                actor=lead,
            )
            results.append("invited")
        except Exception as exc:  # the failure is what is being tested
            results.append(type(exc).__name__)
        finally:
            connection.close()

    threads = [threading.Thread(target=invite_as, args=(lead,)) for lead in leads]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == ["invited", "invited"]
    [user] = User.objects.filter(email__iexact="same.new@example.org")
    assert user.memberships.count() == 2
