"""Downloads: who may take the data, what arrives, and what must never be in it."""

import io
import re
import zipfile

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from reports import exports
from reports.views.downloads import url_name
from surveys.models import Invitation, Membership, Response
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(seeded_demo):
    """Use the module's once-seeded round instead of seeding per test (seeding is slow).

    The round's analysis stays cached between tests, as it would between requests.
    """
    return seeded_demo


EMAIL = re.compile(rb"[\w.+-]+@[\w-]+\.[\w.-]+")


def named(survey, name: str) -> str:
    """The download name a file of this round gets today."""
    return exports.download_name(survey, name, on=timezone.localdate())


def download_urls(survey) -> dict[str, str]:
    return {
        name: reverse(f"reports:{url_name(name)}", args=[survey.public_id])
        for name in exports.FILENAMES
    }


def sign_in(client, partnership, role: str):
    client.force_login(MembershipFactory(partnership=partnership, role=role).user)
    return client


def body(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


RESPONSE_LEVEL = {"responses.csv", "survey.xlsx", "survey.zip"}


def test_leads_get_403_on_files_with_a_row_per_response(client, demo):
    # A lead sees each invitee's status change; each response's time and order beside
    # it would let the lead match a named person to their answers.
    partnership, survey = demo
    sign_in(client, partnership, Membership.Role.LEAD)
    for name, url in download_urls(survey).items():
        response = client.get(url)
        if name in RESPONSE_LEVEL:
            assert response.status_code == 403, name
        else:
            assert response.status_code == 200, name
    # The download panel says why, instead of offering the files.
    overview = client.get(reverse("reports:survey_overview", args=[survey.public_id]))
    assert "are for the partnership’s analysts" in overview.content.decode()


def test_leads_and_analysts_download_every_file_they_may(client, demo):
    partnership, survey = demo
    for role in (Membership.Role.LEAD, Membership.Role.ANALYST):
        sign_in(client, partnership, role)
        for name, url in download_urls(survey).items():
            if role == Membership.Role.LEAD and name in RESPONSE_LEVEL:
                continue
            response = client.get(url)
            assert response.status_code == 200, (role, name)
            assert response["Content-Type"] == exports.CONTENT_TYPES[name]
            disposition = response["Content-Disposition"]
            assert disposition == f'attachment; filename="{named(survey, name)}"'
            assert "no-store" in response["Cache-Control"]
            small = name in ("scores.csv", "fit.csv", "dictionary.csv")
            assert response.streaming is not small
            if role == Membership.Role.ANALYST:  # read each file once
                content = body(response)
                if name.endswith(".csv"):
                    assert content.decode("utf-8-sig").count("\n") > 1


def test_consultants_get_403_on_every_download(consultant_client, demo):
    _partnership, survey = demo
    for name, url in download_urls(survey).items():
        assert consultant_client.get(url).status_code == 403, name


def test_outsiders_get_404(outsider_client, demo):
    _partnership, survey = demo
    for name, url in download_urls(survey).items():
        assert outsider_client.get(url).status_code == 404, name


def test_anonymous_visitors_are_sent_to_sign_in(client, demo):
    _partnership, survey = demo
    for url in download_urls(survey).values():
        response = client.get(url)
        assert response.status_code == 302
        assert reverse("login") in response["Location"]


def test_an_unknown_file_name_is_404(client, demo):
    partnership, survey = demo
    sign_in(client, partnership, Membership.Role.ANALYST)
    url = download_urls(survey)["scores.csv"]
    assert client.get(url.replace("scores.csv", "secrets.csv")).status_code == 404
    assert client.get(url.replace("scores.csv", "../settings.py")).status_code == 404


def test_downloads_only_answer_get(client, demo):
    partnership, survey = demo
    sign_in(client, partnership, Membership.Role.LEAD)
    assert client.post(download_urls(survey)["scores.csv"]).status_code == 405


def test_no_file_holds_an_email_address_or_a_token(client, demo):
    partnership, survey = demo
    invitations = Invitation.objects.filter(survey__partnership=partnership)
    emails = [
        e.encode()
        for e in invitations.exclude(email=None).values_list("email", flat=True)
    ]
    tokens = [t.encode() for t in invitations.values_list("token", flat=True)]
    tokens += [
        t.encode()
        for t in Response.objects.filter(survey=survey).values_list(
            "resume_token", flat=True
        )
    ]
    assert len(emails) > 10
    assert len(tokens) > 10
    sign_in(client, partnership, Membership.Role.ANALYST)
    response = client.get(download_urls(survey)["survey.zip"])
    archive = zipfile.ZipFile(io.BytesIO(body(response)))
    assert archive.testzip() is None
    assert archive.namelist() == [
        named(survey, n) for n in exports.FILENAMES if n != "survey.zip"
    ]
    blobs = {name: archive.read(name) for name in archive.namelist()}
    # The workbook is itself a zip of XML parts: search those, uncompressed.
    book = blobs[named(survey, "survey.xlsx")]
    workbook = zipfile.ZipFile(io.BytesIO(book))
    blobs |= {f"survey.xlsx/{n}": workbook.read(n) for n in workbook.namelist()}
    for name, blob in blobs.items():
        lowered = blob.lower()
        for secret in emails:
            assert secret.lower() not in lowered, name
        for secret in tokens:
            assert secret not in blob, name
        if not name.endswith((".xlsx", ".rels", "].xml")):
            assert not EMAIL.search(blob), (name, EMAIL.search(blob))
    assert load_workbook(io.BytesIO(book)).sheetnames == [
        "cover",
        "responses",
        "scores",
        "fit",
        "dictionary",
    ]
    # The archive holds the very bytes the single downloads hold.
    scores = client.get(download_urls(survey)["scores.csv"]).content
    assert blobs[named(survey, "scores.csv")] == scores


def test_the_download_panel_shows_for_those_who_may_download(client, demo):
    partnership, survey = demo
    pages = [
        reverse("reports:survey_overview", args=[survey.public_id]),
        reverse("surveys:round_detail", args=[partnership.public_id, survey.public_id]),
    ]
    for role, shown in (
        (Membership.Role.LEAD, True),
        (Membership.Role.ANALYST, True),
        (Membership.Role.CONSULTANT, False),
    ):
        sign_in(client, partnership, role)
        for page in pages:
            html = client.get(page).content.decode()
            for name, url in download_urls(survey).items():
                offered = shown and (
                    role == Membership.Role.ANALYST or name not in RESPONSE_LEVEL
                )
                assert (url in html) is offered, (role, page, url)
            assert ("Download the data" in html) is shown
