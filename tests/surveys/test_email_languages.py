"""Emails in the invitee's language (English or Welsh), the privacy notice linked from them,
and the account pages in Welsh."""

import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings
from django.core import mail
from django.tasks import TaskBackendHandler
from django.urls import reverse
from django.utils import timezone, translation

from surveys.models import AuditAction, AuditEvent, Invitation, Survey
from surveys.services.emails import build_resume_email
from surveys.services.invitations import (
    InviteeError,
    change_invitee_language,
    correct_invitee,
    send_invitations,
    send_reminders,
)
from tests.factories import InvitationFactory, ResponseFactory

pytestmark = pytest.mark.django_db

PRIVACY = settings.SITE_URL + "/privacy"
CLOSES = timezone.make_aware(timezone.datetime(2099, 3, 31, 23, 59))


def url(team, name: str, invitation: Invitation | None = None) -> str:
    kwargs = {"public_id": team.partnership.public_id, "round_id": team.round.public_id}
    if invitation is not None:
        kwargs["invitation_id"] = invitation.public_id
    return reverse(f"surveys:{name}", kwargs=kwargs)


def html_of(message) -> str:
    [(html, kind)] = message.alternatives
    assert kind == "text/html"
    return html


def by_address(outbox) -> dict[str, object]:
    return {message.to[0]: message for message in outbox}


@pytest.fixture
def mixed(team) -> dict[str, Invitation]:
    """A Welsh, an English and another Welsh invitee, in that order in one batch."""
    Survey.objects.filter(pk=team.round.pk).update(closes_at=CLOSES)
    team.round.refresh_from_db()
    hospital = team.organisations[0]
    return {
        language: InvitationFactory(
            survey=team.round, organisation=hospital, email=address, language=language
        )
        for address, language in [
            ("gwen@nhs.example", "cy"),
            ("harry@nhs.example", "en-gb"),
        ]
    } | {
        "cy2": InvitationFactory(
            survey=team.round,
            organisation=hospital,
            email="rhys@nhs.example",
            language="cy",
        )
    }


def assert_welsh(message) -> None:
    html = html_of(message)
    assert message.subject == "Arolwg cydweithio: eich dolen bersonol"
    assert message.extra_headers["Content-Language"] == "cy"
    body = message.body
    assert body.startswith("Helo,")
    assert 'Partneriaeth: "Northshire Place Partnership"' in body
    assert "Pam rydym yn gofyn" in body
    assert "Ateb yr arolwg:" in body
    assert "Mae’r arolwg yn cau ar 31 Mawrth 2099." in body
    assert "Why we are asking" not in body
    assert '<html lang="cy">' in html
    assert "Ateb yr arolwg</a>" in html
    assert "Mae eich atebion yn <strong>gyfrinachol</strong>." in html
    assert "Why we are asking" not in html


def assert_english(message) -> None:
    html = html_of(message)
    assert message.subject == "Collaboration survey: your personal link"
    assert message.extra_headers["Content-Language"] == "en-gb"
    assert message.body.startswith("Hello,")
    assert "Why we are asking" in message.body
    assert "The survey closes on 31 March 2099." in message.body
    assert "Pam rydym yn gofyn" not in message.body
    assert '<html lang="en-gb">' in html
    assert "Answer the survey</a>" in html
    assert "Helo," not in html


# Invitations and reminders


def test_each_invitee_in_one_batch_gets_the_invitation_in_their_own_language(
    team, mixed, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert send_invitations(survey=team.round, actor=team.lead) == 3
    sent = by_address(mail.outbox)
    assert_welsh(sent["gwen@nhs.example"])
    assert_english(sent["harry@nhs.example"])
    # Nothing of the English invitee's email is left over for the next Welsh one.
    assert_welsh(sent["rhys@nhs.example"])
    assert translation.get_language() == settings.LANGUAGE_CODE


def test_the_language_active_when_sending_does_not_decide_the_invitees(
    team, mixed, django_capture_on_commit_callbacks
):
    with translation.override("cy"), django_capture_on_commit_callbacks(execute=True):
        send_invitations(survey=team.round, actor=team.lead)
    assert_english(by_address(mail.outbox)["harry@nhs.example"])


def test_a_reminder_by_hand_is_in_each_invitees_language(
    team, mixed, django_capture_on_commit_callbacks
):
    Invitation.objects.filter(survey=team.round, email__isnull=False).update(
        sent_at=timezone.now() - timedelta(days=3)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert send_reminders(survey=team.round, actor=team.lead).count == 3
    sent = by_address(mail.outbox)
    welsh, english = sent["gwen@nhs.example"], sent["harry@nhs.example"]
    assert (
        welsh.subject
        == "Nodyn atgoffa: mae’r arolwg cydweithio yn cau ar 31 Mawrth 2099"
    )
    assert welsh.body.startswith(
        "Helo,\n\nNodyn atgoffa yw hwn: nid ydym wedi cael eich atebion i'r arolwg "
        "cydweithio isod eto, sy'n cau ar 31 Mawrth 2099."
    )
    assert "<strong>Nodyn atgoffa yw hwn:</strong>" in html_of(welsh)
    assert english.subject == "Reminder: collaboration survey closes on 31 March 2099"
    assert "This is a reminder: we have not yet had your answers" in english.body
    assert sent["rhys@nhs.example"].subject == welsh.subject


@pytest.fixture
def queue(monkeypatch):
    """A task backend that keeps what is queued, to run as the worker would."""
    handler = TaskBackendHandler(
        {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    )
    monkeypatch.setattr("django.tasks.task_backends", handler)
    return handler["default"]


def test_a_scheduled_reminder_from_the_worker_is_in_each_invitees_language(
    team, mixed, queue, django_capture_on_commit_callbacks, monkeypatch
):
    Survey.objects.filter(pk=team.round.pk).update(reminder_days=[5])
    team.round.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        send_invitations(survey=team.round, actor=team.lead)
    invitations, day5 = queue.results
    invitations.task.call(*invitations.args, **invitations.kwargs)
    mail.outbox.clear()
    moment = day5.task.run_after + timedelta(minutes=1)
    monkeypatch.setattr("django.utils.timezone.now", lambda: moment)
    # The worker runs the task with whatever language it has active: Welsh, here.
    with translation.override("cy"):
        assert day5.task.call(*day5.args, **day5.kwargs) == 3
    sent = by_address(mail.outbox)
    assert sent["gwen@nhs.example"].subject.startswith("Nodyn atgoffa: ")
    assert "Pam rydym yn gofyn" in sent["rhys@nhs.example"].body
    english = sent["harry@nhs.example"]
    assert english.subject.startswith("Reminder: collaboration survey")
    assert "This is a reminder" in english.body
    assert "Nodyn" not in english.body + html_of(english)


def test_the_leads_own_message_is_quoted_as_typed_in_a_welsh_email(
    team, mixed, django_capture_on_commit_callbacks
):
    Survey.objects.filter(pk=team.round.pk).update(
        invitee_message="Please answer by Friday.\nDiolch yn fawr!"
    )
    with django_capture_on_commit_callbacks(execute=True):
        send_invitations(survey=team.round, actor=team.lead)
    body = by_address(mail.outbox)["gwen@nhs.example"].body
    assert (
        "Eu neges i chi (eu geiriau nhw, nid geiriau'r gwasanaeth):\n"
        "> Please answer by Friday.\n> Diolch yn fawr!\n"
    ) in body


# The privacy notice


@pytest.mark.parametrize("reminder", [False, True])
@pytest.mark.parametrize(
    ("language", "sentence", "notice"),
    [
        ("en-gb", "How we use your answers:", PRIVACY),
        ("cy", "Sut rydym yn defnyddio eich atebion:", PRIVACY + "?lang=cy"),
    ],
)
def test_invitations_and_reminders_link_the_privacy_notice_in_both_parts(
    team, django_capture_on_commit_callbacks, reminder, language, sentence, notice
):
    invitation = InvitationFactory(
        survey=team.round,
        organisation=team.organisations[0],
        language=language,
        sent_at=timezone.now() - timedelta(days=3) if reminder else None,
    )
    send = send_reminders if reminder else send_invitations
    with django_capture_on_commit_callbacks(execute=True):
        send(survey=team.round, actor=team.lead)
    [message] = mail.outbox
    assert message.to == [invitation.email]
    assert f"{sentence} {notice}\n" in message.body
    assert (
        f'{sentence} <a href="{notice}" style="color:#1d70b8;word-break:break-all;">'
        f"{notice}</a>"
    ) in html_of(message)


def test_the_privacy_link_opens_the_privacy_notice(client):
    assert PRIVACY.removeprefix(settings.SITE_URL) == reverse("privacy")
    assert client.get(reverse("privacy")).status_code == 200


def test_a_welsh_invitees_privacy_link_opens_the_notice_in_welsh_whatever_the_browser(
    client,
):
    page = client.get(reverse("privacy") + "?lang=cy", HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert '<html lang="cy"' in html
    assert "Hysbysiad preifatrwydd" in html
    assert "Swyddfa’r Comisiynydd Gwybodaeth" in html
    assert "Who is responsible for your information" not in html


def test_the_privacy_notice_follows_the_browser_and_ignores_unknown_languages(client):
    welsh = client.get(reverse("privacy"), HTTP_ACCEPT_LANGUAGE="cy")
    assert "Eich hawliau" in welsh.content.decode()
    odd = client.get(reverse("privacy") + "?lang=xx", HTTP_ACCEPT_LANGUAGE="en")
    assert '<html lang="en-gb"' in odd.content.decode()


# Resume links and team invitations


def test_a_resume_link_goes_in_the_personal_invitees_language(team):
    invitation = InvitationFactory(
        survey=team.round, organisation=team.organisations[0], language="cy"
    )
    response = ResponseFactory(invitation=invitation)
    message = build_resume_email(response=response, to="gwen@nhs.example")
    assert message.subject == "Arolwg cydweithio: eich dolen i barhau"
    assert "Parhau â'r arolwg:" in message.body
    assert "Parhau â’r arolwg</a>" in html_of(message)


def test_a_resume_link_from_an_organisation_link_follows_the_page_language(team):
    response = ResponseFactory(invitation=team.org_links["NCC"])
    with translation.override("cy"):
        welsh = build_resume_email(response=response, to="someone@ncc.example")
    english = build_resume_email(response=response, to="someone@ncc.example")
    assert welsh.subject == "Arolwg cydweithio: eich dolen i barhau"
    assert english.subject == "Collaboration survey: your link to carry on"


def test_a_team_invitation_goes_in_the_language_the_lead_was_using(
    client, team, django_capture_on_commit_callbacks
):
    client.force_login(team.lead)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "cy"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse(
                "surveys:member_invite",
                kwargs={"public_id": team.partnership.public_id},
            ),
            {
                "first_name": "Sam",
                "last_name": "Okafor",
                "role": "consultant",
                "email": "sam@example.org",
            },
        )
    [message] = mail.outbox
    assert message.subject == (
        "Rydych wedi cael gwahoddiad i bartneriaeth ar wasanaeth Parodrwydd i "
        "Gydweithio"
    )
    assert "Ar ôl dewis cyfrinair a mewngofnodi" in message.body
    assert 'Partneriaeth: "Northshire Place Partnership"' in message.body
    assert "Dewis eich cyfrinair</a>" in html_of(message)


# The invitee's language on the invitee list


def test_the_invitee_list_shows_each_invitees_language(lead_client, team, mixed):
    html = lead_client.get(url(team, "invitee_list")).content.decode()
    assert (
        '<td class="govuk-table__cell" data-label="Language" lang="cy">Cymraeg</td>'
        in html
    )
    assert (
        '<td class="govuk-table__cell" data-label="Language" lang="en-gb">English</td>'
        in html
    )


def test_the_lead_changes_an_invitees_language_and_the_trail_says_so(
    lead_client, team, mixed, django_capture_on_commit_callbacks
):
    harry = mixed["en-gb"]
    form = lead_client.get(url(team, "invitee_language", harry))
    assert form.status_code == 200
    page = lead_client.post(url(team, "invitee_language", harry), {"language": "cy"})
    assert page["Location"] == url(team, "invitee_list")
    harry.refresh_from_db()
    assert harry.language == "cy"
    [event] = AuditEvent.objects.filter(action=AuditAction.INVITEE_LANGUAGE_CHANGED)
    assert event.actor == team.lead
    assert event.summary == (
        "Changed the language of an invitee’s emails at "
        "Northshire Hospitals NHS Foundation Trust from English to Cymraeg"
    )
    assert "harry@nhs.example" not in str(event.detail)  # the trail holds no address
    with django_capture_on_commit_callbacks(execute=True):
        send_invitations(survey=team.round, actor=team.lead)
    assert_welsh(by_address(mail.outbox)["harry@nhs.example"])


def test_choosing_the_language_it_already_has_or_none_is_explained(
    lead_client, team, mixed
):
    gwen = mixed["cy"]
    same = lead_client.post(url(team, "invitee_language", gwen), {"language": "cy"})
    assert "This invitee’s emails are already in Cymraeg" in same.content.decode()
    missing = lead_client.post(url(team, "invitee_language", gwen), {})
    assert "Choose the language of their emails" in missing.content.decode()
    other = lead_client.post(url(team, "invitee_language", gwen), {"language": "fr"})
    assert "Choose a language from the list" in other.content.decode()
    assert not AuditEvent.objects.filter(
        action=AuditAction.INVITEE_LANGUAGE_CHANGED
    ).exists()


def test_a_submitted_invitees_language_cannot_be_changed(team):
    invitation = InvitationFactory(
        survey=team.round, organisation=team.organisations[0], language="cy"
    )
    ResponseFactory(invitation=invitation, submitted_at=timezone.now())
    with pytest.raises(InviteeError):
        change_invitee_language(
            invitation=invitation, language="en-gb", actor=team.lead
        )


@pytest.mark.parametrize("who", ["consultant", "analyst"])
def test_only_leads_change_an_invitees_language(client, team, mixed, who):
    client.force_login(getattr(team, who))
    target = url(team, "invitee_language", mixed["cy"])
    assert client.post(target, {"language": "en-gb"}).status_code == 403
    assert Invitation.objects.get(pk=mixed["cy"].pk).language == "cy"


def test_outsiders_and_visitors_cannot_change_an_invitees_language(client, team, mixed):
    target = url(team, "invitee_language", mixed["cy"])
    client.force_login(team.outsider)
    assert client.post(target, {"language": "en-gb"}).status_code == 404
    client.logout()
    assert client.post(target, {"language": "en-gb"}).status_code == 302
    assert Invitation.objects.get(pk=mixed["cy"].pk).language == "cy"


def test_a_corrected_address_keeps_the_invitees_language(team, mixed):
    new = correct_invitee(
        invitation=mixed["cy"], email="gwen.jones@nhs.example", actor=team.lead
    )
    assert new.language == "cy"


# Account pages in Welsh


def test_the_sign_in_page_is_in_welsh_for_a_welsh_browser(client):
    html = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="cy").content.decode()
    assert '<h1 class="govuk-heading-xl">Mewngofnodi</h1>' in html
    assert "Enw defnyddiwr neu gyfeiriad e-bost" in html
    assert "Wedi anghofio eich cyfrinair?" in html
    assert "Forgotten your password?" not in html


def test_sign_in_errors_are_in_the_language_chosen_with_the_cookie(client, team):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "cy"
    empty = client.post(reverse("login"), {"login": "", "password": ""})
    html = empty.content.decode()
    assert "<title>Gwall: Mewngofnodi" in html
    assert (
        '<span class="govuk-visually-hidden">Gwall:</span> Rhowch eich cyfrinair'
        in html
    )
    assert "Rhowch eich enw defnyddiwr neu eich cyfeiriad e-bost" in html
    assert "Rhowch eich cyfrinair" in html
    wrong = client.post(
        reverse("login"), {"login": team.lead.username, "password": "wrong"}
    )
    assert (
        "Rhowch enw defnyddiwr a chyfrinair cywir. Mae priflythrennau a llythrennau "
        "bach yn cyfrif yn y ddau." in wrong.content.decode()
    )


def test_the_sign_in_page_stays_english_by_default(client):
    html = client.get(reverse("login")).content.decode()
    assert '<h1 class="govuk-heading-xl">Sign in</h1>' in html
    assert "Username or email address" in html


def test_the_authenticator_set_up_is_in_welsh_with_its_errors(client, team):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "cy"
    password = "correct-horse-battery"
    client.post(reverse("login"), {"login": team.lead.username, "password": password})
    asked = client.get(reverse("mfa_activate_totp"), follow=True)
    assert '<h1 class="govuk-heading-xl">Cadarnhau eich cyfrinair</h1>' in (
        asked.content.decode()
    )
    page = client.post(asked.redirect_chain[-1][0], {"password": password}, follow=True)
    html = page.content.decode()
    assert '<h1 class="govuk-heading-xl">Gosod ap dilysu</h1>' in html
    assert "Cod dilysu" in html
    assert 'alt="Cod QR i’w sganio gyda’ch ap dilysu"' in html
    wrong = client.post(reverse("mfa_activate_totp"), {"code": "000000"})
    assert "Cod anghywir." in wrong.content.decode()
    empty = client.post(reverse("mfa_activate_totp"), {"code": ""})
    assert "Rhowch eich cod diogelwch" in empty.content.decode()


def test_turning_off_the_app_and_new_recovery_codes_are_in_welsh(client, team):
    password = "correct-horse-battery"
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "cy"
    client.post(reverse("login"), {"login": team.lead.username, "password": password})
    TOTP.activate(team.lead, "JBSWY3DPEHPK3PXP")
    RecoveryCodes.activate(team.lead)
    asked = client.get(reverse("mfa_deactivate_totp"), follow=True)
    page = client.post(asked.redirect_chain[-1][0], {"password": password}, follow=True)
    html = page.content.decode()
    assert '<h1 class="govuk-heading-xl">Diffodd yr ap dilysu</h1>' in html
    assert "Ni fyddwn yn gofyn i chi am god o’r ap" in html
    codes = client.get(reverse("mfa_generate_recovery_codes")).content.decode()
    assert '<h1 class="govuk-heading-xl">Creu codau adfer newydd</h1>' in codes
    assert "Bydd y codau sydd gennych nawr yn peidio â gweithio." in codes
    client.post(reverse("mfa_deactivate_totp"))
    assert not team.lead.authenticator_set.filter(type="totp").exists()


OUR_PATHS = (
    "templates/emails/",
    "templates/account/",
    "templates/mfa/",
    "templates/registration/",
    "templates/socialaccount/",
    "surveys/forms/accounts.py",
    "surveys/auth_adapters.py",
    "surveys/services/emails.py",
)


@pytest.mark.parametrize("which", ["--untranslated", "--only-fuzzy"])
def test_every_email_and_account_string_has_a_reviewed_welsh_translation(which):
    """No email or account-page text is left empty or as a fuzzy guess in Welsh."""
    catalogue = Path(settings.BASE_DIR) / "locale/cy/LC_MESSAGES/django.po"
    left = subprocess.run(
        ["msgattrib", which, "--no-wrap", str(catalogue)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    places = [line for line in left.splitlines() if line.startswith("#: ")]
    assert [p for p in places if any(path in p for path in OUR_PATHS)] == []
