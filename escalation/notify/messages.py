"""What the portal's emails and Slack messages say, as `Notice`s for the outbox.

Each step of a swap request (`swap_notices`), the reminder before a shift (`reminder_notice`),
and the news of a change a manager made directly: an override added or withdrawn
(`override_change_notices`), a slot given to someone else (`slot_change_notices`); and all the
reminder job found due (`reminders_due_notices`). Times are written in each reader's own time
zone (`format_interval`). Nothing here sends anything: `escalation.notify.outbox` does.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse

from ..integrations.slack.blocks import swap_app_notices
from ..integrations.slack.client import app_enabled as slack_app_enabled
from ..models import MessageChannel, Override, Person, Rotation, SwapKind, SwapRequest
from ..permissions import MANAGERS_GROUP
from ..time_zones import zone_or_utc
from .outbox import Notice

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

    from ..selectors.handoffs import Handoff
    from ..selectors.oncall import Holder
    from ..selectors.reminders import RemindersDue

SUBJECT_PREFIX = "[On call]"

# What each step of a swap request says, in the Slack channel and in the emails' subject.
SWAP_HEADLINES = {
    "created": "{actor} asked {colleague} to {phrase}",
    "accepted": "{colleague} agreed to {phrase}",
    "declined": "{actor} declined the request for {colleague} to {phrase}",
    "approved": "{actor} approved: {colleague} will {phrase}",
    "cancelled": "{actor} cancelled the request for {colleague} to {phrase}",
    "reverted": "{actor} reverted the approval for {colleague} to {phrase}",
    "superseded": "Closed: the request for {colleague} to {phrase} was overtaken by another one",
}
#: When the colleague declines, the headline says so without naming them twice.
COLLEAGUE_DECLINED = "{colleague} declined to {phrase}"
COVER_PHRASE = "cover {requester_possessive} {tier} on-call"
SWAP_PHRASE = "swap {tier} on-call shifts with {requester_object}"
SWAP_NEXT_STEPS = {
    "created": "{colleague} can accept or decline it on the request's page.",
    "accepted": "An Escalation manager can now approve or decline it.",
    "declined": "Nothing changes: {requester} stays on call.",
    "approved": (
        "It is in effect: the dashboard, the calendar and the feeds show the change, "
        "marked as an override."
    ),
    "cancelled": "Nothing changes: {requester} stays on call.",
    "reverted": "The rotation applies again: {requester} is on call for this interval.",
    "superseded": (
        "Another request for this shift was approved first, so this one cannot be any more; "
        "file a new one if it is still needed."
    ),
}


def slack_text(text: str) -> str:
    """Text as Slack shows it, not as markup: "<!channel>" in a note must not ping everyone,
    nor "<https://…|…>" make a link (Slack's own escaping: &, < and >)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def absolute_url(path: str) -> str:
    """`PORTAL_BASE_URL` (e.g. https://oncall.example.internal) + path; the path alone without it."""
    base = str(getattr(settings, "PORTAL_BASE_URL", "") or "").rstrip("/")
    return f"{base}{path}"


def format_interval(start: datetime, end: datetime, time_zone: str | None) -> str:
    """`Mon 5 Jan 2026 09:00 → Mon 12 Jan 2026 09:00 (UTC)`, in the reader's zone."""
    zone = zone_or_utc(time_zone)
    local_start, local_end = start.astimezone(zone), end.astimezone(zone)

    def day(value: datetime) -> str:
        return f"{value:%a} {value.day} {value:%b %Y %H:%M}"

    abbreviations = {local_start.tzname(), local_end.tzname()}
    return f"{day(local_start)} → {day(local_end)} ({'/'.join(sorted(a or '' for a in abbreviations))})"


def actor_name(user: User | AnonymousUser | None) -> str:
    if user is None or not user.is_authenticated:
        return "Someone"
    person = Person.objects.filter(user=user).only("display_name").first()
    if person is not None:
        return person.display_name
    return user.get_full_name() or user.get_username()


def _swap_words(
    swap: SwapRequest, actor: str, *, actor_is_requester: bool = False
) -> dict[str, str]:
    requester = swap.requester.display_name
    words = {
        "actor": actor,
        "requester": requester,
        "requester_possessive": "their" if actor_is_requester else f"{requester}'s",
        "requester_object": "them" if actor_is_requester else requester,
        "colleague": swap.colleague.display_name,
        "tier": swap.get_tier_display().lower(),
        "rotation": swap.rotation.name,
    }
    phrase = SWAP_PHRASE if swap.kind == SwapKind.SWAP else COVER_PHRASE
    words["phrase"] = phrase.format(**words)
    return words


def swap_headline(swap: SwapRequest, action: str, actor: User | AnonymousUser | None) -> str:
    """`Alex Doe asked Casey Doe to cover their primary on-call`: one step, in a sentence."""
    name = actor_name(actor)
    actor_pk = actor.pk if actor is not None and actor.is_authenticated else None
    words = _swap_words(
        swap, name, actor_is_requester=actor_pk is not None and actor_pk == swap.requester.user_id
    )
    if action == "declined" and actor_pk is not None and actor_pk == swap.colleague.user_id:
        return COLLEAGUE_DECLINED.format(**words)
    return SWAP_HEADLINES[action].format(**words)


def _manager_emails() -> list[str]:
    users = get_user_model().objects.filter(
        Q(groups__name=MANAGERS_GROUP) | Q(is_superuser=True), is_active=True
    )
    return sorted({email for email in users.values_list("email", flat=True) if email})


def swap_notices(
    *,
    swap: SwapRequest,
    action: str,
    actor: User | AnonymousUser | None,
    note: str = "",
) -> list[Notice]:
    """The channel message and the emails for one step of a request."""
    words = _swap_words(swap, actor_name(actor))
    headline = swap_headline(swap, action, actor)
    next_step = SWAP_NEXT_STEPS[action].format(**words)
    url = absolute_url(reverse("escalation:swap_detail", args=[swap.pk]))
    key = f"swap:{swap.pk}:{action}"
    notices = []

    channel = swap.rotation.swap_channel
    if channel and (slack_app_enabled() or settings.SLACK_WEBHOOK_URL):
        lines = [
            f"*{slack_text(headline)}* ({slack_text(swap.rotation.name)})",
            slack_text(_interval_line(swap, swap.rotation.time_zone)),
        ]
        if note:
            lines.append(f"Note: {slack_text(note)}")
        lines.append(f"{slack_text(next_step)} <{url}|Request #{swap.pk}>")
        body = "\n".join(lines)
        if slack_app_enabled():
            # The app's messages carry the buttons, and are edited as the request moves on.
            notices += swap_app_notices(
                swap=swap, action=action, channel=channel, headline=headline, body=body, key=key
            )
        else:
            notices.append(
                Notice(
                    channel=MessageChannel.SLACK,
                    recipient=channel,
                    subject=headline,
                    body=body,
                    dedupe_key=key,
                )
            )

    readers: dict[str, str | None] = {}
    for person in (swap.requester, swap.colleague):
        if person.email:
            readers.setdefault(person.email, person.time_zone)
    if action == "accepted":
        for email in _manager_emails():
            readers.setdefault(email, None)
    for email, time_zone in readers.items():
        body = render_to_string(
            "escalation/email/swap_event.txt",
            {
                "headline": headline,
                "swap": swap,
                "interval": _interval_line(swap, time_zone or swap.rotation.time_zone),
                "note": note,
                "next_step": next_step,
                "url": url,
            },
        )
        notices.append(
            Notice(
                channel=MessageChannel.EMAIL,
                recipient=email,
                subject=f"{SUBJECT_PREFIX} {headline}",
                body=body,
                dedupe_key=key,
            )
        )
    return notices


def _interval_line(swap: SwapRequest, time_zone: str | None) -> str:
    line = f"{swap.colleague.display_name} takes {format_interval(swap.start, swap.end, time_zone)}"
    if swap.kind == SwapKind.SWAP and swap.return_start and swap.return_end:
        line += (
            f"; in return {swap.requester.display_name} takes "
            f"{format_interval(swap.return_start, swap.return_end, time_zone)}"
        )
    return line + "."


# --- reminders and changes made outside the swap flow ---------------------------------------

REMINDER_SUBJECT = "{prefix} You are on call ({tier}, {rotation}) {starts_in}"
OVERRIDE_HEADLINES = {
    ("created", "covering"): "You now cover the {tier} on-call of {rotation} (an override)",
    ("created", "covered"): "{covering} now covers your {tier} on-call of {rotation} (an override)",
    ("reverted", "covering"): "You no longer cover the {tier} on-call of {rotation}",
    (
        "reverted",
        "covered",
    ): "You are on call again: the override by {covering} on {rotation} was withdrawn",
}


def starts_in_words(delta: timedelta) -> str:
    """`in 23 hours`, `in 2 days`, `in 45 minutes`."""
    minutes = max(int(delta.total_seconds() // 60), 0)
    if minutes < 90:
        return f"in {minutes} minute{'s' if minutes != 1 else ''}"
    hours = round(minutes / 60)
    if hours < 48:
        return f"in {hours} hours"
    return f"in {round(hours / 24)} days"


def reminder_notice(
    *,
    person: Person,
    rotation_name: str,
    rotation_key: str,
    tier: str,
    start: datetime,
    end: datetime,
    at: datetime,
    lead_hours: int,
    override_reason: str | None = None,
    handoff_note: str = "",
) -> Notice:
    """The email telling `person` their shift of `tier` starts soon, with the outgoing pair's
    handoff note when they left one. Its dedupe key makes it once per person, rotation, tier
    and start, however often the job runs."""
    tier_name = tier.lower()
    starts_in = starts_in_words(start - at)
    body = render_to_string(
        "escalation/email/oncall_reminder.txt",
        {
            "person": person,
            "tier": tier_name,
            "rotation": {"name": rotation_name},
            "starts_in": starts_in,
            "interval": format_interval(start, end, person.time_zone),
            "override": {"reason": override_reason} if override_reason is not None else None,
            "url": absolute_url(reverse("escalation:dashboard")),
            "lead_hours": lead_hours,
            "handoff_note": handoff_note,
        },
    )
    start_key = start.astimezone(ZoneInfo("UTC")).strftime("%Y-%m-%dT%H:%M:%SZ")
    return Notice(
        channel=MessageChannel.EMAIL,
        recipient=person.email,
        subject=REMINDER_SUBJECT.format(
            prefix=SUBJECT_PREFIX, tier=tier_name, rotation=rotation_name, starts_in=starts_in
        ),
        body=body,
        dedupe_key=f"reminder:{rotation_key}:{tier_name}:{start_key}:{person.pk}",
    )


def override_change_notices(
    *, override: Override, change: str, covered: Iterable[Person]
) -> list[Notice]:
    """Emails about an override a manager added or withdrew outside the swap flow: to the
    person covering and to the people whose shift it takes."""
    words = {
        "tier": override.get_tier_display().lower(),
        "rotation": override.rotation.name,
        "covering": override.person.display_name,
    }
    url = absolute_url(reverse("escalation:calendar"))
    notices = []
    readers = [(override.person, "covering")] + [
        (person, "covered") for person in covered if person.pk != override.person_id
    ]
    for person, role in readers:
        if not person.email:
            continue
        lines = [format_interval(override.start, override.end, person.time_zone)]
        if override.reason:
            lines.append(f"Reason: {override.reason}")
        notices.append(
            _change_email(
                person,
                headline=OVERRIDE_HEADLINES[(change, role)].format(**words),
                lines=lines,
                url=url,
                dedupe_key=f"change:override:{override.pk}:{change}",
            )
        )
    return notices


def _change_email(
    person: Person, *, headline: str, lines: list[str], url: str, dedupe_key: str
) -> Notice:
    """An email telling `person` that who is on call changed for them."""
    body = render_to_string(
        "escalation/email/oncall_change.txt",
        {"person": person, "headline": headline, "lines": lines, "url": url},
    )
    return Notice(
        channel=MessageChannel.EMAIL,
        recipient=person.email,
        subject=f"{SUBJECT_PREFIX} {headline}",
        body=body,
        dedupe_key=dedupe_key,
    )


SLOT_HEADLINES = {
    "now": "You are now the {tier} on call for {slot} of {rotation}",
    "no_longer": "You are no longer the {tier} on call for {slot} of {rotation}; {holder} is",
}


def slot_change_notices(
    *,
    rotation: Rotation,
    slot_label: str,
    tier: str,
    change_key: str,
    now_holder: Person | None,
    before_holder: Person | None,
    next_shifts: list[tuple[datetime, datetime]],
) -> list[Notice]:
    """Emails about a slot a manager gave to someone else: to the new and the former holder."""
    words = {"tier": tier, "slot": slot_label, "rotation": rotation.name}
    url = absolute_url(reverse("escalation:calendar"))
    notices = []
    for person, role in ((now_holder, "now"), (before_holder, "no_longer")):
        if person is None or not person.email or not person.is_active:
            continue
        headline = SLOT_HEADLINES[role].format(
            holder=now_holder.display_name if now_holder else "nobody", **words
        )
        lines = (
            [
                ("Your next shifts: " if role == "now" else "Shifts affected: ")
                + "; ".join(
                    format_interval(start, end, person.time_zone) for start, end in next_shifts
                )
            ]
            if next_shifts
            else []
        )
        notices.append(
            _change_email(
                person,
                headline=headline,
                lines=lines,
                url=url,
                dedupe_key=f"change:slot:{change_key}",
            )
        )
    return notices


def reminders_due_notices(due: RemindersDue) -> list[Notice]:
    """The emails for what `escalation.selectors.reminders.reminders_due` found: the reminders
    first, then the news of overrides, then of slots."""
    notices = [
        reminder_notice(
            person=reminder.person,
            rotation_name=reminder.rotation.name,
            rotation_key=reminder.rotation.slug,
            tier=reminder.tier,
            start=reminder.start,
            end=reminder.end,
            at=due.at,
            lead_hours=due.lead_hours,
            override_reason=reminder.override.reason if reminder.override is not None else None,
            handoff_note=reminder.handoff_note.text if reminder.handoff_note is not None else "",
        )
        for reminder in due.reminders
    ]
    for override_change in due.override_changes:
        notices += override_change_notices(
            override=override_change.override,
            change=override_change.change,
            covered=override_change.covered,
        )
    for slot_change in due.slot_changes:
        notices += slot_change_notices(
            rotation=slot_change.rotation,
            slot_label=slot_change.slot_label,
            tier=slot_change.tier,
            change_key=slot_change.change_key,
            now_holder=slot_change.now_holder,
            before_holder=slot_change.before_holder,
            next_shifts=slot_change.next_shifts,
        )
    return notices


# --- handoff posts ---------------------------------------------------------------------------

HANDOFF_LINE = "On call from now: {pair}, until {end}"
HANDOFF_HOLDER = "{name} ({tier})"
HANDOFF_COVERING = "{name} ({tier}, covering for {covered})"
HANDOFF_CHANGE = "From {start}: {holder}"
HANDOFF_REPEAT = (
    "Same pair as last week: ISO year {year} has 53 weeks, so week 53 and week 1 are both "
    "“{label}”."
)
HANDOFF_NOBODY = "nobody"
HANDOFF_NOTE = "Handoff note from the pair before:\n{text}"


def slack_time(instant: datetime, time_zone: str | None) -> str:
    """`Mon 14 Dec 09:00 UTC`, in the given zone."""
    local = instant.astimezone(zone_or_utc(time_zone))
    return f"{local:%a} {local.day} {local:%b %H:%M} {local.tzname()}"


def _handoff_holder(holder: Holder) -> str:
    name = holder.person.display_name if holder.person is not None else HANDOFF_NOBODY
    tier = holder.tier.value
    if holder.overridden and holder.covering_for is not None:
        return HANDOFF_COVERING.format(
            name=name, tier=tier, covered=holder.covering_for.display_name
        )
    return HANDOFF_HOLDER.format(name=name, tier=tier)


def handoff_notices(handoffs: Iterable[Handoff]) -> list[Notice]:
    """The post to each rotation's channel at a handoff: who is on call from now, until when,
    the overrides later in the shift, and the week 53 repeat. Once per handoff (dedupe key)."""
    notices: list[Notice] = []
    use_app = slack_app_enabled()
    if not (use_app or settings.SLACK_WEBHOOK_URL):
        return notices
    for handoff in handoffs:
        zone = handoff.rotation.time_zone
        first = [handoff.primary[0], handoff.secondary[0]]
        pair = ", ".join(_handoff_holder(holder) for holder in first if holder.person is not None)
        headline = HANDOFF_LINE.format(
            pair=pair or HANDOFF_NOBODY, end=slack_time(handoff.shift.end, zone)
        )
        lines = [f"*{slack_text(handoff.rotation.name)}* — {slack_text(headline)}"]
        later = sorted(handoff.primary[1:] + handoff.secondary[1:], key=lambda h: h.start)
        for holder in later:
            lines.append(
                slack_text(
                    HANDOFF_CHANGE.format(
                        start=slack_time(holder.start, zone), holder=_handoff_holder(holder)
                    )
                )
            )
        if handoff.repeat is not None:
            lines.append(
                slack_text(
                    HANDOFF_REPEAT.format(
                        year=handoff.repeat.previous.iso_year, label=handoff.shift.label
                    )
                )
            )
        if handoff.note is not None:
            lines.append(slack_text(HANDOFF_NOTE.format(text=handoff.note.text)))
        body = "\n".join(lines)
        notices.append(
            Notice(
                channel=MessageChannel.SLACK_APP if use_app else MessageChannel.SLACK,
                recipient=handoff.rotation.handoff_post_channel,
                subject=headline,
                body=body,
                blocks=[{"type": "section", "text": {"type": "mrkdwn", "text": body[:3000]}}]
                if use_app
                else None,
                dedupe_key=handoff.key,
            )
        )
    return notices
