"""The language switcher at the top of every respondent page of a round in two languages."""

from typing import Any

from django import template
from django.utils import translation

register = template.Library()


@register.inclusion_tag("surveys/respondent/_language_select.html", takes_context=True)
def language_select(context: template.Context, form: str = "") -> dict[str, Any]:
    """Render the round's languages, the current one marked and the others as buttons.

    On a page of questions the buttons belong to its form (`form` is the form's id), so
    switching saves what was typed first; elsewhere they post to Django's set_language.
    """
    survey = context.get("survey")
    request = context.get("request")
    if survey is None or request is None or len(survey.languages) < 2:
        return {"choices": []}
    current = translation.get_language()
    return {
        "choices": [
            {"code": code, "name": name, "current": code == current}
            for code, name in survey.language_choices
        ],
        "form": form,
        "next": request.get_full_path(),
        "csrf_token": context.get("csrf_token"),
    }
