"""The action-planning form: one focus area with its finding, action, owner and date."""

from typing import Any

from crispy_forms_gds.layout import Field, Size
from django import forms

from surveys.forms.partnerships import DayMonthYearField, form_helper, submit_button
from surveys.forms.text import StorableTextMixin
from surveys.models import Block, Dimension, FocusArea, Organisation, Survey


class FocusAreaForm(StorableTextMixin, forms.ModelForm):
    """Say what to work on, why, what you will do, who leads it and by when."""

    text_names = {"finding": "The finding", "action": "The action"}

    due_date = DayMonthYearField(
        label="Date to review progress",
        help_text="For example, 31 3 2027",
    )

    class Meta:
        model = FocusArea
        fields = ["dimension", "finding", "action", "owner", "due_date"]
        labels = {
            "dimension": "Which part of readiness is it about?",
            "finding": "What did the results show?",
            "action": "What will you do?",
            "owner": "Which organisation will lead it?",
        }
        help_texts = {
            "finding": "The figure or gap that prompted this, for example ‘funding and finance is 2.6, the lowest of all’",
            "action": "One concrete action, for example ‘run a joint session on how each partner is funded’",
        }
        error_messages = {
            "dimension": {"required": "Select the part of readiness it is about"},
            "finding": {"required": "Enter what the results showed"},
            "action": {"required": "Enter what you will do"},
            "owner": {"required": "Select the organisation that will lead it"},
        }
        widgets = {
            "dimension": forms.RadioSelect,
            "finding": forms.Textarea(attrs={"rows": 3}),
            "action": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(
        self, *args: Any, survey: Survey, submit_label: str = "Save", **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        dimension = self.fields["dimension"]
        dimension.queryset = Dimension.objects.filter(
            instrument_id=survey.instrument_id, block=Block.SELF
        ).order_by("order")
        dimension.empty_label = None
        owner = self.fields["owner"]
        owner.queryset = Organisation.objects.filter(
            partnerships=survey.partnership_id
        ).order_by("name")
        owner.empty_label = "Choose an organisation"
        self.fields["due_date"].error_messages["required"] = (
            "Enter the date to review progress"
        )
        self.helper = form_helper(
            Field.radios("dimension", legend_size=Size.SMALL, small=True),
            Field.textarea("finding", label_size=Size.SMALL, rows=3),
            Field.textarea("action", label_size=Size.SMALL, rows=3),
            Field("owner", context={"label_size": Size.for_label(Size.SMALL)}),
            Field("due_date", context={"legend_size": Size.for_legend("s")}),
            submit_button("save", submit_label),
        )

    def clean_finding(self) -> str:
        return self.cleaned_data["finding"].strip()

    def clean_action(self) -> str:
        return self.cleaned_data["action"].strip()
