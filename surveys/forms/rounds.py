"""The form to extend an open round or reopen a closed one."""

from datetime import date
from typing import Any

from django import forms
from django.utils import timezone

from surveys.forms.partnerships import DayMonthYearField, form_helper, submit_button
from surveys.forms.text import StorableTextMixin


class RoundDatesForm(StorableTextMixin, forms.Form):
    """A round's new closing date, later than today."""

    closes_on = DayMonthYearField(
        label="New closing date",
        help_text="Links stop working at the end of this day. For example, 30 4 2027",
        required=True,
    )

    def __init__(self, *args: Any, submit_label: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = form_helper("closes_on", submit_button("continue", submit_label))

    def clean_closes_on(self) -> date:
        closes = self.cleaned_data["closes_on"]
        if closes < timezone.localdate():
            raise forms.ValidationError(
                "The new closing date must be today or in the future"
            )
        return closes
