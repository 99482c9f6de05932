"""Swap and cover requests: the list, the form, a request's page and the steps taken on it."""

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_POST

from ..cache import render_cached
from ..forms.questions import parse_instant
from ..forms.swaps import RequesterChoiceForm, SwapRequestForm
from ..integrations.pagerduty import is_configured as pagerduty_connected
from ..models import Person, SwapKind, SwapState
from ..permissions import is_manager
from ..selectors.cover import CoverSuggestions, cover_suggestions
from ..selectors.swaps import (
    FORM_WEEKS,
    swap_detail,
    swap_for_action,
    swap_for_submission,
    swap_form_options,
    swap_list,
    swaps_already_asked,
)
from ..services.pagerduty_push import pagerduty_overrides_retry
from ..services.swaps import (
    SwapError,
    SwapPermissionDenied,
    swap_request_accept,
    swap_request_approve,
    swap_request_cancel,
    swap_request_create,
    swap_request_decline,
    swap_request_revert,
)
from ..validity import Validity
from ..viewer import PortalRequest

FILED = "Request sent: {colleague} is asked to accept it."
ALREADY_FILED = "This form had already been sent: here is the request it created."
ACCEPTED = "You accepted. An Escalation manager will now approve or decline it."
DECLINED = "The request is declined: nothing changes on the rotation."
APPROVED = "Approved: the change is in effect on every page and feed."
CANCELLED = "The request is cancelled: the rotation applies as planned from now on."
REVERTED = "Reverted: the rotation applies again from now on; what already happened stays."
ALREADY_ASKED = (
    "You already asked for this shift: {numbers}. A manager approves one; the others then close."
)
CONFIRM_REVERT = (
    "Revert this request? From now on the rotation applies again and the people it changed are "
    "told; what already happened stays on record."
)
CONFIRM_CANCEL = "Cancel this request? It cannot be opened again: a new request starts over."
CONFIRM_CANCEL_APPROVED = (
    "Cancel this approved request? From now on you are on call again as the rotation says; "
    "what already happened stays on record."
)
PAGERDUTY_RETRIED = "Sent to PagerDuty again: the state of each override below says how it went."
NO_PERSON = (
    "Your login is not linked to a person in the directory, so you cannot file a request for "
    "yourself. Ask an Escalation manager to link it, or to file the request for you."
)
NO_SHIFTS = (
    "{person} has no on-call shifts in the next {weeks} weeks: there is nothing to hand over."
)
CHOOSE_REQUESTER = "Choose whose shift this request is about."

SECTION = "escalation:swaps"


def swap_list_view(request: PortalRequest) -> HttpResponse:
    facts = request.viewer
    at = timezone.now()

    def build() -> tuple[dict[str, Any], Validity]:
        listing = swap_list(
            user=request.user,
            person=facts.person,
            show=request.GET.get("show", ""),
            page=request.GET.get("page"),
            at=at,
        )
        return {"listing": listing}, listing.validity

    # The tabs are the viewer's own ("Mine", "Awaiting me"): cached for each login. The rows
    # link to each request; its actions (POST forms) are on the request's own page.
    return render_cached(
        request,
        "escalation/swap_list.html",
        build,
        at=at,
        vary=(request.user.pk,),
        context={"nav_section": SECTION},
    )


def swap_new_view(request: PortalRequest) -> HttpResponse:
    now = timezone.now()
    person = request.viewer.person  # also tells `is_manager` the answer: no more query
    manager = is_manager(request.user)
    source = request.POST if request.method == "POST" else request.GET

    if request.method == "POST":
        replayed = swap_for_submission(submission_key=request.POST.get("submission_key"))
        if replayed is not None:
            messages.info(request, ALREADY_FILED)
            return redirect("escalation:swap_detail", replayed.pk)

    requester_id: int | str | None = source.get("requester") if manager else None
    if requester_id in (None, "") and person is not None:
        requester_id = person.pk
    options = swap_form_options(requester_id=requester_id, at=now)
    requester = options.requester
    on_behalf = requester is not None and requester != person

    form = None
    suggestions = None
    if requester is not None:
        form_kwargs: dict[str, Any] = {
            "options": options,
            "time_zone": timezone.get_current_timezone_name(),
            "now": now,
            "on_behalf": on_behalf,
        }
        if request.method == "POST":
            form = SwapRequestForm(request.POST, **form_kwargs)
            if form.is_valid():
                try:
                    swap = swap_request_create(
                        **form.service_arguments(),
                        filed_by=request.user,  # type: ignore[arg-type]
                    )
                except SwapError as error:
                    form.add_swap_error(error)
                else:
                    messages.success(request, FILED.format(colleague=swap.colleague))
                    earlier = swaps_already_asked(swap=swap)
                    if earlier:
                        numbers = ", ".join(f"#{pk}" for pk in earlier)
                        messages.warning(request, ALREADY_ASKED.format(numbers=numbers))
                    return redirect("escalation:swap_detail", swap.pk)
        else:
            initial: dict[str, Any] = {
                name: request.GET[name]
                for name in ("shift", "kind", "colleague", "return_shift", "reason")
                if request.GET.get(name)
            }
            part = _asked_part(request)
            if part is not None:
                initial["start"], initial["end"] = part
                suggestions = _suggestions(initial.get("shift", ""), requester, part)
            form = SwapRequestForm(initial=initial, **form_kwargs)

    chooser = None
    if manager:
        chooser = RequesterChoiceForm(
            initial={"requester": str(requester.pk) if requester else ""}, people=options.people
        )
    return render(
        request,
        "escalation/swap_form.html",
        {
            "form": form,
            "chooser": chooser,
            "options": options,
            "requester": requester,
            "on_behalf": on_behalf,
            "viewer_has_person": person is not None,
            "no_person_message": NO_PERSON,
            "no_shifts_message": (
                NO_SHIFTS.format(person=requester, weeks=FORM_WEEKS) if requester else ""
            ),
            "choose_requester_message": CHOOSE_REQUESTER,
            "suggestions": suggestions,
            "suggestion_query": _without(request, "colleague"),
            "nav_section": SECTION,
        },
        status=200,
    )


def _asked_part(request: PortalRequest) -> tuple[datetime, datetime] | None:
    """The part of a shift a link asks about (`?start=&end=`, ISO 8601 instants), as the time
    off clashes link it; None when absent or unreadable (the form then offers the whole shift)."""
    try:
        start = parse_instant(request.GET.get("start", ""), naive_zone=UTC)
        end = parse_instant(request.GET.get("end", ""), naive_zone=UTC)
    except ValueError:
        return None
    return (start, end) if start < end else None


def _suggestions(
    shift: str, requester: Person | None, part: tuple[datetime, datetime]
) -> CoverSuggestions | None:
    """Colleagues free to cover the part asked about, on the rotation of the shift asked about."""
    rotation_id = shift.split(":", 1)[0]
    if not rotation_id.isdigit() or len(rotation_id) > 12:
        return None
    return cover_suggestions(
        rotation_id=int(rotation_id),
        person_id=requester.pk if requester is not None else None,
        start=part[0],
        end=part[1],
    )


def _without(request: PortalRequest, name: str) -> str:
    query = request.GET.copy()
    query.pop(name, None)
    return query.urlencode()


def swap_detail_view(request: PortalRequest, pk: int) -> HttpResponse:
    # Read before `swap_detail`: the viewer tells `is_manager` the answer, saving it a query.
    request.viewer.is_manager  # noqa: B018
    detail = swap_detail(pk=pk, viewer=request.user)
    # Cancelling and reverting ask first: their button leads here with `?confirm=`.
    confirm = request.GET.get("confirm")
    if confirm not in ("cancelled", "reverted") or confirm not in detail.action_values:
        confirm = None
    confirm_text = None
    if confirm == "reverted":
        confirm_text = CONFIRM_REVERT
    elif confirm == "cancelled":
        approved = detail.swap.state == SwapState.APPROVED
        confirm_text = CONFIRM_CANCEL_APPROVED if approved else CONFIRM_CANCEL
    suggestions = None
    swap = detail.swap
    if swap.kind == SwapKind.COVER and swap.state == SwapState.PENDING:
        # An open cover request: who else is free, should the colleague asked say no.
        suggestions = cover_suggestions(
            rotation_id=swap.rotation_id,
            person_id=swap.requester_id,
            start=swap.start,
            end=swap.end,
        )
    return render(
        request,
        "escalation/swap_detail.html",
        {
            "suggestions": suggestions,
            "detail": detail,
            "swap": detail.swap,
            "confirm": confirm,
            "confirm_text": confirm_text,
            "now": timezone.now(),
            "nav_section": SECTION,
            "pagerduty_connected": pagerduty_connected(),
        },
    )


def _step(
    request: PortalRequest,
    pk: int,
    service: Callable[..., Any],
    success: str,
    **arguments: Any,
) -> HttpResponse:
    """Take one step on a request: a rule saying no becomes a message; someone who may not take
    this step gets a 403 page saying who may."""
    swap = swap_for_action(pk=pk)
    try:
        service(swap=swap, by=request.user, **arguments)
    except SwapPermissionDenied as denied:
        return render(
            request,
            "escalation/swap_forbidden.html",
            {"swap": swap, "reason": str(denied), "nav_section": SECTION},
            status=403,
        )
    except SwapError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, success)
    return redirect("escalation:swap_detail", pk)


@require_POST
def swap_accept_view(request: PortalRequest, pk: int) -> HttpResponse:
    return _step(request, pk, swap_request_accept, ACCEPTED)


@require_POST
def swap_decline_view(request: PortalRequest, pk: int) -> HttpResponse:
    note = request.POST.get("note", "")[:500]
    return _step(request, pk, swap_request_decline, DECLINED, note=note)


@require_POST
def swap_approve_view(request: PortalRequest, pk: int) -> HttpResponse:
    return _step(request, pk, swap_request_approve, APPROVED)


@require_POST
def swap_cancel_view(request: PortalRequest, pk: int) -> HttpResponse:
    return _step(request, pk, swap_request_cancel, CANCELLED)


@require_POST
def swap_revert_view(request: PortalRequest, pk: int) -> HttpResponse:
    return _step(request, pk, swap_request_revert, REVERTED)


@require_POST
def swap_pagerduty_retry_view(request: PortalRequest, pk: int) -> HttpResponse:
    return _step(request, pk, pagerduty_overrides_retry, PAGERDUTY_RETRIED)


urlpatterns = [
    path("swaps/", swap_list_view, name="swaps"),
    path("swaps/new/", swap_new_view, name="swap_new"),
    path("swaps/<int:pk>/", swap_detail_view, name="swap_detail"),
    path("swaps/<int:pk>/accept/", swap_accept_view, name="swap_accept"),
    path("swaps/<int:pk>/decline/", swap_decline_view, name="swap_decline"),
    path("swaps/<int:pk>/approve/", swap_approve_view, name="swap_approve"),
    path("swaps/<int:pk>/cancel/", swap_cancel_view, name="swap_cancel"),
    path("swaps/<int:pk>/revert/", swap_revert_view, name="swap_revert"),
    path(
        "swaps/<int:pk>/pagerduty-retry/",
        swap_pagerduty_retry_view,
        name="swap_pagerduty_retry",
    ),
]
