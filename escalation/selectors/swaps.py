"""Reads for the swap pages: the list and its filters, one request with its timeline, and the
shifts the request form offers. Each runs a fixed number of queries, whatever the data."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cached_property
from typing import Any
from uuid import UUID

from django.contrib.auth.models import AnonymousUser, User
from django.core.paginator import Page, Paginator
from django.db import models
from django.db.models import BooleanField, Count, ExpressionWrapper, Min, Prefetch, Q
from django.http import Http404

from .. import rotation as engine
from ..models import (
    OnCallTier,
    Override,
    PagerDutyPushState,
    Person,
    Rotation,
    RotationSlot,
    SwapAction,
    SwapRequest,
    SwapRequestEvent,
    SwapState,
)
from ..models.rotations import ENDED_SWAP_STATES
from ..permissions import is_manager
from ..services.swaps import allowed_actions
from ..validity import ALWAYS, Validity

SWAPS_PER_PAGE = 25
#: How far ahead the form offers shifts.
FORM_WEEKS = 26


# --- the list -------------------------------------------------------------------------------


class SwapFilter(models.TextChoices):
    """The list's tabs, in order. Upcoming (the default): every request not yet over and still
    standing; Past: those over, and those declined, cancelled, reverted or superseded."""

    UPCOMING = "upcoming", "Upcoming"
    MINE = "mine", "Mine"
    AWAITING_ME = "awaiting_me", "Awaiting me"
    AWAITING_APPROVAL = "awaiting_approval", "Awaiting approval"
    PAST = "past", "Past"


def _filters(*, user: User | AnonymousUser, person: Person | None, at: datetime) -> dict[str, Q]:
    nobody = Q(pk__in=[])
    ended = Q(state__in=ENDED_SWAP_STATES)
    open_ahead = Q(end__gt=at)
    mine = Q(filed_by=user.pk) if user.is_authenticated else nobody
    awaiting_me = nobody
    if person is not None:
        mine |= Q(requester=person) | Q(colleague=person)
        awaiting_me = Q(colleague=person, state=SwapState.PENDING) & open_ahead
    if is_manager(user):
        awaiting_me |= Q(state=SwapState.ACCEPTED) & open_ahead
    return {
        SwapFilter.UPCOMING: open_ahead & ~ended,
        SwapFilter.MINE: mine,
        SwapFilter.AWAITING_ME: awaiting_me,
        SwapFilter.AWAITING_APPROVAL: Q(state=SwapState.ACCEPTED) & open_ahead,
        SwapFilter.PAST: Q(end__lte=at) | ended,
    }


LIST_FIELDS = [
    "id",
    "rotation__name",
    "tier",
    "kind",
    "requester__display_name",
    "colleague__display_name",
    "start",
    "end",
    "return_start",
    "return_end",
    "state",
]


class _CountedPaginator(Paginator):
    """A paginator told its count (already known from the tabs' counts): one query fewer."""

    def __init__(self, object_list: Any, per_page: int, known_count: int) -> None:
        super().__init__(object_list, per_page)
        self._known_count = known_count

    @cached_property
    def count(self) -> int:
        return self._known_count

    def page(self, number: Any) -> Page:
        # One query for the page's keys even for an empty tab (Django's would skip it): the
        # page costs the same number of queries whatever the data.
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        keys = list(self.object_list[bottom : bottom + self.per_page])
        return Page(keys, number, self)


@dataclass
class SwapList:
    """The tabs, and one page of requests: their keys at once, the rows when asked for."""

    show: str
    tabs: list[tuple[str, str, int]]  # (value, label, count)
    at: datetime
    #: A page of the requests' primary keys, in order.
    page: Page
    #: Until the first request that has not ended yet ends: it then moves to the past.
    validity: Validity = ALWAYS

    @property
    def keys(self) -> list[int]:
        return list(self.page.object_list)

    @cached_property
    def swaps(self) -> list[SwapRequest]:
        """The page's requests with what a row shows. One query."""
        rows = (
            SwapRequest.objects.filter(pk__in=self.keys)
            .select_related("rotation", "requester", "colleague")
            # What a row shows: building whole people would parse each one's phone number.
            .only(*LIST_FIELDS)
            .with_first_conflict()
            .in_bulk()
        )
        return [rows[key] for key in self.keys if key in rows]


def swap_list(
    *,
    user: User | AnonymousUser,
    person: Person | None,
    show: str,
    page: int | str | None,
    at: datetime,
) -> SwapList:
    """The `/swaps/` page: the tabs with their counts, and one page of the chosen tab, the
    soonest first (the latest first for the past). Two queries, and one more for the rows when
    they are read (`SwapList.swaps`). The tabs hold until the first request still ahead ends."""
    filters = _filters(user=user, person=person, at=at)
    if show not in filters:
        show = SwapFilter.UPCOMING
    counts = SwapRequest.objects.aggregate(
        **{value: Count("pk", filter=condition) for value, condition in filters.items()},
        next_end=Min("end", filter=Q(end__gt=at)),
    )
    ordering = ["-start", "-pk"] if show == SwapFilter.PAST else ["start", "pk"]
    keys = (
        SwapRequest.objects.filter(filters[show]).order_by(*ordering).values_list("pk", flat=True)
    )
    paginator = _CountedPaginator(keys, SWAPS_PER_PAGE, counts[show])
    return SwapList(
        show=show,
        at=at,
        tabs=[(value, label, counts[value]) for value, label in SwapFilter.choices],
        page=paginator.get_page(page),
        validity=Validity(None, counts["next_end"]),
    )


# --- one request ----------------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineEntry:
    action: str
    verb: str
    actor: str
    at: datetime
    note: str


@dataclass(frozen=True)
class SwapDetail:
    swap: SwapRequest
    timeline: list[TimelineEntry]
    overrides: list[Override]
    actions: list[SwapAction]
    #: Other open requests for a shift this one concerns.
    conflicts: list[SwapRequest]
    is_manager: bool = False

    @property
    def action_values(self) -> set[str]:
        return {action.value for action in self.actions}

    @property
    def pagerduty_failed(self) -> bool:
        """Whether an override failed in PagerDuty (a manager may retry)."""
        return any(o.pagerduty_state == PagerDutyPushState.FAILED for o in self.overrides)


def user_display_name(user: User | None) -> str:
    """A user's name as people know it: their Person's, when the user is linked to one."""
    if user is None:
        return "Someone (account deleted)"
    # Selected with the user; a user without a Person raises an AttributeError subclass here.
    person = getattr(user, "person", None)
    if isinstance(person, Person):
        return person.display_name
    return user.get_full_name() or user.get_username()


def swap_detail(*, pk: int, viewer: User | AnonymousUser) -> SwapDetail:
    """One request with its timeline, its overrides, the other open requests for its shifts and
    the steps the viewer may take. Four queries (plus the viewer's group lookup, once per
    request)."""
    swap = (
        SwapRequest.objects.select_related("rotation", "requester", "colleague", "filed_by__person")
        .prefetch_related(
            Prefetch(
                "events",
                queryset=SwapRequestEvent.objects.select_related("actor__person").order_by(
                    "at", "pk"
                ),
            ),
            Prefetch(
                "overrides",
                queryset=Override.objects.select_related("person", "reverted_by__person").order_by(
                    "start"
                ),
            ),
        )
        .filter(pk=pk)
        .first()
    )
    if swap is None:
        raise Http404("No such request.")
    labels = dict(SwapAction.choices)
    timeline = [
        TimelineEntry(
            action=event.action,
            verb=labels.get(event.action, event.action),
            actor=user_display_name(event.actor),
            at=event.at,
            note=event.note,
        )
        for event in swap.events.all()
    ]
    return SwapDetail(
        swap=swap,
        timeline=timeline,
        overrides=list(swap.overrides.all()),
        actions=allowed_actions(swap, viewer),
        is_manager=is_manager(viewer),
        conflicts=list(
            SwapRequest.objects.conflicting_with(swap)
            .select_related("requester", "colleague")
            .order_by("pk")
        ),
    )


def swaps_already_asked(*, swap: SwapRequest) -> list[int]:
    """The keys of the requester's other open requests for a shift `swap` concerns. One query."""
    return list(
        SwapRequest.objects.conflicting_with(swap)
        .filter(requester_id=swap.requester_id)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def swap_for_action(*, pk: int) -> SwapRequest:
    """The request a step is taken on (the service locks and re-reads it). One query."""
    swap = SwapRequest.objects.filter(pk=pk).first()
    if swap is None:
        raise Http404("No such request.")
    return swap


def swap_for_submission(*, submission_key: UUID | str | None) -> SwapRequest | None:
    """The request a form with this key already created, if any: a replayed form. One query."""
    if not submission_key:
        return None
    try:
        key = UUID(str(submission_key))
    except ValueError:
        return None
    return SwapRequest.objects.filter(submission_key=key).first()


# --- the form -------------------------------------------------------------------------------


def _int_or_none(value: int | str | None) -> int | None:
    try:
        return int(value) if value not in (None, "") else None  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


@dataclass(frozen=True)
class ShiftOption:
    """A stretch of one tier of one rotation held by one person: a shift, or what is left of it
    around the overrides."""

    rotation: Rotation
    tier: str
    person: Person
    start: datetime
    end: datetime
    slot_label: str
    iso_week: int

    @property
    def value(self) -> str:
        return f"{self.rotation.pk}:{self.tier}:{int(self.start.timestamp())}:{int(self.end.timestamp())}"

    @property
    def tier_label(self) -> str:
        return OnCallTier(self.tier).label


#: Why someone on the requester's rotations is not offered as a colleague.
NOT_OFFERED_NO_LOGIN = "no login to the portal yet, so they could not accept"


@dataclass(frozen=True)
class SwapFormOptions:
    requester: Person | None
    own_shifts: list[ShiftOption]
    others_shifts: dict[Person, list[ShiftOption]] = field(default_factory=dict)
    people: list[Person] = field(default_factory=list)
    several_rotations: bool = False
    #: Who could take a shift: active, with an active login, on the requester's rotations (on
    #: any rotation when there is no requester yet), the requester left out.
    colleagues: list[Person] = field(default_factory=list)
    #: People on those rotations who are not offered, and why.
    not_offered: list[tuple[Person, str]] = field(default_factory=list)


def swap_form_options(
    *, requester_id: int | str | None, at: datetime, weeks: int = FORM_WEEKS
) -> SwapFormOptions:
    """What the request form offers: the requester's shifts in the coming `weeks` (the shift in
    progress included; the stretches overrides give to someone are left out), everyone else's
    (for a swap's return shift), and
    the active people, the requester among them (None when not active or unknown). Four
    queries: rotations, their slots, overrides, people."""
    end = at + timedelta(weeks=weeks)
    rotations = [
        rotation
        for rotation in Rotation.objects.prefetch_related(
            Prefetch("slots", queryset=RotationSlot.objects.order_by("position"))
        ).order_by("position", "name")
        if rotation.slots.all()
    ]
    overrides_by_rotation: dict[int, list[Override]] = defaultdict(list)
    for override in Override.objects.in_effect().filter(
        rotation__in=rotations, end__gt=at, start__lt=end
    ):
        overrides_by_rotation[override.rotation_id].append(override)
    people = list(
        Person.objects.filter(is_active=True)
        .annotate(can_log_in=ExpressionWrapper(Q(user__is_active=True), BooleanField()))
        .order_by("display_name")
    )
    by_pk = {person.pk: person for person in people}
    requester = by_pk.get(_int_or_none(requester_id))  # type: ignore[arg-type]

    own: list[ShiftOption] = []
    others: dict[Person, list[ShiftOption]] = defaultdict(list)
    for rotation in rotations:
        try:
            schedule = rotation.schedule(rotation.slots.all())
        except ValueError:
            continue  # a rotation still being set up offers no shifts
        index = Override.index(overrides_by_rotation[rotation.pk])
        for shift in engine.shifts_between(schedule, at, end):
            for tier in OnCallTier:
                for piece in engine.segments(shift, engine.Tier(tier), index):
                    person = by_pk.get(piece.person)  # type: ignore[call-overload]
                    # An override's stretch cannot be handed over again (overrides do not
                    # stack): a manager reverts it first.
                    if person is None or piece.end <= at or piece.overridden:
                        continue
                    option = ShiftOption(
                        rotation=rotation,
                        tier=tier.value,
                        person=person,
                        start=piece.start,
                        end=piece.end,
                        slot_label=shift.label,
                        iso_week=shift.iso_week,
                    )
                    if requester is not None and person.pk == requester.pk:
                        own.append(option)
                    else:
                        others[person].append(option)
    own.sort(key=lambda option: (option.start, option.rotation.position, option.tier))
    for options in others.values():
        options.sort(key=lambda option: (option.start, option.rotation.position, option.tier))
    theirs = {option.rotation.pk for option in own} if requester is not None else None
    on_rotations = {
        person_id
        for rotation in rotations
        if theirs is None or rotation.pk in theirs
        for slot in rotation.slots.all()
        for person_id in (slot.primary_id, slot.secondary_id)
    }
    candidates = [
        person
        for person in people
        if person.pk in on_rotations and (requester is None or person.pk != requester.pk)
    ]
    colleagues = [person for person in candidates if person.can_log_in]  # type: ignore[attr-defined]
    return SwapFormOptions(
        requester=requester,
        own_shifts=own,
        others_shifts={
            person: others[person]
            for person in sorted(others, key=lambda person: person.display_name)
            if person in colleagues
        },
        people=people,
        several_rotations=len(rotations) > 1,
        colleagues=colleagues,
        not_offered=[
            (person, NOT_OFFERED_NO_LOGIN)
            for person in candidates
            if not person.can_log_in  # type: ignore[attr-defined]
        ],
    )
