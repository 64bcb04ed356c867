"""Plan the demo's rounds, links and answers: pure and deterministic for a given seed."""

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from surveys.models import PERSONAL_START_KEY, Block, Invitation, Survey
from surveys.services.demo.answers import (
    DemoItem,
    _build_world,
    _respondent_answers,
    _World,
)
from surveys.services.demo.profiles import (
    ANONYMITY_THRESHOLD,
    BASELINE_SHIFT,
    DEFAULT_ORGANISATIONS,
    DEFAULT_RESPONDENTS,
    DEFAULT_SEED,
    FIRST_NAMES,
    LAST_NAMES,
    MAX_ORGANISATIONS,
    MAX_RESPONDENTS,
    MIN_ORGANISATIONS,
    MIN_RESPONDENTS,
    ORGANISATIONS,
    ROLE_WEIGHTS,
    ROLES,
    SELF_DIMENSIONS,
    DemoOrganisation,
)


@dataclass(frozen=True)
class PlannedInvitation:
    organisation: str  # short name
    kind: str
    email: str | None = None
    role: str = ""
    sent_at: datetime | None = None
    reminded_at: datetime | None = None


@dataclass(frozen=True)
class PlannedResponse:
    organisation: str
    invitation: int  # index into the round's invitations
    start_key: str
    role: str
    started_at: datetime
    submitted_at: datetime | None
    answers: tuple[tuple[str, str | None, int | None], ...]  # (code, subject, value)
    points: tuple[tuple[str, int], ...]  # (code, points)
    comments: tuple[tuple[str, str], ...]  # (dimension key, text)


@dataclass(frozen=True)
class PlannedRound:
    title: str
    status: str
    opens_at: datetime
    closes_at: datetime
    invitations: tuple[PlannedInvitation, ...]
    responses: tuple[PlannedResponse, ...]
    # How many people each organisation asked (its board and executives): the lead's N.
    eligible: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True)
class DemoPlan:
    organisations: tuple[DemoOrganisation, ...]
    rounds: tuple[PlannedRound, ...]  # baseline first, then the current round


def _moment(
    start: datetime, end: datetime, rng: random.Random, skew: float = 1.6
) -> datetime:
    """Return a time between start and end, weighted towards the start, to the second."""
    moment = start + (end - start) * rng.random() ** skew
    return moment.replace(microsecond=0)


def _plan_round(
    *,
    world: _World,
    items: Sequence[DemoItem],
    title: str,
    status: str,
    opens_at: datetime,
    closes_at: datetime,
    now: datetime,
    scale: float,
    shift: float,
    respondents: int,
    in_progress: tuple[int, int],
    rng: random.Random,
) -> PlannedRound:
    """Return one round's links and responses for every organisation."""
    invitations: list[PlannedInvitation] = []
    responses: list[PlannedResponse] = []
    end = min(closes_at, now) - timedelta(minutes=30)
    self_dims = [d for d in SELF_DIMENSIONS if any(i.dimension == d for i in items)]
    start_key = 0
    eligible: list[tuple[str, int]] = []
    for org in world.orgs:
        me = org.short_name
        if me == world.small:
            n_submitted = 3 + rng.randint(0, 1)
            n_personal = n_submitted
        else:
            size = respondents * world.size_factor[me] * scale
            n_submitted = max(ANONYMITY_THRESHOLD + 1, round(size))
            n_personal = round(n_submitted * rng.uniform(0.35, 0.55))
        n_started = rng.randint(*in_progress)
        n_silent = round(n_personal * 0.5) + 1  # sent but no answer yet
        n_unsent = rng.randint(1, 2)
        used_comments: set[str] = set()

        link_sent = opens_at + timedelta(hours=2)
        link = len(invitations)
        invitations.append(
            PlannedInvitation(me, Invitation.Kind.ORGANISATION, sent_at=link_sent)
        )
        personal: list[int] = []
        people = n_personal + n_silent + n_unsent + (1 if n_started else 0)
        for n in range(1, people + 1):
            email = f"{rng.choice(FIRST_NAMES)}.{rng.choice(LAST_NAMES)}{n}@{org.domain}.example"
            role = rng.choices(ROLES, weights=ROLE_WEIGHTS)[0]
            sent = (
                None
                if n > people - n_unsent
                else _moment(opens_at, opens_at + timedelta(days=2), rng, 1)
            )
            silent = n > n_personal + (1 if n_started else 0) and sent is not None
            reminder = opens_at + timedelta(days=14)
            reminded = (
                reminder if silent and reminder < end and rng.random() < 0.7 else None
            )
            personal.append(len(invitations))
            invitations.append(
                PlannedInvitation(
                    me, Invitation.Kind.PERSONAL, email, role, sent, reminded
                )
            )

        # Everyone with a personal link, everyone who used the shared one, and two more
        # who were shown the shared link at a board meeting and never answered.
        shared = n_submitted - n_personal + max(n_started - 1, 0)
        eligible.append((me, people + shared + 2))
        plans: list[tuple[int, bool]] = [(personal[n], True) for n in range(n_personal)]
        plans += [(link, True)] * (n_submitted - n_personal)
        if n_started:
            plans += [(personal[n_personal], False)] + [(link, False)] * (n_started - 1)
        for invitation, submitted in plans:
            planned = invitations[invitation]
            started = _moment(planned.sent_at or link_sent, end, rng)
            answers, points, comments = _respondent_answers(
                world=world,
                org=org,
                items=items,
                shift=shift,
                used_comments=used_comments,
                rng=rng,
            )
            finished = None
            if submitted:
                minutes = 6 + rng.expovariate(1 / 12)
                if rng.random() < 0.12:  # came back to it later
                    minutes += rng.uniform(60, 30 * 60)
                finished = min(started + timedelta(minutes=minutes), end).replace(
                    microsecond=0
                )
            else:  # abandoned part-way through the dimension pages
                done = set(self_dims[: rng.randint(1, max(1, len(self_dims) - 1))])
                by_code = {i.code: i for i in items}
                answers = [
                    a
                    for a in answers
                    if by_code[a[0]].block == Block.SELF
                    and by_code[a[0]].dimension in done
                ]
                points = []
                comments = [c for c in comments if c[0] in done]
            if planned.kind == Invitation.Kind.PERSONAL:
                key = PERSONAL_START_KEY
            else:
                start_key += 1
                key = f"demo-{start_key}"
            responses.append(
                PlannedResponse(
                    organisation=me,
                    invitation=invitation,
                    start_key=key,
                    role=planned.role,
                    started_at=started,
                    submitted_at=finished,
                    answers=tuple(answers),
                    points=tuple(points),
                    comments=tuple(comments),
                )
            )
    return PlannedRound(
        title=title,
        status=status,
        opens_at=opens_at,
        closes_at=closes_at,
        invitations=tuple(invitations),
        responses=tuple(responses),
        eligible=tuple(eligible),
    )


def plan_demo(
    *,
    items: Sequence[DemoItem],
    now: datetime,
    organisations: int = DEFAULT_ORGANISATIONS,
    respondents: int = DEFAULT_RESPONDENTS,
    seed: int = DEFAULT_SEED,
) -> DemoPlan:
    """Return the demo's rounds, links and answers; the same inputs give the same plan."""
    if not MIN_ORGANISATIONS <= organisations <= MAX_ORGANISATIONS:
        raise ValueError(
            f"organisations must be {MIN_ORGANISATIONS}-{MAX_ORGANISATIONS}"
        )
    if not MIN_RESPONDENTS <= respondents <= MAX_RESPONDENTS:
        raise ValueError(f"respondents must be {MIN_RESPONDENTS}-{MAX_RESPONDENTS}")
    # Seeded on purpose, so the fictional demo is reproducible; never used for secrets.
    rng = random.Random(seed)  # nosec B311
    world = _build_world(ORGANISATIONS[:organisations], rng)
    for item in items:
        if item.block == Block.SELF:
            world.item_offset[item.code] = rng.gauss(0, 0.15)
    opens_at = (now - timedelta(days=21)).replace(minute=0, second=0, microsecond=0)
    baseline_opens = opens_at - timedelta(days=364)
    common = {
        "world": world,
        "items": items,
        "now": now,
        "respondents": respondents,
        "rng": rng,
    }
    baseline = _plan_round(
        title="Baseline, autumn 2025",
        status=Survey.Status.CLOSED,
        opens_at=baseline_opens,
        closes_at=baseline_opens + timedelta(days=35),
        scale=0.6,
        shift=BASELINE_SHIFT,
        in_progress=(0, 2),
        **common,
    )
    current = _plan_round(
        title="Collaboration readiness, autumn 2026",
        status=Survey.Status.OPEN,
        opens_at=opens_at,
        closes_at=opens_at + timedelta(days=42),
        scale=1.0,
        shift=0.0,
        in_progress=(2, 4),
        **common,
    )
    return DemoPlan(organisations=world.orgs, rounds=(baseline, current))
