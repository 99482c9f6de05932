"""The trivial view the benchmark compares every page with: the whole middleware stack (session,
login, CSRF, CSP...) and nothing else. Its URL exists only when `settings.BENCH_TRIVIAL_VIEW`."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, path
from django.views.decorators.http import require_safe


@require_safe
def trivial_view(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")


urlpatterns: list[URLPattern] = (
    [path("bench/trivial/", trivial_view, name="bench_trivial")]
    if getattr(settings, "BENCH_TRIVIAL_VIEW", False)
    else []
)
