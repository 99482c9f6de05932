"""The wall edition (`/print/`): one printed page that stays true. Thin: read, render."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from ..selectors.wall import wall_edition
from ..viewer import PortalRequest


@require_safe
def wall_view(request: PortalRequest) -> HttpResponse:
    context = {
        "wall": wall_edition(),
        "printed": timezone.now(),
        "portal_url": request.build_absolute_uri(reverse("escalation:dashboard")),
    }
    return render(request, "escalation/wall.html", context)


urlpatterns = [path("print/", wall_view, name="wall")]
