"""Build a national-scale data set: partnerships of organisations, one open round each, answers.

    python -m bench.generate --responses 500000 --organisations 2000

A national programme runs one round in every integrated care system at once, so the
organisations are split into partnerships of `--partnership-size` (50 by default: 2,000
organisations make 40 partnerships, about one per ICS), each with its own round of the
default instrument. Responses are spread unevenly over the organisations (a few fall below
the anonymity threshold, as in life); each respondent answers every self item, the
alignment items and the culture profile, and rates `--partners-rated` partners. Values come
from organisation and respondent effects plus noise, so the dashboards have real structure.

Rows go in with PostgreSQL `COPY` in chunks of `--chunk` responses, built with numpy and
pandas, never row by row. Prints one `name value unit` line per figure.
"""

import argparse
import io
import math
import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta

import numpy as np
import pandas as pd

from bench.support import Figure, emit, setup_django

BENCH_PREFIX = "Bench"
SECTORS = (
    "nhs_acute",
    "nhs_community",
    "primary_care",
    "local_authority",
    "vcse",
    "housing",
    "social_enterprise",
    "icb",
)
DONT_KNOW_RATE = 0.03
IN_PROGRESS_RATE = 0.04
COMMENT_RATE = 0.02
NEIGHBOURHOOD = 3
COMMENT_TEXTS = (
    "Budgets are set separately, so joint plans stall at sign-off.",
    "We trust the people we work with every week, less so the organisation.",
    "Decisions are made centrally and arrive late to the front line.",
    "Staff turnover makes it hard to keep relationships going.",
    "We share the vision but not yet the data.",
)


@dataclass(frozen=True)
class Catalogue:
    """The instrument's items split by how the generator answers them."""

    self_ids: list[int]
    self_dimension: list[int]  # index into dimension_ids
    self_reverse: list[bool]
    dimension_ids: list[int]
    alignment_ids: list[int]
    partner_ids: list[int]
    profile_ids: list[int]  # prompt-major: prompt 1 types, prompt 2 types, ...
    profile_types: int


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=10_000)
    parser.add_argument("--organisations", type=int, default=200)
    parser.add_argument("--partnership-size", type=int, default=50)
    parser.add_argument("--partners-rated", type=int, default=2)
    parser.add_argument("--threshold", type=int, default=5)
    parser.add_argument("--chunk", type=int, default=25_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--jobs", type=int, default=2, help="chunks written at once (one per core)"
    )
    parser.add_argument(
        "--replace",
        action="store_true",
        help="delete an earlier generated data set first (it is refused otherwise)",
    )
    return parser.parse_args(argv)


def _catalogue(instrument) -> Catalogue:
    from surveys.models import Block, Item

    items = list(
        Item.objects.filter(dimension__instrument=instrument)
        .order_by("dimension__order", "order")
        .values(
            "pk", "block", "response_format", "reverse_scored", "dimension_id", "prompt"
        )
    )
    self_items = [
        i
        for i in items
        if i["block"] == Block.SELF and i["response_format"] == Item.Format.LIKERT
    ]
    dimension_ids = sorted({i["dimension_id"] for i in self_items})
    profile = [i for i in items if i["response_format"] == Item.Format.POINTS]
    prompts = {i["prompt"] for i in profile}
    return Catalogue(
        self_ids=[i["pk"] for i in self_items],
        self_dimension=[dimension_ids.index(i["dimension_id"]) for i in self_items],
        self_reverse=[i["reverse_scored"] for i in self_items],
        dimension_ids=dimension_ids,
        alignment_ids=[
            i["pk"] for i in items if i["response_format"] == Item.Format.ALIGNMENT
        ],
        partner_ids=[i["pk"] for i in items if i["block"] == Block.PARTNER],
        profile_ids=[i["pk"] for i in profile],
        profile_types=len(profile) // max(len(prompts), 1),
    )


def _delete_previous(prefix: str = f"{BENCH_PREFIX} ") -> int:
    """Delete generated partnerships and everything under them; return how many."""
    from django.db import connection

    from surveys.models import Partnership

    ids = list(
        Partnership.objects.filter(name__startswith=prefix).values_list("pk", flat=True)
    )
    if not ids:
        return 0
    with connection.cursor() as cursor:
        # Raw deletes: the ORM's cascade would load millions of rows into Python.
        surveys = "SELECT id FROM surveys_survey WHERE partnership_id = ANY(%s)"
        responses = f"SELECT id FROM surveys_response WHERE survey_id IN ({surveys})"
        for table in ("surveys_answer", "surveys_profileanswer", "surveys_comment"):
            cursor.execute(
                f"DELETE FROM {table} WHERE response_id IN ({responses})", [ids]
            )
        for table in ("surveys_response", "surveys_invitation"):
            cursor.execute(
                f"DELETE FROM {table} WHERE survey_id IN ({surveys})",
                [ids],
            )
        cursor.execute(
            f"DELETE FROM surveys_focusarea WHERE survey_id IN ({surveys})", [ids]
        )
        cursor.execute(
            "DELETE FROM surveys_auditevent WHERE partnership_id = ANY(%s)", [ids]
        )
        cursor.execute(
            "DELETE FROM surveys_survey WHERE partnership_id = ANY(%s)", [ids]
        )
        cursor.execute(
            "DELETE FROM surveys_membership WHERE partnership_id = ANY(%s)", [ids]
        )
        orgs = "SELECT organisation_id FROM surveys_partnership_members WHERE partnership_id = ANY(%s)"
        cursor.execute(
            f"CREATE TEMP TABLE bench_orgs AS {orgs}",
            [ids],
        )
        cursor.execute(
            "DELETE FROM surveys_partnership_members WHERE partnership_id = ANY(%s)",
            [ids],
        )
        cursor.execute("DELETE FROM surveys_partnership WHERE id = ANY(%s)", [ids])
        cursor.execute(
            "DELETE FROM surveys_organisation WHERE id IN (SELECT organisation_id FROM bench_orgs)"
        )
        cursor.execute("DROP TABLE bench_orgs")
    return len(ids)


@dataclass(frozen=True)
class World:
    """The generated partnerships, organisations, rounds and links, as numpy-friendly arrays."""

    organisation_ids: np.ndarray
    partnership_of: np.ndarray  # organisation index -> partnership index
    survey_ids: np.ndarray  # partnership index -> survey id
    invitation_ids: np.ndarray  # organisation index -> organisation-link id
    members: list[np.ndarray]  # partnership index -> organisation indexes


def _build_world(args: argparse.Namespace, instrument, rng) -> World:
    """Create partnerships, organisations, one open round and one organisation link each."""
    from django.utils import timezone

    from surveys.models import (
        Invitation,
        Organisation,
        Partnership,
        PartnershipMember,
        Survey,
    )

    size = max(1, args.partnership_size)
    n_partnerships = math.ceil(args.organisations / size)
    partnerships = Partnership.objects.bulk_create(
        Partnership(name=f"{BENCH_PREFIX} ICS {p + 1:03d}", kind=Partnership.Kind.ICS)
        for p in range(n_partnerships)
    )
    organisations = Organisation.objects.bulk_create(
        Organisation(
            name=f"{BENCH_PREFIX} organisation {o + 1:05d}",
            short_name=f"B{o + 1:05d}",
            sector=SECTORS[int(rng.integers(len(SECTORS)))],
        )
        for o in range(args.organisations)
    )
    partnership_of = np.arange(args.organisations) // size
    PartnershipMember.objects.bulk_create(
        PartnershipMember(
            partnership_id=partnerships[p].pk,
            organisation=org,
            name=org.name,
            short_name=org.short_name,
        )
        for org, p in zip(organisations, partnership_of, strict=True)
    )
    now = timezone.now()
    surveys = Survey.objects.bulk_create(
        Survey(
            partnership=partnership,
            instrument=instrument,
            title="National readiness round",
            status=Survey.Status.OPEN,
            opens_at=now - timedelta(days=21),
            closes_at=now + timedelta(days=7),
            anonymity_threshold=args.threshold,
            # A live round whose dashboards show provisional figures (the heavier case).
            release_rule=Survey.ReleaseRule.GROUPS,
        )
        for partnership in partnerships
    )
    invitations = Invitation.objects.bulk_create(
        Invitation(
            survey=surveys[p],
            organisation=org,
            kind=Invitation.Kind.ORGANISATION,
        )
        for org, p in zip(organisations, partnership_of, strict=True)
    )
    return World(
        organisation_ids=np.array([o.pk for o in organisations]),
        partnership_of=partnership_of,
        survey_ids=np.array([s.pk for s in surveys]),
        invitation_ids=np.array([i.pk for i in invitations]),
        members=[np.flatnonzero(partnership_of == p) for p in range(n_partnerships)],
    )


def _respondent_organisations(args: argparse.Namespace, rng) -> np.ndarray:
    """Give every response an organisation index; sizes vary as boards and staff do."""

    weights = rng.lognormal(mean=0.0, sigma=0.6, size=args.organisations)
    # About one organisation in twenty is small: a handful of replies, below the threshold.
    small = rng.random(args.organisations) < 0.05
    counts = rng.multinomial(args.responses, weights / weights.sum())
    counts[small] = np.minimum(counts[small], max(args.threshold - 2, 1))
    counts[np.argmax(counts)] += args.responses - counts.sum()
    return rng.permutation(np.repeat(np.arange(args.organisations), counts))


def _copy(cursor, table: str, frame: pd.DataFrame, *, not_null: tuple = ()) -> None:
    """COPY a frame into a table; empty fields are NULL except in `not_null` columns."""
    buffer = io.StringIO()
    frame.to_csv(buffer, header=False, index=False)
    buffer.seek(0)
    options = f", FORCE_NOT_NULL ({', '.join(not_null)})" if not_null else ""
    cursor.copy_expert(
        f"COPY {table} ({', '.join(frame.columns)}) FROM STDIN WITH (FORMAT csv{options})",
        buffer,
    )


def _likert(latent, rng):

    values = np.clip(np.rint(latent), 1, 5)
    return np.where(rng.random(latent.shape) < DONT_KNOW_RATE, np.nan, values)


def _write_chunk(
    cursor,
    *,
    start: int,
    orgs,
    world: World,
    cat: Catalogue,
    effects,
    partners_rated: int,
    rng,
    now,
) -> dict[str, int]:
    """Write one chunk of responses with all their answers; return row counts."""

    n = len(orgs)
    ids = np.arange(start, start + n)
    submitted = rng.random(n) >= IN_PROGRESS_RATE
    started = now - pd.to_timedelta(rng.uniform(60, 20 * 86400, n), unit="s")
    submitted_at = started + pd.to_timedelta(rng.uniform(240, 1800, n), unit="s")
    tokens = [os.urandom(24).hex() for _ in range(n)]
    responses = pd.DataFrame(
        {
            "id": ids,
            "created_at": started,
            "updated_at": np.where(submitted, submitted_at, started),
            "public_id": [str(u) for u in _uuids(n)],
            "survey_id": world.survey_ids[world.partnership_of[orgs]],
            "organisation_id": world.organisation_ids[orgs],
            "invitation_id": world.invitation_ids[orgs],
            "start_key": tokens,
            "resume_token": [os.urandom(24).hex() for _ in range(n)],
            "role": "",
            "started_at": started,
            "submitted_at": pd.Series(submitted_at).where(submitted),
        }
    )
    _copy(cursor, "surveys_response", responses, not_null=("role",))

    answered = ids[submitted]
    answered_orgs = orgs[submitted]
    k = len(answered)
    # Self items: organisation effect per dimension + respondent effect + item noise.
    org_effect, respondent_sd, noise_sd = effects
    dims = np.asarray(cat.self_dimension)
    latent = (
        3.2
        + org_effect[answered_orgs][:, dims]
        + rng.normal(0, respondent_sd, (k, 1))
        + rng.normal(0, noise_sd, (k, len(dims)))
    )
    latent = np.where(np.asarray(cat.self_reverse), 6 - latent, latent)
    self_values = _likert(latent, rng)
    alignment_values = _likert(3 + rng.normal(0, 1.0, (k, len(cat.alignment_ids))), rng)
    item_ids = np.array(cat.self_ids + cat.alignment_ids)
    values = np.hstack([self_values, alignment_values])
    answers = [
        pd.DataFrame(
            {
                "response_id": np.repeat(answered, len(item_ids)),
                "item_id": np.tile(item_ids, k),
                "subject_organisation_id": pd.array(
                    [pd.NA] * (k * len(item_ids)), dtype="Int64"
                ),
                "value": pd.array(values.ravel(), dtype="Float64").astype("Int64"),
            }
        )
    ]
    # Partner ratings: each respondent rates partners from the same partnership.
    partner_items = np.array(cat.partner_ids)
    rated = _rated_partners(world, answered_orgs, partners_rated, rng)
    for column in range(rated.shape[1]):
        subject = rated[:, column]
        has = subject >= 0
        raters, subjects = answered[has], subject[has]
        m = len(raters)
        latent = (
            3.4
            + rng.normal(0, 0.5, (m, 1))
            + rng.normal(0, 0.7, (m, len(partner_items)))
        )
        answers.append(
            pd.DataFrame(
                {
                    "response_id": np.repeat(raters, len(partner_items)),
                    "item_id": np.tile(partner_items, m),
                    "subject_organisation_id": np.repeat(
                        world.organisation_ids[subjects], len(partner_items)
                    ),
                    "value": pd.array(
                        _likert(latent, rng).ravel(), dtype="Float64"
                    ).astype("Int64"),
                }
            )
        )
    answer_frame = pd.concat(answers, ignore_index=True)
    _copy(cursor, "surveys_answer", answer_frame)

    # Culture profile: 100 points per prompt, in steps of 5, leaning by organisation.
    prompts = len(cat.profile_ids) // max(cat.profile_types, 1)
    shares = rng.dirichlet(np.full(cat.profile_types, 2.0), size=(k, prompts))
    points = np.floor(shares * 20).astype(int) * 5
    points[..., 0] += 100 - points.sum(axis=-1)
    profile = pd.DataFrame(
        {
            "response_id": np.repeat(answered, len(cat.profile_ids)),
            "item_id": np.tile(np.array(cat.profile_ids), k),
            "points": points.reshape(k, -1).ravel(),
        }
    )
    _copy(cursor, "surveys_profileanswer", profile)

    commenting = answered[rng.random(k) < COMMENT_RATE]
    comments = pd.DataFrame(
        {
            "response_id": commenting,
            "dimension_id": rng.choice(cat.dimension_ids, len(commenting)),
            "text": rng.choice(COMMENT_TEXTS, len(commenting)),
        }
    )
    _copy(cursor, "surveys_comment", comments)
    return {
        "responses": n,
        "submitted": k,
        "answers": len(answer_frame),
        "profile_answers": len(profile),
        "comments": len(comments),
    }


def _uuids(n: int) -> list:
    import uuid

    return [uuid.UUID(bytes=os.urandom(16), version=4) for _ in range(n)]


def _rated_partners(world: World, orgs: np.ndarray, partners_rated: int, rng):
    """Pick distinct partners for each respondent to rate (-1: none).

    People rate the partners they work with: the organisations next to their own in its
    partnership (a "place" of up to NEIGHBOURHOOD either side), so that each of those pairs
    collects enough raters to be shown, as in a real round.
    """
    rated = np.full((len(orgs), partners_rated), -1)
    partnership = world.partnership_of[orgs]
    offsets = np.array([o for d in range(1, NEIGHBOURHOOD + 1) for o in (d, -d)])
    for p, members in enumerate(world.members):
        rows = np.flatnonzero(partnership == p)
        usable = offsets[np.abs(offsets) < len(members)]
        usable = np.unique(usable % len(members)) if len(members) > 1 else usable[:0]
        picks = min(partners_rated, len(usable))
        if not picks or not len(rows):
            continue
        position = np.searchsorted(members, orgs[rows])
        order = np.argsort(rng.random((len(rows), len(usable))), axis=1)[:, :picks]
        rated[rows, :picks] = members[
            (position[:, None] + usable[order]) % len(members)
        ]
    return rated


def generate(args: argparse.Namespace) -> dict[str, float]:
    """Create the data set and return its row counts and timings."""
    from django.db import connection, transaction
    from django.utils import timezone

    from surveys.services.demo.write import ensure_default_instrument

    began = time.perf_counter()
    rng = np.random.default_rng(args.seed)
    instrument = ensure_default_instrument()
    cat = _catalogue(instrument)
    with transaction.atomic():
        if args.replace:
            _delete_previous()
        elif _exists():
            raise SystemExit(
                "A generated data set is already there: pass --replace to rebuild it."
            )
        world = _build_world(args, instrument, rng)
    orgs = _respondent_organisations(args, rng)
    effects = (
        rng.normal(0, 0.45, (args.organisations, len(cat.dimension_ids))),
        0.4,
        0.75,
    )
    totals = dict.fromkeys(
        ("responses", "submitted", "answers", "profile_answers", "comments"), 0
    )
    now = timezone.now()
    with connection.cursor() as cursor:
        # Reserve the ids up front, so chunks can be written in any order, in parallel.
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('surveys_response', 'id'), "
            "(SELECT COALESCE(MAX(id), 0) FROM surveys_response) + %s) - %s + 1",
            [len(orgs), len(orgs)],
        )
        next_id = cursor.fetchone()[0]

    def write(offset: int) -> dict[str, int]:
        # Each chunk has its own seeded generator: the data set is the same whatever the
        # order the threads finish in. Each thread has its own database connection.
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                return _write_chunk(
                    cursor,
                    start=next_id + offset,
                    orgs=orgs[offset : offset + args.chunk],
                    world=world,
                    cat=cat,
                    effects=effects,
                    partners_rated=args.partners_rated,
                    rng=np.random.default_rng([args.seed, offset]),
                    now=now,
                )
        finally:
            connection.close()

    done = 0
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        for counts in pool.map(write, range(0, len(orgs), args.chunk)):
            for key, value in counts.items():
                totals[key] += value
            done += counts["responses"]
            print(
                f"  {done:,} / {len(orgs):,} responses "
                f"({time.perf_counter() - began:.0f} s)",
                file=sys.stderr,
            )
    with connection.cursor() as cursor:
        # As autovacuum would: statistics for the planner, and a visibility map so that the
        # reports' covering indexes give index-only scans.
        cursor.execute(
            "VACUUM (ANALYZE) surveys_response, surveys_answer, surveys_profileanswer"
        )
    seconds = time.perf_counter() - began
    return totals | {
        "partnerships": len(world.survey_ids),
        "organisations": args.organisations,
        "seconds": seconds,
    }


def _exists() -> bool:
    from surveys.models import Partnership

    return Partnership.objects.filter(name__startswith=f"{BENCH_PREFIX} ").exists()


def main(argv: list[str] | None = None) -> None:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    setup_django()
    result = generate(args)
    emit(
        [
            Figure("generate.partnerships", result["partnerships"], "count"),
            Figure("generate.organisations", result["organisations"], "count"),
            Figure("generate.responses", result["responses"], "count"),
            Figure("generate.submitted", result["submitted"], "count"),
            Figure("generate.answers", result["answers"], "rows"),
            Figure("generate.profile_answers", result["profile_answers"], "rows"),
            Figure("generate.comments", result["comments"], "rows"),
            Figure("generate.seconds", result["seconds"], "s"),
            Figure(
                "generate.rate", result["responses"] / result["seconds"], "responses/s"
            ),
        ]
    )


if __name__ == "__main__":
    main()
