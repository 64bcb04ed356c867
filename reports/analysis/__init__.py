"""A round's analysis: `build` computes every dashboard figure, `cache` keeps it.

Callers import from here; the two modules keep building and caching apart.
"""

from reports.analysis.build import (
    SECTOR_GROUPS,
    SurveyAnalysis,
    build_analysis,
)
from reports.analysis.cache import (
    CACHE_ALIAS,
    CACHE_SECONDS,
    AnalysisPendingError,
    analyse_survey,
    analyse_survey_status,
    analysis_is_current,
    analysis_with_fingerprint,
    forget_analyses,
    local_analyses,
    refresh,
    request_refresh,
)

__all__ = [
    "CACHE_ALIAS",
    "CACHE_SECONDS",
    "SECTOR_GROUPS",
    "AnalysisPendingError",
    "SurveyAnalysis",
    "analyse_survey",
    "analyse_survey_status",
    "analysis_is_current",
    "analysis_with_fingerprint",
    "build_analysis",
    "forget_analyses",
    "local_analyses",
    "refresh",
    "request_refresh",
]
