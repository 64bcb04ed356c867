"""The personal-invitation import: a pasted or uploaded CSV of `email, organisation, role,
language`."""

import codecs
import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from crispy_forms_gds.layout import Field, Size
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.template.defaultfilters import filesizeformat

from surveys.forms.partnerships import form_helper, submit_button
from surveys.forms.text import UNSTORABLE, StorableTextMixin
from surveys.models import (
    INVITEE_MESSAGE_MAX_LENGTH,
    Invitation,
    Organisation,
    RespondentRole,
)
from surveys.services.invitations import InvitationRow

MAX_IMPORT_BYTES = 1024 * 1024
MAX_IMPORT_ROWS = 5000
MAX_REPORTED_ERRORS = 25
# A role is one of a short list, typed as its label or its code: free text could name
# one person ("Chief Executive") in a respondent-level export.
ROLE_LOOKUP = {
    text.lower(): code
    for code, label in RespondentRole.choices
    for text in (code, label, code.replace("_", " "))
}
ROLE_LIST = ", ".join(f"‘{label}’" for label in RespondentRole.labels)
EMAIL_MAX_LENGTH = Invitation._meta.get_field("email").max_length
# The words a spreadsheet may use for the language of someone's emails, each mapped to a
# Django language code of settings.LANGUAGES.
LANGUAGE_LOOKUP = {
    "en": "en-gb",
    "en-gb": "en-gb",
    "english": "en-gb",
    "saesneg": "en-gb",
    "cy": "cy",
    "cymraeg": "cy",
    "welsh": "cy",
}
LANGUAGE_LIST = "‘English’ or ‘Cymraeg’ (or ‘en’, ‘cy’, ‘Welsh’)"


class ImportTooLargeError(ValueError):
    """More data than one import takes."""


class BinaryFileError(ValueError):
    """An upload that is not a text file at all."""


BINARY_FILE = (
    "The file is not a CSV file. In your spreadsheet, choose ‘Save as’ and the "
    "‘CSV UTF-8’ format, then upload the new file"
)


@dataclass
class ParsedImport:
    rows: list[InvitationRow] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def organisation_lookup(
    organisations: Iterable[Organisation],
) -> dict[str, list[Organisation]]:
    """Map lower-cased names and short names to the organisations that use them.

    A word two organisations use is kept with both, so that a line naming it is reported
    rather than given to whichever came first.
    """
    lookup: dict[str, list[Organisation]] = {}
    for org in organisations:
        for word in {org.name.strip().lower(), org.short_name.strip().lower()}:
            lookup.setdefault(word, []).append(org)
    return lookup


def _is_header(cells: list[str]) -> bool:
    first = cells[0].lower()
    return "@" not in first and first.startswith(("email", "e-mail"))


def _check_row(
    line: int,
    cells: list[str],
    lookup: dict[str, list[Organisation]],
    *,
    language: str = settings.LANGUAGE_CODE,
) -> InvitationRow | str:
    """Return the valid row, or what is wrong with it.

    `language` is the language of the emails for a line that names none.
    """
    if len(cells) < 2 or len(cells) > 4:
        return (
            f"Line {line}: expected 3 columns (email, organisation, role) and "
            f"optionally a fourth (language), but found {len(cells)}"
        )
    email, organisation, role, language_text = (*cells, "", "")[:4]
    if any(UNSTORABLE.search(cell) for cell in cells):
        return (
            f"Line {line}: contains a hidden character that cannot be saved – type the "
            "line again rather than copying and pasting it"
        )
    if not email:
        return f"Line {line}: the email address is missing"
    try:
        validate_email(email)
        if len(email) > EMAIL_MAX_LENGTH:
            raise ValidationError("too long")
    except ValidationError:
        return f"Line {line}: ‘{email[:80]}’ is not a valid email address"
    if not organisation:
        return f"Line {line}: the organisation is missing"
    found = lookup.get(organisation.lower(), [])
    if not found:
        return (
            f"Line {line}: ‘{organisation[:80]}’ is not an organisation in this "
            "partnership – use its name or short name"
        )
    if len(found) > 1:
        names = " and ".join(sorted(org.name for org in found))
        return (
            f"Line {line}: ‘{organisation[:80]}’ could be {names} – use the "
            "organisation’s full name"
        )
    org = found[0]
    kind = ROLE_LOOKUP.get(" ".join(role.split()).lower()) if role.strip() else ""
    if kind is None:
        return (
            f"Line {line}: ‘{role[:80]}’ is not one of the roles – use {ROLE_LIST}, "
            "or leave it empty"
        )
    if language_text:
        language = LANGUAGE_LOOKUP.get(language_text.lower(), "")
        if not language:
            return (
                f"Line {line}: ‘{language_text[:80]}’ is not a language we can "
                f"email in – use {LANGUAGE_LIST}, or leave it empty"
            )
    return InvitationRow(
        line=line, email=email, organisation=org, role=kind, language=language
    )


def parse_invitations(
    *,
    text: str,
    organisations: Iterable[Organisation],
    language: str = settings.LANGUAGE_CODE,
) -> ParsedImport:
    """Parse CSV text (commas, or tabs when pasted from a spreadsheet) into invitation rows.

    A first line of column names is optional. Blank lines are ignored. Lines with no
    language get `language`. Raises ImportTooLargeError past MAX_IMPORT_ROWS rows.
    """
    lookup = organisation_lookup(list(organisations))
    lines = text.splitlines()
    first = next((line for line in lines if line.strip()), "")
    delimiter = "\t" if "\t" in first and "," not in first else ","
    parsed = ParsedImport()
    count = 0
    reader = csv.reader(lines, delimiter=delimiter)
    for line, raw in enumerate(_read_rows(reader, parsed), start=1):
        cells = [cell.strip() for cell in raw]
        while cells and not cells[-1]:
            cells.pop()
        if not cells:
            continue
        if count == 0 and not parsed.errors and _is_header(cells):
            continue
        count += 1
        if count > MAX_IMPORT_ROWS:
            raise ImportTooLargeError(
                f"The list has more than {MAX_IMPORT_ROWS:,} people. "
                "Split it into smaller lists and import each one."
            )
        result = _check_row(line, cells, lookup, language=language)
        if isinstance(result, str):
            parsed.errors.append(result)
        else:
            parsed.rows.append(result)
    return parsed


def _read_rows(reader: Any, parsed: ParsedImport) -> Iterator[list[str]]:
    """Yield the reader's rows; a line the csv module cannot read ends the list with an error."""
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error:
            parsed.errors.append(
                f"Line {reader.line_num}: a cell is far too long – check that every "
                'opening quotation mark (") has a closing one'
            )
            return
        yield row


def decode_upload(data: bytes) -> str:
    """Decode an uploaded CSV (UTF-8, UTF-16 with a BOM, else Windows-1252); refuse binary files."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise BinaryFileError from exc
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = data.decode("cp1252", errors="replace")
    # Text never holds a NUL; workbooks, images and UTF-16 without a BOM do.
    if "\x00" in text:
        raise BinaryFileError
    return text


class InvitationImportForm(StorableTextMixin, forms.Form):
    """Paste or upload the people to invite; every line is checked before anything is saved."""

    text_names = {"text": "The pasted list"}

    text = forms.CharField(
        label="Paste the list",
        required=False,
        strip=False,  # leading blank lines still count, so error line numbers match
        help_text=(
            "One person per line: email address, organisation, role, language. For "
            "example, jo.bloggs@nhft.nhs.uk, NHFT, Executive, Cymraeg"
        ),
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false"}),
    )
    file = forms.FileField(
        label="Or upload a CSV file",
        required=False,
        help_text=f"The file must be smaller than {filesizeformat(MAX_IMPORT_BYTES)}.",
    )
    language = forms.ChoiceField(
        label="Language of their emails",
        help_text="For people whose line has no language column.",
        choices=settings.LANGUAGES,
        initial=settings.LANGUAGE_CODE,
        # Optional: a list posted without it (a script, an old page) is in English.
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Choose a language from the list"},
    )

    def __init__(
        self, *args: Any, organisations: Iterable[Organisation], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.organisations = list(organisations)
        self.helper = form_helper(
            Field.textarea("text", label_size=Size.SMALL, rows=8),
            Field("file", context={"label_size": Size.for_label("s")}),
            Field.radios("language", legend_size=Size.SMALL, small=True),
            submit_button("import", "Check and import"),
        )

    def clean_file(self) -> Any:
        upload = self.cleaned_data.get("file")
        if upload and upload.size > MAX_IMPORT_BYTES:
            raise ValidationError(
                f"The file must be smaller than {filesizeformat(MAX_IMPORT_BYTES)}: "
                f"this one is {filesizeformat(upload.size)}. Split it into smaller files."
            )
        return upload

    def clean_text(self) -> str:
        text = self.cleaned_data.get("text", "")
        if len(text.encode()) > MAX_IMPORT_BYTES:
            raise ValidationError(
                f"The pasted list must be smaller than {filesizeformat(MAX_IMPORT_BYTES)}. "
                "Split it into smaller lists."
            )
        return text

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self.errors:
            return cleaned
        upload, text = cleaned.get("file"), cleaned.get("text", "")
        if upload and text.strip():
            raise ValidationError(
                "Paste a list or upload a file, not both", code="both"
            )
        if upload:
            try:
                text = decode_upload(upload.read())
            except BinaryFileError:
                self.add_error("file", BINARY_FILE)
                return cleaned
        if not text.strip():
            raise ValidationError(
                "Paste a list of people or choose a CSV file", code="empty"
            )
        try:
            parsed = parse_invitations(
                text=text,
                organisations=self.organisations,
                language=cleaned.get("language") or settings.LANGUAGE_CODE,
            )
        except ImportTooLargeError as exc:
            raise ValidationError(str(exc), code="too_many") from exc
        if parsed.errors:
            # Each bad line becomes an error on the field it came from, so the error
            # summary lists them with links; nothing is imported.
            source = "file" if upload else "text"
            shown = parsed.errors[:MAX_REPORTED_ERRORS]
            problems = (
                "1 line has a problem"
                if len(parsed.errors) == 1
                else f"{len(parsed.errors)} lines have problems"
            )
            first = (
                f"{problems}, so nobody was imported. Correct the list and try again"
            )
            if len(parsed.errors) > len(shown):
                first += f" (the first {len(shown)} are listed)"
            self.add_error(source, first)
            for error in shown:
                self.add_error(source, error)
            return cleaned
        if not parsed.rows:
            raise ValidationError("The list has no people in it", code="empty")
        cleaned["rows"] = parsed.rows
        return cleaned


class InviteeSearchForm(StorableTextMixin, forms.Form):
    """Find invitees by address or organisation, and by where they stand."""

    text_names = {"q": "Search"}

    q = forms.CharField(
        label="Search by email address or organisation",
        required=False,
        max_length=200,
    )
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[],
        error_messages={"invalid_choice": "Select a status from the list"},
    )

    def __init__(self, *args: Any, statuses: dict[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", "Any status"), *statuses.items()]


class InviteeEmailForm(StorableTextMixin, forms.Form):
    """The corrected email address of one invitee."""

    email = forms.EmailField(
        label="Correct email address",
        max_length=EMAIL_MAX_LENGTH,
        help_text="The old link stops working. If the old address was sent an "
        "invitation, the new address is sent one now.",
        error_messages={
            "required": "Enter the correct email address",
            "invalid": "Enter an email address in the correct format, like name@example.org",
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].widget.attrs.update(
            {"autocomplete": "off", "spellcheck": "false"}
        )
        self.helper = form_helper(
            Field.text("email", label_size=Size.SMALL),
            submit_button("save", "Correct address and cut the old link"),
        )


class InviteeMessageForm(StorableTextMixin, forms.Form):
    """The lead's own short note, quoted in invitations and reminders."""

    message = forms.CharField(
        label="Your message to invitees (optional)",
        required=False,
        max_length=INVITEE_MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=(
            f"Up to {INVITEE_MESSAGE_MAX_LENGTH} characters of plain text, quoted "
            "under your name as your own words. Web addresses are shown as text, not "
            "links, so people are not led to other sites from our emails."
        ),
        error_messages={
            "max_length": f"Your message must be {INVITEE_MESSAGE_MAX_LENGTH} "
            "characters or fewer"
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = form_helper(
            Field.textarea(
                "message",
                label_size=Size.SMALL,
                max_characters=INVITEE_MESSAGE_MAX_LENGTH,
            ),
            submit_button("preview", "Preview", css_class="govuk-button--secondary"),
            submit_button("save", "Save message"),
        )


class InviteeLanguageForm(StorableTextMixin, forms.Form):
    """The language one invitee's emails are written in."""

    language = forms.ChoiceField(
        label="Language of their emails",
        help_text="Their invitation and reminders from now on. The link stays the same.",
        choices=settings.LANGUAGES,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose the language of their emails",
            "invalid_choice": "Choose a language from the list",
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = form_helper(
            Field.radios("language", legend_size=Size.SMALL),
            submit_button("save", "Change language"),
        )
