"""Every page links the privacy notice and the accessibility statement; both come from settings."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

CONTROLLER = "Riverton Integrated Care Board"


@pytest.fixture
def deployment(settings):
    settings.PRIVACY_CONTROLLER = CONTROLLER
    settings.PRIVACY_CONTROLLER_ADDRESS = "2 Quay Street, Riverton"
    settings.SERVICE_OPERATOR = CONTROLLER
    settings.SERVICE_CONTACT_EMAIL = "partnerships@riverton-icb.example.org"
    settings.SERVICE_CONTACT_PHONE = "0113 496 0000"
    settings.PRIVACY_DPO_NAME = "Sam Okafor"
    settings.PRIVACY_DPO_EMAIL = "dpo@riverton-icb.example.org"
    settings.PERSONAL_DATA_RETENTION_DAYS = 45
    return settings


def test_every_page_footer_links_the_privacy_notice_and_the_accessibility_statement(
    client, survey_setup
):
    for url in (
        reverse("home"),
        reverse("login"),
        reverse("surveys:respondent_start", args=[survey_setup.org_link.token]),
    ):
        html = client.get(url).content.decode()
        assert f'href="{reverse("privacy")}"' in html, url
        assert f'href="{reverse("accessibility")}"' in html, url


def test_the_privacy_notice_names_the_controller_the_dpo_the_basis_the_retention_and_the_ico(
    client, deployment
):
    html = client.get(reverse("privacy")).content.decode()
    assert CONTROLLER in html
    assert "2 Quay Street, Riverton" in html
    assert "Sam Okafor" in html
    assert "dpo@riverton-icb.example.org" in html
    assert "Article 6(1)(e)" in html
    assert "deleted 45 days after a round closes" in html
    assert "https://ico.org.uk/make-a-complaint/" in html


def test_every_survey_start_page_carries_the_privacy_summary(
    client, deployment, survey_setup
):
    url = reverse("surveys:respondent_start", args=[survey_setup.org_link.token])
    html = client.get(url).content.decode()
    assert "data-privacy-summary" in html
    assert CONTROLLER in html
    assert "deleted 45 days after the survey closes" in html
    assert "Information Commissioner" in html


def test_a_start_page_without_a_controller_says_to_ask_before_answering(
    client, settings, survey_setup
):
    settings.PRIVACY_CONTROLLER = ""
    url = reverse("surveys:respondent_start", args=[survey_setup.org_link.token])
    html = client.get(url).content.decode()
    assert "ask the person who sent you this link before you answer" in html


def test_the_accessibility_statement_follows_the_gov_uk_sample(client, deployment):
    html = client.get(reverse("accessibility")).content.decode()
    assert f"run by {CONTROLLER}" in html
    assert "partnerships@riverton-icb.example.org" in html
    assert "0113 496 0000" in html
    assert "partially compliant" in html  # known issues are listed
    assert "Non-accessible content" in html
    assert "Equality Advisory and Support Service" in html  # the enforcement procedure
    assert "Accessibility Regulations 2018" in html
    assert "prepared on 1 December 2026" in html
