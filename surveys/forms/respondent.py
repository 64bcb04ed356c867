"""Forms of the respondent journey, laid out with the GOV.UK Design System."""

import copy
import hashlib
import re
import threading
from collections import OrderedDict, defaultdict
from hmac import compare_digest
from typing import Any

from crispy_forms.utils import render_crispy_form
from crispy_forms_gds.choices import Choice
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import HTML, Field, Fieldset, Layout, Size, Submit
from django import forms
from django.db import connection
from django.utils.functional import cached_property
from django.utils.html import escape
from django.utils.safestring import SafeString
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from surveys.forms.text import UNSTORABLE_CODE, StorableTextMixin
from surveys.journey import FAMILIARITY_SKIP, SavedAnswers, Step
from surveys.models import Answer, Comment, Item, ProfileAnswer, Response
from surveys.prepared import SAVED_COMMENT, SAVED_POINTS, SAVED_RATING, saved_rows
from surveys.services.responses import PageAnswers

DONT_KNOW = "dk"
COMMENT_FIELD = "comment"
COMMENT_MAX_LENGTH = 2000
# Keys a browser sends besides the form's own fields.
ALLOWED_EXTRA_KEYS = {
    "csrfmiddlewaretoken",
    "continue",
    "save_and_exit",
    "email_link",
    "resume_email",  # read by ResumeEmailForm, never by the page's answers
    "language",  # the language switcher's buttons (views.respondent.respondent_step)
}
START_KEY_PATTERN = re.compile(r"^[A-Za-z0-9_-]{22,64}$")
START_AGAIN = gettext_lazy(
    "Something went wrong starting the survey. Please select ‘Start now’ again."
)
# A hidden field's errors mean the page was tampered with or cut short, not mistyped.
HIDDEN_FIELD_ERRORS = ("required", "max_length", UNSTORABLE_CODE)


def field_name(item: Item) -> str:
    """Return the form field name for an item."""
    return item.code.lower()


def item_text(item: Item, step: Step) -> str:
    """Return the item's wording in the page's language, with the partner's name filled in."""
    text = step.text.item_text(item)
    return text.replace("{partner}", step.subject.name) if step.subject else text


# A blank page's questions look the same to everyone: keep their HTML per process.
_BLANK_PAGES: OrderedDict[tuple, SafeString] = OrderedDict()
_BLANK_PAGES_LOCK = threading.Lock()
BLANK_PAGES_KEPT = 512


def blank_questions_key(step: Step) -> tuple:
    """Return what a page's questions, shown blank, depend on: in the active language."""
    return (
        step.slug,
        step.dimension.pk,
        get_language(),  # the page's own words are translated too
        step.text.cache_key,
        step.subject.name if step.subject else "",
        tuple((i.pk, i.text) for i in step.items),
    )


# A page's fields depend only on its questions (blank_questions_key) and on whether it is
# saved partially: built once per process, each form gets its own copies (issue 17).
_PAGE_FIELDS: OrderedDict[tuple, dict[str, forms.Field]] = OrderedDict()
_PAGE_FIELDS_LOCK = threading.Lock()
PAGE_FIELDS_KEPT = 512


def _own_copy(field: forms.Field) -> forms.Field:
    """Return a copy of a kept field that a form may change as Django's own copy allows:
    its widget and the widget's attributes (crispy-forms-gds writes classes and ARIA
    attributes into them when it renders), its error messages and validators
    (guard_field). Choices and labels are strings no form changes, so they are shared."""
    own = copy.copy(field)
    own.widget = copy.copy(field.widget)
    own.widget.attrs = field.widget.attrs.copy()
    own.error_messages = field.error_messages.copy()
    own.validators = field.validators[:]
    return own


class StepForm(StorableTextMixin, forms.Form):
    """One questionnaire page; validates every answer and rejects forged fields."""

    text_names = {COMMENT_FIELD: gettext_lazy("Your comment")}

    def render_fields(self) -> SafeString:
        """Return the page's questions as HTML (crispy-forms-gds), reusing blank pages.

        Rendering forty GOV.UK radio groups is most of a page view's time; a page with no
        answers and no errors yet depends only on its questions, so it is rendered once.
        """
        key = self.blank_key()
        if key is None:
            return render_crispy_form(self, self.helper)
        with _BLANK_PAGES_LOCK:
            html = _BLANK_PAGES.get(key)
        if html is None:
            html = render_crispy_form(self, self.helper)
            with _BLANK_PAGES_LOCK:
                _BLANK_PAGES[key] = html
                while len(_BLANK_PAGES) > BLANK_PAGES_KEPT:
                    _BLANK_PAGES.popitem(last=False)
        return html

    def blank_key(self) -> tuple | None:
        """Return what a page nobody has answered yet depends on, or None if this one is not
        blank (posted, or shown with saved answers): its questions in the active language."""
        if self.is_bound or any(v not in (None, "") for v in self.initial.values()):
            return None
        return blank_questions_key(self.step)

    def __init__(
        self, *args: Any, step: Step, scale: dict, partial: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.step = step
        self.scale = scale
        # "Save and come back later" keeps whatever valid answers were given, even if some
        # questions are still blank; the page then simply stays incomplete.
        self.partial = partial
        if scale is not step.text.scale:  # labels other than the page's own: not kept
            self.fields.update(self._page_fields())
            return
        key = (blank_questions_key(step), partial)
        with _PAGE_FIELDS_LOCK:
            kept = _PAGE_FIELDS.get(key)
        if kept is None:
            kept = self._page_fields()
            with _PAGE_FIELDS_LOCK:
                _PAGE_FIELDS[key] = kept
                while len(_PAGE_FIELDS) > PAGE_FIELDS_KEPT:
                    _PAGE_FIELDS.popitem(last=False)
        self.fields.update((name, _own_copy(f)) for name, f in kept.items())

    def _page_fields(self) -> dict[str, forms.Field]:
        """Build the page's fields, in the active language (kept per process, never
        given to a form but copied)."""
        step = self.step
        fields: dict[str, forms.Field] = {}
        for item in step.items:
            fields[field_name(item)] = self._field_for(item)
        if step.subject is None:
            fields[COMMENT_FIELD] = forms.CharField(
                label=_(
                    "Anything you would like to add about this section? (optional)"
                ),
                help_text=_(
                    "Do not include names or anything that could identify you or others."
                ),
                required=False,
                max_length=COMMENT_MAX_LENGTH,
                widget=forms.Textarea(attrs={"rows": 3}),
                error_messages={
                    "max_length": _("Comment must be %(max)s characters or fewer")
                    % {"max": COMMENT_MAX_LENGTH}
                },
            )
        if self.partial:
            for form_field in fields.values():
                form_field.required = False
        return fields

    @cached_property
    def helper(self) -> FormHelper:
        """Return the page's GOV.UK layout; built only when the page is rendered afresh
        (a page save that redirects and a kept blank page never need it)."""
        layout: list[Any] = []
        prompts: dict[str, list[str]] = defaultdict(list)
        legends: dict[str, str] = {}
        for item in self.step.items:
            name = field_name(item)
            if item.response_format in (Item.Format.POINTS, Item.Format.ALIGNMENT):
                prompts[item.prompt].append(name)
                legends[item.prompt] = self.step.text.item_prompt(item)
            else:
                layout.append(
                    Field.radios(name, legend_size=Size.SMALL, small=True, inline=True)
                )
        for prompt, names in prompts.items():
            is_points = self.fields[names[0]].__class__ is forms.IntegerField
            fields = [
                Field.text(n, field_width=3)
                if is_points
                else Field.radios(n, legend_size=Size.SMALL, small=True, inline=True)
                for n in names
            ]
            hint = (
                HTML(
                    '<p class="govuk-hint app-points-hint" data-total="{}">{}</p>'.format(
                        escape(_("Total: %(sum)s of 100 points")),
                        escape(
                            _(
                                "Split 100 points between the four statements. "
                                "Leave all four empty to skip this question."
                            )
                        ),
                    )
                )
                if is_points
                else HTML("")
            )
            layout.append(
                Fieldset(hint, *fields, legend=legends[prompt], legend_size=Size.MEDIUM)
            )
        if self.step.subject is None:
            layout.append(
                Field.textarea(
                    COMMENT_FIELD,
                    label_size=Size.SMALL,
                    max_characters=COMMENT_MAX_LENGTH,
                )
            )
        helper = FormHelper()
        helper.form_tag = False
        helper.layout = Layout(*layout)
        return helper

    def _field_for(self, item: Item) -> forms.Field:
        # Labels are escaped here because crispy-forms-gds renders them with |safe, and a
        # partner's name (typed by a lead) is part of the wording.
        text = item_text(item, self.step)
        if item.response_format == Item.Format.POINTS:
            return forms.IntegerField(
                label=escape(text),
                required=False,
                min_value=0,
                max_value=100,
                # GOV.UK advice: a text input with a numeric keypad, not type=number.
                widget=forms.TextInput(
                    attrs={"inputmode": "numeric", "spellcheck": "false"}
                ),
                error_messages={
                    "invalid": _("Points for ‘%(text)s’ must be a whole number")
                    % {"text": text},
                    "min_value": _("Points for ‘%(text)s’ must be 0 or more")
                    % {"text": text},
                    "max_value": _("Points for ‘%(text)s’ must be 100 or fewer")
                    % {"text": text},
                },
            )
        if item.response_format == Item.Format.FAMILIARITY:
            labels = self.scale["familiarity_labels"]
            choices = [(str(n), label) for n, label in enumerate(labels, start=1)]
            message = _("Select how well you know how %(name)s works") % {
                "name": self.step.subject.name
            }
            off_scale = _(
                "Select how well you know how %(name)s works: that answer is not on "
                "the scale"
            ) % {"name": self.step.subject.name}
        else:
            labels = (
                self.scale["alignment_labels"]
                if item.response_format == Item.Format.ALIGNMENT
                else self.scale["labels"]
            )
            choices = [Choice(str(n), label) for n, label in enumerate(labels, start=1)]
            choices.append(Choice(DONT_KNOW, self.scale["dont_know"]))
            words = {"text": text, "dont_know": self.scale["dont_know"]}
            message = _("Select an answer for ‘%(text)s’, or ‘%(dont_know)s’") % words
            off_scale = (
                _(
                    "Select an answer for ‘%(text)s’, or ‘%(dont_know)s’: that answer "
                    "is not on the scale"
                )
                % words
            )
        # Partner ratings are only required when the respondent knows the partner: see clean().
        required = not (
            self.step.subject and item.response_format == Item.Format.LIKERT
        )
        return forms.ChoiceField(
            label=escape(text),
            choices=choices,
            widget=forms.RadioSelect,
            required=required,
            error_messages={
                "required": message,
                "invalid_choice": off_scale,
            },
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        unexpected = set(self.data) - set(self.fields) - ALLOWED_EXTRA_KEYS
        if unexpected:
            raise forms.ValidationError(
                _(
                    "This page sent answers to questions that are not on it, so nothing "
                    "was saved. Please answer the questions below and continue."
                ),
                code="unexpected_fields",
            )
        if self.step.subject is not None and not self.partial:
            self._require_partner_ratings(cleaned)
        self._check_point_totals(cleaned)
        return cleaned

    def _require_partner_ratings(self, cleaned: dict[str, Any]) -> None:
        familiarity = field_name(self.step.items[0])
        if cleaned.get(familiarity) in (None, "", str(FAMILIARITY_SKIP)):
            return
        for item in self.step.items[1:]:
            name = field_name(item)
            if not cleaned.get(name) and name not in self.errors:
                self.add_error(name, self.fields[name].error_messages["required"])

    def _check_point_totals(self, cleaned: dict[str, Any]) -> None:
        groups: dict[str, list[Item]] = defaultdict(list)
        for item in self.step.items:
            if item.response_format == Item.Format.POINTS:
                groups[item.prompt].append(item)
        for items in groups.values():
            prompt = self.step.text.item_prompt(items[0])  # as the respondent reads it
            names = [field_name(i) for i in items]
            if any(n in self.errors for n in names):
                continue
            values = [cleaned.get(n) for n in names]
            if all(v is None for v in values):
                continue  # the respondent skipped this question
            total = sum(v or 0 for v in values)
            if total != 100:
                self.add_error(
                    names[0],
                    _(
                        "The points for ‘%(prompt)s’ must add up to 100 (they add up "
                        "to %(total)s)"
                    )
                    % {"prompt": prompt, "total": total},
                )

    def page_answers(self) -> PageAnswers:
        """Return the validated answers as a PageAnswers for the save service."""
        ratings: dict[Item, int | None] = {}
        points: dict[Item, int] = {}
        for item in self.step.items:
            value = self.cleaned_data.get(field_name(item))
            if item.response_format == Item.Format.POINTS:
                if any(
                    self.cleaned_data.get(field_name(i)) is not None
                    for i in self.step.items
                    if i.prompt == item.prompt
                ):
                    points[item] = value or 0
            elif value == DONT_KNOW:
                ratings[item] = None
            elif value:
                ratings[item] = int(value)
        return PageAnswers(
            ratings=ratings,
            points=points,
            comment=self.cleaned_data.get(COMMENT_FIELD, "").strip(),
        )

    @staticmethod
    def initial_for(*, response: Response, step: Step) -> dict[str, Any]:
        """Return the saved answers for this page as form initial data, in one query."""
        items = {item.pk: item for item in step.items}
        initial: dict[str, Any] = {}
        for kind, key, number, text in _saved_rows(response=response, step=step):
            if kind == SAVED_COMMENT:
                initial[COMMENT_FIELD] = text
            elif kind == SAVED_POINTS:
                initial[field_name(items[key])] = number
            else:
                initial[field_name(items[key])] = (
                    DONT_KNOW if number is None else str(number)
                )
        return initial


def _saved_rows(*, response: Response, step: Step) -> list[tuple]:
    """Return the page's saved (kind, item or dimension id, number, text) rows.

    Plain SQL, one UNION ALL: every page view reads these, and the ORM's spelling of the
    same union cost more to compile than the query itself took (issue 17).
    """
    item_ids = [item.pk for item in step.items]
    if connection.vendor == "postgresql":
        return saved_rows(
            response_id=response.pk,
            item_ids=item_ids,
            subject_id=step.subject.pk if step.subject is not None else None,
            dimension_id=step.dimension.pk,
            profile=step.block == "profile",
        )
    marks = ", ".join(["%s"] * len(item_ids))
    subject = (
        "subject_organisation_id IS NULL"
        if step.subject is None
        else "subject_organisation_id = %s"
    )
    # Only constants, model table names and %s placeholders are formatted into the SQL;
    # every value is a bound parameter.
    parts = [
        f"SELECT '{SAVED_RATING}', item_id, value, '' FROM {Answer._meta.db_table} "  # nosec B608
        f"WHERE response_id = %s AND item_id IN ({marks}) AND {subject}"
    ]
    params: list[Any] = [response.pk, *item_ids]
    if step.subject is not None:
        params.append(step.subject.pk)
    if step.block == "profile":
        parts.append(
            f"SELECT '{SAVED_POINTS}', item_id, points, '' "  # nosec B608
            f"FROM {ProfileAnswer._meta.db_table} "
            f"WHERE response_id = %s AND item_id IN ({marks})"
        )
        params += [response.pk, *item_ids]
    if step.subject is None:
        parts.append(
            f"SELECT '{SAVED_COMMENT}', dimension_id, NULL, text "  # nosec B608
            f"FROM {Comment._meta.db_table} WHERE response_id = %s AND dimension_id = %s"
        )
        params += [response.pk, step.dimension.pk]
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        return cursor.fetchall()


class ResumeEmailForm(StorableTextMixin, forms.Form):
    """An address to email the private resume link to: used once, never stored or logged."""

    resume_email = forms.EmailField(
        label=gettext_lazy("Email address"),
        max_length=254,
        error_messages={
            "required": gettext_lazy("Enter the email address to send your link to"),
            "invalid": gettext_lazy(
                "Enter an email address in the correct format, like name@example.com"
            ),
            "max_length": gettext_lazy("Email address must be 254 characters or fewer"),
        },
    )


class StartForm(StorableTextMixin, forms.Form):
    """The privacy notice's Start button; carries a per-visit key so a double click starts once."""

    start_key = forms.CharField(
        widget=forms.HiddenInput,
        max_length=64,
        error_messages=dict.fromkeys(HIDDEN_FIELD_ERRORS, START_AGAIN),
    )

    def clean_start_key(self) -> str:
        key = self.cleaned_data["start_key"]
        if not START_KEY_PATTERN.match(key):
            raise forms.ValidationError(START_AGAIN)
        return key


def answers_digest(*, saved: SavedAnswers) -> str:
    """Return a fingerprint of every saved answer, to detect changes made in another tab."""
    rows = sorted(
        (
            (item_id, subject_id, value)
            for (item_id, subject_id), value in saved.ratings.items()
        ),
        key=repr,
    )
    points = sorted(saved.points.items())
    return hashlib.sha256(repr((rows, points)).encode()).hexdigest()[:32]


class SubmitForm(StorableTextMixin, forms.Form):
    """The check-your-answers Submit button; refuses answers that changed since the page was shown."""

    digest = forms.CharField(
        widget=forms.HiddenInput,
        max_length=64,
        error_messages=dict.fromkeys(
            HIDDEN_FIELD_ERRORS,
            gettext_lazy(
                "Something went wrong submitting your answers. Check them below and "
                "submit again."
            ),
        ),
    )

    def __init__(self, *args: Any, expected_digest: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.expected_digest = expected_digest
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            "digest", Submit("submit", _("Submit your answers"))
        )

    def clean_digest(self) -> str:
        digest = self.cleaned_data["digest"]
        if not compare_digest(digest.encode(), self.expected_digest.encode()):
            raise forms.ValidationError(
                _(
                    "Your answers changed after this page was shown (perhaps in another "
                    "window). Check them below and submit again."
                )
            )
        return digest
