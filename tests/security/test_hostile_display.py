"""Markup typed into any field is stored as typed and shown as text on every page; formulas are
neutralised in downloads. Roles are the exception: a fixed list, so markup or a formula cannot
be stored as one at all.

The pages are found from the URL resolver, as in test_access_matrix, so a new page is checked
as soon as it exists.
"""

import csv
import datetime as dt
import io
import uuid

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import DataError, IntegrityError, transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.html import escape

from reports.exports.formats import FORMULA_PREFIXES
from surveys.journey import build_steps
from surveys.models import (
    Block,
    Comment,
    Dimension,
    Invitation,
    Membership,
    Organisation,
    Partnership,
    RespondentRole,
    Response,
    Survey,
)
from surveys.services.focus_areas import create_focus_area
from surveys.tenancy import create_partnership_permission
from tests.factories import MembershipFactory, ResponseFactory
from tests.security.test_access_matrix import named_patterns

pytestmark = pytest.mark.django_db

PARTNERSHIP = "<script>alert('partnership')</script>"
ORGANISATION = '"><img src=x onerror=alert("organisation")>'
SHORT_NAME = "<svg/onload=alert(2)>"
TITLE = "</title><script>alert('round')</script>"
COMMENT = "<script>alert('comment')</script> & <b>bold</b>"
FINDING = "<img src=x onerror=alert('finding')>"
ACTION = "</textarea><script>alert('action')</script>"
FIRST_NAME = "<b onmouseover=alert('name')>Jo</b>"
FORMULA = '=HYPERLINK("http://evil.example/","Click")'
PAYLOADS = [PARTNERSHIP, ORGANISATION, SHORT_NAME, TITLE, COMMENT, FINDING, ACTION]
PAYLOADS.append(FIRST_NAME)

# Downloads are checked below as files; PDFs render the same escaped templates, slowly.
# Downloads are checked elsewhere; allauth's sign-in, MFA and SSO pages (account_*, mfa_*,
# socialaccount_*, openid_connect_*) show no partnership data and take regex arguments.
SKIPPED = ("download", "_pdf", "account_", "mfa_", "openid_connect_")


@pytest.fixture
def hostile_round(db):
    """A seeded round whose names, title, comment, focus area and lead are all markup.

    Roles keep the seeded codes: the database refuses anything else (see
    test_markup_or_a_formula_cannot_be_stored_as_a_role).
    """
    cache.clear()
    call_command(
        "seed_demo", organisations=3, respondents=6, seed=3, stdout=io.StringIO()
    )
    partnership = Partnership.objects.get()
    survey = Survey.objects.get(partnership=partnership, status=Survey.Status.OPEN)
    shown, other, *_rest = (
        Organisation.objects.filter(partnerships=partnership)
        .annotate(
            n=Count(
                "responses",
                filter=Q(
                    responses__survey=survey, responses__submitted_at__isnull=False
                ),
            )
        )
        .order_by("-n", "name")
    )
    Partnership.objects.filter(pk=partnership.pk).update(name=PARTNERSHIP)
    Organisation.objects.filter(pk=shown.pk).update(
        name=ORGANISATION, short_name=SHORT_NAME
    )
    Organisation.objects.filter(pk=other.pk).update(name=FORMULA)
    Survey.objects.filter(pk=survey.pk).update(title=TITLE)
    dimension = Dimension.objects.filter(
        instrument=survey.instrument, block=Block.SELF
    ).first()
    # Comments are shown only once K people (in whole groups of K) wrote one on the
    # dimension, so everyone who answered for the organisation writes it.
    writers = Response.objects.filter(
        survey=survey, organisation=shown, submitted_at__isnull=False
    )
    assert len(writers) >= survey.anonymity_threshold
    for response in writers:
        Comment.objects.update_or_create(
            response=response, dimension=dimension, defaults={"text": COMMENT}
        )
    lead = MembershipFactory(partnership=partnership, role=Membership.Role.LEAD).user
    lead.first_name = FIRST_NAME
    lead.save()
    survey.refresh_from_db()
    create_focus_area(
        survey=survey,
        pair=None,
        dimension=dimension,
        finding=FINDING,
        action=ACTION,
        owner=shown,
        due_date=dt.date(2027, 3, 31),
        actor=lead,
    )
    yield survey, shown, other, lead
    cache.clear()


def page_values(survey: Survey, shown: Organisation, other: Organisation) -> dict:
    return {
        "public_id": survey.partnership.public_id,
        "round_id": survey.public_id,
        "survey_id": survey.public_id,
        "organisation_id": shown.public_id,
        "a_id": shown.public_id,
        "b_id": other.public_id,
        "focus_area_id": survey.focus_areas.get().public_id,
        "member_id": survey.partnership.memberships.first().public_id,
        "invitation_id": survey.invitations.first().public_id,
        "uidb64": "x",
        "token": "x",
    }


def respondent_pages(survey: Survey, other: Organisation) -> list[str]:
    """The start page, a page about the hostile-named partner, and check your answers."""
    link = Invitation.objects.filter(
        survey=survey, organisation=other, kind=Invitation.Kind.ORGANISATION
    ).first()
    response = ResponseFactory(invitation=link, survey=survey, organisation=other)
    partner = next(
        s for s in build_steps(response=response) if s.block == Block.PARTNER
    )
    token = response.resume_token
    return [
        reverse("surveys:respondent_start", args=[link.token]),
        reverse("surveys:respondent_step", args=[token, partner.slug]),
        reverse("surveys:respondent_check", args=[token]),
    ]


def test_markup_is_shown_as_text_on_every_page(client, hostile_round):
    survey, shown, other, lead = hostile_round
    lead.user_permissions.add(create_partnership_permission())  # its form page too
    client.force_login(lead)
    values = page_values(survey, shown, other)
    urls = [
        reverse(name, kwargs={p: values[p] for p in params})
        for name, route, params in named_patterns()
        if not route.startswith(("admin/", "s/"))
        and not any(s in name for s in SKIPPED)
    ]
    urls += respondent_pages(survey, other)
    seen: dict[str, str] = {}
    for url in urls:
        page = client.get(url)
        assert page.status_code in (200, 302, 404, 405), (url, page.status_code)
        if page.status_code != 200 or "html" not in page["Content-Type"]:
            continue
        html = page.content.decode()
        for payload in PAYLOADS:
            assert payload not in html, (url, payload)
        seen[url] = html
    everything = "".join(seen.values())
    # The markup did reach the pages, as text.
    for payload in PAYLOADS:
        assert escape(payload) in everything, payload
    organisation_page = reverse(
        "reports:organisation_detail", args=[survey.public_id, shown.public_id]
    )
    assert escape(COMMENT) in seen[organisation_page]
    assert len(seen) >= 15


def test_formulas_typed_into_names_are_neutralised_in_downloads(client, hostile_round):
    survey, _shown, _other, _lead = hostile_round
    # Rows per response are for analysts (reports.exports.may_download).
    client.force_login(
        MembershipFactory(
            partnership=survey.partnership, role=Membership.Role.ANALYST
        ).user
    )
    responses = client.get(
        reverse("reports:download_responses_csv", args=[survey.public_id])
    )
    body = b"".join(responses.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(body)))
    assert {"'" + FORMULA} <= {row["organisation"] for row in rows}
    assert {"'" + FORMULA} <= {row["subject_organisation"] for row in rows}
    for row in rows:
        for column in ("organisation", "role", "subject_organisation"):
            assert not row[column].startswith(FORMULA_PREFIXES), row
        assert row["role"] in ROLES, row  # a code from the list, or empty
    scores = client.get(reverse("reports:download_scores_csv", args=[survey.public_id]))
    cells = {
        row["organisation"]
        for row in csv.DictReader(io.StringIO(scores.content.decode("utf-8-sig")))
    }
    assert "'" + FORMULA in cells
    assert FORMULA not in cells
    assert COMMENT not in body  # comments are never exported
    assert uuid.UUID(rows[0]["response_id"])


ROLES = {"", *RespondentRole.values}
# Too long for the column, or short enough to reach the check constraint.
HOSTILE_ROLES = [FORMULA, "=1+1", "@SUM(A1:A9)", "<b>x</b>", "Chief Executive"]


@pytest.mark.parametrize("role", HOSTILE_ROLES)
@pytest.mark.parametrize("model", [Invitation, Response], ids=lambda m: m.__name__)
def test_markup_or_a_formula_cannot_be_stored_as_a_role(survey_setup, model, role):
    """Not even by code that bypasses the forms: the database refuses it."""
    link = survey_setup.personal_link
    if model is Response:
        ResponseFactory(invitation=link, survey=survey_setup.survey)
        rows = Response.objects.filter(invitation=link)
    else:
        rows = Invitation.objects.filter(pk=link.pk)
    assert rows.count() == 1
    error = DataError if len(role) > 16 else IntegrityError
    with pytest.raises(error) as refused, transaction.atomic():
        rows.update(role=role)
    if error is IntegrityError:
        assert f"{model._meta.model_name}_role_valid" in str(refused.value)
    assert not model.objects.filter(role=role).exists()
    with transaction.atomic():  # a role from the list is taken
        assert rows.update(role=RespondentRole.EXECUTIVE) == 1
