"""The seed_demo command: a realistic, deterministic demo partnership."""

from collections import Counter, defaultdict
from datetime import timedelta
from io import StringIO
from statistics import mean

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from surveys.journey import build_steps, completed_slugs
from surveys.models import (
    PERSONAL_START_KEY,
    Answer,
    Comment,
    Invitation,
    Item,
    Membership,
    Organisation,
    Partnership,
    ProfileAnswer,
    Response,
    Sector,
    Survey,
    User,
)
from surveys.services.demo import (
    DEMO_PARTNERSHIP_NAME,
    DEMO_PASSWORD,
    demo_items,
    ensure_default_instrument,
    plan_demo,
)

SMALL = ("--organisations", "4", "--respondents", "8")


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def current_round() -> Survey:
    return Survey.objects.get(
        partnership__name=DEMO_PARTNERSHIP_NAME, status=Survey.Status.OPEN
    )


def scored(value: int, item_reversed: bool) -> int:
    return 6 - value if item_reversed else value


@pytest.mark.django_db
def test_default_demo_has_realistic_rounds_and_one_organisation_below_threshold():
    output = seed()

    partnership = Partnership.objects.get(name=DEMO_PARTNERSHIP_NAME)
    assert partnership.kind == Partnership.Kind.PLACE
    members = list(partnership.members.all())
    assert len(members) == 8
    sectors = Counter(m.sector for m in members)
    assert sectors[Sector.LOCAL_AUTHORITY] == 2
    for sector in (
        Sector.NHS_ACUTE,
        Sector.NHS_COMMUNITY,
        Sector.PRIMARY_CARE,
        Sector.ICB,
        Sector.VCSE,
        Sector.HOUSING,
    ):
        assert sectors[sector] == 1

    now = timezone.now()
    baseline = Survey.objects.get(partnership=partnership, status=Survey.Status.CLOSED)
    current = current_round()
    assert baseline.title == "Baseline, autumn 2025"
    assert current.title == "Collaboration readiness, autumn 2026"
    assert current.is_accepting_answers()
    assert timedelta(days=18) < now - current.opens_at < timedelta(days=24)
    assert timedelta(days=18) < current.closes_at - now < timedelta(days=24)
    assert (
        timedelta(days=330) < current.opens_at - baseline.opens_at < timedelta(days=400)
    )
    assert baseline.anonymity_threshold == current.anonymity_threshold == 5

    submitted = Counter(
        Response.objects.submitted()
        .filter(survey=current)
        .values_list("organisation__short_name", flat=True)
    )
    small = [org for org, n in submitted.items() if n < current.anonymity_threshold]
    assert len(small) == 1
    assert 3 <= submitted[small[0]] <= 4
    assert all(20 <= n <= 40 for org, n in submitted.items() if org != small[0])
    assert Response.objects.submitted().filter(survey=baseline).count() < sum(
        submitted.values()
    )
    started = Counter(
        Response.objects.in_progress()
        .filter(survey=current)
        .values_list("organisation__short_name", flat=True)
    )
    assert set(started) == set(submitted)

    link = (
        Invitation.objects.filter(survey=current, kind=Invitation.Kind.ORGANISATION)
        .order_by("pk")
        .first()
    )
    assert f"{settings.SITE_URL}/s/{link.token}/" in output
    for username in ("lead", "consultant", "analyst"):
        assert username in output
    assert DEMO_PASSWORD in output


@pytest.mark.django_db
def test_demo_logins_have_memberships_and_no_admin_access():
    seed(*SMALL)
    seed(*SMALL, "--replace")  # existing users are refreshed, not duplicated

    partnership = Partnership.objects.get(name=DEMO_PARTNERSHIP_NAME)
    for username in ("lead", "consultant", "analyst"):
        user = User.objects.get(username=username)
        assert not user.is_staff
        assert user.check_password(DEMO_PASSWORD)
        assert (
            Membership.objects.get(user=user, partnership=partnership).role == username
        )
        assert not user.has_perm("surveys.view_answer")


@pytest.mark.django_db
def test_links_are_one_per_organisation_plus_personal_ones_on_example_addresses():
    seed(*SMALL)

    for survey in Survey.objects.all():
        links = Invitation.objects.filter(survey=survey)
        org_links = Counter(
            links.filter(kind=Invitation.Kind.ORGANISATION).values_list(
                "organisation__short_name", flat=True
            )
        )
        assert len(org_links) == 4
        assert set(org_links.values()) == {1}
        assert not links.filter(
            kind=Invitation.Kind.ORGANISATION, email__isnull=False
        ).exists()
        personal = links.filter(kind=Invitation.Kind.PERSONAL)
        assert all(
            email.endswith(".example")
            for email in personal.values_list("email", flat=True)
        )
        assert personal.filter(sent_at__isnull=False).exists()
        assert personal.filter(sent_at__isnull=True).exists()
        assert not personal.filter(role="").exists()


@pytest.mark.django_db
def test_answers_are_within_scale_and_profile_points_sum_to_100():
    seed(*SMALL)

    formats = dict(Item.objects.values_list("pk", "response_format"))
    for item_id, value in Answer.objects.exclude(value__isnull=True).values_list(
        "item_id", "value"
    ):
        high = 4 if formats[item_id] == Item.Format.FAMILIARITY else 5
        assert 1 <= value <= high

    per_prompt: dict[tuple[int, str], list[int]] = defaultdict(list)
    for response_id, prompt, points in ProfileAnswer.objects.values_list(
        "response_id", "item__prompt", "points"
    ):
        per_prompt[response_id, prompt].append(points)
    assert per_prompt
    assert all(len(p) == 4 and sum(p) == 100 for p in per_prompt.values())
    assert all(x % 5 == 0 for p in per_prompt.values() for x in p)

    # "Not at all" familiar: no other answers about that partner.
    unknown = Answer.objects.filter(
        item__response_format=Item.Format.FAMILIARITY, value=1
    )
    assert unknown.exists()
    for response_id, subject_id in unknown.values_list(
        "response_id", "subject_organisation_id"
    ):
        assert (
            Answer.objects.filter(
                response_id=response_id, subject_organisation_id=subject_id
            ).count()
            == 1
        )

    answers = Answer.objects.filter(item__block="self")
    dont_know = answers.filter(value__isnull=True).count() / answers.count()
    funding = answers.filter(item__code="FU2")
    assert 0.01 < dont_know < 0.12
    assert funding.filter(value__isnull=True).count() / funding.count() > 2 * dont_know
    assert Comment.objects.exists()


@pytest.mark.django_db
def test_submitted_responses_are_complete_with_consistent_times_and_start_keys():
    seed(*SMALL)
    now = timezone.now()

    responses = Response.objects.select_related("survey__partnership", "invitation")
    for response in responses:
        survey = response.survey
        end = min(now, survey.closes_at)
        assert survey.opens_at <= response.started_at <= end
        if response.invitation.is_personal:
            assert response.start_key == PERSONAL_START_KEY
            assert response.invitation.sent_at <= response.started_at
        else:
            assert response.start_key.startswith("demo-")
        steps = build_steps(response=response)
        done = completed_slugs(response=response, steps=steps)
        if response.is_submitted:
            assert response.started_at <= response.submitted_at <= end
            assert done == {step.slug for step in steps}
        else:
            assert done != {step.slug for step in steps}
    personal = Counter(
        responses.filter(invitation__kind=Invitation.Kind.PERSONAL).values_list(
            "invitation_id", flat=True
        )
    )
    assert set(personal.values()) == {1}


@pytest.mark.django_db
def test_councils_score_governance_lower_than_the_icb():
    seed(*SMALL)

    by_sector: dict[str, list[int]] = defaultdict(list)
    rows = (
        Answer.objects.submitted()
        .filter(
            response__survey=current_round(),
            item__dimension__key="governance_influence",
            value__isnull=False,
        )
        .values_list("response__organisation__sector", "item__reverse_scored", "value")
    )
    for sector, item_reversed, value in rows:
        by_sector[sector].append(scored(value, item_reversed))
    assert mean(by_sector[Sector.ICB]) - mean(by_sector[Sector.LOCAL_AUTHORITY]) >= 0.3


@pytest.mark.django_db
def test_trust_between_partners_is_asymmetric():
    seed(*SMALL)

    ratings: dict[tuple[str, str], list[int]] = defaultdict(list)
    rows = (
        Answer.objects.submitted()
        .filter(
            response__survey=current_round(),
            item__code__in=["P1", "P2", "P3"],
            value__isnull=False,
        )
        .values_list(
            "response__organisation__short_name",
            "subject_organisation__short_name",
            "value",
        )
    )
    for rater, subject, value in rows:
        ratings[rater, subject].append(value)
    trust = {pair: mean(values) for pair, values in ratings.items()}
    gaps = [abs(t - trust[b, a]) for (a, b), t in trust.items() if (b, a) in trust]
    assert max(gaps) >= 0.5


def fingerprint() -> tuple[Counter, Counter, Counter]:
    answers = Answer.objects.values_list(
        "response__survey__title",
        "response__organisation__short_name",
        "item__code",
        "subject_organisation__short_name",
        "value",
    )
    points = ProfileAnswer.objects.values_list(
        "response__survey__title",
        "response__organisation__short_name",
        "item__code",
        "points",
    )
    comments = Comment.objects.values_list(
        "response__organisation__short_name", "dimension__key", "text"
    )
    return Counter(answers), Counter(points), Counter(comments)


@pytest.mark.django_db
def test_same_seed_gives_the_same_answers():
    seed("--organisations", "3", "--respondents", "6", "--seed", "7")
    first = fingerprint()
    seed("--organisations", "3", "--respondents", "6", "--seed", "7", "--replace")
    assert fingerprint() == first
    seed("--organisations", "3", "--respondents", "6", "--seed", "8", "--replace")
    assert fingerprint() != first


@pytest.mark.django_db
def test_plan_is_a_pure_function_of_its_inputs():
    items = demo_items(instrument=ensure_default_instrument())
    now = timezone.now()
    first = plan_demo(items=items, now=now, organisations=5, respondents=6, seed=11)
    assert (
        plan_demo(items=items, now=now, organisations=5, respondents=6, seed=11)
        == first
    )
    assert [o.short_name for o in first.organisations][:2] == ["NHFT", "NCC"]


@pytest.mark.django_db
def test_if_empty_seeds_an_empty_database_then_does_nothing():
    seed(*SMALL, "--if-empty")
    answers = Answer.objects.count()
    assert answers > 0

    output = seed(*SMALL, "--if-empty")

    assert "already exists" in output
    assert Answer.objects.count() == answers
    assert Partnership.objects.count() == 1


@pytest.mark.django_db
def test_rerun_without_replace_refuses():
    seed(*SMALL)

    with pytest.raises(CommandError, match="--replace"):
        seed(*SMALL)


@pytest.mark.django_db
def test_replace_rebuilds_the_demo_and_drops_unused_organisations():
    seed(*SMALL)

    seed("--organisations", "3", "--respondents", "6", "--replace")

    partnership = Partnership.objects.get(name=DEMO_PARTNERSHIP_NAME)
    assert partnership.members.count() == 3
    assert Organisation.objects.count() == 3
    assert Survey.objects.count() == 2
    assert Membership.objects.filter(partnership=partnership).count() == 3
    assert not Response.objects.exclude(survey__partnership=partnership).exists()


@pytest.mark.django_db
def test_rejects_organisation_counts_out_of_range():
    with pytest.raises(CommandError, match="between 2 and 16"):
        seed("--organisations", "1")
    assert not Partnership.objects.exists()


@pytest.mark.django_db
def test_the_demo_rounds_are_in_english_and_welsh():
    seed(*SMALL)
    rounds = Survey.objects.filter(partnership__name=DEMO_PARTNERSHIP_NAME)
    assert {tuple(r.languages) for r in rounds} == {("en-gb", "cy")}
