from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("<uuid:survey_id>/", views.survey_overview, name="survey_overview"),
]
