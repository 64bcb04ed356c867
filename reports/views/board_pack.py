"""Board reports as PDF downloads, for every role on the partnership."""

from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from reports import pdf
from reports.pack_cache import PackRequest, cached_pack
from reports.views.preparing import released_survey_for_user, waits_for_analysis
from surveys.models import Survey
from surveys.views.access import sees_exact_counts


def _attachment(document: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(document, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_GET
@waits_for_analysis
@cache_control(private=True, no_store=True)
def partnership_pdf(request: HttpRequest, survey_id: UUID) -> HttpResponse:
    """Download the partnership's board report for one round (drawn once per analysis)."""
    survey, role = released_survey_for_user(request, survey_id)
    pack = PackRequest(survey.pk, exact_counts=sees_exact_counts(role))
    return _attachment(cached_pack(survey, pack), pdf.pdf_filename(survey))


@login_required
@require_GET
@waits_for_analysis
@cache_control(private=True, no_store=True)
def pair_pdf(
    request: HttpRequest, survey_id: UUID, a_id: UUID, b_id: UUID
) -> HttpResponse:
    """Download the board report for one pair of partners."""
    survey, role = released_survey_for_user(request, survey_id)
    try:
        pack = PackRequest(
            survey.pk, str(a_id), str(b_id), exact_counts=sees_exact_counts(role)
        )
        document = cached_pack(survey, pack)
    except LookupError as exc:
        raise Http404("No such pair in this partnership") from exc
    return _attachment(
        document, pdf.pdf_filename(survey, *_short_names(survey, a_id, b_id))
    )


def _short_names(survey: Survey, a_id: UUID, b_id: UUID) -> list[str]:
    members = dict(
        survey.partnership.members.filter(public_id__in=[a_id, b_id]).values_list(
            "public_id", "short_name"
        )
    )
    return [members.get(a_id, ""), members.get(b_id, "")]
