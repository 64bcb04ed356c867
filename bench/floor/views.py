"""Show and save one page of six questions with nothing more than a page save needs."""

from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render

from bench.floor.models import FloorAnswer, FloorLink, FloorResponse

ITEMS = range(1, 7)
CHOICES = range(1, 6)


def page(request: HttpRequest, token: str) -> HttpResponse:
    """GET renders the form; POST replaces the response's six answers and redirects."""
    try:
        link = FloorLink.objects.get(token=token)
    except FloorLink.DoesNotExist as missing:
        raise Http404 from missing
    if request.method != "POST":
        return render(request, "floor/page.html", {"items": ITEMS, "choices": CHOICES})
    with transaction.atomic():
        response = FloorResponse.objects.select_for_update().get(link=link)
        FloorAnswer.objects.filter(response=response).delete()
        FloorAnswer.objects.bulk_create(
            FloorAnswer(
                response=response, item=item, value=int(request.POST[f"q{item}"])
            )
            for item in ITEMS
        )
    return HttpResponseRedirect(request.path)
