"""An Estimate says a comparison is clear only when its whole interval lies on one side."""

import math

import pytest

from reports.figures import Estimate


@pytest.mark.parametrize(
    ("low", "high", "clear"),
    [
        (0.2, 1.4, True),
        (-1.4, -0.2, True),
        (-0.1, 1.4, False),
        (0.0, 1.4, False),
        (None, 1.4, False),
        (math.nan, 1.4, False),
    ],
)
def test_an_interval_is_clear_only_when_it_excludes_zero(low, high, clear):
    assert Estimate(0.8, n=12, low=low, high=high).excludes(0.0) is clear


def test_a_withheld_figure_is_not_known():
    assert not Estimate(None).known
    assert not Estimate(math.nan, n=3).known
    assert Estimate(3.2, n=8).known
