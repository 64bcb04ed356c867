"""The lead's form for how many people an organisation asked to answer a round."""

import re
from typing import Any

from crispy_forms_gds.layout import Field, Size
from django import forms
from django.utils.html import escape

from surveys.forms.partnerships import form_helper, submit_button
from surveys.forms.text import StorableTextMixin
from surveys.models import Organisation
from surveys.services.eligibility import MAX_ELIGIBLE

_WHOLE = re.compile(r"-?[0-9]+")
_DECIMAL = re.compile(r"-?[0-9]*[.][0-9]+")


class EligibleForm(StorableTextMixin, forms.Form):
    """How many people were asked; blank means not known."""

    text_names = {"eligible": "The number of people asked"}

    # Text rather than IntegerField, so that each kind of slip gets its own message.
    eligible = forms.CharField(
        required=False,
        max_length=20,
        error_messages={"max_length": "Enter the number of people asked, like 12"},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "spellcheck": "false"}),
    )

    def __init__(
        self, *args: Any, organisation: Organisation, submitted: int, **kwargs: Any
    ) -> None:
        # `organisation` names the field; `submitted` is the least number accepted.
        super().__init__(*args, **kwargs)
        self.submitted = submitted
        field = self.fields["eligible"]
        # crispy-forms-gds prints labels as HTML: the name is the user's text, so escape it.
        field.label = f"Number of people asked at {escape(organisation.short_name)}"
        field.help_text = (
            "Count everyone on the board or leadership team who was asked, whether "
            "they answered or not. It gives the response rate and, when most of them "
            "have answered, narrower intervals around the results. Leave blank if you "
            "do not know."
        )
        self.helper = form_helper(
            Field.text("eligible", label_size=Size.SMALL, field_width=4),
            submit_button("save", "Save"),
        )

    def clean_eligible(self) -> int | None:
        text = self.cleaned_data["eligible"].strip().replace(",", "")
        if not text:
            return None
        if _DECIMAL.fullmatch(text):
            raise forms.ValidationError(
                "The number of people asked must be a whole number, like 12",
                code="whole",
            )
        if not _WHOLE.fullmatch(text):
            raise forms.ValidationError(
                "Enter the number of people asked as a number, like 12",
                code="invalid",
            )
        number = int(text)
        if number < 1:
            raise forms.ValidationError(
                "The number of people asked must be 1 or more", code="min_value"
            )
        if number > MAX_ELIGIBLE:
            raise forms.ValidationError(
                f"The number of people asked must be {MAX_ELIGIBLE:,} or fewer",
                code="max_value",
            )
        if number < self.submitted:
            raise forms.ValidationError(
                "The number of people asked cannot be fewer than the "
                f"{self.submitted} {'response' if self.submitted == 1 else 'responses'}"
                " already submitted",
                code="below_submitted",
            )
        return number
