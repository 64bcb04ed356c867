"""Emails (locmem backend): invitations, reminders, colleague invitations and password resets."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth import get_user
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from surveys.models import Invitation, Membership, Survey, User
from surveys.services.invitations import send_invitations, send_reminders
from surveys.tasks import send_survey_emails
from tests.factories import InvitationFactory, MembershipFactory, ResponseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead(survey_setup) -> User:
    return MembershipFactory(
        partnership=survey_setup.survey.partnership,
        user__first_name="Priya",
        user__last_name="Shah",
    ).user


@pytest.fixture
def round_url(survey_setup) -> str:
    return survey_setup.survey.get_absolute_url()


def link_in(text: str) -> str:
    """Return the path of the first site link in an email body."""
    match = re.search(re.escape(settings.SITE_URL) + r"(/\S+)", text)
    assert match, text
    return match.group(1)


def post(client, name: str, survey: Survey):
    return client.post(
        reverse(
            f"surveys:{name}",
            kwargs={
                "public_id": survey.partnership.public_id,
                "round_id": survey.public_id,
            },
        ),
        follow=True,
    )


# Invitations


def test_invitation_email_says_who_asks_why_how_long_and_until_when(
    client, survey_setup, lead, django_capture_on_commit_callbacks
):
    survey = survey_setup.survey
    Survey.objects.filter(pk=survey.pk).update(
        closes_at=timezone.make_aware(timezone.datetime(2099, 3, 31, 23, 59)),
        anonymity_threshold=6,
    )
    survey.partnership.name = "St Aidan's & Northshire Partnership"
    survey.partnership.save()
    client.force_login(lead)
    with django_capture_on_commit_callbacks(execute=True):
        page = post(client, "invitations_send", survey)
    assert "Invitations are being sent to 1 person." in page.content.decode()
    [message] = mail.outbox
    invitation = survey_setup.personal_link
    assert message.to == [invitation.email]
    assert message.from_email == settings.DEFAULT_FROM_EMAIL
    assert message.reply_to == [lead.email]  # replies reach the lead
    # Fixed service wording: a customer's name never becomes the subject line.
    assert message.subject == "Collaboration survey: your personal link"
    body = message.body
    assert f'Partnership: "{survey.partnership.name}"' in body
    assert 'Your organisation: "Northshire Council"' in body
    assert 'Asked by: "Priya Shah"' in body
    assert "Why we are asking" in body
    # The same estimate as the link's start page, which grows with the partners to rate.
    start = client.get(f"/s/{invitation.token}/").content.decode()
    minutes = int(re.search(r"it takes about (\d+) minutes", start).group(1))
    assert f"about {minutes} minutes" in body
    assert "reported only for groups of at least 6 people" in body
    assert "The survey closes on 31 March 2099." in body
    assert f"{settings.SITE_URL}/s/{invitation.token}/" in body
    assert "St Aidan's & Northshire" in body  # plain text is not HTML-escaped
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert f'href="{settings.SITE_URL}/s/{invitation.token}/"' in html
    assert f"about <strong>{minutes} minutes</strong>" in html
    invitation.refresh_from_db()
    assert invitation.sent_at is not None


def test_the_emailed_link_opens_the_survey_and_can_be_answered(
    client, survey_setup, lead, django_capture_on_commit_callbacks
):
    from tests.surveys.test_respondent import answer_all, check_url

    client.force_login(lead)
    with django_capture_on_commit_callbacks(execute=True):
        post(client, "invitations_send", survey_setup.survey)
    path = link_in(mail.outbox[0].body)
    client.logout()
    start = client.get(path)
    assert start.status_code == 200
    assert "How we use your answers" in start.content.decode()
    key = re.search(r'name="start_key" value="([^"]+)"', start.content.decode())
    assert client.post(path, {"start_key": key.group(1)}).status_code == 302
    response = survey_setup.personal_link.responses.get()
    answer_all(client, response)
    page = client.get(check_url(response))
    digest = page.context["form"].initial["digest"]
    client.post(check_url(response), {"digest": digest})
    response.refresh_from_db()
    assert response.is_submitted


def test_invitations_go_once_to_each_unsent_personal_link(
    survey_setup, lead, django_capture_on_commit_callbacks
):
    survey = survey_setup.survey
    already = InvitationFactory(
        survey=survey, organisation=survey_setup.home, sent_at=timezone.now()
    )
    InvitationFactory(
        survey=survey, organisation=survey_setup.home, revoked_at=timezone.now()
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert send_invitations(survey=survey, actor=lead) == 1
    assert [m.to for m in mail.outbox] == [[survey_setup.personal_link.email]]
    assert already.email not in {m.to[0] for m in mail.outbox}
    with django_capture_on_commit_callbacks(execute=True):
        assert send_invitations(survey=survey, actor=lead) == 0
    assert len(mail.outbox) == 1


def test_a_double_click_before_the_worker_runs_sends_one_email(
    survey_setup, lead, django_capture_on_commit_callbacks
):
    survey = survey_setup.survey
    with django_capture_on_commit_callbacks() as callbacks:
        send_invitations(survey=survey, actor=lead)
        send_invitations(survey=survey, actor=lead)
    assert len(callbacks) == 2  # two tasks queued...
    for callback in callbacks:
        callback()
    assert len(mail.outbox) == 1  # ...but the second finds the link already sent


def test_big_rounds_are_split_into_batches(
    survey_setup, lead, django_capture_on_commit_callbacks
):
    Invitation.objects.bulk_create(
        Invitation(
            survey=survey_setup.survey,
            organisation=survey_setup.home,
            kind="personal",
            email=f"p{n}@example.org",
        )
        for n in range(150)
    )
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        send_invitations(survey=survey_setup.survey, actor=lead)
    assert len(callbacks) == 2
    assert len(mail.outbox) == 151


def test_a_draft_round_sends_nothing(client, survey_setup, lead):
    Survey.objects.filter(pk=survey_setup.survey.pk).update(status="draft")
    client.force_login(lead)
    page = post(client, "invitations_send", survey_setup.survey)
    assert "Open the round first" in page.content.decode()
    assert mail.outbox == []


def test_the_task_skips_links_of_a_round_closed_meanwhile(survey_setup, lead):
    Survey.objects.filter(pk=survey_setup.survey.pk).update(status="closed")
    sent = send_survey_emails.call(
        invitation_ids=[survey_setup.personal_link.pk],
        sender_name="Priya Shah",
        reminder=False,
        requested_at=timezone.now().isoformat(),
    )
    assert sent == 0
    assert mail.outbox == []


# Reminders


@pytest.fixture
def invited(survey_setup) -> dict[str, Invitation]:
    """Four people invited two days ago: submitted, part-way, not started, and not sent."""
    two_days_ago = timezone.now() - timedelta(days=2)
    people = {
        name: InvitationFactory(
            survey=survey_setup.survey,
            organisation=survey_setup.home,
            email=f"{name}@example.org",
            sent_at=None if name == "unsent" else two_days_ago,
        )
        for name in ("submitted", "partway", "silent", "unsent")
    }
    ResponseFactory(invitation=people["submitted"], submitted_at=timezone.now())
    ResponseFactory(invitation=people["partway"])
    return people


def test_reminders_skip_people_who_submitted(
    client, survey_setup, lead, invited, django_capture_on_commit_callbacks
):
    client.force_login(lead)
    with django_capture_on_commit_callbacks(execute=True):
        page = post(client, "reminders_send", survey_setup.survey)
    assert "Reminders are being sent to 2 people." in page.content.decode()
    assert sorted(m.to[0] for m in mail.outbox) == [
        "partway@example.org",
        "silent@example.org",
    ]
    message = mail.outbox[0]
    assert message.subject.startswith("Reminder: ")
    assert "This is a reminder" in message.body
    assert link_in(message.body).startswith("/s/")
    for name, invitation in invited.items():
        invitation.refresh_from_db()
        assert (invitation.reminded_at is not None) == (
            name in ("partway", "silent")
        ), name


def test_people_reminded_recently_are_not_reminded_again(
    survey_setup, lead, invited, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert send_reminders(survey=survey_setup.survey, actor=lead).count == 2
    with django_capture_on_commit_callbacks(execute=True):
        assert send_reminders(survey=survey_setup.survey, actor=lead).count == 0
    assert len(mail.outbox) == 2


def test_a_reminder_queued_before_someone_submits_is_not_sent(
    survey_setup, lead, invited, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        send_reminders(survey=survey_setup.survey, actor=lead)
    invited["partway"].responses.update(submitted_at=timezone.now())
    for callback in callbacks:
        callback()
    assert [m.to[0] for m in mail.outbox] == ["silent@example.org"]


def test_nobody_to_remind_says_so_and_why(client, survey_setup, lead):
    client.force_login(lead)
    page = post(client, "reminders_send", survey_setup.survey)
    assert (
        "Nobody was reminded. Not reminded: 1 person: not sent an invitation yet."
        in page.content.decode()
    )


# Colleagues


def invite(client, partnership, **data):
    return client.post(
        reverse("surveys:member_invite", kwargs={"public_id": partnership.public_id}),
        {"first_name": "Sam", "last_name": "Okafor", "role": "consultant", **data},
    )


def test_inviting_a_new_colleague_emails_a_link_to_choose_a_password(
    client, team, django_capture_on_commit_callbacks
):
    client.force_login(team.lead)
    with django_capture_on_commit_callbacks(execute=True):
        page = invite(client, team.partnership, email="Sam.Okafor@Example.org")
    assert page["Location"] == team.partnership.get_absolute_url()
    user = User.objects.get(email="Sam.Okafor@Example.org")
    assert user.username == "sam.okafor@example.org"
    assert not user.has_usable_password()
    membership = user.memberships.get()
    assert membership.role == Membership.Role.CONSULTANT
    assert membership.is_pending  # a new account accepts too, once signed in
    [message] = mail.outbox
    assert message.to == ["Sam.Okafor@Example.org"]
    assert message.subject == (
        "You have been invited to a partnership on Collaboration readiness"
    )
    assert (
        "After choosing a password and signing in, you will be asked to accept or "
        "decline this invitation on your partnerships page"
    ) in " ".join(message.body.split())
    assert 'Partnership: "Northshire Place Partnership"' in message.body
    assert 'Added by: "Jo ICS lead"' in message.body
    assert "Your role: Consultant" in message.body
    assert "Choose your password" in message.alternatives[0][0]

    # The link works: choose a password, then sign in with it.
    client.logout()
    form_page = client.get(link_in(message.body), follow=True)
    assert "Choose a password" in form_page.content.decode()
    set_url = form_page.redirect_chain[-1][0]
    done = client.post(
        set_url,
        {
            "new_password1": "a-long-new-password-2026",
            "new_password2": "a-long-new-password-2026",
        },
    )
    assert done["Location"] == reverse("password_reset_complete")
    signed_in = client.post(
        reverse("login"),
        {"login": "sam.okafor@example.org", "password": "a-long-new-password-2026"},
    )
    assert signed_in["Location"] == reverse("surveys:partnership_list")
    assert get_user(client).pk == user.pk
    # Where they land, the invitation waits for their answer; accepting gives the role.
    respond = reverse("surveys:membership_respond", args=[membership.public_id])
    landing = client.get(signed_in["Location"]).content.decode()
    assert respond in landing
    assert team.partnership.get_absolute_url() not in landing
    client.post(respond, {"answer": "accept", "role": "consultant"})
    membership.refresh_from_db()
    assert not membership.is_pending
    assert client.get(team.partnership.get_absolute_url()).status_code == 200


def test_inviting_someone_with_an_account_adds_the_role_and_emails_sign_in(
    client, team, django_capture_on_commit_callbacks
):
    client.force_login(team.lead)
    with django_capture_on_commit_callbacks(execute=True):
        invite(
            client, team.partnership, email=team.outsider.email.upper(), role="analyst"
        )
    assert team.outsider.memberships.filter(
        partnership=team.partnership, role="analyst"
    ).exists()
    assert User.objects.filter(email__iexact=team.outsider.email).count() == 1
    assert link_in(mail.outbox[0].body) == reverse("login")


def test_inviting_a_current_member_is_refused(client, team):
    client.force_login(team.lead)
    page = invite(client, team.partnership, email=team.analyst.email)
    assert "already has a role on Northshire Place Partnership" in page.content.decode()
    assert mail.outbox == []


# Signing in and passwords


def test_sign_in_and_out(client, team):
    page = client.post(
        reverse("login"),
        {"login": team.lead.username, "password": "correct-horse-battery"},
    )
    assert page["Location"] == reverse("surveys:partnership_list")
    html = client.get(reverse("surveys:partnership_list")).content.decode()
    assert "Sign out" in html
    out = client.post(reverse("logout"))
    assert out["Location"] == reverse("home")
    assert not get_user(client).is_authenticated


def test_a_wrong_password_is_explained(client, team):
    page = client.post(
        reverse("login"), {"login": team.lead.username, "password": "wrong"}
    )
    assert page.status_code == 200
    assert "Enter a correct username and password" in page.content.decode()


@pytest.mark.parametrize(
    "name",
    ["login", "password_reset", "password_reset_done", "password_reset_complete"],
)
def test_account_pages_render(client, name):
    assert client.get(reverse(name)).status_code == 200


def test_password_reset_email_links_to_the_site(client, team):
    client.post(reverse("password_reset"), {"email": team.lead.email})
    [message] = mail.outbox
    path = link_in(message.body)
    assert path.startswith("/accounts/reset/")
    assert "Choose a password" in client.get(path, follow=True).content.decode()


def test_an_invited_colleague_without_a_password_can_ask_for_a_reset(client, team):
    team.consultant.set_unusable_password()
    team.consultant.save()
    client.post(reverse("password_reset"), {"email": team.consultant.email})
    assert [m.to for m in mail.outbox] == [[team.consultant.email]]


def test_password_reset_for_an_unknown_address_sends_nothing(client, team):
    page = client.post(reverse("password_reset"), {"email": "nobody@example.org"})
    assert page["Location"] == reverse("password_reset_done")
    assert mail.outbox == []


def test_an_invitation_to_rate_more_partners_says_it_takes_longer(
    survey_setup, lead, django_capture_on_commit_callbacks
):
    from surveys.models import PartnershipMember
    from surveys.services.invitations import send_invitations
    from tests.factories import OrganisationFactory

    def minutes_said() -> int:
        mail.outbox.clear()
        Invitation.objects.filter(survey=survey_setup.survey).update(sent_at=None)
        with django_capture_on_commit_callbacks(execute=True):
            send_invitations(survey=survey_setup.survey, actor=lead)
        return int(re.search(r"about (\d+) minutes", mail.outbox[0].body).group(1))

    few = minutes_said()
    PartnershipMember.objects.add(
        partnership=survey_setup.survey.partnership,
        organisations=[OrganisationFactory() for _ in range(10)],
    )
    assert minutes_said() > few
