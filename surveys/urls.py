from django.urls import path

from surveys.views import respondent

app_name = "surveys"

urlpatterns = [
    path("s/<str:token>/", respondent.respondent_start, name="respondent_start"),
    path(
        "s/<str:token>/check-answers/",
        respondent.respondent_check,
        name="respondent_check",
    ),
    path("s/<str:token>/saved/", respondent.respondent_saved, name="respondent_saved"),
    path(
        "s/<str:token>/submitted/", respondent.respondent_done, name="respondent_done"
    ),
    path(
        "s/<str:token>/<slug:step>/", respondent.respondent_step, name="respondent_step"
    ),
]
