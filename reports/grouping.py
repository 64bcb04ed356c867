"""Count each figure's own contributors in whole groups of K (MEASUREMENT §6.6).

`surveys.counting` decides which responses count, so that the responses behind any two
views differ by 0 or at least K. A single figure can still rest on fewer of them: of K
new responses, only two may have scored a dimension (the rest said "Don't know") or
rated a partner, and subtracting the figure before from the figure after would give
those two people's answers. So each figure counts its contributors in the same way, in
submission order: those of the first release whole (an at-close round's responses at its
close, which no earlier view showed), and later ones only in whole groups of K. Between
any two views, every figure's contributors then differ by 0 or by K or more.

Pure functions over DataFrames; nothing here imports Django.
"""

import pandas as pd

from reports import columns as c

RANK = "rank"  # submission order of a counted response (oldest first)
LATER = "later"  # submitted after the first release: counted only in whole groups
ORDER_COLUMNS = [c.RESPONSE_ID, RANK, LATER]


def release_order(responses: pd.DataFrame) -> pd.DataFrame:
    """Rank counted responses (response_id, submitted_at, public_id, later) oldest first.

    Ties in time go by public id: the order of responses.csv's rows.
    """
    ordered = responses.sort_values(["submitted_at", "public_id"], kind="stable")
    return pd.DataFrame(
        {
            c.RESPONSE_ID: ordered[c.RESPONSE_ID].to_numpy(),
            RANK: range(len(ordered)),
            LATER: ordered[LATER].astype(bool).to_numpy(),
        },
        columns=ORDER_COLUMNS,
    )


def whole_groups(
    frame: pd.DataFrame,
    *,
    figure: list[str],
    order: pd.DataFrame,
    threshold: int,
    contributes: pd.Series | None = None,
) -> pd.DataFrame:
    """Keep the rows of each figure's contributors that make up whole groups of K.

    `figure` names the columns that identify one figure (organisation and dimension, say);
    a response contributes to a figure through its rows where `contributes` is true (all
    of its rows by default). Rows of responses that do not contribute are dropped, as are
    those of contributors past the last whole group; the frame's order is kept.
    """
    if frame.empty:
        return frame
    rows = frame if contributes is None else frame[contributes.to_numpy()]
    keys = [c.RESPONSE_ID, *figure]
    who = (
        rows[keys]
        .drop_duplicates()
        .merge(order, on=c.RESPONSE_ID, how="inner")
        .sort_values(RANK, kind="stable")
    )
    groups = who.groupby([*figure, LATER], sort=False, dropna=False)
    position = groups.cumcount() + 1
    size = groups[c.RESPONSE_ID].transform("size")
    kept = who.loc[~who[LATER] | (position <= size // threshold * threshold), keys]
    marker = "_kept"
    merged = frame.merge(kept.assign(**{marker: True}), on=keys, how="left")
    return frame[merged[marker].fillna(False).to_numpy(dtype=bool)]


def whole_groups_by_family(
    frame: pd.DataFrame,
    *,
    figure: list[str],
    families: dict[str, tuple[list, str]],
    order: pd.DataFrame,
    threshold: int,
) -> pd.DataFrame:
    """Apply whole_groups separately to each family of items sharing one figure.

    `families` maps a name to (the items whose rows belong to it, how a row contributes:
    "answered" for a non-empty value, "above_one" for a value above 1, "kept" to keep
    the family's rows as they are).
    """
    parts = []
    for items, rule in families.values():
        part = frame[frame[c.ITEM].isin(items)]
        if rule == "kept":
            parts.append(part)
            continue
        value = part[c.VALUE]
        contributes = value.gt(1) if rule == "above_one" else value.notna()
        parts.append(
            whole_groups(
                part,
                figure=figure,
                order=order,
                threshold=threshold,
                contributes=contributes,
            )
        )
    return pd.concat(parts).sort_index() if parts else frame
