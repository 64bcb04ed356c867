"""The landing page."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def home(request: HttpRequest) -> HttpResponse:
    """Explain the service and point each kind of user to the right place."""
    return render(request, "home.html")
