"""Forms for the lead's pages: partnerships, organisations, rounds and the team."""

from datetime import date
from typing import Any

from crispy_forms_gds.fields import DateInputField
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import HTML, Button, Field, Fieldset, Fluid, Layout, Size
from django import forms
from django.core.validators import RegexValidator
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.html import escape, format_html

from surveys.forms.text import StorableTextMixin
from surveys.instrument_text import language_key
from surveys.models import (
    DEFAULT_ANONYMITY_THRESHOLD,
    MIN_ANONYMITY_THRESHOLD,
    SURVEY_LANGUAGES,
    Instrument,
    Membership,
    Organisation,
    Partnership,
    Survey,
    User,
    default_survey_languages,
)
from surveys.services.invitations import REMINDER_SCHEDULES, describe_schedule
from surveys.services.partnerships import name_clash

MAX_ANONYMITY_THRESHOLD = 50
LANGUAGES_SHOWN = "languages_shown"
USERNAME_MAX_LENGTH = User._meta.get_field("username").max_length


def submit_button(name: str, label: str, **kwargs: Any) -> Button:
    """Return a GOV.UK submit button that ignores a double click."""
    return Button(name, label, data_prevent_double_click="true", **kwargs)


def form_helper(*layout: Any) -> FormHelper:
    """Return a helper that renders a POST form with server-side validation only."""
    helper = FormHelper()
    helper.attrs = {"novalidate": ""}
    helper.layout = Layout(*layout)
    return helper


class PartnershipForm(StorableTextMixin, forms.ModelForm):
    """Name a partnership and say what kind it is."""

    class Meta:
        model = Partnership
        fields = ["name", "kind"]
        labels = {"name": "Partnership name", "kind": "What kind of partnership is it?"}
        help_texts = {"name": "For example, Northshire Place Partnership"}
        error_messages = {
            "name": {"required": "Enter the partnership’s name"},
            "kind": {"required": "Select what kind of partnership it is"},
        }
        widgets = {"kind": forms.RadioSelect}

    def __init__(self, *args: Any, submit_label: str = "Save", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = Partnership.Kind.choices  # no blank radio
        self.helper = form_helper(
            Field.text("name", label_size=Size.SMALL),
            Field.radios("kind", legend_size=Size.SMALL),
            submit_button("save", submit_label),
        )

    def clean_name(self) -> str:
        return " ".join(self.cleaned_data["name"].split())


class ExistingOrganisationForm(StorableTextMixin, forms.Form):
    """Pick an organisation from another partnership the lead leads."""

    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        label="Organisation",
        empty_label="Choose an organisation",
        error_messages={
            "required": "Choose an organisation",
            "invalid_choice": "Choose an organisation from the list",
        },
    )

    def __init__(
        self, *args: Any, choices: QuerySet[Organisation], **kwargs: Any
    ) -> None:
        kwargs.setdefault("prefix", "existing")
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = choices
        self.helper = form_helper(
            Field.select("organisation"),
            submit_button("add_existing", "Add organisation"),
        )


class OrganisationForm(StorableTextMixin, forms.ModelForm):
    """Describe a new organisation: its full name, short name and sector."""

    class Meta:
        model = Organisation
        fields = ["name", "short_name", "sector"]
        labels = {
            "name": "Full name",
            "short_name": "Short name",
            "sector": "Sector",
        }
        help_texts = {
            "name": "For example, Northshire Hospitals NHS Foundation Trust",
            "short_name": "Used in tables and charts, for example NHFT",
        }
        error_messages = {
            "name": {"required": "Enter the organisation’s full name"},
            "short_name": {"required": "Enter a short name, for example NHFT"},
            "sector": {"required": "Select the organisation’s sector"},
        }

    def __init__(
        self, *args: Any, partnership: Partnership | None = None, **kwargs: Any
    ) -> None:
        kwargs.setdefault("prefix", "new")
        self.partnership = partnership
        super().__init__(*args, **kwargs)
        self.fields["sector"].choices = [
            ("", "Choose a sector"),
            *self.fields["sector"].choices[1:],
        ]
        self.helper = form_helper(
            Field.text("name"),
            Field.text("short_name", field_width=10),
            Field.select("sector"),
            submit_button("add_new", "Create and add organisation"),
        )

    def clean_name(self) -> str:
        return " ".join(self.cleaned_data["name"].split())

    def clean_short_name(self) -> str:
        return self.cleaned_data["short_name"].strip()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        name, short_name = cleaned.get("name"), cleaned.get("short_name")
        if self.partnership is not None:
            # Only this partnership's members are compared: whether another tenant has an
            # organisation of the same name is neither an obstacle nor anyone's business.
            for field, value in (("name", name), ("short_name", short_name)):
                clash = value and name_clash(
                    partnership=self.partnership, field=field, value=value
                )
                if clash:
                    self.add_error(field, str(clash))
        return cleaned

    def validate_unique(self) -> None:
        # Names are unique per partnership (clean), not across the service.
        pass


class DayMonthYearField(DateInputField):
    """A GOV.UK date input whose every error names the date it is about."""

    def __init__(self, *, label: str, **kwargs: Any) -> None:
        # Each part is checked on its own, so that a date left half-typed is reported as
        # missing its day, month or year rather than quietly taken as no date at all.
        super().__init__(label=label, require_all_fields=False, **kwargs)
        invalid = f"{label} must be a real date"
        self.error_messages.update(
            {
                "required": f"Enter the {label.lower()}",
                "incomplete": f"{label} must include a day, month and year",
                "invalid": invalid,
            }
        )
        for part, subfield in zip(("day", "month", "year"), self.fields, strict=True):
            subfield.validators = [RegexValidator(r"^[0-9]+$", invalid)]
            # "required" when a part is only spaces, "incomplete" when it is empty.
            subfield.error_messages["incomplete"] = f"{label} must include a {part}"
            subfield.error_messages["required"] = f"{label} must include a {part}"

    def compress(self, data_list: list[str]) -> date | None:
        try:
            value = super().compress(data_list)
        except (forms.ValidationError, OverflowError) as exc:  # a year of 20 digits
            raise forms.ValidationError(
                self.error_messages["invalid"], code="invalid"
            ) from exc
        if value is not None and not 2000 <= value.year <= 2100:
            raise forms.ValidationError(
                f"{self.label} must include a year with 4 numbers, like 2027",
                code="invalid",
            )
        return value


def _date_field(label: str, hint: str) -> DayMonthYearField:
    return DayMonthYearField(label=label, help_text=hint, required=False)


class RoundForm(StorableTextMixin, forms.Form):
    """A round's title, questionnaire, dates and anonymity threshold."""

    title = forms.CharField(
        label="Round title",
        max_length=200,
        help_text="People see this at the top of the survey, for example ‘Collaboration readiness, spring 2027’",
        error_messages={"required": "Enter a title for the round"},
    )
    instrument = forms.ModelChoiceField(
        queryset=Instrument.objects.order_by("title", "-version"),
        label="Questionnaire",
        empty_label=None,
        widget=forms.RadioSelect,
        error_messages={"required": "Select a questionnaire"},
    )
    languages = forms.MultipleChoiceField(
        label="Languages",
        # Each name in its own language, marked so that screen readers say it so.
        choices=[
            (code, format_html('<span lang="{}">{}</span>', code, name))
            for code, name in SURVEY_LANGUAGES.items()
        ],
        initial=["en-gb"],
        required=False,  # left out of a post, unchanged (English for a new round)
        widget=forms.CheckboxSelectMultiple,
        help_text=(
            "Respondents see the survey in the language their browser asks for, if the "
            "round offers it, otherwise in the first one ticked, and can switch between "
            "the languages ticked on every page."
        ),
        error_messages={"required": "Select at least one language"},
    )
    opens_on = _date_field(
        "Opening date",
        "Links work from the start of this day once you open the round. Leave blank to open as soon as you choose ‘Open round’. For example, 2 3 2027",
    )
    closes_on = _date_field(
        "Closing date",
        "Links stop working at the end of this day. For example, 30 4 2027",
    )
    anonymity_threshold = forms.IntegerField(
        label="Anonymity threshold",
        help_text=(
            "Results for a group are shown only when at least this many people in it "
            f"have answered. The minimum is {MIN_ANONYMITY_THRESHOLD}."
        ),
        initial=DEFAULT_ANONYMITY_THRESHOLD,
        min_value=MIN_ANONYMITY_THRESHOLD,
        max_value=MAX_ANONYMITY_THRESHOLD,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "spellcheck": "false"}),
        error_messages={
            "required": "Enter the anonymity threshold",
            "invalid": "Anonymity threshold must be a whole number",
            "min_value": f"Anonymity threshold must be {MIN_ANONYMITY_THRESHOLD} or more, to protect respondents",
            "max_value": f"Anonymity threshold must be {MAX_ANONYMITY_THRESHOLD} or fewer",
        },
    )

    release_rule = forms.ChoiceField(
        label="When results appear",
        choices=[
            (
                Survey.ReleaseRule.AT_CLOSE,
                "When the round closes (recommended): every response counts",
            ),
            (
                Survey.ReleaseRule.GROUPS,
                "While it is open, in whole groups of the threshold: a last few "
                "responses from some organisations may never count",
            ),
        ],
        initial=Survey.ReleaseRule.AT_CLOSE,
        required=False,  # left out, the recommended rule
        widget=forms.RadioSelect,
        help_text=(
            "Results must never change by fewer people than the threshold, or comparing "
            "two views would show those people’s answers. So either nothing is shown "
            "until the round closes, or results are shown while it is open and each "
            "organisation’s responses count only in whole groups of the threshold "
            "(with a threshold of 5, an organisation with 8 responses shows 5), before "
            "and after the close. At board sizes the first loses far fewer answers."
        ),
        error_messages={"required": "Select when results appear"},
    )
    reminder_days = forms.ChoiceField(
        label="Automatic reminders",
        choices=[
            (key, describe_schedule(days).capitalize())
            for key, days in REMINDER_SCHEDULES.items()
        ],
        initial="5,10",
        required=False,  # left out, none
        widget=forms.RadioSelect,
        help_text=(
            "Reminders go only to people who have been sent an invitation and have not "
            "submitted, never after the round closes. You can also remind people by "
            "hand at any time."
        ),
        error_messages={
            "required": "Select how often to send automatic reminders",
            "invalid_choice": "Select how often to send automatic reminders",
        },
    )

    def __init__(
        self,
        *args: Any,
        survey: Survey | None = None,
        submit_label: str = "Create round",
        **kwargs: Any,
    ) -> None:
        self.survey = survey
        if survey is not None:
            kwargs.setdefault("initial", self.initial_for(survey))
        super().__init__(*args, **kwargs)
        layout: list[Any] = [Field.text("title", label_size=Size.SMALL)]
        if survey is None:
            instruments = self.fields["instrument"].queryset
            self.fields["instrument"].initial = instruments.order_by(
                "-created_at"
            ).first()
            layout.append(Field.radios("instrument", legend_size=Size.SMALL))
        else:
            del self.fields["instrument"]  # fixed once the round exists
        layout += [
            Field.checkboxes("languages", legend_size=Size.SMALL, small=True),
            # Unticking every box sends nothing: this says the boxes were on the page.
            HTML(f'<input type="hidden" name="{LANGUAGES_SHOWN}" value="1">'),
            Fieldset(
                Field("opens_on", context={"legend_size": Size.for_legend("s")}),
                Field("closes_on", context={"legend_size": Size.for_legend("s")}),
                legend="Dates",
                legend_size=Size.MEDIUM,
            ),
            Field.text("anonymity_threshold", label_size=Size.SMALL, field_width=2),
            Field.radios("release_rule", legend_size=Size.SMALL),
            Field.radios("reminder_days", legend_size=Size.SMALL),
        ]
        if survey is not None and survey.status != Survey.Status.DRAFT:
            self.fields["anonymity_threshold"].disabled = True
            self.fields[
                "anonymity_threshold"
            ].help_text = "The threshold cannot change once the round has opened."
            self.fields["release_rule"].disabled = True
            self.fields["release_rule"].help_text = (
                "This cannot change once the round has opened: switching rules would "
                "let two views of the results differ by fewer people than the threshold."
            )
        self.helper = form_helper(*layout, submit_button("save", submit_label))

    @staticmethod
    def initial_for(survey: Survey) -> dict[str, Any]:
        def local_date(moment: Any) -> date | None:
            return timezone.localtime(moment).date() if moment else None

        return {
            "title": survey.title,
            "opens_on": local_date(survey.opens_at),
            "closes_on": local_date(survey.closes_at),
            "anonymity_threshold": survey.anonymity_threshold,
            "release_rule": survey.release_rule,
            "reminder_days": ",".join(str(d) for d in survey.reminder_days),
            "languages": survey.languages,
        }

    def clean_title(self) -> str:
        return " ".join(self.cleaned_data["title"].split())

    def clean_languages(self) -> list[str]:
        chosen = set(self.cleaned_data["languages"])
        if not chosen and self.data.get(LANGUAGES_SHOWN):
            raise forms.ValidationError(
                self.fields["languages"].error_messages["required"]
            )
        if not chosen:
            return self.survey.languages if self.survey else default_survey_languages()
        return [code for code in SURVEY_LANGUAGES if code in chosen]

    def clean_reminder_days(self) -> list[int]:
        return REMINDER_SCHEDULES[self.cleaned_data.get("reminder_days") or ""]

    def clean_release_rule(self) -> str:
        return self.cleaned_data.get("release_rule") or Survey.ReleaseRule.AT_CLOSE

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        opens, closes = cleaned.get("opens_on"), cleaned.get("closes_on")
        today = timezone.localdate()
        if closes and closes < today and "closes_on" not in self.errors:
            self.add_error("closes_on", "Closing date must be today or in the future")
        if opens and closes and closes < opens and "closes_on" not in self.errors:
            self.add_error(
                "closes_on",
                "Closing date must be the same as or after the opening date",
            )
        instrument = cleaned.get("instrument") or (
            self.survey.instrument if self.survey else None
        )
        languages = cleaned.get("languages") or []
        missing = [
            name
            for code, name in SURVEY_LANGUAGES.items()
            if code in languages
            and instrument is not None
            and language_key(code) not in instrument.languages
        ]
        if missing and "languages" not in self.errors:
            # Otherwise the page around the questions would be in one language and the
            # questions themselves in another.
            self.add_error(
                "languages",
                f"This questionnaire has no wording in {missing[0]}: untick "
                f"{missing[0]}, or choose a questionnaire that has it",
            )
        return cleaned


ROLE_CHOICES = [
    (
        Membership.Role.LEAD,
        "ICS lead – runs survey rounds, invites people and manages the team",
    ),
    (Membership.Role.CONSULTANT, "Consultant – reads the dashboards"),
    (
        Membership.Role.ANALYST,
        "Analyst – reads the dashboards and downloads the data",
    ),
]


class MemberInviteForm(StorableTextMixin, forms.Form):
    """A colleague's name, email address and role on the partnership."""

    first_name = forms.CharField(
        label="First name",
        max_length=150,
        error_messages={"required": "Enter their first name"},
    )
    last_name = forms.CharField(
        label="Last name",
        max_length=150,
        error_messages={"required": "Enter their last name"},
    )
    email = forms.EmailField(
        label="Email address",
        max_length=USERNAME_MAX_LENGTH,
        help_text="We will email them a link to set a password and sign in.",
        error_messages={
            "required": "Enter their email address",
            "invalid": "Enter an email address in the correct format, like name@example.org",
        },
        widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    role = forms.ChoiceField(
        label="Role",
        choices=ROLE_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": "Select their role"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = form_helper(
            Field.text("first_name", field_width=Fluid.ONE_HALF),
            Field.text("last_name", field_width=Fluid.ONE_HALF),
            Field.text("email", field_width=Fluid.TWO_THIRDS),
            Field.radios("role", legend_size=Size.SMALL),
            submit_button("invite", "Send invitation"),
        )

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip()
        # A new colleague's username is the address in lower case, which can be longer.
        if len(email.lower()) > USERNAME_MAX_LENGTH:
            raise forms.ValidationError(
                self.fields["email"].error_messages["max_length"]
            )
        return email


class MemberRoleForm(StorableTextMixin, forms.Form):
    """A team member's new role."""

    role = forms.ChoiceField(
        label="Role",
        choices=ROLE_CHOICES,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select their role",
            "invalid_choice": "Select one of the roles",
        },
    )

    def __init__(self, *args: Any, name: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].label = f"What should {escape(name)}’s role be?"
        self.helper = form_helper(
            Field.radios("role", legend_size=Size.SMALL),
            submit_button("save", "Change role"),
        )
