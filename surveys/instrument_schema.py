"""The shape of an instrument YAML file, and a parser that reports the line and field at fault."""

from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)

SEEDS = (
    "000_1234be2258cd8520.txt",
    "001_95947a61467bd91b.txt",
    "002_c0ddc0bd0045b7bc.txt",
    "003_247bfaf6bae303af.txt",
    "004_7f19ff9a577783db.txt",
)

Code = Annotated[str, StringConstraints(pattern=r"^[A-Z][A-Z0-9_]{0,15}$")]
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,63}$")]
Text = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)
]
SourceFile = Literal[SEEDS]  # type: ignore[valid-type]
Sources = Annotated[list[SourceFile], Field(min_length=1)]  # type: ignore[valid-type]
Loc = tuple[int | str, ...]


class InstrumentError(ValueError):
    """An instrument file that cannot be loaded, with a message naming the line and field."""


class CitationError(ValueError):
    """A cited source with no human title; `loc` is the field that cites it."""

    def __init__(self, message: str, loc: Loc) -> None:
        super().__init__(message)
        self.loc = loc


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ItemSpec(Strict):
    code: Code
    text: Text
    reverse: bool = False
    sources: Sources


class DimensionSpec(Strict):
    key: Slug
    title: Text
    description: Text
    sources: Sources
    items: Annotated[list[ItemSpec], Field(min_length=1, max_length=8)]


class ScaleSpec(Strict):
    labels: Annotated[list[Text], Field(min_length=5, max_length=5)]
    dont_know: Text


class FamiliaritySpec(Strict):
    code: Code
    text: Text
    labels: Annotated[list[Text], Field(min_length=4, max_length=4)]
    sources: Sources


class PartnerSpec(Strict):
    key: Slug
    title: Text
    description: Text
    sources: Sources
    familiarity: FamiliaritySpec
    items: Annotated[list[ItemSpec], Field(min_length=1, max_length=8)]


class StatementsSpec(Strict):
    H: Text
    I: Text  # noqa: E741 - the cultural-theory type letters are the contract
    E: Text
    F: Text


class PromptSpec(Strict):
    code: Code
    text: Text
    sources: Sources
    statements: StatementsSpec


class AlignmentItemSpec(Strict):
    code: Code
    text: Text
    sources: Sources


class AlignmentSpec(Strict):
    text: Text
    labels: Annotated[list[Text], Field(min_length=5, max_length=5)]
    items: Annotated[list[AlignmentItemSpec], Field(min_length=1, max_length=6)]


class ProfileSpec(Strict):
    key: Slug
    title: Text
    description: Text
    sources: Sources
    prompts: Annotated[list[PromptSpec], Field(min_length=1, max_length=6)]
    alignment: AlignmentSpec


class InstrumentSpec(Strict):
    key: Slug
    version: Annotated[int, Field(ge=1)]
    title: Text
    description: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
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
            if isinstance(cause, CitationError):  # point at the citing line
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
