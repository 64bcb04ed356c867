"""Every generated sentence follows MEASUREMENT §6.8: figures in, exact sentence out.

Each table ends with the wrong sentences consultants were shown (issue 14) as regressions.
"""

import pytest

from reports import narrative
from reports.figures import Estimate as E  # noqa: N817  (short: the tables stay readable)

TRUST = "Trust and relationships"
PURPOSE = "Shared purpose"
NHFT = "Northshire Hospitals NHS Foundation Trust"


# ---------------------------------------------------------------- bands


@pytest.mark.parametrize(
    ("areas", "heading"),
    [
        ([(PURPOSE, E(4.2, 40, 3.9, 4.5)), (TRUST, E(4.0, 40))], "Shared strengths"),
        ([(PURPOSE, E(4.2, 40)), (TRUST, E(3.9, 40))], "Highest-scoring areas"),
        # Regression: "Shared strengths" over three areas in the develop band.
        ([(TRUST, E(3.49, 40)), (PURPOSE, E(3.3, 40))], "Highest-scoring areas"),
        ([], "Highest-scoring areas"),
    ],
)
def test_only_areas_in_the_strength_band_are_headed_strengths(areas, heading):
    assert narrative.top_areas_heading(areas) == heading


@pytest.mark.parametrize(
    ("areas", "sentence"),
    [
        (
            [(PURPOSE, E(4.21)), (TRUST, E(4.05))],
            "The partnership's strengths are shared purpose (4.21, strength) and trust "
            "and relationships (4.05, strength).",
        ),
        (
            [(PURPOSE, E(4.21)), (TRUST, E(3.49))],
            "The partnership's strengths are shared purpose (4.21, strength); the next "
            "highest-scoring areas are trust and relationships (3.49, develop).",
        ),
        (
            [(TRUST, E(3.49)), (PURPOSE, E(3.3))],
            "No area reaches the strength band (4.0 and above); the highest-scoring areas "
            "are trust and relationships (3.49, develop) and shared purpose (3.30, develop).",
        ),
        (
            [(TRUST, E(None))],
            "There are not enough responses yet to show the highest-scoring areas.",
        ),
    ],
)
def test_top_areas_call_only_strength_band_areas_strengths(areas, sentence):
    assert narrative.top_areas(areas) == sentence


def test_an_interval_above_four_makes_a_strength():
    assert narrative.is_strength(E(3.999999999999, 40, 4.0, 4.4))
    assert not narrative.is_strength(E(3.9, 40, 3.6, 4.2))


@pytest.mark.parametrize(
    ("areas", "heading", "sentence"),
    [
        (
            [(TRUST, E(2.6)), (PURPOSE, E(2.9))],
            "Areas of concern",
            "The areas to develop first are trust and relationships (2.60, concern) and "
            "shared purpose (2.90, concern).",
        ),
        (
            [(TRUST, E(2.6)), (PURPOSE, E(3.2))],
            "Areas to develop",
            "The areas to develop first are trust and relationships (2.60, concern) and "
            "shared purpose (3.20, develop).",
        ),
        (
            [(TRUST, E(4.1)), (PURPOSE, E(4.3))],
            "Lowest-scoring areas",
            "Even the lowest-scoring areas are in the strength band: trust and "
            "relationships (4.10, strength) and shared purpose (4.30, strength).",
        ),
    ],
)
def test_bottom_areas_say_their_band(areas, heading, sentence):
    assert narrative.bottom_areas_heading(areas) == heading
    assert narrative.bottom_areas(areas) == sentence


@pytest.mark.parametrize(
    ("difference", "sentence"),
    [
        (
            E(0.69, 0, 0.2, 1.2),
            "The partnership scores highest on shared purpose (3.49, develop) and lowest "
            "on trust and relationships (2.80, concern).",
        ),
        (
            E(0.69, 0, -0.1, 1.5),
            "The partnership's highest-scoring area is shared purpose (3.49, develop) and "
            "its lowest trust and relationships (2.80, concern), but there is no clear "
            "difference between them at this number of responses.",
        ),
    ],
)
def test_highest_and_lowest_never_call_a_develop_area_strongest(difference, sentence):
    text = narrative.highest_and_lowest(
        high=(PURPOSE, E(3.49)), low=(TRUST, E(2.8)), difference=difference
    )
    assert text == sentence
    assert "strongest" not in text


# ---------------------------------------------------------------- comparisons


def _sectors(difference):
    return narrative.largest_difference(
        groups="sector groups",
        dimension=TRUST,
        high_name="Primary care",
        high=E(3.60, 3, 1.1, 5.0),
        low_name="NHS providers and ICB",
        low=E(2.62, 12, 2.1, 3.1),
        difference=difference,
    )


@pytest.mark.parametrize(
    ("difference", "sentence"),
    [
        (
            E(0.98, 3, 0.31, 1.65),
            "Sector groups differ most on trust and relationships: Primary care 3.60 "
            "against NHS providers and ICB 2.62 (the interval allowing for every comparison "
            "runs from 0.31 to 1.65).",
        ),
        # Regression: stated as fact at n = 3 with intervals from about 1 to 5.
        (
            E(0.98, 3, -1.5, 3.4),
            "Sector groups show no clear difference at this number of responses: the "
            "widest, on trust and relationships, is Primary care 3.60 against NHS providers "
            "and ICB 2.62 (n = 3 and 12).",
        ),
        (
            E(0.98, 3),
            "Sector groups show no clear difference at this number of responses: the "
            "widest, on trust and relationships, is Primary care 3.60 against NHS providers "
            "and ICB 2.62 (n = 3 and 12).",
        ),
    ],
)
def test_groups_differ_most_only_when_the_adjusted_interval_excludes_zero(
    difference, sentence
):
    assert _sectors(difference) == sentence


def test_apart_is_clear_only_when_the_two_intervals_do_not_overlap():
    assert narrative.apart(E(71, 8, 65, 77), E(52, 6, 40, 64)).excludes(0)
    assert not narrative.apart(E(71, 8, 60, 77), E(52, 6, 40, 64)).excludes(0)
    assert narrative.apart(E(71, 8, 65, 77), E(52, 6, 40, 64)) == E(19, 6, 1, 37)
    assert not narrative.apart(E(71), E(52)).excludes(0)


@pytest.mark.parametrize(
    ("difference", "sentence"),
    [
        (
            E(19, 0, 2, 36),
            "Overall readiness runs from NGPF 52 to NHFT 71 (of 100); NHFT is clearly "
            "higher than NGPF.",
        ),
        (
            E(19, 0, -2, 40),
            "Overall readiness runs from NGPF 52 to NHFT 71 (of 100), but there is no "
            "clear difference at this number of responses (n = 6 and 8).",
        ),
    ],
)
def test_a_range_names_each_figure_after_its_own_name(difference, sentence):
    text = narrative.value_range(
        measure="overall readiness",
        low_name="NGPF",
        low=E(52, 6),
        high_name="NHFT",
        high=E(71, 8),
        difference=difference,
    )
    assert text == sentence


@pytest.mark.parametrize(
    ("above", "below", "sentence"),
    [
        (
            (PURPOSE, E(0.6, 0, 0.1, 1.1)),
            (TRUST, E(-0.4, 0, -0.9, 0.1)),
            "Compared with the partnership average, NHFT is furthest above on shared "
            "purpose (+0.60, interval +0.10 to +1.10).",
        ),
        (
            (PURPOSE, E(0.6, 0, 0.1, 1.1)),
            (TRUST, E(-0.7, 0, -1.2, -0.2)),
            "Compared with the partnership average, NHFT is furthest above on shared "
            "purpose (+0.60, interval +0.10 to +1.10) and furthest below on trust and "
            "relationships (−0.70, interval −1.20 to −0.20).",
        ),
        (
            (PURPOSE, E(0.3, 0, -0.1, 0.7)),
            None,
            "NHFT is not clearly above or below the partnership average on any dimension "
            "at this number of responses.",
        ),
    ],
)
def test_furthest_above_and_below_only_where_clear(above, below, sentence):
    text = narrative.furthest_from(
        name="NHFT", against="the partnership average", above=above, below=below
    )
    assert text == sentence


# ---------------------------------------------------------------- gaps


@pytest.mark.parametrize(
    ("mean_a", "mean_b", "gap", "sentence"),
    [
        # Regression: "NHFT scores 1.0 points higher than NGPF (2.4 against 3.3 for NGPF
        # and NHFT)": NGPF is the higher one and each name now carries its own mean.
        (
            E(2.4, 8),
            E(3.3, 6),
            E(-0.9, 0, -1.5, -0.3),
            "On trust and relationships, NGPF scores 0.90 higher than NHFT (NGPF 3.30 "
            "against NHFT 2.40); allowing for every dimension compared, the interval for "
            "the difference runs from 0.30 to 1.50.",
        ),
        (
            E(3.3, 8),
            E(2.4, 6),
            E(0.9, 0, 0.3, 1.5),
            "On trust and relationships, NHFT scores 0.90 higher than NGPF (NHFT 3.30 "
            "against NGPF 2.40); allowing for every dimension compared, the interval for "
            "the difference runs from 0.30 to 1.50.",
        ),
        (
            E(2.4, 8),
            E(3.3, 6),
            E(-0.9, 0, -1.8, 0.1),
            "On trust and relationships, there is no clear difference at this number of "
            "responses between NHFT 2.40 and NGPF 3.30 (n = 8 and 6).",
        ),
        # Significant but under half a scale point: not a clear gap (§6.1).
        (
            E(3.0, 8),
            E(3.4, 6),
            E(-0.4, 0, -0.7, -0.1),
            "On trust and relationships, there is no clear difference at this number of "
            "responses between NHFT 3.00 and NGPF 3.40 (n = 8 and 6).",
        ),
    ],
)
def test_a_pair_gap_names_the_higher_and_puts_numbers_after_their_names(
    mean_a, mean_b, gap, sentence
):
    text = narrative.pair_gap(
        dimension=TRUST,
        name_a="NHFT",
        mean_a=mean_a,
        name_b="NGPF",
        mean_b=mean_b,
        gap=gap,
    )
    assert text == sentence
    assert "for NGPF and NHFT" not in text
    assert "NHFT scores 0.90 higher than NGPF (2" not in text


@pytest.mark.parametrize(
    ("gap", "sentence"),
    [
        (
            E(-0.9, 0, -1.5, -0.3),
            "The widest clear gap is on trust and relationships, where NGPF scores 0.90 "
            "higher than NHFT (NGPF 3.30 against NHFT 2.40).",
        ),
        (
            E(-0.9, 0, -1.8, 0.1),
            "No dimension shows a clear gap between NHFT and NGPF at this number of "
            "responses (n = 8 and 6).",
        ),
    ],
)
def test_the_widest_gap_is_stated_only_when_clear(gap, sentence):
    text = narrative.widest_gap(
        dimension=TRUST,
        name_a="NHFT",
        mean_a=E(2.4, 8),
        name_b="NGPF",
        mean_b=E(3.3, 6),
        gap=gap,
    )
    assert text == sentence


@pytest.mark.parametrize(
    ("clear", "compared", "sentence"),
    [
        (
            1,
            9,
            "1 clear gap of 9 dimensions compared (significant after Holm's correction "
            "across them, and at least half a scale point).",
        ),
        (
            0,
            9,
            "0 clear gaps of 9 dimensions compared (significant after Holm's correction "
            "across them, and at least half a scale point).",
        ),
        (0, 0, "Not enough responses to compare these two organisations."),
    ],
)
def test_gap_count(clear, compared, sentence):
    assert narrative.gap_count(clear, compared) == sentence


@pytest.mark.parametrize(
    ("fit", "sentence"),
    [
        (
            E(74, 0, 71, 80),
            "NHFT and NGPF have a strong overall fit (74 of 100, 95% interval 71 to 80).",
        ),
        (
            E(72, 0, 60, 80),
            "NHFT and NGPF have an overall fit of 72 of 100, 95% interval 60 to 80: at "
            "this number of responses it could be anywhere from moderate to strong.",
        ),
        (E(48), "NHFT and NGPF have an overall fit of 48 of 100."),
    ],
)
def test_overall_fit_names_a_strength_only_when_the_interval_agrees(fit, sentence):
    assert narrative.overall_fit(name_a="NHFT", name_b="NGPF", fit=fit) == sentence


@pytest.mark.parametrize(
    ("ab", "ba", "sentence"),
    [
        (
            E(72, 8, 65, 80),
            E(50, 6, 40, 60),
            "Trust is one-sided: NHFT trusts NGPF more than NGPF trusts NHFT (NHFT 72 "
            "against NGPF 50, of 100).",
        ),
        (
            E(50, 8, 40, 60),
            E(72, 6, 65, 80),
            "Trust is one-sided: NGPF trusts NHFT more than NHFT trusts NGPF (NGPF 72 "
            "against NHFT 50, of 100).",
        ),
        (
            E(72, 8, 55, 80),
            E(60, 6, 50, 70),
            "There is no clear difference at this number of responses in how much they "
            "trust each other (NHFT trusts NGPF 72 of 100; NGPF trusts NHFT 60).",
        ),
    ],
)
def test_one_sided_trust_is_stated_only_when_clear(ab, ba, sentence):
    text = narrative.trust_direction(
        name_a="NHFT", trust_a_to_b=ab, name_b="NGPF", trust_b_to_a=ba
    )
    assert text == sentence


# ---------------------------------------------------------------- meta-perception


@pytest.mark.parametrize(
    ("thinks", "actual", "gap", "sentence"),
    [
        # Regression: "NHFT misjudges how much NGPF trusts it by −15 points (positive:
        # overestimates)".
        (
            45,
            60,
            E(-15, 0, -25, -5),
            "NHFT underestimates how much NGPF trusts it by 15 points (NHFT expects 45 of "
            "100; NGPF answers 60; 95% interval 5 to 25 points).",
        ),
        (
            75,
            60,
            E(15, 0, 5, 25),
            "NHFT overestimates how much NGPF trusts it by 15 points (NHFT expects 75 of "
            "100; NGPF answers 60; 95% interval 5 to 25 points).",
        ),
        (
            45,
            60,
            E(-15, 0, -30, 2),
            "NHFT judges about right how much NGPF trusts it: there is no clear difference "
            "at this number of responses between what NHFT expects (45 of 100) and what "
            "NGPF answers (60).",
        ),
        (
            45,
            60,
            E(-15),
            "NHFT judges about right how much NGPF trusts it: there is no clear difference "
            "at this number of responses between what NHFT expects (45 of 100) and what "
            "NGPF answers (60).",
        ),
    ],
)
def test_meta_perception_says_the_sign_in_words(thinks, actual, gap, sentence):
    text = narrative.meta_perception(
        name="NHFT", partner="NGPF", thinks=thinks, actual=actual, gap=gap
    )
    assert text == sentence
    assert "misjudges" not in text
    assert "positive:" not in text
    assert "−15" not in text


@pytest.mark.parametrize(
    ("gap", "cell"),
    [
        (
            E(-15, 0, -25, -5),
            "Underestimates by 15 points (95% interval 5 to 25)",
        ),
        (E(15, 0, 4, 26), "Overestimates by 15 points (95% interval 4 to 26)"),
        # An end near zero keeps a decimal, so the interval never seems to touch it.
        (E(3, 0, 0.3, 5.7), "Overestimates by 3 points (95% interval 0.3 to 6)"),
        (
            E(15, 0, None, None),
            "About right: no clear difference at this number of responses",
        ),
        (
            E(15, 0, -5, 25),
            "About right: no clear difference at this number of responses",
        ),
        (E(None), "Not enough responses"),
    ],
)
def test_misjudgement_cell(gap, cell):
    assert narrative.misjudgement(gap) == cell


# ---------------------------------------------------------------- culture


@pytest.mark.parametrize(
    ("profile", "lead", "sentence"),
    [
        (
            {"H": 38, "I": 22, "E": 25, "F": 15},
            E(13, 8, 4, 22),
            "At Northshire Hospitals NHS Foundation Trust, the strongest culture type is "
            "hierarchy (38 points of 100).",
        ),
        (
            {"H": 38, "I": 22, "E": 25, "F": 15},
            E(13, 8, -2, 28),
            "At Northshire Hospitals NHS Foundation Trust, hierarchy scores highest (38 "
            "points of 100), but there is no clear difference at this number of responses "
            "between it and egalitarianism (25).",
        ),
        (
            {"H": 38, "I": 22, "E": 25, "F": 15},
            None,
            "At Northshire Hospitals NHS Foundation Trust, hierarchy scores highest (38 "
            "points of 100), but there is no clear difference at this number of responses "
            "between it and egalitarianism (25).",
        ),
        (
            {"H": 28, "I": 22, "E": 25, "F": 25},
            E(3, 8, 1, 5),
            "At Northshire Hospitals NHS Foundation Trust, no culture type stands out: all "
            "four score within 10 points of each other (hierarchy 28, egalitarianism 25, "
            "fatalism 25, individualism 22, of 100).",
        ),
    ],
)
def test_culture_type_is_grammatical_and_flat_profiles_say_so(profile, lead, sentence):
    text = narrative.culture_type(name=NHFT, profile=profile, lead=lead)
    assert text == sentence
    # Regression: "Strongest type: Northshire Hospitals NHS Foundation Trust hierarchist".
    assert "hierarchist" not in text
    assert "Strongest type:" not in text


# ---------------------------------------------------------------- change


@pytest.mark.parametrize(
    ("change", "scale", "phrase", "cell"),
    [
        # Regression: "+4" with no uncertainty.
        (
            E(4, 20, 1, 7),
            "points",
            "up 4 points since spring 2026 (95% interval 1 to 7)",
            "+4 (+1 to +7)",
        ),
        (
            E(-4, 20, -7, -1),
            "points",
            "down 4 points since spring 2026 (95% interval 1 to 7)",
            "−4 (−7 to −1)",
        ),
        (
            E(3, 20, -2, 9),
            "points",
            "no clear change since spring 2026 (−2 to +9)",
            "no clear change (−2 to +9)",
        ),
        # Regression: "+0.51" with no uncertainty.
        (
            E(0.51, 20, 0.12, 0.9),
            "mean",
            "up 0.51 since spring 2026 (95% interval 0.12 to 0.90)",
            "+0.51 (+0.12 to +0.90)",
        ),
        (
            E(0.2, 3),
            "mean",
            "+0.20 since spring 2026, too few responses to say whether that is a real "
            "change",
            "+0.20",
        ),
        (E(None), "mean", "no figure to compare with in spring 2026", ""),
    ],
)
def test_a_change_always_comes_with_its_interval(change, scale, phrase, cell):
    assert narrative.change_phrase(change, since="spring 2026", scale=scale) == phrase
    assert narrative.change_cell(change, scale=scale) == cell


@pytest.mark.parametrize(
    ("change", "scale", "cell"),
    [
        # Regression: a clear fall read "−3 (−6 to 0)", as if the interval reached zero.
        (E(-3, 20, -6.2, -0.4), "points", "−3 (−6 to −0.4)"),
        # Regression: an unclear change read "no clear change (0 to +15)".
        (E(7, 20, -0.3, 14.6), "points", "no clear change (−0.3 to +15)"),
        (E(7, 20, -0.004, 14.6), "points", "no clear change (−0.004 to +15)"),
        (E(7, 20, 0.0, 14.6), "points", "no clear change (0 to +15)"),
        # A clear change smaller than half a point does not read as "0" either.
        (E(0.4, 20, 0.1, 0.7), "points", "+0.4 (+0.1 to +1)"),
        (E(0.2, 20, 0.004, 0.396), "mean", "+0.20 (+0.004 to +0.40)"),
        (E(-0.3, 20, -0.6, -0.001), "mean", "−0.30 (−0.60 to −0.001)"),
        (E(0.1, 20, -0.002, 0.2), "mean", "no clear change (−0.002 to +0.20)"),
    ],
)
def test_a_change_cell_never_writes_an_end_that_contradicts_its_words(
    change, scale, cell
):
    assert narrative.change_cell(change, scale=scale) == cell
    ends = cell.split("(")[1].rstrip(")").split(" to ")
    if change.excludes(0):
        assert "0" not in ends
        assert "no clear" not in cell
    else:
        assert cell.startswith("no clear change")


def test_a_clear_change_in_words_keeps_its_ends_off_zero():
    phrase = narrative.change_phrase(
        E(-3, 20, -6.2, -0.4), since="spring 2026", scale="points"
    )
    assert phrase == "down 3 points since spring 2026 (95% interval 0.4 to 6)"


@pytest.mark.parametrize(
    ("change", "sentence"),
    [
        (
            E(4, 20, 1, 7),
            "Readiness at NHFT is up 4 points since spring 2026 (95% interval 1 to 7).",
        ),
        (
            E(3, 20, -2, 9),
            "Readiness at NHFT shows no clear change since spring 2026 (−2 to +9).",
        ),
    ],
)
def test_change_sentence(change, sentence):
    text = narrative.change_sentence(
        subject="Readiness at NHFT", change=change, since="spring 2026"
    )
    assert text == sentence


@pytest.mark.parametrize(
    ("change", "sentence"),
    [
        (
            E(0.51, 20, 0.1, 0.92),
            "Since spring 2026, shared purpose has risen most, by 0.51 to 3.80 (allowing "
            "for every dimension compared, by 0.10 to 0.92).",
        ),
        (
            E(-0.51, 20, -0.92, -0.1),
            "Since spring 2026, shared purpose has fallen most, by 0.51 to 3.80 (allowing "
            "for every dimension compared, by 0.10 to 0.92).",
        ),
        (
            E(0.51, 20, -0.1, 0.92),
            "Since spring 2026, no dimension has clearly changed at this number of "
            "responses (the largest move is on shared purpose: +0.51, now 3.80).",
        ),
    ],
)
def test_the_largest_change_is_stated_only_when_its_adjusted_interval_is_clear(
    change, sentence
):
    text = narrative.largest_change(
        dimension=PURPOSE, now=3.8, change=change, since="spring 2026"
    )
    assert text == sentence


@pytest.mark.parametrize(
    ("before", "now", "change", "measured", "sentence"),
    [
        (
            E(3.1),
            E(3.6),
            E(0.5, 0, 0.2, 0.8),
            True,
            "We said we would work on shared purpose; it was 3.10 in spring 2026 and is "
            "3.60 now: up 0.50 since spring 2026 (95% interval 0.20 to 0.80).",
        ),
        (
            E(3.1),
            E(3.4),
            E(0.3, 0, -0.1, 0.7),
            True,
            "We said we would work on shared purpose; it was 3.10 in spring 2026 and is "
            "3.40 now: no clear change since spring 2026 (−0.10 to +0.70).",
        ),
        (
            None,
            E(3.4),
            None,
            True,
            "We said we would work on shared purpose; it is now 3.40, but spring 2026 had "
            "too few responses to compare with.",
        ),
        (
            E(3.1),
            None,
            None,
            True,
            "We said we would work on shared purpose; it was 3.10 in spring 2026, but this "
            "round has too few responses (fewer than 5 per organisation) to show it now.",
        ),
        (
            None,
            None,
            None,
            True,
            "We said we would work on shared purpose; neither round has enough responses "
            "to show it (fewer than 5 per organisation).",
        ),
        (
            None,
            None,
            None,
            False,
            "We said we would work on shared purpose; this round’s questionnaire does not "
            "measure it.",
        ),
    ],
)
def test_focus_progress(before, now, change, measured, sentence):
    text = narrative.focus_progress(
        title=PURPOSE,
        since="spring 2026",
        before=before,
        now=now,
        change=change,
        threshold=5,
        measured=measured,
    )
    assert text == sentence


# ---------------------------------------------------------------- fit terms


def test_feel_and_fact_is_explained_in_one_sentence():
    # Regression: the fit page showed "Feel and fact differ" with no explanation.
    assert narrative.feel_and_fact_explained() == (
        "Feel and fact differ: how compatible the two organisations say their values are "
        "(their answers about each other) is 25 points or more away from how alike their "
        "own answers about themselves are (their readiness and culture profiles)."
    )


@pytest.mark.parametrize(
    ("felt", "actual", "difference", "sentence"),
    [
        (
            72,
            42,
            E(30, 0, 12, 48),
            "NHFT and NGPF feel more compatible (72 of 100) than their own answers show "
            "they are alike (42): a gap of 30 points, worth discussing.",
        ),
        (
            42,
            72,
            E(-30, 0, -48, -12),
            "NHFT and NGPF feel less compatible (42 of 100) than their own answers show "
            "they are alike (72): a gap of 30 points, worth discussing.",
        ),
        (
            72,
            42,
            None,
            "How compatible NHFT and NGPF feel (72 of 100) and how alike their own answers "
            "are (42) are 30 points apart; there is no clear difference at this number of "
            "responses.",
        ),
    ],
)
def test_feel_and_fact_differ_only_with_a_clear_interval(
    felt, actual, difference, sentence
):
    text = narrative.feel_and_fact(
        name_a="NHFT", name_b="NGPF", felt=felt, actual=actual, difference=difference
    )
    assert text == sentence


# ---------------------------------------------------------------- board-pack summary


@pytest.mark.parametrize(
    ("people", "hidden", "sentence"),
    [
        (190, [], "190 people from 8 of 8 organisations are reported."),
        (
            190,
            ["Northshire Hospice"],
            "190 people from 8 of 8 organisations are reported; Northshire Hospice had "
            "fewer than 5 responses and is left out of every figure.",
        ),
        (
            190,
            ["Northshire Hospice", "Eastfield PCN", "Riverside Housing"],
            "190 people from 8 of 8 organisations are reported; Northshire Hospice, "
            "Eastfield PCN and Riverside Housing had fewer than 5 responses and are left "
            "out of every figure.",
        ),
    ],
)
def test_reported(people, hidden, sentence):
    text = narrative.reported(
        people=people, shown=8, total=8, hidden=hidden, threshold=5
    )
    assert text == sentence


@pytest.mark.parametrize(
    ("counted", "provisional", "closed", "sentence"),
    [
        (
            190,
            True,
            False,
            "This pack counts 190 of the 208 responses submitted so far: each "
            "organisation's responses count in whole groups of 5, oldest first, so that no "
            "two views of the results ever differ by fewer than 5 people; the others count "
            "once their group of 5 is complete.",
        ),
        (
            190,
            True,
            True,
            "This pack counts 190 of the 208 responses submitted: each organisation's "
            "responses count in whole groups of 5, oldest first, so that no two views of "
            "the results ever differ by fewer than 5 people; the last few at an "
            "organisation stay out of the figures.",
        ),
        (
            190,
            False,
            True,
            "This pack counts 190 of the 208 responses submitted: every response submitted "
            "by the close counts, and later ones count in whole groups of 5 per "
            "organisation, so that no two views of the results ever differ by fewer than 5 "
            "people.",
        ),
        (208, False, True, "This pack counts all 208 responses submitted."),
    ],
)
def test_counted_explains_why_the_published_count_is_smaller(
    counted, provisional, closed, sentence
):
    text = narrative.counted(
        counted=counted,
        submitted=208,
        threshold=5,
        provisional=provisional,
        closed=closed,
    )
    assert text == sentence


def test_pair_focus_progress_gives_each_side_its_own_interval():
    text = narrative.pair_focus_progress(
        title=PURPOSE,
        since="spring 2026",
        sides=[
            ("NHFT", E(3.1), E(3.6), E(0.5, 0, 0.2, 0.8)),
            ("NGPF", E(3.4), E(3.3), E(-0.1, 0, -0.5, 0.3)),
        ],
        threshold=5,
    )
    assert text == (
        "We said we would work on shared purpose; NHFT was 3.10 and is 3.60 now, up 0.50 "
        "since spring 2026 (95% interval 0.20 to 0.80); NGPF was 3.40 and is 3.30 now, no "
        "clear change since spring 2026 (−0.50 to +0.30)."
    )


@pytest.mark.parametrize(
    ("sides", "sentence"),
    [
        (
            [("NHFT", None, E(3.6), None), ("NGPF", E(3.4), None, None)],
            "We said we would work on shared purpose; NHFT is now 3.60 (too few responses "
            "in spring 2026 to compare); NGPF was 3.40 in spring 2026 but has fewer than 5 "
            "responses this round.",
        ),
        (
            [("NHFT", None, None, None), ("NGPF", None, None, None)],
            "We said we would work on shared purpose; NHFT has fewer than 5 responses in "
            "both rounds; NGPF has fewer than 5 responses in both rounds.",
        ),
    ],
)
def test_pair_focus_progress_with_too_few_responses(sides, sentence):
    text = narrative.pair_focus_progress(
        title=PURPOSE, since="spring 2026", sides=sides, threshold=5
    )
    assert text == sentence


@pytest.mark.parametrize(
    ("names", "note"),
    [
        ([], ""),
        (
            ["Northshire Hospice", "Eastfield PCN"],
            "Not shown: Northshire Hospice, Eastfield PCN (fewer than 5 responses).",
        ),
    ],
)
def test_not_shown(names, note):
    assert narrative.not_shown(names=names, threshold=5) == note


@pytest.mark.parametrize(
    ("asked", "used", "note"),
    [
        (
            14.0,
            14.0,
            "Intervals allow for the 14 people asked at NHFT (10 responses counted): they "
            "are narrower than for a sample from a large group.",
        ),
        (
            8.0,
            float("nan"),
            "The number of people asked at NHFT (8) is fewer than the 10 responses, so "
            "the intervals do not use it.",
        ),
        (None, None, ""),
    ],
)
def test_population_note(asked, used, note):
    text = narrative.population_note(
        short_name="NHFT", asked=asked, used=used, counted=10
    )
    assert text == note
