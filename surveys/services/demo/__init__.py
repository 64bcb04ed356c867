"""Seed a realistic, deterministic demo partnership whose answers differ by sector."""

from surveys.services.demo.plan import plan_demo
from surveys.services.demo.profiles import (
    DEFAULT_ORGANISATIONS,
    DEFAULT_RESPONDENTS,
    DEFAULT_SEED,
    MAX_ORGANISATIONS,
    MAX_RESPONDENTS,
    MIN_ORGANISATIONS,
    MIN_RESPONDENTS,
)
from surveys.services.demo.write import (
    DEMO_PARTNERSHIP_NAME,
    DEMO_PASSWORD,
    DEMO_USERS,
    DemoExistsError,
    demo_items,
    ensure_default_instrument,
    seed_demo,
)

__all__ = [
    "DEFAULT_ORGANISATIONS",
    "DEFAULT_RESPONDENTS",
    "DEFAULT_SEED",
    "DEMO_PARTNERSHIP_NAME",
    "DEMO_PASSWORD",
    "DEMO_USERS",
    "MAX_ORGANISATIONS",
    "MAX_RESPONDENTS",
    "MIN_ORGANISATIONS",
    "MIN_RESPONDENTS",
    "DemoExistsError",
    "demo_items",
    "ensure_default_instrument",
    "plan_demo",
    "seed_demo",
]
