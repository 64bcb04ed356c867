"""A lead finds an invitee in headless Chromium, corrects their address and reminds the rest."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.tasks import TaskBackendHandler
from django.utils import timezone
from playwright.sync_api import Page, expect

from surveys.models import Invitation, Membership
from tests.e2e.conftest import SCREENSHOTS
from tests.e2e.test_lead_journey import PASSWORD
from tests.factories import (
    InstrumentFactory,
    InvitationFactory,
    MembershipFactory,
    OrganisationFactory,
    PartnershipFactory,
    ResponseFactory,
    SurveyFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _immediate_tasks(monkeypatch) -> None:
    """Send emails in the live server's thread (see tests/e2e/test_lead_journey.py)."""
    monkeypatch.setattr(
        "django.tasks.task_backends",
        TaskBackendHandler(
            {
                "default": {
                    "BACKEND": "django.tasks.backends.immediate.ImmediateBackend",
                    "QUEUES": ["default"],
                }
            }
        ),
    )


def a_round_with_invitees():
    hospital = OrganisationFactory(
        name="Northshire Hospitals NHS Foundation Trust", short_name="NHFT"
    )
    council = OrganisationFactory(name="Northshire County Council", short_name="NCC")
    partnership = PartnershipFactory(
        name="Northshire Place Partnership", members=[hospital, council]
    )
    survey = SurveyFactory(
        partnership=partnership, instrument=InstrumentFactory(), title="Autumn round"
    )
    lead = UserFactory(username="priya", first_name="Priya", last_name="Shah")
    lead.set_password(PASSWORD)
    lead.save()
    MembershipFactory(partnership=partnership, user=lead, role=Membership.Role.LEAD)
    sent = timezone.now() - timedelta(days=3)
    for n, name in enumerate(
        ["amara.okafor", "ben.hughes", "chloe.patel", "dev.singh"]
    ):
        InvitationFactory(
            survey=survey,
            organisation=hospital,
            email=f"{name}@nhft.nhs.example",
            role="executive",
            sent_at=sent if n else None,
            reminded_at=sent + timedelta(days=1) if n == 3 else None,
        )
    for name in ["ella.jones", "finn.murphy", "grace.lee"]:
        invitation = InvitationFactory(
            survey=survey,
            organisation=council,
            email=f"{name}@northshire.gov.example",
            role="board_member",
            sent_at=sent,
        )
        if name == "ella.jones":
            ResponseFactory(invitation=invitation, submitted_at=timezone.now())
        if name == "finn.murphy":
            ResponseFactory(invitation=invitation)
    InvitationFactory(
        survey=survey,
        organisation=council,
        email="henry.wood@northshire.gvo.example",  # mistyped
        role="non_executive",
        sent_at=sent,
        bounced_at=sent,
    )
    return survey


def test_the_lead_corrects_a_mistyped_address_from_the_invitee_list(
    page: Page, live_server, check_page
):
    survey = a_round_with_invitees()
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Username or email address").fill("priya")
    page.get_by_label("Password").fill(PASSWORD)
    page.locator("button[name=sign_in]").click()
    page.goto(live_server.url + survey.get_absolute_url())
    check_page(page, "invitees-00-round")
    page.get_by_role("link", name="Add your own message").click()
    page.get_by_label("Your message to invitees").fill(
        "Our board discusses the results on 12 March: see https://intranet.example"
    )
    page.get_by_role("button", name="Preview").click()
    expect(page.locator("#preview-invitation")).to_contain_text(
        "> Our board discusses the results on 12 March: see https[:]//intranet[.]example"
    )
    check_page(page, "invitees-04-message-preview")
    page.get_by_role("button", name="Save message").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Message saved"
    )
    page.get_by_role("link", name="See invitees").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Invitees")
    expect(page.locator("#invitees tbody tr")).to_have_count(8)
    check_page(page, "invitees-01-list")
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=SCREENSHOTS / "invitees-01-list-390.png", full_page=True)
    wide = page.evaluate(
        """() => [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > 391)
            .map(e => e.tagName + '.' + e.className).slice(0, 5)"""
    )
    assert wide == []  # a phone never scrolls sideways
    page.set_viewport_size({"width": 1280, "height": 900})

    page.get_by_label("Status").select_option(label="Could not be delivered")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#invitee-count")).to_have_text(
        "1 invitee matches your search."
    )
    page.get_by_role("link", name=re.compile("Correct the address henry")).click()
    page.get_by_label("Correct email address").fill("henry.wood@northshire.gov.example")
    check_page(page, "invitees-02-correct")
    page.get_by_role("button", name="Correct address and cut the old link").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "The old link no longer works"
    )
    [message] = mail.outbox
    assert message.to == ["henry.wood@northshire.gov.example"]
    assert "> Our board discusses the results on 12 March" in message.body
    assert not Invitation.objects.filter(email__contains="gvo").exists()

    page.goto(live_server.url + survey.get_absolute_url())
    page.get_by_role("link", name="Send reminders").click()
    expect(page.locator("#reminder-rule")).to_contain_text(
        "except people reminded in the last 24 hours"
    )
    check_page(page, "invitees-03-reminders")
    page.get_by_role("button", name="Send 6 reminders").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Reminders are being sent to 6 people. Not reminded: 1 person: submitted"
    )
