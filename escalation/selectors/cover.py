"""Who could cover: for a clash or a cover request, the colleagues on the same rotation who are
free then, least recently on call first, each with the reason (`escalation.availability`)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from .. import rotation as engine
from ..availability import COVER_SEARCH, Suggestion, suggest_cover
from ..models import Person, Rotation
from .oncall import load_overrides_and_people, load_rotations
from .time_off import away_between


@dataclass(frozen=True)
class SuggestedColleague:
    person: Person
    suggestion: Suggestion

    @property
    def nearest_edge(self) -> datetime | None:
        """The end of their last stretch on call before, or the start of the next one after."""
        nearest = self.suggestion.nearest
        if nearest is None:
            return None
        return nearest[0] if self.suggestion.after else nearest[1]


@dataclass(frozen=True)
class CoverSuggestions:
    rotation: Rotation | None
    start: datetime
    end: datetime
    colleagues: list[SuggestedColleague]


def cover_suggestions(
    *, rotation_id: int, person_id: int | None, start: datetime, end: datetime
) -> CoverSuggestions:
    """Colleagues on rotation `rotation_id` (its slots' people, active, `person_id` left out)
    free to cover `[start, end)`. Four queries: the rotation's slots, its overrides around the
    time, the people, their time off."""
    loaded = load_rotations([rotation_id])
    if not loaded.rotations:
        return CoverSuggestions(None, start, end, [])
    rotation, schedule = loaded.rotations[0]
    around = (start - COVER_SEARCH, end + COVER_SEARCH)
    load_overrides_and_people(loaded, [around])
    colleagues: dict[int, Person] = {}
    for slot in loaded.slots[rotation.pk]:
        for pk in (slot.primary_id, slot.secondary_id):
            person = loaded.people.get(pk) if pk is not None else None
            if person is not None and person.is_active and pk != person_id:
                colleagues[person.pk] = person
    on_call: dict[object, list[tuple[datetime, datetime]]] = defaultdict(list)
    for shift in engine.shifts_between(schedule, *around):
        for tier in engine.Tier:
            for stretch in engine.segments(shift, tier, loaded.index(rotation)):
                on_call[stretch.person].append((stretch.start, stretch.end))
    by_name = sorted(colleagues.values(), key=lambda person: person.display_name)
    suggestions = suggest_cover(
        candidates=[person.pk for person in by_name],
        start=start,
        end=end,
        on_call=on_call,
        away=away_between(person_ids=colleagues, start=start, end=end),
    )
    return CoverSuggestions(
        rotation,
        start,
        end,
        [
            SuggestedColleague(person, suggestion)
            for suggestion in suggestions
            if (person := loaded.person(suggestion.person)) is not None
        ],
    )
