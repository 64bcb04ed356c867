"""A page's form fields are built once per process and copied per form (issue 17): every
form built from the kept fields renders and validates as a form built afresh."""

import pytest
from crispy_forms.utils import render_crispy_form
from django.utils import translation

from surveys.forms import respondent as respondent_forms
from surveys.forms.respondent import COMMENT_FIELD, StepForm, field_name
from surveys.models import Item
from tests.surveys.test_languages import offer, with_welsh
from tests.surveys.test_respondent import start, steps_for, valid_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def steps(client, survey_setup, settings):
    settings.RATELIMIT_ENABLE = False
    with_welsh(survey_setup.survey.instrument)
    offer(survey_setup.survey, "en-gb", "cy")
    return steps_for(start(client, survey_setup.personal_link))


def form(step, data=None, *, partial=False, initial=None) -> StepForm:
    return StepForm(
        data, step=step, scale=step.text.scale, partial=partial, initial=initial
    )


def fresh(step, data=None, **kwargs) -> StepForm:
    """A form whose fields are built now, as every form's were before they were kept."""
    respondent_forms._PAGE_FIELDS.clear()
    return form(step, data, **kwargs)


def wrong_data(step) -> dict[str, str]:
    """Answers with a mistake in every question: off the scale, or points that are text."""
    data = {}
    for item in step.items:
        data[field_name(item)] = (
            "ten" if item.response_format == Item.Format.POINTS else "99"
        )
    if step.subject is None:
        data[COMMENT_FIELD] = "x" * (respondent_forms.COMMENT_MAX_LENGTH + 1)
    return data


def test_a_pages_fields_are_built_once_per_process(steps, monkeypatch):
    respondent_forms._PAGE_FIELDS.clear()
    built = []
    build = StepForm._field_for
    monkeypatch.setattr(
        StepForm,
        "_field_for",
        lambda self, item: built.append(item) or build(self, item),
    )
    step = steps[0]
    first, second = form(step), form(step, valid_data(step))
    assert len(built) == len(step.items)
    assert second.is_valid(), second.errors
    # Each form has fields of its own: changing one form's changes neither the other's
    # nor what the next form gets.
    name = field_name(step.items[0])
    first.fields[name].widget.attrs["class"] = "changed"
    first.fields[name].error_messages["required"] = "changed"
    assert "class" not in second.fields[name].widget.attrs
    assert form(step).fields[name].error_messages["required"] != "changed"


@pytest.mark.parametrize("language", ["en-gb", "cy"])
@pytest.mark.parametrize("partial", [False, True])
def test_forms_from_kept_fields_render_and_validate_as_fresh_ones(
    steps, language, partial
):
    with translation.override(language):
        for step in steps:
            for data, initial in (
                (wrong_data(step), None),  # every question with an error
                ({}, None),  # nothing answered
                (None, {field_name(step.items[0]): "3"}),  # shown with an answer saved
                (valid_data(step), None),
            ):
                expected = fresh(step, data, partial=partial, initial=initial)
                expected_valid = expected.is_valid() if data is not None else None
                expected_html = render_crispy_form(expected, expected.helper)
                # Kept now; a second form from them, after the first was rendered (and
                # crispy-forms-gds wrote into its widgets), comes out the same.
                for _ in range(2):
                    kept = form(step, data, partial=partial, initial=initial)
                    if data is not None:
                        assert kept.is_valid() == expected_valid, step.slug
                        assert kept.errors == expected.errors, step.slug
                    assert render_crispy_form(kept, kept.helper) == expected_html


def test_a_partial_page_and_a_whole_one_keep_their_own_fields(steps):
    step = next(s for s in steps if s.block == "self")
    respondent_forms._PAGE_FIELDS.clear()
    assert form(step, {}, partial=True).is_valid()
    assert not form(step, {}).is_valid()
    assert form(step, {}, partial=True).is_valid()
