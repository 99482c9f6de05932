from datetime import UTC, datetime

from django.template import Context, Template


def test_in_time_zone_keeps_the_zone_through_the_date_filter():
    template = Template(
        '{% load portal %}{{ at|in_time_zone:"America/New_York"|date:"Y-m-d H:i T" }}'
    )
    rendered = template.render(Context({"at": datetime(2026, 11, 30, 9, 0, tzinfo=UTC)}))
    assert rendered == "2026-11-30 04:00 EST"


def test_in_time_zone_falls_back_to_utc_for_an_unknown_zone():
    template = Template('{% load portal %}{{ at|in_time_zone:"Mars/Olympus"|date:"H:i" }}')
    assert template.render(Context({"at": datetime(2026, 11, 30, 9, 0, tzinfo=UTC)})) == "09:00"
