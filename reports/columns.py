"""Column names shared by the scoring and fit frames (the contracts with `data.py`)."""

# Input columns: answers, items, partner answers and culture-profile points.
RESPONSE_ID = "response_id"
ORGANISATION = "organisation"
DIMENSION = "dimension"
ITEM = "item"
REVERSE = "reverse"
VALUE = "value"
SCORED_VALUE = "scored_value"
SUBJECT = "subject"
PROMPT = "prompt"
CULTURE_TYPE = "culture_type"
POINTS = "points"

ANSWER_COLUMNS = [RESPONSE_ID, ORGANISATION, DIMENSION, ITEM, REVERSE, VALUE]
ITEM_COLUMNS = [DIMENSION, ITEM, REVERSE]
PARTNER_ANSWER_COLUMNS = [RESPONSE_ID, ORGANISATION, SUBJECT, ITEM, VALUE]
PROFILE_POINT_COLUMNS = [RESPONSE_ID, ORGANISATION, PROMPT, CULTURE_TYPE, POINTS]

# Respondent and organisation scores.
SCORE = "score"
N = "n"
MEAN = "mean"
SD = "sd"
SE = "se"
CI_LOW = "ci_low"
CI_HIGH = "ci_high"
READINESS = "readiness"
BAND = "band"
UNCERTAIN = "uncertain"
SUPPRESSED = "suppressed"
N_DIMENSIONS = "n_dimensions"

RESPONDENT_SCORE_COLUMNS = [RESPONSE_ID, ORGANISATION, DIMENSION, SCORE]
ORGANISATION_SCORE_COLUMNS = [
    ORGANISATION,
    DIMENSION,
    N,
    MEAN,
    SD,
    SE,
    CI_LOW,
    CI_HIGH,
    READINESS,
    BAND,
    UNCERTAIN,
    SUPPRESSED,
]
OVERALL_COLUMNS = [ORGANISATION, READINESS, MEAN, N_DIMENSIONS, SUPPRESSED]

# Bands (MEASUREMENT.md §5 "Scoring", step 3).
STRENGTH = "strength"
DEVELOP = "develop"
CONCERN = "concern"

# Methods panel: agreement, "Don't know", reliability, ICC, answer distributions.
RWG_J = "rwg_j"
DIVIDED = "divided"
DONT_KNOW_RATE = "dont_know_rate"
ALPHA = "alpha"
MEAN_INTER_ITEM_R = "mean_inter_item_r"
N_COMPLETE = "n_complete"
N_ITEMS = "n_items"
ICC1 = "icc1"
ICC2 = "icc2"
N_GROUPS = "n_groups"
COUNT = "count"
SHARE = "share"
DONT_KNOW = "dk"

AGREEMENT_COLUMNS = [ORGANISATION, DIMENSION, RWG_J, N, DIVIDED]
DONT_KNOW_COLUMNS = [ORGANISATION, DIMENSION, DONT_KNOW_RATE]
ITEM_DONT_KNOW_COLUMNS = [ITEM, DIMENSION, DONT_KNOW_RATE, N]
ALPHA_COLUMNS = [DIMENSION, ALPHA, MEAN_INTER_ITEM_R, N_COMPLETE, N_ITEMS]
ICC_COLUMNS = [DIMENSION, ICC1, ICC2, N_GROUPS]
DISTRIBUTION_COLUMNS = [ORGANISATION, ITEM, DIMENSION, VALUE, COUNT, SHARE]

# Culture profile (cultural theory types) and partner ratings.
HIERARCHIST = "H"
INDIVIDUALIST = "I"
EGALITARIAN = "E"
FATALIST = "F"
CULTURE_TYPES = [HIERARCHIST, INDIVIDUALIST, EGALITARIAN, FATALIST]
# The strongest type's lead over the next (points of 100), per respondent, with its
# interval allowing for every pair of the four types (§6.8: "strongest" only if clear).
CULTURE_LEAD = "lead"
CULTURE_LEAD_LOW = "lead_low"
CULTURE_LEAD_HIGH = "lead_high"
CULTURE_COLUMNS = [
    ORGANISATION,
    *CULTURE_TYPES,
    N,
    SUPPRESSED,
    CULTURE_LEAD,
    CULTURE_LEAD_LOW,
    CULTURE_LEAD_HIGH,
]

FAMILIARITY_ITEM = "P0"
TRUST_ITEMS = ["P1", "P2", "P3"]
COMPATIBILITY_ITEM = "P4"
POWER_ITEM = "P5"  # reverse-scored; collected but not part of any fit figure
META_ITEM = "P6"

N_RATERS = "n_raters"
TRUST = "trust"
COMPATIBILITY = "compatibility"
META = "meta"
N_TRUST = "n_trust"
N_COMPATIBILITY = "n_compatibility"
N_META = "n_meta"
# Sample standard deviation over the raters of each figure, for Welch intervals.
SD_TRUST = "sd_trust"
SD_COMPATIBILITY = "sd_compatibility"
SD_META = "sd_meta"
RATING_COLUMNS = [
    ORGANISATION,
    SUBJECT,
    N_RATERS,
    TRUST,
    COMPATIBILITY,
    META,
    N_TRUST,
    N_COMPATIBILITY,
    N_META,
    SD_TRUST,
    SD_COMPATIBILITY,
    SD_META,
]

# Dimension gaps between two organisations.
MEAN_A = "mean_a"
MEAN_B = "mean_b"
GAP = "gap"
EFFECT_SIZE = "effect_size"
CLEAR = "clear"  # Holm-significant across the pair's dimensions and |gap| ≥ 0.5 (§6.1)
Z = "z"
SIM_CI_LOW = "sim_ci_low"  # simultaneous interval, level 1 − .05/k (§6.1)
SIM_CI_HIGH = "sim_ci_high"
P_VALUE = "p_value"  # Welch, two-sided, this dimension alone
P_HOLM = "p_holm"  # Holm step-down adjusted over the pair's k dimensions
GAP_COLUMNS = [
    DIMENSION,
    MEAN_A,
    MEAN_B,
    GAP,
    SE,
    CI_LOW,
    CI_HIGH,
    EFFECT_SIZE,
    CLEAR,
    Z,
    SIM_CI_LOW,
    SIM_CI_HIGH,
    P_VALUE,
    P_HOLM,
]

# Pairwise fit: fit.csv (DESIGN.md §4 "Exports") plus the detail the pair page shows.
ORGANISATION_A = "organisation_a"
ORGANISATION_B = "organisation_b"
FIT = "fit"
FIT_CI_LOW = "fit_ci_low"
FIT_CI_HIGH = "fit_ci_high"
PROFILE_FIT = "profile_fit"
LEVEL_GAP = "level_gap"
SHAPE_SIMILARITY = "shape_similarity"
CULTURE_FIT = "culture_fit"
TRUST_A_TO_B = "trust_a_to_b"
TRUST_B_TO_A = "trust_b_to_a"
MUTUAL_TRUST = "mutual_trust"
LARGEST_GAP_DIMENSION = "largest_gap_dimension"
ELEVATION = "elevation"
SCATTER = "scatter"
SHAPE = "shape"
ASYMMETRY = "asymmetry"
META_GAP_A = "meta_gap_a"
META_GAP_B = "meta_gap_b"
# 95% Welch interval of each meta-perception gap (MEASUREMENT.md §6.8), blank with the gap.
META_GAP_A_LOW = "meta_gap_a_low"
META_GAP_A_HIGH = "meta_gap_a_high"
META_GAP_B_LOW = "meta_gap_b_low"
META_GAP_B_HIGH = "meta_gap_b_high"
PERCEIVED_ACTUAL_FLAG = "perceived_actual_flag"
# Feel and fact: compatibility − the mean of profile and culture fit, with its 95% BCa
# interval from the same resamples (§6.8: "they differ" only when it excludes zero).
PERCEIVED_ACTUAL = "perceived_actual"
PERCEIVED_ACTUAL_LOW = "perceived_actual_low"
PERCEIVED_ACTUAL_HIGH = "perceived_actual_high"
# 95% Welch interval of asymmetry (trust A→B − trust B→A) over the two sets of raters.
ASYMMETRY_LOW = "asymmetry_low"
ASYMMETRY_HIGH = "asymmetry_high"
# The largest-gap dimension's gap (A − B) with its simultaneous interval, and whether it
# is a clear gap (MEASUREMENT.md §6.1).
LARGEST_GAP = "largest_gap"
LARGEST_GAP_LOW = "largest_gap_low"
LARGEST_GAP_HIGH = "largest_gap_high"
LARGEST_GAP_CLEAR = "largest_gap_clear"
# Why shape_similarity is blank, in words the pair page can show (§6.4); blank if shown.
SHAPE_SIMILARITY_NOTE = "shape_similarity_note"
# 95% BCa intervals of each fit component (§6.2), beside fit's own.
PROFILE_FIT_CI_LOW = "profile_fit_ci_low"
PROFILE_FIT_CI_HIGH = "profile_fit_ci_high"
CULTURE_FIT_CI_LOW = "culture_fit_ci_low"
CULTURE_FIT_CI_HIGH = "culture_fit_ci_high"
MUTUAL_TRUST_CI_LOW = "mutual_trust_ci_low"
MUTUAL_TRUST_CI_HIGH = "mutual_trust_ci_high"
COMPATIBILITY_CI_LOW = "compatibility_ci_low"
COMPATIBILITY_CI_HIGH = "compatibility_ci_high"
COMPONENT_INTERVALS = {
    PROFILE_FIT: (PROFILE_FIT_CI_LOW, PROFILE_FIT_CI_HIGH),
    CULTURE_FIT: (CULTURE_FIT_CI_LOW, CULTURE_FIT_CI_HIGH),
    MUTUAL_TRUST: (MUTUAL_TRUST_CI_LOW, MUTUAL_TRUST_CI_HIGH),
    COMPATIBILITY: (COMPATIBILITY_CI_LOW, COMPATIBILITY_CI_HIGH),
}

FIT_CSV_COLUMNS = [
    ORGANISATION_A,
    ORGANISATION_B,
    FIT,
    FIT_CI_LOW,
    FIT_CI_HIGH,
    PROFILE_FIT,
    LEVEL_GAP,
    SHAPE_SIMILARITY,
    CULTURE_FIT,
    COMPATIBILITY,
    TRUST_A_TO_B,
    TRUST_B_TO_A,
    MUTUAL_TRUST,
    LARGEST_GAP_DIMENSION,
    SUPPRESSED,
    # Added by issue 13: fit.csv only ever gains columns at the end.
    LARGEST_GAP,
    LARGEST_GAP_LOW,
    LARGEST_GAP_HIGH,
    LARGEST_GAP_CLEAR,
]
FIT_EXTRA_COLUMNS = [
    ELEVATION,
    SCATTER,
    SHAPE,
    ASYMMETRY,
    META_GAP_A,
    META_GAP_B,
    PERCEIVED_ACTUAL_FLAG,
    SHAPE_SIMILARITY_NOTE,
    *[column for pair in COMPONENT_INTERVALS.values() for column in pair],
    META_GAP_A_LOW,
    META_GAP_A_HIGH,
    META_GAP_B_LOW,
    META_GAP_B_HIGH,
    PERCEIVED_ACTUAL,
    PERCEIVED_ACTUAL_LOW,
    PERCEIVED_ACTUAL_HIGH,
    ASYMMETRY_LOW,
    ASYMMETRY_HIGH,
]
PAIRWISE_FIT_COLUMNS = [*FIT_CSV_COLUMNS, *FIT_EXTRA_COLUMNS]
