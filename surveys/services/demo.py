"""Seed a realistic, deterministic demo partnership whose answers differ by sector."""

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Permission
from django.db import transaction
from django.utils import timezone

from surveys.instrument_schema import read_instrument
from surveys.models import (
    PERSONAL_START_KEY,
    Answer,
    Block,
    Comment,
    Instrument,
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
from surveys.services.instruments import load_instrument

DEMO_PARTNERSHIP_NAME = "Northshire Place Partnership"
DEMO_PASSWORD = "collab-demo-2026"  # printed by seed_demo; demo accounts only
DEMO_USERS = (
    ("lead", Membership.Role.LEAD),
    ("consultant", Membership.Role.CONSULTANT),
    ("analyst", Membership.Role.ANALYST),
)
DEFAULT_INSTRUMENT = Path("instruments") / "collaboration_readiness_v1.yaml"
DEFAULT_ORGANISATIONS, MIN_ORGANISATIONS, MAX_ORGANISATIONS = 8, 2, 16
DEFAULT_RESPONDENTS, MIN_RESPONDENTS, MAX_RESPONDENTS = 30, 6, 500
DEFAULT_SEED = 2026
ANONYMITY_THRESHOLD = 5
BATCH_SIZE = 2000
LEAD_CHANGE_MODELS = ("partnership", "organisation", "survey", "invitation")


@dataclass(frozen=True)
class DemoOrganisation:
    name: str
    short_name: str
    sector: str
    domain: str


# The first eight make the default demo; --organisations N takes the first N. They are
# ordered so that small demos still mix sectors. The last of the first min(N, 8) is the
# small organisation that stays below the anonymity threshold.
ORGANISATIONS = (
    DemoOrganisation(
        "Northshire Hospitals NHS Foundation Trust",
        "NHFT",
        Sector.NHS_ACUTE,
        "northshire-hospitals",
    ),
    DemoOrganisation(
        "Northshire County Council", "NCC", Sector.LOCAL_AUTHORITY, "northshire-cc"
    ),
    DemoOrganisation(
        "NHS Northshire Integrated Care Board", "NICB", Sector.ICB, "northshire-icb"
    ),
    DemoOrganisation(
        "Northshire Voluntary Action", "NVA", Sector.VCSE, "northshire-va"
    ),
    DemoOrganisation(
        "Northshire Community and Mental Health NHS Trust",
        "NCMHT",
        Sector.NHS_COMMUNITY,
        "northshire-cmh",
    ),
    DemoOrganisation(
        "Easterby City Council", "ECC", Sector.LOCAL_AUTHORITY, "easterby-city"
    ),
    DemoOrganisation(
        "Northshire GP Federation", "NGPF", Sector.PRIMARY_CARE, "northshire-gpf"
    ),
    DemoOrganisation(
        "Brightwater Homes Housing Association",
        "BWH",
        Sector.HOUSING,
        "brightwater-homes",
    ),
    DemoOrganisation(
        "Wealdmoor Borough Council", "WBC", Sector.LOCAL_AUTHORITY, "wealdmoor-bc"
    ),
    DemoOrganisation("St Aidan's Hospice", "SAH", Sector.VCSE, "st-aidans-hospice"),
    DemoOrganisation(
        "Kindred Care Community Interest Company",
        "KCC",
        Sector.SOCIAL_ENTERPRISE,
        "kindred-care",
    ),
    DemoOrganisation(
        "Easterby Primary Care Network", "EPCN", Sector.PRIMARY_CARE, "easterby-pcn"
    ),
    DemoOrganisation(
        "Northshire Fire and Rescue Service", "NFRS", Sector.OTHER, "northshire-fire"
    ),
    DemoOrganisation(
        "Healthwatch Northshire", "HWN", Sector.VCSE, "healthwatch-northshire"
    ),
    DemoOrganisation(
        "Wealdmoor Community Housing", "WCH", Sector.HOUSING, "wealdmoor-housing"
    ),
    DemoOrganisation(
        "East Northshire Ambulance Service NHS Trust",
        "ENAS",
        Sector.NHS_ACUTE,
        "en-ambulance",
    ),
)
SMALL_ORGANISATION_INDEX = 7  # the housing association, when eight or more take part

SELF_DIMENSIONS = (
    "shared_purpose",
    "trust_relationships",
    "leadership",
    "governance_influence",
    "funding_finance",
    "capacity_workforce",
    "communication_engagement",
    "openness_learning",
    "incentives_context",
)
# True mean (1-5) per sector over SELF_DIMENSIONS: councils and the VCSE feel the top-down
# ICS (governance) and the money; the acute trust has no capacity and the wrong incentives.
SECTOR_LEVELS: dict[str, tuple[float, ...]] = {
    Sector.NHS_ACUTE: (3.4, 3.3, 3.5, 3.4, 3.0, 2.2, 3.2, 3.0, 2.4),
    Sector.NHS_COMMUNITY: (3.7, 3.6, 3.6, 3.3, 3.0, 2.8, 3.5, 3.6, 3.1),
    Sector.PRIMARY_CARE: (3.3, 3.2, 3.2, 2.8, 2.7, 2.5, 3.0, 3.4, 2.8),
    Sector.ICB: (3.9, 3.5, 3.8, 4.1, 3.3, 3.3, 3.5, 3.3, 3.3),
    Sector.LOCAL_AUTHORITY: (3.5, 3.1, 3.6, 2.4, 2.5, 2.9, 3.2, 3.3, 3.0),
    Sector.VCSE: (3.8, 3.4, 3.5, 2.5, 2.3, 2.6, 3.4, 4.1, 3.2),
    Sector.SOCIAL_ENTERPRISE: (3.7, 3.4, 3.5, 2.7, 2.6, 2.9, 3.4, 3.9, 3.2),
    Sector.HOUSING: (3.6, 3.3, 3.4, 2.6, 2.5, 3.0, 3.3, 4.0, 3.3),
    Sector.OTHER: (3.4, 3.3, 3.4, 3.0, 2.9, 3.0, 3.2, 3.3, 3.1),
}
# Culture mix (H, I, E, F points out of 100) per sector.
CULTURE_TYPES = ("H", "I", "E", "F")
SECTOR_CULTURE: dict[str, tuple[int, int, int, int]] = {
    Sector.NHS_ACUTE: (48, 20, 14, 18),
    Sector.NHS_COMMUNITY: (36, 15, 34, 15),
    Sector.PRIMARY_CARE: (14, 46, 30, 10),
    Sector.ICB: (52, 16, 18, 14),
    Sector.LOCAL_AUTHORITY: (38, 30, 18, 14),
    Sector.VCSE: (10, 14, 66, 10),
    Sector.SOCIAL_ENTERPRISE: (14, 32, 44, 10),
    Sector.HOUSING: (20, 18, 52, 10),
    Sector.OTHER: (42, 20, 24, 14),
}
# Sectors that feel partnership decisions are imposed on them (more F on the third prompt).
IMPOSED_UPON = {
    Sector.LOCAL_AUTHORITY,
    Sector.VCSE,
    Sector.PRIMARY_CARE,
    Sector.HOUSING,
}
# Alignment items (1 pull strongly away ... 5 pull strongly towards), in item order:
# individual incentives, team loyalties, instructions from authority.
SECTOR_ALIGNMENT: dict[str, tuple[float, float, float]] = {
    Sector.NHS_ACUTE: (2.3, 2.5, 3.6),
    Sector.NHS_COMMUNITY: (3.0, 3.1, 3.5),
    Sector.PRIMARY_CARE: (2.6, 2.8, 2.7),
    Sector.ICB: (3.2, 3.0, 4.0),
    Sector.LOCAL_AUTHORITY: (2.8, 3.0, 3.2),
    Sector.VCSE: (3.2, 3.9, 2.8),
    Sector.SOCIAL_ENTERPRISE: (3.0, 3.6, 3.0),
    Sector.HOUSING: (3.1, 3.6, 3.0),
    Sector.OTHER: (3.0, 3.0, 3.3),
}
# Directed trust (rater sector, subject sector) -> level; deliberately asymmetric.
DEFAULT_TRUST = 3.5
SECTOR_TRUST: dict[tuple[str, str], float] = {
    (Sector.LOCAL_AUTHORITY, Sector.NHS_ACUTE): 2.5,
    (Sector.NHS_ACUTE, Sector.LOCAL_AUTHORITY): 3.4,
    (Sector.VCSE, Sector.LOCAL_AUTHORITY): 2.6,
    (Sector.LOCAL_AUTHORITY, Sector.VCSE): 3.8,
    (Sector.LOCAL_AUTHORITY, Sector.ICB): 2.6,
    (Sector.ICB, Sector.LOCAL_AUTHORITY): 3.6,
    (Sector.LOCAL_AUTHORITY, Sector.LOCAL_AUTHORITY): 3.2,
    (Sector.VCSE, Sector.NHS_ACUTE): 2.9,
    (Sector.VCSE, Sector.ICB): 2.9,
    (Sector.HOUSING, Sector.LOCAL_AUTHORITY): 3.0,
    (Sector.HOUSING, Sector.NHS_ACUTE): 3.0,
    (Sector.PRIMARY_CARE, Sector.ICB): 2.8,
    (Sector.ICB, Sector.PRIMARY_CARE): 3.6,
    (Sector.PRIMARY_CARE, Sector.NHS_ACUTE): 2.9,
    (Sector.NHS_ACUTE, Sector.PRIMARY_CARE): 3.3,
    (Sector.NHS_COMMUNITY, Sector.NHS_ACUTE): 3.2,
    (Sector.VCSE, Sector.HOUSING): 4.0,
    (Sector.HOUSING, Sector.VCSE): 3.9,
    (Sector.VCSE, Sector.NHS_COMMUNITY): 3.8,
}
# How far raters in one sector over- (+) or under- (-) estimate another sector's trust in
# them (P6, the meta-perception) compared with that sector's actual trust.
SECTOR_META_BIAS: dict[tuple[str, str], float] = {
    (Sector.LOCAL_AUTHORITY, Sector.VCSE): 0.9,
    (Sector.NHS_ACUTE, Sector.LOCAL_AUTHORITY): 0.8,
    (Sector.ICB, Sector.LOCAL_AUTHORITY): 0.7,
    (Sector.ICB, Sector.PRIMARY_CARE): 0.5,
    (Sector.VCSE, Sector.ICB): -0.5,
    (Sector.HOUSING, Sector.LOCAL_AUTHORITY): -0.4,
}
SUBJECT_COMPETENCE = {
    Sector.NHS_ACUTE: 0.3,
    Sector.ICB: 0.1,
    Sector.VCSE: -0.3,
    Sector.HOUSING: -0.1,
    Sector.PRIMARY_CARE: -0.1,
}
SUBJECT_POWER = {
    Sector.NHS_ACUTE: 0.9,
    Sector.ICB: 0.8,
    Sector.LOCAL_AUTHORITY: 0.4,
    Sector.NHS_COMMUNITY: 0.3,
}
SMALL_SECTORS = {Sector.VCSE, Sector.HOUSING, Sector.SOCIAL_ENTERPRISE, Sector.OTHER}
# One organisation is visibly divided on one dimension, so "low agreement" shows.
DIVIDED = ("NCC", "shared_purpose")
BASELINE_SHIFT = -0.3

DONT_KNOW_DEFAULT = 0.04
DONT_KNOW_BY_DIMENSION = {"funding_finance": 0.10}
DONT_KNOW_BY_ITEM = {
    "FU2": 0.28
}  # leaders know little about partners' finances (seed 000)

ROLES = (
    "Board member",
    "Executive director",
    "Non-executive director",
    "Senior manager",
)
ROLE_WEIGHTS = (2, 3, 2, 5)
# fmt: off
FIRST_NAMES = (
    "amira", "ben", "chloe", "david", "emma", "farhan", "grace", "harry", "isla",
    "jack", "kavita", "liam", "maya", "nathan", "olivia", "priya", "rhys", "sarah",
    "tom", "uma", "victoria", "will", "yusuf", "zoe",
)
LAST_NAMES = (
    "ahmed", "baker", "campbell", "davies", "evans", "fraser", "green", "hughes",
    "iqbal", "jones", "khan", "lewis", "morgan", "nolan", "okafor", "patel", "quinn",
    "roberts", "singh", "taylor", "usman", "walker", "young", "zielinski",
)
# fmt: on
# Optional per-dimension comments: (said by the less ready, said by the more ready).
COMMENTS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "shared_purpose": (
        (
            "Every partner signs up to the strategy, then goes back to its own priorities.",
            "The joint plan reads well but nobody could tell you what will change next year.",
            "We talk about prevention, but the money still follows the hospital.",
        ),
        (
            "The shared outcomes framework has really helped us agree what matters.",
            "Our board now asks how each decision fits the place plan.",
        ),
    ),
    "trust_relationships": (
        (
            "Relationships depend on two or three people; if they left we would start again.",
            "There is still a lot of us and them when things get difficult.",
            "Trust has been damaged by decisions made without us.",
        ),
        (
            "We have worked together long enough to have honest disagreements.",
            "Relationships at director level are the best they have been.",
        ),
    ),
    "leadership": (
        (
            "Leadership turnover means commitments get lost.",
            "Our leaders say the right things but targets still come first.",
            "Senior leaders rarely turn up to partnership meetings in person.",
        ),
        (
            "Our chief executive makes a point of championing joint work.",
            "Leaders now talk about the whole system, not just our organisation.",
        ),
    ),
    "governance_influence": (
        (
            "Decisions are made at system level and handed down to us.",
            "It is not clear which board decides what, or how we can influence it.",
            "Too many meetings, too few decisions.",
        ),
        (
            "The partnership board has real delegated authority now.",
            "Accountability for the pooled budget is clear and agreed.",
        ),
    ),
    "funding_finance": (
        (
            "Budget pressures mean partnership work is the first thing to slip.",
            "Different financial rules make it almost impossible to pool money.",
            "We do not really understand how our partners are funded.",
        ),
        (
            "The pooled fund has shown that shared financial risk can work.",
            "Finance leads now meet regularly and that has helped.",
        ),
    ),
    "capacity_workforce": (
        (
            "Nobody has protected time for this; it all happens on top of the day job.",
            "Workforce gaps leave no room for anything beyond our own services.",
            "We cannot release staff to joint teams without cancelling clinics.",
        ),
        (
            "Joint training has helped staff understand how partners work.",
            "Secondments between organisations have been a real success.",
        ),
    ),
    "communication_engagement": (
        (
            "Frontline staff hear about joint work after decisions are made.",
            "We find out about partners' decisions from the local paper.",
            "Each organisation tells a slightly different story about why we are doing this.",
        ),
        (
            "Regular joint briefings mean staff hear the same message.",
            "Partners now talk to us before decisions that affect us.",
        ),
    ),
    "openness_learning": (
        (
            "People worry that admitting a problem will be used against us.",
            "Reviews of joint work still look for someone to blame.",
        ),
        (
            "We are much better at asking partners for help than we were.",
            "Learning reviews after incidents are now done jointly.",
            "Different ways of working are seen as a strength here.",
        ),
    ),
    "incentives_context": (
        (
            "Our targets reward our own performance, not joint outcomes.",
            "Procurement and information governance make joint working slow.",
            "Old rivalries between organisations still colour our dealings.",
        ),
        (
            "Data sharing agreements are finally in place and working.",
            "The partnership boundary matches our area, which helps.",
        ),
    ),
}
COMMENT_RATE = 0.08


@dataclass(frozen=True)
class DemoItem:
    """What the generator needs to know about one instrument item."""

    code: str
    dimension: str
    block: str
    response_format: str
    reverse_scored: bool = False
    prompt: str = ""
    culture_type: str = ""


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


@dataclass(frozen=True)
class DemoPlan:
    organisations: tuple[DemoOrganisation, ...]
    rounds: tuple[PlannedRound, ...]  # baseline first, then the current round


@dataclass
class DemoResult:
    partnership: Partnership
    organisations: int
    submitted: dict[str, int] = field(default_factory=dict)  # round title -> count
    in_progress: int = 0
    answers: int = 0
    profile_answers: int = 0
    comments: int = 0
    try_invitation: Invitation | None = None


class DemoExistsError(Exception):
    """The demo partnership is already there and was not asked to be replaced."""


@dataclass
class _World:
    """Latent truths of the fictional place: org offsets and directed pair matrices."""

    orgs: tuple[DemoOrganisation, ...]
    small: str
    size_factor: dict[str, float]
    offset: dict[tuple[str, str], float]
    item_offset: dict[str, float]
    culture: dict[str, tuple[float, ...]]
    trust: dict[tuple[str, str], float]
    meta: dict[tuple[str, str], float]
    compat: dict[tuple[str, str], float]


def _clip(value: float, high: int = 5) -> int:
    return max(1, min(high, round(value)))


def _culture_distance(a: Sequence[float], b: Sequence[float]) -> float:
    return sum(abs(x - y) for x, y in zip(a, b, strict=True)) / 200


def _build_world(orgs: tuple[DemoOrganisation, ...], rng: random.Random) -> _World:
    small = orgs[min(len(orgs), SMALL_ORGANISATION_INDEX + 1) - 1].short_name
    size_factor: dict[str, float] = {}
    offset: dict[tuple[str, str], float] = {}
    culture: dict[str, tuple[float, ...]] = {}
    for org in orgs:
        size_factor[org.short_name] = rng.uniform(0.7, 1.3)
        general = rng.gauss(0, 0.15)
        for dim in SELF_DIMENSIONS:
            offset[org.short_name, dim] = general + rng.gauss(0, 0.15)
        culture[org.short_name] = tuple(
            max(4.0, p + rng.gauss(0, 2)) for p in SECTOR_CULTURE[org.sector]
        )
    item_offset: dict[str, float] = {}  # filled by plan_demo from the instrument
    trust: dict[tuple[str, str], float] = {}
    meta: dict[tuple[str, str], float] = {}
    compat: dict[tuple[str, str], float] = {}
    for a in orgs:
        for b in orgs:
            if a is not b:
                base = SECTOR_TRUST.get((a.sector, b.sector), DEFAULT_TRUST)
                trust[a.short_name, b.short_name] = base + rng.gauss(0, 0.15)
    for a in orgs:
        for b in orgs:
            if a is not b:
                pair = (a.short_name, b.short_name)
                bias = SECTOR_META_BIAS.get((a.sector, b.sector), 0.0)
                meta[pair] = (
                    trust[b.short_name, a.short_name] + bias + rng.gauss(0, 0.2)
                )
                similar = 4.2 - 3 * _culture_distance(
                    culture[a.short_name], culture[b.short_name]
                )
                compat[pair] = 0.6 * similar + 0.4 * trust[pair] + rng.gauss(0, 0.1)
    return _World(
        orgs=orgs,
        small=small,
        size_factor=size_factor,
        offset=offset,
        item_offset=item_offset,
        culture=culture,
        trust=trust,
        meta=meta,
        compat=compat,
    )


def _dont_know(item: DemoItem, rng: random.Random) -> bool:
    rate = DONT_KNOW_BY_ITEM.get(
        item.code, DONT_KNOW_BY_DIMENSION.get(item.dimension, DONT_KNOW_DEFAULT)
    )
    return rng.random() < rate


def _rating(item: DemoItem, latent: float, rng: random.Random, noise: float) -> int:
    """Return the stored answer whose score (reversed if need be) follows the latent level."""
    value = _clip(latent + rng.gauss(0, noise))
    return 6 - value if item.reverse_scored else value


def _split_points(weights: Sequence[float], step: int) -> list[int]:
    """Share 100 points in multiples of step in proportion to weights (largest remainder)."""
    units = 100 // step
    raw = [w / sum(weights) * units for w in weights]
    shares = [math.floor(r) for r in raw]
    by_remainder = sorted(
        range(len(raw)), key=lambda i: raw[i] - shares[i], reverse=True
    )
    for i in by_remainder[: units - sum(shares)]:
        shares[i] += 1
    return [s * step for s in shares]


def _respondent_answers(
    *,
    world: _World,
    org: DemoOrganisation,
    items: Sequence[DemoItem],
    shift: float,
    used_comments: set[str],
    rng: random.Random,
) -> tuple[
    list[tuple[str, str | None, int | None]],
    list[tuple[str, int]],
    list[tuple[str, str]],
]:
    """Return one complete respondent's answers, points and comments."""
    me = org.short_name
    general = rng.gauss(0, 0.45)
    levels: dict[str, float] = {}
    for n, dim in enumerate(SELF_DIMENSIONS):
        own = SECTOR_LEVELS[org.sector][n] + world.offset[me, dim] + shift + general
        if (me, dim) == DIVIDED:
            levels[dim] = own - general + rng.choice((1.3, -1.9)) + rng.gauss(0, 0.3)
        else:
            levels[dim] = own + rng.gauss(0, 0.65)

    answers: list[tuple[str, str | None, int | None]] = []
    points: list[tuple[str, int]] = []
    prompts: dict[str, list[DemoItem]] = {}
    alignment = [i for i in items if i.response_format == Item.Format.ALIGNMENT]
    skips_profile = rng.random() < 0.08
    step = 10 if rng.random() < 0.4 else 5
    for item in items:
        if item.block == Block.SELF:
            level = levels.get(item.dimension, 3.2) + world.item_offset[item.code]
            noise = 0.35 if (me, item.dimension) == DIVIDED else 0.6
            dk = _dont_know(item, rng)
            answers.append(
                (item.code, None, None if dk else _rating(item, level, rng, noise))
            )
        elif item.response_format == Item.Format.ALIGNMENT:
            n = alignment.index(item)
            base = SECTOR_ALIGNMENT[org.sector]
            level = (base[n] if n < len(base) else 3.0) + shift / 2
            dk = rng.random() < DONT_KNOW_DEFAULT
            answers.append(
                (item.code, None, None if dk else _clip(level + rng.gauss(0, 0.8)))
            )
        elif item.response_format == Item.Format.POINTS:
            prompts.setdefault(item.prompt, []).append(item)
    if not skips_profile:
        for n, statements in enumerate(prompts.values()):
            weights = []
            for statement in statements:
                t = CULTURE_TYPES.index(statement.culture_type)
                mix = world.culture[me][t]
                if (
                    n == 2
                    and statement.culture_type == "F"
                    and org.sector in IMPOSED_UPON
                ):
                    mix += 10
                weights.append(rng.gammavariate(mix / 100 * 14, 1) + 1e-6)
            shares = _split_points(weights, step)
            points += [(s.code, p) for s, p in zip(statements, shares, strict=True)]

    answers += _partner_answers(world=world, org=org, items=items, shift=shift, rng=rng)
    comments = []
    for dim in SELF_DIMENSIONS:
        if dim in COMMENTS and rng.random() < COMMENT_RATE:
            critical, positive = COMMENTS[dim]
            pool = [
                c
                for c in (critical if levels[dim] < 3.3 else positive)
                if c not in used_comments
            ]
            if pool:  # the same words twice from one organisation would look fake
                comments.append((dim, rng.choice(pool)))
                used_comments.add(comments[-1][1])
    return answers, points, comments


def _partner_answers(
    *,
    world: _World,
    org: DemoOrganisation,
    items: Sequence[DemoItem],
    shift: float,
    rng: random.Random,
) -> list[tuple[str, str | None, int | None]]:
    """Return one respondent's ratings of every other partner."""
    partner_items = [i for i in items if i.block == Block.PARTNER]
    if not partner_items:
        return []
    familiarity, rated = partner_items[0], partner_items[1:]
    me = org.short_name
    generosity = rng.gauss(0, 0.35)
    answers: list[tuple[str, str | None, int | None]] = []
    for other in world.orgs:
        if other is org:
            continue
        them = other.short_name
        small = other.sector in SMALL_SECTORS
        p_unknown = (0.18 if small else 0.05) + (
            0.05 if org.sector in SMALL_SECTORS else 0
        )
        if rng.random() < p_unknown:
            answers.append((familiarity.code, them, 1))
            continue
        known = rng.choices((2, 3, 4), weights=(45, 38, 17) if small else (30, 42, 28))[
            0
        ]
        answers.append((familiarity.code, them, known))
        pair = (me, them)
        trust = world.trust[pair] + shift * 0.8 + generosity + rng.gauss(0, 0.45)
        trust += 0.1 * (known - 2.5)
        latent = {
            "P1": trust + SUBJECT_COMPETENCE.get(other.sector, 0.0),
            "P4": world.compat[pair] + generosity + rng.gauss(0, 0.4),
            "P5": trust - SUBJECT_POWER.get(other.sector, 0.0),
            "P6": world.meta[pair] + rng.gauss(0, 0.45),
        }
        dk_rate = 0.12 if known == 2 else 0.04
        for item in rated:
            rate = dk_rate + (0.08 if item.code == "P6" else 0.0)
            if rng.random() < rate:
                answers.append((item.code, them, None))
            else:
                level = latent.get(item.code, trust)
                answers.append((item.code, them, _rating(item, level, rng, 0.5)))
    return answers


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
    rng = random.Random(seed)
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


def demo_items(*, instrument: Instrument) -> list[DemoItem]:
    """Return the instrument's items, in questionnaire order, as generator input."""
    rows = (
        Item.objects.filter(dimension__instrument=instrument)
        .order_by("dimension__order", "order")
        .values_list(
            "code",
            "dimension__key",
            "block",
            "response_format",
            "reverse_scored",
            "prompt",
            "culture_type",
        )
    )
    return [DemoItem(*row) for row in rows]


def ensure_default_instrument() -> Instrument:
    """Return the default instrument, loading it from its YAML file if it is not there."""
    path = Path(apps.get_app_config("surveys").path) / DEFAULT_INSTRUMENT
    spec, text = read_instrument(path)
    existing = Instrument.objects.filter(key=spec.key, version=spec.version).first()
    return existing or load_instrument(spec=spec, source_text=text).instrument


def _delete_demo(partnership: Partnership) -> None:
    """Delete a demo partnership and its rounds, children first (links and answers PROTECT)."""
    surveys = Survey.objects.filter(partnership=partnership)
    Answer.objects.filter(response__survey__in=surveys).delete()
    ProfileAnswer.objects.filter(response__survey__in=surveys).delete()
    Comment.objects.filter(response__survey__in=surveys).delete()
    Response.objects.filter(survey__in=surveys).delete()
    Invitation.objects.filter(survey__in=surveys).delete()
    surveys.delete()
    member_ids = list(partnership.members.values_list("pk", flat=True))
    partnership.delete()
    Organisation.objects.filter(pk__in=member_ids, partnerships__isnull=True).exclude(
        pk__in=Invitation.objects.values("organisation_id")
    ).exclude(pk__in=Response.objects.values("organisation_id")).exclude(
        pk__in=Answer.objects.filter(subject_organisation__in=member_ids).values(
            "subject_organisation_id"
        )
    ).delete()


def _save_organisations(orgs: Sequence[DemoOrganisation]) -> dict[str, Organisation]:
    saved = {}
    for org in orgs:
        row = Organisation.objects.filter(
            name__iexact=org.name
        ).first() or Organisation(name=org.name)
        row.short_name, row.sector = org.short_name, org.sector
        row.save()
        saved[org.short_name] = row
    return saved


def _save_users(partnership: Partnership) -> None:
    """Create or refresh the demo logins, their admin permissions and memberships."""
    # One hash for all three: it is the slow part, and the password is published anyway.
    password = make_password(DEMO_PASSWORD)
    models = [m for m in apps.get_app_config("surveys").get_models() if m is not User]
    view = {f"view_{m._meta.model_name}" for m in models}
    change = {f"change_{name}" for name in LEAD_CHANGE_MODELS}
    perms = Permission.objects.filter(content_type__app_label="surveys")
    for username, role in DEMO_USERS:
        user = User.objects.filter(username=username).first() or User(username=username)
        user.first_name, user.last_name = "Demo", role.label
        user.email = f"{username}@northshire-demo.example"
        user.is_staff, user.is_active, user.password = True, True, password
        user.save()
        codes = view | change if role == Membership.Role.LEAD else view
        user.user_permissions.set(perms.filter(codename__in=codes))
        Membership.objects.update_or_create(
            user=user, partnership=partnership, defaults={"role": role}
        )


def _save_round(
    *,
    planned: PlannedRound,
    partnership: Partnership,
    instrument: Instrument,
    orgs: dict[str, Organisation],
    item_ids: dict[str, int],
    dimension_ids: dict[str, int],
) -> tuple[Survey, list[Invitation], list[Response], int]:
    """Write one planned round with bulk inserts; return it and the answer count."""
    survey = Survey.objects.create(
        partnership=partnership,
        instrument=instrument,
        title=planned.title,
        status=planned.status,
        opens_at=planned.opens_at,
        closes_at=planned.closes_at,
        anonymity_threshold=ANONYMITY_THRESHOLD,
    )
    Survey.objects.filter(pk=survey.pk).update(
        created_at=planned.opens_at - timedelta(days=7)
    )
    invitations = Invitation.objects.bulk_create(
        [
            Invitation(
                survey=survey,
                organisation=orgs[i.organisation],
                kind=i.kind,
                email=i.email,
                role=i.role,
                sent_at=i.sent_at,
                reminded_at=i.reminded_at,
            )
            for i in planned.invitations
        ],
        batch_size=BATCH_SIZE,
    )
    responses = Response.objects.bulk_create(
        [
            Response(
                survey=survey,
                organisation=orgs[r.organisation],
                invitation=invitations[r.invitation],
                start_key=r.start_key,
                role=r.role,
                started_at=r.started_at,
                submitted_at=r.submitted_at,
            )
            for r in planned.responses
        ],
        batch_size=BATCH_SIZE,
    )
    answers, points, comments = [], [], []
    for row, plan in zip(responses, planned.responses, strict=True):
        answers += [
            Answer(
                response_id=row.pk,
                item_id=item_ids[code],
                value=value,
                subject_organisation_id=orgs[subject].pk if subject else None,
            )
            for code, subject, value in plan.answers
        ]
        points += [
            ProfileAnswer(response_id=row.pk, item_id=item_ids[code], points=p)
            for code, p in plan.points
        ]
        comments += [
            Comment(response_id=row.pk, dimension_id=dimension_ids[key], text=text)
            for key, text in plan.comments
        ]
    Answer.objects.bulk_create(answers, batch_size=BATCH_SIZE)
    ProfileAnswer.objects.bulk_create(points, batch_size=BATCH_SIZE)
    Comment.objects.bulk_create(comments, batch_size=BATCH_SIZE)
    return survey, invitations, responses, len(answers)


@transaction.atomic
def seed_demo(
    *,
    organisations: int = DEFAULT_ORGANISATIONS,
    respondents: int = DEFAULT_RESPONDENTS,
    seed: int = DEFAULT_SEED,
    replace: bool = False,
    now: datetime | None = None,
) -> DemoResult:
    """Create the demo partnership, its logins, two rounds and their answers."""
    existing = Partnership.objects.filter(name=DEMO_PARTNERSHIP_NAME).first()
    if existing is not None and not replace:
        raise DemoExistsError(
            f'The demo partnership "{DEMO_PARTNERSHIP_NAME}" already exists.'
        )
    if existing is not None:
        _delete_demo(existing)
    instrument = ensure_default_instrument()
    plan = plan_demo(
        items=demo_items(instrument=instrument),
        now=now or timezone.now(),
        organisations=organisations,
        respondents=respondents,
        seed=seed,
    )

    orgs = _save_organisations(plan.organisations)
    partnership = Partnership.objects.create(
        name=DEMO_PARTNERSHIP_NAME, kind=Partnership.Kind.PLACE
    )
    partnership.members.set(orgs.values())
    _save_users(partnership)

    item_ids = dict(
        Item.objects.filter(dimension__instrument=instrument).values_list("code", "pk")
    )
    dimension_ids = dict(instrument.dimensions.values_list("key", "pk"))
    result = DemoResult(partnership=partnership, organisations=len(orgs))
    for planned in plan.rounds:
        survey, invitations, responses, n_answers = _save_round(
            planned=planned,
            partnership=partnership,
            instrument=instrument,
            orgs=orgs,
            item_ids=item_ids,
            dimension_ids=dimension_ids,
        )
        result.submitted[survey.title] = sum(1 for r in responses if r.submitted_at)
        result.in_progress += sum(1 for r in responses if not r.submitted_at)
        result.answers += n_answers
        result.profile_answers += sum(len(r.points) for r in planned.responses)
        result.comments += sum(len(r.comments) for r in planned.responses)
        if survey.status == Survey.Status.OPEN:
            result.try_invitation = next(
                i for i in invitations if i.kind == Invitation.Kind.ORGANISATION
            )
    return result
