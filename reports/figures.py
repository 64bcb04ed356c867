"""Typed figures that results pages, board packs, charts and sentences share: numbers, never strings."""

from __future__ import annotations

import math
from dataclasses import dataclass


def _is_number(value: float | None) -> bool:
    return value is not None and not math.isnan(value)


@dataclass(frozen=True)
class Estimate:
    """A figure with the number of responses behind it and, where one exists, its interval."""

    value: float | None
    n: int = 0
    low: float | None = None
    high: float | None = None

    @property
    def known(self) -> bool:
        """True when there is a figure to show (not withheld, not missing)."""
        return _is_number(self.value)

    @property
    def has_interval(self) -> bool:
        """True when both ends of the interval are numbers."""
        return _is_number(self.low) and _is_number(self.high)

    def excludes(self, point: float = 0.0) -> bool:
        """True only when the interval exists and lies wholly on one side of `point`."""
        if not self.has_interval:
            return False
        return self.low > point or self.high < point  # type: ignore[operator]
