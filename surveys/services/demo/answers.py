"""The place's latent truths, and how one fictional respondent answers from them."""

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass

from reports.scoring import reverse_score
from surveys.models import Block, Item
from surveys.services.demo.profiles import (
    COMMENT_RATE,
    COMMENTS,
    CULTURE_TYPES,
    DEFAULT_TRUST,
    DIVIDED,
    DONT_KNOW_BY_DIMENSION,
    DONT_KNOW_BY_ITEM,
    DONT_KNOW_DEFAULT,
    IMPOSED_UPON,
    SECTOR_ALIGNMENT,
    SECTOR_CULTURE,
    SECTOR_LEVELS,
    SECTOR_META_BIAS,
    SECTOR_TRUST,
    SELF_DIMENSIONS,
    SMALL_ORGANISATION_INDEX,
    SMALL_SECTORS,
    SUBJECT_COMPETENCE,
    SUBJECT_POWER,
    DemoOrganisation,
)


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
    return int(reverse_score(value)) if item.reverse_scored else value


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
