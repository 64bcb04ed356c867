"""Every page and download of a partnership, found from the URL resolver: who may reach it.

New pages are covered automatically; a new URL parameter fails the test until it is given
a value below, so nobody can add a page that escapes the matrix. A new page is taken to be
a lead's change until it is listed as something readers may see, so the matrix fails closed.
"""

import datetime
import re
import uuid

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from surveys.models import Dimension, Membership
from surveys.services.focus_areas import create_focus_area
from tests.factories import InvitationFactory, MembershipFactory
from tests.reports.conftest import seeded_demo, seeded_round  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db

LEAD, CONSULTANT, ANALYST = (
    Membership.Role.LEAD,
    Membership.Role.CONSULTANT,
    Membership.Role.ANALYST,
)

# Public by design: sign-in and password pages, the landing page, the health check, the
# respondent journey (guarded by its unguessable token, tested in tests/surveys), the admin,
# and the privacy notice and accessibility statement (for respondents without an account).
PUBLIC_PREFIXES = ("accounts/", "s/", "healthz", "admin/", "privacy", "accessibility")
# Pages any signed-in user has, listing only their own partnerships (and answering their own
# invitations: tests/security/test_tenancy.py).
OWN_PAGES = {
    "surveys:partnership_list",
    "surveys:partnership_create",
    "surveys:membership_respond",
    "home",
}
# What every role on the partnership may read; everything else is checked role by role.
READ_PAGES = {
    "surveys:partnership_detail",
    "surveys:round_detail",
    "reports:survey_overview",
    "reports:fit_matrix",
    "reports:organisation_detail",
    "reports:pair_detail",
    "reports:partnership_pdf",
    "reports:pair_pdf",
}
# Action planning: leads and consultants (README, "Board packs and action planning").
PLANNING_PAGES = {
    "surveys:focus_area_create",
    "surveys:pair_focus_area_create",
    "surveys:focus_area_edit",
    "surveys:focus_area_delete",
}


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


def is_file(route: str) -> bool:
    """Say whether a route is a download (exports and board reports)."""
    return "downloads/" in route or route.endswith(".pdf")


RESPONSE_LEVEL_DOWNLOADS = {
    "reports:download_responses_csv",
    "reports:download_survey_xlsx",
    "reports:download_survey_zip",
}


def may_reach(role: str, name: str, route: str) -> bool:
    """Say whether a role on the partnership may use a page or download."""
    if name in READ_PAGES:
        return True
    if name in PLANNING_PAGES:
        return role in (LEAD, CONSULTANT)
    if name in RESPONSE_LEVEL_DOWNLOADS:
        return role == ANALYST  # a lead sees who has responded (reports.exports)
    if "downloads/" in route:
        return role in (LEAD, ANALYST)
    return role == LEAD  # anything else changes the partnership


@pytest.fixture
def world(seeded_demo):  # noqa: F811 (a fixture imported above)
    """The seeded demo's open round, a focus area on it, and a value for every URL parameter."""
    partnership, survey = seeded_demo
    orgs = list(partnership.members.order_by("name"))
    focus_area = create_focus_area(
        survey=survey,
        pair=None,
        dimension=Dimension.objects.filter(instrument=survey.instrument).first(),
        finding="A finding.",
        action="An action.",
        owner=orgs[0],
        due_date=datetime.date(2030, 1, 31),
        actor=None,
    )
    values = {
        "public_id": partnership.public_id,
        "round_id": survey.public_id,
        "survey_id": survey.public_id,
        "organisation_id": orgs[0].public_id,
        "a_id": orgs[0].public_id,
        "b_id": orgs[1].public_id,
        "focus_area_id": focus_area.public_id,
        "member_id": partnership.memberships.get(role=CONSULTANT).public_id,
        "invitation_id": InvitationFactory(
            survey=survey, organisation=orgs[0]
        ).public_id,
    }
    return partnership, survey, values


def protected_urls(values: dict) -> list[tuple[str, str, str]]:
    """Return (name, route, url) of every page that needs a role on the partnership."""
    urls = []
    for name, route, params in named_patterns():
        if route.startswith(PUBLIC_PREFIXES) or name in OWN_PAGES:
            continue
        missing = [p for p in params if p not in values]
        assert not missing, (
            f"{name} ({route}): give the access matrix a value for {missing}"
        )
        urls.append((name, route, reverse(name, kwargs={p: values[p] for p in params})))
    return urls


def member(client, partnership, role: str):
    client.force_login(MembershipFactory(partnership=partnership, role=role).user)
    return client


def test_the_matrix_covers_every_partnership_page(world):
    _partnership, _survey, values = world
    names = {name for name, _route, _url in protected_urls(values)}
    assert {
        "surveys:round_detail",
        "surveys:round_personal_data_delete",
        "reports:survey_overview",
        "reports:pair_detail",
        "reports:download_responses_csv",
    } <= names
    assert names >= READ_PAGES | PLANNING_PAGES
    assert len(names) >= 25


def test_anonymous_visitors_are_sent_to_sign_in_everywhere(client, world):
    _partnership, _survey, values = world
    for name, _route, url in protected_urls(values):
        for method in (client.get, client.post):
            page = method(url)
            assert page.status_code == 302, name
            assert page["Location"].startswith(reverse("login")), name


def test_a_respondent_holding_a_link_reaches_no_page_or_download(client, world):
    _partnership, survey, values = world
    link = survey.invitations.filter(kind="organisation").first()
    start = client.get(f"/s/{link.token}/")
    key = re.search(r'name="start_key" value="([^"]+)"', start.content.decode())
    assert (
        client.post(f"/s/{link.token}/", {"start_key": key.group(1)}).status_code == 302
    )
    assert client.session.get("survey_responses")  # the respondent's own session
    for name, _route, url in protected_urls(values):
        for method in (client.get, client.post):
            page = method(url)
            assert page.status_code == 302, name
            assert page["Location"].startswith(reverse("login")), name


@pytest.mark.parametrize("role", [LEAD, CONSULTANT, ANALYST])
def test_every_role_of_another_partnership_gets_404_everywhere(client, world, role):
    _partnership, _survey, values = world
    client.force_login(MembershipFactory(role=role).user)  # a role elsewhere
    for name, _route, url in protected_urls(values):
        for method in ("get", "post"):
            status = getattr(client, method)(url).status_code
            # 405 comes from views that refuse the method outright, before any lookup, so
            # it says nothing about whether the partnership exists.
            assert status in (404, 405), f"{name}: {method.upper()} gave {status}"


@pytest.mark.parametrize("role", [LEAD, CONSULTANT, ANALYST])
def test_an_invitation_not_yet_accepted_reaches_nothing(client, world, role):
    partnership, _survey, values = world
    client.force_login(
        MembershipFactory(partnership=partnership, role=role, accepted_at=None).user
    )
    for name, _route, url in protected_urls(values):
        for method in ("get", "post"):
            status = getattr(client, method)(url).status_code
            assert status in (404, 405), f"{name}: {method.upper()} gave {status}"


@pytest.mark.parametrize("role", [CONSULTANT, ANALYST])
def test_readers_get_403_on_every_change_and_forbidden_download(client, world, role):
    partnership, _survey, values = world
    member(client, partnership, role)
    denied = [
        (name, url)
        for name, route, url in protected_urls(values)
        if not may_reach(role, name, route)
    ]
    assert denied
    for name, url in denied:
        statuses = {client.get(url).status_code, client.post(url).status_code}
        # Each page refuses the reader (403) and at most refuses a method outright (405).
        assert 403 in statuses, f"{role} {name}: {statuses}"
        assert statuses <= {403, 405}, f"{role} {name}: {statuses}"


def identities(survey) -> list[str]:
    """Return every link token, resume token and invitee address of a round."""
    links = survey.invitations.values_list("token", "email")
    resumes = survey.responses.values_list("resume_token", flat=True)
    return [v for pair in links for v in pair if v] + list(resumes)


@pytest.mark.parametrize("role", [LEAD, CONSULTANT, ANALYST])
def test_each_role_opens_the_pages_it_may_and_none_is_cached(client, world, role):
    partnership, survey, values = world
    secrets = identities(survey)
    assert len(secrets) > 20
    member(client, partnership, role)
    for name, route, url in protected_urls(values):
        if not may_reach(role, name, route) or is_file(route):
            continue  # files are fetched in tests/reports; this checks the pages
        page = client.get(url)
        if page.status_code == 405:
            continue  # a POST-only action
        if (
            page.status_code == 302
        ):  # e.g. deleting personal data before the round closed
            assert not page["Location"].startswith(reverse("login")), name
        else:
            assert page.status_code == 200, f"{role} {name}: {page.status_code}"
        assert "no-store" in page["Cache-Control"], name
        if name.startswith("reports:"):  # results never say who answered
            html = page.content.decode()
            assert not [s for s in secrets if s in html], name


def test_ids_cannot_be_walked(client, world):
    partnership, _survey, values = world
    member(client, partnership, LEAD)
    guessed = {key: uuid.uuid4() for key in values}
    for name, _route, _url in protected_urls(values):
        route_params = next(p for n, _r, p in named_patterns() if n == name)
        url = reverse(name, kwargs={p: guessed[p] for p in route_params})
        assert client.get(url).status_code in (404, 405), name
        assert client.post(url).status_code in (404, 405), name
