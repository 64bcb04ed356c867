"""Every sentence the dashboards, charts and board packs write from figures.

Pure functions: numbers (`reports.figures.Estimate`, floats, names) in, `str` out, through
gettext. The rules (MEASUREMENT §6.8), applied by every function:

- A comparison (higher, lower, strongest, differs most, has risen) is stated only when its
  interval excludes zero; where the sentence picks the largest of several, the caller
  passes the interval adjusted for the family (§6.1: `sim_ci_low/high`,
  `largest_gap_low/high`, or `scoring.welch_interval` at level 1 − .05/m). Otherwise the
  sentence says there is no clear difference at this number of responses.
- "Strengths" only for areas in the strength band (4.0+) or whose interval lies above 4.0;
  otherwise "highest-scoring areas".
- A name is always followed by its own number ("NGPF 3.30 against NHFT 2.40").
- Signs are said in words ("overestimates by 15 points", "up 4 points"), never glossed.
- Numbers: 1–5 means and gaps to 2 decimals, 0–100 figures as whole numbers, true minus.

Public API (all keyword arguments unless shown):

bands
  is_strength(score: Estimate) -> bool
  band_word(score: Estimate) -> str                          "strength" / "develop" / "concern"
  top_areas_heading(areas: Sequence[(title, Estimate)]) -> str   "Shared strengths" only if all are
  bottom_areas_heading(areas) -> str                          "Areas to develop" / "Areas of concern"
  top_areas(areas) -> str, bottom_areas(areas) -> str         band-aware sentences
  highest_and_lowest(high=(title, Estimate), low=(title, Estimate), difference: Estimate) -> str
comparisons
  apart(high: Estimate, low: Estimate) -> Estimate            conservative high − low interval
  largest_difference(groups, dimension, high_name, high, low_name, low, difference, scale="mean")
  value_range(measure, low_name, low, high_name, high, difference, scale="points")
  lowest_to_highest(measure, low_name, low, high_name, high, scale="points")   no claim
  furthest_from(name, against, above=(title, Estimate)|None, below=(title, Estimate)|None)
gaps
  is_clear_gap(gap: Estimate) -> bool                         §6.1: interval excludes 0, |gap| ≥ 0.5
  pair_gap(dimension, name_a, mean_a, name_b, mean_b, gap) -> str   gap = a − b, simultaneous interval
  gap_count(clear: int, compared: int) -> str                 positional
  overall_fit(name_a, name_b, fit: Estimate) -> str
  widest_gap(dimension, name_a, mean_a, name_b, mean_b, gap) -> str
  no_clear_gap(name_a, mean_n_a, name_b, mean_n_b) -> str
  trust_direction(name_a, trust_a_to_b, name_b, trust_b_to_a, difference=None) -> str
perception
  misjudgement(gap: Estimate) -> str                          table cell, positional
  meta_perception(name, partner, thinks: float, actual: float, gap: Estimate) -> str
culture
  type_noun(letter) -> str                                    "H" → "hierarchy"
  culture_type(name, profile: Mapping[letter, points], lead: Estimate | None = None) -> str
change
  change_phrase(change: Estimate, since, scale="points") -> str     "up 4 points since … (95% interval 1 to 7)"
  change_sentence(subject, change, since, scale="points") -> str
  change_cell(change: Estimate, scale="points") -> str        "+4 (1 to 7)" / "no clear change (−2 to +9)"
  largest_change(dimension, now: float, change: Estimate, since) -> str
  focus_progress(title, since, before, now, change, threshold, measured=True) -> str
  pair_focus_progress(title, since, sides=[(name, before, now, change), …], threshold,
                      measured=True) -> str
fit_terms
  feel_and_fact_explained() -> str
  feel_and_fact(name_a, name_b, felt: float, actual: float, difference=None) -> str
summary
  reported(people, shown, total, hidden: Sequence[str], threshold) -> str
  counted(counted, submitted, threshold, provisional: bool, closed: bool) -> str
      (the gap can be < K: only for roles that see exact counts)
  not_shown(names: Sequence[str], threshold) -> str            "" when nothing is left out
  population_note(short_name, asked, used, counted) -> str      §6.5; "" when N is unknown
"""

from reports.narrative.bands import (
    band_word,
    bottom_areas,
    bottom_areas_heading,
    highest_and_lowest,
    is_strength,
    top_areas,
    top_areas_heading,
)
from reports.narrative.change import (
    change_cell,
    change_phrase,
    change_sentence,
    focus_progress,
    largest_change,
    pair_focus_progress,
)
from reports.narrative.comparisons import (
    apart,
    furthest_from,
    largest_difference,
    lowest_to_highest,
    value_range,
)
from reports.narrative.culture import culture_type, type_noun
from reports.narrative.fit_terms import feel_and_fact, feel_and_fact_explained
from reports.narrative.gaps import (
    gap_count,
    is_clear_gap,
    no_clear_gap,
    overall_fit,
    pair_gap,
    trust_direction,
    widest_gap,
)
from reports.narrative.perception import meta_perception, misjudgement
from reports.narrative.summary import counted, not_shown, population_note, reported

__all__ = [
    "apart",
    "band_word",
    "bottom_areas",
    "bottom_areas_heading",
    "change_cell",
    "change_phrase",
    "change_sentence",
    "counted",
    "culture_type",
    "feel_and_fact",
    "feel_and_fact_explained",
    "focus_progress",
    "furthest_from",
    "gap_count",
    "highest_and_lowest",
    "is_clear_gap",
    "is_strength",
    "largest_change",
    "largest_difference",
    "lowest_to_highest",
    "meta_perception",
    "misjudgement",
    "no_clear_gap",
    "not_shown",
    "overall_fit",
    "pair_focus_progress",
    "pair_gap",
    "population_note",
    "reported",
    "top_areas",
    "top_areas_heading",
    "trust_direction",
    "type_noun",
    "value_range",
    "widest_gap",
]
