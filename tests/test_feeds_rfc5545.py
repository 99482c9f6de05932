"""The feed's own RFC 5545 writer against the icalendar package it replaced.

`icalendar_calendar` below is the feed as the package built it (kept here only as the
reference): the writer gives the same bytes, so a client parsing the feed sees the same
calendar, for the seed's rotation and for names full of what iCalendar has to escape or fold.
"""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from icalendar import Calendar, Component, Event, vText

from escalation import feeds, models
from escalation import rotation as engine
from escalation.feeds import build_calendar, content_line, escape_text, fold, utc_date_time
from escalation.selectors.calendar import CalendarFeed, FeedEvent, calendar_feed
from escalation.selectors.oncall import Holder
from tests import factories
from tests.oncall_data import HANDOFF_TO_ODD_WEEK, THURSDAY_EVEN_WEEK, seed_rotation

STAMP = datetime(2026, 11, 26, 12, 34, 56, 789_000, tzinfo=UTC)


def icalendar_calendar(feed: CalendarFeed, *, stamp: datetime | None = None) -> bytes:
    """The feed as the icalendar package built it, property by property."""
    calendar = Calendar()
    calendar.add("prodid", feeds.PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    name = feeds.CALENDAR_NAME
    if feed.person is not None:
        name = f"{feeds.CALENDAR_NAME}: {' '.join(feed.person.display_name.split())}"
    calendar.add("x-wr-calname", vText(name))
    calendar.add("name", vText(name))
    calendar.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")
    for item in feed.events:
        if item.holder.end.replace(microsecond=0) <= item.holder.start.replace(microsecond=0):
            continue
        event = Event()
        event.add("uid", feeds.event_uid(item))
        event.add("dtstamp", stamp or feed.at)
        event.add("dtstart", item.holder.start)
        event.add("dtend", item.holder.end)
        event.add("summary", feeds.event_summary(item))
        event.add("description", feeds.event_description(item))
        event.add("categories", ["On call", models.OnCallTier(item.holder.tier).label])
        event.add("transp", "TRANSPARENT")
        calendar.add_component(event)
    return calendar.to_ical()


def as_read(raw: bytes) -> list[tuple[str | None, list[tuple[str, dict[str, str], bytes]]]]:
    """Every component, in order, with every property: its name, parameters and value."""
    return [
        (
            component.name,
            [(name, dict(value.params), value.to_ical()) for name, value in component.items()],
        )
        for component in Calendar.from_ical(raw).walk()
    ]


def assert_well_formed(raw: bytes) -> None:
    """Each physical line: CRLF-ended, at most 75 octets, whole UTF-8 characters."""
    assert raw.endswith(b"\r\n")
    for line in raw.split(b"\r\n")[:-1]:
        assert len(line) <= 75, line
        assert b"\r" not in line and b"\n" not in line
        line.decode()


def assert_same_as_icalendar(feed: CalendarFeed, *, stamp: datetime | None = None) -> bytes:
    raw = build_calendar(feed, stamp=stamp)
    reference = icalendar_calendar(feed, stamp=stamp)
    assert_well_formed(raw)
    assert as_read(raw) == as_read(reference)
    assert Calendar.from_ical(raw) == Calendar.from_ical(reference)
    assert raw == reference
    return raw


# --- The seed's rotation, through the selector ----------------------------------------------


@pytest.mark.django_db
def test_the_seed_rotation_feed_is_what_icalendar_built():
    seed = seed_rotation()
    factories.OverrideFactory(
        rotation=seed.rotation,
        person=factories.PersonFactory(display_name="Rosa Cover"),
        start=datetime(2026, 12, 1, 9, tzinfo=UTC),
        end=datetime(2026, 12, 2, 9, tzinfo=UTC),
    )
    seed.d.country = "GB"
    seed.d.save()
    feed = calendar_feed(at=THURSDAY_EVEN_WEEK)
    assert feed is not None

    raw = assert_same_as_icalendar(feed)

    assert len(Calendar.from_ical(raw).walk("VEVENT")) == 2 * 57 + 2
    assert b"Repeat: the same slot is on call the next week too" in raw.replace(b"\r\n ", b"")
    assert b"Public holiday" in raw.replace(b"\r\n ", b"")
    own = calendar_feed(at=THURSDAY_EVEN_WEEK, person_id=seed.a.pk)
    assert own is not None
    assert_same_as_icalendar(own, stamp=STAMP)


@pytest.mark.django_db
def test_the_feed_is_written_without_icalendar_objects(monkeypatch):
    """Building thousands of icalendar components was what made a large feed cost seconds."""
    seed_rotation()
    feed = calendar_feed(at=THURSDAY_EVEN_WEEK)
    assert feed is not None

    def refuse(*args, **kwargs):
        raise AssertionError("the feed went through icalendar")

    monkeypatch.setattr(Component, "__init__", refuse)
    monkeypatch.setattr(Component, "to_ical", refuse)
    assert build_calendar(feed).count(b"BEGIN:VEVENT\r\n") == 2 * 57


# --- Hostile names, built without the database ----------------------------------------------

HOSTILE_NAMES = [
    "<script>alert('x')</script>",
    'Doe, Jane; "JJ"',
    "back\\slash\\; not an escape\\,",
    "Line one\nLine two\r\nLine three\rfour",
    # A carriage return at the end of a description's line: it and the next break are one.
    "Ends with a return\r",
    "colon: caret ^ and ^n",
    "Zoë 🚨 on call 👩\u200d💻",
    "\u200fمهندس\u200f",
    "x" * 10_000,
    # Multi-byte characters at every offset, so folds land inside characters.
    *(("a" * offset) + "é🚨日本" * 40 for offset in range(4)),
    # Backslashes where a line is folded.
    *(("b" * offset) + "\\" * 80 for offset in range(3)),
]


def hostile_feed(name: str, *, slug: str = "hostile") -> CalendarFeed:
    person = factories.PersonFactory.build(
        pk=7,
        display_name=name,
        phone="+442079460007",
        slack_handle="@a,b;c",
        email="x@example.com",
    )
    covered = factories.PersonFactory.build(pk=8, display_name=f"{name} (2)")
    rotation = factories.RotationFactory.build(name=name[:300], slug=slug)
    shift = engine.Shift(
        start=HANDOFF_TO_ODD_WEEK,
        end=HANDOFF_TO_ODD_WEEK + timedelta(weeks=1),
        slot_index=0,
        slot=engine.Slot("Odd weeks", 8, None, engine.WeekParity.ODD),
        iso_year=2026,
        iso_week=49,
    )
    spec = engine.OverrideSpec(
        tier=engine.Tier.SECONDARY,
        person=7,
        start=shift.start + timedelta(hours=1, microseconds=5),
        end=shift.end,
        key=1,
    )
    holder = Holder(
        engine.Assignment(engine.Tier.SECONDARY, 7, spec.start, spec.end, override=spec),
        person,
        covered,
    )
    return CalendarFeed(
        at=THURSDAY_EVEN_WEEK,
        start=shift.start,
        end=shift.end,
        person=person,
        events=[FeedEvent(rotation=rotation, shift=shift, holder=holder)],
    )


@pytest.mark.parametrize("name", HOSTILE_NAMES, ids=range(len(HOSTILE_NAMES)))
def test_hostile_names_give_what_icalendar_built(name):
    raw = assert_same_as_icalendar(hostile_feed(name), stamp=STAMP)
    [event] = Calendar.from_ical(raw).walk("VEVENT")
    unix = name.replace("\r\n", "\n").replace("\r", "\n")
    assert str(event["summary"]) == f"Secondary on call: {unix} (covering for {unix} (2))"


def test_a_long_slug_folds_the_uid_too():
    raw = assert_same_as_icalendar(hostile_feed("Ana", slug="s" * 120))
    [event] = Calendar.from_ical(raw).walk("VEVENT")
    assert str(event["uid"]) == f"{'s' * 120}-secondary-20261130T100000.000005Z@escalation-portal"


def test_a_backslash_n_in_a_name_stays_a_backslash_and_an_n():
    """RFC 5545 3.3.11: "\\N" in a value is a line break, so a name's own backslash is escaped
    (icalendar turned a typed "\\N" into a line break instead)."""
    unfolded = build_calendar(hostile_feed("C:\\New")).replace(b"\r\n ", b"").decode()
    assert "\r\nSUMMARY:Secondary on call: C:\\\\New (covering for C:\\\\New (2))\r\n" in unfolded


# --- The writer's parts ---------------------------------------------------------------------


def test_text_escapes_backslash_semicolon_comma_and_line_breaks():
    assert escape_text('a\\b;c,d:e"f') == 'a\\\\b\\;c\\,d:e"f'
    assert escape_text("1\r\n2\n3\r4") == "1\\n2\\n3\\n4"


def test_date_times_are_utc_to_the_second():
    berlin = datetime(2026, 7, 1, 13, 0, 59, 999_999, tzinfo=ZoneInfo("Europe/Berlin"))
    assert utc_date_time(berlin) == "20260701T110059Z"
    assert utc_date_time(datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)) == "20260102T030405Z"


def test_a_line_of_74_octets_stays_whole_and_75_are_folded():
    assert fold("x" * 74) == "x" * 74
    assert fold("x" * 75) == "x" * 74 + "\r\n x"
    assert fold("x" * 72 + "é") == "x" * 72 + "é"
    assert fold("x" * 73 + "é") == "x" * 73 + "\r\n é"
    assert fold("x" * 73 + "\\;") == "x" * 73 + "\r\n \\;"


def test_a_parameter_goes_between_the_name_and_the_value():
    assert content_line("REFRESH-INTERVAL", "PT1H", ";VALUE=DURATION") == (
        "REFRESH-INTERVAL;VALUE=DURATION:PT1H"
    )


def icalendar_line(name: str, text: str) -> bytes:
    event = Event()
    event.add(name, text)
    return event.to_ical().removeprefix(b"BEGIN:VEVENT\r\n").removesuffix(b"\r\nEND:VEVENT\r\n")


ICAL_SPECIALS = st.sampled_from(["\\", ";", ",", "\n", "\r", "\r\n", "^", ":", '"', "é", "🚨"])


@settings(max_examples=300, deadline=None)
@given(st.lists(ICAL_SPECIALS | st.text(min_size=1, max_size=30), max_size=40).map("".join))
def test_any_text_is_escaped_and_folded_as_icalendar_did(text):
    # The one difference: icalendar read a typed "\N" as a line break (see above).
    text = text.replace("\\N", "\\ N")
    line = content_line("SUMMARY", escape_text(text)).encode()
    assert line == icalendar_line("summary", text)
    assert_well_formed(line + b"\r\n")
