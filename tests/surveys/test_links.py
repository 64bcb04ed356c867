"""Organisation links for boards: copy buttons, QR codes, a printable sheet and a CSV."""

import csv
import io

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from surveys.links import links_filename, qr_svg
from surveys.models import Invitation
from tests.factories import InvitationFactory

pytestmark = pytest.mark.django_db


def round_url(name: str, team, **extra) -> str:
    kwargs = {"public_id": team.partnership.public_id, "round_id": team.round.public_id}
    return reverse(f"surveys:{name}", kwargs={**kwargs, **extra})


def qr_url(team, org) -> str:
    return round_url("round_link_qr", team, organisation_id=org.public_id)


def link_of(team, short_name: str) -> str:
    token = team.org_links[short_name].token
    return settings.SITE_URL + reverse("surveys:respondent_start", args=[token])


LINK_PAGES = ["round_links_sheet", "round_links_csv"]


@pytest.mark.parametrize("name", LINK_PAGES)
def test_lead_gets_the_links_sheet_and_csv(lead_client, team, name):
    assert lead_client.get(round_url(name, team)).status_code == 200


@pytest.mark.parametrize("role", ["consultant", "analyst"])
@pytest.mark.parametrize("name", LINK_PAGES)
def test_consultants_and_analysts_cannot_see_links(client, team, role, name):
    client.force_login(getattr(team, role))
    assert client.get(round_url(name, team)).status_code == 403
    assert client.get(qr_url(team, team.organisations[0])).status_code == 403


@pytest.mark.parametrize("name", LINK_PAGES)
def test_outsider_gets_404_for_the_links(client, team, name):
    client.force_login(team.outsider)
    assert client.get(round_url(name, team)).status_code == 404
    assert client.get(qr_url(team, team.organisations[0])).status_code == 404


@pytest.mark.parametrize("name", LINK_PAGES)
def test_anonymous_visitor_is_sent_to_sign_in_for_the_links(client, team, name):
    page = client.get(round_url(name, team))
    assert page.status_code == 302
    assert page["Location"].startswith(reverse("login"))


def test_round_page_links_to_the_sheet_and_csv_and_marks_links_copyable(
    lead_client, team
):
    page = lead_client.get(team.round.get_absolute_url()).content.decode()
    assert round_url("round_links_sheet", team) in page
    assert round_url("round_links_csv", team) in page
    # The copy button is added by enhance.js to each of these; the text stays selectable.
    assert page.count("data-copy ") == len(team.organisations)
    assert "select it and press Ctrl+C" in page


def test_readers_round_page_has_no_links(client, team):
    client.force_login(team.consultant)
    page = client.get(team.round.get_absolute_url()).content.decode()
    assert round_url("round_links_sheet", team) not in page
    assert team.org_links["NCC"].token not in page


def test_sheet_has_one_block_per_organisation_with_qr_link_name_and_dates(
    lead_client, team
):
    team.round.opens_at = timezone.make_aware(timezone.datetime(2026, 3, 2))
    team.round.closes_at = timezone.make_aware(timezone.datetime(2026, 3, 27, 23, 59))
    team.round.save()
    page = lead_client.get(round_url("round_links_sheet", team)).content.decode()
    assert page.count('class="app-link-card"') == 2
    for org in team.organisations:
        assert f">{org.name}</h2>" in page
        assert link_of(team, org.short_name) in page
        assert f"<title>QR code of the survey link for {org.name}</title>" in page
        assert qr_url(team, org) in page
    assert page.count('<svg role="img"') == 2
    assert "Open from 2 March 2026 to 27 March 2026" in page


def test_sheet_leaves_out_replaced_links(lead_client, team):
    old = team.org_links["NCC"]
    old.revoked_at = timezone.now()
    old.save()
    new = InvitationFactory(
        survey=team.round,
        organisation=old.organisation,
        kind=Invitation.Kind.ORGANISATION,
        email=None,
    )
    page = lead_client.get(round_url("round_links_sheet", team)).content.decode()
    assert old.token not in page
    assert new.token in page


def test_csv_lists_every_link_with_a_bom_and_a_name_saying_whose(lead_client, team):
    download = lead_client.get(round_url("round_links_csv", team))
    assert download["Content-Type"] == "text/csv; charset=utf-8"
    assert (
        'filename="northshire-place-partnership-autumn-round-links.csv"'
        in download["Content-Disposition"]
    )
    body = download.content.decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(body.removeprefix("\ufeff"))))
    assert [r["short_name"] for r in rows] == ["NCC", "NHFT"]  # by name
    assert rows[0]["link"] == link_of(team, "NCC")
    assert rows[0]["sector"] == "Local authority"
    assert list(rows[0]) == [
        "organisation",
        "short_name",
        "sector",
        "link",
        "opens",
        "closes",
    ]


def test_csv_neutralises_a_name_a_spreadsheet_would_run(lead_client, team):
    org = team.organisations[1]
    org.name = '=HYPERLINK("http://evil")'
    org.save()
    body = lead_client.get(round_url("round_links_csv", team)).content.decode()
    assert "'=HYPERLINK" in body


def test_qr_download_is_an_svg_file_of_the_link(lead_client, team):
    org = team.organisations[0]
    download = lead_client.get(qr_url(team, org))
    assert download["Content-Type"] == "image/svg+xml"
    assert "-nhft-qr.svg" in download["Content-Disposition"]
    assert download.content.decode().lstrip().startswith("<?xml")


def test_qr_of_an_organisation_without_a_link_is_404(lead_client, team):
    team.org_links["NHFT"].delete()
    assert lead_client.get(qr_url(team, team.organisations[0])).status_code == 404


def test_qr_svg_is_an_image_named_for_screen_readers():
    svg = qr_svg(url="https://example.org/s/abc/", label="QR code for <Trust>")
    assert svg.startswith('<svg role="img"')
    assert "<title>QR code for &lt;Trust&gt;</title>" in svg
    assert "<script" not in svg


def test_filename_survives_a_round_title_with_no_letters(team):
    team.round.title = "★★★"
    team.partnership.name = "☆"
    assert links_filename(survey=team.round, extension="csv") == "round-links.csv"
