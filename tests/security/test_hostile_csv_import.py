"""Hostile invitation lists: every bad line is reported by number and nobody is imported, or
every line is good and each person is stored exactly as listed. Never half an import.
"""

import codecs
import csv
import html
import io
import string

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import event, given
from hypothesis import strategies as st

from surveys.forms.invitations import BINARY_FILE, InvitationImportForm
from surveys.models import Instrument, Invitation, Organisation, RespondentRole
from tests.security.estate import Estate, build_estate
from tests.security.hostile import (
    MARKUP,
    assert_no_stack_trace,
    assert_refused,
    error_summary,
    examples,
    fingerprint,
    post,
    rolled_back,
    storable_text,
)

pytestmark = pytest.mark.django_db

FORMS_DRIVEN = {InvitationImportForm}

# Names and short names of the estate's two organisations, in any case and spacing.
ORGANISATION_CELLS = {
    "Northshire Hospitals": "Northshire Hospitals",
    "nh": "Northshire Hospitals",
    " NORTHSHIRE COUNCIL ": "Northshire Council",
    "NC": "Northshire Council",
}
KNOWN = {"northshire hospitals", "nh", "northshire council", "nc"}
# str.splitlines() ends a line at these as well as at CR and LF.
LINE_BREAKS = set("\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")
CONTROL_IN_CELLS = "\x01\x07\x08\x1b\x1f"


def one_line(text: str) -> bool:
    return not LINE_BREAKS & set(text)


ADDRESSES = st.one_of(
    st.from_regex(
        r"[a-z0-9][a-z0-9+=_-]{0,15}@[a-z0-9]{1,12}\.(org|nhs\.uk|com)", fullmatch=True
    ),
    st.sampled_from(["=cmd@example.org", "+44@example.org", "-x@example.org"]),
    st.just("Jo.Bloggs@exämple.org"),
)
# A role is one of a fixed list, typed as its label or its code in any case, or left empty.
ROLE_CELLS = {
    **{label.lower(): code for code, label in RespondentRole.choices},
    **{code: code for code in RespondentRole.values},
    # The import also takes a code typed with spaces ("non executive").
    **{code.replace("_", " "): code for code in RespondentRole.values},
}
ROLE_LIST = (
    "use ‘Board member’, ‘Executive’, ‘Non-executive’, ‘Senior manager’, ‘Other’, "
    "or leave it empty"
)


def role_code(cell: str) -> str | None:
    """Return the code a role cell is stored as, or None when it is not a role."""
    words = " ".join(cell.split()).lower()
    return ROLE_CELLS.get(words) if words else ""


@st.composite
def any_case(draw, text: str) -> str:
    flips = draw(st.lists(st.booleans(), min_size=len(text), max_size=len(text)))
    return "".join(
        c.upper() if up else c.lower() for c, up in zip(text, flips, strict=True)
    )


ROLES = st.one_of(
    st.sampled_from(RespondentRole.labels).flatmap(any_case),
    st.sampled_from(RespondentRole.values).flatmap(any_case),
    st.sampled_from(["", " ", "  Board  Member ", "\tEXECUTIVE"]),
)
# Anything else typed as a role (a job title, markup, a formula) is refused by line.
NOT_ROLES = (
    storable_text(max_size=100).filter(one_line).filter(lambda v: role_code(v) is None)
)


@st.composite
def good_row(draw) -> tuple[str, ...]:
    row = (draw(ADDRESSES), draw(st.sampled_from(sorted(ORGANISATION_CELLS))))
    return row if draw(st.booleans()) else (*row, draw(ROLES))  # the role is optional


def bad_row() -> st.SearchStrategy[tuple[str, ...]]:
    """A line the import must refuse, whatever else is in the list."""
    address = ADDRESSES
    organisation = st.sampled_from(sorted(ORGANISATION_CELLS))
    not_an_address = st.sampled_from(
        [
            "jo",
            "jo@",
            "@example.org",
            "jo@@example.org",
            "jo smith@example.org",
            "<script>@x",
            "a" * 300 + "@x.org",
        ]
    )
    unknown = st.one_of(
        st.just("Elsewhere Trust"),  # another partnership's member
        storable_text(max_size=40)
        .filter(one_line)
        .filter(lambda v: v.strip().lower() not in KNOWN),
    )
    too_long = storable_text(min_size=101, max_size=300).filter(one_line)
    hidden = st.tuples(
        st.text(string.ascii_letters, max_size=5), st.sampled_from(CONTROL_IN_CELLS)
    ).map(lambda pair: f"Role {pair[0]}{pair[1]}x")
    return st.one_of(
        st.tuples(not_an_address, organisation, ROLES),
        st.tuples(address, unknown, ROLES),
        st.tuples(address, organisation, too_long),
        st.tuples(address, organisation, NOT_ROLES),
        st.tuples(address, organisation, hidden),
        st.tuples(address),
        st.tuples(address, organisation, ROLES, st.sampled_from(MARKUP)),
    )


def encodings_for(text: str) -> list[str]:
    """Encodings the list can be saved in without being mistaken for another."""
    found = ["utf-8", "utf-8-sig", "utf-16"]
    try:
        data = text.encode("cp1252")
    except UnicodeEncodeError:
        return found
    try:
        ambiguous = data.decode("utf-8") != text
    except UnicodeDecodeError:
        ambiguous = False
    return found if ambiguous else [*found, "cp1252"]


@st.composite
def invitation_list(draw) -> tuple[str, list[tuple[str, ...]], list[int]]:
    """The text of a list, its rows, and the line numbers of the bad ones."""
    rows = draw(st.lists(good_row(), max_size=6))
    for bad in draw(st.lists(bad_row(), max_size=2)):
        rows.insert(draw(st.integers(0, len(rows))), ("bad", bad))
    if not rows:
        rows.append(draw(good_row()))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=draw(st.sampled_from(["\n", "\r\n"])))
    line = 0
    if draw(st.booleans()):
        writer.writerow(["email", "organisation", "role"])
        line += 1
    good, bad_lines = [], []
    for row in rows:
        if draw(st.integers(0, 4)) == 0:
            out.write("\n")  # blank lines are skipped, but still counted
            line += 1
        line += 1
        if row[0] == "bad":
            writer.writerow(row[1])
            bad_lines.append(line)
        else:
            writer.writerow(row)
            good.append(row)
    return out.getvalue(), good, bad_lines


def import_url(estate: Estate) -> str:
    return reverse(
        "surveys:invitation_import",
        args=[estate.partnership.public_id, estate.round.public_id],
    )


def personal(estate: Estate) -> set[tuple[str, str, str]]:
    return set(
        Invitation.objects.filter(survey=estate.round, kind=Invitation.Kind.PERSONAL)
        .exclude(pk=estate.invitee.pk)  # the estate's own, there before the import
        .values_list("email", "organisation__name", "role")
    )


def expected(rows: list[tuple[str, ...]]) -> set[tuple[str, str, str]]:
    """Each address once (the first time it is listed), with its role's code."""
    people: dict[str, tuple[str, str, str]] = {}
    for email, organisation, *role in rows:
        people.setdefault(
            email.lower(),
            (email, ORGANISATION_CELLS[organisation], role_code((role or [""])[0])),
        )
    return set(people.values())


@pytest.fixture
def estate(db, instrument: Instrument) -> Estate:
    return build_estate(instrument)


@pytest.fixture
def lead(client, estate):
    client.force_login(estate.lead)
    return client


def upload(client, estate: Estate, data: bytes, name: str = "people.csv"):
    return client.post(
        import_url(estate), {"file": SimpleUploadedFile(name, data, "text/csv")}
    )


@examples(25)
@given(listed=invitation_list(), data=st.data())
def test_a_list_is_imported_whole_or_not_at_all(lead, estate, listed, data):
    text, good, bad_lines = listed
    via = data.draw(
        st.sampled_from(["paste", *encodings_for(text)]), label="pasted or saved as"
    )
    event(f"{'bad' if bad_lines else 'good'} via {via}")
    with rolled_back():
        before = fingerprint()
        if via == "paste":
            page = post(lead, import_url(estate), [("text", text)])
        else:
            page = upload(lead, estate, text.encode(via))
        assert_no_stack_trace(page)
        if bad_lines:
            errors = assert_refused(page, before)
            if via == "paste" and set(CONTROL_IN_CELLS) & set(text):
                # The pasted text as a whole is refused before any line is read.
                assert any("pasted list contains a hidden" in e for e in errors), errors
            else:
                assert any("nobody was imported" in e for e in errors), errors
                for line in bad_lines:
                    assert any(e.startswith(f"Line {line}:") for e in errors), (
                        line,
                        errors,
                    )
        else:
            assert page.status_code == 302, error_summary(page)
            assert personal(estate) == expected(good)


@examples(25)
@given(data=st.binary(min_size=1, max_size=2000))
def test_a_file_of_garbage_bytes_is_refused_clearly(lead, estate, data):
    with rolled_back():
        before = fingerprint()
        page = upload(lead, estate, data)
        assert_no_stack_trace(page)
        assert_refused(page, before)


def utf16_without_bom() -> bytes:
    return "jo@example.org,NH,Executive\n".encode("utf-16-le")


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (utf16_without_bom(), BINARY_FILE),
        (b"jo@example.org,NH,Exec\x00utive\n", BINARY_FILE),  # was a 500 on saving
        (b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00", BINARY_FILE),  # a workbook
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", BINARY_FILE),
        (
            b'jo@example.org,NH,"' + b"x" * 200_000 + b"\n",
            "check that every opening quotation mark",
        ),
        (
            b"jo@example.org,NH,Executive\x08\x1b\n",
            "Line 1: contains a hidden character",
        ),
    ],
    ids=[
        "UTF-16 without a BOM",
        "a NUL in a role",
        "an Excel workbook",
        "an image",
        "an unclosed quote",
        "control characters",
    ],
)
def test_files_that_are_not_a_list_are_refused_with_the_reason(
    lead, estate, data, problem
):
    before = fingerprint()
    page = upload(lead, estate, data)
    errors = assert_refused(page, before)
    assert any(problem in error for error in errors), errors


def test_a_list_saved_by_excel_as_unicode_text_is_read(lead, estate):
    """Excel's 'Unicode text' is UTF-16 with a byte order mark, separated by tabs."""
    text = (
        "email\torganisation\trole\r\n"
        "Jo.Bloggs@exämple.org\tNH\tSenior Manager\r\n"
        "sam@example.org\tNorthshire Council\tnon_executive\r\n"
    )
    page = upload(lead, estate, codecs.BOM_UTF16_LE + text.encode("utf-16-le"))
    assert page.status_code == 302, error_summary(page)
    assert personal(estate) == {
        ("Jo.Bloggs@exämple.org", "Northshire Hospitals", "senior_manager"),
        ("sam@example.org", "Northshire Council", "non_executive"),
    }


def test_formulas_and_markup_in_a_list_are_stored_as_text(lead, estate):
    """Formulas in addresses and markup in organisation names are matched and kept as text."""
    markup = "<script>alert(1)</script>"
    Organisation.objects.filter(pk=estate.organisations[1].pk).update(name=markup)
    rows = [
        ("=cmd@example.org", "nh", "Executive"),
        ("+44@example.org", markup, "board member"),
        ("-x@example.org", f" {markup.upper()} ", ""),
        ("ali@example.org", "NH"),
    ]
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    page = upload(lead, estate, out.getvalue().encode())
    assert page.status_code == 302, error_summary(page)
    assert personal(estate) == {
        ("=cmd@example.org", "Northshire Hospitals", "executive"),
        ("+44@example.org", markup, "board_member"),
        ("-x@example.org", markup, ""),
        ("ali@example.org", "Northshire Hospitals", ""),
    }


@pytest.mark.parametrize(
    "role",
    [
        '=HYPERLINK("http://evil.example/","Click")',
        "@SUM(A1:A9)",
        "+1+1",
        "<script>alert(1)</script>",
        "{{ request.META }}",
        "Chief Executive",
        "Director of Ōperations",
        "jo.bloggs@example.org",
    ],
)
def test_a_role_not_on_the_list_is_refused_by_line_and_nobody_is_imported(
    lead, estate, role
):
    """A typed role could name one person in an export, and a formula or markup could run."""
    rows = [("sam@example.org", "NC", "Other"), ("jo@example.org", "nh", role)]
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    before = fingerprint()
    page = upload(lead, estate, out.getvalue().encode())
    errors = [html.unescape(error) for error in assert_refused(page, before)]
    assert f"Line 2: ‘{role}’ is not one of the roles – {ROLE_LIST}" in errors, errors
    assert not any(e.startswith("Line 1:") for e in errors), errors
    assert role not in page.content.decode() or role == html.escape(role)  # as text
