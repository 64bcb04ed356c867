"""The database itself enforces the data model's invariants."""

import pytest
from django.db import IntegrityError, transaction

from surveys.models import (
    PERSONAL_START_KEY,
    Answer,
    Item,
    Organisation,
    PartnershipMember,
    ProfileAnswer,
    Response,
    Survey,
)
from tests.factories import OrganisationFactory, PartnershipFactory, SurveyFactory

pytestmark = pytest.mark.django_db


def _response(setup, invitation=None, key=PERSONAL_START_KEY) -> Response:
    invitation = invitation or setup.personal_link
    return Response.objects.create(
        survey=setup.survey,
        organisation=setup.home,
        invitation=invitation,
        start_key=key,
    )


def _likert_item(setup) -> Item:
    return Item.objects.filter(
        dimension__instrument=setup.survey.instrument,
        response_format=Item.Format.LIKERT,
        block="self",
    ).first()


@pytest.mark.parametrize("value", [0, 6, -1])
def test_answer_outside_the_scale_is_rejected(survey_setup, value):
    response = _response(survey_setup)
    with pytest.raises(IntegrityError), transaction.atomic():
        Answer.objects.create(
            response=response, item=_likert_item(survey_setup), value=value
        )


def test_dont_know_is_stored_as_null(survey_setup):
    response = _response(survey_setup)
    answer = Answer.objects.create(
        response=response, item=_likert_item(survey_setup), value=None
    )
    assert Answer.objects.get(pk=answer.pk).value is None


def test_an_item_is_answered_once_per_response(survey_setup):
    response = _response(survey_setup)
    item = _likert_item(survey_setup)
    Answer.objects.create(response=response, item=item, value=3)
    with pytest.raises(IntegrityError), transaction.atomic():
        Answer.objects.create(response=response, item=item, value=4)


def test_a_partner_item_is_answered_once_per_partner(survey_setup):
    response = _response(survey_setup)
    item = Item.objects.filter(block="partner", response_format="likert").first()
    nh, nva = survey_setup.partners
    Answer.objects.create(
        response=response, item=item, subject_organisation=nh, value=3
    )
    Answer.objects.create(
        response=response, item=item, subject_organisation=nva, value=3
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Answer.objects.create(
            response=response, item=item, subject_organisation=nh, value=5
        )


def test_a_personal_link_has_at_most_one_response(survey_setup):
    _response(survey_setup)
    with pytest.raises(IntegrityError), transaction.atomic():
        _response(survey_setup)


def test_an_organisation_link_has_many_responses(survey_setup):
    _response(survey_setup, survey_setup.org_link, key="visitor-one-aaaaaaaaaaaaaaaa")
    _response(survey_setup, survey_setup.org_link, key="visitor-two-aaaaaaaaaaaaaaaa")
    assert survey_setup.org_link.responses.count() == 2


@pytest.mark.parametrize("points", [101, -5])
def test_profile_points_stay_between_0_and_100(survey_setup, points):
    response = _response(survey_setup)
    item = Item.objects.filter(response_format=Item.Format.POINTS).first()
    with pytest.raises((IntegrityError, ValueError)), transaction.atomic():
        ProfileAnswer.objects.create(response=response, item=item, points=points)


def test_anonymity_threshold_cannot_go_below_3(instrument):
    with pytest.raises(IntegrityError), transaction.atomic():
        SurveyFactory(instrument=instrument, anonymity_threshold=2)


def test_a_survey_closes_after_it_opens(instrument):
    from django.utils import timezone

    now = timezone.now()
    with pytest.raises(IntegrityError), transaction.atomic():
        SurveyFactory(instrument=instrument, opens_at=now, closes_at=now)


def test_new_surveys_default_to_draft_with_threshold_5(instrument):
    survey = Survey.objects.create(
        partnership=SurveyFactory(instrument=instrument).partnership,
        instrument=instrument,
        title="Next",
    )
    assert (survey.status, survey.anonymity_threshold) == ("draft", 5)


def test_one_partnership_holds_no_two_members_of_the_same_name_or_short_name():
    first = OrganisationFactory(name="Westshire Borough Council", short_name="WBC")
    partnership = PartnershipFactory(members=[first])
    same_name = OrganisationFactory(name="WESTSHIRE BOROUGH COUNCIL", short_name="X")
    same_short = OrganisationFactory(
        name="Westshire Building Control", short_name="wbc"
    )
    for duplicate in (same_name, same_short):
        with pytest.raises(IntegrityError), transaction.atomic():
            PartnershipMember.objects.add(
                partnership=partnership, organisations=[duplicate]
            )
    # Another partnership (another tenant, perhaps) may use the same names.
    PartnershipFactory(members=[same_name])
    PartnershipFactory(members=[same_short])


def test_a_member_row_must_carry_the_organisations_names():
    partnership = PartnershipFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        partnership.members.add(OrganisationFactory())  # no copied names


def test_renaming_an_organisation_reaches_its_member_rows_and_cannot_clash():
    wbc, other = (
        OrganisationFactory(short_name="WBC"),
        OrganisationFactory(short_name="OT"),
    )
    partnership = PartnershipFactory(members=[wbc, other])
    Organisation.objects.filter(pk=wbc.pk).update(short_name="WBC1")
    assert PartnershipMember.objects.get(organisation=wbc).short_name == "WBC1"
    with pytest.raises(IntegrityError), transaction.atomic():
        Organisation.objects.filter(pk=other.pk).update(short_name="wbc1")
    assert partnership.members.count() == 2


def test_links_carry_256_bit_tokens(survey_setup):
    tokens = {survey_setup.org_link.token, survey_setup.personal_link.token}
    assert len(tokens) == 2
    assert all(len(token) >= 43 for token in tokens)  # 32 random bytes, base64url
