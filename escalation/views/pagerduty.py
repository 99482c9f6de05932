""" "Page via PagerDuty": the confirmation form, the page's status and its retry.

Any logged-in user may page (the login is required everywhere). The form posts, the service
writes the page and its outbox message, and the browser is sent to the page's status (POST,
redirect, GET): nothing here calls PagerDuty.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.models import User
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from ..forms.pagerduty import SERVICE_CHOICE, PageForm
from ..integrations import pagerduty as pd
from ..models import Service
from ..selectors.pagerduty_pages import page_form_options, page_status
from ..services.pagerduty_pages import (
    PageError,
    pagerduty_page_create,
    pagerduty_page_retry,
)
from ..viewer import PortalRequest

SENT = "Sent to PagerDuty: this page says when {person} has been paged."
ALREADY_SENT = "This form had already been sent: here is the page it created."
RETRIED = "Sent to PagerDuty again. A retry never opens a second incident."
NO_PERSON = "There is no such person in the directory."
NO_PAGE = "There is no such page."


def _severity_level(value: str | None) -> int | None:
    try:
        return int(value or "")
    except ValueError:
        return None


@require_http_methods(["GET", "HEAD", "POST"])
def page_new_view(request: PortalRequest, person_id: int) -> HttpResponse:
    options = page_form_options(
        person_id=person_id,
        service_slug=request.GET.get("service", "")[:200],
        severity_level=_severity_level(request.GET.get("severity")),
    )
    if options is None:
        raise Http404(NO_PERSON)
    connected = pd.is_configured()
    form = PageForm(request.POST if request.method == "POST" else None, options=options)
    service = None
    if request.method == "POST" and connected and form.is_valid():
        service = Service.objects.filter(slug=form.cleaned_data["service"]).first()
        if service is None:  # deleted since the choices were read
            form.add_error("service", SERVICE_CHOICE)
    if service is not None:
        assert isinstance(request.user, User)  # the login is required everywhere
        try:
            page, new = pagerduty_page_create(
                requested_by=request.user,
                assignee=options.person,
                service=service,
                severity=form.chosen_severity(),
                title=form.cleaned_data["title"],
                urgency=form.cleaned_data["urgency"],
                key=form.cleaned_data["submission_key"],
            )
        except PageError as error:
            form.add_error(None, str(error))
        else:
            if new:
                messages.success(request, SENT.format(person=page.assignee_name))
            else:
                messages.info(request, ALREADY_SENT)
            return redirect("escalation:pagerduty_page", page.pk)
    return render(
        request,
        "escalation/pagerduty_page_form.html",
        {
            "form": form,
            "options": options,
            "person": options.person,
            "connected": connected,
            "from_email_missing": connected and not pd.has_from_email(),
            "person_url": pd.user_url(options.person.pagerduty_user_id),
        },
        status=400 if request.method == "POST" else 200,
    )


@require_safe
def page_status_view(request: PortalRequest, pk: int) -> HttpResponse:
    page = page_status(page_id=pk)
    if page is None:
        raise Http404(NO_PAGE)
    return render(
        request,
        "escalation/pagerduty_page_status.html",
        {"page": page, "connected": pd.is_configured()},
    )


@require_POST
def page_retry_view(request: PortalRequest, pk: int) -> HttpResponse:
    page = page_status(page_id=pk)
    if page is None:
        raise Http404(NO_PAGE)
    try:
        pagerduty_page_retry(page=page)
    except PageError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, RETRIED)
    return redirect("escalation:pagerduty_page", pk)


urlpatterns = [
    path("page/<int:person_id>/", page_new_view, name="pagerduty_page_new"),
    path("page/status/<int:pk>/", page_status_view, name="pagerduty_page"),
    path("page/status/<int:pk>/retry/", page_retry_view, name="pagerduty_page_retry"),
]
