"""Build dictionary.csv: what every column of every export means, and every item's wording.

Layout: one table, `kind` tells the two sorts of row apart.
- kind = column: `file`, `column`, `type` and `description` describe one column of one
  file (dictionary.csv's own columns included); the item fields are empty.
- kind = item: one questionnaire item, as it appears in responses.csv `item_code`:
  `type` is its value range, `description` its answer labels and scoring, then
  item_code, item_text, dimension, dimension_title, block, reverse_scored,
  response_format, sources (the titles of the source documents it draws on,
  "; "-separated) and item_text_cy (its Welsh wording, empty without Welsh).

The workbook's cover sheet (cover_rows) states the same rule for what counts.
"""

from datetime import UTC, date
from typing import Any

import pandas as pd

from reports.exports.formats import DICTIONARY_COLUMNS, RESPONSES_CSV
from surveys.models import Item, RespondentRole, Sector, Survey

_SECTORS = "; ".join(f"{code} = {label}" for code, label in Sector.choices)
_ROLES = "; ".join(f"{code} = {label}" for code, label in RespondentRole.choices)
_COUNTING_RULE = (
    "Which responses count depends on the round's rule for when results appear. "
    "At the close (the default): every response submitted by the moment the round first "
    "closed, plus any submitted after that (if its closing date moved later) in whole "
    "groups of K per organisation, oldest first. In groups: each organisation's "
    "responses in whole groups of K, oldest first, whether the round is open or closed, "
    "so up to K − 1 of its latest responses stay out. K is the round's anonymity "
    "threshold; oldest first means in the order of this file's rows. Then every figure "
    "counts its own contributors the same way: among the counted "
    "responses, those that scored a dimension (at least half its items answered), rated a "
    "partner (P0 above 1; then, among those raters, those who answered P1–P3, P4 or P6), "
    "gave culture-profile points or wrote a comment count whole, if submitted by the "
    "release, and otherwise only in whole groups of K, oldest first, per organisation and "
    "figure. scores.csv and fit.csv are computed from those contributors only, and a "
    "figure with fewer than K of them is suppressed."
)

_FPC_RULE = (
    "f is the finite-population factor √((N − n)/(N − 1)), where N is the row's "
    "eligible: applied when N is known and at least the organisation's counted "
    "responses (so n ≤ N); ignored (f = 1) when N is empty, or when more responses are "
    "counted than N, because N must then be wrong. With n = N (everyone asked "
    "answered) the interval is the mean itself."
)

# file | column | type | description ({sectors} is replaced by the sector codes).
_COLUMNS = """\
responses.csv | survey_id | uuid | The survey round's public id.
responses.csv | response_id | uuid | Pseudonymous id of one submitted response, the same on all its rows. It links to no name, email address or survey link.
responses.csv | organisation | string | The respondent's organisation (name).
responses.csv | sector | string | The organisation's sector: {sectors}.
responses.csv | role | string | The kind of post on the respondent's invitation ({roles}), shown only where at least K submitted responses of that organisation share it (K = the round's anonymity threshold); otherwise empty, as it is for organisation links and after personal data is deleted.
responses.csv | submitted_at | timestamp | When the response was submitted: ISO 8601 in UTC, to the second (the workbook holds the same UTC time as an Excel date).
responses.csv | dimension | string | Key of the item's dimension (titles are on the item rows). The partner block and the culture profile each have a dimension of their own.
responses.csv | item_code | string | The item answered; each code has an item row in this dictionary with its wording and coding.
responses.csv | subject_organisation | string | For partner-block items, the partner organisation being rated (name); otherwise empty.
responses.csv | value | integer | The answer as given: 1–5 for agreement and alignment items, 1–4 for how well the respondent knows a partner, 0–100 points for culture-profile statements. Empty means “Don't know”.
responses.csv | scored_value | integer | The value that scoring uses: 6 − value for reverse-scored items, value − 3 (−2 … +2) for alignment items, otherwise value. Empty for “Don't know”.
responses.csv | counted | boolean | true if the response is in the published figures (scores.csv, fit.csv, dashboards, board reports). {counting_rule}
scores.csv | organisation | string | The organisation (name).
scores.csv | sector | string | The organisation's sector: {sectors}.
scores.csv | dimension | string | Dimension key (titles are on the item rows).
scores.csv | n | integer | Respondents with a score on the dimension (at least half of its items answered).
scores.csv | mean | number | Mean of the respondents' dimension scores, 1–5.
scores.csv | sd | number | Standard deviation of the respondents' scores (divisor n − 1).
scores.csv | ci_low | number | Lower end of the mean's 95% t interval, kept within 1–5: mean − t(.975, n − 1) × sd/√n × f. {fpc_rule}
scores.csv | ci_high | number | Upper end of the mean's 95% t interval, kept within 1–5 (the same formula with +).
scores.csv | readiness | number | 25 × (mean − 1): the mean on a 0–100 scale.
scores.csv | band | string | strength (mean 4.0 or more), develop (3.0 to 3.99) or concern (below 3.0).
scores.csv | agreement | number | Agreement within the organisation, rwg(j) against a uniform null (σ²E = 2); below 0.51 views are divided. Empty with fewer than two respondents.
scores.csv | dont_know_rate | number | Share (0–1) of the dimension's answers that were “Don't know”.
scores.csv | suppressed | boolean | true when fewer respondents than the round's anonymity threshold have a score; every figure in the row, n included, is then empty.
scores.csv | eligible | integer | N: how many people the organisation asked to answer the round (its board and executive members), the same on all its rows. A lead records it; until then it is the number of personal links issued (not revoked). Empty when not known (no number recorded and no personal links). Shown in suppressed rows too: it says nothing about who answered.
scores.csv | response_rate | number | Share (0–1) of the people asked whose responses are counted: counted responses (responses.csv counted = true) ÷ eligible. Empty when eligible is empty, when more responses are counted than eligible (N is then ignored), and in suppressed rows (with eligible it would give the count).
fit.csv | organisation_a | string | Organisation A of the ordered pair (name).
fit.csv | organisation_b | string | Organisation B of the ordered pair (name).
fit.csv | fit | number | Overall fit 0–100: 0.3 compatibility + 0.3 mutual_trust + 0.2 culture_fit + 0.2 profile_fit (each corrected for sampling noise as described in its row), reweighted when a component is missing.
fit.csv | fit_ci_low | number | Lower end of fit's 95% interval: bias-corrected and accelerated (BCa) bootstrap, respondents resampled within each organisation 2,000 times from exactly the answers the estimate uses, each organisation's draws seeded from its own id; widened for small organisations and centred on the corrected estimate (README, "Where we differ").
fit.csv | fit_ci_high | number | Upper end of fit's 95% interval (as fit_ci_low).
fit.csv | profile_fit | number | 100 × (1 − √(D²/k) / 4), 0–100: how alike the two readiness profiles are, with D² corrected for sampling noise: Σ(a_d − b_d)² − Σ(SE²_a,d + SE²_b,d), floored at 0, over the k dimensions shown for both.
fit.csv | level_gap | number | Mean of A's dimension means minus B's, on the 1–5 scale.
fit.csv | shape_similarity | number | Pearson r (−1 to 1) between the two profiles once the mean profile of the other organisations (not A or B) is taken away; empty unless at least three other organisations are shown, with fewer than three dimensions, or with a flat profile.
fit.csv | culture_fit | number | 100 − ½ Σ |difference| of the two culture profiles' points, 0–100, corrected for the sampling noise that inflates the differences (README, "Where we differ").
fit.csv | compatibility | number | 25 × (P4 “values are compatible” − 1), 0–100: the mean of the two directions' means (A's raters about B, B's about A), so each organisation's view counts once; a direction with fewer than K answers is left out.
fit.csv | trust_a_to_b | number | How much A's respondents trust B: 25 × (mean of P1–P3 − 1), 0–100.
fit.csv | trust_b_to_a | number | How much B's respondents trust A, on the same scale.
fit.csv | mutual_trust | number | The lower of trust_a_to_b and trust_b_to_a, corrected for the downward bias of the smaller of two noisy means (README, "Where we differ").
fit.csv | largest_gap_dimension | string | Key of the dimension with the largest standardised gap between A and B.
fit.csv | suppressed | boolean | true when A or B has fewer respondents than the anonymity threshold, or fewer than that many of A's respondents rated B; every figure in the row is then empty.
fit.csv | largest_gap | number | A's mean minus B's on largest_gap_dimension (1–5 scale).
fit.csv | largest_gap_low | number | Lower end of that gap's simultaneous interval: Welch, level 1 − 0.05/k over the k dimensions compared.
fit.csv | largest_gap_high | number | Upper end of that simultaneous interval.
fit.csv | largest_gap_clear | boolean | true when that gap is clear: significant after Holm's correction across the pair's k dimensions (family-wise 5%) and at least 0.5 scale points.
dictionary.csv | kind | string | column (a row about one column of one file) or item (a row about one questionnaire item).
dictionary.csv | file | string | The file the row is about.
dictionary.csv | column | string | The column the row is about (item rows: item_code).
dictionary.csv | type | string | Column rows: uuid, string, integer, number, boolean or timestamp. Item rows: the range of value.
dictionary.csv | description | string | What the column means; for an item, its answer labels and how it is scored.
dictionary.csv | item_code | string | Item rows: the code used in responses.csv.
dictionary.csv | item_text | string | Item rows: the wording respondents saw ({partner} stands for the partner's name).
dictionary.csv | dimension | string | Item rows: the dimension key.
dictionary.csv | dimension_title | string | Item rows: the dimension's title.
dictionary.csv | block | string | Item rows: self (about the respondent's own organisation), partner (asked about each other partner) or profile (culture profile and alignment).
dictionary.csv | reverse_scored | boolean | Item rows: true when scored as 6 − value.
dictionary.csv | response_format | string | Item rows: likert, familiarity, alignment or points.
dictionary.csv | sources | string | Item rows: the titles of the source documents the item draws on, separated by “; ”.
dictionary.csv | item_text_cy | string | Item rows: the Welsh wording respondents saw when answering in Welsh ({partner} as in item_text); empty when the questionnaire has no Welsh. Answers in either language carry the same item_code, so analyses pool both.
"""


def _release_text(survey: Survey | None) -> str:
    """Say which rule this round follows and, once released, from when."""
    if survey is None:
        return ""
    if survey.release_rule == Survey.ReleaseRule.GROUPS:
        return (
            " This round counts provisionally: responses count only in whole groups of K "
            "per organisation, oldest first, before and after the close."
        )
    released = survey.release_moment()
    if released is None:
        return " This round counts at the close and has not closed: nothing counts yet."
    moment = released.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return (
        " This round counts at the close; its results were released at "
        f"{moment}: responses submitted by then count whole, later ones in groups of K."
    )


def counting_rule(survey: Survey | None = None) -> str:
    """Say which responses count in the figures, ending with this round's own rule."""
    return _COUNTING_RULE + _release_text(survey)


def column_rows(survey: Survey | None = None) -> list[dict[str, str]]:
    """Return the kind = column rows, one per column of every export file."""
    rows = []
    text = (
        _COLUMNS.replace("{sectors}", _SECTORS)
        .replace("{roles}", _ROLES)
        .replace("{counting_rule}", counting_rule(survey))
        .replace("{fpc_rule}", _FPC_RULE)
    )
    for line in text.splitlines():
        file, column, kind, description = line.split(" | ")
        rows.append(
            {
                "kind": "column",
                "file": file,
                "column": column,
                "type": kind,
                "description": description,
            }
        )
    return rows


def _labels(labels: list[str] | None) -> str:
    return "; ".join(f"{n} = {label}" for n, label in enumerate(labels or [], 1))


def _coding(item: Item, scale: dict) -> tuple[str, str]:
    dont_know = f"empty = {scale.get('dont_know', 'Don’t know')}"
    match item.response_format:
        case Item.Format.FAMILIARITY:
            return "integer 1–4", (
                f"{_labels(scale.get('familiarity_labels'))}. 1 skips the partner's "
                "other items. Not scored: scored_value = value."
            )
        case Item.Format.ALIGNMENT:
            return "integer 1–5", (
                f"{item.prompt} {_labels(scale.get('alignment_labels'))}; {dont_know}. "
                "scored_value = value − 3, from −2 (pulls strongly away) to +2."
            )
        case Item.Format.POINTS:
            return "integer 0–100", (
                f"{item.prompt} Points for this statement (culture type "
                f"{item.culture_type}); the prompt's four statements share 100 points. "
                "scored_value = value."
            )
    scoring = "6 − value (reverse-scored)" if item.reverse_scored else "value"
    return "integer 1–5", (
        f"{_labels(scale.get('labels'))}; {dont_know}. scored_value = {scoring}."
    )


def item_rows(survey: Survey) -> list[dict[str, Any]]:
    """Return the kind = item rows: every item of the round's instrument, in order."""
    instrument = survey.instrument
    scale = instrument.scale or {}
    items = (
        Item.objects.filter(dimension__instrument_id=survey.instrument_id)
        .select_related("dimension")
        .order_by("dimension__order", "order")
    )
    rows = []
    for item in items:
        kind, description = _coding(item, scale)
        rows.append(
            {
                "kind": "item",
                "file": RESPONSES_CSV,
                "column": "item_code",
                "type": kind,
                "description": description,
                "item_code": item.code,
                "item_text": item.text,
                "dimension": item.dimension.key,
                "dimension_title": item.dimension.title,
                "block": item.block,
                "reverse_scored": bool(item.reverse_scored),
                "response_format": item.response_format,
                "sources": "; ".join(instrument.cite(item.sources or [])),
                "item_text_cy": instrument.item_text_in("cy", item.code),
            }
        )
    return rows


def dictionary_frame(survey: Survey) -> pd.DataFrame:
    """Return dictionary.csv: a row per column of every file, then a row per item."""
    return pd.DataFrame.from_records(
        [*column_rows(survey), *item_rows(survey)], columns=DICTIONARY_COLUMNS
    )


def _moment(value) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") if value else "not set"


def cover_rows(survey: Survey, *, on: date) -> list[tuple[str, str]]:
    """Return the workbook's cover: which round this is, K, and what counts in it."""
    k = survey.anonymity_threshold
    return [
        ("Partnership", survey.partnership.name),
        ("Round", survey.title),
        ("Exported on", on.isoformat()),
        ("Questionnaire", str(survey.instrument)),
        ("Status", survey.get_status_display()),
        ("Opens", _moment(survey.opens_at)),
        ("Closes", _moment(survey.closes_at)),
        (
            "Anonymity threshold (K)",
            f"{k}: no figure describes fewer than {k} respondents; smaller groups are "
            "suppressed (their rows kept, figures empty).",
        ),
        ("When results appear", survey.get_release_rule_display()),
        ("What counts in this round", _release_text(survey).strip()),
        ("How responses count", _COUNTING_RULE),
        (
            "Sheets",
            "responses: one row per answer (the counted column says whether it is in "
            "the figures); scores: each organisation and dimension; fit: each ordered "
            "pair of organisations; dictionary: what every column means, and every "
            "question's wording, scoring and sources. The CSV files hold the same tables.",
        ),
    ]
