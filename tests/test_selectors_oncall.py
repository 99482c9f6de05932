"""The on-call reads: right people at the seed's boundaries, overrides, and fixed query counts."""

from datetime import UTC, date, datetime, timedelta
from unittest import mock

import pytest

from escalation import models
from escalation import rotation as engine
from escalation.selectors import oncall
from escalation.selectors.calendar import calendar, calendar_feed
from escalation.selectors.dashboard import dashboard
from escalation.selectors.oncall import on_call_named, on_call_now
from escalation.selectors.profile import profile
from tests import factories
from tests.helpers import instances_built
from tests.oncall_data import (
    HANDOFF_TO_ODD_WEEK,
    LAST_SECOND_OF_EVEN_WEEK,
    THURSDAY_EVEN_WEEK,
    many_overrides,
    seed_rotation,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def seed():
    return seed_rotation()


def names(answer):
    return (answer.primary.display_name, answer.secondary.display_name)


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        (THURSDAY_EVEN_WEEK, ("Engineer C", "Engineer D")),
        (LAST_SECOND_OF_EVEN_WEEK, ("Engineer C", "Engineer D")),
        (HANDOFF_TO_ODD_WEEK, ("Engineer A", "Engineer B")),
    ],
)
def test_on_call_at_the_seed_boundaries(seed, at, expected):
    [answer] = on_call_now(at=at).answers
    assert names(answer) == expected


def b_covers_the_secondary_for_two_hours(seed):
    """Engineer B covers the secondary (Engineer D's, in the even week) around Thursday noon."""
    return factories.OverrideFactory(
        rotation=seed.rotation,
        tier=models.OnCallTier.SECONDARY,
        person=seed.b,
        start=THURSDAY_EVEN_WEEK - timedelta(hours=1),
        end=THURSDAY_EVEN_WEEK + timedelta(hours=1),
    )


def test_on_call_at_applies_an_override_and_costs_two_queries(seed, django_assert_num_queries):
    b_covers_the_secondary_for_two_hours(seed)
    with django_assert_num_queries(2):
        [answer] = on_call_now(at=THURSDAY_EVEN_WEEK).answers
    assert names(answer) == ("Engineer C", "Engineer B")
    assert answer.on_call.secondary.overridden


def test_on_call_now_only_on_call_reads_the_people_on_call_and_the_slots_others_when_asked(
    seed, django_assert_num_queries
):
    b_covers_the_secondary_for_two_hours(seed)
    everyone = on_call_now(at=THURSDAY_EVEN_WEEK)
    with django_assert_num_queries(2), instances_built() as built:
        now = on_call_now(at=THURSDAY_EVEN_WEEK, only_on_call=True)
    # Engineer D holds the slot on call, covered by Engineer B: both read, only B built.
    assert built.by_model == {"Rotation": 1, "Person": 2}
    assert now.answers == everyone.answers
    assert now.validity == everyone.validity
    assert set(now.loaded.people) == {seed.b.pk, seed.c.pk, seed.d.pk}
    with django_assert_num_queries(1):
        slots = now.slots
    assert [(slot.primary, slot.secondary) for slot in slots] == [
        (slot.primary, slot.secondary) for slot in everyone.slots
    ]


def test_a_reverted_override_no_longer_applies(seed):
    factories.OverrideFactory(
        rotation=seed.rotation,
        person=seed.a,
        start=THURSDAY_EVEN_WEEK - timedelta(hours=1),
        end=THURSDAY_EVEN_WEEK + timedelta(hours=1),
        reverted_at=THURSDAY_EVEN_WEEK,
    )
    [answer] = on_call_now(at=THURSDAY_EVEN_WEEK).answers
    assert answer.primary == seed.c


def test_dashboard_gives_since_until_and_who_takes_over(seed, django_assert_num_queries):
    with django_assert_num_queries(4):  # slots, overrides, time off, handoff notes
        page = dashboard(at=THURSDAY_EVEN_WEEK)
    [card] = page.rotations
    assert card.primary.now.person == seed.c
    assert card.secondary.now.person == seed.d
    assert card.primary.now.start == datetime(2026, 11, 23, 9, tzinfo=UTC)
    assert card.handoff == HANDOFF_TO_ODD_WEEK
    assert (card.next_primary.person, card.next_secondary.person) == (seed.a, seed.b)
    assert card.primary.then is None


def test_dashboard_shows_an_override_ending_before_the_handoff_and_who_comes_back(seed):
    cover = factories.PersonFactory(display_name="Cover")
    factories.OverrideFactory(
        rotation=seed.rotation,
        person=cover,
        start=THURSDAY_EVEN_WEEK - timedelta(hours=2),
        end=THURSDAY_EVEN_WEEK + timedelta(days=1),
    )
    [card] = dashboard(at=THURSDAY_EVEN_WEEK).rotations
    assert card.primary.now.person == cover
    assert card.primary.now.covering_for == seed.c
    assert card.primary.now.end == THURSDAY_EVEN_WEEK + timedelta(days=1)
    assert card.primary.then.person == seed.c
    assert card.primary.then.end == HANDOFF_TO_ODD_WEEK


def test_dashboard_next_pair_includes_an_override_starting_at_the_handoff(seed):
    cover = factories.PersonFactory(display_name="Cover")
    factories.OverrideFactory(
        rotation=seed.rotation,
        person=cover,
        start=HANDOFF_TO_ODD_WEEK,
        end=HANDOFF_TO_ODD_WEEK + timedelta(days=2),
    )
    [card] = dashboard(at=THURSDAY_EVEN_WEEK).rotations
    assert card.next_primary.person == cover
    assert card.next_primary.covering_for == seed.a


def test_a_misconfigured_rotation_is_reported_and_the_others_still_show(seed):
    broken = factories.RotationFactory(name="Broken")
    factories.RotationSlotFactory(rotation=broken, week_parity=models.WeekParity.ODD)
    page = dashboard(at=THURSDAY_EVEN_WEEK)
    assert [card.rotation for card in page.rotations] == [seed.rotation]
    assert [problem.rotation for problem in page.problems] == [broken]
    assert page.problems[0].message == engine.PARITY_NEEDS_ODD_AND_EVEN_SLOT


def _two_more_rotations(seed):
    """Two more rotations after the seed's, with people of their own."""
    later = [
        seed_rotation(people_suffix=f" {n}", name=f"Later {n}", slug=f"later-{n}", position=n)
        for n in (5, 6)
    ]
    return later


def test_on_call_named_resolves_the_named_rotations_and_the_first_only(
    seed, django_assert_num_queries
):
    later = _two_more_rotations(seed)
    with django_assert_num_queries(2):
        now = on_call_named(at=THURSDAY_EVEN_WEEK, rotation_ids=[later[1].rotation.pk])
    assert [answer.rotation for answer in now.answers] == [seed.rotation, later[1].rotation]
    assert names(now.answers[1]) == ("Engineer C 6", "Engineer D 6")
    assert {slot.rotation_id for slot in now.slots} == {seed.rotation.pk, later[1].rotation.pk}


def test_on_call_named_with_no_rotation_named_gives_the_first(seed, django_assert_num_queries):
    _two_more_rotations(seed)
    with django_assert_num_queries(2):
        now = on_call_named(at=THURSDAY_EVEN_WEEK, rotation_ids=[None])
    assert [answer.rotation for answer in now.answers] == [seed.rotation]


def test_on_call_named_skips_a_first_rotation_the_engine_refuses(seed):
    later = _two_more_rotations(seed)
    broken = factories.RotationFactory(name="Broken", position=0)
    factories.RotationSlotFactory(rotation=broken, week_parity=models.WeekParity.ODD)
    models.Rotation.objects.filter(pk=seed.rotation.pk).update(position=1)
    now = on_call_named(at=THURSDAY_EVEN_WEEK, rotation_ids=[later[1].rotation.pk])
    # The default is the first rotation the engine can compute, as for `on_call_now`.
    assert now.answers[0].rotation == seed.rotation
    assert now.answers[0] == on_call_now(at=THURSDAY_EVEN_WEEK).answers[0]
    assert [answer.rotation for answer in now.answers] == [seed.rotation, later[1].rotation]
    assert [problem.rotation for problem in now.problems] == [broken]


def test_calendar_defaults_to_eight_shifts_from_the_current_one(seed):
    page = calendar(at=THURSDAY_EVEN_WEEK)
    [shown] = page.rotations
    assert len(shown.rows) == 8
    assert shown.rows[0].shift.start == datetime(2026, 11, 23, 9, tzinfo=UTC)
    assert shown.rows[0].is_current
    assert not any(row.is_current for row in shown.rows[1:])
    assert page.start_date == date(2026, 11, 23)
    assert page.later_start == date(2027, 1, 18)


@pytest.mark.parametrize(
    ("start", "first_shift_start"),
    [
        (date(2026, 11, 30), datetime(2026, 11, 30, 9, tzinfo=UTC)),  # a handoff day
        (date(2026, 11, 26), datetime(2026, 11, 23, 9, tzinfo=UTC)),  # a Thursday
        (date(2026, 12, 6), datetime(2026, 11, 30, 9, tzinfo=UTC)),  # a Sunday
    ],
)
def test_calendar_start_date_begins_with_the_shift_in_progress_at_the_end_of_that_day(
    seed, start, first_shift_start
):
    page = calendar(at=THURSDAY_EVEN_WEEK, start_date=start, weeks=2)
    rows = page.rotations[0].rows
    assert [row.shift.start for row in rows] == [
        first_shift_start,
        first_shift_start + timedelta(weeks=1),
    ]


def test_calendar_shows_the_2026_to_2027_parity_repeat(seed):
    page = calendar(at=THURSDAY_EVEN_WEEK, start_date=date(2026, 12, 21), weeks=3)
    [shown] = page.rotations
    assert [(row.shift.iso_week, row.shift.label) for row in shown.rows] == [
        (52, "Even weeks"),
        (53, "Odd weeks"),
        (1, "Odd weeks"),
    ]
    assert [row.repeats_previous for row in shown.rows] == [False, False, True]
    [warning] = shown.repeats
    assert warning.long_year == 2026
    assert (warning.primary, warning.secondary) == (seed.a, seed.b)


def test_calendar_marks_a_repeat_with_the_shift_just_before_the_window(seed):
    page = calendar(at=THURSDAY_EVEN_WEEK, start_date=date(2027, 1, 4), weeks=1)
    [shown] = page.rotations
    assert shown.rows[0].shift.iso_week == 1
    assert shown.rows[0].repeats_previous
    assert len(shown.repeats) == 1


def test_calendar_announces_the_next_repeat_before_it_is_in_view(seed):
    page = calendar(at=THURSDAY_EVEN_WEEK, weeks=2)
    [shown] = page.rotations
    assert shown.repeats == []
    assert shown.next_repeat.repeat.following.start == datetime(2027, 1, 4, 9, tzinfo=UTC)


WEEK_1_OF_2027 = (datetime(2027, 1, 4, 9, tzinfo=UTC), datetime(2027, 1, 11, 9, tzinfo=UTC))


def test_calendar_names_only_who_really_repeats_when_a_tier_is_covered(seed):
    factories.OverrideFactory(
        rotation=seed.rotation,
        tier=models.OnCallTier.PRIMARY,
        person=seed.c,
        start=WEEK_1_OF_2027[0],
        end=WEEK_1_OF_2027[1],
    )
    page = calendar(at=THURSDAY_EVEN_WEEK, start_date=date(2026, 12, 21), weeks=3)
    [warning] = page.rotations[0].repeats
    assert (warning.primary, warning.secondary, warning.people) == (None, seed.b, [seed.b])


@pytest.mark.parametrize("weeks_viewed", [2, 8])
def test_calendar_has_no_repeat_warning_when_others_cover_the_repeated_week(seed, weeks_viewed):
    for tier, person in (
        (models.OnCallTier.PRIMARY, seed.c),
        (models.OnCallTier.SECONDARY, seed.d),
    ):
        factories.OverrideFactory(
            rotation=seed.rotation,
            tier=tier,
            person=person,
            start=WEEK_1_OF_2027[0],
            end=WEEK_1_OF_2027[1],
        )
    page = calendar(at=THURSDAY_EVEN_WEEK, weeks=weeks_viewed)
    [shown] = page.rotations
    assert shown.repeats == [] and shown.next_repeat is None


def test_calendar_announces_the_repeat_after_the_weeks_viewed_not_after_today(seed):
    page = calendar(at=THURSDAY_EVEN_WEEK, start_date=date(2020, 11, 30), weeks=2)
    [shown] = page.rotations
    assert shown.next_repeat.repeat.following.start == datetime(2021, 1, 4, 9, tzinfo=UTC)
    assert shown.next_repeat.why == (
        "ISO year 2020 has 53 weeks, so week 53 of 2020 and week 1 of 2021 are both odd"
    )


def test_alternation_rotation_has_no_repeat_warning(seed):
    rotation = factories.RotationFactory(
        slot_rule=models.SlotRule.ALTERNATION, anchor_date=date(2026, 1, 5)
    )
    factories.RotationSlotFactory(rotation=rotation, label="One", week_parity="")
    factories.RotationSlotFactory(rotation=rotation, label="Two", week_parity="")
    page = calendar(at=THURSDAY_EVEN_WEEK, start_date=date(2026, 12, 21), weeks=4)
    alternation = next(c for c in page.rotations if c.rotation == rotation)
    labels = [row.shift.label for row in alternation.rows]
    assert labels in (["One", "Two", "One", "Two"], ["Two", "One", "Two", "One"])
    assert alternation.repeats == [] and alternation.next_repeat is None


def test_calendar_focus_answers_who_was_on_call_at_an_instant(seed):
    page = calendar(at=THURSDAY_EVEN_WEEK, focus_at=LAST_SECOND_OF_EVEN_WEEK)
    [answer] = page.focus
    assert (answer.primary.person, answer.secondary.person) == (seed.c, seed.d)
    assert page.focus_next == HANDOFF_TO_ODD_WEEK
    assert page.focus_previous == datetime(2026, 11, 23, 8, 59, 59, tzinfo=UTC)
    rows = page.rotations[0].rows
    assert rows[0].is_focus and not rows[1].is_focus


def test_calendar_focus_far_outside_the_window_still_sees_its_overrides(seed):
    long_ago = datetime(2024, 3, 5, 12, tzinfo=UTC)
    cover = factories.PersonFactory(display_name="Cover")
    factories.OverrideFactory(
        rotation=seed.rotation,
        tier=models.OnCallTier.SECONDARY,
        person=cover,
        start=long_ago - timedelta(hours=1),
        end=long_ago + timedelta(hours=1),
    )
    page = calendar(at=THURSDAY_EVEN_WEEK, start_date=date(2026, 11, 30), focus_at=long_ago)
    [answer] = page.focus
    assert answer.secondary.person == cover
    assert answer.secondary.covering_for is not None


def test_calendar_splits_a_tier_into_override_segments(seed):
    cover = factories.PersonFactory(display_name="Cover")
    factories.OverrideFactory(
        rotation=seed.rotation,
        person=cover,
        start=datetime(2026, 12, 1, 9, tzinfo=UTC),
        end=datetime(2026, 12, 2, 9, tzinfo=UTC),
    )
    page = calendar(at=THURSDAY_EVEN_WEEK, start_date=date(2026, 11, 30), weeks=1)
    [row] = page.rotations[0].rows
    assert [(h.person, h.start.day, h.end.day) for h in row.primary.holders] == [
        (seed.a, 30, 1),
        (cover, 1, 2),
        (seed.a, 2, 7),
    ]
    assert [h.person for h in row.overrides] == [cover]
    assert row.secondary.overrides == []


def test_calendar_query_count_does_not_grow_with_weeks_or_overrides(
    seed, django_assert_num_queries
):
    with django_assert_num_queries(4):  # slots, overrides, people, time off
        calendar(at=THURSDAY_EVEN_WEEK, weeks=8)
    many_overrides(seed.rotation, count=500, start=datetime(2026, 11, 23, tzinfo=UTC))
    other = seed_rotation(name="Second", slug="second", people_suffix="2")
    many_overrides(other.rotation, count=20, start=datetime(2027, 3, 1, tzinfo=UTC))
    with django_assert_num_queries(5):  # slots, overrides, people, time off, handoff notes
        page = calendar(at=THURSDAY_EVEN_WEEK, weeks=104, focus_at=THURSDAY_EVEN_WEEK)
    shown = {h.assignment.override.key for row in page.rotations[0].rows for h in row.overrides}
    assert len(shown) == 500


def test_calendar_loads_only_the_overrides_overlapping_the_window(seed):
    many_overrides(seed.rotation, count=10, start=datetime(2020, 1, 6, tzinfo=UTC))
    factories.OverrideFactory(rotation=seed.rotation, person=seed.b, start=THURSDAY_EVEN_WEEK)
    loaded = []
    real = oncall.override_index

    def spy(rows):
        rows = list(rows)
        loaded.extend(rows)
        return real(rows)

    with mock.patch.object(oncall, "override_index", spy):
        calendar(at=THURSDAY_EVEN_WEEK, weeks=8)
    assert [person for _tier, person, _start, _end, _key in loaded] == [seed.b.pk]


def test_calendar_feed_windows_and_segments(seed, django_assert_num_queries):
    factories.OverrideFactory(
        rotation=seed.rotation,
        person=seed.b,
        start=datetime(2026, 12, 1, 9, tzinfo=UTC),
        end=datetime(2026, 12, 2, 9, tzinfo=UTC),
    )
    with django_assert_num_queries(3):
        feed = calendar_feed(at=THURSDAY_EVEN_WEEK)
    starts = sorted({event.shift.start for event in feed.events})
    assert starts[0] == datetime(2026, 10, 26, 9, tzinfo=UTC)  # the shift in progress 4 weeks back
    assert starts[-1] < THURSDAY_EVEN_WEEK + timedelta(weeks=52)
    assert len(starts) == 57
    # 57 shifts x 2 tiers, plus the override cutting one primary shift into three.
    assert len(feed.events) == 57 * 2 + 2
    assert len({event.uid for event in feed.events}) == len(feed.events)


def test_calendar_feed_for_one_person(seed, django_assert_num_queries):
    with django_assert_num_queries(3):
        feed = calendar_feed(at=THURSDAY_EVEN_WEEK, person_id=seed.a.pk)
    assert feed.person == seed.a
    assert {event.holder.person for event in feed.events} == {seed.a}
    assert all(event.shift.label == "Odd weeks" for event in feed.events)


def test_calendar_feed_for_an_unknown_person_is_none(seed):
    assert calendar_feed(at=THURSDAY_EVEN_WEEK, person_id=999_999) is None


def test_profile_lists_own_shifts_and_the_ones_someone_covers(
    seed, user, django_assert_num_queries
):
    seed.c.user = user
    seed.c.save()
    cover = factories.PersonFactory(display_name="Cover")
    factories.OverrideFactory(
        rotation=seed.rotation,
        person=cover,
        start=datetime(2026, 12, 7, 9, tzinfo=UTC),
        end=datetime(2026, 12, 14, 9, tzinfo=UTC),
    )
    with django_assert_num_queries(5):  # token, slots, overrides, people, own time off
        page = profile(user=user, person=seed.c, at=THURSDAY_EVEN_WEEK)
    items = [(item.holder.start.date(), item.covered_by_someone_else) for item in page.upcoming]
    assert items[0] == (date(2026, 11, 23), False)  # the shift in progress
    assert (date(2026, 12, 7), True) in items
    assert (date(2026, 12, 21), False) in items
    assert all(item.holder.tier == engine.Tier.PRIMARY for item in page.upcoming)
