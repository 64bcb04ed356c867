"""One address: a page of six questions, shown and saved."""

from django.urls import path

from bench.floor import views

urlpatterns = [path("f/<str:token>/", views.page, name="page")]
