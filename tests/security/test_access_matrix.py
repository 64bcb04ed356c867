"""Every page and download of a partnership, found from the URL resolver: who may reach it.

New pages are covered automatically; a new URL parameter fails the test until it is given
a value below, so nobody can add a page that escapes the matrix.
"""

import io
import uuid

import pytest
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from surveys.models import Membership, Organisation, Partnership, Survey
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

# Public by design: sign-in and password pages, the landing page, the health check, the
# respondent journey (guarded by its unguessable token, tested in tests/surveys) and the admin.
PUBLIC_PREFIXES = ("accounts/", "s/", "healthz", "admin/")
# Pages any signed-in user has, listing only their own partnerships.
OWN_PAGES = {"surveys:partnership_list", "surveys:partnership_create", "home"}


def named_patterns(patterns=None, prefix: str = "", namespace: str = ""):
    """Yield (name, route, parameter names) for every named URL pattern."""
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            inner = (
                f"{namespace}:{pattern.namespace}" if pattern.namespace else namespace
            )
            yield from named_patterns(
                pattern.url_patterns, prefix + str(pattern.pattern), inner.strip(":")
            )
        elif isinstance(pattern, URLPattern) and pattern.name:
            name = f"{namespace}:{pattern.name}" if namespace else pattern.name
            yield name, prefix + str(pattern.pattern), list(pattern.pattern.converters)


@pytest.fixture
def world(db):
    call_command(
        "seed_demo", organisations=4, respondents=6, seed=3, stdout=io.StringIO()
    )
    partnership = Partnership.objects.get()
    survey = Survey.objects.get(partnership=partnership, status=Survey.Status.OPEN)
    orgs = list(Organisation.objects.filter(partnerships=partnership).order_by("name"))
    values = {
        "public_id": partnership.public_id,
        "round_id": survey.public_id,
        "survey_id": survey.public_id,
        "organisation_id": orgs[0].public_id,
        "a_id": orgs[0].public_id,
        "b_id": orgs[1].public_id,
        "focus_area_id": uuid.uuid4(),  # no such row: the partnership check must come first
    }
    outsider = MembershipFactory(role=Membership.Role.LEAD).user  # lead elsewhere
    return values, outsider


def protected_urls(values: dict) -> list[tuple[str, str]]:
    urls = []
    for name, route, params in named_patterns():
        if route.startswith(PUBLIC_PREFIXES) or name in OWN_PAGES:
            continue
        missing = [p for p in params if p not in values]
        assert not missing, (
            f"{name} ({route}): give the access matrix a value for {missing}"
        )
        urls.append((name, reverse(name, kwargs={p: values[p] for p in params})))
    return urls


def test_the_matrix_covers_every_partnership_page(world):
    values, _outsider = world
    names = {name for name, _url in protected_urls(values)}
    assert {
        "surveys:round_detail",
        "reports:survey_overview",
        "reports:pair_detail",
    } <= names
    assert len(names) >= 20


def test_anonymous_visitors_are_sent_to_sign_in_everywhere(client, world):
    values, _outsider = world
    for name, url in protected_urls(values):
        page = client.get(url)
        assert page.status_code == 302, name
        assert page["Location"].startswith(reverse("login")), name


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_lead_of_another_partnership_gets_404_everywhere(client, world, method):
    values, outsider = world
    client.force_login(outsider)
    for name, url in protected_urls(values):
        status = getattr(client, method)(url).status_code
        # 405 comes from views that refuse the method outright, before any lookup, so it
        # says nothing about whether the partnership exists.
        assert status in (404, 405), f"{name}: {method.upper()} gave {status}"


def test_ids_cannot_be_walked(client, world):
    values, _outsider = world
    lead = Membership.objects.get(
        partnership__public_id=values["public_id"], role="lead"
    ).user
    client.force_login(lead)
    guessed = {key: uuid.uuid4() for key in values}
    for name, _url in protected_urls(values):
        route_params = next(p for n, _r, p in named_patterns() if n == name)
        url = reverse(name, kwargs={p: guessed[p] for p in route_params})
        assert client.get(url).status_code in (404, 405), name
        assert client.post(url).status_code in (404, 405), name
