"""The ordered pages a respondent goes through, and which of them are complete."""

import math
import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection
from django.db.models import TextField
from django.db.models.expressions import RawSQL
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from surveys.instrument_text import InstrumentText
from surveys.models import (
    Answer,
    Block,
    Comment,
    Dimension,
    Instrument,
    Invitation,
    Item,
    Organisation,
    PartnershipMember,
    ProfileAnswer,
    Response,
    Survey,
)

PARTNER_STEP_PREFIX = "partner-"
FAMILIARITY_SKIP = 1  # "Not at all": the rest of the partner page is skipped
# About how long one question takes to read and answer (a rating, or one statement's
# points); with the default questionnaire, 3 organisations come to about 15 minutes.
SECONDS_PER_ITEM = 12


@dataclass(frozen=True)
class Step:
    """One page of the questionnaire: a dimension, the culture profile, or one partner."""

    slug: str
    dimension: Dimension
    items: tuple[Item, ...]
    text: InstrumentText  # the questionnaire's wording in the respondent's language
    subject: Organisation | None = None

    @property
    def block(self) -> str:
        return self.dimension.block

    @property
    def title(self) -> str:
        if self.subject is not None:
            return _("How you see %(name)s") % {"name": self.subject.name}
        return self.text.dimension_title(self.dimension)

    @property
    def description(self) -> str:
        return self.text.dimension_description(self.dimension)

    @property
    def required_items(self) -> tuple[Item, ...]:
        """Items that need an answer (or "Don't know") before the page is complete."""
        return tuple(i for i in self.items if i.response_format != Item.Format.POINTS)


# Dimensions with their items, per instrument and definition: an instrument's questions do
# not change once it is in use, and reading them was a third of a page view's time.
_INSTRUMENT_PAGES: dict[
    tuple[int, str, object], tuple[tuple[Dimension, tuple[Item, ...]], ...]
] = {}
_INSTRUMENT_PAGES_LOCK = threading.Lock()


def _instrument_pages(
    instrument: Instrument,
) -> tuple[tuple[Dimension, tuple[Item, ...]], ...]:
    """Return the instrument's dimensions in order, each with its items, read once."""
    # created_at too: a database flushed and reloaded (tests) reuses ids for new rows.
    key = (instrument.pk, instrument.definition_sha256, instrument.created_at)
    with _INSTRUMENT_PAGES_LOCK:
        pages = _INSTRUMENT_PAGES.get(key)
    if pages is None:
        dimensions = (
            Dimension.objects.filter(instrument_id=instrument.pk)
            .prefetch_related("items")
            .order_by("order")
        )
        pages = tuple((d, tuple(d.items.all())) for d in dimensions)
        with _INSTRUMENT_PAGES_LOCK:
            _INSTRUMENT_PAGES[key] = pages
    return pages


# A partnership's members by name, per process, keyed by the members' ids and names as
# the page's own token lookup read them (partners_fingerprint): any member added, removed
# or renamed makes a new key, and a page view needs no query of its own for them.
_PARTNERS: OrderedDict[tuple[int, str], tuple[Organisation, ...]] = OrderedDict()
_PARTNERS_LOCK = threading.Lock()
PARTNERS_KEPT = 256


# Each member as "id:public id:length of name:name", so that no name can pass for two
# members, and a database reloaded with the same ids (tests, a re-seeded demo) still
# makes new keys. Raw SQL because the ORM spelling of this subquery cost more to compile
# than the query it saves (issue 17); only the aggregate's name differs between databases.
_FINGERPRINT_SQL = (
    "(SELECT {aggregate}(CAST(m.organisation_id AS TEXT) || ':' || "
    "CAST(o.public_id AS TEXT) || ':' || "
    "CAST(LENGTH(o.name) AS TEXT) || ':' || o.name, ','{order}) "
    "FROM {members} m JOIN {organisations} o ON o.id = m.organisation_id "
    "WHERE m.partnership_id = (SELECT s.partnership_id FROM {surveys} s "
    "WHERE s.id = {rows}.survey_id))"
)


def partners_fingerprint(model: type[Response | Invitation] = Response) -> RawSQL:
    """Return an annotation of a query on `model` (a Response or an Invitation, each with
    its round) spelling out its partnership's members."""
    postgresql = connection.vendor == "postgresql"
    sql = _FINGERPRINT_SQL.format(
        aggregate="STRING_AGG" if postgresql else "GROUP_CONCAT",
        order=" ORDER BY m.organisation_id" if postgresql else "",
        members=PartnershipMember._meta.db_table,
        organisations=Organisation._meta.db_table,
        surveys=Survey._meta.db_table,
        rows=model._meta.db_table,
    )
    # Table names from the models and a fixed aggregate: no value reaches the SQL text.
    return RawSQL(sql, (), output_field=TextField())  # nosec B611


def _members(response: Response) -> tuple[Organisation, ...]:
    """Return the response's partnership members by name, read once per fingerprint."""

    def members() -> tuple[Organisation, ...]:
        # Built only when read: even an unevaluated queryset costs the ORM's filter work.
        return tuple(
            Organisation.objects.filter(
                member_rows__partnership_id=response.survey.partnership_id
            ).order_by("name")
        )

    fingerprint = getattr(response, "partners_key", None)
    if fingerprint is None:
        return members()
    key = (response.survey.partnership_id, fingerprint)
    with _PARTNERS_LOCK:
        found = _PARTNERS.get(key)
    if found is None:
        found = members()
        with _PARTNERS_LOCK:
            _PARTNERS[key] = found
            while len(_PARTNERS) > PARTNERS_KEPT:
                _PARTNERS.popitem(last=False)
    return found


def build_steps(*, response: Response, language: str | None = None) -> list[Step]:
    """Return every page of this response's questionnaire, in order.

    The pages' wording is in `language` (a Django code), by default the active one.
    """
    text = InstrumentText(response.survey.instrument, language or get_language())
    partners = [org for org in _members(response) if org.pk != response.organisation_id]
    steps: list[Step] = []
    for dimension, items in _instrument_pages(response.survey.instrument):
        if dimension.block == Block.PARTNER:
            steps += [
                Step(
                    slug=f"{PARTNER_STEP_PREFIX}{org.public_id}",
                    dimension=dimension,
                    items=items,
                    text=text,
                    subject=org,
                )
                for org in partners
            ]
        else:
            steps.append(
                Step(slug=dimension.key, dimension=dimension, items=items, text=text)
            )
    return steps


def estimated_minutes(
    item_counts: Iterable[int], *, seconds_per_item: int = SECONDS_PER_ITEM
) -> int:
    """Return about how many minutes pages take: items × seconds per item, rounded up.

    Whole minutes up to ten, then in fives: "about 25 minutes" promises no false precision.
    """
    seconds = sum(item_counts) * seconds_per_item
    minutes = max(1, math.ceil(seconds / 60))
    return minutes if minutes <= 10 else 5 * math.ceil(minutes / 5)


def minutes_for(steps: list[Step]) -> int:
    """Return about how many minutes these pages take to answer."""
    return estimated_minutes(len(step.items) for step in steps)


def steps_for_new_response(invitation: Invitation) -> list[Step]:
    """Return the pages a new response on this link will have (nothing is saved)."""
    blank = Response(survey=invitation.survey, organisation=invitation.organisation)
    # The members as the link's lookup read them (selectors._invitation_link), if it did.
    blank.partners_key = getattr(invitation, "partners_key", None)
    return build_steps(response=blank)


def minutes_for_invitation(invitation: Invitation) -> int:
    """Return about how many minutes a new response on this link takes (start page, emails)."""
    return minutes_for(steps_for_new_response(invitation))


def find_step(steps: list[Step], slug: str) -> tuple[int, Step] | None:
    """Return the position and step with this slug, or None."""
    return next(((n, s) for n, s in enumerate(steps) if s.slug == slug), None)


@dataclass(frozen=True)
class SavedAnswers:
    """A response's saved ratings (by item and subject) and points (by item), read once."""

    ratings: dict[tuple[int, int | None], int | None]
    points: dict[int, int]


def _ratings(response: Response) -> dict[tuple[int, int | None], int | None]:
    rows = Answer.objects.filter(response=response).values_list(
        "item_id", "subject_organisation_id", "value"
    )
    return {(item_id, subject_id): value for item_id, subject_id, value in rows}


def saved_answers(*, response: Response) -> SavedAnswers:
    """Read every rating and point of a response, for pages that use them several times."""
    points = ProfileAnswer.objects.filter(response=response).values_list(
        "item_id", "points"
    )
    return SavedAnswers(ratings=_ratings(response), points=dict(points))


def completed_slugs(
    *, response: Response, steps: list[Step], saved: SavedAnswers | None = None
) -> set[str]:
    """Return the slugs of the pages whose required questions all have an answer.

    `saved` gives the answers already read; without it they are read here.
    """
    answered = saved.ratings if saved is not None else _ratings(response)
    done: set[str] = set()
    for step in steps:
        subject_id = step.subject.pk if step.subject else None
        required = step.required_items
        if step.subject is not None:
            familiarity = required[0]
            known = answered.get((familiarity.pk, subject_id), "missing")
            if known == "missing":
                continue
            if known == FAMILIARITY_SKIP:
                done.add(step.slug)
                continue
        if all((item.pk, subject_id) in answered for item in required):
            done.add(step.slug)
    return done


@dataclass
class SummarySection:
    """One page's answers as shown on check-your-answers."""

    slug: str
    title: str
    rows: list[tuple[str, str]]
    complete: bool
    comment: str = ""
    change_url: str = ""
    block: str = ""
    summary: str = ""


# Headings of check-your-answers, one per kind of page.
BLOCK_HEADINGS = {
    Block.SELF: gettext_lazy("About your organisation"),
    Block.PARTNER: gettext_lazy("How you see your partners"),
    Block.PROFILE: gettext_lazy("Culture profile"),
}


def _questions(step: Step) -> int:
    """Return how many questions a page asks: each rating, and each points question once."""
    prompts = {i.prompt for i in step.items if i.response_format == Item.Format.POINTS}
    return len(step.required_items) + len(prompts)


def section_summary(
    *, answered: int, questions: int, dont_know: int, comment: bool
) -> str:
    """Return one line saying how much of a page is answered, for check-your-answers."""
    words = {"answered": answered, "questions": questions, "dont_know": dont_know}
    # A whole sentence for each case (Welsh word order differs), never glued fragments.
    if answered == 0:
        text = _("Not answered yet")
    elif answered >= questions and questions > 1:
        text = (
            _("All %(questions)s answered, %(dont_know)s ‘Don’t know’")
            if dont_know
            else _("All %(questions)s answered")
        )
    elif answered >= questions:
        text = _("Answered, %(dont_know)s ‘Don’t know’") if dont_know else _("Answered")
    else:
        text = (
            _("%(answered)s of %(questions)s answered, %(dont_know)s ‘Don’t know’")
            if dont_know
            else _("%(answered)s of %(questions)s answered")
        )
    text = text % words
    return _("%(summary)s. Comment added") % {"summary": text} if comment else text


def group_sections(
    sections: list[SummarySection],
) -> list[tuple[str, list[SummarySection]]]:
    """Return the sections in runs of one kind of page, each run with its heading."""
    groups: list[tuple[str, list[SummarySection]]] = []
    for section in sections:
        if not groups or groups[-1][1][-1].block != section.block:
            groups.append((BLOCK_HEADINGS.get(section.block, ""), []))
        groups[-1][1].append(section)
    return groups


def _label(item: Item, value: int | None, scale: dict) -> str:
    if value is None:
        return scale["dont_know"]
    labels = {
        Item.Format.FAMILIARITY: scale["familiarity_labels"],
        Item.Format.ALIGNMENT: scale["alignment_labels"],
    }.get(item.response_format, scale["labels"])
    return labels[value - 1]


def summarise_answers(
    *,
    response: Response,
    steps: list[Step],
    scale: dict,
    saved: SavedAnswers | None = None,
) -> list[SummarySection]:
    """Return each page's questions and the answers given, for check-your-answers.

    `saved` gives the ratings and points already read; without it they are read here.
    """
    saved = saved if saved is not None else saved_answers(response=response)
    answers, points = saved.ratings, saved.points
    comments = dict(
        Comment.objects.filter(response=response).values_list("dimension_id", "text")
    )
    done = completed_slugs(response=response, steps=steps, saved=saved)
    sections = []
    for step in steps:
        subject_id = step.subject.pk if step.subject else None
        rows = []
        comment = comments.get(step.dimension.pk, "") if step.subject is None else ""
        ratings = [
            answers[(item.pk, subject_id)]
            for item in step.required_items
            if (item.pk, subject_id) in answers
        ]
        prompts = {
            item.prompt
            for item in step.items
            if item.response_format == Item.Format.POINTS and item.pk in points
        }
        familiarity = (
            answers.get((step.items[0].pk, subject_id), "missing")
            if step.subject is not None
            else "missing"
        )
        if familiarity == FAMILIARITY_SKIP:
            summary = _("%(answer)s: its other questions are skipped") % {
                "answer": _label(step.items[0], familiarity, scale)
            }
        else:
            summary = section_summary(
                answered=len(ratings) + len(prompts),
                questions=_questions(step),
                dont_know=ratings.count(None),
                comment=bool(comment),
            )
        for item in step.items:
            text = step.text.item_text(item)
            if step.subject:
                text = text.replace("{partner}", step.subject.name)
            if item.response_format == Item.Format.POINTS:
                if item.pk in points:
                    prompt = step.text.item_prompt(item)
                    rows.append(
                        (
                            f"{prompt} {text}",
                            _("%(points)s points") % {"points": points[item.pk]},
                        )
                    )
            elif (item.pk, subject_id) in answers:
                rows.append((text, _label(item, answers[(item.pk, subject_id)], scale)))
        sections.append(
            SummarySection(
                slug=step.slug,
                title=step.title,
                rows=rows,
                complete=step.slug in done,
                comment=comment,
                block=step.block,
                summary=summary,
            )
        )
    return sections
