"""The escalation clock: when each step of a path falls due, pure, from the steps' conditions
and an incident start.

A step's `after_minutes` counts from the start of the incident ("VP of Engineering if not
resolved within 30 minutes" means 30 minutes after it began, not after the previous step), so
its clock time is `started_at + after_minutes`. A step limited to some severities does not apply
to the others; a step with an explicit condition ("data breach confirmed") has no clock time of
its own: it applies when the condition holds. No clock is read here: `at` is a parameter.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

SEVERITY_NAME = "SEV{level}"
ONLY_SEVERITIES = "{severities} only"
AFTER_MINUTES = "after {minutes} min"
IF_CONDITION = "if {condition}"
NOT_FOR_SEVERITY = "not for {severity}"
CONDITION_SEPARATOR = " · "

#: An incident start typed as a wall-clock time later than this past now is taken to be
#: yesterday's (an incident cannot start in the future; a little slack absorbs clock skew).
FUTURE_TOLERANCE = timedelta(minutes=15)


class Timing(StrEnum):
    START = "start"  # the first step: reach now
    NEXT = "next"  # move on when the previous step cannot resolve it
    TIMED = "timed"  # move on at a clock time if still unresolved
    CONDITIONAL = "conditional"  # move on only if an explicit condition holds
    NOT_APPLICABLE = "not_applicable"  # the step is not for this severity


@dataclass(frozen=True)
class StepRule:
    """What a path says about moving on to one of its steps."""

    position: int
    after_minutes: int | None = None
    only_levels: frozenset[int] = frozenset()
    condition: str = ""

    def applies_to(self, level: int) -> bool:
        return not self.only_levels or level in self.only_levels


@dataclass(frozen=True)
class StepClock:
    """One step of the path, for one severity and incident start."""

    rule: StepRule
    timing: Timing
    escalate_at: datetime | None = None
    is_due: bool = False

    @property
    def applies(self) -> bool:
        return self.timing is not Timing.NOT_APPLICABLE


def severity_name(level: int) -> str:
    return SEVERITY_NAME.format(level=level)


def severities_text(levels: Iterable[int]) -> str:
    """“SEV1”, “SEV1 and SEV2”, “SEV1, SEV2 and SEV3”."""
    names = [severity_name(level) for level in sorted(levels)]
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} and {names[-1]}"


def condition_phrase(condition: str) -> str:
    """“data breach confirmed” → “if data breach confirmed” (kept as is if it says “if” already)."""
    condition = condition.strip()
    if not condition:
        return ""
    if condition.casefold().startswith(("if ", "when ", "only ", "unless ")):
        return condition
    return IF_CONDITION.format(condition=condition)


def condition_parts(rule: StepRule) -> list[str]:
    """The conditions to move on to a step, as short phrases: the labels on a flowchart arrow."""
    parts = []
    if rule.only_levels:
        parts.append(ONLY_SEVERITIES.format(severities=severities_text(rule.only_levels)))
    if rule.after_minutes is not None:
        parts.append(AFTER_MINUTES.format(minutes=rule.after_minutes))
    if rule.condition.strip():
        parts.append(condition_phrase(rule.condition))
    return parts


def condition_text(rule: StepRule) -> str:
    """“SEV1 only · after 30 min”, “if data breach confirmed”, or “”."""
    return CONDITION_SEPARATOR.join(condition_parts(rule))


def step_clocks(
    rules: Sequence[StepRule], *, severity_level: int, started_at: datetime, at: datetime
) -> list[StepClock]:
    """Each step's timing for an incident of `severity_level` that started at `started_at`."""
    _require_aware(started_at, "started_at")
    _require_aware(at, "at")
    clocks = []
    for index, rule in enumerate(rules):
        if not rule.applies_to(severity_level):
            clocks.append(StepClock(rule=rule, timing=Timing.NOT_APPLICABLE))
        elif rule.after_minutes is not None:
            escalate_at = started_at + timedelta(minutes=rule.after_minutes)
            clocks.append(
                StepClock(
                    rule=rule,
                    timing=Timing.TIMED,
                    escalate_at=escalate_at,
                    is_due=escalate_at <= at,
                )
            )
        elif rule.condition.strip():
            clocks.append(StepClock(rule=rule, timing=Timing.CONDITIONAL))
        elif index == 0:
            clocks.append(StepClock(rule=rule, timing=Timing.START))
        else:
            clocks.append(StepClock(rule=rule, timing=Timing.NEXT))
    return clocks


def incident_start(wall_clock: time, *, now: datetime, time_zone: str) -> datetime:
    """The instant a wall-clock time typed in `time_zone` means, today or else yesterday.

    Today's date is the date of `now` in that zone; a time more than `FUTURE_TOLERANCE` ahead of
    now is yesterday's. A time skipped or repeated by a clock change follows PEP 495 (fold=0).
    """
    _require_aware(now, "now")
    zone = ZoneInfo(time_zone)
    local_now = now.astimezone(zone)
    started = datetime.combine(local_now.date(), wall_clock.replace(tzinfo=None), tzinfo=zone)
    # Compare in UTC: aware datetimes sharing a tzinfo subtract as wall-clock times.
    if started.astimezone(UTC) - now.astimezone(UTC) > FUTURE_TOLERANCE:
        started = datetime.combine(
            local_now.date() - timedelta(days=1), wall_clock.replace(tzinfo=None), tzinfo=zone
        )
    return started


def _require_aware(value: datetime, name: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware.")
