"""Reads for the swap pages: the list and its filters, one request with its timeline, and the
shifts the request form offers. Each runs a fixed number of queries, whatever the data."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cached_property
from typing import Any, NamedTuple
from uuid import UUID

from django.contrib.auth.models import AnonymousUser, User
from django.core.paginator import Page, Paginator
from django.db import models
from django.db.models import BooleanField, Count, ExpressionWrapper, Min, Prefetch, Q, Value
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
from .prepared import ID, IDS, INSTANT, Kind, PreparedQuery

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


class _Viewer(NamedTuple):
    """What the tabs' questions depend on, beyond the instant: who asks. Each combination is
    one shape of query, compiled once per process."""

    signed_in: bool
    has_person: bool
    manager: bool

    def kinds(self) -> list[Kind]:
        """The arguments of its queries: the instant, the user's key, the person's key."""
        return [INSTANT, *([ID] if self.signed_in else []), *([ID] if self.has_person else [])]

    def filters(self, at: datetime, *keys: int) -> dict[str, Q]:
        """Each tab's condition, for the instant `at` and the keys `kinds` names."""
        user_id = keys[0] if self.signed_in else None
        person_id = keys[-1] if self.has_person else None
        nobody = Q(pk__in=[])
        ended = Q(state__in=ENDED_SWAP_STATES)
        open_ahead = Q(end__gt=at)
        mine = Q(filed_by=user_id) if user_id is not None else nobody
        awaiting_me = nobody
        if person_id is not None:
            mine |= Q(requester=person_id) | Q(colleague=person_id)
            awaiting_me = Q(colleague=person_id, state=SwapState.PENDING) & open_ahead
        if self.manager:
            awaiting_me |= Q(state=SwapState.ACCEPTED) & open_ahead
        return {
            SwapFilter.UPCOMING: open_ahead & ~ended,
            SwapFilter.MINE: mine,
            SwapFilter.AWAITING_ME: awaiting_me,
            SwapFilter.AWAITING_APPROVAL: Q(state=SwapState.ACCEPTED) & open_ahead,
            SwapFilter.PAST: Q(end__lte=at) | ended,
        }


_TABS = [value for value, _label in SwapFilter.choices]
#: The tabs' counts, and until when they hold, in one row: one query per shape of viewer.
_COUNTS: dict[_Viewer, PreparedQuery] = {}


def _counts(viewer: _Viewer) -> PreparedQuery:
    if viewer not in _COUNTS:

        def build(at: datetime, *keys: int) -> Any:
            filters = viewer.filters(at, *keys)
            counts = {value: Count("pk", filter=filters[value]) for value in _TABS}
            # A constant as the only "group": one row for the whole table, as `aggregate`.
            return (
                SwapRequest.objects.order_by()
                .values(whole=Value(1))
                .annotate(**counts, next_end=Min("end", filter=Q(end__gt=at)))
                .values_list(*_TABS, "next_end")
            )

        _COUNTS[viewer] = PreparedQuery(build, *viewer.kinds())
    return _COUNTS[viewer]


class SwapRow(NamedTuple):
    """What the list shows of a request: plain values, not a request with its rotation and
    people built as models."""

    pk: int
    rotation_name: str
    tier: str
    kind: str
    requester_name: str
    colleague_name: str
    start: datetime
    end: datetime
    return_start: datetime | None
    return_end: datetime | None
    state: str
    #: The key of the first other open request for the same shift (`with_first_conflict`).
    first_conflict: int | None


def _page_rows(keys: list[int]) -> Any:
    requests: Any = SwapRequest.objects.filter(pk__in=keys).with_first_conflict()
    return requests.order_by().values_list(
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
        "first_conflict",
    )


# The rows of a page of requests, compiled once per process (`PreparedQuery`).
_ROWS = PreparedQuery(_page_rows, IDS)


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
    def swaps(self) -> list[SwapRow]:
        """The page's requests with what a row shows, in order. One query."""
        rows = {row[0]: SwapRow(*row) for row in _ROWS.rows(self.keys)}
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
    viewer = _Viewer(
        signed_in=user.is_authenticated, has_person=person is not None, manager=is_manager(user)
    )
    arguments: list[Any] = [
        at,
        *([user.pk] if viewer.signed_in else []),
        *([person.pk] if person is not None else []),
    ]
    if show not in _TABS:
        show = SwapFilter.UPCOMING
    [(*tab_counts, next_end)] = _counts(viewer).rows(*arguments)
    counts = dict(zip(_TABS, tab_counts, strict=True))

    ordering = ["-start", "-pk"] if show == SwapFilter.PAST else ["start", "pk"]
    keys = (
        SwapRequest.objects.filter(viewer.filters(*arguments)[show])
        .order_by(*ordering)
        .values_list("pk", flat=True)
    )
    paginator = _CountedPaginator(keys, SWAPS_PER_PAGE, counts[show])
    return SwapList(
        show=show,
        at=at,
        tabs=[(value, label, counts[value]) for value, label in SwapFilter.choices],
        page=paginator.get_page(page),
        validity=Validity(None, next_end),
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
