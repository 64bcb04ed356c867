"""Workshop discussion questions per dimension, read from a YAML file beside the instrument."""

from functools import cache
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from surveys.instrument_schema import SEEDS

PROMPTS_FILE = (
    Path(__file__).resolve().parent / "instruments" / "workshop_prompts_v1.yaml"
)

Text = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=10, max_length=300)
]
Sources = Annotated[list[Literal[SEEDS]], Field(min_length=1)]  # type: ignore[valid-type]


class Prompt(BaseModel):
    """One discussion question and the seed documents it comes from."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    text: Text
    sources: Sources


class PromptSet(BaseModel):
    """Every dimension's questions for one instrument."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    key: Literal["workshop_prompts"]
    version: int
    instrument: str
    dimensions: dict[str, Annotated[list[Prompt], Field(min_length=2, max_length=3)]]


class PromptsError(ValueError):
    """A workshop-prompts file that cannot be read."""


def read_prompts(path: Path = PROMPTS_FILE) -> PromptSet:
    """Parse and validate a workshop-prompts file."""
    try:
        return PromptSet.model_validate(
            yaml.safe_load(path.read_text(encoding="utf-8"))
        )
    except (yaml.YAMLError, ValidationError) as exc:
        raise PromptsError(f"{path.name}: {exc}") from exc


@cache
def default_prompts() -> PromptSet:
    """Return the default prompts (read once per process)."""
    return read_prompts()


def prompts_for(dimension_key: str, *, instrument_key: str = "") -> list[Prompt]:
    """Return the discussion questions for a dimension (none for other instruments)."""
    prompts = default_prompts()
    if instrument_key and instrument_key != prompts.instrument:
        return []
    return list(prompts.dimensions.get(dimension_key, []))
