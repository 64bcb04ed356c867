"""No column, comment or link singles anyone out (issue 12, MEASUREMENT §6.6–6.7)."""

import importlib
import io
import re
import zipfile

import pandas as pd
import pytest
from django.test import Client
from django.urls import reverse

from reports.analysis import analyse_survey, forget_analyses
from surveys.models import (
    Comment,
    Invitation,
    Membership,
    RespondentRole,
    Response,
    Survey,
)
from surveys.services.data_protection import erase_invitee
from tests.factories import MembershipFactory

role_migration = importlib.import_module(
    "surveys.migrations.0006_release_rule_roles_eligibility"
)


def download_everything(client: Client, survey: Survey) -> bytes:
    """Every export of the round, as the analyst downloads it, unpacked to its text."""
    body = client.get(
        reverse("reports:download_survey_zip", args=[survey.public_id])
    ).getvalue()
    parts = []
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        for name in archive.namelist():
            member = archive.read(name)
            if not name.endswith(".xlsx"):
                parts.append(member)
            else:
                with zipfile.ZipFile(io.BytesIO(member)) as book:
                    parts += [book.read(sheet) for sheet in book.namelist()]
    return b"\n".join(parts)


def secrets_of(survey: Survey) -> list[str]:
    """Everything that would identify an invitee or open their answers."""
    links = Invitation.objects.filter(survey=survey)
    found = [e for e in links.values_list("email", flat=True) if e]
    found += list(links.values_list("token", flat=True))
    found += list(
        Response.objects.filter(survey=survey).values_list("resume_token", flat=True)
    )
    return found


def assert_nothing_identifies_anyone(export: bytes, secrets: list[str]) -> None:
    text = export.decode("utf-8", errors="replace").lower()
    for secret in secrets:
        assert secret.lower() not in text, secret
    assert "@" not in text  # no address of any kind, typed or imported


def shown_roles(survey: Survey, client: Client) -> pd.DataFrame:
    body = client.get(
        reverse("reports:download_responses_csv", args=[survey.public_id])
    ).getvalue()
    frame = pd.read_csv(io.BytesIO(body), keep_default_na=False)
    return frame.drop_duplicates("response_id")[["organisation", "role"]]


@pytest.fixture
def analyst(closed_demo) -> Client:
    partnership, _survey = closed_demo
    client = Client()
    client.force_login(
        MembershipFactory(partnership=partnership, role=Membership.Role.ANALYST).user
    )
    return client


@pytest.mark.django_db
def test_no_export_identifies_anyone_after_any_data_protection_action(
    closed_demo, analyst
):
    _partnership, survey = closed_demo
    seen = secrets_of(survey)
    assert any("@" in s for s in seen)

    assert_nothing_identifies_anyone(download_everything(analyst, survey), seen)
    roles = shown_roles(survey, analyst)
    counts = roles[roles["role"] != ""].value_counts()
    assert (counts >= survey.anonymity_threshold).all()  # a role shown names a group
    assert set(roles["role"]) <= {"", *RespondentRole.values}

    erased = Invitation.objects.filter(survey=survey, email__isnull=False).first()
    erase_invitee(email=erased.email)
    assert not Response.objects.filter(invitation=erased).exclude(role="").exists()
    forget_analyses()
    assert_nothing_identifies_anyone(
        download_everything(analyst, survey), [*seen, *secrets_of(survey)]
    )

    lead = Client()
    lead.force_login(
        MembershipFactory(
            partnership=survey.partnership, role=Membership.Role.LEAD
        ).user
    )
    lead.post(
        reverse(
            "surveys:round_personal_data_delete",
            args=[survey.partnership.public_id, survey.public_id],
        )
    )
    assert not Response.objects.filter(survey=survey).exclude(role="").exists()
    forget_analyses()
    export = download_everything(analyst, survey)
    assert_nothing_identifies_anyone(export, [*seen, *secrets_of(survey)])
    assert set(shown_roles(survey, analyst)["role"]) == {""}


@pytest.mark.parametrize(
    ("typed", "kind"),
    [
        ("Chief Executive", "executive"),
        ("Non-executive director", "non_executive"),
        ("Board member", "board_member"),
        ("Head of Strategy", "senior_manager"),
        ("jo.bloggs@example.org", "other"),
        ("", ""),
    ],
)
def test_roles_typed_before_the_list_become_a_kind_of_post(typed, kind):
    assert role_migration.role_kind(typed) == kind


@pytest.mark.django_db
def test_a_role_is_exported_only_where_k_people_of_the_organisation_share_it(
    closed_demo, analyst
):
    _partnership, survey = closed_demo
    k = survey.anonymity_threshold
    organisation = (
        Response.objects.filter(survey=survey, submitted_at__isnull=False)
        .values_list("organisation", flat=True)
        .first()
    )
    responses = list(
        Response.objects.filter(
            survey=survey, organisation=organisation, submitted_at__isnull=False
        ).order_by("pk")
    )
    assert len(responses) > k
    Response.objects.filter(survey=survey).update(role="")
    Response.objects.filter(pk__in=[r.pk for r in responses[:k]]).update(
        role=RespondentRole.BOARD_MEMBER
    )
    Response.objects.filter(pk=responses[k].pk).update(role=RespondentRole.EXECUTIVE)
    roles = shown_roles(survey, analyst)
    assert (roles["role"] == RespondentRole.BOARD_MEMBER).sum() == k
    assert (roles["role"] == RespondentRole.EXECUTIVE).sum() == 0  # the lone executive


# Comments (MEASUREMENT §6.7)


def _comment_on(survey: Survey, *, writers: int) -> tuple[int, str]:
    """Give one organisation's first dimension comments by `writers` people; return it."""
    responses = Response.objects.filter(survey=survey, submitted_at__isnull=False)
    organisation = responses.values_list("organisation", flat=True).first()
    dimension = survey.instrument.dimensions.order_by("order").first()
    Comment.objects.filter(response__survey=survey).delete()
    for number, response in enumerate(
        responses.filter(organisation=organisation).order_by("submitted_at")[:writers]
    ):
        Comment.objects.create(
            response=response, dimension=dimension, text=f"Comment number {number}"
        )
    forget_analyses()
    return organisation, dimension.key


@pytest.mark.django_db
def test_comments_need_k_different_writers_not_k_respondents(closed_demo):
    _partnership, survey = closed_demo
    k = survey.anonymity_threshold
    _comment_on(survey, writers=k - 1)
    assert analyse_survey(survey).comments.empty
    organisation, _dimension = _comment_on(survey, writers=k)
    shown = analyse_survey(survey).comments
    assert len(shown) == k
    assert set(shown["organisation"]) == {organisation}
    assert list(shown.columns) == ["organisation", "dimension", "text"]  # no dates


@pytest.mark.django_db
def test_a_comment_in_a_language_fewer_than_k_people_wrote_in_is_held_back(closed_demo):
    _partnership, survey = closed_demo
    k = survey.anonymity_threshold
    _comment_on(survey, writers=k + 1)
    # One of them answered in Welsh: their comment would point at the one Welsh speaker.
    lone = Comment.objects.filter(response__survey=survey).order_by("pk").last()
    Comment.objects.filter(pk=lone.pk).update(language="cy", text="Sylw yn Gymraeg")
    forget_analyses()
    shown = analyse_survey(survey).comments
    assert len(shown) == k
    assert "Sylw yn Gymraeg" not in set(shown["text"])
    # K people writing in Welsh are a group of their own, shown like any other.
    Comment.objects.filter(response__survey=survey).update(language="cy")
    forget_analyses()
    assert len(analyse_survey(survey).comments) == k + 1


@pytest.mark.django_db
def test_comments_are_shown_in_an_order_that_is_not_the_order_written(closed_demo):
    _partnership, survey = closed_demo
    _comment_on(survey, writers=7)
    texts = list(analyse_survey(survey).comments["text"])
    assert sorted(texts) == [f"Comment number {n}" for n in range(7)]
    assert texts != sorted(texts)


@pytest.mark.django_db
def test_the_organisation_page_names_the_rounds_own_threshold_for_comments(
    closed_demo, client
):
    partnership, survey = closed_demo
    Survey.objects.filter(pk=survey.pk).update(anonymity_threshold=4)
    forget_analyses()
    client.force_login(
        MembershipFactory(partnership=partnership, role=Membership.Role.CONSULTANT).user
    )
    organisation = partnership.members.order_by("name").first()
    page = client.get(
        reverse(
            "reports:organisation_detail",
            args=[survey.public_id, organisation.public_id],
        )
    ).content.decode()
    assert "at least 4 different people" in page
    assert "at least five" not in page


# The round page and closing


@pytest.mark.django_db
def test_the_close_confirmation_says_how_many_stay_out_of_the_figures(demo, client):
    partnership, survey = demo
    assert survey.release_rule == Survey.ReleaseRule.GROUPS
    client.force_login(
        MembershipFactory(partnership=partnership, role=Membership.Role.LEAD).user
    )
    page = client.get(
        reverse("surveys:round_close", args=[partnership.public_id, survey.public_id])
    ).content.decode()
    k = survey.anonymity_threshold
    table = page[page.index('id="closing-outcomes"') :]
    for organisation in partnership.members.all():
        submitted = Response.objects.filter(
            survey=survey, organisation=organisation, submitted_at__isnull=False
        ).count()
        row = re.search(
            rf">{re.escape(organisation.name)}</th>(.*?)</tr>", table, re.S
        ).group(1)
        cells = re.findall(r'numeric">([^<]*)</td>', row)
        if submitted // k * k >= k:
            assert cells == [
                str(submitted),
                str(submitted // k * k),
                str(submitted % k),
            ]
        else:
            assert cells[1] == f"not shown: fewer than {k}"


@pytest.mark.django_db
def test_consultants_see_fewer_than_k_not_the_count_on_the_round_page(demo, client):
    partnership, survey = demo
    k = survey.anonymity_threshold
    small = next(
        o
        for o in partnership.members.all()
        if 0
        < Response.objects.filter(
            survey=survey, organisation=o, submitted_at__isnull=False
        ).count()
        < k
    )
    client.force_login(
        MembershipFactory(partnership=partnership, role=Membership.Role.CONSULTANT).user
    )
    page = client.get(
        reverse("surveys:round_detail", args=[partnership.public_id, survey.public_id])
    ).content.decode()
    row = re.search(rf">{re.escape(small.name)}</th>(.*?)</tr>", page, re.S).group(1)
    assert f"Fewer than {k}<" in row
    assert "more needed" not in row


# Organisation links


@pytest.mark.django_db
def test_another_browser_posting_a_start_key_gets_a_response_of_its_own(
    survey_setup,
):
    link = survey_setup.org_link
    url = reverse("surveys:respondent_start", args=[link.token])
    first = Client()
    page = first.get(url).content.decode()
    key = re.search(r'name="start_key" value="([^"]+)"', page).group(1)
    first.post(url, {"start_key": key})
    first.post(url, {"start_key": key})  # a double click starts once
    assert Response.objects.filter(invitation=link).count() == 1
    mine = Response.objects.get(invitation=link)

    second = Client()
    second.get(url)
    landed = second.post(url, {"start_key": key})
    assert Response.objects.filter(invitation=link).count() == 2
    assert mine.resume_token not in landed["Location"]
    theirs = Response.objects.exclude(pk=mine.pk).get(invitation=link)
    assert theirs.resume_token in landed["Location"]
