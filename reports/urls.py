from django.urls import path

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
]
