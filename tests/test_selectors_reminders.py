"""The reminder job's read: what is due, in a fixed number of queries however many rotations."""

from datetime import timedelta

import pytest
import time_machine

from escalation.selectors.reminders import reminders_due
from tests import factories
from tests.swaps_data import DAY, NOW, WEEK_2, WEEK_3, WEEK_4, approved_request, build_team

pytestmark = pytest.mark.django_db

CHANGED_AT = NOW + timedelta(hours=1)
AT = CHANGED_AT + timedelta(minutes=5)
#: From Wednesday of week 2 to past the start of Tuesday of week 3.
LEAD = timedelta(days=6)


def team_with_news(index):
    """Drew covers Alex's week 3 primary (a swap); in the admin, Casey covers Blair's Tuesday of
    week 3 (secondary), and the even weeks' secondary, then their primary, change hands."""
    with time_machine.travel(NOW, tick=False):
        team = build_team(suffix=str(index or ""), slug=f"rotation-{index}", name=f"R{index}")
        approved_request(team, colleague=team.drew)
    with time_machine.travel(CHANGED_AT, tick=False):
        factories.OverrideFactory(
            rotation=team.rotation,
            tier="secondary",
            person=team.casey,
            start=WEEK_3[0] + DAY,
            end=WEEK_3[0] + 2 * DAY,
        )
    slot = team.rotation.slots.get(label="Even weeks")
    for minutes, (tier, person) in enumerate((("secondary", team.alex), ("primary", team.drew))):
        with time_machine.travel(CHANGED_AT + timedelta(minutes=minutes), tick=False):
            setattr(slot, tier, person)
            slot.save()
    return team


@pytest.mark.parametrize("teams", [1, 3])
def test_everything_due_costs_eight_queries_however_many_rotations(
    teams, django_assert_num_queries
):
    team, *_ = [team_with_news(index) for index in range(teams)]

    # The seven of the rotations, overrides, changes and people, and the handoff notes.
    with django_assert_num_queries(8):
        due = reminders_due(at=AT, lead=LEAD)

    assert [
        (reminder.person.display_name, reminder.tier, reminder.start)
        for reminder in due.reminders
        if reminder.rotation == team.rotation
    ] == [("Blair Doe", "secondary", WEEK_3[0]), ("Casey Doe", "secondary", WEEK_3[0] + DAY)]
    assert [
        (
            change.change,
            change.override.person.display_name,
            [p.display_name for p in change.covered],
        )
        for change in due.override_changes
        if change.override.rotation == team.rotation
    ] == [("created", "Casey Doe", ["Blair Doe"])]
    slot_changes = [change for change in due.slot_changes if change.rotation == team.rotation]
    assert [
        (change.tier, change.before_holder.display_name, change.now_holder.display_name)
        for change in slot_changes
    ] == [("secondary", "Drew Doe", "Alex Doe"), ("primary", "Casey Doe", "Drew Doe")]
    assert slot_changes[0].next_shifts[:2] == [WEEK_2, WEEK_4]
    assert len(due.slot_changes) == 2 * teams
