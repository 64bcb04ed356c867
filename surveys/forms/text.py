"""Rules every form's fields follow: only text that can be stored, and errors worded for people."""

import re
from typing import Any, ClassVar

from django import forms
from django.core import validators
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# NUL (PostgreSQL refuses it), the other control characters but tab, line feed and carriage
# return (spreadsheets and XML refuse them), lone surrogates (not UTF-8) and non-characters.
UNSTORABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
UNSTORABLE_CODE = "unstorable"


def validate_storable(value: Any) -> None:
    """Refuse text holding a character that cannot be saved, exported or printed."""
    if isinstance(value, str) and UNSTORABLE.search(value):
        raise ValidationError(
            _("This contains a hidden character that cannot be saved"),
            code=UNSTORABLE_CODE,
        )


def unstorable_message(name: str) -> str:
    """Return the error for text with a hidden character in it, naming the field."""
    return _(
        "%(name)s contains a hidden character that cannot be saved. "
        "Type it again rather than copying and pasting it"
    ) % {"name": name}


def _refuse_unreadable_choice(field: forms.ModelChoiceField) -> Any:
    """Return a check that refuses a chosen key holding a NUL, in the field's own words."""

    def validate(value: Any) -> None:
        if isinstance(value, str) and UNSTORABLE.search(value):
            raise ValidationError(
                field.error_messages["invalid_choice"], code="invalid_choice"
            )

    return validate


def guard_field(field: forms.Field, name: str) -> None:
    """Give a field the storable-text check and GOV.UK wording for its generic errors."""
    if isinstance(field, forms.MultiValueField):
        for part in field.fields:
            guard_field(part, name)
    if isinstance(field, forms.ChoiceField):
        default = type(field).default_error_messages.get("invalid_choice")
        if field.error_messages.get("invalid_choice") == default:
            # A value that is not on the list gets the same words as no value at all.
            field.error_messages["invalid_choice"] = field.error_messages["required"]
    if isinstance(field, forms.ModelChoiceField):
        # Django refuses a NUL in a chosen key with its own words; use the field's.
        field.validate_no_null_characters = _refuse_unreadable_choice(field)
    if not isinstance(field, forms.CharField):
        return
    field.validators = [
        v
        for v in field.validators
        if not isinstance(v, validators.ProhibitNullCharactersValidator)
    ]
    if validate_storable not in field.validators:
        field.validators.append(validate_storable)
    field.error_messages.setdefault(UNSTORABLE_CODE, unstorable_message(name))
    if field.max_length is None:
        return
    if not any(isinstance(v, validators.MaxLengthValidator) for v in field.validators):
        # Django's sign-in form sets max_length after the field is made, unenforced.
        field.validators.append(validators.MaxLengthValidator(field.max_length))
    field.error_messages.setdefault(
        "max_length",
        _("%(name)s must be %(max)s characters or fewer")
        % {"name": name, "max": field.max_length},
    )


class StorableTextMixin:
    """Mixed into every form: text fields refuse what cannot be stored, errors name the field."""

    # How an error refers to a field whose label is a question, e.g. "Your comment".
    text_names: ClassVar[dict[str, str]] = {}

    def full_clean(self) -> None:
        for name, field in self.fields.items():
            guard_field(field, self.text_names.get(name) or str(field.label or name))
        super().full_clean()
