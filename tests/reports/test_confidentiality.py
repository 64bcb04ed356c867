"""No pooled figure lets a hidden group be recovered (found in review; kept as regressions)."""

import pandas as pd

from reports import analysis, fit, scoring
from reports import columns as c

K = 5


def test_a_partner_figure_answered_by_fewer_than_k_people_is_blanked():
    # Five people know the partner (P0 = 3), but four answer "Don't know" to P1–P3, P4, P6.
    rows = [
        ("r0", 1, 2, "P0", 3.0),
        ("r0", 1, 2, "P1", 1.0),
        ("r0", 1, 2, "P2", 1.0),
        ("r0", 1, 2, "P3", 1.0),
        ("r0", 1, 2, "P4", 1.0),
        ("r0", 1, 2, "P6", 1.0),
    ]
    for i in range(1, 5):
        rows += [(f"r{i}", 1, 2, "P0", 3.0)] + [
            (f"r{i}", 1, 2, item, float("nan"))
            for item in ("P1", "P2", "P3", "P4", "P6")
        ]
    answers = pd.DataFrame(rows, columns=c.PARTNER_ANSWER_COLUMNS)
    rating = fit.partner_ratings(answers, threshold=K).iloc[0]
    assert rating[c.N_RATERS] == 5
    assert pd.isna(rating[c.TRUST])
    assert pd.isna(rating[c.COMPATIBILITY])
    assert pd.isna(rating[c.META])
    assert rating[c.N_TRUST] == rating[c.N_COMPATIBILITY] == rating[c.N_META] == 0


def test_a_hidden_cell_cannot_be_recovered_from_its_sector_by_subtraction():
    # Organisations 1 and 2 share a sector. Organisation 1 has six respondents, but only one
    # scored dimension "a" (the rest said "Don't know"), so its "a" cell is hidden.
    rows = [("p1", 1, "a", 1.0)] + [(f"q{i}", 1, "b", 4.0) for i in range(6)]
    rows += [(f"s{i}", 2, "a", 4.0) for i in range(6)]
    resp = pd.DataFrame(
        rows, columns=["response_id", "organisation", "dimension", "score"]
    )
    org_scores = scoring.organisation_scores(resp, threshold=K)
    organisations = pd.DataFrame(
        {"organisation": [1, 2], "sector_group": ["NHS", "NHS"]}
    )

    shown = analysis._in_shown_cells(resp, org_scores)
    sector = analysis._sector_scores(shown, organisations, K)

    row = sector[sector["dimension"] == "a"].iloc[0]
    org2 = org_scores[
        (org_scores["organisation"] == 2) & (org_scores["dimension"] == "a")
    ]
    assert row["n"] == org2["n"].iloc[0]  # organisation 1's lone score is not pooled
    assert row["mean"] == org2["mean"].iloc[0]
