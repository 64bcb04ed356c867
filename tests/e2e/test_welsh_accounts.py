"""Welsh in headless Chromium: the account pages in Welsh (signing in, with its errors, and
setting up an authenticator app), and a lead choosing invitees' language; each page checked
with axe and kept as screenshots."""

import time

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.conf import settings
from playwright.sync_api import Page, expect

from surveys.models import Invitation, Membership, Survey
from tests.e2e.conftest import screenshots
from tests.factories import (
    InstrumentFactory,
    MembershipFactory,
    OrganisationFactory,
    PartnershipFactory,
    SurveyFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "correct-horse-battery"


def test_a_lead_signs_in_and_sets_up_an_authenticator_app_in_welsh(
    page: Page, live_server, check_page
):
    lead = UserFactory(username="gwenllian")
    MembershipFactory(user=lead)
    # The language a visitor chose with the switcher (or their browser's, without one).
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": "cy", "url": live_server.url}]
    )
    page.goto(live_server.url + "/accounts/login/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mewngofnodi")
    screenshots(page, check_page, "cy-01-sign-in")

    page.get_by_role("button", name="Mewngofnodi").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Mae problem wedi codi"
    )
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Rhowch eich enw defnyddiwr neu eich cyfeiriad e-bost"
    )
    screenshots(page, check_page, "cy-02-sign-in-errors")

    page.get_by_label("Enw defnyddiwr neu gyfeiriad e-bost").fill("gwenllian")
    page.get_by_label("Cyfrinair").fill("not the password")
    page.get_by_role("button", name="Mewngofnodi").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Rhowch enw defnyddiwr a chyfrinair cywir."
    )
    page.get_by_label("Cyfrinair").fill(PASSWORD)
    page.get_by_role("button", name="Mewngofnodi").click()

    page.goto(live_server.url + "/accounts/2fa/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Dilysu dau ffactor")
    screenshots(page, check_page, "cy-03-mfa-index")
    page.get_by_role("button", name="Gosod ap dilysu").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Cadarnhau eich cyfrinair"
    )
    check_page(page, "cy-04-confirm-password")
    page.get_by_label("Cyfrinair").fill(PASSWORD)
    page.get_by_role("button", name="Cadarnhau").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Gosod ap dilysu")
    screenshots(page, check_page, "cy-05-mfa-set-up")

    page.get_by_label("Cod dilysu").fill("12")
    page.get_by_role("button", name="Troi’r ap dilysu ymlaen").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Cod anghywir.")
    screenshots(page, check_page, "cy-06-mfa-set-up-error")

    page.get_by_text("Ni allaf sganio’r cod QR").click()
    secret = page.locator("#authenticator_secret").inner_text().strip()
    code = format_hotp_value(hotp_value(secret, int(time.time()) // 30))
    page.get_by_label("Cod dilysu").fill(code)
    page.get_by_role("button", name="Troi’r ap dilysu ymlaen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Eich codau adfer")
    check_page(page, "cy-07-recovery-codes")
    assert lead.authenticator_set.filter(type="totp").exists()


def test_a_lead_imports_welsh_invitees_and_changes_one_invitees_language(
    page: Page, live_server, check_page
):
    council = OrganisationFactory(name="Cyngor Sir Ynys Môn", short_name="CSYM")
    partnership = PartnershipFactory(members=[council])
    lead = MembershipFactory(
        partnership=partnership, role=Membership.Role.LEAD, user__username="gwenllian"
    ).user
    survey = SurveyFactory(
        partnership=partnership,
        instrument=InstrumentFactory(),
        status=Survey.Status.OPEN,
    )
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Username or email address").fill(lead.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    base = f"{live_server.url}/partnerships/{partnership.public_id}/rounds/{survey.public_id}"

    page.goto(f"{base}/invitations/import/")
    page.get_by_label("Paste the list").fill(
        "email,organisation,role,language\n"
        "sian@ynysmon.example,CSYM,,Cymraeg\n"
        "owen@ynysmon.example,CSYM,,Gaeilge\n"
    )
    page.get_by_role("button", name="Check and import").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Line 3: ‘Gaeilge’ is not a language we can email in"
    )
    screenshots(page, check_page, "cy-08-import-bad-language")
    page.get_by_label("Paste the list").fill(
        "sian@ynysmon.example,CSYM,,Cymraeg\nowen@ynysmon.example,CSYM\n"
    )
    page.get_by_label("Cymraeg").check()
    page.get_by_role("button", name="Check and import").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "2 people added."
    )
    invitations = Invitation.objects.filter(survey=survey, kind="personal")
    assert sorted(invitations.values_list("language", flat=True)) == ["cy", "cy"]

    page.goto(f"{base}/invitees/")
    screenshots(page, check_page, "cy-09-invitee-list")
    page.get_by_role(
        "link", name="Language of the emails to owen@ynysmon.example"
    ).click()
    page.get_by_label("English").check()
    screenshots(page, check_page, "cy-10-invitee-language")
    page.get_by_role("button", name="Change language").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Emails to owen@ynysmon.example will be in English."
    )
    assert invitations.get(email="owen@ynysmon.example").language == "en-gb"
