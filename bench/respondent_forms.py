"""Fill a questionnaire page from its HTML as a browser would (no locust import here)."""

import random
import re
from html import unescape

HIDDEN = re.compile(r'<input[^>]*type="hidden"[^>]*>')
RADIO = re.compile(r'<input[^>]*type="radio"[^>]*>')
NUMBER = re.compile(r'<input[^>]*(?:inputmode="numeric"|type="number")[^>]*>')
ATTR = re.compile(r'(\w[\w-]*)="([^"]*)"')


def _attrs(tag: str) -> dict[str, str]:
    return {key: unescape(value) for key, value in ATTR.findall(tag)}


def form_answers(html: str) -> dict[str, str]:
    """Fill a questionnaire page: hidden fields as given, a middle-ish rating for each radio
    group, and points spread evenly over each prompt's four statements."""
    data = {}
    for tag in HIDDEN.findall(html):
        attrs = _attrs(tag)
        if "name" in attrs:
            data[attrs["name"]] = attrs.get("value", "")
    options: dict[str, list[str]] = {}
    for tag in RADIO.findall(html):
        attrs = _attrs(tag)
        options.setdefault(attrs["name"], []).append(attrs.get("value", ""))
    for name, values in options.items():
        rated = [v for v in values if v.isdigit()]
        data[name] = random.choice(rated[1:-1] or rated or values)
    for tag in NUMBER.findall(html):
        attrs = _attrs(tag)
        data[attrs["name"]] = "25"
    return data
