"""The shape of an instrument YAML file, and a parser that reports the line and field at fault.

Every text a respondent reads is either a plain string (English) or a mapping from
language key to text, `{en: ..., cy: ...}`; a file's `languages` lists the keys each
text must give. English is the meaning (rows, scoring); other languages are presentation.
"""

import re
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainValidator,
    StringConstraints,
    ValidationError,
    model_validator,
)
from pydantic_core import PydanticCustomError

SEEDS = (
    "000_1234be2258cd8520.txt",
    "001_95947a61467bd91b.txt",
    "002_c0ddc0bd0045b7bc.txt",
    "003_247bfaf6bae303af.txt",
    "004_7f19ff9a577783db.txt",
)

ENGLISH = "en"
LANGUAGE_KEY = re.compile(r"^[a-z]{2,3}$")
TEXT_MAX_LENGTH = 300

Code = Annotated[str, StringConstraints(pattern=r"^[A-Z][A-Z0-9_]{0,15}$")]
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,63}$")]
Text = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=TEXT_MAX_LENGTH),
]
Language = Annotated[str, StringConstraints(pattern=LANGUAGE_KEY.pattern)]
SourceFile = Literal[SEEDS]  # type: ignore[valid-type]
Sources = Annotated[list[SourceFile], Field(min_length=1)]  # type: ignore[valid-type]
Loc = tuple[int | str, ...]


class InstrumentError(ValueError):
    """An instrument file that cannot be loaded, with a message naming the line and field."""


class LocatedError(ValueError):
    """A whole-file check that failed at one field; `loc` is that field."""

    def __init__(self, message: str, loc: Loc) -> None:
        super().__init__(message)
        self.loc = loc


class CitationError(LocatedError):
    """A cited source with no human title; `loc` is the field that cites it."""


class Localised(str):
    """A text's English wording (the str itself), carrying its other languages."""

    translations: dict[str, str]

    def __new__(cls, english: str, translations: dict[str, str]) -> "Localised":
        text = super().__new__(cls, english)
        text.translations = translations
        return text


class LocalisedLabels(list[str]):
    """A scale's English labels (the list itself), carrying its other languages."""

    def __init__(self, english: list[str], translations: dict[str, list[str]]) -> None:
        super().__init__(english)
        self.translations = translations


def _clean_text(value: Any, max_length: int | None) -> str:
    if not isinstance(value, str):
        raise PydanticCustomError("string_type", "Input should be a valid string")
    text = value.strip()
    if not text:
        raise PydanticCustomError(
            "string_too_short", "String should have at least 1 character"
        )
    if max_length is not None and len(text) > max_length:
        raise PydanticCustomError(
            "string_too_long",
            "String should have at most {max_length} characters",
            {"max_length": max_length},
        )
    return text


def _by_language(value: Any) -> dict[str, Any]:
    """Return a language-keyed mapping's entries, checking keys and that English is there."""
    for key in value:
        if not isinstance(key, str) or not LANGUAGE_KEY.match(key):
            raise PydanticCustomError(
                "language_key",
                "{key!r} is not a language key: use a lowercase code such as en or cy",
                {"key": key},
            )
    if ENGLISH not in value:
        raise PydanticCustomError(
            "missing_english",
            "has no 'en' text: every text needs its English wording",
        )
    return value


def _localised_text(max_length: int | None) -> PlainValidator:
    def validate(value: Any) -> Localised:
        if isinstance(value, dict):
            texts = {
                lang: _clean_text(text, max_length)
                for lang, text in _by_language(value).items()
            }
            english = texts.pop(ENGLISH)
            return Localised(english, texts)
        return Localised(_clean_text(value, max_length), {})

    return PlainValidator(validate)


def _localised_labels(count: int) -> PlainValidator:
    def labels(value: Any) -> list[str]:
        if not isinstance(value, list) or len(value) != count:
            raise PydanticCustomError(
                "labels_length", "should be a list of {count} labels", {"count": count}
            )
        return [_clean_text(label, TEXT_MAX_LENGTH) for label in value]

    def validate(value: Any) -> LocalisedLabels:
        if isinstance(value, dict):
            lists = {lang: labels(v) for lang, v in _by_language(value).items()}
            english = lists.pop(ENGLISH)
            return LocalisedLabels(english, lists)
        return LocalisedLabels(labels(value), {})

    return PlainValidator(validate)


# Respondent-visible text: English as a string, or {en: ..., cy: ...}.
LocalText = Annotated[str, _localised_text(TEXT_MAX_LENGTH)]
LongLocalText = Annotated[str, _localised_text(None)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ItemSpec(Strict):
    code: Code
    text: LocalText
    reverse: bool = False
    sources: Sources


class DimensionSpec(Strict):
    key: Slug
    title: LocalText
    description: LocalText
    sources: Sources
    items: Annotated[list[ItemSpec], Field(min_length=1, max_length=8)]


class ScaleSpec(Strict):
    labels: Annotated[list[str], _localised_labels(5)]
    dont_know: LocalText


class FamiliaritySpec(Strict):
    code: Code
    text: LocalText
    labels: Annotated[list[str], _localised_labels(4)]
    sources: Sources


class PartnerSpec(Strict):
    key: Slug
    title: LocalText
    description: LocalText
    sources: Sources
    familiarity: FamiliaritySpec
    items: Annotated[list[ItemSpec], Field(min_length=1, max_length=8)]


class StatementsSpec(Strict):
    H: LocalText
    I: LocalText  # noqa: E741 - the cultural-theory type letters are the contract
    E: LocalText
    F: LocalText


class PromptSpec(Strict):
    code: Code
    text: LocalText
    sources: Sources
    statements: StatementsSpec


class AlignmentItemSpec(Strict):
    code: Code
    text: LocalText
    sources: Sources


class AlignmentSpec(Strict):
    text: LocalText
    labels: Annotated[list[str], _localised_labels(5)]
    items: Annotated[list[AlignmentItemSpec], Field(min_length=1, max_length=6)]


class ProfileSpec(Strict):
    key: Slug
    title: LocalText
    description: LocalText
    sources: Sources
    prompts: Annotated[list[PromptSpec], Field(min_length=1, max_length=6)]
    alignment: AlignmentSpec


class InstrumentSpec(Strict):
    key: Slug
    version: Annotated[int, Field(ge=1)]
    languages: Annotated[list[Language], Field(min_length=1)] = [ENGLISH]
    title: LocalText
    description: LongLocalText
    source_titles: Annotated[dict[SourceFile, Text], Field(min_length=1)]  # type: ignore[valid-type]
    scale: ScaleSpec
    dimensions: Annotated[list[DimensionSpec], Field(min_length=1, max_length=12)]
    partner: PartnerSpec
    profile: ProfileSpec

    def citations(self) -> list[tuple[Loc, str]]:
        """Return every cited source file with the field that cites it, in file order."""
        cited: list[tuple[Loc, list[str]]] = []
        for d, dim in enumerate(self.dimensions):
            cited.append((("dimensions", d, "sources"), dim.sources))
            for i, item in enumerate(dim.items):
                cited.append((("dimensions", d, "items", i, "sources"), item.sources))
        partner = self.partner
        cited.append((("partner", "sources"), partner.sources))
        cited.append(
            (("partner", "familiarity", "sources"), partner.familiarity.sources)
        )
        for i, item in enumerate(partner.items):
            cited.append((("partner", "items", i, "sources"), item.sources))
        profile = self.profile
        cited.append((("profile", "sources"), profile.sources))
        for p, prompt in enumerate(profile.prompts):
            cited.append((("profile", "prompts", p, "sources"), prompt.sources))
        for i, item in enumerate(profile.alignment.items):
            loc = ("profile", "alignment", "items", i, "sources")
            cited.append((loc, item.sources))
        return [
            ((*loc, n), source)
            for loc, sources in cited
            for n, source in enumerate(sources)
        ]

    def texts(self) -> list[tuple[Loc, str, Localised | LocalisedLabels]]:
        """Return every respondent-visible text with its field and translation key."""
        found: list[tuple[Loc, str, Any]] = [
            (("title",), "instrument.title", self.title),
            (("description",), "instrument.description", self.description),
            (("scale", "labels"), "scale.labels", self.scale.labels),
            (("scale", "dont_know"), "scale.dont_know", self.scale.dont_know),
        ]

        def block(loc: Loc, spec: DimensionSpec | PartnerSpec | ProfileSpec) -> None:
            for field in ("title", "description"):
                key = f"dimension.{spec.key}.{field}"
                found.append(((*loc, field), key, getattr(spec, field)))

        for d, dim in enumerate(self.dimensions):
            block(("dimensions", d), dim)
            for i, item in enumerate(dim.items):
                loc = ("dimensions", d, "items", i, "text")
                found.append((loc, f"item.{item.code}.text", item.text))
        partner, familiarity = self.partner, self.partner.familiarity
        block(("partner",), partner)
        found += [
            (
                ("partner", "familiarity", "text"),
                f"item.{familiarity.code}.text",
                familiarity.text,
            ),
            (
                ("partner", "familiarity", "labels"),
                "scale.familiarity_labels",
                familiarity.labels,
            ),
        ]
        for i, item in enumerate(partner.items):
            found.append(
                (("partner", "items", i, "text"), f"item.{item.code}.text", item.text)
            )
        profile, alignment = self.profile, self.profile.alignment
        block(("profile",), profile)
        for p, prompt in enumerate(profile.prompts):
            loc = ("profile", "prompts", p)
            found.append(((*loc, "text"), f"prompt.{prompt.code}.text", prompt.text))
            for letter in ("H", "I", "E", "F"):
                found.append(
                    (
                        (*loc, "statements", letter),
                        f"item.{prompt.code}_{letter}.text",
                        getattr(prompt.statements, letter),
                    )
                )
        found += [
            (("profile", "alignment", "text"), "alignment.text", alignment.text),
            (
                ("profile", "alignment", "labels"),
                "scale.alignment_labels",
                alignment.labels,
            ),
        ]
        for i, item in enumerate(alignment.items):
            loc = ("profile", "alignment", "items", i, "text")
            found.append((loc, f"item.{item.code}.text", item.text))
        return found

    def translations(self) -> dict[str, dict[str, str | list[str]]]:
        """Return each language but English's texts by translation key (item prompts too)."""
        texts = self.texts()
        by_language: dict[str, dict[str, str | list[str]]] = {}
        for language in self.languages:
            if language == ENGLISH:
                continue
            table = {key: value.translations[language] for _, key, value in texts}
            # An item's prompt is looked up by the item, as Item.prompt is stored per item.
            for prompt in self.profile.prompts:
                for letter in ("H", "I", "E", "F"):
                    table[f"item.{prompt.code}_{letter}.prompt"] = table[
                        f"prompt.{prompt.code}.text"
                    ]
            for item in self.profile.alignment.items:
                table[f"item.{item.code}.prompt"] = table["alignment.text"]
            by_language[language] = table
        return by_language

    @model_validator(mode="after")
    def _every_text_is_in_every_language(self) -> "InstrumentSpec":
        if ENGLISH not in self.languages:
            raise LocatedError(
                "languages must include en: the English wording is what items mean",
                ("languages",),
            )
        if len(set(self.languages)) != len(self.languages):
            raise LocatedError("languages lists a language twice", ("languages",))
        wanted = set(self.languages) - {ENGLISH}
        for loc, _key, value in self.texts():
            given = set(value.translations)
            for language in sorted(wanted - given):
                raise LocatedError(f"{_field_name(loc)} has no {language!r} text", loc)
            for language in sorted(given - wanted):
                raise LocatedError(
                    f"{_field_name(loc)} has a {language!r} text, but languages does "
                    f"not list {language!r}",
                    loc,
                )
        return self

    @model_validator(mode="after")
    def _every_cited_source_has_a_title(self) -> "InstrumentSpec":
        # A file name must never reach a reader, so a citation without a title stops the load.
        for loc, source in self.citations():
            if source not in self.source_titles:
                raise CitationError(
                    f"{_field_name(loc)}: {source!r} has no title under source_titles",
                    loc,
                )
        return self

    @model_validator(mode="after")
    def _codes_and_keys_are_unique(self) -> "InstrumentSpec":
        keys = [d.key for d in self.dimensions] + [self.partner.key, self.profile.key]
        codes = [i.code for d in self.dimensions for i in d.items]
        codes += [self.partner.familiarity.code, *(i.code for i in self.partner.items)]
        codes += [p.code for p in self.profile.prompts]
        codes += [i.code for i in self.profile.alignment.items]
        for label, values in (("dimension key", keys), ("item code", codes)):
            seen: set[str] = set()
            for value in values:
                if value in seen:
                    raise ValueError(f"{label} {value!r} is used twice")
                seen.add(value)
        return self


def _field_name(loc: Loc) -> str:
    """Return a field path such as dimensions[0].items[1].sources."""
    field = ".".join(str(p) if isinstance(p, str) else f"[{p}]" for p in loc)
    return field.replace(".[", "[") or "(top level)"


def _node_line(root: yaml.Node, loc: tuple[int | str, ...]) -> int:
    """Return the 1-based line of the deepest YAML node that `loc` reaches."""
    node = root
    for part in loc:
        child = None
        if isinstance(node, yaml.MappingNode):
            child = next((v for k, v in node.value if k.value == part), None)
            if child is None:  # an unknown key: point at the key itself
                child = next((k for k, _ in node.value if k.value == part), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            child = node.value[part] if part < len(node.value) else None
        if child is None:
            break
        node = child
    return node.start_mark.line + 1


def parse_instrument(text: str, *, filename: str = "<instrument>") -> InstrumentSpec:
    """Parse and validate instrument YAML, raising InstrumentError with line and field."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data: Any = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = f" line {mark.line + 1}" if mark else ""
        raise InstrumentError(
            f"{filename}:{line}: not valid YAML: {exc.problem}"
        ) from exc
    if root is None or not isinstance(data, dict):
        raise InstrumentError(
            f"{filename}: expected a mapping with key, version, title, ..."
        )
    try:
        return InstrumentSpec.model_validate(data)
    except ValidationError as exc:
        messages = []
        for error in exc.errors():
            cause = error.get("ctx", {}).get("error")
            if isinstance(cause, LocatedError):  # point at the field at fault
                line = _node_line(root, cause.loc)
                messages.append(f"{filename}: line {line}: {cause}")
                continue
            loc = tuple(error["loc"])
            messages.append(
                f"{filename}: line {_node_line(root, loc)}: {_field_name(loc)}: {error['msg']}"
            )
        raise InstrumentError("\n".join(messages)) from exc


def read_instrument(path: Path) -> tuple[InstrumentSpec, str]:
    """Read and validate an instrument file; return the spec and the file's text."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InstrumentError(f"{path}: cannot read: {exc.strerror}") from exc
    return parse_instrument(text, filename=str(path)), text
