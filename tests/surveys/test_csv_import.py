"""Importing personal invitations from a pasted or uploaded CSV of email, organisation, role."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from surveys.forms.invitations import (
    MAX_IMPORT_BYTES,
    MAX_IMPORT_ROWS,
    ImportTooLargeError,
    parse_invitations,
)
from surveys.models import AuditEvent, Invitation, Organisation, Sector, Survey
from tests.factories import InvitationFactory

ORGANISATIONS = [
    Organisation(
        pk=1,
        name="Northshire Hospitals NHS Foundation Trust",
        short_name="NHFT",
        sector=Sector.NHS_ACUTE,
    ),
    Organisation(
        pk=2,
        name="Northshire County Council",
        short_name="NCC",
        sector=Sector.LOCAL_AUTHORITY,
    ),
]


def parse(text: str):
    return parse_invitations(text=text, organisations=ORGANISATIONS)


# The parser (no database)


def test_parses_rows_with_a_header_short_and_full_names_and_optional_role():
    result = parse(
        "Email,Organisation,Role\n"
        "jo@nhft.example, nhft , Executive\n"
        "\n"
        "sam@ncc.example,NORTHSHIRE COUNTY COUNCIL\n"
    )
    assert result.errors == []
    assert [(r.line, r.email, r.organisation.pk, r.role) for r in result.rows] == [
        (2, "jo@nhft.example", 1, "executive"),
        (4, "sam@ncc.example", 2, ""),
    ]


def test_parses_tab_separated_lines_pasted_from_a_spreadsheet():
    result = parse("jo@nhft.example\tNHFT\tBoard member\nsam@ncc.example\tNCC\t\n")
    assert [r.email for r in result.rows] == ["jo@nhft.example", "sam@ncc.example"]
    assert result.rows[0].role == "board_member"


def test_quoted_cells_may_contain_commas():
    result = parse('jo@nhft.example,"Northshire County Council, Adults",Executive')
    assert result.errors == [
        "Line 1: ‘Northshire County Council, Adults’ is not an organisation in this "
        "partnership – use its name or short name"
    ]


def test_a_role_is_one_of_the_listed_kinds_of_post_never_a_job_title():
    # A job title ("Chief Executive") or an address typed as a role would name one person
    # in a respondent-level export.
    result = parse(
        "jo@nhft.example,NHFT,non-executive\n"
        "sam@nhft.example,NHFT,Chief Executive\n"
        "ali@nhft.example,NHFT,ali@nhft.example\n"
    )
    roles = "‘Board member’, ‘Executive’, ‘Non-executive’, ‘Senior manager’, ‘Other’"
    assert result.errors == [
        f"Line 2: ‘Chief Executive’ is not one of the roles – use {roles}, or leave it empty",
        f"Line 3: ‘ali@nhft.example’ is not one of the roles – use {roles}, or leave it empty",
    ]


def test_reports_every_bad_line_by_number():
    result = parse(
        "email,organisation,role\n"
        "jo@nhft.example,NHFT,Executive\n"
        "not-an-email,NHFT,Executive\n"
        "sam@ncc.example,Wealdmoor Borough Council,Executive\n"
        "ali@ncc.example\n"
        "kim@ncc.example,NCC,Executive,Cymraeg,extra\n"
        ",NCC,Executive\n"
    )
    assert result.errors == [
        "Line 3: ‘not-an-email’ is not a valid email address",
        "Line 4: ‘Wealdmoor Borough Council’ is not an organisation in this "
        "partnership – use its name or short name",
        "Line 5: expected 3 columns (email, organisation, role) and optionally a "
        "fourth (language), but found 1",
        "Line 6: expected 3 columns (email, organisation, role) and optionally a "
        "fourth (language), but found 5",
        "Line 7: the email address is missing",
    ]
    assert len(result.rows) == 1


def test_a_fourth_column_gives_the_language_of_each_persons_emails():
    result = parse(
        "email,organisation,role,language\n"
        "jo@nhft.example,NHFT,Executive,Cymraeg\n"
        "sam@ncc.example,NCC,,welsh\n"
        "ali@ncc.example,NCC,,CY\n"
        "kim@ncc.example,NCC,,English\n"
        "lee@ncc.example,NCC,,en\n"
        "max@ncc.example,NCC\n"
    )
    assert result.errors == []
    assert [r.language for r in result.rows] == [
        "cy",
        "cy",
        "cy",
        "en-gb",
        "en-gb",
        "en-gb",
    ]


def test_lines_without_a_language_get_the_one_chosen_for_the_list():
    result = parse_invitations(
        text="jo@nhft.example,NHFT,,\nsam@ncc.example,NCC,,English\n",
        organisations=ORGANISATIONS,
        language="cy",
    )
    assert [r.language for r in result.rows] == ["cy", "en-gb"]


def test_a_language_we_cannot_email_in_is_reported_by_line():
    result = parse("jo@nhft.example,NHFT,Executive,Français\nsam@ncc.example,NCC,,cy\n")
    assert result.errors == [
        "Line 1: ‘Français’ is not a language we can email in – use ‘English’ or "
        "‘Cymraeg’ (or ‘en’, ‘cy’, ‘Welsh’), or leave it empty"
    ]
    assert len(result.rows) == 1


def test_a_role_that_is_too_long_is_reported_without_echoing_all_of_it():
    result = parse(f"jo@nhft.example,NHFT,{'x' * 101}")
    assert result.errors[0].startswith(f"Line 1: ‘{'x' * 80}’ is not one of the roles")


def test_refuses_more_rows_than_one_import_takes():
    text = "\n".join(f"p{n}@nhft.example,NHFT," for n in range(MAX_IMPORT_ROWS + 1))
    with pytest.raises(ImportTooLargeError):
        parse(text)


# The page


@pytest.fixture
def import_url(team) -> str:
    return reverse(
        "surveys:invitation_import",
        kwargs={
            "public_id": team.partnership.public_id,
            "round_id": team.round.public_id,
        },
    )


def personal(survey: Survey) -> list[tuple[str, str, str]]:
    return list(
        Invitation.objects.filter(survey=survey, kind="personal")
        .order_by("email")
        .values_list("email", "organisation__short_name", "role")
    )


@pytest.mark.django_db
def test_a_good_pasted_list_adds_everyone(lead_client, team, import_url):
    page = lead_client.post(
        import_url,
        {"text": "jo@nhft.example,NHFT,Executive\nsam@ncc.example,NCC,Board member\n"},
        follow=True,
    )
    assert page.redirect_chain[-1][0] == team.round.get_absolute_url()
    assert "2 people added." in page.content.decode()
    assert personal(team.round) == [
        ("jo@nhft.example", "NHFT", "executive"),
        ("sam@ncc.example", "NCC", "board_member"),
    ]
    event = AuditEvent.objects.get(action="invitations_imported")
    assert (event.actor, event.survey, event.detail) == (
        team.lead,
        team.round,
        {"created": 2, "skipped": 0},
    )


@pytest.mark.django_db
def test_a_good_uploaded_file_from_excel_is_read(lead_client, team, import_url):
    data = "\ufeffemail,organisation,role\r\nsian@nhft.example,NHFT,Executive\r\n"
    upload = SimpleUploadedFile("people.csv", data.encode("utf-8"), "text/csv")
    lead_client.post(import_url, {"file": upload})
    assert personal(team.round) == [("sian@nhft.example", "NHFT", "executive")]


@pytest.mark.django_db
def test_a_windows_1252_file_is_read(lead_client, team, import_url):
    data = (
        "email,organisation,rôle – poste\r\njo@nhft.example,NHFT,Executive\r\n".encode(
            "cp1252"
        )
    )
    lead_client.post(import_url, {"file": SimpleUploadedFile("people.csv", data)})
    assert personal(team.round) == [("jo@nhft.example", "NHFT", "executive")]


@pytest.mark.django_db
def test_a_malformed_list_imports_nobody_and_names_the_lines(
    lead_client, team, import_url
):
    page = lead_client.post(
        import_url,
        {
            "text": "jo@nhft.example,NHFT,Executive\n"
            "sam@ncc,NCC,Executive\n"
            "kim@ncc.example,Elsewhere,Executive\n"
        },
    )
    assert page.status_code == 200
    html = page.content.decode()
    assert "2 lines have problems, so nobody was imported" in html
    assert "Line 2: ‘sam@ncc’ is not a valid email address" in html
    assert "Line 3: ‘Elsewhere’ is not an organisation in this partnership" in html
    assert 'href="#id_text"' in html  # the error summary links to the field
    assert personal(team.round) == []
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db
def test_an_imported_list_keeps_each_persons_language(lead_client, team, import_url):
    lead_client.post(
        import_url,
        {
            "text": "jo@nhft.example,NHFT,Executive,Cymraeg\nsam@ncc.example,NCC\n",
            "language": "en-gb",
        },
    )
    languages = dict(
        Invitation.objects.filter(survey=team.round, kind="personal").values_list(
            "email", "language"
        )
    )
    assert languages == {"jo@nhft.example": "cy", "sam@ncc.example": "en-gb"}


@pytest.mark.django_db
def test_the_lead_can_choose_welsh_for_a_whole_list(lead_client, team, import_url):
    lead_client.post(
        import_url,
        {"text": "jo@nhft.example,NHFT\nsam@ncc.example,NCC", "language": "cy"},
    )
    assert set(
        Invitation.objects.filter(survey=team.round, kind="personal").values_list(
            "language", flat=True
        )
    ) == {"cy"}


@pytest.mark.django_db
def test_a_bad_language_imports_nobody_and_names_the_line(
    lead_client, team, import_url
):
    page = lead_client.post(
        import_url,
        {"text": "jo@nhft.example,NHFT,Executive,cy\nsam@ncc.example,NCC,,Gaeilge\n"},
    )
    assert page.status_code == 200
    html = page.content.decode()
    assert "1 line has a problem, so nobody was imported" in html
    assert "Line 2: ‘Gaeilge’ is not a language we can email in" in html
    assert personal(team.round) == []
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db
def test_a_language_choice_not_offered_is_refused(lead_client, team, import_url):
    page = lead_client.post(
        import_url, {"text": "jo@nhft.example,NHFT", "language": "fr"}
    )
    assert "Choose a language from the list" in page.content.decode()
    assert personal(team.round) == []


@pytest.mark.django_db
def test_a_malformed_upload_reports_errors_on_the_file(lead_client, team, import_url):
    upload = SimpleUploadedFile("people.csv", b"jo@nhft.example;NHFT;Executive\n")
    page = lead_client.post(import_url, {"file": upload})
    assert (
        page.context["form"].errors["file"][1].startswith("Line 1: expected 3 columns")
    )
    assert personal(team.round) == []


@pytest.mark.django_db
def test_long_error_lists_are_cut_short(lead_client, team, import_url):
    text = "\n".join(f"bad{n},NHFT," for n in range(40))
    page = lead_client.post(import_url, {"text": text})
    errors = page.context["form"].errors["text"]
    assert errors[0].startswith("40 lines have problems")
    assert "(the first 25 are listed)" in errors[0]
    assert len(errors) == 26


@pytest.mark.django_db
def test_duplicates_are_skipped_and_counted(lead_client, team, import_url):
    InvitationFactory(
        survey=team.round, organisation=team.organisations[0], email="Jo@NHFT.example"
    )
    page = lead_client.post(
        import_url,
        {
            "text": "jo@nhft.example,NHFT,Executive\n"  # already invited (other case)
            "sam@ncc.example,NCC,\n"
            "SAM@ncc.example,NCC,\n"  # twice in the list
            "kim@ncc.example,NCC,\n"
        },
        follow=True,
    )
    html = page.content.decode()
    assert "2 people added. 2 people skipped: already invited or listed twice." in html
    assert [e for e, _o, _r in personal(team.round)] == [
        "Jo@NHFT.example",
        "kim@ncc.example",
        "sam@ncc.example",
    ]
    assert AuditEvent.objects.get().detail == {"created": 2, "skipped": 2}


@pytest.mark.django_db
def test_the_same_person_may_be_invited_to_another_round(lead_client, team, import_url):
    other = Survey.objects.create(
        partnership=team.partnership, instrument=team.round.instrument, title="Later"
    )
    InvitationFactory(
        survey=other, organisation=team.organisations[0], email="jo@nhft.example"
    )
    lead_client.post(import_url, {"text": "jo@nhft.example,NHFT,"})
    assert personal(team.round) == [("jo@nhft.example", "NHFT", "")]


@pytest.mark.django_db
def test_an_oversized_file_is_refused(lead_client, team, import_url):
    line = b"someone.with.a.long.address@northshire-hospitals.example,NHFT,Executive\n"
    data = line * (MAX_IMPORT_BYTES // len(line) + 1)
    page = lead_client.post(import_url, {"file": SimpleUploadedFile("big.csv", data)})
    assert page.status_code == 200
    assert "The file must be smaller than 1.0" in page.content.decode()
    assert personal(team.round) == []


@pytest.mark.django_db
def test_an_oversized_paste_is_refused(lead_client, team, import_url):
    text = "x" * (MAX_IMPORT_BYTES + 1)
    page = lead_client.post(import_url, {"text": text})
    assert "The pasted list must be smaller than" in page.content.decode()


@pytest.mark.django_db
def test_too_many_rows_are_refused(lead_client, team, import_url):
    text = "\n".join(f"p{n}@nhft.example,NHFT," for n in range(MAX_IMPORT_ROWS + 1))
    page = lead_client.post(import_url, {"text": text})
    assert "The list has more than 5,000 people" in page.content.decode()
    assert personal(team.round) == []


@pytest.mark.django_db
def test_five_thousand_rows_import_in_one_go(
    lead_client, team, import_url, django_assert_max_num_queries
):
    text = "\n".join(f"p{n}@nhft.example,NHFT," for n in range(MAX_IMPORT_ROWS))
    with django_assert_max_num_queries(20):
        lead_client.post(import_url, {"text": text})
    assert Invitation.objects.filter(survey=team.round, kind="personal").count() == 5000


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({}, "Paste a list of people or choose a CSV file"),
        ({"text": "   \n  "}, "Paste a list of people or choose a CSV file"),
        ({"text": "email,organisation,role\n"}, "The list has no people in it"),
    ],
)
def test_an_empty_import_is_refused(lead_client, team, import_url, data, error):
    page = lead_client.post(import_url, data)
    assert error in page.content.decode()


@pytest.mark.django_db
def test_pasting_and_uploading_at_once_is_refused(lead_client, team, import_url):
    upload = SimpleUploadedFile("people.csv", b"jo@nhft.example,NHFT,\n")
    page = lead_client.post(
        import_url, {"text": "sam@ncc.example,NCC,", "file": upload}
    )
    assert "Paste a list or upload a file, not both" in page.content.decode()
    assert personal(team.round) == []


@pytest.mark.django_db
def test_a_closed_round_takes_no_new_people(lead_client, team, import_url):
    Survey.objects.filter(pk=team.round.pk).update(status=Survey.Status.CLOSED)
    page = lead_client.post(import_url, {"text": "jo@nhft.example,NHFT,"}, follow=True)
    assert "People cannot be invited to a closed round." in page.content.decode()
    assert personal(team.round) == []
