from django.urls import path

from reports.exports import FILENAMES
from reports.views import board_pack, downloads
from reports.views import dashboards as views

app_name = "reports"

urlpatterns = [
    path("<uuid:survey_id>/", views.survey_overview, name="survey_overview"),
    path("<uuid:survey_id>/fit/", views.fit_matrix, name="fit_matrix"),
    path(
        "<uuid:survey_id>/organisations/<uuid:organisation_id>/",
        views.organisation_detail,
        name="organisation_detail",
    ),
    path(
        "<uuid:survey_id>/pairs/<uuid:a_id>/<uuid:b_id>/",
        views.pair_detail,
        name="pair_detail",
    ),
    path(
        "<uuid:survey_id>/board-report.pdf",
        board_pack.partnership_pdf,
        name="partnership_pdf",
    ),
    path(
        "<uuid:survey_id>/pairs/<uuid:a_id>/<uuid:b_id>/board-report.pdf",
        board_pack.pair_pdf,
        name="pair_pdf",
    ),
    # One route per export file (DESIGN.md §4 "Exports"), e.g. reports:download_scores_csv.
    *[
        path(
            f"<uuid:survey_id>/downloads/{filename}",
            downloads.export_download,
            {"filename": filename},
            name=downloads.url_name(filename),
        )
        for filename in FILENAMES
    ],
]
