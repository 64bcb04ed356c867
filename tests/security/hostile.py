"""Hostile input for the property-based tests: strategies, raw POST bodies, a database fingerprint.

Bodies are posted as raw bytes, the way a hand-made request would arrive: a value may hold a
lone surrogate (sent as its UTF-8 bytes, which Django decodes to U+FFFD) or bytes that are not
UTF-8 at all, and a key may repeat.
"""

import hashlib
import os
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from urllib.parse import urlencode

from django.apps import apps
from django.conf import settings as django_settings
from django.db import transaction
from django.http import HttpResponse
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

# Markup, template syntax, SQL and spreadsheet formulas: stored as typed, never run.
MARKUP = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "<a href=\"javascript:alert('x')\">click</a>",
    "<svg/onload=alert(1)>",
    "</textarea><script>alert(1)</script>",
    "{{ request.META }}{% debug %}",
    "'; DROP TABLE surveys_response; --",
    "=cmd|' /C calc'!A0",
    '=HYPERLINK("http://evil.example/","Click")',
    "+1+1",
    "-2+3",
    "@SUM(A1:A9)",
    "&lt;b&gt; &amp;amp;",
]
# Text that executes when shown unescaped: none of it may reach a page as it was typed.
SCRIPTS = [m for m in MARKUP if m.startswith(("<", '"', "</"))]
# Valid but awkward Unicode: right-to-left, zero-width, combining, emoji sequences, case folds.
AWKWARD = [
    "\u202egnp.exe",
    "\u200b\u200c\u200d",
    "\u2066isolate\u2069",
    "\ufeffBOM",
    "e\u0301" * 40,
    "Z\u0336\u0335\u0334\u0489\u0361",
    "👩‍👩‍👧‍👦🏳️‍🌈",
    "İstanbul ǅ ß ﬀ",
    "Ｆｕｌｌｗｉｄｔｈ",
    "\xa0non\xa0breaking\xa0",
    "line\u2028separator\u2029",
    "مجلس الشراكة",
    "𝕬𝖑𝖙 \U0010fffd",
]
# Characters PostgreSQL, spreadsheets or PDFs cannot take: every form must refuse them.
CONTROL = "\x00\x01\x07\x08\x0b\x0c\x1b\x1f"

_printable = st.characters(
    codec="utf-8", exclude_categories=["Cc", "Cs"], exclude_characters="\ufffe\uffff"
)


def storable_text(*, min_size: int = 1, max_size: int = 60) -> st.SearchStrategy[str]:
    """Text any form must accept and store as typed: markup, awkward Unicode, anything printable."""
    return st.one_of(
        st.sampled_from(MARKUP),
        st.sampled_from(AWKWARD),
        st.text(_printable, min_size=min_size, max_size=max_size),
        st.lists(st.sampled_from(MARKUP + AWKWARD), min_size=2, max_size=3).map(
            "".join
        ),
    ).filter(lambda text: min_size <= len(text.strip()) and len(text) <= max_size)


def unstorable_text() -> st.SearchStrategy[str]:
    """Printable text with a NUL, another control character or a lone surrogate in it."""
    bad = st.one_of(
        st.sampled_from(CONTROL),
        st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF),
    )
    return st.tuples(
        st.text(_printable, max_size=10), bad, st.sampled_from(MARKUP)
    ).map(lambda parts: f"a{parts[0]}{parts[1]}{parts[2]}")


def control_text() -> st.SearchStrategy[str]:
    """Text with a NUL or other control character, as an HTTP body can carry it."""
    return st.tuples(st.text(_printable, max_size=10), st.sampled_from(CONTROL)).map(
        lambda parts: f"a{parts[0]}{parts[1]}z"
    )


def oversized_text(limit: int) -> st.SearchStrategy[str]:
    """Text just over `limit` characters, or 10 thousand, 100 thousand or a million."""
    # A million characters are plain ASCII, so that the body stays under Django's upload
    # limit and reaches the form; bodies over the limit get a 400 (see assert_refused).
    fill = st.sampled_from(["x", "é", "👩‍👩‍👧", "<b>", "\u200b"])
    sized = st.one_of(
        st.tuples(st.integers(limit + 1, limit + 3), fill),
        st.tuples(st.sampled_from([10_000, 100_000]), fill),
        st.tuples(st.just(1_000_000), st.just("x")),
    )
    return sized.map(lambda pair: ("a" + pair[1] * pair[0])[: pair[0]])


def wrong_type() -> st.SearchStrategy[str]:
    """What a script might send for a typed field: numbers, lists, objects, booleans, blanks."""
    return st.one_of(
        st.sampled_from(
            ["", " ", "None", "null", "true", "[]", "[1, 2]", '{"a": 1}', "NaN"]
        ),
        st.sampled_from(["-1", "0", "1e9", "1.5", "0x10", "99999999999999999999"]),
        st.integers().map(str),
        st.floats(allow_nan=True).map(str),
    )


def hostile_value() -> st.SearchStrategy[str | bytes]:
    """Any value at all: storable, unstorable, oversized, a wrong type or bytes that are not UTF-8."""
    return st.one_of(
        storable_text(min_size=0),
        unstorable_text(),
        oversized_text(200),
        wrong_type(),
        st.binary(min_size=1, max_size=20),
    )


def read_back(value: str | bytes) -> str:
    """Return what Django reads from a posted value: invalid UTF-8 becomes U+FFFD."""
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value.encode("utf-8", "surrogatepass").decode("utf-8", "replace")


def not_a_choice(offered: Iterable[str]) -> st.SearchStrategy[str | bytes]:
    """Any value that, once Django has read it, is not one of the offered choices."""
    offered = {str(choice) for choice in offered}
    return st.one_of(
        wrong_type(), storable_text(), control_text(), st.binary(min_size=1)
    ).filter(lambda value: read_back(value) not in offered)


def body(pairs: Iterable[tuple[str, str | bytes]]) -> bytes:
    """Encode (key, value) pairs, repeats and all, as an urlencoded body; surrogates pass as bytes."""
    return urlencode(list(pairs), encoding="utf-8", errors="surrogatepass").encode()


def post(client, url: str, pairs: Iterable[tuple[str, str | bytes]]) -> HttpResponse:
    """POST the pairs as a form would, in the order given; note whether Django may read it."""
    data = body(pairs)
    page = client.post(url, data=data, content_type="application/x-www-form-urlencoded")
    page.too_big = len(data) > django_settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return page


def pairs_of(data: dict[str, str | bytes | list]) -> Iterator[tuple[str, str | bytes]]:
    """Flatten a dict whose values may be lists (a repeated field) into (key, value) pairs."""
    for key, value in data.items():
        for one in value if isinstance(value, list) else [value]:
            yield key, one


# HYPOTHESIS_SCALE=10 searches ten times as many examples, for a deeper look than make test.
SCALE = int(os.environ.get("HYPOTHESIS_SCALE", "1"))


def examples(count: int) -> settings:
    """Hypothesis settings for tests that drive views through the database."""
    return settings(
        max_examples=count * SCALE,
        deadline=None,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.filter_too_much,
        ],
    )


@contextmanager
def rolled_back() -> Iterator[None]:
    """Run one example in a savepoint that is always rolled back."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


FINGERPRINT_APPS = ("surveys", "django_tasks_database")
# Rate-limit counters are not data anyone entered (and are off in these tests anyway).
NOT_FINGERPRINTED = {"surveys.CacheEntry"}


def fingerprint() -> str:
    """Return a hash of every row of the app's tables, and of queued tasks (not sessions)."""
    digest = hashlib.sha256()
    for label in FINGERPRINT_APPS:
        for model in apps.get_app_config(label).get_models():
            if model._meta.label in NOT_FINGERPRINTED:
                continue
            rows = list(model.objects.order_by("pk").values_list())
            digest.update(repr((model._meta.label, rows)).encode())
    return digest.hexdigest()


ERROR_SUMMARY = 'class="govuk-error-summary"'
# Django's own wording, which never reaches a user: every form words its errors itself.
DJANGO_DEFAULTS = [
    "Ensure this value",
    "Null characters are not allowed",
    "This field is required",
    "Select a valid choice",
    "Enter a whole number",
    "Enter a valid",
]
_SUMMARY_ITEMS = re.compile(
    r'govuk-error-summary__list">(.*?)</ul>', re.DOTALL | re.IGNORECASE
)


def error_summary(page: HttpResponse) -> list[str]:
    """Return the error messages listed in the page's GOV.UK error summary."""
    html = page.content.decode()
    found = _SUMMARY_ITEMS.search(html)
    if not found:
        return []
    return [
        re.sub(r"<[^>]+>", "", item).strip()
        for item in re.findall(r"<li>(.*?)</li>", found.group(1), re.DOTALL)
    ]


def assert_refused(page: HttpResponse, before: str) -> list[str]:
    """The page shows its form again with an error summary, and the database is unchanged."""
    # A body over Django's upload limit is not read at all: a plain 400 page instead.
    if getattr(page, "too_big", False):
        assert page.status_code == 400, page.status_code
        assert "Go back and try again" in page.content.decode()
        assert fingerprint() == before, "the database changed"
        return []
    assert page.status_code == 200, page.status_code
    errors = error_summary(page)
    assert errors, "no error summary"
    for error in errors:
        assert error, "an empty error message"
        for default in DJANGO_DEFAULTS:
            assert default not in error, error
    assert fingerprint() == before, "the database changed"
    return errors


def assert_no_stack_trace(page: HttpResponse) -> None:
    """A page, whatever its status, is one of ours and not a debugging page."""
    text = page.content.decode(errors="replace")
    assert "Traceback" not in text
    assert "Exception Value" not in text
