"""What `/oncall` answers, in Block Kit, read from the same selectors as the pages.

    /oncall                  who is on call now, until when, and who is next
    /oncall <service|team>   whom to reach first for a service (or a team's services)
    /oncall sev1 <service>   the service sheet for a SEV1: who, in order, with clock times
    /oncall at <time>        who was or will be on call at an instant
    /oncall help             these lines

Answers are ephemeral (only the asker sees them) unless the text ends with `public`. Nothing
here calls Slack: the answer is the HTTP response, within Slack's three seconds.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Q
from django.urls import reverse

from ...forms.questions import parse_instant
from ...models import PathKind, Person, RotationSlot, Service, Team
from ...notify.messages import absolute_url, slack_text, slack_time
from ...parties import ResolvedParty
from ...selectors.dashboard import dashboard
from ...selectors.oncall import Holder, RotationOnCall, on_call_now
from ...selectors.services import ServiceSheet, SheetStep, service_sheet
from ...time_zones import zone_or_utc

EPHEMERAL, IN_CHANNEL = "ephemeral", "in_channel"
PUBLIC_WORD = "public"
#: Slack allows 50 blocks a message: a large company's rotations are cut short with a link.
MAX_ROTATIONS = 10
CLOSEST_NAMES = 3

HELP = (
    "*/oncall* — who is on call now, until when, and who is next\n"
    "*/oncall <service or team>* — whom to reach first, with a link to the service's sheet\n"
    "*/oncall sev1 <service>* — the sheet for a SEV1 (or sev2…): who, in order, with clock times\n"
    "*/oncall at <time>* — who was or will be on call then, e.g. `at 2026-12-14 09:00` "
    "(UTC unless your profile in the portal has a time zone, or add +01:00)\n"
    "*/oncall help* — this help\n"
    "Answers only you see; end with `public` to post the answer in the channel."
)
NOW_TITLE = "On call now"
AT_TITLE = "On call at {at}"
NOBODY = "nobody"
NO_ROTATIONS = "No rotation has any slot yet: nobody is on call."
MORE_ROTATIONS = "…and {count} more rotations: <{url}|the dashboard>"
UNTIL = "until {end}"
NEXT = "Next: {primary} (primary), {secondary} (secondary)"
COVERING = "{name} (covering for {covered})"
AT_NEEDS_TIME = "Say when: `/oncall at 2026-12-14 09:00` (or with an offset, +01:00)."
SEVERITY_NEEDS_SERVICE = "Say which service: `/oncall sev{level} <service>`."
NO_SUCH_SEVERITY = "There is no SEV{level} in the severity matrix."
UNKNOWN_SERVICE = "No service or team is called “{text}”."
CLOSEST = "Did you mean: {names}?"
GENERAL_PATH = "Not sure which service? Start with the on-call engineer, then follow the {path}."
GENERAL_PATH_NAME = "technical escalation path"
SEVERAL_SERVICES = "“{text}” matches several services: {names}. Say which one."
REACH_FIRST = "Reach first for *{service}*"
SHEET_LINK = "The full sheet: {link}"
TEAM_TITLE = "*{team}* owns {services}"
TEAM_NO_SERVICES = "*{team}* owns no service in the portal."
SHEET_TITLE = "{severity} on *{service}* — as of {at}"
STEP_LINE = "{number}. {title}: {who} — {when}"
WHEN_NOW = "now"
WHEN_NEXT = "next, if the previous step cannot resolve it"
WHEN_AT = "at {time} ({condition})"
WHEN_DUE = "due since {time} ({condition})"
WHEN_CONDITION = "{condition}"
NOT_FOR = "not for {severity}"
REPEAT_NOTE = "Same pair as the previous week: ISO year {year} has 53 weeks."

_SEVERITY = re.compile(r"^sev\s*(\d)\b\s*(.*)$", re.IGNORECASE)


class CommandKind(StrEnum):
    NOW = "now"
    HELP = "help"
    AT = "at"
    SEVERITY = "severity"
    SERVICE = "service"


@dataclass(frozen=True)
class Command:
    kind: CommandKind
    argument: str = ""
    level: int | None = None
    public: bool = False


def parse(text: str) -> Command:
    """The command's text as Slack sends it (`/oncall sev1 backend api public`)."""
    words = (text or "").split()
    public = bool(words) and words[-1].casefold() == PUBLIC_WORD
    if public:
        words = words[:-1]
    rest = " ".join(words)
    first = words[0].casefold() if words else ""
    if not words:
        return Command(CommandKind.NOW, public=public)
    if first in ("help", "?", "-h", "--help"):
        return Command(CommandKind.HELP, public=public)
    if first == "at":
        return Command(CommandKind.AT, " ".join(words[1:]), public=public)
    match = _SEVERITY.match(rest)
    if match:
        return Command(CommandKind.SEVERITY, match[2].strip(), int(match[1]), public=public)
    return Command(CommandKind.SERVICE, rest, public=public)


def answer(*, text: str, slack_user_id: str, at: datetime) -> dict[str, Any]:
    """The JSON body of the answer to `/oncall text` typed by `slack_user_id` at `at`."""
    command = parse(text)
    viewer = _linked_person(slack_user_id)
    zone = zone_or_utc(viewer.time_zone if viewer else None)
    if command.kind == CommandKind.HELP:
        lines = [HELP]
    elif command.kind == CommandKind.NOW:
        lines = _now_lines(at, viewer, zone)
    elif command.kind == CommandKind.AT:
        lines = _at_lines(command.argument, zone)
    elif command.kind == CommandKind.SEVERITY:
        lines = _severity_lines(command, at, zone)
    else:
        lines = _service_lines(command.argument, at, zone)
    return {
        "response_type": IN_CHANNEL if command.public else EPHEMERAL,
        "text": "\n".join(lines),
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": line[:3000]}}
            for line in lines[:50]
        ],
    }


# --- Who is on call -------------------------------------------------------------------------


def _linked_person(slack_user_id: str) -> Person | None:
    if not slack_user_id:
        return None
    return Person.objects.filter(slack_user_id=slack_user_id, is_active=True).first()


def _now_lines(at: datetime, viewer: Person | None, zone: ZoneInfo) -> list[str]:
    page = dashboard(at=at, with_notes=False, all_in_full=True)
    cards = page.rotations
    if viewer is not None:
        mine = set(
            RotationSlot.objects.filter(Q(primary=viewer) | Q(secondary=viewer)).values_list(
                "rotation_id", flat=True
            )
        )
        cards = sorted(
            cards,
            key=lambda card: (
                not (
                    card.rotation.pk in mine
                    or (viewer.team_id is not None and card.rotation.team_id == viewer.team_id)
                )
            ),
        )
    if not cards:
        return [f"*{NOW_TITLE}*", NO_ROTATIONS]
    lines = [f"*{NOW_TITLE}* ({when(at, zone)})"]
    for card in cards[:MAX_ROTATIONS]:
        block = [
            f"*{slack_text(card.rotation.name)}*",
            f"Primary: {holder_text(card.primary.now)}, {UNTIL.format(end=when(card.primary.now.end, zone))}",
            f"Secondary: {holder_text(card.secondary.now)}, {UNTIL.format(end=when(card.secondary.now.end, zone))}",
            NEXT.format(
                primary=holder_text(card.next_primary), secondary=holder_text(card.next_secondary)
            )
            + f" from {when(card.handoff, zone)}",
        ]
        lines.append("\n".join(block))
    if len(cards) > MAX_ROTATIONS:
        lines.append(
            MORE_ROTATIONS.format(
                count=len(cards) - MAX_ROTATIONS, url=absolute_url(reverse("escalation:dashboard"))
            )
        )
    return lines


def _at_lines(argument: str, zone: ZoneInfo) -> list[str]:
    if not argument.strip():
        return [AT_NEEDS_TIME]
    try:
        instant = parse_instant(argument, naive_zone=zone)
    except ValueError as error:
        return [slack_text(str(error)), AT_NEEDS_TIME]
    now = on_call_now(at=instant)
    lines = [f"*{AT_TITLE.format(at=when(instant, zone))}*"]
    if not now.answers:
        lines.append(NO_ROTATIONS)
    for item in now.answers[:MAX_ROTATIONS]:
        lines.append(_answer_text(item, zone))
    return lines


def _answer_text(item: RotationOnCall, zone: ZoneInfo) -> str:
    shift = item.shift
    return "\n".join(
        [
            f"*{slack_text(item.rotation.name)}* ({slack_text(shift.label)}, ISO week {shift.iso_week})",
            f"Primary: {person_text(item.primary)}"
            + (" (override)" if item.on_call.primary.overridden else ""),
            f"Secondary: {person_text(item.secondary)}"
            + (" (override)" if item.on_call.secondary.overridden else ""),
            f"Shift {when(shift.start, zone)} → {when(shift.end, zone)}",
        ]
    )


# --- Services ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Found:
    """What a typed name names: a service, a team, several services, or nothing close."""

    service: Service | None = None
    team: Team | None = None
    several: tuple[str, ...] = ()
    closest: tuple[str, ...] = ()


def _find(text: str) -> _Found:
    """The service or team `text` names (its name or address, any case; else a service whose
    name contains it); else the names that come closest. Two queries."""
    wanted = text.strip().casefold()
    services = list(Service.objects.only("name", "slug").order_by("position", "name"))
    for service in services:
        if wanted in (service.name.casefold(), service.slug):
            return _Found(service=service)
    teams = list(Team.objects.only("name", "slug").order_by("name"))
    for team in teams:
        if wanted in (team.name.casefold(), team.slug):
            return _Found(team=team)
    containing = [service for service in services if wanted in service.name.casefold()]
    if len(containing) == 1:
        return _Found(service=containing[0])
    if containing:
        return _Found(several=tuple(service.name for service in containing))
    names = [service.name for service in services] + [team.name for team in teams]
    folded = {name.casefold(): name for name in names}
    close = difflib.get_close_matches(wanted, list(folded), n=CLOSEST_NAMES, cutoff=0.4)
    if not close:  # a word of a name ("postgres" for "Database (PostgreSQL)")
        close = [
            name
            for name in folded
            if any(word.startswith(wanted[:4]) for word in re.split(r"\W+", name))
        ][:CLOSEST_NAMES]
    return _Found(closest=tuple(folded[name] for name in close))


def _service_lines(text: str, at: datetime, zone: ZoneInfo) -> list[str]:
    found = _find(text)
    if found.service is not None:
        return _reach_first_lines(_sheet(found.service.slug, None, at), zone)
    if found.team is not None:
        return _team_lines(found.team)
    if found.several:
        return [SEVERAL_SERVICES.format(text=slack_text(text), names=_names(found.several))]
    return _unknown_lines(text, found.closest, at)


def _sheet(slug: str, level: int | None, at: datetime) -> ServiceSheet:
    return service_sheet(
        service_slug=slug,
        severity_level=level,
        path_kind=PathKind.TECHNICAL,
        started_at=at,
        at=at,
    )


def _reach_first_lines(sheet: ServiceSheet, zone: ZoneInfo) -> list[str]:
    service = sheet.service
    assert service is not None, "`_sheet` reads a named service's sheet"
    lines = [f"*{REACH_FIRST.format(service=slack_text(service.name))}*"]
    people = []
    if sheet.on_call is not None:
        people.append(f"On-call primary: {person_text(sheet.on_call.primary)}")
        people.append(f"On-call secondary: {person_text(sheet.on_call.secondary)}")
        people.append(UNTIL.format(end=when(sheet.on_call.shift.end, zone)).capitalize())
    for party in (sheet.team_lead, sheet.owner):
        if party is not None:
            people.append(f"{slack_text(party.label)}: {party_text(party)}")
    if service.channel:
        people.append(f"Channel: {slack_text(service.channel)}")
    lines.append("\n".join(people))
    lines.append(SHEET_LINK.format(link=_sheet_link(service)))
    return lines


def _team_lines(team: Team) -> list[str]:
    services = list(Service.objects.filter(team=team).order_by("position", "name"))
    if not services:
        return [TEAM_NO_SERVICES.format(team=slack_text(team.name))]
    return [
        TEAM_TITLE.format(
            team=slack_text(team.name),
            services=", ".join(_sheet_link(service) for service in services),
        ),
        "Ask `/oncall <service>` for whom to reach first.",
    ]


def _unknown_lines(text: str, names: Sequence[str], at: datetime) -> list[str]:
    lines = [UNKNOWN_SERVICE.format(text=slack_text(text.strip()[:100]))]
    if names:
        lines.append(CLOSEST.format(names=_names(names)))
    path = _link(absolute_url(reverse("escalation:paths")), GENERAL_PATH_NAME)
    lines.append(GENERAL_PATH.format(path=path))
    now = on_call_now(at=at)
    if now.answers:
        first = now.answers[0]
        lines.append(
            f"On call now ({slack_text(first.rotation.name)}): {person_text(first.primary)} "
            f"(primary), {person_text(first.secondary)} (secondary)"
        )
    return lines


def _severity_lines(command: Command, at: datetime, zone: ZoneInfo) -> list[str]:
    level = command.level or 1
    if not command.argument:
        return [SEVERITY_NEEDS_SERVICE.format(level=level)]
    found = _find(command.argument)
    service = found.service
    if service is None:
        return _unknown_lines(command.argument, found.several or found.closest, at)
    sheet = _sheet(service.slug, level, at)
    if sheet.severity is None or sheet.severity.level != level:
        return [NO_SUCH_SEVERITY.format(level=level)]
    lines = [
        SHEET_TITLE.format(
            severity=f"SEV{level}", service=slack_text(service.name), at=when(at, zone)
        )
    ]
    tiers = (
        ("Reach first", sheet.reach_first + ((sheet.backup,) if sheet.backup else ())),
        ("Then", sheet.secondary),
        ("Management", sheet.management),
        ("Communication", sheet.communication),
    )
    lines.append(
        "\n".join(
            f"{title}: " + "; ".join(f"{slack_text(p.label)} ({party_text(p)})" for p in parties)
            for title, parties in tiers
            if parties
        )
    )
    if sheet.steps:
        steps = [
            STEP_LINE.format(
                number=step.view.number + 1,
                title=slack_text(step.view.title),
                who=", ".join(party_text(party) for party in step.view.parties),
                when=_step_when(step, level, zone),
            )
            for step in sheet.steps
        ]
        path_name = slack_text(sheet.path.name) if sheet.path else ""
        lines.append(f"*{path_name}*\n" + "\n".join(steps))
    lines.append(SHEET_LINK.format(link=_sheet_link(service, level)))
    return lines


def _step_when(step: SheetStep, level: int, zone: ZoneInfo) -> str:
    clock = step.clock
    condition = slack_text(step.view.condition)
    if not clock.applies:
        return NOT_FOR.format(severity=f"SEV{level}")
    if clock.escalate_at is not None:
        template = WHEN_DUE if clock.is_due else WHEN_AT
        return template.format(time=when(clock.escalate_at, zone), condition=condition)
    if step.view.rule.condition.strip():
        return WHEN_CONDITION.format(condition=condition)
    return WHEN_NOW if step.view.number == 0 else WHEN_NEXT


# --- Words ---------------------------------------------------------------------------------


def when(instant: datetime, zone: ZoneInfo) -> str:
    """`Mon 14 Dec 09:00 UTC`, in the reader's zone."""
    return slack_time(instant, zone.key)


def person_text(person: Person | None) -> str:
    """A name, with the Slack mention (or handle) and the phone: one tap to reach them."""
    if person is None:
        return NOBODY
    parts = [slack_text(person.display_name)]
    if person.slack_user_id:
        parts.append(f"<@{person.slack_user_id}>")
    elif person.slack_handle:
        parts.append(slack_text(person.slack_handle))
    if person.phone:
        phone = str(person.phone)
        parts.append(f"<tel:{phone.replace(' ', '')}|{phone}>")
    return " ".join(parts)


def holder_text(holder: Holder) -> str:
    if holder.covering_for is not None and holder.overridden:
        return COVERING.format(
            name=person_text(holder.person), covered=slack_text(holder.covering_for.display_name)
        )
    return person_text(holder.person)


def party_text(party: ResolvedParty) -> str:
    if party.person is not None:
        return person_text(party.person)
    return slack_text(party.answer or party.slack or party.label)


def _names(names: Sequence[str]) -> str:
    return ", ".join(f"“{slack_text(name)}”" for name in names)


def _link(url: str, label: str) -> str:
    """A Slack link when the portal's address is known (`PORTAL_BASE_URL`), else the label."""
    if url.startswith(("https://", "http://")):
        return f"<{url}|{slack_text(label)}>"
    return slack_text(label)


def _sheet_link(service: Service, level: int | None = None) -> str:
    url = absolute_url(reverse("escalation:service_detail", args=[service.slug]))
    if level is not None:
        url += f"?severity={level}"
    return _link(url, service.name)
