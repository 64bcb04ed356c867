"""bench.validity runs end to end at a tiny size and prints its figures (no thresholds here)."""

import pytest

from bench import validity
from reports import columns as c


def test_the_validity_benchmark_prints_every_figure_one_per_line(capsys):
    validity.main(["--replications=2", "--sizes=6", "--n-boot=100"])
    lines = capsys.readouterr().out.splitlines()
    figures = {}
    for line in lines:
        name, value, unit = line.split(" ")
        figures[name] = (float(value), unit)
    assert figures["validity.clear_gap.identical.n6"][1] == "share"
    assert "validity.power.gap0.5.n6" in figures
    assert "validity.power.gap0.8.n6" in figures
    for kind in ("typical", "identical"):
        for figure in (c.FIT, *validity.COMPONENTS):
            assert f"validity.{figure}.bias.{kind}.n6" in figures
            assert f"validity.{figure}.coverage.{kind}.n6" in figures
    for known in ("known_n", "unknown_n"):
        share, unit = figures[f"validity.org_mean.coverage.{known}.n6"]
        assert unit == "share"
        assert 0 <= share <= 1


def test_the_true_values_follow_the_formulas():
    # Identical partners fit perfectly on profile and culture; the rest is their trust
    # and compatibility on the 0–100 scale.
    pair = validity.archetypes()["identical"][0]
    truth = pair.truth()
    assert truth[c.PROFILE_FIT] == 100.0
    assert truth[c.CULTURE_FIT] == 100.0
    assert truth[c.MUTUAL_TRUST] == 25 * (pair.trust_ab - 1)
    # A rounded answer's mean is 1 + Σ_j Φ((latent − j − ½)/spread): 3 at a latent 3
    # (symmetric), and latent_for inverts it.
    assert float(validity.true_mean(3.0, 0.9)) == 3.0
    assert float(
        validity.true_mean(validity.latent_for(3.7, 0.9), 0.9)
    ) == pytest.approx(3.7)
