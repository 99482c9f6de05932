import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models

from escalation.models.validators import (
    CONTROL_CHARACTER_MESSAGE,
    validate_pagerduty_handle,
    validate_single_line,
    validate_slack_channel,
    validate_slack_handle,
)


@pytest.mark.parametrize(
    ("validate", "good"),
    [
        (validate_slack_handle, "@jane.doe"),
        (validate_pagerduty_handle, "@backend-lead"),
        (validate_slack_channel, "#incidents"),
    ],
)
def test_a_handle_followed_by_a_line_break_is_refused(validate, good):
    validate(good)
    # `$` would let one trailing newline through; the value would then break a Markdown row.
    with pytest.raises(ValidationError):
        validate(good + "\n")


@pytest.mark.parametrize(
    ("value", "character"),
    [
        ("Jane\r\nDoe", "U+000D"),
        ("Jane\nDoe", "U+000A"),
        ("Jane\tDoe", "U+0009"),
        ("Jane\x0bDoe", "U+000B"),
        ("Jane\x0cDoe", "U+000C"),
        ("Jane\x85Doe", "U+0085"),
        ("Jane\x7fDoe", "U+007F"),
        ("Jane\u2028Doe", "U+2028"),
        ("Jane\u2029Doe", "U+2029"),
    ],
)
def test_a_name_with_a_control_character_is_refused_naming_the_character(value, character):
    with pytest.raises(ValidationError) as refused:
        validate_single_line(value)
    assert refused.value.messages == [CONTROL_CHARACTER_MESSAGE % {"character": character}]


@pytest.mark.parametrize(
    "value",
    ["Jane Doe", "Zoë O’Brien-Łukasiewicz", "李小龍", "DBA Lead (EU) | *draft*", "🚨 Pager", ""],
)
def test_printable_names_in_any_script_are_accepted(value):
    validate_single_line(value)


# Fields whose values are not free text: choices, slugs, and the handles their own
# regular expressions already confine to printable ASCII.
_CONFINED = {"slack_handle", "pagerduty_handle", "slack_alias", "pagerduty_alias", "slack_channel"}
_CONFINED |= {"swap_channel", "handoff_channel", "slack_user_id", "time_zone", "token_hash", "hint"}
_CONFINED |= {"phone", "pagerduty_user_id", "pagerduty_primary_schedule_id"}
_CONFINED |= {"pagerduty_secondary_schedule_id", "pagerduty_service_id"}
# Written by the portal from PagerDuty's answers, never typed by a manager.
_CONFINED |= {"pagerduty_override_id", "pagerduty_error"}


def test_every_single_line_text_field_a_manager_edits_refuses_control_characters():
    unguarded = []
    for model in apps.get_app_config("escalation").get_models():
        if model.__name__.startswith("Historical") or not hasattr(model, "history"):
            continue
        for field in model._meta.get_fields():
            if not isinstance(field, models.CharField) or isinstance(field, models.SlugField):
                continue
            if field.choices or field.name in _CONFINED:
                continue
            if validate_single_line not in field.validators:
                unguarded.append(f"{model.__name__}.{field.name}")
    assert unguarded == []
