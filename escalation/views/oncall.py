"""Who is on call: the dashboard, the calendar, the iCalendar feed, the JSON API and the profile.

The feed and the API are for programs that cannot log in: they accept the session or the
user's secret feed token (`?token=`, or an `Authorization: Bearer` header, which stays out of
access logs). A token, when given, must be valid even with a session,
so a broken feed link is noticed in the browser rather than after it reached a calendar app.
"""

import json
import re
from datetime import UTC, datetime
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.models import User
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from ..cache import cached_value, render_cached
from ..feeds import build_calendar
from ..forms.people import ContactDetailsForm
from ..forms.questions import CalendarForm, parse_instant
from ..forms.time_off import TimeOffForm
from ..selectors import oncall
from ..selectors.calendar import calendar, calendar_feed
from ..selectors.dashboard import dashboard
from ..selectors.pagerduty import TierAgreement, pagerduty_agreement
from ..selectors.profile import profile
from ..services.feed_tokens import (
    TOKEN_PARAMETER,
    bearer_token,
    feed_token_issue,
    feed_token_revoke,
    feed_token_user,
)
from ..services.people import OWN_CONTACT_FIELDS, person_contact_update
from ..services.time_off import time_off_add, time_off_delete
from ..templatetags.oncall_tags import countdown_holds_until
from ..validity import ALWAYS, Validity
from ..viewer import PortalRequest, current_data_version

API_NAIVE_AT = "A time without an offset (2026-11-30T09:00:00) is read as UTC."
PERSON_INVALID = "person must be the number of a person in the portal."
FEED_LOGIN_REQUIRED = (
    "Log in, or give your feed token (in the address as ?token=…, or in an Authorization: "
    "Bearer header): your profile page has it."
)
FEED_LINK_INVALID = (
    "This feed token is not valid: it was regenerated or revoked. Your profile page has the "
    "current link."
)
FEED_LINK_RENEWED = "New feed token made. The old links stop working now."
FEED_LINK_CREATED = "Feed token made: copy your links below."
TIME_OFF_ADDED = "Time off saved. Shifts of yours it clashes with are flagged: ask for cover there."
TIME_OFF_DELETED = "Time off deleted."
CONTACT_SAVED = "Your contact details are saved, and marked as confirmed today."
CONFIRM_REGENERATE = (
    "Regenerate your feed token? The links you use now stop working at once: every calendar "
    "subscribed with them needs the new link."
)
CONFIRM_REVOKE = "Revoke your feed token? Your feed links stop working at once."
#: The new token waits in the session for the page the POST redirects to, which shows it once.
JUST_MADE_SESSION_KEY = "escalation:feed-link-just-made"
FEED_LINK_REVOKED = "Feed token revoked: your feed links stop working now."
FEED_LINK_NONE = "You had no feed token."
DASHBOARD_NO_MATCH = "No other rotation, and nobody on call in one, matches"

ICS_CONTENT_TYPE = "text/calendar; charset=utf-8"
ICS_FILENAME = "on-call.ics"
WEEK_CHOICES = [1, 2, 4, 8, 13, 26, 52, 104]


def _feed_token(request: PortalRequest) -> str | None:
    """The feed token a request carries (`Authorization: Bearer`, else `?token=`), if any."""
    token = bearer_token(request.headers.get("Authorization", ""))
    return token if token is not None else request.GET.get(TOKEN_PARAMETER)


def _feed_user(request: PortalRequest) -> tuple[User | None, str]:
    """The user a feed request is for, by token or session; else None and why."""
    token = _feed_token(request)
    if token is not None:
        user = feed_token_user(token=token, at=timezone.now())
        return user, "" if user is not None else FEED_LINK_INVALID
    if request.user.is_authenticated:
        return request.user, ""  # type: ignore[return-value]
    return None, FEED_LOGIN_REQUIRED


def _feed_data_version(request: PortalRequest) -> int | None:
    """The data version a feed's cache entries are kept under. A request its token
    authenticates reads it alone: the session's user (a browser may send its cookie with the
    link) is never read, which would cost two queries."""
    if _feed_token(request) is not None:
        return current_data_version()
    return request.viewer.data_version


# --- Pages --------------------------------------------------------------------------------


@require_safe
def dashboard_view(request: PortalRequest) -> HttpResponse:
    at = timezone.now()
    person = request.viewer.person

    def build() -> tuple[dict[str, Any], Validity]:
        page = dashboard(
            at=at,
            for_manager=request.viewer.is_manager,
            viewer=person,
            find=request.GET.get("q", ""),
        )
        # The cards' countdowns are written by the server too (for browsers without JavaScript):
        # the page holds until the first of them says something else.
        validity = page.validity
        for card in page.rotations:
            validity = validity & Validity(None, countdown_holds_until(card.handoff, at))
        return {"page": page, "no_match": DASHBOARD_NO_MATCH}, validity

    # Cached whole: the cards shown in full are the viewer's own rotations (their team's, those
    # they are on), and their own clashes and handoff notes, so the content depends on who the
    # viewer is too. The header says the time of this request.
    return render_cached(
        request,
        "escalation/dashboard.html",
        build,
        at=at,
        vary=(person.pk if person else None, person.team_id if person else None),
        context={"at": at},
    )


@require_safe
def calendar_view(request: PortalRequest) -> HttpResponse:
    at = timezone.now()
    person = request.viewer.person

    def build() -> tuple[dict[str, Any], Validity]:
        form = CalendarForm(request.GET)
        page = calendar(
            at=at,
            start_date=form.start_date(),
            weeks=form.week_count(),
            focus_at=form.focus_at(),
            show=form.rotation_asked(),
            viewer=person,
        )
        form.check_rotation(page)
        context = {
            "page": page,
            "at": at,
            "notices": form.notices(),
            "at_choices": form.at_choices,
            "typed_at": form.typed_at(),
            "week_choices": WEEK_CHOICES,
        }
        return context, page.validity

    # Up to 104 weeks of every rotation: cached. The default rotations are the viewer's (their
    # team's, those they are on), so the content depends on who the viewer is too.
    return render_cached(
        request,
        "escalation/calendar.html",
        build,
        at=at,
        vary=(person.pk if person else None, person.team_id if person else None),
    )


@login_not_required
@require_safe
def calendar_ics_view(request: PortalRequest) -> HttpResponse:
    user, problem = _feed_user(request)
    if user is None:
        return HttpResponse(problem, status=403, content_type="text/plain; charset=utf-8")
    person_id = None
    if "person" in request.GET:
        text = request.GET["person"].strip()
        # isdigit() alone takes "²", which int() refuses.
        if not (text.isascii() and text.isdigit() and len(text) < 19):
            return HttpResponse(
                PERSON_INVALID, status=400, content_type="text/plain; charset=utf-8"
            )
        person_id = int(text)
    at = timezone.now()

    def compute() -> tuple[bytes | None, Validity]:
        feed = calendar_feed(at=at, person_id=person_id)
        if feed is None:
            return None, ALWAYS
        return build_calendar(feed), feed.validity

    # The same bytes all day (the feed's window moves at midnight UTC) until the data changes.
    body = cached_value(
        _feed_data_version(request), ("ics", person_id, at.date()), at=at, compute=compute
    )
    if body is None:
        return HttpResponse(PERSON_INVALID, status=400, content_type="text/plain; charset=utf-8")
    response = HttpResponse(body, content_type=ICS_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{ICS_FILENAME}"'
    response["Cache-Control"] = "private, max-age=0"
    return response


def _iso_z(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


class _UtcTexts(dict[datetime, str]):
    """Instants as the API writes them (`_iso_z`), each formatted once: a shift's start and end
    are most often its holders' too, and many rotations hand over at the same instant."""

    def __missing__(self, value: datetime) -> str:
        text = self[value] = _iso_z(value)
        return text


def _api_rotation(answer: oncall.RotationOnCall, texts: _UtcTexts) -> dict[str, Any]:
    """One rotation's entry: its shift at the instant asked, and who holds each tier."""
    shift = answer.shift
    return {
        "slug": answer.rotation.slug,
        "name": answer.rotation.name,
        "shift": {
            "start": texts[shift.start],
            "end": texts[shift.end],
            "label": shift.label,
            "iso_week": shift.iso_week,
            "iso_year": shift.iso_year,
            # The same slot twice in a row (ISO week 53, then week 1): true in both.
            "repeat": answer.is_repeat,
        },
        "primary": _api_holder(answer.primary, answer.on_call.primary, texts),
        "secondary": _api_holder(answer.secondary, answer.on_call.secondary, texts),
    }


def _api_holder(person: Any, assignment: Any, texts: _UtcTexts) -> dict[str, Any] | None:
    if person is None:
        return None
    phone = person.phone
    return {
        "name": person.display_name,
        "slack": person.slack_handle or None,
        "pagerduty": person.pagerduty_handle or None,
        "phone": phone.as_e164 if phone else None,
        "overridden": assignment.overridden,
        # This person's own stretch: a partial cover starts and ends inside the shift.
        "from": texts[assignment.start],
        "until": texts[assignment.end],
    }


def _api_pagerduty(
    agreement: TierAgreement | None, rotation: Any, tier: str, person: Any
) -> dict[str, Any] | None:
    """The tier's `pagerduty` object: whom PagerDuty pages, whether the portal agrees, and when
    that was checked (None for both until a sync has read the schedule)."""
    if not rotation.pagerduty_schedule_id(tier):
        return None
    if agreement is None:
        return {"person": None, "agrees": None, "checked_at": None}
    name = agreement.pagerduty_person
    if name is None and agreement.agrees:
        name = person.display_name if person is not None else None
    return {
        "person": name,
        "agrees": agreement.agrees,
        "checked_at": _iso_z(agreement.checked_at) if agreement.checked_at else None,
    }


def _json_error(message: str, status: int) -> JsonResponse:
    response = JsonResponse({"error": message}, status=status)
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="escalation-portal"'
    return response


@login_not_required
@require_safe
def api_oncall_view(request: PortalRequest) -> HttpResponse:
    """`/api/oncall/?at=<ISO 8601>`: who is on call at `at` (default now); naive `at` is UTC."""
    user, problem = _feed_user(request)
    if user is None:
        return _json_error(problem, 401 if problem == FEED_LOGIN_REQUIRED else 403)
    at = timezone.now()
    if request.GET.get("at", "").strip():
        try:
            at = parse_instant(request.GET["at"], naive_zone=UTC)
        except ValueError as error:
            return _json_error(f"{error} {API_NAIVE_AT}", 400)

    def compute() -> tuple[str, Validity]:
        now = oncall.on_call_now(at=at, only_on_call=True)
        agreement = pagerduty_agreement(at=at)
        texts = _UtcTexts()
        rotations = [_api_rotation(answer, texts) for answer in now.answers]
        # The tiers' `pagerduty` fields are their PagerDuty handles (a published contract):
        # what PagerDuty will page goes in the rotation's own `pagerduty` object, per tier.
        if agreement:
            for answer, row in zip(now.answers, rotations, strict=True):
                linked = {
                    tier: _api_pagerduty(
                        agreement.get((answer.rotation.pk, tier)),
                        answer.rotation,
                        tier,
                        getattr(answer, tier),
                    )
                    for tier in ("primary", "secondary")
                }
                if any(linked.values()):
                    row["pagerduty"] = {tier: item for tier, item in linked.items() if item}
        return json.dumps(rotations), now.validity

    # The answer is the same from one handoff or override boundary to the next: only "at"
    # changes, so the rotations are cached as JSON text and "at" is written around them.
    rotations = cached_value(_feed_data_version(request), ("api",), at=at, compute=compute)
    body = f'{{"at": {json.dumps(_iso_z(at))}, "rotations": {rotations}}}'
    response = HttpResponse(body, content_type="application/json")
    response["Cache-Control"] = "private, max-age=0"
    return response


def _feed_links(request: PortalRequest, token: str, person_id: int | None) -> dict[str, str]:
    ics = request.build_absolute_uri(reverse("escalation:calendar_ics"))
    api = request.build_absolute_uri(reverse("escalation:api_oncall"))
    links = {
        "all": f"{ics}?token={token}",
        "api": f"{api}?token={token}",
    }
    if person_id is not None:
        links["mine"] = f"{ics}?person={person_id}&token={token}"
    links["all_webcal"] = re.sub(r"^https?://", "webcal://", links["all"])
    if "mine" in links:
        links["mine_webcal"] = re.sub(r"^https?://", "webcal://", links["mine"])
    return links


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def profile_view(request: PortalRequest) -> HttpResponse:
    person = request.viewer.person
    contact_form = ContactDetailsForm(instance=person) if person is not None else None
    today = timezone.localdate()
    time_off_form = TimeOffForm(today=today) if person is not None else None
    if request.method == "POST":
        action = request.POST.get("action")
        if action in ("time_off_add", "time_off_delete"):
            if person is None:
                return HttpResponse(status=400)
            user = cast(User, request.user)
            if action == "time_off_delete":
                entry = request.POST.get("entry", "")
                if not entry.isdigit() or len(entry) > 12:
                    return HttpResponse(status=400)
                time_off_delete(person=person, entry_id=int(entry), at=timezone.now(), by=user)
                messages.success(request, TIME_OFF_DELETED)
                return HttpResponseRedirect(reverse("escalation:profile") + "#time-off")
            time_off_form = TimeOffForm(request.POST, today=today)
            if time_off_form.is_valid():
                time_off_add(person=person, by=user, **time_off_form.cleaned_data)
                messages.success(request, TIME_OFF_ADDED)
                return HttpResponseRedirect(reverse("escalation:profile") + "#time-off")
        elif action == "contact":
            if person is None:
                return HttpResponse(status=400)
            contact_form = ContactDetailsForm(request.POST, instance=person)
            if contact_form.is_valid():
                details = {name: contact_form.cleaned_data[name] for name in OWN_CONTACT_FIELDS}
                person_contact_update(person=person, by=request.user, **details)  # type: ignore[arg-type]
                messages.success(request, CONTACT_SAVED)
                return HttpResponseRedirect(reverse("escalation:profile"))
            person.refresh_from_db()  # the page shows what is stored, the form what was typed
        elif action == "revoke":
            revoked = feed_token_revoke(user=request.user)  # type: ignore[arg-type]
            messages.success(request, FEED_LINK_REVOKED if revoked else FEED_LINK_NONE)
        elif action in ("create", "regenerate"):
            # Only a hash is stored: the token itself is kept for the next page, shown there
            # once and forgotten, so reloading that page neither shows it again nor makes another.
            # The message follows what happened, not the button: a first token (the old one
            # revoked in another tab, say) has no old links to stop.
            issued = feed_token_issue(user=request.user)  # type: ignore[arg-type]
            request.session[JUST_MADE_SESSION_KEY] = issued.token
            messages.success(request, FEED_LINK_RENEWED if issued.replaced else FEED_LINK_CREATED)
        else:
            return HttpResponse(status=400)
        if action not in ("contact", "time_off_add"):
            return HttpResponseRedirect(reverse("escalation:profile") + "#feed")
    new_token = request.session.pop(JUST_MADE_SESSION_KEY, None)
    at = timezone.now()
    page = profile(user=request.user, person=person, at=at)  # type: ignore[arg-type]
    confirm = request.GET.get("confirm") if page.feed_token and not new_token else None
    return render(
        request,
        "escalation/profile.html",
        {
            "page": page,
            "at": at,
            "new_token": new_token,
            "feed_links": (
                _feed_links(request, new_token, person.pk if person else None)
                if new_token
                else None
            ),
            "contact_form": contact_form,
            "time_off_form": time_off_form,
            "confirm": confirm if confirm in ("regenerate", "revoke") else None,
            "confirm_text": {"regenerate": CONFIRM_REGENERATE, "revoke": CONFIRM_REVOKE}.get(
                confirm or ""
            ),
        },
    )


urlpatterns = [
    path("", dashboard_view, name="dashboard"),
    path("oncall/", calendar_view, name="calendar"),
    path("oncall/calendar.ics", calendar_ics_view, name="calendar_ics"),
    path("api/oncall/", api_oncall_view, name="api_oncall"),
    path("profile/", profile_view, name="profile"),
]
