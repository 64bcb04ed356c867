"""Downloads for leads and analysts: a round's exports as CSV, Excel and ZIP."""

import tempfile
from datetime import date
from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import (
    FileResponse,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    StreamingHttpResponse,
)
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from reports import exports
from reports.analysis import analyse_survey
from surveys.models import Survey
from surveys.selectors import get_survey_for_user


def url_name(filename: str) -> str:
    """Return the URL name of an export file's download, e.g. download_scores_csv."""
    return "download_" + filename.replace(".", "_")


def _attachment(response: HttpResponseBase, filename: str) -> HttpResponseBase:
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _file_response(survey: Survey, filename: str, on: date) -> HttpResponseBase:
    content_type = exports.CONTENT_TYPES[filename]
    if filename == exports.RESPONSES_CSV:
        stream = exports.stream_responses_csv(survey)
        return StreamingHttpResponse(stream, content_type=content_type)
    analysis = analyse_survey(survey, fresh=True)
    if filename == exports.ARCHIVE:
        members = exports.archive_members(survey=survey, analysis=analysis, on=on)
        return StreamingHttpResponse(
            exports.iter_zip(members), content_type=content_type
        )
    if filename == exports.WORKBOOK:
        # Not a `with` block: FileResponse closes the file, which deletes it, when sent.
        handle = tempfile.TemporaryFile()  # noqa: SIM115
        try:
            exports.write_xlsx(handle, survey=survey, analysis=analysis, on=on)
        except BaseException:
            handle.close()
            raise
        handle.seek(0)
        return FileResponse(handle, content_type=content_type)
    body = exports.table_csv(filename, survey=survey, analysis=analysis)
    return HttpResponse(body, content_type=content_type)


@login_required
@require_GET
@never_cache
def export_download(
    request: HttpRequest, survey_id: UUID, filename: str
) -> HttpResponseBase:
    """Send one export file of a round to its leads and analysts (response-level: analysts)."""
    survey, role = get_survey_for_user(user=request.user, public_id=survey_id)
    if role not in exports.DOWNLOAD_ROLES:
        raise PermissionDenied(
            "Only the partnership's leads and analysts can download data."
        )
    if not exports.may_download(role, filename):
        raise PermissionDenied(
            "Files with a row for each response are for the partnership's analysts: "
            "leads see who has responded, and each response's time would point at them."
        )
    today = timezone.localdate()  # one date for the name and everything inside
    response = _file_response(survey, filename, today)
    return _attachment(response, exports.download_name(survey, filename, on=today))
