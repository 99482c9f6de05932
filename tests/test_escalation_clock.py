"""The service sheet's escalation clock: pure time math from step conditions (no DB, no clock)."""

from datetime import UTC, datetime, time

import pytest

from escalation.escalation_clock import (
    FUTURE_TOLERANCE,
    StepRule,
    Timing,
    condition_phrase,
    condition_text,
    incident_start,
    severities_text,
    step_clocks,
)

STARTED = datetime(2026, 11, 26, 10, 12, tzinfo=UTC)

TECHNICAL = [
    StepRule(position=0),
    StepRule(position=1),
    StepRule(position=2),
    StepRule(position=3, after_minutes=30, only_levels=frozenset({1})),
]
SECURITY = [
    StepRule(position=0),
    StepRule(position=1),
    StepRule(position=2, condition="data breach confirmed"),
]


def test_vp_escalation_for_sev1_is_thirty_minutes_after_the_start():
    clocks = step_clocks(
        TECHNICAL,
        severity_level=1,
        started_at=STARTED,
        at=datetime(2026, 11, 26, 10, 20, tzinfo=UTC),
    )

    assert [clock.timing for clock in clocks] == [
        Timing.START,
        Timing.NEXT,
        Timing.NEXT,
        Timing.TIMED,
    ]
    assert clocks[3].escalate_at == datetime(2026, 11, 26, 10, 42, tzinfo=UTC)
    assert clocks[3].is_due is False


def test_the_escalation_is_due_from_its_clock_time_on():
    at_time = step_clocks(
        TECHNICAL,
        severity_level=1,
        started_at=STARTED,
        at=datetime(2026, 11, 26, 10, 42, tzinfo=UTC),
    )
    before = step_clocks(
        TECHNICAL,
        severity_level=1,
        started_at=STARTED,
        at=datetime(2026, 11, 26, 10, 41, 59, tzinfo=UTC),
    )

    assert at_time[3].is_due is True
    assert before[3].is_due is False


@pytest.mark.parametrize("level", [2, 3, 4])
def test_a_sev1_only_step_does_not_apply_to_other_severities(level):
    clocks = step_clocks(TECHNICAL, severity_level=level, started_at=STARTED, at=STARTED)

    assert clocks[3].timing is Timing.NOT_APPLICABLE
    assert clocks[3].applies is False
    assert clocks[3].escalate_at is None
    assert all(clock.applies for clock in clocks[:3])


def test_a_conditional_step_has_no_clock_time():
    clocks = step_clocks(SECURITY, severity_level=2, started_at=STARTED, at=STARTED)

    assert clocks[2].timing is Timing.CONDITIONAL
    assert clocks[2].escalate_at is None


def test_a_timed_step_with_a_condition_still_gets_its_time():
    rules = [
        StepRule(position=0),
        StepRule(position=1, after_minutes=15, condition="customer data"),
    ]
    clocks = step_clocks(rules, severity_level=3, started_at=STARTED, at=STARTED)

    assert clocks[1].timing is Timing.TIMED
    assert clocks[1].escalate_at == datetime(2026, 11, 26, 10, 27, tzinfo=UTC)


def test_times_count_from_the_start_not_from_the_previous_step():
    rules = [
        StepRule(position=0),
        StepRule(position=1, after_minutes=15),
        StepRule(position=2, after_minutes=30),
    ]
    clocks = step_clocks(rules, severity_level=1, started_at=STARTED, at=STARTED)

    assert [clock.escalate_at.minute for clock in clocks[1:]] == [27, 42]


def test_clock_times_cross_midnight():
    started = datetime(2026, 11, 26, 23, 50, tzinfo=UTC)
    clocks = step_clocks(TECHNICAL, severity_level=1, started_at=started, at=started)

    assert clocks[3].escalate_at == datetime(2026, 11, 27, 0, 20, tzinfo=UTC)


def test_naive_instants_are_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        step_clocks(TECHNICAL, severity_level=1, started_at=datetime(2026, 1, 1), at=STARTED)


def test_condition_text_is_what_the_flowchart_arrow_says():
    assert condition_text(TECHNICAL[3]) == "SEV1 only · after 30 min"
    assert condition_text(SECURITY[2]) == "if data breach confirmed"
    assert condition_text(TECHNICAL[1]) == ""
    assert (
        condition_text(StepRule(position=0, only_levels=frozenset({2, 1}), after_minutes=10))
        == "SEV1 and SEV2 only · after 10 min"
    )


def test_severities_and_conditions_read_as_english():
    assert severities_text([3, 1, 2]) == "SEV1, SEV2 and SEV3"
    assert severities_text([4]) == "SEV4"
    assert condition_phrase("If the vendor is down") == "If the vendor is down"
    assert condition_phrase("  ") == ""


def test_incident_start_is_today_in_the_viewers_time_zone():
    now = datetime(2026, 11, 26, 10, 20, tzinfo=UTC)

    started = incident_start(time(11, 5), now=now, time_zone="Europe/Berlin")

    assert started == datetime(2026, 11, 26, 10, 5, tzinfo=UTC)


def test_incident_start_later_than_now_is_yesterdays():
    now = datetime(2026, 11, 26, 0, 10, tzinfo=UTC)

    started = incident_start(time(23, 50), now=now, time_zone="UTC")

    assert started == datetime(2026, 11, 25, 23, 50, tzinfo=UTC)


def test_incident_start_a_few_minutes_ahead_is_clock_skew_not_yesterday():
    now = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)
    ahead = (now + FUTURE_TOLERANCE).time()

    assert incident_start(ahead, now=now, time_zone="UTC").date() == now.date()


def test_incident_start_in_a_dst_gap_moves_forward_by_the_gap():
    # Europe/Berlin skips 02:00-03:00 on 2026-03-29; 02:30 does not exist.
    now = datetime(2026, 3, 29, 6, 0, tzinfo=UTC)

    started = incident_start(time(2, 30), now=now, time_zone="Europe/Berlin")

    assert started.astimezone(UTC) == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
