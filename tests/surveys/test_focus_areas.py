"""Action planning: who may record focus areas, the two-to-five rule, and where they show."""

import datetime as dt
import io
import re

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.urls import reverse

from reports.analysis import analyse_survey, forget_analyses
from reports.data import previous_round
from surveys.instrument_schema import SEEDS
from surveys.models import (
    Block,
    Dimension,
    FocusArea,
    Membership,
    Organisation,
    Partnership,
    Survey,
)
from surveys.services.focus_areas import FocusAreaError, create_focus_area
from surveys.workshop_prompts import read_prompts
from tests.factories import MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

DUE = dt.date(2027, 3, 31)


def form_data(dimension: Dimension, owner: Organisation, **changes: str) -> dict:
    return {
        "dimension": str(dimension.pk),
        "finding": "Funding and finance is 2.6, the lowest of all.",
        "action": "Run a joint session on how each partner is funded.",
        "owner": str(owner.pk),
        "due_date_0": "31",
        "due_date_1": "3",
        "due_date_2": "2027",
        **changes,
    }


def dimension_of(survey: Survey, key: str = "funding_finance") -> Dimension:
    return Dimension.objects.get(instrument=survey.instrument, key=key)


def add_url(survey: Survey) -> str:
    return reverse(
        "surveys:focus_area_create",
        args=[survey.partnership.public_id, survey.public_id],
    )


def pair_add_url(survey: Survey, a: Organisation, b: Organisation) -> str:
    return reverse(
        "surveys:pair_focus_area_create",
        args=[survey.partnership.public_id, survey.public_id, a.public_id, b.public_id],
    )


def sign_in(client, partnership: Partnership, role: str):
    membership = MembershipFactory(partnership=partnership, role=role)
    client.force_login(membership.user)
    return membership.user


def add(survey: Survey, *, pair=None, key: str = "funding_finance", **kw) -> FocusArea:
    owner = kw.pop("owner", None) or survey.partnership.members.first()
    return create_focus_area(
        survey=survey,
        pair=pair,
        dimension=dimension_of(survey, key),
        finding=kw.pop("finding", "A finding."),
        action=kw.pop("action", "An action."),
        owner=owner,
        due_date=DUE,
        actor=None,
    )


@pytest.fixture
def seeded(db):
    """The demo partnership: a closed baseline round and an open current round."""
    forget_analyses()
    call_command(
        "seed_demo", organisations=4, respondents=8, seed=7, stdout=io.StringIO()
    )
    survey = Survey.objects.get(status=Survey.Status.OPEN)
    return survey, previous_round(survey)


@pytest.mark.parametrize("role", [Membership.Role.LEAD, Membership.Role.CONSULTANT])
def test_leads_and_consultants_add_a_partnership_focus_area(client, survey_setup, role):
    survey = survey_setup.survey
    user = sign_in(client, survey.partnership, role)
    page = client.get(add_url(survey))
    assert page.status_code == 200
    assert "surveys/focus_areas/form.html" in [t.name for t in page.templates]
    response = client.post(
        add_url(survey), form_data(dimension_of(survey), survey_setup.home)
    )
    assert response.status_code == 302
    assert response["Location"] == (
        reverse("reports:survey_overview", args=[survey.public_id]) + "#focus-areas"
    )
    area = FocusArea.objects.get()
    assert (area.survey, area.organisation_a, area.organisation_b) == (
        survey,
        None,
        None,
    )
    assert area.owner == survey_setup.home
    assert area.due_date == DUE
    assert area.created_by == user


def test_a_pair_focus_area_is_shared_by_both_pair_pages(client, survey_setup):
    survey, (a, b) = survey_setup.survey, survey_setup.partners
    sign_in(client, survey.partnership, Membership.Role.CONSULTANT)
    high, low = sorted([a, b], key=lambda o: o.pk, reverse=True)
    response = client.post(
        pair_add_url(survey, high, low), form_data(dimension_of(survey), high)
    )
    assert response.status_code == 302
    assert response["Location"].endswith(
        f"/pairs/{high.public_id}/{low.public_id}/#focus-areas"
    )
    area = FocusArea.objects.get()
    assert (area.organisation_a, area.organisation_b) == (low, high)
    assert list(FocusArea.objects.for_scope(pair=(high, low))) == [area]
    assert list(FocusArea.objects.for_scope(pair=(low.pk, high.pk))) == [area]
    assert not FocusArea.objects.for_scope(pair=None).exists()


def test_an_invalid_focus_area_shows_errors_and_saves_nothing(client, survey_setup):
    survey = survey_setup.survey
    sign_in(client, survey.partnership, Membership.Role.LEAD)
    outsider = OrganisationFactory(name="Elsewhere Council")
    page = client.post(
        add_url(survey),
        form_data(
            dimension_of(survey),
            outsider,
            action="   ",
            due_date_0="31",
            due_date_1="2",
        ),
    )
    assert page.status_code == 200
    html = page.content.decode()
    assert "There is a problem" in html
    assert "Enter what you will do" in html
    assert "Select the organisation that will lead it" in html
    assert not FocusArea.objects.exists()


def test_analysts_read_but_cannot_change_focus_areas(client, survey_setup):
    survey = survey_setup.survey
    area = add(survey)
    sign_in(client, survey.partnership, Membership.Role.ANALYST)
    args = [survey.partnership.public_id, survey.public_id, area.public_id]
    urls = [
        add_url(survey),
        pair_add_url(survey, *survey_setup.partners),
        reverse("surveys:focus_area_edit", args=args),
        reverse("surveys:focus_area_delete", args=args),
    ]
    data = form_data(dimension_of(survey), survey_setup.home)
    for url in urls:
        assert client.get(url).status_code == 403, url
        assert client.post(url, data).status_code == 403, url
    assert FocusArea.objects.get() == area


def test_outsiders_get_404_and_visitors_sign_in(client, survey_setup):
    survey = survey_setup.survey
    area = add(survey)
    args = [survey.partnership.public_id, survey.public_id, area.public_id]
    urls = [
        add_url(survey),
        reverse("surveys:focus_area_edit", args=args),
        reverse("surveys:focus_area_delete", args=args),
    ]
    for url in urls:
        page = client.get(url)
        assert page.status_code == 302
        assert reverse("login") in page["Location"]
    client.force_login(MembershipFactory(role=Membership.Role.LEAD).user)
    for url in urls:
        assert client.get(url).status_code == 404, url
        assert client.post(url, {}).status_code == 404, url
    assert FocusArea.objects.count() == 1


def test_a_page_takes_at_most_five_focus_areas(client, survey_setup):
    survey = survey_setup.survey
    for _ in range(5):
        add(survey)
    with pytest.raises(FocusAreaError, match="already 5"):
        add(survey)
    pair = tuple(survey_setup.partners)
    add(survey, pair=pair)  # a pair has its own five
    sign_in(client, survey.partnership, Membership.Role.CONSULTANT)
    response = client.post(
        add_url(survey), form_data(dimension_of(survey), survey_setup.home), follow=True
    )
    assert "change or delete one before adding another" in response.content.decode()
    assert FocusArea.objects.for_scope(pair=None).count() == 5


def test_focus_areas_can_be_changed_and_deleted(client, survey_setup):
    survey = survey_setup.survey
    area = add(survey)
    sign_in(client, survey.partnership, Membership.Role.CONSULTANT)
    args = [survey.partnership.public_id, survey.public_id, area.public_id]
    edit = reverse("surveys:focus_area_edit", args=args)
    assert "Run a joint" not in client.get(edit).content.decode()
    response = client.post(
        edit,
        form_data(
            dimension_of(survey, "leadership"),
            survey_setup.partners[0],
            action="Pair each chief executive with a partner's.",
        ),
    )
    assert response.status_code == 302
    area.refresh_from_db()
    assert area.dimension.key == "leadership"
    assert area.owner == survey_setup.partners[0]
    assert area.action == "Pair each chief executive with a partner's."
    delete = reverse("surveys:focus_area_delete", args=args)
    assert "Delete this focus area?" in client.get(delete).content.decode()
    assert client.post(delete).status_code == 302
    assert not FocusArea.objects.exists()


def test_the_service_rejects_other_instruments_dimensions_and_outside_owners(
    survey_setup,
):
    survey = survey_setup.survey
    other = Dimension.objects.filter(instrument=survey.instrument).exclude(
        block=Block.SELF
    )[0]
    with pytest.raises(FocusAreaError, match="dimensions"):
        add(survey, key=other.key)
    with pytest.raises(FocusAreaError, match="owner"):
        add(survey, owner=OrganisationFactory(name="Not A Member"))
    a = survey_setup.partners[0]
    with pytest.raises(FocusAreaError, match="two different"):
        add(survey, pair=(a, a))


def test_the_database_allows_a_whole_partnership_or_an_ordered_pair_only(
    survey_setup,
):
    survey = survey_setup.survey
    a, b = sorted(survey_setup.partners, key=lambda o: o.pk)
    base = {
        "survey": survey,
        "dimension": dimension_of(survey),
        "finding": "x",
        "action": "y",
        "owner": a,
        "due_date": DUE,
    }
    for pair in [(a, None), (None, b), (b, a), (a, a)]:
        with pytest.raises(IntegrityError), transaction.atomic():
            FocusArea.objects.create(
                organisation_a=pair[0], organisation_b=pair[1], **base
            )
    with pytest.raises(IntegrityError), transaction.atomic():
        FocusArea.objects.create(**{**base, "action": ""})
    FocusArea.objects.create(organisation_a=a, organisation_b=b, **base)


def test_overview_lists_focus_areas_with_actions_for_planners_only(client, seeded):
    survey, _baseline = seeded
    add(survey, action="Run a joint finance session.")
    url = reverse("reports:survey_overview", args=[survey.public_id])
    sign_in(client, survey.partnership, Membership.Role.CONSULTANT)
    html = client.get(url).content.decode()
    assert "Run a joint finance session." in html
    assert add_url(survey) in html
    assert "Add at least one more" in html  # one is fewer than two
    assert reverse("reports:partnership_pdf", args=[survey.public_id]) in html
    sign_in(client, survey.partnership, Membership.Role.ANALYST)
    html = client.get(url).content.decode()
    assert "Run a joint finance session." in html
    assert add_url(survey) not in html
    assert "/edit/" not in html


def test_next_round_says_how_each_focus_area_moved(client, seeded):
    survey, baseline = seeded
    add(baseline, key="funding_finance")
    before, now = analyse_survey(baseline), analyse_survey(survey)

    def profile(analysis) -> float:
        frame = analysis.partnership_profile.set_index("dimension")
        return frame.at["funding_finance", "mean"]

    sentence = (
        f"We said we would work on funding and finance; it was "
        f"{profile(before):.2f} in {baseline.title} and is {profile(now):.2f} now: "
    )
    sign_in(client, survey.partnership, Membership.Role.ANALYST)
    html = client.get(
        reverse("reports:survey_overview", args=[survey.public_id])
    ).content.decode()
    assert f"Progress since {baseline.title}" in html
    assert sentence in html
    # ... with the change's Welch interval, or "no clear change" when it spans zero.
    moved = html[html.index(sentence) + len(sentence) :].split("</", 1)[0]
    assert re.match(r"(up|down|no clear change) .*since .*\(.*\d", moved), moved


def test_pair_progress_never_shows_a_suppressed_organisation(client, seeded):
    survey, baseline = seeded
    now = analyse_survey(survey)
    orgs = now.organisations.set_index("organisation")
    hidden = int(orgs.index[orgs["suppressed"]][0])
    shown = int(orgs.index[~orgs["suppressed"]][0])
    pair = (Organisation.objects.get(pk=shown), Organisation.objects.get(pk=hidden))
    add(baseline, pair=pair, key="leadership")
    sign_in(client, survey.partnership, Membership.Role.LEAD)
    html = client.get(
        reverse(
            "reports:pair_detail",
            args=[survey.public_id, pair[0].public_id, pair[1].public_id],
        )
    ).content.decode()
    assert "We said we would work on leadership" in html
    assert f"{pair[1].name} has fewer than {survey.anonymity_threshold}" in html
    raw = now.respondent_scores
    leaked = raw[(raw["organisation"] == hidden) & (raw["dimension"] == "leadership")]
    assert f"{leaked['score'].mean():.2f}" not in html


def test_every_dimension_has_two_or_three_prompts_citing_the_seeds(instrument):
    prompts = read_prompts()
    keys = set(
        instrument.dimensions.filter(block=Block.SELF).values_list("key", flat=True)
    )
    assert prompts.instrument == instrument.key
    assert set(prompts.dimensions) == keys
    for key, questions in prompts.dimensions.items():
        assert 2 <= len(questions) <= 3, key
        for question in questions:
            assert question.text.endswith("?"), question.text
            assert set(question.sources) <= set(SEEDS)
