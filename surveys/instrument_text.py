"""An instrument's respondent-visible text in one language, falling back to English.

The English wording lives on the rows (Instrument, Dimension, Item) and is the meaning;
other languages are kept on Instrument.translations by translation key (see
InstrumentSpec.texts). Look-ups are dictionary reads on a table built once per process
for each instrument version and language.
"""

import threading
from dataclasses import dataclass
from typing import Any

from surveys.instrument_schema import ENGLISH
from surveys.models import Dimension, Instrument, Item

SCALE_KEYS = ("labels", "dont_know", "familiarity_labels", "alignment_labels")


def language_key(code: str | None) -> str:
    """Return the instrument language key for a Django language code ("en-gb" → "en")."""
    return (code or ENGLISH).split("-")[0].lower()


@dataclass(frozen=True)
class _Texts:
    """One instrument version's texts in one language, resolved once."""

    language: str
    title: str
    description: str
    scale: dict[str, Any]
    table: dict[str, Any]


_TABLES: dict[tuple[int | None, str, str], _Texts] = {}
_TABLES_LOCK = threading.Lock()


def _build(instrument: Instrument, language: str) -> _Texts:
    table = dict((instrument.translations or {}).get(language, {}))
    english_scale = instrument.scale or {}
    scale = {
        key: table.get(f"scale.{key}", english_scale.get(key))
        for key in SCALE_KEYS
        if key in english_scale or f"scale.{key}" in table
    }
    return _Texts(
        language=language,
        title=table.get("instrument.title", instrument.title),
        description=table.get("instrument.description", instrument.description),
        scale=scale,
        table=table,
    )


def _texts(instrument: Instrument, language: str) -> _Texts:
    # The definition's digest is in the key: reloading a file with new translations
    # changes it, so a long-running process never shows the old wording.
    key = (instrument.pk, instrument.definition_sha256, language)
    with _TABLES_LOCK:
        texts = _TABLES.get(key)
    if texts is None:
        texts = _build(instrument, language)
        with _TABLES_LOCK:
            _TABLES[key] = texts
    return texts


class InstrumentText:
    """The questionnaire's wording in the language asked for, or English where it has none."""

    def __init__(self, instrument: Instrument, language_code: str | None) -> None:
        language = language_key(language_code)
        if language not in (instrument.languages or [ENGLISH]):
            language = ENGLISH
        self._texts = _texts(instrument, language)
        self.cache_key = (instrument.pk, instrument.definition_sha256, language)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, InstrumentText) and self._texts is other._texts

    def __hash__(self) -> int:
        return hash(self.cache_key)

    @property
    def language(self) -> str:
        """The instrument language key the texts are in ("en" when none fits)."""
        return self._texts.language

    @property
    def title(self) -> str:
        return self._texts.title

    @property
    def description(self) -> str:
        return self._texts.description

    @property
    def scale(self) -> dict[str, Any]:
        """Return the scale labels in Instrument.scale's shape, in this language."""
        return self._texts.scale

    @property
    def labels(self) -> list[str]:
        return self._texts.scale["labels"]

    @property
    def dont_know(self) -> str:
        return self._texts.scale["dont_know"]

    @property
    def familiarity_labels(self) -> list[str]:
        return self._texts.scale["familiarity_labels"]

    @property
    def alignment_labels(self) -> list[str]:
        return self._texts.scale["alignment_labels"]

    def item_text(self, item: Item) -> str:
        """Return the item's wording ("{partner}" left in place for the page to fill)."""
        return self._texts.table.get(f"item.{item.code}.text", item.text)

    def item_prompt(self, item: Item) -> str:
        """Return the question a culture-profile or alignment item answers."""
        return self._texts.table.get(f"item.{item.code}.prompt", item.prompt)

    def dimension_title(self, dimension: Dimension) -> str:
        return self._texts.table.get(
            f"dimension.{dimension.key}.title", dimension.title
        )

    def dimension_description(self, dimension: Dimension) -> str:
        return self._texts.table.get(
            f"dimension.{dimension.key}.description", dimension.description
        )
