"""Load an instrument definition into Instrument, Dimension and Item rows."""

import hashlib
from dataclasses import dataclass

from django.db import transaction

from surveys.instrument_schema import InstrumentError, InstrumentSpec
from surveys.models import Block, Dimension, Instrument, Item, Response


@dataclass(frozen=True)
class LoadResult:
    instrument: Instrument
    # "created", "updated", "retitled" (source titles or translations changed, the
    # English meaning did not) or "unchanged"
    action: str


DIMENSION_MEANING = ("key", "title", "description", "block", "order", "sources")
ITEM_MEANING = (
    "code",
    "text",
    "reverse_scored",
    "block",
    "response_format",
    "prompt",
    "culture_type",
    "order",
    "sources",
)


def _dimension_rows(spec: InstrumentSpec) -> list[tuple[Dimension, list[Item]]]:
    """Build unsaved dimension and item rows, in survey order, from a spec."""
    rows: list[tuple[Dimension, list[Item]]] = []
    for order, dim in enumerate(spec.dimensions, start=1):
        items = [
            Item(
                code=i.code,
                text=i.text,
                reverse_scored=i.reverse,
                block=Block.SELF,
                response_format=Item.Format.LIKERT,
                order=n,
                sources=list(i.sources),
            )
            for n, i in enumerate(dim.items, start=1)
        ]
        rows.append(
            (
                Dimension(
                    key=dim.key,
                    title=dim.title,
                    description=dim.description,
                    block=Block.SELF,
                    order=order,
                    sources=list(dim.sources),
                ),
                items,
            )
        )

    profile = spec.profile
    profile_items = [
        Item(
            code=f"{prompt.code}_{letter}",
            text=statement,
            block=Block.PROFILE,
            response_format=Item.Format.POINTS,
            prompt=prompt.text,
            culture_type=letter,
            sources=list(prompt.sources),
        )
        for prompt in profile.prompts
        for letter, statement in prompt.statements.model_dump().items()
    ]
    profile_items += [
        Item(
            code=i.code,
            text=i.text,
            block=Block.PROFILE,
            prompt=profile.alignment.text,
            response_format=Item.Format.ALIGNMENT,
            sources=list(i.sources),
        )
        for i in profile.alignment.items
    ]
    for n, item in enumerate(profile_items, start=1):
        item.order = n
    rows.append(
        (
            Dimension(
                key=profile.key,
                title=profile.title,
                description=profile.description,
                block=Block.PROFILE,
                order=len(rows) + 1,
                sources=list(profile.sources),
            ),
            profile_items,
        )
    )

    partner = spec.partner
    familiarity = partner.familiarity
    partner_items = [
        Item(
            code=familiarity.code,
            text=familiarity.text,
            block=Block.PARTNER,
            response_format=Item.Format.FAMILIARITY,
            order=1,
            sources=list(familiarity.sources),
        )
    ] + [
        Item(
            code=i.code,
            text=i.text,
            reverse_scored=i.reverse,
            block=Block.PARTNER,
            response_format=Item.Format.LIKERT,
            order=n,
            sources=list(i.sources),
        )
        for n, i in enumerate(partner.items, start=2)
    ]
    rows.append(
        (
            Dimension(
                key=partner.key,
                title=partner.title,
                description=partner.description,
                block=Block.PARTNER,
                order=len(rows) + 1,
                sources=list(partner.sources),
            ),
            partner_items,
        )
    )
    return rows


def _scale(spec: InstrumentSpec) -> dict:
    return {
        "labels": list(spec.scale.labels),
        "dont_know": spec.scale.dont_know,
        "familiarity_labels": list(spec.partner.familiarity.labels),
        "alignment_labels": list(spec.profile.alignment.labels),
    }


def _meaning(
    title: str, description: str, scale: dict, rows: list[tuple[Dimension, list[Item]]]
) -> tuple:
    """Return what respondents answer and scores rest on: everything but titles of sources."""
    return (
        title,
        description,
        scale,
        [
            (
                tuple(getattr(dimension, f) for f in DIMENSION_MEANING),
                [tuple(getattr(item, f) for f in ITEM_MEANING) for item in items],
            )
            for dimension, items in rows
        ],
    )


def _same_meaning(instrument: Instrument, spec: InstrumentSpec) -> bool:
    """Whether the stored version asks and scores exactly what the spec does."""
    stored = [
        (dimension, list(dimension.items.order_by("order")))
        for dimension in instrument.dimensions.order_by("order")
    ]
    return _meaning(
        instrument.title, instrument.description, instrument.scale, stored
    ) == _meaning(spec.title, spec.description, _scale(spec), _dimension_rows(spec))


@transaction.atomic
def load_instrument(*, spec: InstrumentSpec, source_text: str) -> LoadResult:
    """Create or refresh an instrument version; refuse to change one that has responses."""
    digest = hashlib.sha256(source_text.encode("utf-8")).hexdigest()
    instrument = (
        Instrument.objects.select_for_update()
        .filter(key=spec.key, version=spec.version)
        .first()
    )
    if instrument is not None and instrument.definition_sha256 == digest:
        return LoadResult(instrument=instrument, action="unchanged")
    if instrument is not None and _same_meaning(instrument, spec):
        # Source titles, translations and comments are presentation: they may change even
        # after responses, and the rows (and so every answer's meaning) stay as they are.
        instrument.source_titles = dict(spec.source_titles)
        instrument.languages = list(spec.languages)
        instrument.translations = spec.translations()
        instrument.definition_sha256 = digest
        instrument.save(
            update_fields=[
                "source_titles",
                "languages",
                "translations",
                "definition_sha256",
                "updated_at",
            ]
        )
        return LoadResult(instrument=instrument, action="retitled")
    if instrument is not None:
        if Response.objects.filter(survey__instrument=instrument).exists():
            raise InstrumentError(
                f"{spec.key} v{spec.version} already has responses and cannot change: "
                "give the edited file a new version number."
            )
        instrument.dimensions.all().delete()
        action = "updated"
    else:
        instrument = Instrument(key=spec.key, version=spec.version)
        action = "created"

    instrument.title = spec.title
    instrument.description = spec.description
    instrument.scale = _scale(spec)
    instrument.source_titles = dict(spec.source_titles)
    instrument.languages = list(spec.languages)
    instrument.translations = spec.translations()
    instrument.definition_sha256 = digest
    instrument.save()
    for dimension, items in _dimension_rows(spec):
        dimension.instrument = instrument
        dimension.save()
        for item in items:
            item.dimension = dimension
        Item.objects.bulk_create(items)
    return LoadResult(instrument=instrument, action=action)
