"""A tenant cannot make the service's own emails speak for them.

Anyone can sign up as a lead, name a partnership anything and invite any address. Names are
shown in emails as quoted data on labelled lines, the subject is the service's fixed wording,
and web addresses inside names never become links.
"""

import re
import unicodedata

import pytest
from django.conf import settings
from django.core import mail
from django.tasks import TaskBackendHandler
from django.urls import reverse
from hypothesis import example, given
from hypothesis import strategies as st

from surveys.models import Invitation, Partnership, PartnershipMember
from surveys.services.emails import (
    INVITATION_SUBJECT,
    MEMBER_INVITED_SUBJECT,
    quoted_message,
    quoted_name,
)
from surveys.services.invitations import send_invitations
from surveys.tenancy import create_partnership_permission
from tests.factories import (
    InstrumentFactory,
    MembershipFactory,
    OrganisationFactory,
    SurveyFactory,
)

pytestmark = pytest.mark.django_db

PHISHING = (
    "URGENT: your NHS mailbox expires today \u2013 re-verify at "
    "https://evil.example/login?u=1 or www.evil.example"
)
IMMEDIATE = {
    "default": {
        "BACKEND": "django.tasks.backends.immediate.ImmediateBackend",
        "QUEUES": ["default"],
    }
}


@pytest.fixture(autouse=True)
def _immediate_tasks(monkeypatch) -> None:
    monkeypatch.setattr("django.tasks.task_backends", TaskBackendHandler(IMMEDIATE))


def assert_inert(message) -> None:
    """No link to the attacker's site in either part, and nothing of theirs in the subject."""
    html = message.alternatives[0][0]
    for part in (message.body, html):
        assert "evil.example" not in part
        assert "https://evil" not in part
    assert "evil" not in message.subject.lower()
    hrefs = re.findall(r'href="([^"]+)"', html)
    assert hrefs
    assert all(href.startswith(settings.SITE_URL + "/") for href in hrefs)


def test_a_partnership_named_as_a_phishing_lure_sends_a_fixed_subject_and_quoted_name(
    client, django_capture_on_commit_callbacks
):
    lead = MembershipFactory(partnership__name="Harmless").user
    lead.user_permissions.add(create_partnership_permission())  # surveys.tenancy
    client.force_login(lead)
    created = client.post(
        reverse("surveys:partnership_create"), {"name": PHISHING, "kind": "place"}
    )
    assert created.status_code == 302
    partnership = Partnership.objects.get(name=PHISHING)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse(
                "surveys:member_invite", kwargs={"public_id": partnership.public_id}
            ),
            {
                "email": "victim@nhs.example",
                "first_name": "Sam",
                "last_name": "Okafor",
                "role": "consultant",
            },
        )
    [message] = mail.outbox
    assert message.subject == MEMBER_INVITED_SUBJECT
    assert (
        'Partnership: "URGENT: your NHS mailbox expires today \u2013 re-verify at '
        'https[:]//evil[.]example/login?u=1 or www[.]evil[.]example"'
    ) in message.body
    assert "not a message from the service" in message.body
    assert_inert(message)


def test_survey_invitations_quote_every_typed_name(django_capture_on_commit_callbacks):
    organisation = OrganisationFactory(name="Reset your password at evil.example now")
    survey = SurveyFactory(partnership__name=PHISHING, instrument=InstrumentFactory())
    PartnershipMember.objects.add(
        partnership=survey.partnership, organisations=[organisation]
    )
    Invitation.objects.create(
        survey=survey,
        organisation=organisation,
        kind=Invitation.Kind.PERSONAL,
        email="victim@nhs.example",
    )
    lead = MembershipFactory(
        partnership=survey.partnership,
        user__first_name="IT Service Desk \u202egnp.exe",
        user__last_name="(call 0800 evil.example)",
    ).user
    with django_capture_on_commit_callbacks(execute=True):
        send_invitations(survey=survey, actor=lead)
    [message] = mail.outbox
    assert message.subject == INVITATION_SUBJECT
    assert (
        'Your organisation: "Reset your password at evil[.]example now"' in message.body
    )
    assert "\u202e" not in message.body  # no right-to-left override
    assert 'Asked by: "IT Service Desk gnp[.]exe (call 0800 evil[.]example)"' in (
        message.body
    )
    assert_inert(message)


def as_a_mail_client_may_read(text: str) -> str:
    """Fold look-alikes the way clients and IDNA may: full-width and ideographic stops."""
    folded = unicodedata.normalize("NFKC", text)
    return folded.translate({0x3002: ".", 0xFF61: ".", 0xA789: ":"})


@example("evil\u3002example")  # ideographic full stop
@example("evil\uff0eexample")  # full-width full stop
@example("evil\u2024example")  # one dot leader
@example("https\uff1a//evil\uff0eexample")  # full-width colon
@example("call 10.0.0.1 or 192.168.1.10:8080 now")  # bare addresses
@given(st.text(max_size=120))
def test_no_typed_name_keeps_a_clickable_address(name):
    """Whatever is typed, what reaches the email has no scheme, www., dotted domain or
    bare IP address left, look-alike dots and colons included."""
    for shown in (quoted_name(name), quoted_message(name)):
        read = as_a_mail_client_may_read(shown)
        assert not re.search(r"(?i)\b[a-z][a-z0-9+.-]+://", read)
        assert not re.search(r"(?i)\bwww\.", read)
        assert not re.search(r"\b[\w-]+\.[^\W\d_][\w-]*", read)
        assert not re.search(r"\b\d{1,3}(?:\.\d{1,3}){3}\b", read)
    assert "\n" not in quoted_name(name)
