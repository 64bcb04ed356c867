"""Every model has a working admin list and change page for support staff."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

from surveys.models import Answer, Eligibility, Invitation, Item, Response
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(user)
    return client


def test_every_model_has_an_admin_list_page(staff_client, survey_setup):
    Eligibility.objects.create(
        survey=survey_setup.survey, organisation=survey_setup.home, eligible=12
    )
    models = [m for m in admin.site._registry if m._meta.app_label == "surveys"]
    assert set(models) == set(apps.get_app_config("surveys").get_models())
    for model in models:
        url = reverse(f"admin:surveys_{model._meta.model_name}_changelist")
        assert staff_client.get(url).status_code == 200, url


def test_the_people_asked_are_listed_but_not_added_in_the_admin(
    staff_client, survey_setup
):
    """Leads record the number on the round page, which audits it; staff can only look."""
    record = Eligibility.objects.create(
        survey=survey_setup.survey, organisation=survey_setup.home, eligible=12
    )
    listing = staff_client.get(reverse("admin:surveys_eligibility_changelist"))
    assert listing.status_code == 200
    html = listing.content.decode()
    assert survey_setup.home.name in html
    assert ">12<" in html
    change = reverse("admin:surveys_eligibility_change", args=[record.pk])
    assert staff_client.get(change).status_code == 200
    add = reverse("admin:surveys_eligibility_add")
    assert staff_client.get(add).status_code == 403


def test_admin_never_shows_link_tokens(staff_client, survey_setup, client):
    from tests.surveys.test_respondent import answer_all, start

    response = start(client, survey_setup.personal_link)
    answer_all(client, response)
    invitation = survey_setup.personal_link
    pages = [
        reverse("admin:surveys_invitation_change", args=[invitation.pk]),
        reverse("admin:surveys_response_change", args=[response.pk]),
        reverse("admin:surveys_answer_changelist"),
    ]
    staff_client.force_login(UserFactory(is_staff=True, is_superuser=True))
    for url in pages:
        html = staff_client.get(url).content.decode()
        assert invitation.token not in html
        assert Response.objects.get(pk=response.pk).resume_token not in html
    assert Answer.objects.filter(response=response).exists()
    assert Invitation.objects.count() == 2


def test_admin_names_an_items_sources_by_title(staff_client, instrument):
    item = Item.objects.get(dimension__instrument=instrument, code="SP2")
    page = staff_client.get(reverse("admin:surveys_item_change", args=[item.pk]))
    assert "Survey of council chief executives, chapter 5" in page.content.decode()
    dimension = item.dimension
    page = staff_client.get(
        reverse("admin:surveys_dimension_change", args=[dimension.pk])
    )
    assert "RSA blog" in page.content.decode()
