"""The desk's main page (placeholder until the desk is built)."""
from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from hotline.desks.access import desk_view


@desk_view("dispatch")
def desk(request: HttpRequest) -> HttpResponse:
    return render(request, "desks/placeholder.html")
