"""An ICS lead runs a survey round in headless Chromium, from sign-in to the first response."""

import re
from io import StringIO

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.tasks import TaskBackendHandler
from django.utils import timezone
from playwright.sync_api import Page, expect

from surveys.models import Invitation, Membership, Partnership, Survey
from surveys.services.demo import DEMO_PARTNERSHIP_NAME, DEMO_PASSWORD
from surveys.services.partnerships import invite_member
from tests.e2e.conftest import screenshots
from tests.e2e.test_respondent_journey import fill_page
from tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    PartnershipFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "correct-horse-battery"


@pytest.fixture(autouse=True)
def _immediate_tasks(monkeypatch) -> None:
    """Run background tasks in the live server's thread, straight after each commit.

    The root conftest.py's TASKS_BACKEND comes too late for settings (pytest-django has
    read them already), so swap in an immediate backend here; the locmem outbox is shared
    by the test and the live server because they run in one process.
    """
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


def sign_in(page: Page, base: str, username: str, check_page=None) -> None:
    page.goto(base + "/")
    page.get_by_role("link", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    page.get_by_label("Username or email address").fill(username)
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter a correct username and password"
    )
    if check_page:
        check_page(page, "lead-01-sign-in-error")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def add_organisation(page: Page, name: str, short_name: str, sector: str) -> None:
    page.get_by_label("Full name").fill(name)
    page.get_by_label("Short name").fill(short_name)
    page.get_by_label("Sector").select_option(label=sector)
    page.get_by_role("button", name="Create and add organisation").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        f"{name} added."
    )


def test_a_lead_runs_a_round_from_sign_in_to_the_first_response(
    page: Page, browser, live_server, instrument, check_page
):
    console_errors: list[str] = []
    page.on(
        "console",
        lambda m: console_errors.append(m.text) if m.type == "error" else None,
    )
    base = live_server.url
    priya = UserFactory(
        username="priya",
        first_name="Priya",
        last_name="Shah",
        password=PASSWORD,
        can_create_partnerships=True,
    )
    voluntary_action = OrganisationFactory(
        name="Northshire Voluntary Action", short_name="NVA"
    )

    # Sign in through the login page (a wrong password first).
    sign_in(page, base, "priya", check_page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Your partnerships")
    expect(page.get_by_text("You do not have any partnerships yet")).to_be_visible()
    check_page(page, "lead-02-no-partnerships")

    # Create a partnership with two organisations.
    page.get_by_role("link", name="Create a partnership").click()
    page.get_by_role("button", name="Create partnership").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    check_page(page, "lead-03-create-partnership-errors")
    page.get_by_label("Partnership name").fill("Northshire Place Partnership")
    page.get_by_label("Place partnership").check()
    page.get_by_role("button", name="Create partnership").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add organisations")
    check_page(page, "lead-04-add-organisations")
    add_organisation(
        page, "Northshire Hospitals NHS Foundation Trust", "NHFT", "NHS acute trust"
    )
    add_organisation(page, "Northshire County Council", "NCC", "Local authority")
    check_page(page, "lead-05-organisations-added")
    page.get_by_role("link", name="Done").click()
    partnership = Partnership.objects.get(name="Northshire Place Partnership")
    assert partnership.members.count() == 2
    expect(page.get_by_role("heading", level=1)).to_have_text(partnership.name)

    # Open a round.
    page.get_by_role("link", name="Start a new round").click()
    check_page(page, "lead-07-new-round")
    page.get_by_label("Round title").fill("Collaboration readiness, spring 2027")
    closes = page.get_by_role("group", name="Closing date")
    closes.get_by_label("Day").fill("30")
    closes.get_by_label("Month").fill("4")
    closes.get_by_label("Year").fill(str(timezone.localdate().year + 1))
    page.get_by_role("button", name="Create round").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("spring 2027")
    check_page(page, "lead-08-round-draft")
    page.get_by_role("button", name="Open round").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "is open"
    )
    survey = Survey.objects.get(partnership=partnership)
    assert survey.status == Survey.Status.OPEN

    # Import two invitees by pasting (a bad list first: nothing is imported).
    page.get_by_role("link", name="Add people from a list").click()
    text = page.get_by_label("Paste the list")
    text.fill("ceo@nhft.example,NHFT,Chief executive\nleader@ncc,NCC,Council leader\n")
    page.get_by_role("button", name="Check and import").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Line 2: ‘leader@ncc’ is not a valid email address"
    )
    check_page(page, "lead-09-import-errors")
    assert not Invitation.objects.filter(kind="personal").exists()
    text.fill(
        "email,organisation,role\n"
        "ceo@nhft.example,NHFT,Executive\n"
        "leader@ncc.example,Northshire County Council,Board member\n"
    )
    page.get_by_role("button", name="Check and import").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "2 people added."
    )

    # Send the invitations: the task runs straight after the commit.
    page.get_by_role("button", name="Send invitations (2)").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Invitations are being sent to 2 people."
    )
    assert sorted(m.to[0] for m in mail.outbox) == [
        "ceo@nhft.example",
        "leader@ncc.example",
    ]
    check_page(page, "lead-10-round-open")

    # The invitee follows the emailed link and submits a full response.
    message = next(m for m in mail.outbox if m.to == ["ceo@nhft.example"])
    assert 'Partnership: "Northshire Place Partnership"' in message.body
    assert 'Asked by: "Priya Shah"' in message.body
    link = re.search(re.escape(settings.SITE_URL) + r"(/s/\S+/)", message.body)
    respondent = browser.new_context()
    answering = respondent.new_page()
    answering.goto(base + link.group(1))
    expect(answering.get_by_text("You are answering for")).to_contain_text(
        "Northshire Hospitals NHS Foundation Trust"
    )
    answering.get_by_role("button", name="Start now").click()
    while "check-answers" not in answering.url:
        fill_page(answering)
        answering.get_by_role(
            "button", name=re.compile("Save and continue|Check your answers")
        ).click()
    answering.get_by_role("button", name="Submit your answers").click()
    expect(answering.locator(".govuk-panel__title")).to_have_text("Answers submitted")
    respondent.close()

    # The round page now shows one submitted response.
    page.reload()
    expect(page.locator("#submitted-total")).to_have_text("1")
    row = page.locator("#organisation-progress tr", has_text="Northshire Hospitals")
    # Personal links, people asked, started, submitted, response rate.
    expect(row.locator("td").nth(3)).to_have_text("1")
    expect(row.locator("td").nth(4)).to_have_text("100%")
    expect(page.locator(".app-timeline")).to_contain_text(
        "Sent invitations to 2 people"
    )
    check_page(page, "lead-11-round-one-submitted")

    # The remaining management pages, for screenshots and axe.
    page.get_by_role(
        "link", name=re.compile("Replace link for Northshire County")
    ).click()
    check_page(page, "lead-12-replace-link")
    page.get_by_role("button", name="Replace link").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "The old link no longer works"
    )
    page.get_by_role("link", name="Change dates").click()
    check_page(page, "lead-13-change-round")
    page.go_back()
    page.get_by_role("link", name="Close round").click()
    check_page(page, "lead-14-close-round")
    page.get_by_role("link", name="Cancel").click()
    page.get_by_role("link", name=partnership.name).first.click()
    expect(page.locator(".app-timeline")).to_contain_text("Opened the round")
    check_page(page, "lead-06-partnership")
    page.get_by_role("link", name="Manage the team").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Team")
    check_page(page, "lead-15-team")
    page.get_by_role("link", name="Invite a colleague").click()
    page.get_by_role("button", name="Send invitation").click()
    check_page(page, "lead-15-invite-colleague-errors")
    page.get_by_role("link", name="Cancel").click()
    # An organisation of another partnership Priya leads joins, then leaves again.
    MembershipFactory(
        user=priya,
        role=Membership.Role.LEAD,
        partnership=PartnershipFactory(
            name="Northshire Voluntary Sector Forum", members=[voluntary_action]
        ),
    )
    page.get_by_role("link", name="Add organisations").click()
    page.get_by_label("Organisation", exact=True).select_option(
        label="Northshire Voluntary Action"
    )
    page.get_by_role("button", name="Add organisation", exact=True).click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Northshire Voluntary Action added."
    )
    page.get_by_role("link", name="Done").click()
    page.get_by_role("link", name="Remove Northshire Voluntary Action").click()
    check_page(page, "lead-16-remove-organisation")
    page.get_by_role("button", name="Remove organisation").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Northshire Voluntary Action removed."
    )
    assert partnership.members.count() == 2
    page.get_by_role("link", name="Partnerships", exact=True).first.click()
    check_page(page, "lead-17-partnerships")
    assert console_errors == []

    # Signing out returns to the home page.
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()


def test_readers_and_the_password_pages(page: Page, live_server, check_page):
    base = live_server.url
    page.goto(base + "/accounts/password-reset/")
    check_page(page, "lead-18-password-reset")
    consultant = MembershipFactory(
        role=Membership.Role.CONSULTANT,
        user=UserFactory(username="casey", first_name="Casey", last_name="Jones"),
        partnership__name="Northshire Place Partnership",
        partnership__members=[OrganisationFactory(name="Northshire County Council")],
    )
    sign_in(page, base, "casey")
    expect(page.get_by_role("cell", name="Consultant")).to_be_visible()
    page.get_by_role("link", name="Northshire Place Partnership").click()
    expect(page.get_by_text("You can read this partnership’s rounds")).to_be_visible()
    check_page(page, "lead-19-partnership-as-consultant")
    assert consultant.partnership.memberships.count() == 1


def test_the_demo_partnership_as_its_lead(page: Page, live_server, check_page):
    call_command(
        "seed_demo",
        organisations=8,
        respondents=10,
        seed=5,
        stdout=StringIO(),
    )
    survey = Survey.objects.get(status=Survey.Status.OPEN)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username or email address").fill("lead")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name=DEMO_PARTNERSHIP_NAME).click()
    check_page(page, "lead-20-demo-partnership")
    page.get_by_role("link", name=survey.title, exact=True).click()
    expect(page.locator("#organisation-progress tbody tr")).to_have_count(8)
    check_page(page, "lead-21-demo-round")


def test_the_management_pages_work_without_javascript(browser, live_server, instrument):
    UserFactory(username="priya", password=PASSWORD, can_create_partnerships=True)
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username or email address").fill("priya")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Create a partnership").click()
    page.get_by_label("Partnership name").fill("Westshire Partnership")
    page.get_by_role("button", name="Create partnership").click()
    add_organisation(page, "Westshire Council", "WC", "Local authority")
    page.get_by_role("link", name="Done").click()
    page.get_by_role("link", name="Start a new round").click()
    page.get_by_label("Round title").fill("First round")
    page.get_by_role("button", name="Create round").click()
    page.get_by_role("button", name="Open round").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "‘First round’ is open."
    )
    assert Survey.objects.get(title="First round").status == Survey.Status.OPEN
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()
    context.close()


def test_an_existing_account_is_invited_to_a_team_and_accepts(
    page: Page, browser, live_server, check_page
):
    base = live_server.url
    casey = MembershipFactory(
        role=Membership.Role.CONSULTANT,
        user=UserFactory(username="casey", first_name="Casey", last_name="Jones"),
        partnership__name="Westshire Place Partnership",
    ).user
    lead = MembershipFactory(
        role=Membership.Role.LEAD,
        user=UserFactory(username="eli", first_name="Eli", last_name="East"),
        partnership__name="Eastshire Provider Collaborative",
    )
    invite_member(
        partnership=lead.partnership,
        email=casey.email,
        first_name="Casey",
        last_name="J",
        role=Membership.Role.ANALYST,
        actor=lead.user,
    )
    # The lead sees the invitation waiting.
    lead_page = browser.new_page()
    sign_in(lead_page, base, "eli")
    lead_page.goto(f"{base}{lead.partnership.get_absolute_url()}team/")
    expect(lead_page.locator(".govuk-summary-list")).to_contain_text(
        "Invited, not yet accepted"
    )
    screenshots(lead_page, check_page, "team-01-invited-not-accepted")
    lead_page.close()
    # The invited person decides on their partnerships page; until then, no link to it.
    sign_in(page, base, "casey")
    banner = page.locator(".govuk-notification-banner")
    expect(banner).to_contain_text(
        "Invitation to join partnership “Eastshire Provider Collaborative” from “Eli East”"
    )
    expect(
        page.get_by_role("link", name="Eastshire Provider Collaborative")
    ).to_have_count(0)
    screenshots(page, check_page, "team-02-invitation")
    page.get_by_role("button", name="Accept").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        "Eastshire Provider Collaborative"
    )
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "You joined the partnership as Analyst."
    )
    check_page(page, "team-03-accepted")
